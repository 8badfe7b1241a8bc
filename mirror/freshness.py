"""How fresh the mirror's data is: one verdict, its thresholds written once.

Every place that tells a person or an agent whether to trust the data asks :func:`freshness`: the
pages' banner (:mod:`queries.pages`), the ``sync_health`` named query (its SQL is given
:data:`STALE_AFTER` when it is loaded, :mod:`queries.named`), Machina's health check
(:mod:`mirror.machina.health`) and ``upkeep-mirror status``. The daemon pulls every 5 minutes, so:

- **fresh**: the last successful pull is at most :data:`LATE_AFTER` old;
- **late**: older than :data:`LATE_AFTER` (15 min: three pulls missed). Still usable, but an
  agent's health check says degraded;
- **stale**: older than :data:`STALE_AFTER` (1 h: a dozen pulls missed). Is the daemon running?
  Pages and ``sync_health`` say stale, Machina's health check unhealthy;
- **never**: nothing was ever pulled.

Whether UpKeep answers is a separate fact (the ``connectivity`` row): offline data keeps its age.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

__all__ = ["LATE_AFTER", "STALE_AFTER", "Freshness", "freshness"]

#: Data older than this is late (degraded for an agent).
LATE_AFTER = timedelta(minutes=15)
#: Data older than this is stale (unhealthy for an agent; the pages ask whether the daemon runs).
STALE_AFTER = timedelta(hours=1)


class Freshness(StrEnum):
    NEVER = "never"
    FRESH = "fresh"
    LATE = "late"
    STALE = "stale"


def freshness(last_success: datetime | None, now: datetime, *, late_after: timedelta = LATE_AFTER,
              stale_after: timedelta = STALE_AFTER) -> Freshness:
    """The verdict on data last pulled successfully at ``last_success`` (None: never), seen at ``now``."""
    if last_success is None:
        return Freshness.NEVER
    age = now - last_success
    if age > stale_after:
        return Freshness.STALE
    if age > late_after:
        return Freshness.LATE
    return Freshness.FRESH
