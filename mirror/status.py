"""What ``upkeep-mirror status`` shows from the mirror: each entity's latest pull, and the outbox's counts.

Plain ``sqlite3`` on the mirror's connection (no ORM), as the rest of the pull's reads.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from mirror.vocabulary import WAITING_STATES_SQL


class LatestRun(NamedTuple):
    """An entity's latest run (a row of ``sync_runs``) and its last success."""

    entity: str
    mode: str
    started_at: str
    finished_at: str | None
    fetched: int
    upserted: int
    tombstoned: int
    rejected: int
    error: str | None
    last_success_at: str | None


def latest_runs(conn: Any) -> list[LatestRun]:
    """Each entity's latest run, by entity name.

    Last success: the cursor's (a complete listing), else, for the field-work steps, which keep no
    cursor, the last run that ended without an error (as ``sync_health`` reads it).
    """
    return [LatestRun(*row) for row in conn.execute(
        "SELECT r.entity, r.mode, r.started_at, r.finished_at, r.fetched, r.upserted, r.tombstoned, "
        "r.rejected, r.error, coalesce(c.last_success_at, (SELECT max(s.finished_at) FROM sync_runs s "
        "WHERE s.entity = r.entity AND s.error IS NULL AND s.finished_at IS NOT NULL)) FROM sync_runs r "
        "LEFT JOIN sync_cursors c ON c.entity = r.entity "
        "WHERE r.id IN (SELECT MAX(id) FROM sync_runs GROUP BY entity) ORDER BY r.entity"
    ).fetchall()]


def queue_summary(conn: Any) -> tuple[dict[str, int], str | None]:
    """The outbox's operations per state, and when the oldest waiting one (pending or sending) was queued."""
    states = dict(conn.execute("SELECT state, count(*) FROM outbox GROUP BY state").fetchall())
    oldest = conn.execute(f"SELECT min(created_at) FROM outbox WHERE state IN {WAITING_STATES_SQL}").fetchone()[0]
    return states, oldest
