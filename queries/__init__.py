"""The read side: named SQL queries (one source for Datasette and Python) and typed query functions.

``queries/sql/*.sql`` holds every named query; :mod:`queries.functions` runs them from Python
(``queries.open_work_orders_for_asset(session, asset="Boiler 2")``) and :mod:`queries.datasette`
turns them into Datasette canned queries. This package imports ``mirror`` only, never ``sync``.

The public names: one function per named query (:data:`FUNCTIONS` maps each query's name to it),
:func:`run` to run a named query into a :class:`Row` type, and :class:`QueryDrift`, raised when a
query's SQL and its row class disagree. The row classes stay in :mod:`queries.functions`.
"""

from queries.functions import (
    FUNCTIONS,
    QueryDrift,
    Row,
    asset_history,
    backlog_by_priority_location,
    backlog_over_time,
    completed_recently,
    completions_per_week,
    cost_per_asset,
    local_writes,
    local_writes_summary,
    mttr_per_asset,
    my_open_work_orders,
    open_work_orders_for_asset,
    overdue_work_orders,
    parts_to_reorder,
    pm_due,
    rejected_objects,
    run,
    search,
    sync_health,
    today,
    urgent_work_orders,
)

__all__ = [
    "FUNCTIONS",
    "QueryDrift",
    "Row",
    "asset_history",
    "backlog_by_priority_location",
    "backlog_over_time",
    "completed_recently",
    "completions_per_week",
    "cost_per_asset",
    "local_writes",
    "local_writes_summary",
    "mttr_per_asset",
    "my_open_work_orders",
    "open_work_orders_for_asset",
    "overdue_work_orders",
    "parts_to_reorder",
    "pm_due",
    "rejected_objects",
    "run",
    "search",
    "sync_health",
    "today",
    "urgent_work_orders",
]
