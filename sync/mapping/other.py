"""UpKeep -> rows for the entities Machina does not model, in the same style as the core ones."""

from __future__ import annotations

from typing import Any

from sync.mapping.core import parts_used, upkeep_priority
from sync.mapping.fields import Reader


def map_location(obj: Any) -> dict[str, Any]:
    r = Reader("locations", obj)
    return {
        "id": r.id, **r.timestamps(), "raw": obj,
        "name": r.text("name"),
        "address": r.text("address"),
        "parent_location": r.ref("parentLocation"),
        "latitude": r.number("latitude"),
        "longitude": r.number("longitude"),
    }


def map_user(obj: Any) -> dict[str, Any]:
    r = Reader("users", obj)
    first, last, email = r.text("firstName"), r.text("lastName"), r.text("email")
    return {
        "id": r.id, **r.timestamps(), "raw": obj,
        "name": f"{first} {last}".strip() or email,
        "email": email,
        "first_name": first,
        "last_name": last,
        "account_type": r.optional_text("accountType"),
        "job_title": r.text("jobTitle"),
    }


def map_team(obj: Any) -> dict[str, Any]:
    r = Reader("teams", obj)
    return {"id": r.id, **r.timestamps(), "raw": obj, "name": r.text("name"), "description": r.text("description")}


def map_request(obj: Any) -> dict[str, Any]:
    r = Reader("requests", obj)
    return {
        "id": r.id, **r.timestamps(), "raw": obj,
        "title": r.text("title"),
        "description": r.text("description"),
        "status": r.optional_text("status"),
        "upkeep_priority": upkeep_priority(r),
        "category": r.optional_text("category"),
        "asset_id": r.ref("asset"),
        "location_id": r.ref("location"),
        "team_id": r.ref("team"),
        "assigned_to": r.ref("assignedToUser"),
        "requested_by": r.ref("requestedByUser"),
        "work_order_id": r.ref("workOrder"),
        "due_date": r.timestamp("dueDate"),
    }


def map_meter(obj: Any) -> dict[str, Any]:
    r = Reader("meters", obj)
    return {
        "id": r.id, **r.timestamps(), "raw": obj,
        "name": r.text("name"),
        "units": r.text("units"),
        "frequency": r.number("frequency"),
        "asset_id": r.ref("asset"),
        "location_id": r.ref("location"),
        "last_reading": r.ref("lastReading"),
    }


def map_meter_reading(obj: Any) -> dict[str, Any]:
    r = Reader("meter_readings", obj)
    value = r.number("value")
    if value is None:
        r.fail("value", "missing reading value")
    return {
        "id": r.id, **r.timestamps(), "raw": obj,
        "meter_id": r.ref("meter"),
        "value": value,
        "date": r.timestamp("date", "createdAt"),
        "created_by": r.ref("createdByUser"),
    }


def map_vendor(obj: Any) -> dict[str, Any]:
    r = Reader("vendors", obj)
    return {
        "id": r.id, **r.timestamps(), "raw": obj,
        "name": r.text("businessName", "name"),
        "email": r.text("email"),
        "phone_number": r.text("phoneNumber"),
        "type": r.optional_text("type"),
        "main_point_of_contact": r.text("mainPointOfContact"),
    }


def map_customer(obj: Any) -> dict[str, Any]:
    r = Reader("customers", obj)
    return {
        "id": r.id, **r.timestamps(), "raw": obj,
        "name": r.text("name"),
        "email": r.text("email"),
        "phone_number": r.text("phoneNumber"),
        "type": r.optional_text("type"),
    }


def map_purchase_order(obj: Any) -> dict[str, Any]:
    r = Reader("purchase_orders", obj)
    return {
        "id": r.id, **r.timestamps(), "raw": obj,
        "title": r.text("title"),
        "description": r.text("description"),
        "status": r.optional_text("status"),
        "purchase_order_number": r.optional_text("purchaseOrderNumber"),
        "vendor_id": r.ref("vendor"),
        "category": r.optional_text("category"),
        "po_date": r.timestamp("poDate"),
        "due_date": r.timestamp("dueDate"),
        "total_quantity": r.number("totalQuantity"),
        "total_cost": r.number("totalCost"),
        "parts": parts_used(r, "parts", "partQuantities"),
    }
