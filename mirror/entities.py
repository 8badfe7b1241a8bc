"""Every mirrored entity, declared once: the lists the rest of the code needs are derived from :data:`ENTITIES`.

An :class:`Entity` says where the entity lives in the mirror (its table and the name of its model
in :mod:`mirror.schema`), where UpKeep lists it and which filters that listing takes, the name of
its mapper in :mod:`sync.mapping`, which local writes target it, and how Datasette shows it. From
it come :data:`mirror.schema.MIRRORED` (the models, looked up by name), the pull and its order,
:data:`sync.mapping.MAPPERS` (the mappers, looked up by name), the replay's paths, the web pages'
tables and the entity table in ``docs/schema.md``. Adding an entity is one line here, its model
and its mapper function.

Plain data on purpose: the pull reads it without importing SQLModel or SQLAlchemy (the models
are named, not imported), ``mirror`` (the bottom layer) and ``queries`` import it, and the paths
are facts of UpKeep's API (the HTTP is :mod:`sync.upkeep`'s).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from mirror.vocabulary import OpKind

__all__ = ["ENTITIES", "ENTITY", "PULLED", "Entity"]

#: Which pull reads an entity: ``main`` (:mod:`sync.pull`, keyset-paged by change cursor),
#: ``settings`` (small account lists read whole), ``files`` (file records, newest first) and
#: ``checklists`` (a work order's form items, read with the work order) are field work's
#: (:mod:`sync.pull.fieldwork`).
Pull = Literal["main", "settings", "files", "checklists"]


@dataclass(frozen=True)
class Entity:
    """One mirrored entity: its table, model, UpKeep listing, mapper, local writes and pages."""

    #: The name runs, cursors, rejects, the CLI and the outbox use (``parts``, not ``spare_parts``).
    name: str
    #: The mirror's table.
    table: str
    #: The model's class name in :mod:`mirror.schema` (named, so reading this loads no ORM).
    model: str
    #: The mapper's function name in :mod:`sync.mapping` (UpKeep JSON object -> row dict).
    mapper: str
    #: Where UpKeep lists it: ``{meter}`` for each meter's, ``{work_order}`` for the form items a
    #: work order carries (read with ``includes=formItems``).
    path: str
    pull: Pull = "main"
    #: The listing takes ``createdAt*``/``updatedAt*`` filters (so an incremental pull, and the
    #: replay's one-request check of what changed, can use them).
    change_filter: bool = True
    #: The entity whose rows its pull needs first (work orders name parts by SKU; readings are
    #: listed per meter).
    depends_on: str | None = None
    #: The sort parameter a settings list is paged with; None: the endpoint takes no parameters at all.
    sort: str | None = None
    #: The local writes (outbox operation kinds) that target it.
    writes: tuple[OpKind, ...] = ()
    #: Datasette shows it through the view ``<table>_detail`` (names instead of ids).
    detail_view: bool = False
    #: Its ``kind`` in the search query's results (``queries/sql/search.sql``).
    search_kind: str | None = None

    @property
    def per_meter(self) -> bool:
        """Listed under each meter (``/meters/<id>/readings``)."""
        return "{meter}" in self.path

    @property
    def mirrored(self) -> bool:
        """Kept with the mirrored bookkeeping columns (:class:`mirror.schema.Mirrored`): raw JSON, tombstone..."""
        return self.pull != "checklists"


_WORK_ORDER_WRITES = (OpKind.CREATE, OpKind.UPDATE, OpKind.MESSAGE, OpKind.PARTS_USED, OpKind.TASK_VALUE,
                      OpKind.ATTACH)

#: Every entity, in the order a sync pulls them: referenced ones first, then field work's.
ENTITIES: tuple[Entity, ...] = (
    Entity("users", "users", "UserRow", "map_user", "/api/v2/users/", detail_view=True),
    Entity("teams", "teams", "TeamRow", "map_team", "/api/v2/teams/", detail_view=True),
    Entity("locations", "locations", "LocationRow", "map_location", "/api/v2/locations", detail_view=True),
    Entity("vendors", "vendors", "VendorRow", "map_vendor", "/api/v2/vendors/", detail_view=True),
    Entity("customers", "customers", "CustomerRow", "map_customer", "/api/v2/customers/", detail_view=True),
    Entity("assets", "assets", "AssetRow", "map_asset", "/api/v2/assets", writes=(OpKind.DOWNTIME,),
           detail_view=True, search_kind="asset"),
    Entity("parts", "spare_parts", "SparePartRow", "map_part", "/api/v2/parts", writes=(OpKind.PART_COUNT,),
           detail_view=True, search_kind="part"),
    Entity("meters", "meters", "MeterRow", "map_meter", "/api/v2/meters/", detail_view=True),
    Entity("meter_readings", "meter_readings", "MeterReadingRow", "map_meter_reading",
           "/api/v2/meters/{meter}/readings", depends_on="meters", writes=(OpKind.READING,), detail_view=True),
    Entity("preventive_maintenance", "maintenance_plans", "MaintenancePlanRow", "map_pm_trigger",
           "/api/v2/preventive-maintenance", change_filter=False, detail_view=True),
    Entity("work_orders", "work_orders", "WorkOrderRow", "map_work_order", "/api/v2/work-orders",
           depends_on="parts", writes=_WORK_ORDER_WRITES, detail_view=True, search_kind="work order"),
    Entity("requests", "requests", "RequestRow", "map_request", "/api/v2/requests", writes=(OpKind.REQUEST,),
           detail_view=True),
    Entity("purchase_orders", "purchase_orders", "PurchaseOrderRow", "map_purchase_order",
           "/api/v2/purchase-orders/", detail_view=True),
    Entity("form_templates", "form_templates", "FormTemplateRow", "map_form_template", "/api/v2/form-templates",
           pull="settings", change_filter=False, sort="sort"),
    Entity("asset_downtime_statuses", "asset_downtime_statuses", "AssetDowntimeStatusRow", "map_downtime_status",
           "/api/v2/asset-downtime-statuses", pull="settings", change_filter=False, sort="orderBy"),
    Entity("custom_fields_assets", "custom_field_definitions", "CustomFieldDefinitionRow", "map_custom_field",
           "/api/v2/custom-fields/assets", pull="settings", change_filter=False),
    Entity("files", "files", "FileRow", "map_file", "/api/v2/files", pull="files", change_filter=False),
    Entity("work_order_tasks", "work_order_tasks", "WorkOrderTaskRow", "map_form_item",
           "/api/v2/work-orders/{work_order}", pull="checklists",
           change_filter=False),
)

#: Entity name -> entity.
ENTITY: dict[str, Entity] = {e.name: e for e in ENTITIES}
#: The main pull's entities (:mod:`sync.pull`), by name, in pull order.
PULLED: dict[str, Entity] = {e.name: e for e in ENTITIES if e.pull == "main"}
