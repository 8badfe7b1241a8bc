"""An agent keeps the ``local-...`` id ``create_work_order`` gave it: after UpKeep accepts the work
order, that id still reads and updates the delivered record (under UpKeep's id), and the outbox
shows both ids."""

from __future__ import annotations

from click.testing import CliRunner
from datasette.utils.testing import TestClient as DatasetteClient
from machina.domain import WorkOrder
from machina.domain.work_order import Priority, WorkOrderStatus, WorkOrderType

from mirror import outbox
from mirror.db import open_mirror
from mirror.machina import MirrorConnector
from queries.datasette import load_metadata, make_datasette
from queries.functions import local_writes
from sync.cli import cli
from sync.replay import flush
from tests.support.machina_plant import run
from tests.support.upkeep import upkeep_client

TITLE = "Gearbox oil sample overdue"


async def _with(path, fn):
    conn = MirrorConnector(path)
    await conn.connect()
    try:
        return await fn(conn)
    finally:
        await conn.disconnect()


def _flush(path, emu):
    with open_mirror(path) as mirror, upkeep_client(emu) as client:
        return flush(mirror, client)


def test_a_delivered_local_id_still_reads_and_updates_the_work_order(own_plant):
    emu, path = own_plant
    asset_id = emu.dump("assets")[0]["id"]
    local = run(_with(path, lambda c: c.create_work_order(WorkOrder(
        id="ignored", type=WorkOrderType.CORRECTIVE, priority=Priority.HIGH, asset_id=asset_id,
        description=TITLE))))
    assert local.id.startswith("local-")

    report = _flush(path, emu)  # back online: the create reaches UpKeep
    assert report.created == 1 and report.dead == 0
    server_id = report.remapped[local.id]
    assert not server_id.startswith("local-")

    # The handle the agent kept still finds the work order: the delivered one, under UpKeep's id.
    found = run(_with(path, lambda c: c.get_work_order(local.id)))
    assert found is not None and (found.id, found.asset_id) == (server_id, asset_id)
    assert found.metadata["local_state"] == "synced"

    # An update sent with the old id is queued for UpKeep's id (never for the local one) and delivered.
    changed = run(_with(path, lambda c: c.update_work_order(local.id, status=WorkOrderStatus.IN_PROGRESS)))
    assert changed.id == server_id and changed.status == WorkOrderStatus.IN_PROGRESS
    with open_mirror(path) as mirror, mirror.session() as s:
        update = outbox.list_ops(s)[-1]
        assert (update.kind, update.state, update.record_id) == ("update", "pending", server_id)
        # local_writes shows the pending update on UpKeep's id with the id the record was made under.
        waiting = {w.seq: w for w in local_writes(s)}
        assert (waiting[update.seq].record_id, waiting[update.seq].local_id) == (server_id, local.id)
        assert outbox.resolve_id(s, "work_orders", local.id) == server_id
        assert outbox.resolve_id(s, "work_orders", server_id) == server_id  # anything else unchanged
        assert outbox.resolve_id(s, "work_orders", "local-unknown") == "local-unknown"
    report = _flush(path, emu)
    assert report.updated == 1 and report.dead == 0
    assert emu.get("work_orders", server_id)["status"] == "inProgress"
    assert [o["id"] for o in emu.dump("work_orders") if o["title"] == TITLE] == [server_id]

    listed = run(_with(path, lambda c: c.read_work_orders(asset_id=asset_id)))
    assert [w.id for w in listed if w.description.startswith(TITLE)] == [server_id]

    # The outbox keeps the mapping: the create op holds the local id and UpKeep's.
    with open_mirror(path) as mirror, mirror.session() as s:
        create = next(o for o in outbox.list_ops(s) if o.kind == "create")
        assert (create.state, create.record_id, create.server_id) == ("done", local.id, server_id)
    shown = CliRunner().invoke(cli, ["outbox", "list", "--all", "--db", str(path)])
    assert shown.exit_code == 0, shown.output
    assert f"{local.id} -> {server_id}" in shown.output


def test_the_page_of_a_delivered_local_id_redirects_to_the_record(own_plant):
    emu, path = own_plant
    made = [run(_with(path, lambda c, t=title: c.create_work_order(WorkOrder(
        id="ignored", type=WorkOrderType.CORRECTIVE, priority=Priority.LOW, asset_id="", description=t))))
        for title in ("Conveyor belt frayed", "Dock door sensor")]
    with open_mirror(path) as mirror, mirror.write() as s:  # the second stays here
        assert outbox.mark_dead(s, outbox.list_ops(s)[-1], "held back by the test")
    server_id = _flush(path, emu).remapped[made[0].id]
    ds = make_datasette(path, load_metadata())
    try:
        client = DatasetteClient(ds)
        moved = client.get(f"/mirror/work_orders/{made[0].id}")
        assert moved.status == 302 and moved.headers["location"] == f"/mirror/work_orders/{server_id}"
        page = client.get(moved.headers["location"])
        assert page.status == 200 and "Conveyor belt frayed" in page.text
        as_json = client.get(f"/mirror/work_orders/{made[0].id}.json?_shape=objects")
        assert as_json.headers["location"] == f"/mirror/work_orders/{server_id}.json?_shape=objects"
        assert client.get(as_json.headers["location"]).json["rows"][0]["id"] == server_id
        waiting = client.get(f"/mirror/work_orders/{made[1].id}")  # not delivered: its own page
        assert waiting.status == 200 and "Dock door sensor" in waiting.text
        assert client.get("/mirror/work_orders/local-0123abc").status == 404
    finally:
        for database in ds.databases.values():
            database.close()


def test_a_local_id_not_yet_delivered_is_the_local_record(own_plant):
    _emu, path = own_plant
    local = run(_with(path, lambda c: c.create_work_order(WorkOrder(
        id="ignored", type=WorkOrderType.CORRECTIVE, priority=Priority.LOW, asset_id="",
        description="Loose guard rail"))))
    changed = run(_with(path, lambda c: c.update_work_order(local.id, description="Loose guard rail, bay 4")))
    assert changed.id == local.id and changed.description == "Loose guard rail, bay 4"
    assert run(_with(path, lambda c: c.get_work_order(local.id))).id == local.id
