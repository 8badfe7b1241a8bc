"""What ``upkeep-mirror status`` shows from the mirror: each entity's latest pull, the outbox's counts,
and how long its creates take to send at the pace.

Plain ``sqlite3`` on the mirror's connection (no ORM), as the rest of the pull's reads.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from mirror.timestamps import spoken_duration
from mirror.vocabulary import PACED_KINDS_SQL, WAITING_STATES_SQL


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


class SendEstimate(NamedTuple):
    """How long the waiting local writes take to reach UpKeep at a pace of creates."""

    creates: int  # work orders and requests still to send: one per turn
    seconds: float  # about how long the pace takes to send them (0: unpaced, or none waiting)
    per_minute: float  # the pace (0: unpaced)

    def describe(self) -> str:
        """``about 10 min to send at 20 creates per minute``; empty when the pace holds nothing back."""
        if not self.creates or self.per_minute <= 0:
            return ""
        return f"about {spoken_duration(self.seconds)} to send at {self.per_minute:g} creates per minute"


def send_estimate(conn: Any, creates_per_minute: float) -> SendEstimate:
    """The creates waiting (pending or sending) and how long ``creates_per_minute`` takes to send them.

    Creates go one per turn, ``60 / creates_per_minute`` seconds apart (``sync.replay``); the other
    writes are not paced and go within seconds, so the creates set the time.
    """
    creates = conn.execute(f"SELECT count(*) FROM outbox WHERE state IN {WAITING_STATES_SQL} "
                           f"AND kind IN {PACED_KINDS_SQL}").fetchone()[0]
    seconds = creates * 60.0 / creates_per_minute if creates_per_minute > 0 else 0.0
    return SendEstimate(creates, seconds, max(creates_per_minute, 0.0))
