"""Whether UpKeep answers, and what went wrong, as recorded in the mirror's ``connectivity`` row.

This module keeps the row (reads it, records in it); when to record what is decided by the
sync service (``sync.service``, which the daemon, ``upkeep-mirror sync`` and ``outbox flush``
call). Datasette (``sync_health``) and ``upkeep-mirror status`` read it, so a technician can see
"offline since 09:12, 3 writes waiting" or "failing since 09:12: login refused" without reading
a log.

Two kinds of failure are recorded:

- *unreachable* (network, 429, 5xx still failing after retries): the mirror is offline
  (``online`` = 0, ``offline_since``) until a request succeeds again;
- *fatal* (UpKeep answered, but the job cannot go on: credentials refused, a setup problem, an
  unexpected error): ``fatal_error`` stands, with its source, until that kind of job succeeds.

Each function is one write transaction (``BEGIN IMMEDIATE``), so a read-modify-write of the row
is atomic even when several daemon jobs record at once. They use the mirror's plain ``sqlite3``
connection (``upkeep-mirror sync`` records here and never loads SQLAlchemy).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, fields
from datetime import UTC, datetime
from typing import Any

from mirror.db import Mirror
from mirror.freshness import Freshness, freshness
from mirror.sqlite import transaction
from mirror.timestamps import format_utc, parse_utc

UNREACHABLE, FATAL = "unreachable", "fatal"
#: Which successes clear a standing fatal error of which source.
_FAMILY = {"sync": "pull", "daemon pull": "pull", "daemon outbox": "outbox", "outbox flush": "outbox",
           "daemon probe": "probe"}


@dataclass
class Connectivity:
    """The single row (id 1) of ``connectivity`` (see :class:`mirror.schema.Connectivity`)."""

    updated_at: datetime
    id: int = 1
    online: bool = True
    offline_since: datetime | None = None
    last_error: str | None = None
    last_error_at: datetime | None = None
    last_pull_at: datetime | None = None
    last_flush_at: datetime | None = None
    daemon_pid: int | None = None
    daemon_heartbeat_at: datetime | None = None
    last_error_kind: str | None = None
    last_error_source: str | None = None
    fatal_error: str | None = None
    fatal_source: str | None = None
    fatal_since: datetime | None = None


_COLUMNS = [f.name for f in fields(Connectivity)]
_TIMES = {name for name in _COLUMNS if name == "updated_at" or name.endswith(("_since", "_at"))}


def _read(conn: Any) -> Connectivity:
    found = conn.execute(f"SELECT {', '.join(_COLUMNS)} FROM connectivity WHERE id = 1").fetchone()
    if found is None:
        return Connectivity(updated_at=datetime.now(UTC))
    values: dict[str, Any] = {name: (parse_utc(v) if name in _TIMES and v is not None else v) for name, v in zip(_COLUMNS, found, strict=True)}
    values["online"] = bool(values["online"])
    return Connectivity(**values)


@contextmanager
def _changing(mirror: Mirror) -> Iterator[Connectivity]:
    """The row, read and written back (if it changed) in one write transaction."""
    with transaction(mirror.connection()) as conn:
        row = _read(conn)
        before = asdict(row)
        yield row
        if asdict(row) == before:
            return  # e.g. "online" when it already was: no write
        values = {k: (format_utc(v) if isinstance(v, datetime) else v) for k, v in asdict(row).items()}
        conn.execute(f"INSERT OR REPLACE INTO connectivity ({', '.join(values)}) "
                     f"VALUES ({', '.join('?' for _ in values)})", list(values.values()))


def _now(now: datetime | None) -> datetime:
    return now or datetime.now(UTC)


def mark_offline(mirror: Mirror, error: str, *, source: str = "daemon", now: datetime | None = None) -> bool:
    """Record a failure to reach UpKeep; True when this is the moment the mirror went offline."""
    now = _now(now)
    with _changing(mirror) as row:
        went = row.online
        row.online = False
        row.offline_since = row.offline_since if not went else now
        row.last_error, row.last_error_at, row.updated_at = error[:500], now, now
        row.last_error_kind, row.last_error_source = UNREACHABLE, source
    return went


def mark_online(mirror: Mirror, *, now: datetime | None = None) -> datetime | None:
    """Record that UpKeep answered; returns since when it was offline, or None if it was online."""
    now = _now(now)
    with _changing(mirror) as row:
        since = None if row.online else (row.offline_since or now)
        if since is not None:
            row.online, row.offline_since, row.updated_at = True, None, now
        return since


def record_fatal(mirror: Mirror, error: str, *, source: str, now: datetime | None = None) -> bool:
    """Record a fatal error; True when it is new (not the one already standing for that source)."""
    now = _now(now)
    error = error[:500]
    with _changing(mirror) as row:
        new = (row.fatal_error, row.fatal_source) != (error, source)
        if row.fatal_error is None:
            row.fatal_since = now
        row.fatal_error, row.fatal_source = error, source
        row.last_error, row.last_error_at, row.updated_at = error, now, now
        row.last_error_kind, row.last_error_source = FATAL, source
    return new


def succeeded(mirror: Mirror, source: str, *, pulled: bool = False, flushed: bool = False,
              heartbeat: bool = False, now: datetime | None = None) -> bool:
    """Record a job that worked: clears a fatal error of the same kind of job; True if it cleared one."""
    now = _now(now)
    with _changing(mirror) as row:
        family = _FAMILY.get(row.fatal_source or "")
        # The probe runs only while offline: any job that works afterwards clears what it recorded.
        cleared = row.fatal_error is not None and family in (_FAMILY.get(source), "probe")
        if cleared:
            row.fatal_error, row.fatal_source, row.fatal_since = None, None, None
        _stamp_row(row, now, pulled=pulled, flushed=flushed, heartbeat=heartbeat)
    return cleared


def record(mirror: Mirror, *, pulled: bool = False, flushed: bool = False, heartbeat: bool = False) -> None:
    """Stamp the last pull, flush or daemon heartbeat without judging success."""
    with _changing(mirror) as row:
        _stamp_row(row, datetime.now(UTC), pulled=pulled, flushed=flushed, heartbeat=heartbeat)


def _stamp_row(row: Connectivity, now: datetime, *, pulled: bool, flushed: bool, heartbeat: bool) -> None:
    if pulled:
        row.last_pull_at = now
    if flushed:
        row.last_flush_at = now
    if heartbeat:
        row.daemon_pid, row.daemon_heartbeat_at = os.getpid(), now
    row.updated_at = now


def is_online(mirror: Mirror) -> bool:
    return current(mirror).online


def current(mirror: Mirror) -> Connectivity:
    """The row as it is now."""
    return _read(mirror.connection())


def describe(row: Connectivity, now: datetime | None = None) -> str:
    """One line for ``upkeep-mirror status``: online or offline since when, a standing fatal error,
    the last pull when the mirror's freshness verdict calls it late or stale."""
    if row.online:
        text = "UpKeep: online"
    else:
        text = f"UpKeep: OFFLINE since {_stamp(row.offline_since)}"
        if row.last_error:
            text += f" (last error: {row.last_error})"
    if row.fatal_error:
        text += f"; FAILING since {_stamp(row.fatal_since)}: {row.fatal_error} ({row.fatal_source})"
    verdict = freshness(row.last_pull_at, _now(now))
    if verdict in (Freshness.LATE, Freshness.STALE):
        text += f"; last pull {_stamp(row.last_pull_at)} ({verdict})"
    heartbeat = row.daemon_heartbeat_at
    return text + (f"; daemon last seen {_stamp(heartbeat)}" if heartbeat else "; no daemon has run")


def _stamp(moment: datetime | None) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%SZ") if moment else "?"
