"""Hand mirror rows to Machina: convert core rows into ``machina.domain`` pydantic models.

``machina-ai`` is optional (``pip install 'upkeep-mirror[machina]'``); it is imported only when
a conversion is asked for. Column names are Machina's field names, so the conversion is a
straight copy; the two NULL-able references that Machina types as plain strings (an asset's
location, a work order's asset) become ``""``, which is what Machina uses for "unknown".
"""

from __future__ import annotations

from typing import Any

from mirror.models import AssetRow, MaintenancePlanRow, Mirrored, SparePartRow, WorkOrderRow

_FIELDS = {
    AssetRow: ("Asset", [
        "id", "name", "type", "location", "manufacturer", "model", "serial_number", "install_date",
        "criticality", "parent", "children", "failure_modes", "aliases", "metadata", "equipment_class_code",
    ]),
    WorkOrderRow: ("WorkOrder", [
        "id", "type", "priority", "status", "asset_id", "description", "failure_mode", "requested_skills",
        "estimated_duration_hours", "spare_parts", "created_at", "updated_at", "assigned_to", "metadata",
        "failure_impact", "failure_cause",
    ]),
    SparePartRow: ("SparePart", [
        "sku", "name", "manufacturer", "compatible_assets", "stock_quantity", "reorder_point",
        "lead_time_days", "unit_cost", "warehouse_location", "metadata",
    ]),
    MaintenancePlanRow: ("MaintenancePlan", [
        "id", "asset_id", "name", "interval", "tasks", "estimated_duration_hours", "required_skills", "active",
    ]),
}

#: Machina types these as ``str``; the mirror stores a missing reference as NULL.
_EMPTY_WHEN_NULL = {"location", "asset_id"}


def machina_fields(row: Mirrored) -> dict[str, Any]:
    """The row's values under Machina's field names (no ``machina-ai`` needed)."""
    _, names = _FIELDS[type(row)]
    out = {}
    for name in names:
        value = getattr(row, "metadata_" if name == "metadata" else name)
        out[name] = "" if value is None and name in _EMPTY_WHEN_NULL else value
    return out


def to_machina(row: Mirrored) -> Any:
    """A ``machina.domain`` model (Asset, WorkOrder, SparePart, MaintenancePlan) for a core row."""
    try:
        from machina import domain
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise RuntimeError("machina-ai is not installed: pip install 'upkeep-mirror[machina]'") from exc
    if type(row) not in _FIELDS:
        raise TypeError(f"{type(row).__name__} has no Machina model; only the four core tables do")
    model_name, _ = _FIELDS[type(row)]
    return getattr(domain, model_name).model_validate(machina_fields(row))
