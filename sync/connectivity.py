"""Whether UpKeep answers, as recorded in the mirror's ``connectivity`` row.

The daemon writes it; Datasette and ``upkeep-mirror status`` read it, so a technician can see
"offline since 09:12, 3 writes waiting" without asking anyone.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime

from mirror.bookkeeping import Connectivity
from mirror.db import Mirror


def _row(session) -> Connectivity:
    return session.get(Connectivity, 1) or Connectivity(id=1, updated_at=datetime.now(UTC))


def mark_offline(mirror: Mirror, error: str) -> bool:
    """Record a failure to reach UpKeep; True when this is the moment the mirror went offline."""
    now = datetime.now(UTC)
    with mirror.write() as s:
        row = _row(s)
        went = row.online
        row.online = False
        row.offline_since = row.offline_since if not went else now
        row.last_error, row.last_error_at, row.updated_at = error[:500], now, now
        s.merge(row)
    return went


def mark_online(mirror: Mirror) -> bool:
    """Record that UpKeep answered; True when the mirror was offline until now."""
    now = datetime.now(UTC)
    with mirror.write() as s:
        row = _row(s)
        was_offline = not row.online
        row.online, row.offline_since, row.updated_at = True, None, now
        s.merge(row)
    return was_offline


def record(mirror: Mirror, *, pulled: bool = False, flushed: bool = False, heartbeat: bool = False) -> None:
    now = datetime.now(UTC)
    with mirror.write() as s:
        row = _row(s)
        if pulled:
            row.last_pull_at = now
        if flushed:
            row.last_flush_at = now
        if heartbeat:
            row.daemon_pid, row.daemon_heartbeat_at = os.getpid(), now
        row.updated_at = now
        s.merge(row)


def is_online(mirror: Mirror) -> bool:
    with mirror.session() as s:
        return _row(s).online
