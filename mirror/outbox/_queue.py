"""The outbox: local writes waiting to reach UpKeep, as rows in the mirror file.

Each local write appends one operation in the same transaction as its change to the mirror row
(:mod:`mirror.writes`), so the queue and the mirror cannot disagree after a crash. Operations
carry a monotonically increasing ``seq`` (SQLite AUTOINCREMENT: never reused, even after a
delete) and a client ``op_id`` (uuid4). The replayer (``sync.replay._replayer``) sends them per record in
``seq`` order; the functions here are the state changes it and the CLI make, each taking the
caller's session and never committing.

States and transitions::

    pending ──► sending ──► done         UpKeep accepted it (or is found to have it already)
     │  ▲          │
     │  └──────────┘                     transient failure: pending again, due at next_attempt_at
     ├──► conflict                       UpKeep changed a field this update sets, since its base
     └──► dead ◄── sending               UpKeep refused it (400, 403, 404)

    dead | conflict | pending ──retry──► pending (due now; a conflict is checked again)
    conflict ──resolve keep-local──► pending (base := UpKeep's values)
    conflict ──resolve keep-remote─► pending (other fields still to send) | discarded
    pending | dead | conflict ──discard──► discarded (its change undone in the mirror)

Every state change the replayer makes is a compare-and-set on the state and attempt count it
read (:func:`_transition`): a replayer with a stale view changes nothing and says so, so an
operation is never claimed twice nor put back to pending after another replayer delivered it.

``sending`` is committed *before* the request goes out, so an operation found in ``sending``
after a crash may have been applied; ``ambiguous`` says the same after a lost answer. Both make
the replayer look for the effect before sending a create again.

An operation is *open* while pending, sending, dead or in conflict: its change stays visible in
the mirror row (re-applied after every pull), and it holds back later operations of the same
record, so per-record order survives a failure. Other records are never held back.

Row effects (apply, re-apply after a pull, revert) are in :mod:`mirror.outbox.changes`; a person's
actions (retry, discard, resolve) in :mod:`mirror.outbox.actions`. States and kinds are in
:mod:`mirror.vocabulary`.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from functools import cache
from typing import Any, cast

from sqlalchemy import JSON, Index, and_, exists, func, or_, select, text, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import aliased
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Field, Session, SQLModel, col

from mirror.schema import UTCDateTime, table_of
from mirror.vocabulary import (
    CREATE_KINDS,
    OPEN_STATES,
    UPDATE_KINDS,
    WAITING_STATES,
    LocalState,
    OpKind,
    OpState,
)

#: Prefix of the id a record gets when it is created locally, until UpKeep assigns one.
LOCAL_PREFIX = "local-"


class OutboxOp(SQLModel, table=True):
    """One local write waiting for (or done with) UpKeep.

    ``payload`` is ``{"fields": <UpKeep request body>, "columns": <mirror column values>}``;
    ``base`` has the same shape with the values the change was made from (updates only), and
    ``remote`` UpKeep's current values of the fields in conflict.
    """

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_record", "entity", "record_id", "seq"),
        {"sqlite_autoincrement": True},
    )

    seq: int | None = Field(default=None, primary_key=True)
    op_id: str = Field(unique=True, description="client operation id (uuid4 hex)")
    entity: str = Field(description="mirrored entity the operation changes (work_orders, parts, ...)")
    record_id: str = Field(description="id of the mirror row; local-... until UpKeep assigns one (a delivered "
                                       "create keeps the local id it was queued with, next to server_id)")
    kind: str
    state: str = Field(default=OpState.PENDING.value, index=True)
    attempts: int = 0
    last_error: str | None = None
    created_at: datetime = Field(sa_type=UTCDateTime)
    updated_at: datetime = Field(sa_type=UTCDateTime)
    payload: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    base: dict[str, Any] | None = Field(default=None, sa_type=JSON)
    remote: dict[str, Any] | None = Field(default=None, sa_type=JSON)
    server_id: str | None = Field(default=None, description="UpKeep id of the record it created")
    next_attempt_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    ambiguous: bool = Field(default=False, description="an earlier attempt may have been applied")
    first_sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    done_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    resolution: str | None = Field(default=None, description="keep-local, keep-remote, discarded, retried")


class WorkOrderMessage(SQLModel, table=True):
    """A message added to a work order through the mirror.

    UpKeep's API can add messages but not list them, so this table holds only the messages
    written here: shown at once, marked synced once UpKeep has them.
    """

    __tablename__ = "work_order_messages"

    id: str = Field(primary_key=True, description="op_id of the outbox operation that sends it")
    work_order_id: str = Field(foreign_key="work_orders.id", index=True)
    text: str
    created_at: datetime = Field(sa_type=UTCDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    local_state: str = Field(default=LocalState.PENDING.value)


def utcnow() -> datetime:
    return datetime.now(UTC)


def new_local_id() -> str:
    return LOCAL_PREFIX + uuid.uuid4().hex


def is_local(record_id: str | None) -> bool:
    return record_id is not None and record_id.startswith(LOCAL_PREFIX)


# --- queue --------------------------------------------------------------------------------------


def append(
    session: Session,
    *,
    entity: str,
    record_id: str,
    kind: OpKind,
    payload: dict[str, Any],
    base: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> OutboxOp:
    """Queue one operation (flushed, so ``seq`` is set). The caller's transaction commits it.

    An update of a row that UpKeep already has and no earlier open operation touches gets
    ``payload["as_of_ms"]`` (see :func:`_as_of`): the replayer then checks it for conflicts with
    one listing of what changed since, instead of one GET per update; a record absent from that
    listing is still the version the base was taken from.
    """
    stamp = now or utcnow()
    if kind in UPDATE_KINDS and base is not None and "as_of_ms" not in payload:
        as_of = _as_of(session, entity, record_id)
        if as_of is not None:
            payload = {**payload, "as_of_ms": as_of}
    op = OutboxOp(
        op_id=uuid.uuid4().hex, entity=entity, record_id=record_id, kind=kind.value,
        payload=payload, base=base, created_at=stamp, updated_at=stamp,
    )
    session.add(op)
    session.flush()
    return op


def _as_of(session: Session, entity: str, record_id: str) -> int | None:
    """From when on (unix ms) a change in UpKeep would be one the row has not seen; None if unknown.

    The row's values are UpKeep's version ``raw.updatedAt`` (no open operation has changed
    them); a newer version is stamped later than that and, since the pull's cursor covers every
    change before it (sync invariant 4), no earlier than the entity's cursor either.
    """
    if is_local(record_id) or record_ops(session, entity, record_id):
        return None
    table = table_of(entity)
    raw = session.execute(select(table.c.raw).where(table.c.id == record_id)).scalar()
    value = raw.get("updatedAt") if isinstance(raw, dict) else None
    if not isinstance(value, str) or not value:
        return None
    try:
        version = int(datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp() * 1000)
    except ValueError:
        return None
    cursor = session.execute(text("SELECT cursor_ms FROM sync_cursors WHERE entity = :e"), {"e": entity}).scalar()
    return max(version, cursor or 0)


def get_op(session: Session, seq: int) -> OutboxOp | None:
    return session.get(OutboxOp, seq)


def record_ops(
    session: Session, entity: str, record_id: str, *, states: Sequence[str] = OPEN_STATES
) -> list[OutboxOp]:
    """The record's operations in the given states, in seq order."""
    stmt = (
        select(OutboxOp)
        .where(col(OutboxOp.entity) == entity, col(OutboxOp.record_id) == record_id, col(OutboxOp.state).in_(list(states)))
        .order_by(col(OutboxOp.seq))
    )
    return list(session.scalars(stmt))


def ready_ops(session: Session, *, now: datetime | None = None, limit: int = 100,
              exclude_kinds: Sequence[str] = ()) -> list[OutboxOp]:
    """Operations that may be sent now: pending or sending, due, and first open op of their record.

    A record whose first open operation is dead, in conflict or waiting for its retry time
    contributes nothing; other records are unaffected (invariant 8). ``exclude_kinds``: leave
    these kinds out (the creates whose turn has not come); their records contribute nothing either.
    """
    stamp = now or utcnow()
    earlier = aliased(OutboxOp)
    blocked = exists().where(
        col(earlier.entity) == col(OutboxOp.entity),
        col(earlier.record_id) == col(OutboxOp.record_id),
        col(earlier.seq) < col(OutboxOp.seq),
        col(earlier.state).in_(list(OPEN_STATES)),
    )
    stmt = (
        select(OutboxOp)
        .where(
            col(OutboxOp.state).in_([s.value for s in WAITING_STATES]),
            or_(col(OutboxOp.next_attempt_at).is_(None), col(OutboxOp.next_attempt_at) <= stamp),
            ~blocked,
        )
        .order_by(col(OutboxOp.seq))
        .limit(limit)
    )
    if exclude_kinds:
        stmt = stmt.where(col(OutboxOp.kind).not_in([str(k) for k in exclude_kinds]))
    return list(session.scalars(stmt))


def last_sent(session: Session, kinds: Sequence[str]) -> datetime | None:
    """When the latest operation of these kinds was first sent (claimed): where the pace counts from."""
    stmt = select(func.max(col(OutboxOp.first_sent_at))).where(col(OutboxOp.kind).in_([str(k) for k in kinds]))
    return session.scalar(stmt)


def counts(session: Session) -> dict[str, int]:
    """Number of operations per state."""
    rows = session.execute(select(col(OutboxOp.state), func.count()).group_by(col(OutboxOp.state)))
    return {state: n for state, n in rows}


def queue_length(session: Session) -> int:
    """Operations still to send (pending or sending): what a scheduler checks before flushing."""
    stmt = select(func.count()).where(col(OutboxOp.state).in_([s.value for s in WAITING_STATES]))
    return session.scalar(stmt) or 0


def delivered_since(session: Session, moment: datetime) -> int:
    """Operations UpKeep accepted at or after ``moment`` (e.g. since the mirror went offline)."""
    stmt = select(func.count()).where(col(OutboxOp.state) == OpState.DONE.value, col(OutboxOp.done_at) >= moment)
    return session.scalar(stmt) or 0


def list_ops(session: Session, *, states: Iterable[str] | None = None, limit: int = 200) -> list[OutboxOp]:
    stmt = select(OutboxOp).order_by(col(OutboxOp.seq)).limit(limit)
    if states:
        stmt = stmt.where(col(OutboxOp.state).in_(list(states)))
    return list(session.scalars(stmt))


def _transition(session: Session, op: OutboxOp, state: OpState, now: datetime | None, **values: Any) -> bool:
    """Compare-and-set: move ``op``'s row to ``state`` only if it is still as ``op`` was read.

    ``op`` is the caller's snapshot (attached or detached): the row must still have its ``state``
    and ``attempts``. Every attempt to send increments ``attempts`` (:func:`mark_sending`), so two
    replayers that read the same row cannot both win, and a replayer holding a stale snapshot
    (the row was sent, settled or discarded meanwhile) changes nothing. Returns whether it won;
    on a win the snapshot is updated to the new values, on a loss nothing at all is written.
    """
    values = {"state": state.value, "updated_at": now or utcnow(), **values}
    result = cast(CursorResult[Any], session.execute(
        update(OutboxOp)
        .where(col(OutboxOp.seq) == op.seq, col(OutboxOp.state) == op.state, col(OutboxOp.attempts) == op.attempts)
        .values(**values)
        .execution_options(synchronize_session=False)
    ))  # an UPDATE's result is a CursorResult, which has the rowcount
    if result.rowcount != 1:
        return False
    for key, value in values.items():
        set_committed_value(op, key, value)  # the snapshot follows the row, without a second UPDATE
    return True


def mark_sending(session: Session, op: OutboxOp, *, now: datetime | None = None, **payload: Any) -> bool:
    """Claim ``op`` for one attempt, just before its request goes out; return whether this caller won.

    Commit this before sending: if the process dies mid-request, the op is found in ``sending``.
    ``ambiguous`` becomes true when an earlier attempt may have been applied (it was ``sending``
    or already ambiguous). ``payload`` keys are merged into the payload in the same change (what
    the replayer needs to check afterwards, e.g. a work order's update items before a message).
    Only the winner may send: a caller that lost must not.
    """
    stamp = now or utcnow()
    return _transition(
        session, op, OpState.SENDING, stamp,
        attempts=op.attempts + 1,
        ambiguous=bool(op.ambiguous or op.state == OpState.SENDING.value),
        first_sent_at=op.first_sent_at or stamp,
        payload={**op.payload, **payload} if payload else op.payload,
    )


def mark_done(
    session: Session, op: OutboxOp, *, server_id: str | None = None, now: datetime | None = None
) -> bool:
    """UpKeep accepted ``op`` (or already had it); False, and nothing written, if ``op`` was stale."""
    stamp = now or utcnow()
    extra = {"server_id": server_id} if server_id else {}
    if not _transition(session, op, OpState.DONE, stamp, done_at=stamp, next_attempt_at=None, ambiguous=False,
                       last_error=None, **extra):
        return False
    if op.kind == OpKind.MESSAGE:
        session.execute(
            update(WorkOrderMessage)
            .where(col(WorkOrderMessage.id) == op.op_id)
            .values(local_state=LocalState.SYNCED.value, sent_at=stamp)
        )
    refresh_local_state(session, op.entity, op.record_id)
    return True


def mark_retry_later(
    session: Session, op: OutboxOp, error: str, *, next_attempt_at: datetime | None, ambiguous: bool,
    now: datetime | None = None,
) -> bool:
    """A transient failure: back to pending, due at ``next_attempt_at`` (None: next flush); never dropped.

    False, and nothing written, if ``op`` was stale: an op another replayer delivered meanwhile
    is never turned back into pending.
    """
    return _transition(session, op, OpState.PENDING, now, last_error=error, next_attempt_at=next_attempt_at,
                       ambiguous=ambiguous)


def mark_dead(session: Session, op: OutboxOp, error: str, *, now: datetime | None = None) -> bool:
    """UpKeep refused it (or it cannot be sent safely): park it with the reason, for a person."""
    if not _transition(session, op, OpState.DEAD, now, last_error=error, next_attempt_at=None):
        return False
    refresh_local_state(session, op.entity, op.record_id)
    return True


def mark_conflict(
    session: Session, op: OutboxOp, remote: dict[str, Any], *, now: datetime | None = None,
    error: str | None = None,
) -> bool:
    """UpKeep changed a field this update changed, since its base: keep both values, for a person.

    ``error`` says what changed when the changed columns do not (a checklist item's value)."""
    cols = ", ".join(sorted(remote.get("columns", {})))
    if not _transition(session, op, OpState.CONFLICT, now, remote=remote, next_attempt_at=None,
                       last_error=error or f"changed in UpKeep since this change was made: {cols}"):
        return False
    refresh_local_state(session, op.entity, op.record_id)
    return True


# --- the mirror row's local state and ids -------------------------------------------------------


def refresh_local_state(session: Session, entity: str, record_id: str) -> str:
    """Set the row's ``local_state`` from its open operations and return it.

    conflict: an operation is in conflict or dead (a person must act); pending: operations are
    waiting; synced: none are open.
    """
    states = set(session.scalars(
        select(col(OutboxOp.state)).where(
            col(OutboxOp.entity) == entity, col(OutboxOp.record_id) == record_id, col(OutboxOp.state).in_(list(OPEN_STATES))
        )
    ))
    if states & {OpState.CONFLICT.value, OpState.DEAD.value}:
        value = LocalState.CONFLICT.value
    elif states:
        value = LocalState.PENDING.value
    else:
        value = LocalState.SYNCED.value
    table = table_of(entity)
    session.execute(update(table).where(table.c.id == record_id).values(local_state=value))
    return value


@cache
def _referencing_columns(entity: str) -> list[tuple[Any, Any]]:
    """Every (table, column) whose foreign key points at ``entity``'s table."""
    target = table_of(entity)
    out = []
    for table in SQLModel.metadata.sorted_tables:
        for column in table.c:
            if any(fk.column.table is target for fk in column.foreign_keys):
                out.append((table, column))
    return out


def remap_id(session: Session, entity: str, old: str, new: str) -> None:
    """Replace a local id by UpKeep's id everywhere: the row, references to it, queued operations.

    The create that made the record (its ``server_id`` is ``new``) keeps ``old`` as its
    ``record_id``: that row is the lasting record of ``old -> new``, which :func:`resolve_id` reads
    so a caller who kept the local id still reaches the record.

    If a pull already brought UpKeep's row (the create was applied and pulled before the
    replayer learnt the id), the local row is dropped in favour of it; the caller re-applies
    the record's open operations on top.
    """
    if old == new:
        return
    table = table_of(entity)
    if session.execute(select(table.c.id).where(table.c.id == new)).first():
        session.execute(table.delete().where(table.c.id == old))
    else:
        session.execute(update(table).where(table.c.id == old).values(id=new))
    for ref_table, column in _referencing_columns(entity):
        session.execute(update(ref_table).where(column == old).values({column.name: new}))
    session.execute(
        update(OutboxOp)
        .where(col(OutboxOp.entity) == entity, col(OutboxOp.record_id) == old,
               or_(col(OutboxOp.server_id).is_(None), col(OutboxOp.server_id) != new))
        .values(record_id=new)
        .execution_options(synchronize_session="evaluate")
    )
    # References in the payloads of operations still to send (e.g. a body naming the record).
    like = f"%{old}%"
    stmt = select(OutboxOp).where(col(OutboxOp.state).in_(list(OPEN_STATES)), text("(payload LIKE :p OR base LIKE :p)"))
    for op in session.scalars(stmt.params(p=like)):
        op.payload = _replace(op.payload, old, new)
        op.base = _replace(op.base, old, new)
        session.add(op)


def resolve_id(session: Session, entity: str, record_id: str) -> str:
    """The id a record has now: UpKeep's for a ``local-...`` id whose create was delivered, else ``record_id``.

    A record created here is shown under a local id until the replayer delivers it, then under
    UpKeep's id (:func:`remap_id`); its create operation keeps both. Whoever kept the local id
    (an agent, a script, a bookmark) passes it through this to reach the delivered record.
    """
    if not is_local(record_id):
        return record_id
    server_id = session.execute(
        select(col(OutboxOp.server_id))
        .where(col(OutboxOp.entity) == entity, col(OutboxOp.record_id) == record_id,
               col(OutboxOp.server_id).is_not(None),
               col(OutboxOp.kind).in_([k.value for k in CREATE_KINDS]))
        .order_by(col(OutboxOp.seq))
        .limit(1)
    ).scalar()
    return server_id or record_id


def _replace(value: Any, old: str, new: str) -> Any:
    if isinstance(value, str):
        return new if value == old else value
    if isinstance(value, list):
        return [_replace(v, old, new) for v in value]
    if isinstance(value, dict):
        return {k: _replace(v, old, new) for k, v in value.items()}
    return value


def open_records(session: Session, entity: str, ids: Iterable[str]) -> dict[str, list[OutboxOp]]:
    """Open operations of the given rows, per row id in seq order (one query)."""
    ids = list(ids)
    out: dict[str, list[OutboxOp]] = {}
    if not ids:
        return out
    stmt = (
        select(OutboxOp)
        .where(and_(
            col(OutboxOp.entity) == entity, col(OutboxOp.record_id).in_(ids), col(OutboxOp.state).in_(list(OPEN_STATES))
        ))
        .order_by(col(OutboxOp.seq))
    )
    for op in session.scalars(stmt):
        out.setdefault(op.record_id, []).append(op)
    return out
