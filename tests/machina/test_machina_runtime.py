"""MirrorConnector driven by Machina's own runtime, the way an agent uses it, with no network."""

from __future__ import annotations

import socket
from collections import Counter

import pytest
from machina.connectors.base import BaseConnector, ConnectorStatus, set_sandbox_mode
from machina.connectors.capabilities import Capability
from machina.connectors.cmms.upkeep import UpKeepConnector
from machina.domain import Asset, MaintenancePlan, SparePart, WorkOrder
from machina.domain.work_order import Priority, WorkOrderStatus, WorkOrderType
from machina.exceptions import ConnectorError, SandboxViolationError
from machina.runtime import MachinaRuntime
from sqlmodel import select

from mirror.db import open_mirror
from mirror.machina import MirrorConnector
from mirror.outbox import OutboxOp
from mirror.schema import WorkOrderRow
from sync.pull import sync_entities
from sync.replay import flush
from tests.support.machina_plant import run
from tests.support.upkeep import upkeep_client


@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to open a network connection fails the test."""

    def refuse(self, *args, **kwargs):
        raise AssertionError(f"network used: connect{args}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)


def _runtime(path, **kw) -> MachinaRuntime:
    return MachinaRuntime(connectors={"cmms": MirrorConnector(path, **kw)}, primary_cmms_name="cmms")


def _outbox(path) -> list[OutboxOp]:
    with open_mirror(path) as m, m.session() as s:
        return list(s.exec(select(OutboxOp).order_by(OutboxOp.seq)))


def test_it_is_a_machina_connector_with_at_least_upkeeps_capabilities(synced_plant):
    conn = MirrorConnector(synced_plant[1])
    assert isinstance(conn, BaseConnector)
    assert UpKeepConnector.capabilities <= conn.capabilities
    assert {Capability.CLOSE_WORK_ORDER, Capability.READ_MAINTENANCE_HISTORY} <= conn.capabilities
    assert Capability.CANCEL_WORK_ORDER not in conn.capabilities  # UpKeep has no cancelled status
    runtime = MachinaRuntime(connectors={"cmms": conn}, primary_cmms_name="cmms")
    assert [name for name, _ in runtime.find_by_capability(Capability.READ_MAINTENANCE_PLANS)] == ["cmms"]
    assert runtime.get_primary_cmms() is conn
    run(conn.connect())
    opened = conn._mirror
    run(conn.connect())  # connecting again keeps the one open mirror
    assert conn._mirror is opened
    run(conn.disconnect())
    assert conn._mirror is None


def test_an_agents_reads_are_answered_from_the_mirror_without_network(synced_plant, no_network):
    emu, path = synced_plant
    upstream = {e: emu.dump(e) for e in ("assets", "work_orders", "parts", "preventive_maintenance")}

    async def agent():
        runtime = _runtime(path)
        await runtime.connect_all()
        assert runtime.failed_connectors == {}
        cmms = runtime.get_primary_cmms()
        try:
            assets = await cmms.read_assets()
            asset = assets[0]
            got_asset = await cmms.get_asset(asset.id)
            orders = await cmms.read_work_orders()
            in_progress = await cmms.read_work_orders(status=WorkOrderStatus.IN_PROGRESS)
            on_hold = await cmms.read_work_orders(status="onHold")
            busiest = Counter(w.asset_id for w in orders if w.asset_id).most_common(1)[0][0]
            of_asset = await cmms.read_work_orders(asset_id=busiest)
            order = await cmms.get_work_order(orders[0].id)
            parts = await cmms.read_spare_parts()
            by_sku = await cmms.read_spare_parts(sku=parts[0].sku)
            plans = await cmms.read_maintenance_plans()
            history = await cmms.read_maintenance_history(busiest)
            missing = await cmms.get_work_order("no-such-id"), await cmms.get_asset("no-such-id")
            health = await cmms.health_check()
        finally:
            await runtime.disconnect_all()
        return locals()

    r = run(agent())
    assert all(isinstance(a, Asset) for a in r["assets"])
    assert {a.id for a in r["assets"]} == {o["id"] for o in upstream["assets"]}
    assert r["got_asset"] == r["asset"]
    assert {w.id for w in r["orders"]} == {o["id"] for o in upstream["work_orders"]}
    raw_status = {o["id"]: o["status"] for o in upstream["work_orders"]}
    assert r["in_progress"] and {w.id for w in r["in_progress"]} == {i for i, s in raw_status.items()
                                                                      if s == "inProgress"}
    assert r["on_hold"] and {w.id for w in r["on_hold"]} == {i for i, s in raw_status.items() if s == "onHold"}
    assert r["of_asset"] and all(w.asset_id == r["busiest"] for w in r["of_asset"])
    assert len(r["of_asset"]) == sum(1 for o in upstream["work_orders"] if o.get("asset") == r["busiest"])
    assert isinstance(r["order"], WorkOrder) and r["order"].id == r["orders"][0].id
    assert all(isinstance(p, SparePart) for p in r["parts"]) and len(r["parts"]) == len(upstream["parts"])
    assert r["by_sku"] and all(p.sku == r["parts"][0].sku for p in r["by_sku"])
    assert all(isinstance(p, MaintenancePlan) for p in r["plans"])
    assert {p.id for p in r["plans"]} == {o["trigger"]["id"] for o in upstream["preventive_maintenance"]}
    complete = {o["id"] for o in upstream["work_orders"] if o.get("asset") == r["busiest"]
                and o["status"] == "complete"}
    assert {w.id for w in r["history"]} == complete
    assert r["missing"] == (None, None)
    assert r["health"].status in {ConnectorStatus.HEALTHY, ConnectorStatus.DEGRADED}
    assert set(r["health"].details["pull_age_seconds"]) >= {"assets", "work_orders", "parts"}


def test_parts_of_an_asset_are_those_used_on_its_work_orders(synced_plant):
    emu, path = synced_plant
    used_on: dict[str, set[str]] = {}
    for o in emu.dump("work_orders"):
        if o.get("asset"):
            used_on.setdefault(o["asset"], set()).update(o.get("parts") or [])
    asset = max(used_on, key=lambda a: len(used_on[a]))
    assert used_on[asset]

    async def go():
        conn = MirrorConnector(path)
        await conn.connect()
        try:
            return await conn.read_spare_parts(asset_id=asset)
        finally:
            await conn.disconnect()

    parts = run(go())
    assert sorted(p.metadata["id"] for p in parts) == sorted(used_on[asset])


def test_writes_go_through_the_outbox_and_return_the_local_record(db, no_network):
    async def agent():
        runtime = _runtime(db)
        await runtime.connect_all()
        cmms = runtime.get_primary_cmms()
        asset = (await cmms.read_assets())[0]
        user = next(w.assigned_to for w in await cmms.read_work_orders() if w.assigned_to)
        wo = WorkOrder(id="WO-AGENT-1", type=WorkOrderType.PREVENTIVE, priority=Priority.HIGH, asset_id=asset.id,
                       description="Bearing temperature high on drive end\nCheck lubrication",
                       failure_mode="BEAR-WEAR-01", estimated_duration_hours=2.5)
        created = await cmms.create_work_order(wo)
        started = await cmms.update_work_order(created.id, status=WorkOrderStatus.IN_PROGRESS, assigned_to=user)
        same = await cmms.update_work_order(created.id, status="in_progress")
        closed = await cmms.close_work_order(created.id)
        listed = await cmms.read_work_orders(asset_id=asset.id)
        await runtime.disconnect_all()
        return asset, user, created, started, same, closed, listed

    asset, user, created, started, same, closed, listed = run(agent())
    assert created.id.startswith("local-")
    assert (created.asset_id, created.type, created.priority, created.status) == (
        asset.id, WorkOrderType.PREVENTIVE, Priority.HIGH, WorkOrderStatus.CREATED)
    assert created.metadata["title"] == "Bearing temperature high on drive end"
    assert "Failure mode: BEAR-WEAR-01" in created.description and "Estimated hours: 2.5" in created.description
    assert created.metadata["local_state"] == "pending"
    assert (started.status, started.assigned_to) == (WorkOrderStatus.IN_PROGRESS, user)
    assert same == started  # nothing changed, nothing queued
    assert closed.status == WorkOrderStatus.COMPLETED and closed.metadata["upkeep_status"] == "complete"
    assert created.id in {w.id for w in listed}
    ops = _outbox(db)
    assert [(op.kind, op.record_id) for op in ops] == [("create", created.id), ("update", created.id),
                                                       ("update", created.id)]
    assert ops[0].payload["fields"]["asset"] == asset.id and ops[0].payload["fields"]["priority"] == 2
    assert ops[0].payload["fields"]["category"].lower().startswith("prevent")
    assert ops[1].payload["fields"] == {"status": "inProgress", "assignedToUser": user}
    assert ops[2].payload["fields"] == {"status": "complete"}


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda c, wo: c.cancel_work_order(wo), "UpKeep has no cancelled status"),
        (lambda c, wo: c.update_work_order(wo, status=WorkOrderStatus.CANCELLED), "no cancelled status"),
        (lambda c, wo: c.update_work_order(wo), "at least one field"),
        (lambda c, wo: c.update_work_order(wo, status="finished"), "not a status"),
        (lambda c, wo: c.update_work_order("no-such-wo", description="x"), "no work order 'no-such-wo'"),
        (lambda c, wo: c.update_work_order(wo, assigned_to="nobody@nowhere"), "no user 'nobody@nowhere'"),
        (lambda c, wo: c.create_work_order(WorkOrder(id="x", type="corrective", asset_id="no-such-asset",
                                                     description="Leak")), "no asset 'no-such-asset'"),
        (lambda c, wo: c.create_work_order(WorkOrder(id="x", type="corrective", asset_id="", description=" ")),
         "title: must not be empty"),
        (lambda c, wo: c.create_work_order(WorkOrder(id="x", type="corrective", asset_id="", description="Leak",
                                                     status="in_progress")), "UpKeep creates work orders open"),
    ],
)
def test_invalid_writes_are_refused_with_a_connector_error_and_queue_nothing(db, call, message):
    async def go():
        conn = MirrorConnector(db)
        await conn.connect()
        try:
            wo = (await conn.read_work_orders(status="open"))[0].id
            with pytest.raises(ConnectorError, match=message):
                await call(conn, wo)
        finally:
            await conn.disconnect()

    run(go())
    assert _outbox(db) == []


def test_sandbox_mode_blocks_writes_before_anything_is_queued(db):
    async def go():
        conn = MirrorConnector(db)
        await conn.connect()
        wo = (await conn.read_work_orders())[0]
        set_sandbox_mode(True)
        try:
            for write in (conn.create_work_order(wo), conn.update_work_order(wo.id, description="x"),
                          conn.close_work_order(wo.id)):
                with pytest.raises(SandboxViolationError):
                    await write
            assert await conn.get_work_order(wo.id) == wo  # reads still work
        finally:
            set_sandbox_mode(False)
            await conn.disconnect()

    run(go())
    assert _outbox(db) == []


def test_a_missing_mirror_or_no_connect_is_a_clear_connector_error(tmp_path):
    conn = MirrorConnector(tmp_path / "absent.db")
    with pytest.raises(ConnectorError, match="run `upkeep-mirror sync"):
        run(conn.connect())
    assert not (tmp_path / "absent.db").exists()
    with pytest.raises(ConnectorError, match="Not connected"):
        run(conn.read_assets())
    assert run(conn.health_check()).status == ConnectorStatus.UNHEALTHY


def test_a_work_order_an_agent_creates_offline_reaches_upkeep_once_with_its_asset(own_plant):
    """End to end: agent -> mirror + outbox -> replayer -> emulator; then the next pull shows UpKeep's id."""
    emu, path = own_plant
    asset_id = emu.dump("assets")[0]["id"]

    async def create():
        conn = MirrorConnector(path)
        await conn.connect()
        try:
            return await conn.create_work_order(WorkOrder(
                id="ignored", type=WorkOrderType.CORRECTIVE, priority=Priority.EMERGENCY, asset_id=asset_id,
                description="Seal leaking on pump"))
        finally:
            await conn.disconnect()

    local = run(create())
    with open_mirror(path) as mirror, upkeep_client(emu) as client:
        report = flush(mirror, client)
        assert report.created == 1 and report.dead == 0
        new_id = report.remapped[local.id]
        sync_entities(mirror, client)
    upstream = [o for o in emu.dump("work_orders") if o["title"] == "Seal leaking on pump"]
    assert len(upstream) == 1
    assert (upstream[0]["id"], upstream[0]["asset"], int(upstream[0]["priority"])) == (new_id, asset_id, 3)

    async def read_back():
        conn = MirrorConnector(path)
        await conn.connect()
        try:
            return await conn.get_work_order(new_id), await conn.get_work_order(local.id)
        finally:
            await conn.disconnect()

    synced, by_local_id = run(read_back())
    assert synced.asset_id == asset_id and synced.priority == Priority.EMERGENCY
    assert synced.metadata["local_state"] == "synced"
    assert by_local_id == synced  # the local id the agent kept finds the delivered record
    with open_mirror(path) as m, m.session() as s:
        assert s.exec(select(WorkOrderRow).where(WorkOrderRow.title == "Seal leaking on pump")).one().id == new_id


def test_machinas_agent_runs_its_tools_on_the_mirror(synced_plant, no_network):
    """Machina's own ``Agent`` (no LLM call is made): start() loads the plant from the connector,
    and its tool executor (``Agent._execute_tool``, machina-ai 0.4) answers the tools an LLM would call."""
    from machina.agent.runtime import Agent

    emu, path = synced_plant
    pm = next(o for o in emu.dump("preventive_maintenance") if o["workOrder"].get("asset"))
    asset = pm["workOrder"]["asset"]

    async def go():
        agent = Agent(connectors=[MirrorConnector(path)], llm="openai:gpt-4o")
        await agent.start()
        try:
            return {name: await agent._execute_tool(name, args) for name, args in [
                ("list_assets", {}),
                ("get_asset_details", {"asset_id": asset}),
                ("read_work_orders", {"asset_id": asset, "status": "completed"}),
                ("check_spare_parts", {"asset_id": asset}),
                ("get_maintenance_schedule", {"asset_id": asset}),
            ]}
        finally:
            await agent.stop()

    out = run(go())
    assert {a["id"] for a in out["list_assets"]} == {o["id"] for o in emu.dump("assets")}
    upstream_asset = next(o for o in emu.dump("assets") if o["id"] == asset)
    assert out["get_asset_details"]["parent"] == upstream_asset.get("parentAsset")
    done = {o["id"] for o in emu.dump("work_orders") if o.get("asset") == asset and o["status"] == "complete"
            and o["archivedStatus"] != "1"}
    assert {w["id"] for w in out["read_work_orders"]} == done
    used = {p for o in emu.dump("work_orders") if o.get("asset") == asset for p in o.get("parts") or []}
    assert {p["metadata"]["id"] for p in out["check_spare_parts"]} == used
    plans = out["get_maintenance_schedule"]["plans"]
    assert pm["trigger"]["id"] in {p["plan_id"] for p in plans} and all(p["asset_id"] == asset for p in plans)
