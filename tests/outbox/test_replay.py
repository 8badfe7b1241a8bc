"""Replaying the outbox to the emulator over real HTTP: offline writes, ids, conflicts, dead letters."""

from __future__ import annotations

import pytest
from sqlmodel import select

from mirror import outbox, writes
from mirror.outbox import OutboxOp, WorkOrderMessage
from mirror.schema import AssetRow, MeterReadingRow, MeterRow, RequestRow, SparePartRow, WorkOrderRow
from sync.replay import flush as replay_flush
from sync.replay._match import marker
from tests.support.retries import FAST


def flush(mirror, client, **kw):
    """A flush that does not wait for in-flight requests to land (no request here is slow)."""
    return replay_flush(mirror, client, **{"settle": 0.0, "policy": FAST, **kw})


def ops(mirror) -> list[OutboxOp]:
    with mirror.session() as s:
        return list(s.exec(select(OutboxOp).order_by(OutboxOp.seq)))


def get(mirror, model, key):
    with mirror.session() as s:
        return s.get(model, key)


def some(mirror, model, n=1, **where):
    with mirror.session() as s:
        stmt = select(model).where(model.deleted_at.is_(None), *[getattr(model, k) == v for k, v in where.items()])
        return [r.id for r in s.exec(stmt.order_by(model.id).limit(n))]


def created_on(emu, entity, op_id) -> list[dict]:
    """Objects of ``entity`` on the emulator that carry the marker of ``op_id``."""
    return [o for o in emu.dump(entity) if marker(op_id) in (o.get("description") or "")]


def test_offline_writes_show_at_once_and_arrive_once_when_back_online(synced, emu, client):
    (asset,) = some(synced, AssetRow)
    emu.set_offline(True)
    q = writes.create_work_order(synced, title="Seal leaking on P-7", asset_id=asset, priority="high")
    writes.update_work_order(synced, q.record_id, status="inProgress")
    writes.update_work_order(synced, q.record_id, status="complete", title="Seal replaced on P-7")
    m = writes.add_work_order_message(synced, q.record_id, "Replaced the seal, no leak after 30 min")
    wo = get(synced, WorkOrderRow, q.record_id)
    assert (wo.title, wo.upkeep_status, wo.status, wo.local_state) == ("Seal replaced on P-7", "complete", "completed", "pending")
    assert get(synced, WorkOrderMessage, m.op_id).text.startswith("Replaced")

    report = flush(synced, client)
    assert report.unreachable and report.done == 0
    assert {o.state for o in ops(synced)} == {"pending"}
    assert created_on(emu, "work_orders", q.op_id) == []

    emu.set_offline(False)
    report = flush(synced, client)
    assert (report.done, report.created, report.updated, report.messages) == (4, 1, 2, 1), report
    (remote,) = created_on(emu, "work_orders", q.op_id)
    assert (remote["title"], remote["status"], remote["priority"], remote["asset"]) == (
        "Seal replaced on P-7", "complete", "2", asset)
    assert [x["text"] for x in emu.messages(remote["id"])] == ["Replaced the seal, no leak after 30 min"]
    # The local id is gone everywhere but in its create (local id -> UpKeep's); the mirror holds
    # UpKeep's record and answer.
    assert report.remapped == {q.record_id: remote["id"]}
    assert get(synced, WorkOrderRow, q.record_id) is None
    wo = get(synced, WorkOrderRow, remote["id"])
    assert (wo.upkeep_status, wo.local_state, wo.work_order_no) == ("complete", "synced", remote["workOrderNo"])
    assert wo.upkeep_updated_at is not None
    create, *later = ops(synced)
    assert (create.record_id, create.server_id, create.state) == (q.record_id, remote["id"], "done")
    assert {(o.record_id, o.state) for o in later} == {(remote["id"], "done")}
    assert get(synced, WorkOrderMessage, m.op_id).work_order_id == remote["id"]
    assert flush(synced, client).requests == 0  # nothing left


def test_request_reading_and_part_count_round_trip(synced, emu, client):
    (meter,) = some(synced, MeterRow)
    (part,) = some(synced, SparePartRow)
    r = writes.create_request(synced, title="Guard missing on conveyor 3", description="Left side")
    rd = writes.add_meter_reading(synced, meter, 42.5)
    writes.set_part_quantity(synced, part, 7)
    report = flush(synced, client)
    assert (report.done, report.created, report.updated) == (3, 2, 1), report
    (req,) = created_on(emu, "requests", r.op_id)
    assert req["description"].startswith("Left side\n\n[upkeep-mirror ")
    assert get(synced, RequestRow, req["id"]).local_state == "synced"
    reading_id = report.remapped[rd.record_id]
    assert emu.get("meter_readings", reading_id)["value"] == 42.5
    assert get(synced, MeterReadingRow, reading_id).meter_id == meter
    assert emu.get("parts", part)["quantity"] == "7"
    assert get(synced, SparePartRow, part).stock_quantity == 7


def test_remote_edit_of_another_field_merges(synced, emu, client):
    (wo_id,) = some(synced, WorkOrderRow, upkeep_status="open")
    writes.update_work_order(synced, wo_id, title="Mine")
    emu.mutate(op="update", entity="work_orders", id=wo_id, fields={"priority": "3"})
    report = flush(synced, client)
    assert (report.done, report.conflicts) == (1, 0)
    remote = emu.get("work_orders", wo_id)
    assert (remote["title"], remote["priority"]) == ("Mine", "3")
    wo = get(synced, WorkOrderRow, wo_id)
    assert (wo.title, wo.upkeep_priority, wo.local_state) == ("Mine", 3, "synced")


@pytest.mark.parametrize("keep", ["local", "remote"])
def test_remote_edit_of_the_same_field_is_a_conflict_until_resolved(synced, emu, client, keep):
    (wo_id,) = some(synced, WorkOrderRow, upkeep_status="open")
    u = writes.update_work_order(synced, wo_id, status="complete", title="Done by me")
    emu.mutate(op="update", entity="work_orders", id=wo_id, fields={"status": "onHold", "priority": "3"})
    report = flush(synced, client)
    assert (report.done, report.conflicts) == (0, 1)
    (op,) = ops(synced)
    assert op.state == "conflict"
    assert op.base["columns"]["upkeep_status"] == "open" and op.payload["columns"]["upkeep_status"] == "complete"
    assert op.remote == {"columns": {"upkeep_status": "onHold"}, "fields": {"status": "onHold"}}
    wo = get(synced, WorkOrderRow, wo_id)
    # Both stay visible: ours in the row, UpKeep's in the op; the other remote change merged in.
    assert (wo.upkeep_status, wo.upkeep_priority, wo.local_state) == ("complete", 3, "conflict")
    assert emu.get("work_orders", wo_id)["title"] != "Done by me"  # nothing was sent

    outbox.resolve_op(synced, u.seq, keep=keep)
    report = flush(synced, client)
    assert report.done == 1 and report.conflicts == 0
    remote = emu.get("work_orders", wo_id)
    expected = "complete" if keep == "local" else "onHold"
    assert (remote["status"], remote["title"]) == (expected, "Done by me")
    wo = get(synced, WorkOrderRow, wo_id)
    assert (wo.upkeep_status, wo.title, wo.local_state) == (expected, "Done by me", "synced")


def test_rejected_writes_go_to_dead_letter_with_upkeeps_message(synced, emu, client):
    ids = some(synced, WorkOrderRow, n=3)
    bad = writes.update_work_order(synced, ids[0], category="Not A Category")
    later = writes.update_work_order(synced, ids[0], title="Held back behind the dead op")
    gone = writes.update_work_order(synced, ids[1], title="Deleted upstream")
    fine = writes.update_work_order(synced, ids[2], title="Unaffected")
    emu.mutate(op="delete", entity="work_orders", id=ids[1])
    report = flush(synced, client)
    assert (report.done, report.dead) == (1, 2)
    states = {o.seq: (o.state, o.last_error) for o in ops(synced)}
    assert states[bad.seq] == ("dead", "HTTP 400: category 'Not A Category' is not one of the account's work order categories")
    assert states[gone.seq][0] == "dead" and states[gone.seq][1].startswith("HTTP 404: ")
    assert states[later.seq] == ("pending", None) and states[fine.seq][0] == "done"
    assert get(synced, WorkOrderRow, ids[0]).local_state == "conflict"
    # A person discards the bad op: the record's queue moves on.
    outbox.discard_op(synced, bad.seq)
    assert flush(synced, client).done == 1
    assert emu.get("work_orders", ids[0])["title"] == "Held back behind the dead op"


def test_a_pull_during_pending_writes_keeps_the_local_values(tmp_path, emu, client):
    from mirror.db import open_mirror
    from sync.pull import PullOptions, sync_entities

    with open_mirror(tmp_path / "pulled.db") as mirror:
        sync_entities(mirror, client, None, PullOptions(full=True))
        (wo_id,) = some(mirror, WorkOrderRow, upkeep_status="open")
        (part,) = some(mirror, SparePartRow)
        writes.update_work_order(mirror, wo_id, status="inProgress", title="Local title")
        writes.set_part_quantity(mirror, part, 3)
        q = writes.create_work_order(mirror, title="Made offline")
        emu.mutate(op="update", entity="work_orders", id=wo_id, fields={"priority": "3", "description": "upstream"})
        emu.mutate(op="update", entity="parts", id=part, fields={"name": "Renamed part"})
        results = sync_entities(mirror, client, ["parts", "work_orders"], PullOptions())
        assert all(r.finished for r in results) and sum(r.upserted for r in results) >= 2
        wo = get(mirror, WorkOrderRow, wo_id)
        assert (wo.upkeep_status, wo.title, wo.local_state) == ("inProgress", "Local title", "pending")
        assert (wo.upkeep_priority, wo.description) == (3, "upstream")  # remote changes merged in
        row = get(mirror, SparePartRow, part)
        assert (row.stock_quantity, row.name, row.local_state) == (3, "Renamed part", "pending")
        assert get(mirror, WorkOrderRow, q.record_id).title == "Made offline"  # local rows untouched

        assert flush(mirror, client).done == 3
        remote = emu.get("work_orders", wo_id)
        assert (remote["status"], remote["title"], remote["priority"]) == ("inProgress", "Local title", "3")
        sync_entities(mirror, client, ["work_orders"], PullOptions())
        assert get(mirror, WorkOrderRow, wo_id).local_state == "synced"


def test_an_update_queued_before_its_create_is_not_a_conflict_with_the_marker(synced, emu, client):
    q = writes.create_work_order(synced, title="Check guard", description="Left side guard loose")
    writes.update_work_order(synced, q.record_id, description="Both guards loose", priority="low")
    report = flush(synced, client)
    assert (report.done, report.conflicts) == (2, 0), report
    remote = emu.get("work_orders", report.remapped[q.record_id])
    assert (remote["description"], remote["priority"]) == ("Both guards loose", "0")
