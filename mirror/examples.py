"""Rows picked to show people what to try: an open work order to update, a checklist item to tick.

``upkeep-mirror demo`` prints its "things to try" with real ids from the mirror it just synced
(and skips the first sync when the mirror already has work orders). Plain ``sqlite3`` reads.
"""

from __future__ import annotations

from typing import NamedTuple

from mirror.sqlite import AnyConnection, dbapi
from mirror.vocabulary import UNFINISHED_STATUSES_SQL, UpKeepStatus

__all__ = ["OpenTask", "OpenWorkOrder", "has_work_orders", "open_task", "open_work_order"]


class OpenWorkOrder(NamedTuple):
    id: str
    title: str


class OpenTask(NamedTuple):
    work_order_id: str
    name: str


def has_work_orders(conn: AnyConnection) -> bool:
    """Whether any work order was ever pulled or written (a mirror in use, not a new one)."""
    return dbapi(conn).execute("SELECT 1 FROM work_orders LIMIT 1").fetchone() is not None


def open_work_order(conn: AnyConnection) -> OpenWorkOrder | None:
    """The first live work order still open (lowest id), or None."""
    row = dbapi(conn).execute(
        f"SELECT id, title FROM work_orders WHERE upkeep_status = '{UpKeepStatus.OPEN}' "
        "AND deleted_at IS NULL ORDER BY id LIMIT 1").fetchone()
    return OpenWorkOrder(*row) if row else None


def open_task(conn: AnyConnection) -> OpenTask | None:
    """The first unticked TASK item on a live, unfinished work order's checklist, or None."""
    row = dbapi(conn).execute(
        "SELECT t.work_order_id, t.name FROM work_order_tasks t JOIN work_orders w ON w.id = t.work_order_id "
        f"WHERE w.upkeep_status IN {UNFINISHED_STATUSES_SQL} AND w.deleted_at IS NULL AND t.type = 'TASK' "
        "AND coalesce(t.value, 'OPEN') != 'COMPLETE' ORDER BY t.work_order_id, t.position LIMIT 1").fetchone()
    return OpenTask(*row) if row else None
