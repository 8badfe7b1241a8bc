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

The person-facing queue actions (retry, discard, resolve a conflict) are in :mod:`mirror.outbox_actions`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import func, insert, select
from sqlmodel import Session

from mirror.changes import (
    COLUMN_FIELDS,
    PRIORITY_NAMES,
    STATUS_SPELLINGS,
    apply_values,
    derive,
    load_row,
    norm,
    raw_form,
)
from mirror.db import Mirror
from mirror.enums import LocalState
from mirror.outbox import (
    OpKind,
    OutboxOp,
    WorkOrderMessage,
    append,
    new_local_id,
    refresh_local_state,
    utcnow,
)
from mirror.schema import MIRRORED
from mirror.store import complete_row
from mirror.timestamps import format_utc, parse_utc


class InvalidWrite(ValueError):
    """The write was refused before anything was written; fix ``field`` and try again."""

    def __init__(self, field: str, reason: str):
        self.field, self.reason = field, reason
        super().__init__(f"{field}: {reason}")


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

#: Longest text accepted per field, in characters, checked before anything is queued. The API
#: reference states no limits; these keep a pasted file or a runaway script out of the queue (and
#: out of UpKeep) while leaving room for any real title, description or message.
LIMITS = {
    "title": 500,
    "description": 20_000,
    "text": 10_000,  # a work order message
    "category": 200,
    "id": 200,  # any UpKeep id, local-... id, SKU or email given as a reference
    "value": 64,  # a number, date, status or priority given as text
}

_LABELS = {"assets": "asset", "locations": "location", "users": "user", "teams": "team", "parts": "part",
           "meters": "meter", "work_orders": "work order"}


# --- validation ---------------------------------------------------------------------------------


def _short(value: Any) -> str:
    """``repr(value)``, cut short: a refusal quotes what it refused, not ten megabytes of it."""
    shown = repr(value)
    return shown if len(shown) <= 60 else f"{shown[:40]}... ({len(shown):,} characters)"


def _fits(field: str, value: Any, limit: str) -> None:
    if isinstance(value, str) and len(value) > LIMITS[limit]:
        raise InvalidWrite(field, f"at most {LIMITS[limit]:,} characters, got {len(value):,}")


def _text(field: str, value: Any, *, required: bool = False) -> str:
    if value is None and not required:
        return ""
    if not isinstance(value, str):
        raise InvalidWrite(field, f"expected text, got {type(value).__name__}")
    _fits(field, value, field if field in LIMITS else "text")
    if required and not value.strip():
        raise InvalidWrite(field, "must not be empty")
    return value.strip()


def _priority(value: Any) -> int:
    _fits("priority", value, "value")
    names = {v: k for k, v in PRIORITY_NAMES.items()}
    if isinstance(value, str) and value.strip().lower() in names:
        return names[value.strip().lower()]
    try:
        number = int(str(value).strip()) if not isinstance(value, bool) else -1
    except ValueError:
        number = -1
    if number not in PRIORITY_NAMES:
        raise InvalidWrite("priority", f"{_short(value)} is not a priority; use 0-3 or {', '.join(names)}")
    return number


def _status(value: Any) -> str:
    _fits("status", value, "value")
    key = str(value).strip().lower() if isinstance(value, str) else ""
    if key == "cancelled":
        raise InvalidWrite("status", "UpKeep has no cancelled status; put the work order on hold or "
                                     "complete it")
    if key not in STATUS_SPELLINGS:
        raise InvalidWrite("status", f"{_short(value)} is not a status; use open, onHold, inProgress or complete")
    return STATUS_SPELLINGS[key]


def _when(field: str, value: Any) -> datetime:
    _fits(field, value, "value")
    try:
        if isinstance(value, datetime):
            return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        if isinstance(value, date):
            return datetime.combine(value, time(), tzinfo=UTC)
        if isinstance(value, str):
            return parse_utc(value)
    except ValueError:
        pass
    raise InvalidWrite(field, f"expected a date or ISO-8601 timestamp, got {_short(value)}")


def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def _number(field: str, value: Any, *, minimum: float | None = None, positive: bool = False) -> float | int:
    if isinstance(value, bool):
        raise InvalidWrite(field, f"expected a number, got {_short(value)}")
    _fits(field, value, "value")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise InvalidWrite(field, f"expected a number, got {_short(value)}") from None
    if not math.isfinite(number):
        raise InvalidWrite(field, f"expected a finite number, got {_short(value)}")
    if minimum is not None and number < minimum:
        raise InvalidWrite(field, f"must not be negative, got {_short(value)}")
    if positive and number <= 0:
        raise InvalidWrite(field, f"must be more than 0, got {_short(value)}")
    return int(number) if number.is_integer() else number


def _ref(session: Session, entity: str, field: str, value: Any, *, by: str | None = None) -> str | None:
    """The id of an existing, not deleted row of ``entity`` (looked up by id, else by ``by``)."""
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise InvalidWrite(field, f"expected an id, got {_short(value)}")
    _fits(field, value, "id")
    table = MIRRORED[entity].__table__  # type: ignore[attr-defined]
    rows = session.execute(select(table.c.id, table.c.deleted_at).where(table.c.id == value.strip())).all()
    if not rows and by is not None:
        rows = session.execute(
            select(table.c.id, table.c.deleted_at)
            .where(table.c[by] == value.strip(), table.c.deleted_at.is_(None))
        ).all()
        if len(rows) > 1:
            raise InvalidWrite(field, f"{len(rows)} {_LABELS[entity]}s have {by} {_short(value)}; give the id")
    label = _LABELS[entity]
    if not rows:
        raise InvalidWrite(field, f"no {label} {_short(value)} in the mirror (check the id, or sync first)")
    if rows[0].deleted_at is not None:
        raise InvalidWrite(field, f"{label} {_short(value)} was deleted in UpKeep")
    return rows[0].id


def _category(session: Session, entity: str, value: Any) -> str | None:
    """The category as the account spells it, if the mirror has seen it (UpKeep refuses unknown ones)."""
    text = _text("category", value) or None
    if text is None:
        return None
    table = MIRRORED[entity].__table__  # type: ignore[attr-defined]
    known = session.scalars(
        select(table.c.category).where(func.lower(table.c.category) == text.lower()).limit(1)
    ).first()
    return known or text


def _work_order(session: Session, work_order_id: Any) -> dict[str, Any]:
    record_id = _ref(session, "work_orders", "work_order_id", work_order_id)
    return load_row(session, "work_orders", record_id)  # type: ignore[arg-type,return-value]


def _queued(op: OutboxOp) -> Queued:
    return Queued(op.seq, op.op_id, op.entity, op.record_id, op.kind)  # type: ignore[arg-type]


def _insert(session: Session, entity: str, row: dict[str, Any]) -> None:
    table = MIRRORED[entity].__table__  # type: ignore[attr-defined]
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
        "title": ("title", _text("title", title, required=True)),
        "description": ("description", _text("description", description)),
        "priority": ("upkeep_priority", None if priority is None else _priority(priority)),
        "category": ("category", _category(s, entity, category)),
        "asset": ("asset_id", _ref(s, "assets", "asset_id", asset_id)),
        "location": ("location_id", _ref(s, "locations", "location_id", location_id)),
        **more,
        "assignedToUser": ("assigned_to", _ref(s, "users", "assigned_to", assigned_to, by="email")),
        "dueDate": ("due_date", None if due_date is None else _when("due_date", due_date)),
    }
    fields = _wire(refs)
    if "dueDate" in fields:
        fields["dueDate"] = _ms(fields["dueDate"])
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
        columns["upkeep_status"] = "open"
        columns["upkeep_priority"] = 1 if columns["upkeep_priority"] is None else columns["upkeep_priority"]
        return _new_record(s, "work_orders", OpKind.CREATE, fields, columns, now, {"status": "open"},
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
            wanted["upkeep_status"] = _status(status)
        if priority is not UNSET:
            wanted["upkeep_priority"] = _priority(priority)
        if assigned_to is not UNSET:
            wanted["assigned_to"] = _ref(s, "users", "assigned_to", assigned_to, by="email")
        if title is not UNSET:
            wanted["title"] = _text("title", title, required=True)
        if description is not UNSET:
            wanted["description"] = _text("description", description)
        if category is not UNSET:
            wanted["category"] = _category(s, "work_orders", category)
        if due_date is not UNSET:
            wanted["due_date"] = None if due_date is None else norm(_when("due_date", due_date))
        if not wanted:
            raise InvalidWrite("fields", "give at least one field to change")
        changed = {c: v for c, v in wanted.items() if norm(v) != norm(row.get(c))}
        if not changed:
            raise InvalidWrite(", ".join(wanted),
                               f"work order {row['id']} already has these values; nothing to change")
        fields = {}
        for col, value in changed.items():
            (field,) = COLUMN_FIELDS["work_orders"][col]
            fields[field] = _ms(parse_utc(value)) if col == "due_date" and value else value
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
        body = _text("text", text, required=True)
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
            part_id = _ref(s, "parts", "parts", key, by="sku")
            amount = _number(f"quantity of {key}", qty, positive=True)
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
                                      team=("team_id", _ref(s, "teams", "team_id", team_id)))
        columns["status"] = "open"
        return _new_record(s, "requests", OpKind.REQUEST, fields, columns, now, {"status": "open"})


def add_meter_reading(
    mirror: Mirror, meter_id: str, value: Any, *, date: Any = None, now: datetime | None = None
) -> Queued:
    """A reading of a meter, taken at ``date`` (default now); queued as a POST to the meter."""
    now = now or utcnow()
    with mirror.write() as s:
        meter = _ref(s, "meters", "meter_id", meter_id)
        number = _number("value", value)
        taken = now if date is None else _when("date", date)
        fields = {"value": number, "date": _ms(taken)}
        columns = {"meter_id": meter, "value": number, "date": norm(taken)}
        return _new_record(s, "meter_readings", OpKind.READING, fields, columns, now, {"meter": meter})


def set_part_quantity(mirror: Mirror, part: str, quantity: Any, *, now: datetime | None = None) -> Queued:
    """The quantity on hand found by a stock count (part by id or SKU); queued as a PATCH.

    A count equal to the mirror's value is still queued: it is an observation, and if UpKeep's
    quantity moved meanwhile the replayer reports a conflict instead of overwriting it.
    """
    now = now or utcnow()
    with mirror.write() as s:
        part_id = _ref(s, "parts", "part", part, by="sku")
        amount = _number("quantity", quantity, minimum=0)
        row = load_row(s, "parts", part_id)  # type: ignore[arg-type]
        return _queue_update(s, "parts", row, OpKind.PART_COUNT, {"quantity": amount},
                             {"stock_quantity": math.floor(amount)}, now)


_FIELDWORK = ("set_task_value", "attach_file", "record_downtime")


def __getattr__(name: str) -> Any:
    """Field work (checklists, attachments, downtime) is the same API, kept in its own module
    (:mod:`mirror.fieldwork_writes`, which builds on this one): ``mirror.writes.set_task_value``..."""
    if name in _FIELDWORK:
        from mirror import fieldwork_writes

        return getattr(fieldwork_writes, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
