"""Where each mirrored entity is listed on UpKeep, and which filters its listing takes (per the API reference)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from mirror.store import mirrored_entities
from sync.upkeep.paging import Pager

__all__ = ["DEPENDS_ON", "SOURCES", "FullListing", "Source", "paths"]


@dataclass(frozen=True)
class Source:
    """Where an entity is listed, and which filters its listing takes."""

    entity: str
    path: str
    change_filter: bool = True  # createdAt*/updatedAt* filters exist
    per_meter: bool = False  # listed under /meters/<id>/readings


SOURCES: dict[str, Source] = {
    s.entity: s
    for s in (
        Source("users", "/api/v2/users/"),
        Source("teams", "/api/v2/teams/"),
        Source("locations", "/api/v2/locations"),
        Source("vendors", "/api/v2/vendors/"),
        Source("customers", "/api/v2/customers/"),
        Source("assets", "/api/v2/assets"),
        Source("parts", "/api/v2/parts"),
        Source("meters", "/api/v2/meters/"),
        Source("meter_readings", "/api/v2/meters/{meter}/readings", per_meter=True),
        Source("preventive_maintenance", "/api/v2/preventive-maintenance", change_filter=False),
        Source("work_orders", "/api/v2/work-orders"),
        Source("requests", "/api/v2/requests"),
        Source("purchase_orders", "/api/v2/purchase-orders/"),
    )
}
assert list(SOURCES) == mirrored_entities()[: len(SOURCES)], "pull order must follow mirror.schema.MIRRORED"

#: Entities whose pull needs another's rows first: work orders name parts by SKU, meter readings
#: are listed per meter.
DEPENDS_ON = {"work_orders": "parts", "meter_readings": "meters"}


def paths(source: Source, meter_ids: Iterable[str] = ()) -> Iterator[str]:
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

    def __init__(self, limit: int):
        self.pager = Pager(limit=limit)

    def params(self) -> dict[str, int]:
        return self.pager.params()

    def advance(self, page: list) -> bool:
        return self.pager.advance(len(page))
