"""Tables for field work: checklists, files and their content, downtime statuses, custom fields.

- ``work_order_tasks``: one row per form item (checklist line) of a work order, in order. UpKeep
  lists a work order's ``formItems`` as bare ids; the items themselves come from
  ``GET /work-orders/<id>?includes=formItems``. ``work_order_task_lists`` remembers which
  ``updatedAt`` of the work order the stored items reflect, so a pull re-reads only changed lists.
- ``files``: UpKeep file records (``/files``), plus what the mirror knows of their content: its
  size, whether it is stored offline (``content_state``), and why not when it is not.
- ``file_chunks``: the content itself, in the mirror file, in chunks of at most 1 MiB (why in
  SQLite and why in chunks: README, "Files offline").
- ``form_templates``, ``asset_downtime_statuses``, ``custom_field_definitions``: small account
  settings lists, mirrored like every other entity.

Custom-field *values* and file *attachments* are views over the assets', locations', parts',
purchase orders' and work orders' own JSON (migration 11): they are always exactly what the last
pull of those records brought, with nothing to keep in step.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, LargeBinary
from sqlmodel import Field, SQLModel

from mirror.schema._base import Mirrored, ref, ts
from mirror.vocabulary import LocalState

#: How a file's content stands in the mirror.
CONTENT_STATES = ("missing", "stored", "partial", "skipped", "failed", "not_needed", "local")


class FormTemplateRow(Mirrored, table=True):
    __tablename__ = "form_templates"

    name: str
    description: str = ""
    items: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)  # [{name, type, options?, meter?}]
    created_by: str | None = ref("users")


class AssetDowntimeStatusRow(Mirrored, table=True):
    __tablename__ = "asset_downtime_statuses"

    name: str


class CustomFieldDefinitionRow(Mirrored, table=True):
    __tablename__ = "custom_field_definitions"

    applies_to: str = "assets"
    name: str
    type: str  # singleLineText | multiLineText | dropdown | date | number | currency
    options: list[str] = Field(default_factory=list, sa_type=JSON)
    decimal_precision: int | None = None
    created_by: str | None = ref("users")


class FileRow(Mirrored, table=True):
    __tablename__ = "files"

    filename: str
    url: str | None = Field(default=None, index=True)
    mime_type: str | None = None
    is_image: bool = False
    # content, as far as the mirror has it
    size_bytes: int | None = None
    content_state: str = Field(default="missing", index=True)
    content_sha256: str | None = None
    content_stored_bytes: int = 0
    content_fetched_at: datetime | None = ts()
    content_note: str | None = None  # why it is skipped or failed


class FileChunkRow(SQLModel, table=True):
    __tablename__ = "file_chunks"

    file_id: str = Field(primary_key=True)
    seq: int = Field(primary_key=True)
    data: bytes = Field(sa_type=LargeBinary)


class WorkOrderTaskRow(SQLModel, table=True):
    __tablename__ = "work_order_tasks"

    id: str = Field(primary_key=True, description="UpKeep form item id")
    work_order_id: str = Field(foreign_key="work_orders.id", index=True)
    position: int
    name: str
    type: str  # TASK | TEXT | NUMBER | CHECKLIST | MULTIPLE_CHOICE | METER
    value: str | None = None  # as text (numbers too), what a person reads
    value_number: float | None = None  # NUMBER and METER items
    options: list[str] = Field(default_factory=list, sa_type=JSON)
    meter_id: str | None = ref("meters")
    raw: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    synced_at: datetime | None = ts()
    local_state: str = Field(default=LocalState.SYNCED.value, index=True)


class WorkOrderTaskListRow(SQLModel, table=True):
    __tablename__ = "work_order_task_lists"

    work_order_id: str = Field(primary_key=True, foreign_key="work_orders.id")
    upkeep_updated_at: datetime | None = ts()
    items: int = 0
    synced_at: datetime | None = ts()
