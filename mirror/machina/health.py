"""How trustworthy the mirror is right now, for a connector's ``health_check``.

Read from the mirror's own bookkeeping (no network): ``sync_cursors`` (when each entity was last
pulled completely), ``sync_runs`` (the last error of each entity), the ``connectivity`` row (written
by the daemon: online, or offline since when) and the ``outbox`` (local writes waiting, failed, in
conflict). The verdict, from the worst condition found, with the mirror's one freshness verdict
(:func:`mirror.freshness.freshness`) for each entity:

- **unhealthy**: one of the four entities a Machina agent reads (assets, work orders, parts, PM
  plans) was never pulled, or is stale: its last complete pull is older than ``stale_after``
  (default :data:`mirror.freshness.STALE_AFTER`), so an agent would act on old data.
- **degraded**: UpKeep is offline (the data is served, but ages and writes wait); or a core
  entity is late: its last pull is older than ``fresh_within`` (default
  :data:`mirror.freshness.LATE_AFTER`); or a local write has waited longer than ``fresh_within``;
  or writes are dead-lettered or in conflict (a person must act).
- **healthy** otherwise.

Pure reads and plain values (no ``machina-ai`` here): the connector turns the result into
Machina's ``ConnectorHealth``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import text

from mirror.db import Mirror
from mirror.freshness import LATE_AFTER, STALE_AFTER, Freshness, freshness
from mirror.timestamps import format_utc, parse_utc
from mirror.vocabulary import WAITING_STATES, WAITING_STATES_SQL, OpState

#: The entities a Machina agent reads through the connector.
CORE_ENTITIES = ("assets", "work_orders", "parts", "preventive_maintenance")

HEALTHY, DEGRADED, UNHEALTHY = "healthy", "degraded", "unhealthy"


@dataclass(frozen=True)
class Thresholds:
    """When the mirror's data or queue counts as late (see the module docstring)."""

    fresh_within: timedelta = LATE_AFTER
    stale_after: timedelta = STALE_AFTER


@dataclass
class Health:
    status: str
    message: str
    details: dict[str, Any]


def _when(value: Any) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return parse_utc(str(value))


def _age(now: datetime, value: Any) -> float | None:
    moment = _when(value)
    return None if moment is None else round((now - moment).total_seconds(), 1)


def _iso(value: Any) -> str | None:
    moment = _when(value)
    return None if moment is None else format_utc(moment)


def assess(mirror: Mirror, *, now: datetime | None = None, thresholds: Thresholds | None = None) -> Health:
    """The mirror's health and the figures behind it (ages in seconds, counts, timestamps as ISO text)."""
    now = now or datetime.now(UTC)
    thresholds = thresholds or Thresholds()
    with mirror.session() as s:
        pulled = dict(s.execute(text("SELECT entity, last_success_at FROM sync_cursors")).all())
        errors = dict(s.execute(text(
            "SELECT entity, error FROM sync_runs WHERE id IN (SELECT MAX(id) FROM sync_runs GROUP BY entity)"
        )).all())
        conn = s.execute(text(
            "SELECT online, offline_since, last_error, daemon_heartbeat_at FROM connectivity WHERE id = 1"
        )).first()
        queue = dict(s.execute(text("SELECT state, count(*) FROM outbox GROUP BY state")).all())
        oldest = s.execute(text(f"SELECT min(created_at) FROM outbox WHERE state IN {WAITING_STATES_SQL}")).scalar()

    ages = {e: _age(now, pulled.get(e)) for e in sorted(set(pulled) | set(CORE_ENTITIES))}
    online = bool(conn.online) if conn is not None else None
    heartbeat = conn.daemon_heartbeat_at if conn is not None else None
    waiting = sum(queue.get(state, 0) for state in WAITING_STATES)
    details: dict[str, Any] = {
        "mirror": str(mirror.path),
        "pull_age_seconds": ages,
        "last_pull_at": {e: _iso(pulled.get(e)) for e in ages},
        "last_pull_errors": {e: err for e, err in errors.items() if err},
        "connectivity": "unknown" if heartbeat is None else "online" if online else "offline",
        "online": online if heartbeat is not None else None,
        "offline_since": _iso(conn.offline_since) if conn is not None and not online else None,
        "offline_seconds": _age(now, conn.offline_since) if conn is not None and not online else None,
        "last_error": conn.last_error if conn is not None and not online else None,
        "daemon_heartbeat_age_seconds": _age(now, heartbeat),
        "writes_waiting": waiting,
        "oldest_write_waiting_seconds": _age(now, oldest),
        "writes_failed": queue.get(OpState.DEAD, 0),
        "writes_in_conflict": queue.get(OpState.CONFLICT, 0),
        "thresholds_seconds": {"fresh_within": thresholds.fresh_within.total_seconds(),
                               "stale_after": thresholds.stale_after.total_seconds()},
    }

    verdicts = {e: freshness(_when(pulled.get(e)), now, late_after=thresholds.fresh_within,
                             stale_after=thresholds.stale_after) for e in CORE_ENTITIES}
    never, stale, late_only = ([e for e in CORE_ENTITIES if verdicts[e] == v]
                               for v in (Freshness.NEVER, Freshness.STALE, Freshness.LATE))
    known = {e: a for e, a in ages.items() if a is not None}  # every verdict but NEVER had a pull
    unhealthy, degraded = [], []
    if never:
        unhealthy.append(f"never pulled: {', '.join(never)} (run `upkeep-mirror sync`)")
    if stale:
        unhealthy.append(f"older than {_span(thresholds.stale_after.total_seconds())}: {', '.join(stale)}")
    if details["connectivity"] == "offline":
        since = details["offline_seconds"]
        degraded.append("UpKeep offline" + (f" for {_span(since)}" if since is not None else ""))
    if late_only:
        oldest_age = max(known[e] for e in late_only)
        degraded.append(f"data {_span(oldest_age)} old ({', '.join(late_only)})")
    if waiting:
        age = details["oldest_write_waiting_seconds"] or 0
        note = f"{waiting} local write{'s' if waiting != 1 else ''} waiting"
        if age > thresholds.fresh_within.total_seconds():
            degraded.append(f"{note}, oldest for {_span(age)}")
    if details["writes_failed"] or details["writes_in_conflict"]:
        degraded.append(f"{details['writes_failed']} failed and {details['writes_in_conflict']} conflicting "
                        "local writes need a person (`upkeep-mirror outbox`)")
    if unhealthy:
        return Health(UNHEALTHY, "; ".join(unhealthy + degraded), details)
    if degraded:
        return Health(DEGRADED, "; ".join(degraded), details)
    newest = max(known[e] for e in CORE_ENTITIES)
    return Health(HEALTHY, f"mirror fresh (oldest core pull {_span(newest)} ago)"
                  + (f"; {waiting} local write{'s' if waiting != 1 else ''} waiting" if waiting else ""), details)


def _span(seconds: float) -> str:
    seconds = max(0.0, seconds)
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    if seconds < 172_800:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} days"
