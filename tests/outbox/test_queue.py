"""Outbox mechanics on a real mirror file: id remapping, re-applying after a pull, and the person's actions."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import text
from sqlmodel import select

from mirror import outbox, writes
from mirror.errors import OutboxActionRefused
from mirror.outbox import OutboxOp, WorkOrderMessage
from mirror.schema import RequestRow, SparePartRow, WorkOrderRow
from mirror.store import upsert_rows
from sync.mapping import transform
from tests.support.recorded import recorded_by_id

MOTOR_WO, BEARING = "Wo9Fe4JsYu", "Pt1Brg62Zx"


def get(mirror, model, key):
    with mirror.session() as s:
        return s.get(model, key)


def all_ops(mirror) -> list[OutboxOp]:
    with mirror.session() as s:
        return list(s.exec(select(OutboxOp).order_by(OutboxOp.seq)))


def pull(mirror, entity, obj) -> list[str]:
    """What the pull does per page: upsert, then re-apply pending ops, in one transaction."""
    with mirror.write() as s:
        upsert_rows(s, entity, [transform(entity, obj)])
        return outbox.reapply_pending(s, entity, [obj["id"]])


def conflict(mirror, seq, **remote_columns):
    """Put an op in conflict as the replayer does when UpKeep changed the same field."""
    with mirror.write() as s:
        fields = {"upkeep_status": "status", "upkeep_priority": "priority"}
        outbox.mark_conflict(s, outbox.get_op(s, seq), {
            "columns": remote_columns, "fields": {fields[c]: v for c, v in remote_columns.items()}})


def remote_wo(**changes):
    return {**recorded_by_id("work_orders")[MOTOR_WO], "updatedAt": "2030-01-01T00:00:00.000Z", **changes}


def test_remap_replaces_the_local_id_everywhere(loaded):
    q = writes.create_work_order(loaded, title="Fix pump")
    writes.update_work_order(loaded, q.record_id, status="inProgress")
    m = writes.add_work_order_message(loaded, q.record_id, "on it")
    with loaded.write() as s:  # a reference from another row and from a queued payload
        s.execute(text("UPDATE requests SET work_order_id = :l WHERE id = 'Rqs4Cv7BnL'"), {"l": q.record_id})
        op = outbox.get_op(s, m.seq)
        op.payload = {**op.payload, "about": q.record_id}
        s.add(op)
    with loaded.write() as s:
        outbox.remap_id(s, "work_orders", q.record_id, "SrvWo0001")
    assert get(loaded, WorkOrderRow, q.record_id) is None
    assert get(loaded, WorkOrderRow, "SrvWo0001").title == "Fix pump"
    assert {o.record_id for o in all_ops(loaded)} == {"SrvWo0001"}
    assert all_ops(loaded)[-1].payload["about"] == "SrvWo0001"
    assert get(loaded, WorkOrderMessage, m.op_id).work_order_id == "SrvWo0001"
    assert get(loaded, RequestRow, "Rqs4Cv7BnL").work_order_id == "SrvWo0001"


def test_remap_when_a_pull_already_brought_the_server_row(loaded):
    q = writes.create_work_order(loaded, title="Fix pump")
    with loaded.write() as s:
        upsert_rows(s, "work_orders", [transform("work_orders", remote_wo(id="SrvWo0002", title="Fix pump"))])
        outbox.remap_id(s, "work_orders", q.record_id, "SrvWo0002")
    assert get(loaded, WorkOrderRow, q.record_id) is None
    assert get(loaded, WorkOrderRow, "SrvWo0002").title == "Fix pump"


def test_pull_keeps_pending_values_and_merges_other_fields(loaded):
    writes.update_work_order(loaded, MOTOR_WO, status="complete")
    # UpKeep changed another field meanwhile; the pull brings it.
    assert pull(loaded, "work_orders", remote_wo(title="Renamed upstream")) == [MOTOR_WO]
    wo = get(loaded, WorkOrderRow, MOTOR_WO)
    assert (wo.upkeep_status, wo.status, wo.title, wo.local_state) == ("complete", "completed", "Renamed upstream", "pending")
    assert wo.raw["status"] == "complete" and wo.raw["title"] == "Renamed upstream"
    (op,) = all_ops(loaded)
    assert op.state == "pending"


def test_pull_with_a_remote_change_to_the_same_field_keeps_the_local_value(loaded):
    """The conflict itself is decided by the replayer, from a fresh GET (see reapply_pending)."""
    writes.update_work_order(loaded, MOTOR_WO, status="onHold")
    writes.update_work_order(loaded, MOTOR_WO, status="complete", title="Mine")
    pull(loaded, "work_orders", remote_wo(status="open", priority=0))
    wo = get(loaded, WorkOrderRow, MOTOR_WO)
    assert (wo.upkeep_status, wo.title, wo.upkeep_priority, wo.local_state) == ("complete", "Mine", 0, "pending")
    assert wo.raw["status"] == "complete" and wo.raw["priority"] == 0


def test_pull_keeps_a_conflicting_value_visible(loaded):
    u = writes.update_work_order(loaded, MOTOR_WO, status="complete")
    conflict(loaded, u.seq, upkeep_status="onHold")
    pull(loaded, "work_orders", remote_wo(status="onHold"))
    wo = get(loaded, WorkOrderRow, MOTOR_WO)
    assert (wo.upkeep_status, wo.local_state) == ("complete", "conflict")


def test_pull_of_a_part_with_a_pending_count(loaded):
    writes.set_part_quantity(loaded, BEARING, 20)
    obj = {**recorded_by_id("parts")[BEARING], "quantity": "22", "updatedAt": "2030-01-01T00:00:00.000Z"}
    pull(loaded, "parts", obj)
    part = get(loaded, SparePartRow, BEARING)
    assert (part.stock_quantity, part.local_state) == (20, "pending")


def test_pull_of_rows_without_local_changes_changes_nothing(loaded):
    obj = remote_wo(title="Upstream")
    assert pull(loaded, "work_orders", obj) == []
    assert get(loaded, WorkOrderRow, MOTOR_WO).local_state == "synced"


def test_resolve_keep_local_rebases_and_keep_remote_shows_upkeeps_value(loaded):
    u = writes.update_work_order(loaded, MOTOR_WO, status="complete", title="Mine")
    conflict(loaded, u.seq, upkeep_status="onHold")
    op = outbox.resolve_op(loaded, u.seq, keep="local")
    assert op.state == "pending" and op.base["columns"]["upkeep_status"] == "onHold"
    assert get(loaded, WorkOrderRow, MOTOR_WO).local_state == "pending"

    u2 = writes.update_work_order(loaded, MOTOR_WO, priority="low")
    conflict(loaded, u2.seq, upkeep_priority=2)
    with pytest.raises(OutboxActionRefused, match="only conflict"):
        outbox.resolve_op(loaded, u.seq, keep="remote")
    op = outbox.resolve_op(loaded, u2.seq, keep="remote")
    assert op.state == "discarded" and op.resolution == "keep-remote"  # nothing else to send
    wo = get(loaded, WorkOrderRow, MOTOR_WO)
    assert (wo.upkeep_priority, wo.priority, wo.upkeep_status) == (2, "high", "complete")


def test_keep_remote_still_sends_fields_that_did_not_conflict(loaded):
    u = writes.update_work_order(loaded, MOTOR_WO, status="complete", title="Mine")
    conflict(loaded, u.seq, upkeep_status="onHold")
    op = outbox.resolve_op(loaded, u.seq, keep="remote")
    assert op.state == "pending" and op.payload == {"fields": {"title": "Mine"}, "columns": {"title": "Mine"}}
    wo = get(loaded, WorkOrderRow, MOTOR_WO)
    assert (wo.upkeep_status, wo.title) == ("onHold", "Mine")


def test_discard_update_reverts_to_upkeeps_value(loaded):
    before = get(loaded, WorkOrderRow, MOTOR_WO)
    u = writes.update_work_order(loaded, MOTOR_WO, status="complete", title="Mine")
    writes.update_work_order(loaded, MOTOR_WO, title="Mine again")
    assert outbox.discard_op(loaded, u.seq) == [u.seq]
    wo = get(loaded, WorkOrderRow, MOTOR_WO)
    # status is back; title belongs to the later, still pending update.
    assert (wo.upkeep_status, wo.status, wo.title, wo.local_state) == (before.upkeep_status, before.status, "Mine again", "pending")
    assert wo.raw["status"] == before.raw["status"]


def test_discard_create_removes_the_row_and_its_later_ops(loaded):
    q = writes.create_work_order(loaded, title="Oops")
    u = writes.update_work_order(loaded, q.record_id, status="complete")
    m = writes.add_work_order_message(loaded, q.record_id, "x")
    assert outbox.discard_op(loaded, q.seq) == [q.seq, u.seq, m.seq]
    assert get(loaded, WorkOrderRow, q.record_id) is None and get(loaded, WorkOrderMessage, m.op_id) is None
    assert {o.state for o in all_ops(loaded)} == {"discarded"}
    with pytest.raises(OutboxActionRefused, match="is discarded"):
        outbox.discard_op(loaded, q.seq)
    with pytest.raises(OutboxActionRefused, match="no outbox operation 999"):
        outbox.retry_op(loaded, 999)


def test_retry_dead_op_returns_to_pending(loaded):
    u = writes.update_work_order(loaded, MOTOR_WO, title="x")
    with loaded.write() as s:
        outbox.mark_dead(s, outbox.get_op(s, u.seq), "HTTP 400: title not allowed")
    assert get(loaded, WorkOrderRow, MOTOR_WO).local_state == "conflict"
    op = outbox.retry_op(loaded, u.seq)
    assert (op.state, op.resolution, op.last_error) == ("pending", "retried", "HTTP 400: title not allowed")
    assert get(loaded, WorkOrderRow, MOTOR_WO).local_state == "pending"


def test_mark_sending_is_ambiguous_after_a_crash(loaded):
    q = writes.create_work_order(loaded, title="x")
    with loaded.write() as s:
        op = outbox.get_op(s, q.seq)
        assert outbox.mark_sending(s, op) is True and op.ambiguous is False and op.attempts == 1
    # The process died here; the next attempt must treat the first as possibly applied.
    with loaded.write() as s:
        op = outbox.get_op(s, q.seq)
        assert outbox.mark_sending(s, op) is True
        assert op.ambiguous is True and op.attempts == 2 and op.first_sent_at is not None
    with loaded.session() as s:
        assert (outbox.get_op(s, q.seq).attempts, outbox.get_op(s, q.seq).ambiguous) == (2, True)


def _snapshot(mirror, seq):
    with mirror.session() as s:
        op = outbox.get_op(s, seq)
        s.expunge(op)
        return op


def _row(mirror, seq):
    with mirror.session() as s:
        op = outbox.get_op(s, seq)
        return op.state, op.attempts, op.last_error, op.next_attempt_at


def test_every_state_change_is_a_compare_and_set_on_the_state_it_read(loaded):
    """Two readers of one pending op: the first claim wins; the stale one changes nothing, whatever it tries."""
    q = writes.create_work_order(loaded, title="x")
    mine, theirs = _snapshot(loaded, q.seq), _snapshot(loaded, q.seq)
    with loaded.write() as s:
        assert outbox.mark_sending(s, theirs) is True
    with loaded.write() as s:
        assert outbox.mark_sending(s, mine) is False  # lost: must not send
    with loaded.write() as s:
        assert outbox.mark_done(s, theirs, server_id="WO-1") is True
    after = _row(loaded, q.seq)
    assert after[:2] == ("done", 1)
    far = datetime(2999, 1, 1, tzinfo=UTC)
    with loaded.write() as s:  # the stale reader failing later must not turn a delivered op back into pending
        assert outbox.mark_retry_later(s, mine, "timeout", next_attempt_at=far, ambiguous=True) is False
        assert outbox.mark_dead(s, mine, "HTTP 400") is False
        assert outbox.mark_conflict(s, mine, {"columns": {"title": "y"}, "fields": {"title": "y"}}) is False
        assert outbox.mark_done(s, mine) is False
    assert _row(loaded, q.seq) == after
    assert mine.state == "pending" and mine.attempts == 0  # a lost compare-and-set leaves the snapshot alone


def test_a_claim_counts_as_a_change_even_back_in_the_same_state(loaded):
    """pending -> sending -> pending (a deferred attempt) is not the pending that was read: attempts differ."""
    q = writes.create_work_order(loaded, title="x")
    stale = _snapshot(loaded, q.seq)
    with loaded.write() as s:
        op = outbox.get_op(s, q.seq)
        assert outbox.mark_sending(s, op)
        assert outbox.mark_retry_later(s, op, "timeout", next_attempt_at=None, ambiguous=True)
    assert _row(loaded, q.seq)[:2] == ("pending", 1)
    with loaded.write() as s:
        assert outbox.mark_sending(s, stale) is False


def test_queue_length_counts_what_is_left_to_send(loaded):
    a = writes.update_work_order(loaded, MOTOR_WO, title="a")
    writes.set_part_quantity(loaded, BEARING, 1)
    with loaded.write() as s:
        outbox.mark_sending(s, outbox.get_op(s, a.seq))
        assert outbox.queue_length(s) == 2
        outbox.mark_dead(s, outbox.get_op(s, a.seq), "HTTP 400: no")
        assert outbox.queue_length(s) == 1


def test_an_op_that_may_be_on_its_way_is_not_discarded(loaded):
    q = writes.create_work_order(loaded, title="x")
    with loaded.write() as s:
        outbox.mark_sending(s, outbox.get_op(s, q.seq))
    with pytest.raises(OutboxActionRefused, match="may be on its way"):
        outbox.discard_op(loaded, q.seq)
