"""Writing pulled field-work rows: a work order's checklist, file records, and their content state.

- :func:`replace_tasks` swaps a work order's checklist for the one UpKeep just returned, in the
  caller's transaction, and puts open local ticks back on top (invariant 6: a pull never hides a
  pending local change), matching items by id, else by name.
- :func:`upsert_files` writes file records without touching what the mirror knows of their content
  (size, stored bytes, state), which a record from ``/files`` cannot know.
- :func:`tasks_to_refresh` lists work orders whose checklist is missing or older than the work
  order, so a pull fetches only those; :func:`drop_orphan_tasks` clears the checklists of work
  orders that no longer have one.
- :func:`adopt_upload` gives a file added here UpKeep's id and record once the replayer uploaded it.
- :func:`tombstone_unlisted_files` marks what a complete ``/files`` listing no longer has as deleted.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from mirror.file_content import rename_content
from mirror.sqlite import AnyConnection, dbapi
from mirror.store import table_name, upsert_rows
from mirror.timestamps import format_utc
from mirror.vocabulary import OPEN_STATES, OPEN_STATES_SQL, LocalState, OpKind

if TYPE_CHECKING:
    from sqlmodel import Session

    from mirror.outbox import OutboxOp

TASK_COLUMNS = ("id", "work_order_id", "position", "name", "type", "value", "value_number", "options",
                "meter_id", "raw", "synced_at", "local_state")


def _sql_value(value: Any) -> Any:
    if isinstance(value, (list, dict)):
        return json.dumps(value)
    if isinstance(value, datetime):
        return format_utc(value)
    return value


def replace_tasks(
    conn: AnyConnection, work_order_id: str, rows: Sequence[dict[str, Any]], *,
    upkeep_updated_at: datetime | None, now: datetime | None = None,
) -> int:
    """Make the work order's checklist exactly ``rows`` (mapped items, in order); return the count."""
    conn, stamp = dbapi(conn), format_utc(now or datetime.now(UTC))
    conn.execute("DELETE FROM work_order_tasks WHERE work_order_id = ?", (work_order_id,))
    if rows:
        placeholders = ", ".join(f":{c}" for c in TASK_COLUMNS)
        conn.executemany(
            f"INSERT OR REPLACE INTO work_order_tasks ({', '.join(TASK_COLUMNS)}) VALUES ({placeholders})",
            [{**{c: _sql_value(r.get(c)) for c in TASK_COLUMNS}, "synced_at": stamp,
              "local_state": LocalState.SYNCED.value} for r in rows],
        )
    conn.execute(
        "INSERT INTO work_order_task_lists (work_order_id, upkeep_updated_at, items, synced_at) "
        "VALUES (:w, :u, :n, :s) ON CONFLICT(work_order_id) DO UPDATE SET "
        "upkeep_updated_at = excluded.upkeep_updated_at, items = excluded.items, synced_at = excluded.synced_at",
        {"w": work_order_id, "u": _sql_value(upkeep_updated_at), "n": len(rows), "s": stamp},
    )
    reapply_task_values(conn, work_order_id)
    return len(rows)


def reapply_task_values(conn: AnyConnection, work_order_id: str) -> int:
    """Show open local ticks of the work order on its (freshly written) checklist rows."""
    conn = dbapi(conn)
    ops = [row[0] for row in conn.execute(
        f"SELECT payload FROM outbox WHERE entity = 'work_orders' AND record_id = :w AND kind = '{OpKind.TASK_VALUE}' "
        f"AND state IN {OPEN_STATES_SQL} ORDER BY seq",
        {"w": work_order_id},
    )]
    applied = 0
    for payload in ops:
        task = (json.loads(payload) if isinstance(payload, str) else payload)["task"]
        value = task["value"]
        number = float(value) if task["type"] in ("NUMBER", "METER") else None
        shown = f"{number:g}" if number is not None else value
        result = conn.execute(
            "UPDATE work_order_tasks SET value = :v, value_number = :n, local_state = :p, "
            "raw = json_set(raw, '$.value', json(:j)) WHERE id = (SELECT id FROM work_order_tasks "
            "WHERE work_order_id = :w AND (id = :i OR name = :name) ORDER BY id = :i DESC LIMIT 1)",
            {"v": shown, "n": number, "p": LocalState.PENDING.value, "j": json.dumps(value), "w": work_order_id,
             "i": task["id"], "name": task["name"]},
        )
        applied += result.rowcount
    return applied


def tasks_to_refresh(conn: AnyConnection, *, limit: int = 500, after: str = "") -> list[tuple[str, str | None]]:
    """(work order id, its updatedAt) of live work orders that list form items and whose stored
    checklist is missing or older than the work order; ordered by id, from ``after``."""
    rows = dbapi(conn).execute(
        "SELECT w.id, w.upkeep_updated_at FROM work_orders w "
        "LEFT JOIN work_order_task_lists t ON t.work_order_id = w.id "
        "WHERE w.id > :after AND w.deleted_at IS NULL AND json_array_length(w.raw, '$.formItems') > 0 "
        "AND (t.work_order_id IS NULL OR t.upkeep_updated_at IS NOT w.upkeep_updated_at) "
        "ORDER BY w.id LIMIT :n",
        {"after": after, "n": limit},
    ).fetchall()
    return [(r[0], r[1]) for r in rows]


def drop_orphan_tasks(conn: AnyConnection) -> None:
    """Delete the checklist items of work orders that are gone or no longer list form items: no
    refresh would replace them (:func:`tasks_to_refresh` skips such work orders)."""
    dbapi(conn).execute(
        "DELETE FROM work_order_tasks WHERE work_order_id IN (SELECT t.work_order_id FROM work_order_task_lists t "
        "JOIN work_orders w ON w.id = t.work_order_id WHERE w.deleted_at IS NOT NULL "
        "OR coalesce(json_array_length(w.raw, '$.formItems'), 0) = 0)")


FILE_RECORD_COLUMNS = ("id", "upkeep_created_at", "upkeep_updated_at", "raw", "filename", "url", "mime_type",
                       "is_image")


def upsert_files(conn: AnyConnection, rows: Sequence[dict[str, Any]], *, now: datetime | None = None) -> int:
    """Insert or update file records; content columns are left as they are (new rows: missing)."""
    if not rows:
        return 0
    stamp = format_utc(now or datetime.now(UTC))
    cols = ", ".join(FILE_RECORD_COLUMNS)
    names = ", ".join(f":{c}" for c in FILE_RECORD_COLUMNS)
    updates = ", ".join(f"{c} = excluded.{c}" for c in FILE_RECORD_COLUMNS if c != "id")
    result = dbapi(conn).executemany(
        f"INSERT INTO files ({cols}, synced_at, deleted_at, local_state, content_state, content_stored_bytes) "
        f"VALUES ({names}, :synced, NULL, 'synced', 'missing', 0) ON CONFLICT(id) DO UPDATE SET {updates}, "
        "synced_at = excluded.synced_at, deleted_at = NULL "
        "WHERE files.raw IS NOT excluded.raw OR files.deleted_at IS NOT NULL",
        [{**{c: _sql_value(r.get(c)) for c in FILE_RECORD_COLUMNS}, "synced": stamp} for r in rows],
    )
    return max(result.rowcount, 0)


def tombstone_unlisted_files(conn: AnyConnection, listed: Sequence[str], *, now: datetime | None = None) -> int:
    """After a complete ``/files`` listing: mark file records it no longer has as deleted; return
    how many. Files added here and not uploaded yet (content ``local``) are not UpKeep's to list."""
    gone = dbapi(conn).execute(
        "UPDATE files SET deleted_at = :t WHERE deleted_at IS NULL AND content_state != 'local' "
        "AND id NOT IN (SELECT value FROM json_each(:ids))",
        {"t": format_utc(now or datetime.now(UTC)), "ids": json.dumps(list(listed))}).rowcount
    return max(gone, 0)


def adopt_upload(conn: AnyConnection, local_id: str, row: dict[str, Any]) -> None:
    """The file added here as ``local_id`` was uploaded and is UpKeep's ``row`` now (same content):
    the local row and its content take the new id, so the bytes are not downloaded again. A record
    of that id a pull brought meanwhile (with or without content) gives way to it."""
    conn = dbapi(conn)
    new = row["id"]
    if conn.execute("SELECT 1 FROM files WHERE id = :i", {"i": new}).fetchone():
        conn.execute("DELETE FROM file_chunks WHERE file_id = :i", {"i": new})
        conn.execute("DELETE FROM files WHERE id = :i", {"i": new})
    conn.execute("UPDATE files SET id = :n WHERE id = :o", {"n": new, "o": local_id})
    rename_content(conn, local_id, new)
    upsert_files(conn, [row])
    conn.execute("UPDATE files SET content_state = 'stored', local_state = :s WHERE id = :i",
                 {"s": LocalState.SYNCED.value, "i": new})


def open_field_ops(session: Session, kind: str) -> list[OutboxOp]:
    """Open outbox operations of one field-work kind, in seq order."""
    from sqlalchemy import select
    from sqlmodel import col

    from mirror.outbox import OutboxOp

    return list(session.scalars(
        select(OutboxOp).where(col(OutboxOp.kind) == kind, col(OutboxOp.state).in_([s.value for s in OPEN_STATES]))
        .order_by(col(OutboxOp.seq))
    ))


def sync_settings(
    conn: AnyConnection, entity: str, rows: Sequence[dict[str, Any]], *, complete: bool,
    listed: Sequence[str] | None = None, now: datetime | None = None,
) -> tuple[int, int]:
    """Upsert a small settings list (form templates, downtime statuses, custom-field definitions);
    when ``complete`` (the whole list was read), rows it no longer has are tombstoned: those not
    in ``listed`` (default: the rows' ids; a pull adds the ids of objects it could not map, which
    are malformed, not deleted). Returns (rows written, rows tombstoned)."""
    conn, now = dbapi(conn), now or datetime.now(UTC)
    written = upsert_rows(conn, entity, rows, now=now)
    gone = 0
    if complete:
        kept = [r["id"] for r in rows] if listed is None else list(listed)
        gone = conn.execute(f"UPDATE {table_name(entity)} SET deleted_at = ? WHERE deleted_at IS NULL "
                            "AND id NOT IN (SELECT value FROM json_each(?))", (format_utc(now), json.dumps(kept))).rowcount
    return written, max(gone, 0)
