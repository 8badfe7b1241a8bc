"""What a person does with the outbox: retry an operation, discard it, or settle a conflict.

Each action is one transaction that changes the operation and, where needed, the mirror row, so
Datasette shows the result at once: a discarded change is undone in the mirror, a conflict
settled for UpKeep's side shows UpKeep's value.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlmodel import Session, col

from mirror.db import Mirror
from mirror.errors import OutboxActionRefused
from mirror.outbox._queue import OutboxOp, WorkOrderMessage, record_ops, refresh_local_state, utcnow
from mirror.outbox.changes import COLUMN_FIELDS, apply_values, revert_values
from mirror.schema import table_of
from mirror.vocabulary import CREATE_KINDS, OPEN_STATES, OpKind, OpState


def _detached(s: Session, op: OutboxOp) -> OutboxOp:
    """The op with its values loaded, usable after the transaction ends."""
    s.flush()
    s.refresh(op)
    s.expunge(op)
    return op


def _open_op(s: Session, seq: int, allowed: tuple[OpState, ...], verb: str) -> OutboxOp:
    op = s.get(OutboxOp, seq)
    if op is None:
        raise OutboxActionRefused(f"there is no outbox operation {seq}")
    if op.state not in allowed:
        names = ", ".join(a.value for a in allowed)
        raise OutboxActionRefused(f"operation {seq} is {op.state}; only {names} operations can be {verb}")
    return op


def retry_op(mirror: Mirror, seq: int, *, now: datetime | None = None) -> OutboxOp:
    """Send a dead, conflicting or waiting operation again at the next flush.

    A conflict is checked against UpKeep again (it may have gone). A message parked because it
    may already have been posted is sent again: the person retrying has checked it was not.
    """
    with mirror.write() as s:
        op = _open_op(s, seq, (OpState.DEAD, OpState.CONFLICT, OpState.PENDING), "retried")
        op.state, op.next_attempt_at, op.updated_at = OpState.PENDING.value, None, now or utcnow()
        op.resolution = "retried"
        if op.kind == OpKind.MESSAGE:
            op.ambiguous = False
        s.add(op)
        s.flush()
        refresh_local_state(s, op.entity, op.record_id)
        return _detached(s, op)


def discard_op(mirror: Mirror, seq: int, *, now: datetime | None = None) -> list[int]:
    """Drop an open operation and undo its change in the mirror; return every seq discarded.

    Discarding a create also discards the later operations on that record (they cannot be sent
    without it) and removes the local row; discarding an update puts back UpKeep's known value.
    """
    stamp = now or utcnow()
    with mirror.write() as s:
        op = _open_op(s, seq, OPEN_STATES, "discarded")
        if op.state == OpState.SENDING:
            raise OutboxActionRefused(
                f"operation {seq} may be on its way to UpKeep; run `upkeep-mirror outbox flush` (or let the "
                "daemon finish) before discarding it"
            )
        if op.kind in CREATE_KINDS:
            victims = record_ops(s, op.entity, op.record_id)
            table = table_of(op.entity)
            s.execute(delete(WorkOrderMessage).where(col(WorkOrderMessage.work_order_id) == op.record_id))
            s.execute(delete(table).where(table.c.id == op.record_id))
        else:
            victims = [op]
            if op.kind == OpKind.MESSAGE:
                s.execute(delete(WorkOrderMessage).where(col(WorkOrderMessage.id) == op.op_id))
            else:
                revert_values(s, op)
        for victim in victims:
            victim.state, victim.updated_at, victim.resolution = OpState.DISCARDED.value, stamp, "discarded"
            victim.next_attempt_at = None
            s.add(victim)
        s.flush()
        refresh_local_state(s, op.entity, op.record_id)
        return [v.seq for v in victims]  # type: ignore[misc]  # ops read back have a seq


def resolve_op(mirror: Mirror, seq: int, *, keep: str, now: datetime | None = None) -> OutboxOp:
    """Settle a conflict: ``keep="local"`` sends our values over UpKeep's; ``keep="remote"`` keeps UpKeep's.

    keep-local makes UpKeep's current values the new base (a further remote change is a new
    conflict). keep-remote drops the conflicting fields from the operation and shows UpKeep's
    values in the mirror; fields that did not conflict are still sent, and an operation left
    with nothing to send is closed as discarded.
    """
    if keep not in ("local", "remote"):
        raise OutboxActionRefused("keep must be 'local' or 'remote'")
    stamp = now or utcnow()
    with mirror.write() as s:
        op = _open_op(s, seq, (OpState.CONFLICT,), "resolved")
        remote = op.remote or {"columns": {}, "fields": {}}
        payload, base = dict(op.payload), dict(op.base or {})
        payload.pop("as_of_ms", None)  # its base changes: the replayer GETs the record, not a listing
        if keep == "local":
            base["columns"] = {**base.get("columns", {}), **remote["columns"]}
            base["fields"] = {**base.get("fields", {}), **remote["fields"]}
            state = OpState.PENDING
        else:
            dropped = set(remote["columns"])
            payload["columns"] = {c: v for c, v in payload.get("columns", {}).items() if c not in dropped}
            gone = {f for c in dropped for f in COLUMN_FIELDS.get(op.entity, {}).get(c, ())}
            payload["fields"] = {f: v for f, v in payload.get("fields", {}).items() if f not in gone}
            apply_values(s, op.entity, op.record_id, remote, stamp=stamp)
            state = OpState.PENDING if payload["columns"] else OpState.DISCARDED
        op.payload, op.base, op.state = payload, base, state.value
        op.resolution, op.updated_at, op.next_attempt_at = f"keep-{keep}", stamp, None
        s.add(op)
        s.flush()
        refresh_local_state(s, op.entity, op.record_id)
        return _detached(s, op)
