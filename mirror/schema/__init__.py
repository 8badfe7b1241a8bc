"""The mirror's tables as SQLModel models: Machina's layout for its four entities, UpKeep's for the rest.

- :mod:`mirror.schema._base`: the column types for the stored text forms and :class:`Mirrored`,
  the bookkeeping columns every mirrored table has;
- :mod:`mirror.schema.core`: Machina's assets, work orders, spare parts, maintenance plans;
- :mod:`mirror.schema.plant`: the UpKeep entities Machina does not model;
- :mod:`mirror.schema.fieldwork`: checklists, files and their content, downtime statuses, custom fields;
- :mod:`mirror.schema.bookkeeping`: schema versions, cursors, runs, rejects, connectivity.

Importing this package registers every table with ``SQLModel.metadata``. It loads SQLAlchemy, so
the pull never imports it: what the pull knows of each table it reads from these modules' source
(:mod:`mirror._shapes`). The SQL that builds the tables is the migrations' (:mod:`mirror.migrations`).
"""

from __future__ import annotations

from mirror.schema._base import ISODate, Mirrored, UTCDateTime
from mirror.schema._registry import FIELDWORK_MIRRORED, MIRRORED, table_of
from mirror.schema.bookkeeping import Connectivity, ReconcileSeen, Reject, SchemaVersion, SyncCursor, SyncRun
from mirror.schema.core import AssetRow, MaintenancePlanRow, SparePartRow, WorkOrderRow
from mirror.schema.fieldwork import (
    CONTENT_STATES,
    AssetDowntimeStatusRow,
    CustomFieldDefinitionRow,
    FileChunkRow,
    FileRow,
    FormTemplateRow,
    WorkOrderTaskListRow,
    WorkOrderTaskRow,
)
from mirror.schema.plant import (
    CustomerRow,
    LocationRow,
    MeterReadingRow,
    MeterRow,
    PurchaseOrderRow,
    RequestRow,
    TeamRow,
    UserRow,
    VendorRow,
)

__all__ = [
    "CONTENT_STATES",
    "FIELDWORK_MIRRORED",
    "MIRRORED",
    "AssetDowntimeStatusRow",
    "AssetRow",
    "Connectivity",
    "CustomFieldDefinitionRow",
    "CustomerRow",
    "FileChunkRow",
    "FileRow",
    "FormTemplateRow",
    "ISODate",
    "LocationRow",
    "MaintenancePlanRow",
    "MeterReadingRow",
    "MeterRow",
    "Mirrored",
    "PurchaseOrderRow",
    "ReconcileSeen",
    "Reject",
    "RequestRow",
    "SchemaVersion",
    "SparePartRow",
    "SyncCursor",
    "SyncRun",
    "TeamRow",
    "UTCDateTime",
    "UserRow",
    "VendorRow",
    "WorkOrderRow",
    "WorkOrderTaskListRow",
    "WorkOrderTaskRow",
    "table_of",
]
