"""The named queries as typed Python functions over a SQLModel session.

Each function runs the SQL of ``queries/sql/<name>.sql`` (nothing else: no second copy of a
query lives here) with SQLite's own named parameters, exactly as Datasette binds a canned query,
and returns rows as frozen pydantic models: timestamps come back as aware UTC datetimes, flags
as bools, JSON columns as dicts. A row class lists the query's columns in order; if the SQL and the
class ever disagree, :func:`run` raises :class:`QueryDrift` instead of guessing.

    with open_mirror(path, readonly=True) as mirror, mirror.session() as s:
        for wo in queries.open_work_orders_for_asset(s, asset="Boiler 2"):
            print(wo.title, wo.due_date)

(:func:`mirror.db.open_mirror` with ``readonly``: a reader never migrates nor changes the file.)

A parameter left as ``None`` takes the default written in the SQL (the same one Datasette uses
when its form field is empty).
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from typing import Any, TypeVar

from datasette.utils import escape_fts
from pydantic import BaseModel, ConfigDict, Json, field_validator
from sqlmodel import Session

from queries.named import get


class QueryDrift(RuntimeError):
    """A query's SQL returns other columns than its row class declares."""


class Row(BaseModel):
    """One result row of a named query."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    @field_validator("*", mode="after")
    @classmethod
    def _utc(cls, value: Any) -> Any:
        """Timestamps as ``datetime.UTC``, like the mirror's own columns (pydantic gives its own tz)."""
        return value.astimezone(UTC) if isinstance(value, datetime) else value


R = TypeVar("R", bound=Row)


def run(session: Session, name: str, row_type: type[R], **params: Any) -> list[R]:
    """Run the named query ``name`` with bound ``params``; return its rows as ``row_type``."""
    query = get(name)
    if set(params) != set(query.param_names):
        raise TypeError(f"{name} takes parameters {list(query.param_names)}, got {sorted(params)}")
    connection = session.connection()
    # The same FTS escaping Datasette registers on its connections (search terms are never FTS syntax).
    driver = connection.connection.driver_connection
    assert isinstance(driver, sqlite3.Connection)  # the mirror is always SQLite (pysqlite)
    driver.create_function("escape_fts", 1, escape_fts, deterministic=True)
    result = connection.exec_driver_sql(query.sql, params)
    columns = list(result.keys())
    if columns != list(row_type.model_fields):
        raise QueryDrift(f"{name}.sql returns {columns}, but {row_type.__name__} declares {list(row_type.model_fields)}")
    return [row_type.model_validate(dict(zip(columns, values, strict=True))) for values in result]


# --- work orders -----------------------------------------------------------------------------------


class OpenWorkOrder(Row):
    id: str
    work_order_no: str | None
    title: str
    upkeep_status: str
    priority: str
    due_date: datetime | None
    overdue: bool | None
    asset_id: str | None
    asset_name: str | None
    location_id: str | None
    location_name: str | None
    assigned_to: str | None
    assigned_to_name: str | None
    category: str | None
    local_state: str


def my_open_work_orders(session: Session, *, user: str) -> list[OpenWorkOrder]:
    """Open work orders assigned to ``user`` (name, email or UpKeep id), most urgent first."""
    return run(session, "my_open_work_orders", OpenWorkOrder, user=user)


class AssetOpenWorkOrder(Row):
    id: str
    work_order_no: str | None
    title: str
    upkeep_status: str
    priority: str
    due_date: datetime | None
    overdue: bool | None
    asset_id: str | None
    asset_name: str | None
    assigned_to: str | None
    assigned_to_name: str | None
    category: str | None
    local_state: str


def open_work_orders_for_asset(session: Session, *, asset: str) -> list[AssetOpenWorkOrder]:
    """Open work orders on ``asset`` (name or UpKeep id), most urgent first."""
    return run(session, "open_work_orders_for_asset", AssetOpenWorkOrder, asset=asset)


class OverdueWorkOrder(Row):
    id: str
    work_order_no: str | None
    title: str
    upkeep_status: str
    priority: str
    due_date: datetime
    days_overdue: float
    asset_id: str | None
    asset_name: str | None
    location_id: str | None
    location_name: str | None
    assigned_to: str | None
    assigned_to_name: str | None
    local_state: str


def overdue_work_orders(session: Session) -> list[OverdueWorkOrder]:
    """Open work orders past their due date, longest overdue first."""
    return run(session, "overdue_work_orders", OverdueWorkOrder)


class UrgentWorkOrder(Row):
    id: str
    work_order_no: str | None
    title: str
    upkeep_status: str
    priority: str
    due_date: datetime | None
    overdue: bool | None
    asset_id: str | None
    asset_name: str | None
    location_id: str | None
    location_name: str | None
    assigned_to: str | None
    assigned_to_name: str | None
    local_state: str


def urgent_work_orders(session: Session) -> list[UrgentWorkOrder]:
    """Open emergencies and high-priority work orders, emergencies first, then by due date."""
    return run(session, "urgent_work_orders", UrgentWorkOrder)


class Today(Row):
    overdue: int
    urgent: int
    pm_due_7_days: int
    parts_to_reorder: int
    writes_waiting: int
    writes_stuck: int


def today(session: Session) -> list[Today]:
    """The start page's counts (one row): overdue, urgent, PM due in 7 days, parts to reorder, local writes."""
    return run(session, "today", Today)


class AssetHistoryEntry(Row):
    id: str
    work_order_no: str | None
    title: str
    type: str
    upkeep_status: str
    priority: str
    created_at: datetime
    date_completed: datetime | None
    completed_by: str | None
    completed_by_name: str | None
    time_hours: float | None
    labor_cost: float | None  # None: UpKeep recorded no hourly cost
    additional_cost: float
    failure_mode: str | None
    category: str | None
    asset_id: str | None
    asset_name: str | None


def asset_history(session: Session, *, asset: str) -> list[AssetHistoryEntry]:
    """Every live work order on ``asset`` (name or UpKeep id), newest first."""
    return run(session, "asset_history", AssetHistoryEntry, asset=asset)


class CompletedWorkOrder(Row):
    id: str
    work_order_no: str | None
    title: str
    type: str
    priority: str
    date_completed: datetime
    completed_by: str | None
    completed_by_name: str | None
    asset_id: str | None
    asset_name: str | None
    location_id: str | None
    location_name: str | None
    time_hours: float | None
    labor_cost: float | None  # None: UpKeep recorded no hourly cost
    additional_cost: float


def completed_recently(session: Session, *, days: int | None = None) -> list[CompletedWorkOrder]:
    """Work orders completed in the last ``days`` days (default in the SQL: 7)."""
    return run(session, "completed_recently", CompletedWorkOrder, days=days)


class BacklogCell(Row):
    location_name: str
    priority: str
    open_work_orders: int
    overdue: int
    oldest_created_at: datetime
    location_id: str | None


def backlog_by_priority_location(session: Session) -> list[BacklogCell]:
    """Open work orders counted per location and priority, biggest first."""
    return run(session, "backlog_by_priority_location", BacklogCell)


class BacklogWeek(Row):
    week_ending: str
    open_work_orders: int
    created: int
    completed: int


def backlog_over_time(session: Session, *, weeks: int | None = None) -> list[BacklogWeek]:
    """Open work orders at the end of each of the last ``weeks`` weeks (default in the SQL: 26)."""
    return run(session, "backlog_over_time", BacklogWeek, weeks=weeks)


class CompletionsWeek(Row):
    week_ending: str
    completed: int
    corrective: int
    preventive: int
    other: int


def completions_per_week(session: Session, *, weeks: int | None = None) -> list[CompletionsWeek]:
    """Work orders completed per week over the last ``weeks`` weeks (default in the SQL: 26)."""
    return run(session, "completions_per_week", CompletionsWeek, weeks=weeks)


class AssetRepairTime(Row):
    asset_id: str
    asset_name: str | None
    repairs: int
    mean_hours_to_repair: float | None
    last_completed: datetime


def mttr_per_asset(session: Session, *, days: int | None = None) -> list[AssetRepairTime]:
    """Mean hours from creation to completion of corrective work orders, per asset."""
    return run(session, "mttr_per_asset", AssetRepairTime, days=days)


class AssetCost(Row):
    asset_id: str
    asset_name: str | None
    work_orders: int
    labor_cost: float | None  # None: no work order of the asset has a recorded labour cost
    labor_not_recorded: int
    parts_cost: float
    other_cost: float
    total_cost: float


def cost_per_asset(session: Session, *, days: int | None = None) -> list[AssetCost]:
    """Labour, parts and other cost of work orders completed in the last ``days`` days, per asset."""
    return run(session, "cost_per_asset", AssetCost, days=days)


# --- planning and stock ----------------------------------------------------------------------------


class PlanDue(Row):
    id: str
    name: str
    work_order_title: str
    next_due_date: datetime
    days_until_due: float
    frequency: str | None  # "every 2 weeks"
    asset_id: str | None
    asset_name: str | None
    location_id: str | None
    location_name: str | None
    assigned_to: str | None
    assigned_to_name: str | None
    estimated_duration_hours: float | None


def pm_due(session: Session, *, days: int | None = None) -> list[PlanDue]:
    """Active preventive maintenance due within ``days`` days (default in the SQL: 14), or past due."""
    return run(session, "pm_due", PlanDue, days=days)


class PartToReorder(Row):
    id: str
    sku: str
    name: str
    stock_quantity: int
    reorder_point: int
    shortfall: int
    vendor_name: str | None
    last_ordered_at: datetime | None
    last_order_status: str | None
    unit_cost: float
    warehouse_location: str
    location_name: str | None
    local_state: str
    vendor_id: str | None
    last_purchase_order_id: str | None
    location_id: str | None


def parts_to_reorder(session: Session) -> list[PartToReorder]:
    """Parts at or below their reorder point, biggest shortfall first, with the vendor last ordered from."""
    return run(session, "parts_to_reorder", PartToReorder)


class SearchHit(Row):
    kind: str  # "work order" | "asset" | "part"
    id: str
    name: str
    status: str | None
    asset_name: str | None
    location_name: str | None
    asset_id: str | None
    location_id: str | None


def search(session: Session, *, q: str) -> list[SearchHit]:
    """Work orders, assets and parts matching every word of ``q``."""
    return run(session, "search", SearchHit, q=q)


# --- the mirror itself -------------------------------------------------------------------------------


class LocalWrite(Row):
    seq: int
    state: str  # pending | sending | dead | conflict
    entity: str
    record_id: str
    record_name: str | None
    kind: str
    attempts: int
    last_error: str | None
    next_attempt_at: datetime | None
    created_at: datetime
    updated_at: datetime
    age_hours: float
    payload: Json[Any]
    base: Json[Any] | None
    remote: Json[Any] | None
    local_id: str | None  # the local-... id the record had before UpKeep accepted its create


def local_writes(session: Session) -> list[LocalWrite]:
    """Local writes UpKeep has not accepted yet: pending, sending, failed (dead) or in conflict."""
    return run(session, "local_writes", LocalWrite)


class QueueState(Row):
    state: str
    operations: int
    oldest_created_at: datetime | None
    oldest_age_hours: float | None
    last_error: str | None


def local_writes_summary(session: Session) -> list[QueueState]:
    """Per state of the local-write queue: count, age of the oldest, latest error."""
    return run(session, "local_writes_summary", QueueState)


class EntityHealth(Row):
    entity: str
    status: str  # offline | failing | running | never synced | stale | ok
    last_success_at: datetime | None
    hours_since_success: float | None
    last_run_started_at: datetime | None
    last_run_error: str | None
    failing_since: datetime | None
    last_reconciled_at: datetime | None
    upkeep_online: bool | None
    offline_since: datetime | None
    last_connection_error: str | None


def sync_health(session: Session) -> list[EntityHealth]:
    """Per entity: last successful pull, last error, failing since; and whether UpKeep answers."""
    return run(session, "sync_health", EntityHealth)


class RejectedObject(Row):
    last_seen: datetime
    entity: str
    upkeep_id: str | None
    field: str | None
    reason: str
    times_seen: int
    first_seen: datetime
    run_id: str | None
    raw: Json[Any]


def rejected_objects(session: Session) -> list[RejectedObject]:
    """UpKeep objects a sync could not map and skipped, once each, most recently seen first, with the reason."""
    return run(session, "rejected_objects", RejectedObject)


#: Named query -> its function; every named query has exactly one (tests/queries check it).
FUNCTIONS = {
    f.__name__: f
    for f in (
        my_open_work_orders,
        open_work_orders_for_asset,
        overdue_work_orders,
        urgent_work_orders,
        today,
        asset_history,
        completed_recently,
        backlog_by_priority_location,
        backlog_over_time,
        completions_per_week,
        mttr_per_asset,
        cost_per_asset,
        pm_due,
        parts_to_reorder,
        search,
        local_writes,
        local_writes_summary,
        sync_health,
        rejected_objects,
    )
}
