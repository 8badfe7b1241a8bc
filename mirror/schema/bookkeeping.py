"""Tables about the mirror rather than about the plant: schema versions, cursors, runs, rejects.

They live beside the mirrored tables in the same file, so a cursor advances in the same
transaction as the rows it covers, and so technicians can see in Datasette how fresh the data
is and which UpKeep objects could not be mirrored.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index
from sqlmodel import Field, SQLModel

from mirror.schema._base import UTCDateTime


class SchemaVersion(SQLModel, table=True):
    """One row per applied migration (see :mod:`mirror.migrations`)."""

    __tablename__ = "schema_versions"

    version: int = Field(primary_key=True)
    name: str
    applied_at: datetime = Field(sa_type=UTCDateTime)


class SyncCursor(SQLModel, table=True):
    """Per entity: the inclusive ``updatedAt`` lower bound (unix ms) for the next incremental pull."""

    __tablename__ = "sync_cursors"

    entity: str = Field(primary_key=True)
    cursor_ms: int | None = None
    last_success_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_reconciled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class SyncRun(SQLModel, table=True):
    """One pull of one entity: what it fetched and changed, and how it ended."""

    __tablename__ = "sync_runs"

    id: int | None = Field(default=None, primary_key=True)
    run_id: str = Field(index=True)  # shared by the entities of one `upkeep-mirror sync`
    entity: str = Field(index=True)
    mode: str = "incremental"  # incremental | full | reconcile
    started_at: datetime = Field(sa_type=UTCDateTime)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    requests: int = 0
    fetched: int = 0
    upserted: int = 0
    tombstoned: int = 0
    rejected: int = 0
    retries: int = 0
    error: str | None = None


class Reject(SQLModel, table=True):
    """An UpKeep object that could not be mapped: kept once, for a person to look at, until it maps.

    One row per (entity, object): an object listed again bumps ``count`` and ``last_seen`` instead
    of adding a row. The row goes when the object later maps cleanly or a reconciliation finds it
    gone from UpKeep (:mod:`mirror.rejects`).
    """

    __tablename__ = "rejects"
    __table_args__ = (Index("ux_rejects_object", "entity", "object_key", unique=True),)

    id: int | None = Field(default=None, primary_key=True)
    entity: str
    object_key: str  # the UpKeep id, or "sha256:<hex>" of the payload when it has no usable id
    upkeep_id: str | None = None
    field: str | None = None
    reason: str
    raw: Any = Field(default_factory=dict, sa_type=JSON, nullable=False)  # as received, of the last sighting
    run_id: str | None = None  # the sync (``sync_runs.run_id``) of the last sighting
    sync_run_id: int | None = Field(default=None, foreign_key="sync_runs.id")  # its ``sync_runs`` row
    first_seen: datetime = Field(sa_type=UTCDateTime)
    last_seen: datetime = Field(sa_type=UTCDateTime)
    count: int = 1  # how many listings carried it, malformed


class ReconcileSeen(SQLModel, table=True):
    """Ids the reconciliation pass in progress has seen; rows not among them get tombstoned."""

    __tablename__ = "reconcile_seen"

    entity: str = Field(primary_key=True)
    id: str = Field(primary_key=True)


class Connectivity(SQLModel, table=True):
    """The single row (id 1) saying whether UpKeep answers, since when not, and the last error.

    ``last_error_kind`` is ``unreachable`` (network, 429, 5xx after retries: the mirror is
    offline) or ``fatal`` (UpKeep answered but the job cannot go on: bad credentials, a refused
    setup); ``last_error_source`` names who hit it (``daemon pull``, ``daemon outbox``, ``daemon
    probe``, ``sync``). ``fatal_error`` stands until the same kind of job succeeds.
    """

    __tablename__ = "connectivity"

    id: int = Field(default=1, primary_key=True)
    online: bool = True
    offline_since: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_error: str | None = None
    last_error_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_pull_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_flush_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    daemon_pid: int | None = None
    daemon_heartbeat_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    updated_at: datetime = Field(sa_type=UTCDateTime)
    last_error_kind: str | None = None
    last_error_source: str | None = None
    fatal_error: str | None = None
    fatal_source: str | None = None
    fatal_since: datetime | None = Field(default=None, sa_type=UTCDateTime)
