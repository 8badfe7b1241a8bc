"""The local write API on a real mirror file: optimistic apply + outbox append, validation, atomicity."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import text
from sqlmodel import select

from mirror import outbox, writes
from mirror.outbox import OutboxOp, WorkOrderMessage
from mirror.schema import MeterReadingRow, RequestRow, SparePartRow, WorkOrderRow
from mirror.store import tombstone
from mirror.writes import UNSET, InvalidWrite

PUMP, USER, MOTOR_WO, METER, BEARING = "As1Pmp7KqD", "Tk3nQe8WvR", "Wo9Fe4JsYu", "Mt1RnHr8Qz", "Pt1Brg62Zx"


def snapshot(mirror) -> dict:
    """Every row of every table, to show that a refused write changed nothing."""
    with mirror.session() as s:
        tables = s.execute(text("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")).scalars().all()
        return {t: s.execute(text(f'SELECT * FROM "{t}" ORDER BY 1')).all() for t in tables}


def ops(mirror) -> list[OutboxOp]:
    with mirror.session() as s:
        return list(s.exec(select(OutboxOp).order_by(OutboxOp.seq)))


def row(mirror, model, record_id):
    with mirror.session() as s:
        return s.get(model, record_id)


def test_create_work_order_shows_at_once_and_queues_a_post(loaded):
    q = writes.create_work_order(
        loaded, title="Fix pump", asset_id=PUMP, priority="high", category="preventive",
        due_date="2025-01-02T03:04:05Z", assigned_to="dana.kowalski@example.com",
    )
    assert q.record_id.startswith("local-") and q.kind == "create" and q.entity == "work_orders"
    wo = row(loaded, WorkOrderRow, q.record_id)
    assert (wo.title, wo.asset_id, wo.assigned_to, wo.local_state) == ("Fix pump", PUMP, USER, "pending")
    # Machina's fields are derived as a pull would: assigned + open -> assigned, category -> type.
    assert (wo.status, wo.upkeep_status, wo.priority, wo.upkeep_priority) == ("assigned", "open", "high", 2)
    assert wo.category == "preventive" and wo.type == "preventive"
    assert wo.due_date == datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)
    (op,) = ops(loaded)
    assert (op.seq, op.op_id, op.state, op.record_id) == (q.seq, q.op_id, "pending", q.record_id)
    assert len(op.op_id) == 32 and op.base is None
    assert op.payload["fields"] == {
        "title": "Fix pump", "description": "", "priority": 2, "category": "preventive", "asset": PUMP,
        "assignedToUser": USER, "dueDate": 1735787045000,
    }


def test_category_takes_the_accounts_spelling(loaded):
    q = writes.create_work_order(loaded, title="x", category="ELECTRICAL")
    assert row(loaded, WorkOrderRow, q.record_id).category == "Electrical"


def test_updates_chain_bases_and_seq_increases(loaded):
    q = writes.create_work_order(loaded, title="Fix pump", asset_id=PUMP)
    u1 = writes.update_work_order(loaded, q.record_id, status="inProgress")
    u2 = writes.update_work_order(loaded, q.record_id, status="complete", title="Fixed pump", priority=3)
    m = writes.add_work_order_message(loaded, q.record_id, "seal replaced")
    assert q.seq < u1.seq < u2.seq < m.seq
    _, op1, op2, op3 = ops(loaded)
    assert op1.base == {"columns": {"upkeep_status": "open"}, "fields": {"status": "open"}}
    assert op2.base["columns"] == {"upkeep_status": "inProgress", "title": "Fix pump", "upkeep_priority": 1}
    assert op2.payload["fields"] == {"status": "complete", "title": "Fixed pump", "priority": 3}
    assert op3.payload == {"fields": {"text": "seal replaced"}} and op3.kind == "message"
    wo = row(loaded, WorkOrderRow, q.record_id)
    assert (wo.status, wo.title, wo.priority, wo.raw["status"]) == ("completed", "Fixed pump", "emergency", "complete")
    msg = row(loaded, WorkOrderMessage, m.op_id)
    assert (msg.work_order_id, msg.text, msg.local_state) == (q.record_id, "seal replaced", "pending")


def test_update_of_a_pulled_work_order_keeps_base_and_patches_raw(loaded):
    writes.update_work_order(loaded, MOTOR_WO, status="complete", assigned_to=None, due_date=None)
    (op,) = ops(loaded)
    assert op.base["columns"]["upkeep_status"] == "inProgress" and op.base["columns"]["assigned_to"] == "Lt5HvC1mNs"
    assert op.payload["fields"] == {"status": "complete", "assignedToUser": None, "dueDate": None}
    wo = row(loaded, WorkOrderRow, MOTOR_WO)
    assert (wo.upkeep_status, wo.assigned_to, wo.due_date, wo.local_state) == ("complete", None, None, "pending")
    assert wo.raw["status"] == "complete" and wo.raw["assignedToUser"] is None


def test_parts_used_add_to_the_work_orders_list(loaded):
    before = row(loaded, WorkOrderRow, "Wo7Kd2PqLm").parts_used
    writes.record_parts_used(loaded, "Wo7Kd2PqLm", {"6205-2RS": 2, before[0]["part_id"]: 1})
    wo = row(loaded, WorkOrderRow, "Wo7Kd2PqLm")
    assert wo.parts_used == [{"part_id": before[0]["part_id"], "qty": before[0]["qty"] + 1}, {"part_id": BEARING, "qty": 2}]
    assert {"sku": "6205-2RS", "qty": 2} in wo.spare_parts
    (op,) = ops(loaded)
    assert op.payload["fields"]["parts"] == [before[0]["part_id"], BEARING]
    assert op.base["columns"]["parts_used"] == before


def test_request_reading_and_part_count(loaded):
    r = writes.create_request(loaded, title="Leak at P-101", asset_id=PUMP, priority="low")
    reading = writes.add_meter_reading(loaded, METER, 1234.5, date="2024-05-01T10:00:00Z")
    count = writes.set_part_quantity(loaded, "6205-2RS", 20)
    req = row(loaded, RequestRow, r.record_id)
    assert (req.title, req.status, req.upkeep_priority, req.local_state) == ("Leak at P-101", "open", 0, "pending")
    rd = row(loaded, MeterReadingRow, reading.record_id)
    assert (rd.meter_id, rd.value, rd.local_state) == (METER, 1234.5, "pending")
    op = ops(loaded)[1]
    assert op.payload["fields"] == {"value": 1234.5, "date": 1714557600000}
    part = row(loaded, SparePartRow, BEARING)
    assert (part.stock_quantity, part.local_state, count.record_id) == (20, "pending", BEARING)
    assert ops(loaded)[2].base == {"columns": {"stock_quantity": 24}, "fields": {"quantity": "24"}}


REFUSALS = [
    ("asset_id", lambda m: writes.create_work_order(m, title="x", asset_id="nope")),
    ("location_id", lambda m: writes.create_work_order(m, title="x", location_id="nope")),
    ("assigned_to", lambda m: writes.create_work_order(m, title="x", assigned_to="who@example.com")),
    ("title", lambda m: writes.create_work_order(m, title="  ")),
    ("priority", lambda m: writes.create_work_order(m, title="x", priority=7)),
    ("due_date", lambda m: writes.create_work_order(m, title="x", due_date="next tuesday")),
    ("work_order_id", lambda m: writes.update_work_order(m, "nope", status="complete")),
    ("status", lambda m: writes.update_work_order(m, MOTOR_WO, status="cancelled")),
    ("status", lambda m: writes.update_work_order(m, MOTOR_WO, status="done")),
    ("fields", lambda m: writes.update_work_order(m, MOTOR_WO)),
    ("upkeep_status", lambda m: writes.update_work_order(m, MOTOR_WO, status="inProgress")),
    ("text", lambda m: writes.add_work_order_message(m, MOTOR_WO, "")),
    ("parts", lambda m: writes.record_parts_used(m, MOTOR_WO, {"no-such-sku": 1})),
    ("quantity of Pt1Brg62Zx", lambda m: writes.record_parts_used(m, MOTOR_WO, {BEARING: 0})),
    ("team_id", lambda m: writes.create_request(m, title="x", team_id="nope")),
    ("meter_id", lambda m: writes.add_meter_reading(m, "nope", 1)),
    ("value", lambda m: writes.add_meter_reading(m, METER, float("nan"))),
    ("quantity", lambda m: writes.set_part_quantity(m, BEARING, -1)),
    ("quantity", lambda m: writes.set_part_quantity(m, BEARING, "lots")),
    ("part", lambda m: writes.set_part_quantity(m, "nope", 3)),
]


@pytest.mark.parametrize("field,write", REFUSALS, ids=[f"{i}-{f}" for i, (f, _) in enumerate(REFUSALS)])
def test_invalid_writes_are_refused_and_change_nothing(loaded, field, write):
    before = snapshot(loaded)
    with pytest.raises(InvalidWrite) as info:
        write(loaded)
    assert info.value.field == field and str(info.value).startswith(f"{field}: ")
    assert snapshot(loaded) == before


def test_deleted_asset_is_refused(loaded):
    with loaded.write() as s:
        tombstone(s, "assets", [PUMP])
    with pytest.raises(InvalidWrite, match="was deleted in UpKeep"):
        writes.create_work_order(loaded, title="x", asset_id=PUMP)


def test_a_failure_after_the_row_change_rolls_everything_back(loaded, monkeypatch):
    before = snapshot(loaded)

    def broken_append(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr("mirror.writes._records.append", broken_append)
    with pytest.raises(OSError):
        writes.update_work_order(loaded, MOTOR_WO, status="complete")
    with pytest.raises(OSError):
        writes.create_work_order(loaded, title="x")
    assert snapshot(loaded) == before


def test_seq_is_never_reused(loaded):
    first = writes.update_work_order(loaded, MOTOR_WO, title="a")
    with loaded.write() as s:
        s.execute(text("DELETE FROM outbox"))
    second = writes.update_work_order(loaded, MOTOR_WO, title="b")
    assert second.seq > first.seq


def test_unset_and_none_differ(loaded):
    writes.update_work_order(loaded, MOTOR_WO, title="t", description=UNSET, category=None)
    (op,) = ops(loaded)
    assert op.payload["fields"] == {"title": "t", "category": None}


def test_ready_ops_keep_record_order_and_skip_blocked_records(loaded):
    a = writes.update_work_order(loaded, MOTOR_WO, title="a1")
    b = writes.update_work_order(loaded, "Wo7Kd2PqLm", title="b1")
    writes.update_work_order(loaded, MOTOR_WO, title="a2")
    c = writes.set_part_quantity(loaded, BEARING, 3)
    with loaded.write() as s:
        assert [o.seq for o in outbox.ready_ops(s)] == [a.seq, b.seq, c.seq]
        op_a = outbox.get_op(s, a.seq)
        outbox.mark_dead(s, op_a, "HTTP 400: title not allowed")
        op_b = outbox.get_op(s, b.seq)
        outbox.mark_retry_later(s, op_b, "HTTP 500", next_attempt_at=datetime(2999, 1, 1, tzinfo=UTC), ambiguous=False)
    with loaded.session() as s:
        # a's record is held behind its dead op; b waits for its timer; c is unaffected.
        assert [o.seq for o in outbox.ready_ops(s)] == [c.seq]
        assert outbox.counts(s) == {"dead": 1, "pending": 3}
    assert row(loaded, WorkOrderRow, MOTOR_WO).local_state == "conflict"
