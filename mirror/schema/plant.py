"""The UpKeep entities Machina does not model: locations, users, teams, requests, meters and their
readings, vendors, customers, purchase orders.

Mirrored like the core tables (:mod:`mirror.schema.core`): UpKeep ids as keys, references as
unenforced foreign keys.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON
from sqlmodel import Field

from mirror.schema._base import Mirrored, ref, ts


class LocationRow(Mirrored, table=True):
    __tablename__ = "locations"

    name: str
    address: str = ""
    parent_location: str | None = ref("locations")
    latitude: float | None = None
    longitude: float | None = None


class UserRow(Mirrored, table=True):
    __tablename__ = "users"

    name: str  # "First Last", or the email when there is no name
    email: str = ""
    first_name: str = ""
    last_name: str = ""
    account_type: str | None = None
    job_title: str = ""


class TeamRow(Mirrored, table=True):
    __tablename__ = "teams"

    name: str
    description: str = ""


class RequestRow(Mirrored, table=True):
    __tablename__ = "requests"

    title: str
    description: str = ""
    status: str | None = Field(default=None, index=True)
    upkeep_priority: int | None = None
    category: str | None = None
    asset_id: str | None = ref("assets")
    location_id: str | None = ref("locations")
    team_id: str | None = ref("teams")
    assigned_to: str | None = ref("users")
    requested_by: str | None = ref("users")
    work_order_id: str | None = ref("work_orders")
    due_date: datetime | None = ts()


class MeterRow(Mirrored, table=True):
    __tablename__ = "meters"

    name: str
    units: str = ""
    frequency: float | None = None  # days between expected readings
    asset_id: str | None = ref("assets")
    location_id: str | None = ref("locations")
    last_reading: str | None = None


class MeterReadingRow(Mirrored, table=True):
    __tablename__ = "meter_readings"

    meter_id: str | None = ref("meters")
    value: float
    date: datetime | None = ts(index=True)
    created_by: str | None = ref("users")


class VendorRow(Mirrored, table=True):
    __tablename__ = "vendors"

    name: str  # UpKeep "businessName"
    email: str = ""
    phone_number: str = ""
    type: str | None = None
    main_point_of_contact: str = ""


class CustomerRow(Mirrored, table=True):
    __tablename__ = "customers"

    name: str
    email: str = ""
    phone_number: str = ""
    type: str | None = None


class PurchaseOrderRow(Mirrored, table=True):
    __tablename__ = "purchase_orders"

    title: str
    description: str = ""
    status: str | None = Field(default=None, index=True)
    purchase_order_number: str | None = None
    vendor_id: str | None = ref("vendors")
    category: str | None = None
    po_date: datetime | None = ts()
    due_date: datetime | None = ts()
    total_quantity: float | None = None
    total_cost: float | None = None
    parts: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)  # [{part_id, qty}]
