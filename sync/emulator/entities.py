"""The catalogue of emulated UpKeep collections: path, list parameters, filters and sort fields.

Every list parameter below is transcribed from the API v2 reference for that endpoint; a GET
parameter not listed for an endpoint is answered with ``invalid filter key: <name>``. Each equality
and date-range filter is also a column of the entity's table, extracted from the payload on write.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from sync.emulator.values import parse_ms

RANGE_OPS = {
    "GreaterThan": ">",
    "LessThan": "<",
    "GreaterThanOrEqualTo": ">=",
    "LessThanOrEqualTo": "<=",
}
PAGING = ("offset", "limit", "orderBy", "sort")
#: ``includes`` expands nested objects upstream; the emulator accepts and ignores it.
IGNORED = ("includes", "includes[]")


def _same(payload: dict) -> dict:
    return payload


@dataclass(frozen=True)
class EntitySpec:
    """One collection: what the API calls it, which parameters its list takes, how rows are stored."""

    name: str
    path: str
    label: str
    text_filters: tuple[str, ...] = ()
    range_filters: tuple[str, ...] = ("createdAt", "updatedAt")
    order_fields: tuple[str, ...] = ("createdAt", "updatedAt")
    #: bracketed filter families (custom fields) the reference lists but the emulator does not model
    unmodelled_prefixes: tuple[str, ...] = ()
    #: readings live under a meter: the parent id column and the filter it is bound to
    parent: str | None = None
    #: columns whose value is computed rather than read from a same-named payload field
    derived: Mapping[str, Callable[[dict], Any]] = field(default_factory=dict)
    #: where createdAt/updatedAt live (PM items keep them on the trigger)
    stamps: Callable[[dict], dict] = _same
    indexed: tuple[str, ...] = ()
    #: the name of the sort parameter: ``orderBy`` on most lists, ``sort`` on files and form templates
    sort_param: str = "orderBy"
    #: False for lists the reference gives no parameters at all (asset custom fields): every key is refused
    paged: bool = True

    @property
    def time_columns(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(("createdAt", "updatedAt", *self.range_filters, *self.order_fields)))

    @property
    def text_columns(self) -> tuple[str, ...]:
        return self.text_filters + ((self.parent,) if self.parent else ())

    def accepts(self, key: str) -> bool:
        """True if the reference lists ``key`` as a GET parameter of this list endpoint."""
        if not self.paged:
            return False
        if key in ("offset", "limit", self.sort_param) or key in IGNORED or key in self.text_filters:
            return True
        for base in self.range_filters:
            if key.startswith(base) and key[len(base) :] in RANGE_OPS:
                return True
        return any(key.startswith(p) for p in self.unmodelled_prefixes)

    @cached_property
    def _plan(self) -> tuple[tuple[str, bool, Callable[[dict], Any] | None], ...]:
        """Per column: (name, is a timestamp kept on the stamps object, derived getter or None)."""
        cols = [(c, c in ("createdAt", "updatedAt"), self.derived.get(c)) for c in self.time_columns]
        return tuple(cols)

    def row(self, payload: dict) -> tuple:
        """The table row for a payload: id, time columns (ms), text columns (the caller adds the JSON)."""
        stamped = self.stamps(payload)
        out: list[Any] = [stamped["id"]]
        for col, on_stamps, getter in self._plan:
            value = getter(payload) if getter else (stamped if on_stamps else payload).get(col)
            out.append(None if value is None else parse_ms(value))
        for col in self.text_columns:
            getter = self.derived.get(col)
            value = getter(payload) if getter else payload.get(col)
            out.append(value if value is None or value.__class__ is str else _filter_text(value))
        return tuple(out)


def _filter_text(value: Any) -> str | None:
    """Filters arrive as query strings, so columns hold the string form (1 -> "1", True -> "true")."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _wo_custom_status(payload: dict) -> Any:
    status = payload.get("customWOStatus")
    return status.get("id") if isinstance(status, dict) else None


_DATE_RANGES = ("createdAt", "updatedAt")

ENTITIES: dict[str, EntitySpec] = {
    spec.name: spec
    for spec in (
        EntitySpec("users", "users", "user", text_filters=("email", "accountType")),
        EntitySpec("customers", "customers", "customer", text_filters=("name",)),
        EntitySpec("vendors", "vendors", "vendor", text_filters=("businessName",)),
        EntitySpec("teams", "teams", "team", text_filters=("name",)),
        EntitySpec(
            "locations",
            "locations",
            "location",
            text_filters=("name", "createdByUser", "parentLocation"),
            unmodelled_prefixes=("customFieldsLocation",),
        ),
        EntitySpec(
            "assets",
            "assets",
            "asset",
            text_filters=(
                "name",
                "serial",
                "serialNumber",
                "location",
                "status",
                "category",
                "assignedToUser",
                "createdByUser",
                "downtimeStatus",
            ),
            unmodelled_prefixes=("customFields",),
            indexed=("location", "category"),
        ),
        EntitySpec(
            "parts",
            "parts",
            "part",
            text_filters=("name", "category", "location", "partId", "partNumber", "createdByUser"),
            unmodelled_prefixes=("customFieldsPart",),
        ),
        EntitySpec(
            "requests",
            "requests",
            "request",
            text_filters=(
                "title",
                "location",
                "asset",
                "team",
                "assignedToUser",
                "category",
                "requestedByUser",
                "publicRequesterEmail",
            ),
            range_filters=("dueDate", "endDueDate", *_DATE_RANGES),
            order_fields=("createdAt", "updatedAt", "dueDate", "endDueDate"),
        ),
        EntitySpec(
            "work_orders",
            "work-orders",
            "work order",
            text_filters=(
                "title",
                "isComplete",
                "status",
                "archivedStatus",
                "priority",
                "location",
                "asset",
                "assignedToUser",
                "assignedByUser",
                "category",
                "publicRequesterEmail",
                "customWOStatusId",
            ),
            range_filters=("dueDate", "endDueDate", "dateCompleted", *_DATE_RANGES),
            order_fields=("createdAt", "updatedAt", "dueDate", "endDueDate", "dateCompleted"),
            derived={
                "isComplete": lambda p: "1" if p.get("status") == "complete" else "0",
                "customWOStatusId": _wo_custom_status,
            },
            indexed=("status", "asset", "location", "assignedToUser"),
        ),
        EntitySpec(
            "preventive_maintenance",
            "preventive-maintenance",
            "preventive maintenance trigger",
            range_filters=(),
            stamps=lambda p: p["trigger"],
        ),
        EntitySpec("meters", "meters", "meter", text_filters=("name", "asset", "location")),
        EntitySpec(
            "meter_readings",
            "readings",
            "meter reading",
            range_filters=("date", *_DATE_RANGES),
            parent="meter",
        ),
        EntitySpec(
            "purchase_orders",
            "purchase-orders",
            "purchase order",
            text_filters=("title", "status", "vendor", "category", "createdByUser"),
            range_filters=("dueDate", "poDate", "fulfilledAt", "approvedAt", "declinedAt", *_DATE_RANGES),
            order_fields=(
                "createdAt",
                "updatedAt",
                "dueDate",
                "poDate",
                "fulfilledAt",
                "approvedAt",
                "declinedAt",
            ),
            unmodelled_prefixes=("customFieldsPO",),
        ),
        EntitySpec("files", "files", "file", range_filters=(), sort_param="sort"),
        EntitySpec("form_templates", "form-templates", "form template", range_filters=(), sort_param="sort"),
        EntitySpec(
            "asset_downtime_statuses", "asset-downtime-statuses", "asset downtime status", text_filters=("name",)
        ),
        EntitySpec("custom_fields_assets", "custom-fields", "custom field", range_filters=(), paged=False),
    )
}

#: top-level API path segment -> entity (readings are reached through ``meters/<id>/readings``)
BY_PATH = {spec.path: spec for spec in ENTITIES.values() if spec.parent is None}


def resolve(name: str) -> EntitySpec:
    """An entity by table name (``work_orders``) or API path (``work-orders``); KeyError if unknown."""
    key = name.replace("-", "_")
    if key == "readings":
        key = "meter_readings"
    return ENTITIES[key]
