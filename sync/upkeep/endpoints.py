"""UpKeep's endpoints, per the API reference: each entity's listing is the registry's
(:mod:`mirror.entities`); the others, and the paths built from both, are here. Every
``/api/v2/...`` path the engine sends comes from one of the two (the emulator keeps its own).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from mirror.entities import ENTITY, Entity
from sync.upkeep.paging import Pager, PageSize

__all__ = ["AUTH", "DOWNTIME", "PROBE", "FullListing", "collection", "paths", "record_path"]

#: Logging in: email and password for a session token.
AUTH = "/api/v2/auth"
#: Recording asset downtime (rows of status changes).
DOWNTIME = "/api/v2/assets/downtime"


def collection(entity: str, **parent: str) -> str:
    """Where ``entity``'s records are listed and created (``meter=`` for a meter's readings)."""
    return ENTITY[entity].path.format(**parent)


def record_path(entity: str, record_id: str) -> str:
    """One record of ``entity`` (``/api/v2/work-orders/<id>``)."""
    return f"{collection(entity).rstrip('/')}/{record_id}"


#: The cheapest request that asks "does UpKeep answer?": one work order. Not one user: the reference
#: hides some objects from all but administrators (403), and users are among what a technician's
#: account may not list; work orders are what every account that uses the mirror reads (the entity it
#: exists for). Any HTTP answer, a 403 included, means UpKeep answers (``sync.daemon``'s probe).
PROBE: tuple[str, dict[str, Any]] = (collection("work_orders"), {"offset": 0, "limit": 1})


def paths(source: Entity, meter_ids: Iterable[str] = ()) -> Iterator[str]:
    """The listings to read: one, or for meter readings one per meter of ``meter_ids``.

    Which meters is the caller's to say (:func:`mirror.references.meter_ids`): incrementally, only
    meters changed since the last readings pull, as a new reading changes its meter's
    ``lastReading`` and so its ``updatedAt``; the full pass lists them all.
    """
    if not source.per_meter:
        yield source.path
        return
    for meter in meter_ids:
        yield source.path.format(meter=meter)


class FullListing:
    """A listing with no date filters (PM triggers): :class:`sync.upkeep.paging.Pager`'s offset paging, read whole."""

    since_ms = None  # no key: there is nothing to resume from but the start

    def __init__(self, limit: int, sizes: PageSize | None = None):
        self.pager = Pager(limit=limit, sizes=sizes)

    def params(self) -> dict[str, int]:
        return self.pager.params()

    def advance(self, page: list) -> bool:
        return self.pager.advance(len(page))
