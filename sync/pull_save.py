"""The pull's two steps per page apart from fetching: map it (pure), then save it (one transaction).

Mapping runs in the fetch workers; saving in the one thread that writes. Saving goes through a
plain ``sqlite3`` connection (:meth:`mirror.db.Mirror.transaction`); only when local writes are
still open on rows of the batch is the batch saved through SQLModel instead, so the outbox can
put those writes back on top (:func:`mirror.changes.reapply_pending`) in the same transaction.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from mirror.rejects import clear_rejects, record_rejects
from mirror.sqlite import dbapi
from mirror.store import has_open_changes, row_values, table_name, upsert_values
from mirror.timestamps import format_utc
from sync.crashpoints import crash_point
from sync.mapping import MalformedObject, transform, upkeep_id

if TYPE_CHECKING:
    from mirror.db import Mirror  # not at run time: a mapping worker process has no use for it

__all__ = ["Mapped", "log_rejects", "map_page", "part_skus", "save_batch", "tombstone_unseen"]

log = logging.getLogger("sync.pull")


@dataclass
class Mapped:
    """Fetched pages, mapped: what the writer saves in one transaction.

    Rows are kept as the upsert's values (:func:`mirror.store.row_values`), made where the page
    was mapped: compact (the raw object as JSON text, not a dict) and ready to write.
    """

    values: list[tuple] = field(default_factory=list)
    row_ids: list[str] = field(default_factory=list)  # the ids of ``values``, in order
    rejects: list[dict] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)  # every listed id, mapped or not (for reconciliation)
    fetched: int = 0
    resume_ms: int | None = None  # the listing's key after the last of these pages

    def extend(self, other: Mapped) -> None:
        self.values += other.values
        self.row_ids += other.row_ids
        self.rejects += other.rejects
        self.ids += other.ids
        self.fetched += other.fetched
        self.resume_ms = other.resume_ms


def part_skus(mirror: Mirror) -> dict[str, str]:
    """Every part's SKU by id: work orders name their parts by SKU (read once per run, not per page)."""
    return dict(mirror.connection().execute("SELECT id, sku FROM spare_parts WHERE sku IS NOT NULL").fetchall())


def map_page(mirror: Mirror | None, entity: str, page: list[dict], skus: dict[str, str] | None = None, *,
             now: datetime | None = None, log_rejects: bool = True) -> Mapped:
    """The pure step: UpKeep objects -> rows (as values, ``synced_at`` = ``now``); an object that
    cannot be mapped becomes a reject (logged unless ``log_rejects`` is False: a worker process
    leaves that to the pull's, :func:`log_rejects`).

    Work orders name their parts by SKU: from ``skus`` (the pull reads them once per run), or
    else from ``mirror``.
    """
    if entity == "work_orders" and skus is None and mirror is not None:
        skus = part_skus(mirror)
    out = Mapped(fetched=len(page), ids=[i for i in (upkeep_id(entity, o) for o in page) if i])
    rows = []
    for obj in page:
        try:
            rows.append(transform(entity, obj, part_skus=skus))
        except MalformedObject as exc:
            if log_rejects:
                log.warning("skipped %s", exc)
            out.rejects.append({"entity": entity, "upkeep_id": exc.upkeep_id or upkeep_id(entity, obj),
                                "field": exc.field, "reason": exc.reason, "raw": obj})
    out.values = row_values(entity, rows, now=now)
    out.row_ids = [row["id"] for row in rows]
    return out


def log_rejects(mapped: Mapped) -> None:
    """Log a page's rejects as :func:`map_page` does, for pages mapped in another process."""
    for r in mapped.rejects:
        log.warning("skipped %s", MalformedObject(r["entity"], r["upkeep_id"], r["field"], r["reason"]))


class _LocalChanges(Exception):
    """Local writes are open on rows of the batch: save it through SQLModel to re-apply them."""


def save_batch(mirror: Mirror, entity: str, batch: Mapped, *, run_id: str | None, sync_run_id: int | None,
               mark: Callable[[Any], None]) -> tuple[int, int]:
    """Save mapped pages in one transaction, with ``mark`` recording the resume point after them.

    Returns (rows changed, rejects recorded). ``mark`` gets the transaction's plain connection.
    """
    ids = batch.row_ids

    def save(conn: Any) -> tuple[int, int]:
        changed = upsert_values(conn, entity, batch.values)
        rejected = record_rejects(conn, batch.rejects, run_id=run_id, sync_run_id=sync_run_id)
        clear_rejects(conn, entity, ids)  # mapped cleanly now: no longer a reject
        return changed, rejected

    try:
        with mirror.transaction() as conn:
            if has_open_changes(conn, entity, ids):  # asked inside: no write can be queued meanwhile
                raise _LocalChanges
            counts = save(conn)
            mark(conn)
            crash_point(f"pull:{entity}:uncommitted")
    except _LocalChanges:
        from mirror.outbox import reapply_pending  # SQLModel: only when local writes wait on these rows

        with mirror.write() as s:
            counts = save(s)
            reapply_pending(s, entity, ids)  # pending local writes stay on top
            mark(dbapi(s))
            crash_point(f"pull:{entity}:uncommitted")
    crash_point(f"pull:{entity}")
    return counts


def tombstone_unseen(conn: Any, entity: str, started: datetime) -> int:
    """Rows UpKeep did not list in this reconciliation: tombstoned (kept for history).

    Rows that appeared after the pass began (created on UpKeep, or written back by the outbox
    meanwhile) may sit behind the listing's key: they are left for the next pass.
    """
    table, stamp = table_name(entity), format_utc(started)
    count = conn.execute(
        f"UPDATE {table} SET deleted_at = :now WHERE deleted_at IS NULL AND id NOT LIKE 'local-%' "
        f"AND (upkeep_created_at IS NULL OR upkeep_created_at < :started) "
        f"AND (synced_at IS NULL OR synced_at < :started) "
        f"AND id NOT IN (SELECT id FROM reconcile_seen WHERE entity = :e)",
        {"now": format_utc(datetime.now(UTC)), "started": stamp, "e": entity},
    ).rowcount
    conn.execute("DELETE FROM reconcile_seen WHERE entity = ?", (entity,))
    return count
