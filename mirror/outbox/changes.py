"""What an outbox operation does to its mirror row: apply, re-apply after a pull, detect conflicts, revert.

An update's ``payload``/``base``/``remote`` are ``{"fields": {...}, "columns": {...}}``: UpKeep's
field names with the values sent on the wire, and the mirror's *primary* columns (the ones UpKeep
fields map to one for one: ``upkeep_status``, ``upkeep_priority``, ``assigned_to``...). Derived
columns (Machina's ``status``, ``priority``, ``type``, ``spare_parts``, ``metadata``) are
recomputed from the primary ones whenever a change is applied, so they never disagree.

The row's ``raw`` object is patched with the same fields, so it stays "the UpKeep object as the
mirror believes it to be". That also makes the next pull see the row as changed and refresh it
(``mirror.store.upsert_rows`` skips rows whose raw object is unchanged), after which the pull
calls :func:`reapply_pending`.

Derived columns come from the one UpKeep <-> Machina mapping in :mod:`mirror.vocabulary`, the
one the pull (``sync.mapping``) uses.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, update
from sqlmodel import Session

from mirror.outbox._queue import OutboxOp, open_records, refresh_local_state, utcnow
from mirror.schema import table_of
from mirror.timestamps import format_utc, parse_utc
from mirror.vocabulary import (
    DEFAULT_UPKEEP_PRIORITY,
    PRIORITY_FROM_UPKEEP,
    UPDATE_KINDS,
    UpKeepStatus,
    machina_status,
    work_order_type,
)

# --- UpKeep fields and mirror columns -----------------------------------------------------------

#: Per entity: primary column -> the UpKeep fields that carry it.
COLUMN_FIELDS: dict[str, dict[str, tuple[str, ...]]] = {
    "work_orders": {
        "title": ("title",),
        "description": ("description",),
        "upkeep_status": ("status",),
        "upkeep_priority": ("priority",),
        "assigned_to": ("assignedToUser",),
        "category": ("category",),
        "due_date": ("dueDate",),
        "parts_used": ("parts", "respectivePartQuantityUsed"),
    },
    "parts": {"stock_quantity": ("quantity",)},
}
#: Fields sent as unix milliseconds but returned (and kept in ``raw``) as ISO-8601 text.
_MS_FIELDS = {"dueDate", "startDate", "date"}


def norm(value: Any) -> Any:
    """A column value in the form it is compared and stored in JSON (timestamps as ISO text)."""
    if isinstance(value, datetime):
        return format_utc(value)
    if isinstance(value, str) and len(value) >= 20 and value[4:5] == "-" and value.endswith("Z"):
        try:
            return format_utc(parse_utc(value))
        except ValueError:
            return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def raw_form(fields: dict[str, Any]) -> dict[str, Any]:
    """Request-body fields as UpKeep returns them in objects (timestamps as ISO text)."""
    out = {}
    for key, value in fields.items():
        if key in _MS_FIELDS and isinstance(value, int | float) and not isinstance(value, bool):
            value = format_utc(datetime.fromtimestamp(value / 1000, tz=UTC))
        out[key] = value
    return out


# --- applying values to a row -------------------------------------------------------------------


def load_row(session: Session, entity: str, record_id: str) -> dict[str, Any] | None:
    table = table_of(entity)
    row = session.execute(select(table).where(table.c.id == record_id)).mappings().first()
    return dict(row) if row else None


def derive(session: Session, entity: str, row: dict[str, Any]) -> dict[str, Any]:
    """Columns computed from primary ones (Machina's fields, metadata) for a row being changed."""
    if entity != "work_orders":
        return {}
    status = row.get("upkeep_status") or UpKeepStatus.OPEN.value
    priority = row.get("upkeep_priority")
    priority = DEFAULT_UPKEEP_PRIORITY if priority is None else int(priority)
    used = row.get("parts_used") or []
    parts = table_of("parts")
    skus: dict[str, str] = dict(session.execute(
        select(parts.c.id, parts.c.sku).where(parts.c.id.in_([p["part_id"] for p in used]))
    ).all()) if used else {}
    metadata = dict(row.get("metadata") or {})
    for key in ("title", "work_order_no", "upkeep_status", "upkeep_priority", "category"):
        value = {"upkeep_status": status, "upkeep_priority": priority}.get(key, row.get(key))
        if value is None:
            metadata.pop(key, None)
        else:
            metadata[key] = value
    return {
        "status": machina_status(
            status, assigned=row.get("assigned_to") is not None, archived=bool(row.get("archived"))
        ).value,
        "priority": PRIORITY_FROM_UPKEEP[priority].value,
        "type": work_order_type(row.get("category")).value,
        "spare_parts": [
            {"sku": skus.get(p["part_id"], p["part_id"]), "qty": max(1, math.ceil(p["qty"]))}
            for p in used if p["qty"] > 0
        ],
        "metadata": metadata,
    }


def apply_values(
    session: Session, entity: str, record_id: str, values: dict[str, Any], *, stamp: datetime | None = None
) -> bool:
    """Set the given primary columns (and ``raw`` fields) on the row, recompute derived ones.

    Return False when the row does not exist (nothing to apply to).
    """
    row = load_row(session, entity, record_id)
    if row is None:
        return False
    columns = dict(values.get("columns") or {})
    raw = {**(row.get("raw") or {}), **raw_form(values.get("fields") or {})}
    changes = {**columns, **derive(session, entity, {**row, **columns}), "raw": raw}
    if entity == "work_orders":
        changes["updated_at"] = stamp or utcnow()
    table = table_of(entity)
    session.execute(update(table).where(table.c.id == record_id).values(changes))
    return True


# --- conflicts ----------------------------------------------------------------------------------


#: ``(column, value) -> value`` applied on both sides before comparing (e.g. to drop a marker).
Normalizer = Callable[[str, Any], Any]


def _same_form(normalize: Normalizer | None) -> Normalizer:
    return (lambda col, value: normalize(col, norm(value))) if normalize else (lambda col, value: norm(value))


def find_conflicts(
    op: OutboxOp, remote_row: dict[str, Any], *, normalize: Normalizer | None = None
) -> dict[str, Any]:
    """UpKeep's values of the op's columns that changed since its base, to something else than ours.

    ``remote_row`` is UpKeep's current object mapped to a row (with ``raw``). A remote value equal
    to ours is no conflict (the same change, or ours already applied). Empty dict: no conflict.
    """
    form = _same_form(normalize)
    base = (op.base or {}).get("columns", {})
    remote_cols, remote_fields = {}, {}
    raw = remote_row.get("raw") or {}
    for col, value in op.payload.get("columns", {}).items():
        theirs = form(col, remote_row.get(col))
        if theirs != form(col, base.get(col)) and theirs != form(col, value):
            remote_cols[col] = norm(remote_row.get(col))
            for field in COLUMN_FIELDS.get(op.entity, {}).get(col, ()):
                remote_fields[field] = raw.get(field)
    return {"columns": remote_cols, "fields": remote_fields} if remote_cols else {}


def already_applied(op: OutboxOp, remote_row: dict[str, Any], *, normalize: Normalizer | None = None) -> bool:
    """True when UpKeep already holds every value the op sets (e.g. sent before a lost answer)."""
    form = _same_form(normalize)
    return all(form(c, remote_row.get(c)) == form(c, v) for c, v in op.payload.get("columns", {}).items())


def reapply_pending(
    session: Session, entity: str, ids: list[str], *, now: datetime | None = None
) -> list[str]:
    """Put open local changes back on rows a pull just refreshed; return the ids re-applied to.

    Call it inside the pull's page transaction, right after ``upsert_rows`` for the page, with
    the ids of the page's rows. Cheap when nothing is pending (one indexed query).

    Every open op (pending, sending, dead, conflict) is re-applied in seq order, so the
    technician's change stays visible until it is sent, resolved or discarded; fields the ops do
    not set show UpKeep's fresh values (the merge).

    Conflicts are *not* decided here but by the replayer, from a GET made right before the PATCH:
    a pull that runs concurrently with a replay may write a page fetched before the replay's
    write-back, and judging conflicts from such a stale page would raise false ones.
    """
    done: list[str] = []
    for record_id, ops in open_records(session, entity, ids).items():
        applied = False
        for op in ops:
            if op.kind in UPDATE_KINDS:
                applied |= apply_values(session, entity, record_id, op.payload, stamp=op.created_at)
        if applied:
            done.append(record_id)
        refresh_local_state(session, entity, record_id)
    return done


def revert_values(session: Session, op: OutboxOp) -> None:
    """Undo an update op's change on its row, for columns no later open op of the record sets.

    The value put back is UpKeep's known value: the conflict's remote value if any, else the base.
    """
    later = [
        o for o in open_records(session, op.entity, [op.record_id]).get(op.record_id, [])
        if o.seq > op.seq and o.kind in UPDATE_KINDS  # type: ignore[operator]  # ops read back have a seq
    ]
    taken = {c for o in later for c in o.payload.get("columns", {})}
    base, remote = op.base or {}, op.remote or {}
    columns, fields = {}, {}
    for col in op.payload.get("columns", {}):
        if col in taken:
            continue
        source = remote if col in remote.get("columns", {}) else base
        columns[col] = source.get("columns", {}).get(col)
        for field in COLUMN_FIELDS.get(op.entity, {}).get(col, ()):
            fields[field] = source.get("fields", {}).get(field)
    if columns:
        apply_values(session, op.entity, op.record_id, {"columns": columns, "fields": fields})

