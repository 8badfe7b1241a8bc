"""Whether UpKeep answers, and what went wrong, as recorded in the mirror's ``connectivity`` row.

The daemon and ``upkeep-mirror sync`` write it; Datasette (``sync_health``) and ``upkeep-mirror
status`` read it, so a technician can see "offline since 09:12, 3 writes waiting" or "failing since
09:12: login refused" without reading a log.

Two kinds of failure are recorded:

- *unreachable* (network, 429, 5xx still failing after retries): the mirror is offline
  (``online`` = 0, ``offline_since``) until a request succeeds again;
- *fatal* (UpKeep answered, but the job cannot go on: credentials refused, a setup problem, an
  unexpected error): ``fatal_error`` stands, with its source, until that kind of job succeeds.

Each function is one write transaction (``BEGIN IMMEDIATE``), so a read-modify-write of the row
is atomic even when several daemon jobs record at once.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Protocol

from mirror.bookkeeping import Connectivity
from mirror.db import Mirror

UNREACHABLE, FATAL = "unreachable", "fatal"
#: Which successes clear a standing fatal error of which source.
_FAMILY = {"sync": "pull", "daemon pull": "pull", "daemon outbox": "outbox", "outbox flush": "outbox",
           "daemon probe": "probe"}


class PullOutcome(Protocol):
    entity: str
    error: str | None
    finished: bool
    unreachable: bool
    fatal: bool


def _row(session) -> Connectivity:
    return session.get(Connectivity, 1) or Connectivity(id=1, updated_at=datetime.now(UTC))


def _now(now: datetime | None) -> datetime:
    return now or datetime.now(UTC)


def mark_offline(mirror: Mirror, error: str, *, source: str = "daemon", now: datetime | None = None) -> bool:
    """Record a failure to reach UpKeep; True when this is the moment the mirror went offline."""
    now = _now(now)
    with mirror.write() as s:
        row = _row(s)
        went = row.online
        row.online = False
        row.offline_since = row.offline_since if not went else now
        row.last_error, row.last_error_at, row.updated_at = error[:500], now, now
        row.last_error_kind, row.last_error_source = UNREACHABLE, source
        s.merge(row)
    return went


def mark_online(mirror: Mirror, *, now: datetime | None = None) -> datetime | None:
    """Record that UpKeep answered; returns since when it was offline, or None if it was online."""
    now = _now(now)
    with mirror.write() as s:
        row = _row(s)
        since = None if row.online else (row.offline_since or now)
        if since is not None:
            row.online, row.offline_since, row.updated_at = True, None, now
            s.merge(row)
    return since


def record_fatal(mirror: Mirror, error: str, *, source: str, now: datetime | None = None) -> bool:
    """Record a fatal error; True when it is new (not the one already standing for that source)."""
    now = _now(now)
    error = error[:500]
    with mirror.write() as s:
        row = _row(s)
        new = (row.fatal_error, row.fatal_source) != (error, source)
        if row.fatal_error is None:
            row.fatal_since = now
        row.fatal_error, row.fatal_source = error, source
        row.last_error, row.last_error_at, row.updated_at = error, now, now
        row.last_error_kind, row.last_error_source = FATAL, source
        s.merge(row)
    return new


def succeeded(mirror: Mirror, source: str, *, pulled: bool = False, flushed: bool = False,
              heartbeat: bool = False, now: datetime | None = None) -> bool:
    """Record a job that worked: clears a fatal error of the same kind of job; True if it cleared one."""
    now = _now(now)
    with mirror.write() as s:
        row = _row(s)
        cleared = row.fatal_error is not None and _FAMILY.get(row.fatal_source or "") == _FAMILY.get(source)
        if cleared:
            row.fatal_error, row.fatal_source, row.fatal_since = None, None, None
        _stamp_row(row, now, pulled=pulled, flushed=flushed, heartbeat=heartbeat)
        s.merge(row)
    return cleared


def record(mirror: Mirror, *, pulled: bool = False, flushed: bool = False, heartbeat: bool = False) -> None:
    """Stamp the last pull, flush or daemon heartbeat without judging success."""
    with mirror.write() as s:
        row = _row(s)
        _stamp_row(row, datetime.now(UTC), pulled=pulled, flushed=flushed, heartbeat=heartbeat)
        s.merge(row)


def _stamp_row(row, now: datetime, *, pulled: bool, flushed: bool, heartbeat: bool) -> None:
    if pulled:
        row.last_pull_at = now
    if flushed:
        row.last_flush_at = now
    if heartbeat:
        row.daemon_pid, row.daemon_heartbeat_at = os.getpid(), now
    row.updated_at = now


def record_pull(mirror: Mirror, results: Sequence[PullOutcome], *, source: str, heartbeat: bool = False,
                now: datetime | None = None) -> tuple[str, str | None, bool]:
    """Record what a pull's results say about UpKeep; one call per run of ``sync_entities``.

    Returns ``(outcome, error, changed)``: outcome ``unreachable`` (recorded offline), ``fatal``
    (recorded as a standing error), ``ok`` (every entity finished: online, pull stamped, a
    standing pull error cleared) or ``partial`` (stopped, or some listing refused: UpKeep answered,
    so online); ``changed`` is True when this went offline, or the fatal error is a new one.
    """
    prefix = "sync" if source == "sync" else "pull"
    unreachable = next((r for r in results if r.unreachable), None)
    if unreachable is not None:
        error = f"{prefix} of {unreachable.entity}: {unreachable.error}"
        went = mark_offline(mirror, error, source=source, now=now)
        if heartbeat:
            record(mirror, heartbeat=True)
        return UNREACHABLE, error, went
    mark_online(mirror, now=now)  # UpKeep answered (a daemon's probe does this and logs it)
    fatal = next((r for r in results if r.fatal), None)
    if fatal is not None:
        error = f"{prefix} of {fatal.entity}: {fatal.error}"
        new = record_fatal(mirror, error, source=source, now=now)
        if heartbeat:
            record(mirror, heartbeat=True)
        return FATAL, error, new
    finished = bool(results) and all(r.finished for r in results)
    succeeded(mirror, source, pulled=finished, heartbeat=heartbeat, now=now)
    return ("ok" if finished else "partial"), None, False


def is_online(mirror: Mirror) -> bool:
    with mirror.session() as s:
        return _row(s).online


def current(mirror: Mirror) -> Connectivity:
    """The row as it is now (detached)."""
    with mirror.session() as s:
        row = _row(s)
        s.expunge_all()
        return row


def describe(row: Connectivity) -> str:
    """One line for ``upkeep-mirror status``: online or offline since when, a standing fatal error."""
    if row.online:
        text = "UpKeep: online"
    else:
        text = f"UpKeep: OFFLINE since {_stamp(row.offline_since)}"
        if row.last_error:
            text += f" (last error: {row.last_error})"
    if row.fatal_error:
        text += f"; FAILING since {_stamp(row.fatal_since)}: {row.fatal_error} ({row.fatal_source})"
    heartbeat = row.daemon_heartbeat_at
    return text + (f"; daemon last seen {_stamp(heartbeat)}" if heartbeat else "; no daemon has run")


def _stamp(moment: datetime | None) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%SZ") if moment else "?"
