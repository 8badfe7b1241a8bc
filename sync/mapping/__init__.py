"""UpKeep <-> mirror mapping: pure functions on dicts, no I/O.

``transform(entity, obj)`` turns one UpKeep JSON object into the row the store upserts, or
raises :class:`MalformedObject` naming the entity, id and field. The reverse direction, for the
outbox, is in :mod:`sync.mapping.reverse`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from sync.mapping.core import map_asset, map_part, map_pm_trigger, map_work_order
from sync.mapping.fields import MalformedObject
from sync.mapping.fieldwork import (
    map_custom_field,
    map_downtime_status,
    map_file,
    map_form_item,
    map_form_items,
    map_form_template,
)
from sync.mapping.other import (
    map_customer,
    map_location,
    map_meter,
    map_meter_reading,
    map_purchase_order,
    map_request,
    map_team,
    map_user,
    map_vendor,
)

#: Entity name (as in ``mirror.schema.MIRRORED``) -> mapper.
MAPPERS: dict[str, Callable[..., dict[str, Any]]] = {
    "users": map_user,
    "teams": map_team,
    "locations": map_location,
    "vendors": map_vendor,
    "customers": map_customer,
    "assets": map_asset,
    "parts": map_part,
    "meters": map_meter,
    "meter_readings": map_meter_reading,
    "preventive_maintenance": map_pm_trigger,
    "work_orders": map_work_order,
    "requests": map_request,
    "purchase_orders": map_purchase_order,
    "form_templates": map_form_template,
    "asset_downtime_statuses": map_downtime_status,
    "custom_fields_assets": map_custom_field,
    "files": map_file,
    "work_order_tasks": map_form_item,
}


def transform(entity: str, obj: Any, *, part_skus: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Map one UpKeep object of ``entity`` to a row dict; raise MalformedObject if it cannot be."""
    if entity == "work_orders":
        return map_work_order(obj, part_skus)
    return MAPPERS[entity](obj)


def upkeep_id(entity: str, obj: Any) -> str | None:
    """The object's UpKeep id, if it has a usable one (PM items keep it in ``trigger``)."""
    if entity == "preventive_maintenance" and isinstance(obj, dict):
        obj = obj.get("trigger")
    value = obj.get("id") if isinstance(obj, dict) else None
    return value.strip() if isinstance(value, str) and value.strip() else None


__all__ = ["MAPPERS", "MalformedObject", "map_form_items", "transform", "upkeep_id"]
