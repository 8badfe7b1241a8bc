"""The mirrored tables: Machina's four entities, plus UpKeep entities Machina does not model.

Core tables (``assets``, ``work_orders``, ``spare_parts``, ``maintenance_plans``) carry Machina's
field names, types and enum values so a row converts into ``machina.domain`` models without loss
(see :mod:`mirror.machina`). Every table also keeps what Machina has no field for, through
:class:`Mirrored`: the UpKeep id as its stable key, UpKeep's timestamps, the raw JSON object, when
it was last synced, a tombstone and the local state.

References to other records hold UpKeep ids and are declared as foreign keys (not enforced:
a mirror may briefly hold a work order whose asset arrives on the next page) so Datasette shows
them as names; the ``*_detail`` views resolve them into readable columns.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar

from sqlalchemy import JSON, Table
from sqlmodel import Field, SQLModel

from mirror.columns import ISODate, UTCDateTime
from mirror.vocabulary import LocalState


def _ref(table: str, **kw: Any) -> Any:
    return Field(default=None, foreign_key=f"{table}.id", index=True, **kw)


def _ts(**kw: Any) -> Any:
    return Field(default=None, sa_type=UTCDateTime, **kw)


class Mirrored(SQLModel):
    """Bookkeeping columns shared by every mirrored table."""

    #: Name used for the entity in runs, rejects, the CLI and the outbox.
    entity: ClassVar[str]

    id: str = Field(primary_key=True, description="UpKeep id (stable key)")
    upkeep_created_at: datetime | None = _ts(description="UpKeep createdAt")
    upkeep_updated_at: datetime | None = _ts(index=True, description="UpKeep updatedAt")
    raw: dict[str, Any] = Field(default_factory=dict, sa_type=JSON, description="UpKeep's JSON object")
    synced_at: datetime | None = _ts(description="When this row was last written by a sync")
    deleted_at: datetime | None = _ts(description="Tombstone: when UpKeep was found not to have it")
    local_state: str = Field(default=LocalState.SYNCED.value, index=True)


# --- Machina's four entities -----------------------------------------------------------------


class AssetRow(Mirrored, table=True):
    __tablename__ = "assets"
    entity: ClassVar[str] = "assets"

    # Machina Asset
    name: str
    type: str  # AssetType value
    location: str | None = _ref("locations")  # UpKeep location id (Machina: "location")
    manufacturer: str = ""
    model: str = ""
    serial_number: str = ""
    install_date: date | None = Field(default=None, sa_type=ISODate)
    criticality: str = "C"
    parent: str | None = _ref("assets")
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
    assigned_to_user: str | None = _ref("users")


class WorkOrderRow(Mirrored, table=True):
    __tablename__ = "work_orders"
    entity: ClassVar[str] = "work_orders"

    # Machina WorkOrder
    type: str  # WorkOrderType value
    priority: str = "medium"
    status: str = Field(default="created", index=True)
    asset_id: str | None = _ref("assets")
    description: str = ""
    failure_mode: str | None = None
    requested_skills: list[str] = Field(default_factory=list, sa_type=JSON)
    estimated_duration_hours: float | None = None
    spare_parts: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)
    created_at: datetime = Field(sa_type=UTCDateTime)
    updated_at: datetime = Field(sa_type=UTCDateTime)
    assigned_to: str | None = _ref("users")
    metadata_: dict[str, Any] = Field(default_factory=dict, sa_type=JSON, sa_column_kwargs={"name": "metadata"})
    failure_impact: str | None = None
    failure_cause: str | None = None
    # UpKeep
    title: str = ""
    work_order_no: str | None = None
    upkeep_status: str = Field(default="open", index=True)  # open | onHold | inProgress | complete
    upkeep_priority: int = 1  # 0 (lowest) .. 3
    category: str | None = Field(default=None, index=True)
    location_id: str | None = _ref("locations")
    team_id: str | None = _ref("teams")
    due_date: datetime | None = _ts(index=True)
    start_date: datetime | None = _ts()
    date_completed: datetime | None = _ts()  # indexed by ix_work_orders_completed_cover (0003)
    completed_by: str | None = _ref("users")
    archived: bool = False
    time_hours: float | None = None
    labor_cost: float | None = None  # NULL: UpKeep recorded no hourly cost
    additional_cost: float = 0.0
    parts_used: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)  # [{part_id, qty}]


class SparePartRow(Mirrored, table=True):
    __tablename__ = "spare_parts"
    entity: ClassVar[str] = "parts"

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
    location_id: str | None = _ref("locations")
    barcode: str = ""  # UpKeep "serial"
    part_number: str | None = None  # UpKeep "partName" (number of the parent part)


class MaintenancePlanRow(Mirrored, table=True):
    __tablename__ = "maintenance_plans"
    entity: ClassVar[str] = "preventive_maintenance"

    # Machina MaintenancePlan
    asset_id: str | None = _ref("assets")
    name: str
    interval: dict[str, int] = Field(default_factory=dict, sa_type=JSON)  # {days, weeks, months, hours}
    tasks: list[str] = Field(default_factory=list, sa_type=JSON)
    estimated_duration_hours: float | None = None
    required_skills: list[str] = Field(default_factory=list, sa_type=JSON)
    active: bool = True
    # UpKeep trigger + work order template
    work_order_title: str = ""
    location_id: str | None = _ref("locations")
    category: str | None = None
    upkeep_priority: int | None = None
    assigned_to: str | None = _ref("users")
    schedule_type: str | None = None
    rrfreq: str | None = None
    rrinterval: int | None = None
    next_due_date: datetime | None = _ts(index=True)
    last_due_date: datetime | None = _ts()


# --- UpKeep entities Machina does not model ---------------------------------------------------


class LocationRow(Mirrored, table=True):
    __tablename__ = "locations"
    entity: ClassVar[str] = "locations"

    name: str
    address: str = ""
    parent_location: str | None = _ref("locations")
    latitude: float | None = None
    longitude: float | None = None


class UserRow(Mirrored, table=True):
    __tablename__ = "users"
    entity: ClassVar[str] = "users"

    name: str  # "First Last", or the email when there is no name
    email: str = ""
    first_name: str = ""
    last_name: str = ""
    account_type: str | None = None
    job_title: str = ""


class TeamRow(Mirrored, table=True):
    __tablename__ = "teams"
    entity: ClassVar[str] = "teams"

    name: str
    description: str = ""


class RequestRow(Mirrored, table=True):
    __tablename__ = "requests"
    entity: ClassVar[str] = "requests"

    title: str
    description: str = ""
    status: str | None = Field(default=None, index=True)
    upkeep_priority: int | None = None
    category: str | None = None
    asset_id: str | None = _ref("assets")
    location_id: str | None = _ref("locations")
    team_id: str | None = _ref("teams")
    assigned_to: str | None = _ref("users")
    requested_by: str | None = _ref("users")
    work_order_id: str | None = _ref("work_orders")
    due_date: datetime | None = _ts()


class MeterRow(Mirrored, table=True):
    __tablename__ = "meters"
    entity: ClassVar[str] = "meters"

    name: str
    units: str = ""
    frequency: float | None = None  # days between expected readings
    asset_id: str | None = _ref("assets")
    location_id: str | None = _ref("locations")
    last_reading: str | None = None


class MeterReadingRow(Mirrored, table=True):
    __tablename__ = "meter_readings"
    entity: ClassVar[str] = "meter_readings"

    meter_id: str | None = _ref("meters")
    value: float
    date: datetime | None = _ts(index=True)
    created_by: str | None = _ref("users")


class VendorRow(Mirrored, table=True):
    __tablename__ = "vendors"
    entity: ClassVar[str] = "vendors"

    name: str  # UpKeep "businessName"
    email: str = ""
    phone_number: str = ""
    type: str | None = None
    main_point_of_contact: str = ""


class CustomerRow(Mirrored, table=True):
    __tablename__ = "customers"
    entity: ClassVar[str] = "customers"

    name: str
    email: str = ""
    phone_number: str = ""
    type: str | None = None


class PurchaseOrderRow(Mirrored, table=True):
    __tablename__ = "purchase_orders"
    entity: ClassVar[str] = "purchase_orders"

    title: str
    description: str = ""
    status: str | None = Field(default=None, index=True)
    purchase_order_number: str | None = None
    vendor_id: str | None = _ref("vendors")
    category: str | None = None
    po_date: datetime | None = _ts()
    due_date: datetime | None = _ts()
    total_quantity: float | None = None
    total_cost: float | None = None
    parts: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)  # [{part_id, qty}]


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
    return model.__table__  # type: ignore[attr-defined]


# The field-work tables live in their own module; importing it registers them with the metadata.
import mirror.fieldwork_models  # noqa: E402, F401
