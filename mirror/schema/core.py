"""Machina's four entities: assets, work orders, spare parts, maintenance plans.

These tables carry Machina's field names, types and enum values so a row converts into
``machina.domain`` models without loss (see :mod:`mirror.machina`), plus what Machina has no
field for, through :class:`~mirror.schema.Mirrored` and the UpKeep columns below.

References to other records hold UpKeep ids and are declared as foreign keys (not enforced:
a mirror may briefly hold a work order whose asset arrives on the next page) so Datasette shows
them as names; the ``*_detail`` views resolve them into readable columns.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON
from sqlmodel import Field

from mirror.schema._base import ISODate, Mirrored, UTCDateTime, ref, ts


class AssetRow(Mirrored, table=True):
    __tablename__ = "assets"

    # Machina Asset
    name: str
    type: str  # AssetType value
    location: str | None = ref("locations")  # UpKeep location id (Machina: "location")
    manufacturer: str = ""
    model: str = ""
    serial_number: str = ""
    install_date: date | None = Field(default=None, sa_type=ISODate)
    criticality: str = "C"
    parent: str | None = ref("assets")
    children: list[str] = Field(default_factory=list, sa_type=JSON)
    failure_modes: list[str] = Field(default_factory=list, sa_type=JSON)
    aliases: list[str] = Field(default_factory=list, sa_type=JSON)
    metadata_: dict[str, Any] = Field(default_factory=dict, sa_type=JSON, sa_column_kwargs={"name": "metadata"})
    equipment_class_code: str | None = None
    # UpKeep
    category: str | None = Field(default=None, index=True)
    description: str = ""
    barcode: str = ""
    status: str | None = None
    assigned_to_user: str | None = ref("users")


class WorkOrderRow(Mirrored, table=True):
    __tablename__ = "work_orders"

    # Machina WorkOrder
    type: str  # WorkOrderType value
    priority: str = "medium"
    status: str = Field(default="created", index=True)
    asset_id: str | None = ref("assets")
    description: str = ""
    failure_mode: str | None = None
    requested_skills: list[str] = Field(default_factory=list, sa_type=JSON)
    estimated_duration_hours: float | None = None
    spare_parts: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)
    created_at: datetime = Field(sa_type=UTCDateTime)
    updated_at: datetime = Field(sa_type=UTCDateTime)
    assigned_to: str | None = ref("users")
    metadata_: dict[str, Any] = Field(default_factory=dict, sa_type=JSON, sa_column_kwargs={"name": "metadata"})
    failure_impact: str | None = None
    failure_cause: str | None = None
    # UpKeep
    title: str = ""
    work_order_no: str | None = None
    upkeep_status: str = Field(default="open", index=True)  # open | onHold | inProgress | complete
    upkeep_priority: int = 1  # 0 (lowest) .. 3
    category: str | None = Field(default=None, index=True)
    location_id: str | None = ref("locations")
    team_id: str | None = ref("teams")
    due_date: datetime | None = ts(index=True)
    start_date: datetime | None = ts()
    date_completed: datetime | None = ts()  # indexed by ix_work_orders_completed_cover (0003)
    completed_by: str | None = ref("users")
    archived: bool = False
    time_hours: float | None = None
    labor_cost: float | None = None  # NULL: UpKeep recorded no hourly cost
    additional_cost: float = 0.0
    parts_used: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)  # [{part_id, qty}]


class SparePartRow(Mirrored, table=True):
    __tablename__ = "spare_parts"

    # Machina SparePart (keyed by sku in Machina; here by the UpKeep part id, which never changes)
    sku: str = Field(index=True)
    name: str
    manufacturer: str = ""
    compatible_assets: list[str] = Field(default_factory=list, sa_type=JSON)
    stock_quantity: int = 0
    reorder_point: int = 0
    lead_time_days: int = 0
    unit_cost: float = 0.0
    warehouse_location: str = ""
    metadata_: dict[str, Any] = Field(default_factory=dict, sa_type=JSON, sa_column_kwargs={"name": "metadata"})
    # UpKeep
    description: str = ""
    category: str | None = Field(default=None, index=True)
    location_id: str | None = ref("locations")
    barcode: str = ""  # UpKeep "serial"
    part_number: str | None = None  # UpKeep "partName" (number of the parent part)


class MaintenancePlanRow(Mirrored, table=True):
    __tablename__ = "maintenance_plans"

    # Machina MaintenancePlan
    asset_id: str | None = ref("assets")
    name: str
    interval: dict[str, int] = Field(default_factory=dict, sa_type=JSON)  # {days, weeks, months, hours}
    tasks: list[str] = Field(default_factory=list, sa_type=JSON)
    estimated_duration_hours: float | None = None
    required_skills: list[str] = Field(default_factory=list, sa_type=JSON)
    active: bool = True
    # UpKeep trigger + work order template
    work_order_title: str = ""
    location_id: str | None = ref("locations")
    category: str | None = None
    upkeep_priority: int | None = None
    assigned_to: str | None = ref("users")
    schedule_type: str | None = None
    rrfreq: str | None = None
    rrinterval: int | None = None
    next_due_date: datetime | None = ts(index=True)
    last_due_date: datetime | None = ts()
