"""The local write API: change the mirror now, queue the change for UpKeep, in one transaction.

Each function validates its input against the mirror (the asset, location, user, part or meter
must be there and not deleted; statuses, priorities and quantities must be ones UpKeep accepts)
and raises :class:`InvalidWrite` naming the field *before* anything is written. Then, in one
``BEGIN IMMEDIATE`` transaction, it applies the change to the mirror row (optimistically: the
row's ``local_state`` becomes ``pending``) and appends the outbox operation that will carry it
to UpKeep. A crash leaves both or neither.

Records created here get a temporary ``local-...`` id; the replayer swaps in UpKeep's id
everywhere once UpKeep answers. Updates remember the values they were made from (``base``) so
the replayer can tell a remote change to the same field (a conflict) from one to another field.

The checks are in :mod:`mirror.writes._validate`. The person-facing queue actions (retry, discard,
resolve a conflict) are in :mod:`mirror.outbox.actions`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert
from sqlmodel import Session

import mirror.writes._validate as check
from mirror.db import Mirror
from mirror.errors import InvalidWrite
from mirror.outbox import (
    COLUMN_FIELDS,
    OutboxOp,
    WorkOrderMessage,
    append,
    apply_values,
    derive,
    load_row,
    new_local_id,
    norm,
    raw_form,
    refresh_local_state,
    utcnow,
)
from mirror.schema import table_of
from mirror.store import complete_row
from mirror.timestamps import format_utc, parse_utc
from mirror.vocabulary import DEFAULT_UPKEEP_PRIORITY, LocalState, OpKind, UpKeepStatus


@dataclass(frozen=True)
class Queued:
    """What a local write queued: the operation's seq and op_id, and the record it changed."""

    seq: int
    op_id: str
    entity: str
    record_id: str
    kind: str


class _Unset:
    def __repr__(self) -> str:
        return "UNSET"


#: "Leave this field as it is" (``None`` means "clear it", where UpKeep allows that).
UNSET: Any = _Unset()


def _work_order(session: Session, work_order_id: Any) -> dict[str, Any]:
    record_id = check.ref(session, "work_orders", "work_order_id", work_order_id)
    return load_row(session, "work_orders", record_id)  # type: ignore[arg-type,return-value]  # ref raises unless it exists


def _queued(op: OutboxOp) -> Queued:
    return Queued(op.seq, op.op_id, op.entity, op.record_id, op.kind)  # type: ignore[arg-type]  # seq is set once the op is flushed


def _insert(session: Session, entity: str, row: dict[str, Any]) -> None:
    table = table_of(entity)
    session.execute(insert(table).values(complete_row(table.name, row)))


def _new_record(session: Session, entity: str, kind: OpKind, fields: dict, columns: dict, now: datetime,
                extra_raw: dict | None = None, extra_columns: dict | None = None) -> Queued:
    """Insert a locally created row and queue its create, in the caller's transaction."""
    record_id = new_local_id()
    stamp = format_utc(now)
    raw = {"id": record_id, **raw_form(fields), **(extra_raw or {}), "createdAt": stamp, "updatedAt": stamp}
    row = {"id": record_id, "raw": raw, "local_state": LocalState.PENDING.value, **columns,
           **(extra_columns or {})}
    _insert(session, entity, {**row, **derive(session, entity, row)})
    op = append(session, entity=entity, record_id=record_id, kind=kind,
                payload={"fields": fields, "columns": columns}, now=now)
    return _queued(op)


def _wire(refs: dict[str, tuple[str, Any]]) -> dict[str, Any]:
    return {wire: value for wire, (_col, value) in refs.items() if value is not None}


# --- the write API ------------------------------------------------------------------------------


def _new_fields(s: Session, entity: str, *, title: Any, description: Any, priority: Any, category: Any,
                asset_id: Any, location_id: Any, assigned_to: Any, due_date: Any,
                **more: tuple[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Validate a new work order's or request's fields: (UpKeep POST body, mirror columns)."""
    refs = {
        "title": ("title", check.text("title", title, required=True)),
        "description": ("description", check.text("description", description)),
        "priority": ("upkeep_priority", None if priority is None else check.priority(priority)),
        "category": ("category", check.category(s, entity, category)),
        "asset": ("asset_id", check.ref(s, "assets", "asset_id", asset_id)),
        "location": ("location_id", check.ref(s, "locations", "location_id", location_id)),
        **more,
        "assignedToUser": ("assigned_to", check.ref(s, "users", "assigned_to", assigned_to, by="email")),
        "dueDate": ("due_date", None if due_date is None else check.when("due_date", due_date)),
    }
    fields = _wire(refs)
    if "dueDate" in fields:
        fields["dueDate"] = check.ms(fields["dueDate"])
    return fields, {col: norm(value) for col, value in refs.values()}


def create_work_order(
    mirror: Mirror, *, title: str, description: str = "", priority: Any = None, category: str | None = None,
    asset_id: str | None = None, location_id: str | None = None, assigned_to: str | None = None,
    due_date: Any = None, now: datetime | None = None,
) -> Queued:
    """A new work order, open, shown at once under a ``local-...`` id; queued as a POST."""
    now = now or utcnow()
    with mirror.write() as s:
        fields, columns = _new_fields(s, "work_orders", title=title, description=description, priority=priority,
                                      category=category, asset_id=asset_id, location_id=location_id,
                                      assigned_to=assigned_to, due_date=due_date)
        columns["upkeep_status"] = UpKeepStatus.OPEN.value
        if columns["upkeep_priority"] is None:
            columns["upkeep_priority"] = DEFAULT_UPKEEP_PRIORITY
        return _new_record(s, "work_orders", OpKind.CREATE, fields, columns, now,
                           {"status": UpKeepStatus.OPEN.value},
                           {"created_at": now, "updated_at": now})


def update_work_order(
    mirror: Mirror, work_order_id: str, *, status: Any = UNSET, priority: Any = UNSET,
    assigned_to: Any = UNSET, title: Any = UNSET, description: Any = UNSET, category: Any = UNSET,
    due_date: Any = UNSET, now: datetime | None = None,
) -> Queued:
    """Change fields of a work order; only fields whose value changes are queued (as one PATCH).

    ``None`` clears ``assigned_to``, ``category``, ``due_date`` or ``description``.
    """
    now = now or utcnow()
    with mirror.write() as s:
        row = _work_order(s, work_order_id)
        wanted: dict[str, Any] = {}
        if status is not UNSET:
            wanted["upkeep_status"] = check.status(status)
        if priority is not UNSET:
            wanted["upkeep_priority"] = check.priority(priority)
        if assigned_to is not UNSET:
            wanted["assigned_to"] = check.ref(s, "users", "assigned_to", assigned_to, by="email")
        if title is not UNSET:
            wanted["title"] = check.text("title", title, required=True)
        if description is not UNSET:
            wanted["description"] = check.text("description", description)
        if category is not UNSET:
            wanted["category"] = check.category(s, "work_orders", category)
        if due_date is not UNSET:
            wanted["due_date"] = None if due_date is None else norm(check.when("due_date", due_date))
        if not wanted:
            raise InvalidWrite("fields", "give at least one field to change")
        changed = {c: v for c, v in wanted.items() if norm(v) != norm(row.get(c))}
        if not changed:
            raise InvalidWrite(", ".join(wanted),
                               f"work order {row['id']} already has these values; nothing to change")
        fields = {}
        for col, value in changed.items():
            (field,) = COLUMN_FIELDS["work_orders"][col]
            fields[field] = check.ms(parse_utc(value)) if col == "due_date" and value else value
        return _queue_update(s, "work_orders", row, OpKind.UPDATE, fields, changed, now)


def _queue_update(s: Session, entity: str, row: dict, kind: OpKind, fields: dict, columns: dict,
                  now: datetime) -> Queued:
    raw = row.get("raw") or {}
    base = {
        "columns": {c: norm(row.get(c)) for c in columns},
        "fields": {f: raw.get(f) for c in columns for f in COLUMN_FIELDS[entity][c]},
    }
    payload = {"fields": fields, "columns": columns}
    apply_values(s, entity, row["id"], payload, stamp=now)
    op = append(s, entity=entity, record_id=row["id"], kind=kind, payload=payload, base=base, now=now)
    refresh_local_state(s, entity, row["id"])
    return _queued(op)


def add_work_order_message(
    mirror: Mirror, work_order_id: str, text: str, *, now: datetime | None = None
) -> Queued:
    """A message on a work order: kept in ``work_order_messages`` at once, queued for UpKeep."""
    now = now or utcnow()
    with mirror.write() as s:
        row = _work_order(s, work_order_id)
        body = check.text("text", text, required=True)
        op = append(s, entity="work_orders", record_id=row["id"], kind=OpKind.MESSAGE,
                    payload={"fields": {"text": body}}, now=now)
        s.add(WorkOrderMessage(id=op.op_id, work_order_id=row["id"], text=body, created_at=now))
        s.flush()
        refresh_local_state(s, "work_orders", row["id"])
        return _queued(op)


def record_parts_used(
    mirror: Mirror, work_order_id: str, parts: Mapping[str, Any], *, now: datetime | None = None
) -> Queued:
    """Add quantities of parts (by id or SKU) to a work order's parts used; queued as one PATCH.

    UpKeep takes the whole ``parts`` / ``respectivePartQuantityUsed`` arrays, so the op carries
    them whole; a remote change to the work order's parts since is a conflict. UpKeep lowers the
    parts' stock itself; the mirror shows that after the next pull.
    """
    now = now or utcnow()
    with mirror.write() as s:
        row = _work_order(s, work_order_id)
        if not parts:
            raise InvalidWrite("parts", "give at least one part and quantity")
        used = [dict(p) for p in row.get("parts_used") or []]
        for key, qty in parts.items():
            part_id = check.ref(s, "parts", "parts", key, by="sku")
            amount = check.number(f"quantity of {key}", qty, positive=True)
            entry = next((p for p in used if p["part_id"] == part_id), None)
            if entry is None:
                used.append({"part_id": part_id, "qty": amount})
            else:
                entry["qty"] = norm(float(entry["qty"]) + amount)
        fields = {"parts": [p["part_id"] for p in used],
                  "respectivePartQuantityUsed": [p["qty"] for p in used]}
        return _queue_update(s, "work_orders", row, OpKind.PARTS_USED, fields, {"parts_used": used}, now)


def create_request(
    mirror: Mirror, *, title: str, description: str = "", priority: Any = None, category: str | None = None,
    asset_id: str | None = None, location_id: str | None = None, team_id: str | None = None,
    assigned_to: str | None = None, due_date: Any = None, now: datetime | None = None,
) -> Queued:
    """A new maintenance request, shown at once under a ``local-...`` id; queued as a POST."""
    now = now or utcnow()
    with mirror.write() as s:
        fields, columns = _new_fields(s, "requests", title=title, description=description, priority=priority,
                                      category=category, asset_id=asset_id, location_id=location_id,
                                      assigned_to=assigned_to, due_date=due_date,
                                      team=("team_id", check.ref(s, "teams", "team_id", team_id)))
        columns["status"] = "open"
        return _new_record(s, "requests", OpKind.REQUEST, fields, columns, now, {"status": "open"})


def add_meter_reading(
    mirror: Mirror, meter_id: str, value: Any, *, date: Any = None, now: datetime | None = None
) -> Queued:
    """A reading of a meter, taken at ``date`` (default now); queued as a POST to the meter."""
    now = now or utcnow()
    with mirror.write() as s:
        meter = check.ref(s, "meters", "meter_id", meter_id)
        number = check.number("value", value)
        taken = now if date is None else check.when("date", date)
        fields = {"value": number, "date": check.ms(taken)}
        columns = {"meter_id": meter, "value": number, "date": norm(taken)}
        return _new_record(s, "meter_readings", OpKind.READING, fields, columns, now, {"meter": meter})


def set_part_quantity(mirror: Mirror, part: str, quantity: Any, *, now: datetime | None = None) -> Queued:
    """The quantity on hand found by a stock count (part by id or SKU); queued as a PATCH.

    A count equal to the mirror's value is still queued: it is an observation, and if UpKeep's
    quantity moved meanwhile the replayer reports a conflict instead of overwriting it.
    """
    now = now or utcnow()
    with mirror.write() as s:
        part_id = check.ref(s, "parts", "part", part, by="sku")
        amount = check.number("quantity", quantity, minimum=0)
        row: dict[str, Any] = load_row(s, "parts", part_id)  # type: ignore[arg-type,assignment]  # ref raises unless it exists
        return _queue_update(s, "parts", row, OpKind.PART_COUNT, {"quantity": amount},
                             {"stock_quantity": math.floor(amount)}, now)
