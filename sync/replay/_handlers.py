"""One handler per operation kind, registered in :data:`HANDLERS`: how each kind is sent to UpKeep.

A handler gets the replayer as a :class:`~sync.replay._context.ReplayContext`, the operation as it
was read, and whether an earlier attempt may have been applied (then it looks before sending
again). The field-work kinds' handlers are in :mod:`sync.replay._fieldwork`; the replayer calls
whatever :data:`HANDLERS` registers for an operation's kind, and refuses a kind it does not list.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from mirror.outbox import OutboxOp, already_applied, find_conflicts
from mirror.vocabulary import OpKind
from sync.crashpoints import crash_point
from sync.replay import _fieldwork
from sync.replay._match import (
    find_created,
    message_posted,
    update_item_ids,
    with_marker,
    without_marker,
)
from sync.upkeep.endpoints import collection, record_path

if TYPE_CHECKING:
    from sync.replay._context import ReplayContext

log = logging.getLogger("sync.replay._replayer")

Handler = Callable[["ReplayContext", OutboxOp, bool], None]


def create_request(op: OutboxOp) -> tuple[str, dict[str, Any]]:
    """The POST that creates ``op``'s record: path and body (a marker in the description, to find it again)."""
    fields = dict(op.payload["fields"])
    if op.kind == OpKind.READING:
        return collection("meter_readings", meter=op.payload["columns"]["meter_id"]), fields
    fields["description"] = with_marker(fields.get("description"), op.op_id)
    return collection(op.entity) + "/", fields


def create(r: ReplayContext, op: OutboxOp, maybe_applied: bool) -> None:
    """A work order, request or meter reading: after a lost answer, look for it before posting again."""
    if maybe_applied:
        r.settle(op)
        found = find_created(r.client, op, now=r.clock())
        if found is not None:
            r.report.found_after_loss += 1
            log.info("outbox %s: found %s %s created by an earlier attempt", op.seq, op.entity, found.get("id"))
            r.created(op, found)
            return
    path, body = create_request(op)
    r.claim(op)
    answer = r.client.post(path, body)
    crash_point("outbox:answered")
    r.created(op, answer)


def update(r: ReplayContext, op: OutboxOp, maybe_applied: bool) -> None:
    """Fields of a record: a conflict or a change UpKeep already holds is settled without a PATCH."""
    path = record_path(op.entity, op.record_id)
    remote = r.client.get_one(path)
    remote_row = r.row(op.entity, remote)
    conflicts = find_conflicts(op, remote_row, normalize=without_marker)
    if conflicts:
        with r.mirror.write() as s:
            r.check(r.write_conflict(s, op, conflicts, remote_row), op)
        return
    if already_applied(op, remote_row, normalize=without_marker):
        r.updated(op, remote_row)
        r.report.already_applied += 1
        return
    r.claim(op)
    answer = r.client.patch(path, op.payload["fields"])
    crash_point("outbox:answered")
    r.updated(op, r.row(op.entity, answer))


def message(r: ReplayContext, op: OutboxOp, maybe_applied: bool) -> None:
    """A message on a work order: the update items it had before the claim tell whether it was posted."""
    path = record_path("work_orders", op.record_id)
    if maybe_applied:
        r.settle(op)
        work_order = r.client.get_one(path, {"includes": "arrayOfUpdateItems"})
        if message_posted(op, work_order):
            r.message_done(op)
            r.report.found_after_loss += 1
            return
    else:
        work_order = r.client.get_one(path)
    r.claim(op, updates_before=update_item_ids(work_order))
    r.client.post_action(f"{path}/update-messages/", op.payload["fields"])
    crash_point("outbox:answered")
    r.message_done(op)


#: Every operation kind the replayer sends, and how.
HANDLERS: dict[str, Handler] = {
    OpKind.CREATE: create,  # a work order
    OpKind.REQUEST: create,
    OpKind.READING: create,  # a meter reading
    OpKind.UPDATE: update,  # a work order's fields
    OpKind.PARTS_USED: update,
    OpKind.PART_COUNT: update,
    OpKind.MESSAGE: message,
    OpKind.TASK_VALUE: _fieldwork.task_value,  # a checklist item
    OpKind.ATTACH: _fieldwork.attach,
    OpKind.DOWNTIME: _fieldwork.downtime,
}
