"""A pull's own bookkeeping in the mirror, besides cursors and runs (:mod:`mirror.store`): the saved
windows of a first listing (``sync_windows``), a reconciliation's seen ids (``reconcile_seen``),
what was found of UpKeep's page size (``upkeep_page_size``).

Each function runs in the caller's transaction (plain ``sqlite3``); when to call them is the pull's
decision (``sync.pull``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, NamedTuple


class Window(NamedTuple):
    """A saved window of a first sync's listing (a row of ``sync_windows``)."""

    idx: int
    lo_ms: int | None
    hi_ms: int | None
    key_ms: int | None
    done: int
    scan_started_ms: int


class PageSizeFound(NamedTuple):
    """What runs found of UpKeep's page size (the row of ``upkeep_page_size``; see
    :class:`sync.upkeep.paging.PageSize`)."""

    served: int  # the most objects UpKeep put in one list answer
    cap: int | None  # the page size it was found to serve, when smaller than asked
    asked: int | None  # what the pull asked for when it found the cap
    updated_at: str


def load_page_size(conn: Any) -> PageSizeFound | None:
    row = conn.execute("SELECT served, cap, asked, updated_at FROM upkeep_page_size WHERE id = 1").fetchone()
    return PageSizeFound(*row) if row else None


def save_page_size(conn: Any, served: int, cap: int | None, asked: int | None) -> None:
    conn.execute("INSERT OR REPLACE INTO upkeep_page_size (id, served, cap, asked, updated_at) "
                 "VALUES (1, ?, ?, ?, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))", (served, cap, asked))


def describe_page_size(found: PageSizeFound | None) -> str | None:
    """One line for ``upkeep-mirror status`` when UpKeep was found to serve fewer than asked."""
    if found is None or found.cap is None:
        return None
    return (f"Page size: {found.cap} (UpKeep serves at most {found.cap} objects per request; "
            f"asked for {found.asked}; found {found.updated_at})")


def forget_pass(conn: Any, entity: str) -> None:
    """A reconciliation starts afresh: no ids seen yet, no saved windows."""
    conn.execute("DELETE FROM reconcile_seen WHERE entity = ?", (entity,))
    drop_windows(conn, entity)


def load_windows(conn: Any, entity: str) -> list[Window]:
    return [Window(*row) for row in conn.execute(
        "SELECT idx, lo_ms, hi_ms, key_ms, done, scan_started_ms FROM sync_windows "
        "WHERE entity = ? ORDER BY idx", (entity,))]


def save_first_window(conn: Any, entity: str, scan_started_ms: int) -> None:
    conn.execute("INSERT INTO sync_windows (entity, idx, scan_started_ms) VALUES (?, 0, ?)",
                 (entity, scan_started_ms))


def save_split(conn: Any, entity: str, window: int, hi_ms: int | None,
               windows: Iterable[tuple[int, int | None, int | None]], scan_started_ms: int) -> None:
    """Window ``window`` now ends at ``hi_ms``; ``windows`` (idx, lo_ms, hi_ms) take the rest."""
    conn.execute("UPDATE sync_windows SET hi_ms = ? WHERE entity = ? AND idx = ?", (hi_ms, entity, window))
    conn.executemany("INSERT INTO sync_windows (entity, idx, lo_ms, hi_ms, scan_started_ms) VALUES (?, ?, ?, ?, ?)",
                     [(entity, idx, lo, hi, scan_started_ms) for idx, lo, hi in windows])


def drop_windows(conn: Any, entity: str) -> None:
    conn.execute("DELETE FROM sync_windows WHERE entity = ?", (entity,))


def rows_up_to(conn: Any, table: str, limit: int) -> int:
    """How many rows ``table`` has, counted up to ``limit`` (enough to tell "at most n")."""
    return conn.execute(f"SELECT count(*) FROM (SELECT 1 FROM {table} LIMIT ?)", (limit,)).fetchone()[0]


def record_seen(conn: Any, entity: str, ids: Iterable[str]) -> None:
    """Ids a reconciliation listed (rows it did not list are tombstoned at its end)."""
    conn.executemany("INSERT OR IGNORE INTO reconcile_seen (entity, id) VALUES (?, ?)", [(entity, i) for i in ids])


def save_keys(conn: Any, entity: str, keys: Iterable[tuple[int, int | None]]) -> None:
    """Each (window, key_ms): where the window's listing resumes after a crash."""
    conn.executemany("UPDATE sync_windows SET key_ms = ? WHERE entity = ? AND idx = ?",
                     [(key, entity, window) for window, key in keys])


def mark_windows_done(conn: Any, entity: str, windows: Iterable[int]) -> None:
    conn.executemany("UPDATE sync_windows SET done = 1 WHERE entity = ? AND idx = ?",
                     [(entity, window) for window in windows])
