"""Tables about the mirror rather than about the plant: schema versions, cursors, runs, rejects.

They live beside the mirrored tables in the same file, so a cursor advances in the same
transaction as the rows it covers, and so technicians can see in Datasette how fresh the data
is and which UpKeep objects could not be mirrored.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON
from sqlmodel import Field, SQLModel

from mirror.columns import UTCDateTime


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
    """An UpKeep object that could not be mapped: recorded, skipped, kept for a person to look at."""

    __tablename__ = "rejects"

    id: int | None = Field(default=None, primary_key=True)
    entity: str = Field(index=True)
    upkeep_id: str | None = Field(default=None, index=True)
    field: str | None = None
    reason: str
    raw: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    run_id: str | None = None
    seen_at: datetime = Field(sa_type=UTCDateTime)


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
