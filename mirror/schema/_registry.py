"""Every mirrored table of the main pull, by entity name, in the order a sync pulls them."""

from __future__ import annotations

from sqlalchemy import Table

from mirror.schema._base import Mirrored
from mirror.schema.core import AssetRow, MaintenancePlanRow, SparePartRow, WorkOrderRow
from mirror.schema.plant import (
    CustomerRow,
    LocationRow,
    MeterReadingRow,
    MeterRow,
    PurchaseOrderRow,
    RequestRow,
    TeamRow,
    UserRow,
    VendorRow,
)

#: Every mirrored table, keyed by entity name, in the order a sync pulls them (referenced first).
MIRRORED: dict[str, type[Mirrored]] = {
    m.entity: m
    for m in (
        UserRow,
        TeamRow,
        LocationRow,
        VendorRow,
        CustomerRow,
        AssetRow,
        SparePartRow,
        MeterRow,
        MeterReadingRow,
        MaintenancePlanRow,
        WorkOrderRow,
        RequestRow,
        PurchaseOrderRow,
    )
}


def table_of(entity: str | type[Mirrored]) -> Table:
    """An entity's SQLAlchemy table (plain code that needs only its name: :func:`mirror.store.table_name`)."""
    model = MIRRORED[entity] if isinstance(entity, str) else entity
    return model.__table__  # type: ignore[attr-defined]  # set at runtime on table=True models
