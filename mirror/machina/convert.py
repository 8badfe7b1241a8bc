"""Hand mirror rows to Machina: convert core rows into ``machina.domain`` pydantic models.

Column names are Machina's field names, so most of the conversion is a straight copy; the two
NULL-able references that Machina types as plain strings (an asset's location, a work order's or
plan's asset) become ``""``, which is what Machina uses for "unknown".

``metadata`` is where nothing gets lost: like Machina's own UpKeep mapper, it carries every key
of UpKeep's JSON object that no Machina field holds (under UpKeep's own name, e.g. ``workOrderNo``,
``dueDate``, ``team``), plus the mirror's derived facts (``upkeep_status``, ``sku_source``,
``type_guessed``...) and the row's ``local_state``. Only keys whose value a Machina field carries
exactly are left out (see :data:`CARRIED`). Machina's ``MaintenancePlan`` has no ``metadata``
field; a PM trigger's other fields stay in the ``maintenance_plans`` table.

``machina-ai`` is optional (``pip install 'upkeep-mirror[machina]'``); it is imported only when
a conversion is asked for.
"""

from __future__ import annotations

from typing import Any

from mirror.errors import MachinaNotInstalled
from mirror.schema import AssetRow, MaintenancePlanRow, Mirrored, SparePartRow, WorkOrderRow, table_of

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

#: Per table: UpKeep keys whose value a Machina field carries exactly (so not repeated in metadata).
#: Lossy ones (status, category, parts, minimumQuantity, dates cut to a day...) stay in metadata.
#: A part's ``id`` stays too: Machina keys parts by SKU and has no field for UpKeep's id.
CARRIED: dict[type[Mirrored], frozenset[str]] = {
    AssetRow: frozenset({"id", "name", "location", "locationId", "make", "model", "serialNumber", "parentAsset"}),
    WorkOrderRow: frozenset({
        "id", "description", "asset", "assetId", "assignedToUser", "assignedToId", "estimatedDurationInHours",
        "createdAt", "updatedAt", "priority", "status",  # status: exact in metadata.upkeep_status
    }),
    SparePartRow: frozenset({"name", "quantity", "cost", "area"}),
    MaintenancePlanRow: frozenset(),
}


def full_metadata(row: Mirrored, model: type[Mirrored] | None = None) -> dict[str, Any]:
    """UpKeep's keys no Machina field carries, the mirror's derived metadata, and the local state."""
    raw = row.raw or {}
    carried = CARRIED[model or type(row)]
    out = {k: v for k, v in raw.items() if k not in carried}
    out.update(getattr(row, "metadata_", None) or {})
    out["local_state"] = row.local_state
    return out


def machina_fields(row: Mirrored, model: type[Mirrored] | None = None) -> dict[str, Any]:
    """The row's values under Machina's field names (no ``machina-ai`` needed)."""
    model = model or type(row)
    _, names = _FIELDS[model]
    out: dict[str, Any] = {}
    for name in names:
        if name == "metadata":
            out[name] = full_metadata(row, model)
            continue
        value = getattr(row, name)
        out[name] = "" if value is None and name in _EMPTY_WHEN_NULL else value
    return out


def require_machina() -> Any:
    """``machina.domain``, or :class:`MachinaNotInstalled` with the install hint."""
    try:
        from machina import domain
    except ImportError as exc:
        raise MachinaNotInstalled() from exc
    return domain


def to_machina(row: Mirrored) -> Any:
    """A ``machina.domain`` model (Asset, WorkOrder, SparePart, MaintenancePlan) for a core row."""
    if type(row) not in _FIELDS:
        raise TypeError(f"{type(row).__name__} has no Machina model; only the four core tables do")
    return _model(type(row)).model_validate(machina_fields(row))


def _model(table_model: type[Mirrored]) -> Any:
    return getattr(require_machina(), _FIELDS[table_model][0])


def machina_columns(model: type[Mirrored]) -> list[Any]:
    """The table columns a conversion reads: select only these to convert many rows fast."""
    table = table_of(model)
    names = [n for n in _FIELDS[model][1] if n != "metadata"] + ["raw", "metadata", "local_state"]
    return [table.c[n] for n in names if n in table.c]


class _Columns:
    """A selected row's values as attributes, named as on the model (``metadata`` is ``metadata_``)."""

    def __init__(self, mapping: Any) -> None:
        self.__dict__.update(mapping)
        self.metadata_ = mapping.get("metadata")


def rows_to_machina(model: type[Mirrored], mappings: Any) -> list[Any]:
    """Machina models for rows selected with :func:`machina_columns` (``.mappings()`` of a result).

    The same conversion as :func:`to_machina`, without building ORM objects (about twice as fast
    on a few thousand rows).
    """
    machina_model = _model(model)
    return [machina_model.model_validate(machina_fields(_Columns(m), model))  # type: ignore[arg-type]  # duck-typed row
            for m in mappings]
