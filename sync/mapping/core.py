"""UpKeep -> Machina for the four core entities: assets, work orders, parts, PM triggers.

Each ``map_*`` takes one JSON object exactly as a list endpoint returns it and gives the row
dict the store upserts (keys are column names). Pure: no I/O, no session, no clock.
Every lossy or guessed choice is listed in the README's mapping table.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from mirror.vocabulary import (
    DEFAULT_UPKEEP_PRIORITY,
    PRIORITY_FROM_UPKEEP,
    UPKEEP_STATUS_CHOICES,
    UPKEEP_STATUS_SPELLINGS,
    AssetType,
    UpKeepStatus,
    machina_status,
    work_order_type,
)
from sync.mapping.fields import MalformedObject, Reader

# --- work orders ------------------------------------------------------------------------------


def upkeep_priority(r: Reader, key: str = "priority") -> int | None:
    """UpKeep priority as 0..3; it arrives as an int or as a string such as ``"1"``."""
    value = r.integer(key)
    if value is not None and value not in PRIORITY_FROM_UPKEEP:
        r.fail(key, f"expected 0, 1, 2 or 3, got {r.obj[key]!r}")
    return value


def parts_used(r: Reader, parts_key: str, qty_key: str) -> list[dict[str, Any]]:
    """Zip UpKeep's parallel ``parts`` / quantities arrays into ``[{part_id, qty}]``."""
    ids = r.id_list(parts_key)
    quantities = r.obj.get(qty_key) or []
    if not isinstance(quantities, list):
        r.fail(qty_key, "expected a list of quantities")
    out = []
    for i, part_id in enumerate(ids):
        qty = quantities[i] if i < len(quantities) else 1
        try:
            qty = float(qty)
        except (TypeError, ValueError):
            r.fail(qty_key, f"expected a number for part {part_id}, got {qty!r}")
        out.append({"part_id": part_id, "qty": int(qty) if qty == int(qty) else qty})
    return out


def map_work_order(obj: Any, part_skus: Mapping[str, str] | None = None) -> dict[str, Any]:
    """``part_skus`` (UpKeep part id -> SKU) lets Machina's ``spare_parts`` name parts by SKU."""
    r = Reader("work_orders", obj)
    key, raw_status = r.get("status")
    status = UPKEEP_STATUS_SPELLINGS.get(str(raw_status or UpKeepStatus.OPEN.value).strip().lower())
    if status is None:
        r.fail(key, f"expected {UPKEEP_STATUS_CHOICES}, got {raw_status!r}")
    priority = upkeep_priority(r)
    priority = DEFAULT_UPKEEP_PRIORITY if priority is None else priority
    assigned_to = r.ref("assignedToUser", "assignedToId")
    archived = r.flag("archivedStatus")
    category = r.optional_text("category")
    used = parts_used(r, "parts", "respectivePartQuantityUsed")
    skus = part_skus or {}
    created = r.timestamp("createdAt", required=True)
    updated = r.timestamp("updatedAt")
    title, number = r.text("title"), r.optional_text("workOrderNo")
    return {
        "id": r.id,
        "upkeep_created_at": created,
        "upkeep_updated_at": updated or created,
        "raw": obj,
        "type": work_order_type(category).value,
        "priority": PRIORITY_FROM_UPKEEP[priority].value,
        "status": machina_status(status, assigned=assigned_to is not None, archived=archived).value,
        "asset_id": r.ref("asset", "assetId"),
        "description": r.text("description"),
        "estimated_duration_hours": r.number("estimatedDurationInHours", minimum=0),
        "spare_parts": [
            {"sku": skus.get(p["part_id"], p["part_id"]), "qty": max(1, math.ceil(p["qty"]))}
            for p in used
            if p["qty"] > 0
        ],
        "created_at": created,
        "updated_at": updated or created,
        "assigned_to": assigned_to,
        "metadata": _present(
            title=title,
            work_order_no=number,
            upkeep_status=status,
            upkeep_priority=priority,
            category=category,
        ),
        "title": title,
        "work_order_no": number,
        "upkeep_status": status,
        "upkeep_priority": priority,
        "category": category,
        "location_id": r.ref("location", "locationId"),
        "team_id": r.ref("team"),
        "due_date": r.timestamp("dueDate"),
        "start_date": r.timestamp("startDate"),
        "date_completed": r.timestamp("dateCompleted"),
        "completed_by": r.ref("completedByUser"),
        "archived": archived,
        "time_hours": r.number("time", minimum=0),
        "labor_cost": _labor_cost(r),
        "additional_cost": r.number("cost", default=0.0) or 0.0,
        "parts_used": used,
    }


def _labor_cost(r: Reader) -> float | None:
    """Sum of timer duration (hours) x hourly cost over the time log.

    None ("not recorded") when no timer carries an hourly cost: hours logged without a rate are not
    free, and a 0.0 would say they were.
    """
    log = r.obj.get("timeLog") or []
    if not isinstance(log, list):
        r.fail("timeLog", "expected a list")
    total, priced = 0.0, False
    for entry in log:
        timers = entry.get("timers") if isinstance(entry, dict) else None
        for timer in timers or []:
            if isinstance(timer, dict) and timer.get("hourlyCost") not in (None, ""):
                try:
                    total += float(timer.get("duration") or 0) * float(timer["hourlyCost"])
                except (TypeError, ValueError):
                    r.fail("timeLog", f"timer with non-numeric duration or hourlyCost: {timer!r}")
                priced = True
    return round(total, 2) if priced else None


# --- assets -----------------------------------------------------------------------------------

_ASSET_TYPE_KEYWORDS = (
    (("hvac", "chiller", "air handl", "ahu", "cooling tower", "ventilat", "heating"), AssetType.HVAC),
    (("safety", "fire", "sprinkler", "extinguish", "alarm", "eyewash"), AssetType.SAFETY),
    (("instrument", "sensor", "gauge", "transmitter", "analy", "meter", "plc", "control"), AssetType.INSTRUMENT),
    (("electric", "generator", "transformer", "switchgear", "panel", "ups", "lighting", "battery"),
     AssetType.ELECTRICAL),
    (("pump", "motor", "compressor", "fan", "blower", "conveyor", "gearbox", "turbine", "mixer", "agitator",
      "centrifuge", "engine", "vehicle", "forklift", "rotating"), AssetType.ROTATING_EQUIPMENT),
    (("pipe", "piping", "valve", "pipeline"), AssetType.PIPING),
    (("building", "structur", "roof", "crane", "rack", "platform", "dock", "facility"), AssetType.STRUCTURAL),
    (("tank", "vessel", "boiler", "exchanger", "silo", "hopper", "filter", "reactor", "static"),
     AssetType.STATIC_EQUIPMENT),
)

#: When no keyword matches. Flagged in metadata as ``type_guessed``.
DEFAULT_ASSET_TYPE = AssetType.STATIC_EQUIPMENT


def asset_type(category: str | None) -> tuple[AssetType, bool]:
    """Machina AssetType for a free-text UpKeep category, and whether it was a guess."""
    lowered = (category or "").lower()
    for keywords, kind in _ASSET_TYPE_KEYWORDS:
        if any(k in lowered for k in keywords):
            return kind, False
    return DEFAULT_ASSET_TYPE, True


def map_asset(obj: Any) -> dict[str, Any]:
    r = Reader("assets", obj)
    category = r.optional_text("category")
    kind, guessed = asset_type(category)
    return {
        "id": r.id,
        **r.timestamps(),
        "raw": obj,
        "name": r.text("name"),
        "type": kind.value,
        "location": r.ref("location", "locationId"),
        "manufacturer": r.text("make", "manufacturer"),
        "model": r.text("model"),
        "serial_number": r.text("serialNumber"),
        "install_date": r.day("placedInServiceDate", "purchaseDate"),
        "criticality": "C",  # UpKeep has no criticality field
        "parent": r.ref("parentAsset", "parent"),
        "metadata": _present(
            category=category,
            type_guessed=guessed or None,
            status=r.optional_text("status"),
            barcode=r.optional_text("barcode", "serial"),
            manufacturer_vendor=r.ref("manufacturerVendor"),
        ),
        "category": category,
        "description": r.text("description"),
        "barcode": r.text("barcode", "serial"),
        "status": r.optional_text("status"),
        "assigned_to_user": r.ref("assignedToUser"),
    }


# --- parts ------------------------------------------------------------------------------------


def map_part(obj: Any) -> dict[str, Any]:
    r = Reader("parts", obj)
    quantity = r.number("quantity", default=0.0, minimum=0)
    minimum = r.number("minimumQuantity", default=0.0, minimum=0)
    barcode = r.text("serial", "barcode")
    part_number = r.optional_text("partName", "partNumber")
    sku, sku_source = (
        (barcode, "serial") if barcode else (part_number, "partName") if part_number else (r.id, "upkeep_id")
    )
    return {
        "id": r.id,
        **r.timestamps(),
        "raw": obj,
        "sku": sku,
        "name": r.text("name"),
        "manufacturer": r.text("manufacturer"),
        "stock_quantity": math.floor(quantity),
        "reorder_point": math.ceil(minimum),
        "unit_cost": r.number("cost", default=0.0, minimum=0),
        "warehouse_location": r.text("area"),
        "metadata": _present(
            sku_source=sku_source,
            quantity_exact=quantity if quantity != math.floor(quantity) else None,
            category=r.optional_text("category"),
        ),
        "description": r.text("description"),
        "category": r.optional_text("category"),
        "location_id": r.ref("location"),
        "barcode": barcode,
        "part_number": part_number,
    }


# --- preventive maintenance -------------------------------------------------------------------

_RRFREQ = {"DAILY": ("days", 1), "WEEKLY": ("weeks", 1), "MONTHLY": ("months", 1), "YEARLY": ("months", 12)}


def map_pm_trigger(obj: Any) -> dict[str, Any]:
    """One ``{"trigger": {...}, "workOrder": {...}}`` item of ``/preventive-maintenance``."""
    if not isinstance(obj, dict) or obj.get("trigger") is None:
        raise MalformedObject("preventive_maintenance", None, "trigger", "missing trigger object")
    t = Reader("preventive_maintenance", obj["trigger"], at="trigger")
    t.check_types(obj)  # the whole item: trigger.*, workOrder and workOrder.*
    w = Reader("preventive_maintenance", obj.get("workOrder") or {}, at="workOrder", upkeep_id=t.id)
    interval = {"days": 0, "weeks": 0, "months": 0, "hours": 0}
    freq = t.optional_text("rrfreq")
    every = t.integer("rrinterval", default=1, minimum=1)
    if freq:
        if freq.upper() not in _RRFREQ:
            t.fail("rrfreq", f"expected DAILY, WEEKLY, MONTHLY or YEARLY, got {freq!r}")
        unit, factor = _RRFREQ[freq.upper()]
        interval[unit] = every * factor
    title = w.text("title")
    paused = t.flag("isPaused") or t.flag("isArchived") or t.flag("scheduleHasEnded")
    return {
        "id": t.id,
        **t.timestamps(),
        "raw": obj,
        "asset_id": w.ref("asset", "assetId"),
        "name": t.text("name") or title,
        "interval": interval,
        "tasks": [title] if title else [],
        "estimated_duration_hours": w.number("duration", minimum=0),
        "active": not paused,
        "work_order_title": title,
        "location_id": w.ref("location"),
        "category": w.optional_text("category"),
        "upkeep_priority": upkeep_priority(w),
        "assigned_to": w.ref("assignedToUser"),
        "schedule_type": t.optional_text("scheduleType"),
        "rrfreq": freq.upper() if freq else None,
        "rrinterval": every if freq else None,
        "next_due_date": w.timestamp("nextDueDate") or t.timestamp("nextTriggerDate"),
        "last_due_date": w.timestamp("lastDueDate"),
    }


def _present(**values: Any) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}
