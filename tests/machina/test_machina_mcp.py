"""Machina's MCP tools over the mirror: an MCP client session in-process, and one over real stdio."""

from __future__ import annotations

import json
import sys
from collections import Counter

import pytest
from click.testing import CliRunner
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client
from mcp.shared.memory import create_connected_server_and_client_session
from sqlmodel import select

from mirror.db import open_mirror
from mirror.machina.mcp import build_server
from mirror.outbox import OutboxOp
from sync.cli.mcp import mcp
from tests.support.machina_plant import run

AGENT_TOOLS = {
    "machina_list_assets", "machina_get_asset", "machina_list_work_orders", "machina_get_work_order",
    "machina_create_work_order", "machina_update_work_order", "machina_close_work_order",
    "machina_list_spare_parts", "machina_get_maintenance_plan", "machina_get_maintenance_history",
}


def _data(result) -> object:
    assert not result.isError, result.content
    payload = result.structuredContent
    return payload.get("result", payload) if isinstance(payload, dict) else payload


def _ops(path) -> list[OutboxOp]:
    with open_mirror(path) as m, m.session() as s:
        return list(s.exec(select(OutboxOp).order_by(OutboxOp.seq)))


async def _session(path, calls, **kw):
    async with create_connected_server_and_client_session(build_server(path, **kw)) as client:
        return await calls(client)


def test_machinas_tools_answer_from_the_mirror(synced_plant, db):
    emu, _ = synced_plant
    upstream = emu.dump("work_orders")
    busiest = Counter(o["asset"] for o in upstream if o.get("asset")).most_common(1)[0][0]

    async def calls(client: ClientSession):
        tools = {t.name for t in (await client.list_tools()).tools}
        out = {"tools": tools}
        out["assets"] = _data(await client.call_tool("machina_list_assets", {}))
        out["asset"] = _data(await client.call_tool("machina_get_asset", {"asset_id": busiest}))
        out["in_progress"] = _data(await client.call_tool("machina_list_work_orders", {"status": "in_progress"}))
        out["history"] = _data(await client.call_tool("machina_get_maintenance_history", {"asset_id": busiest}))
        out["parts"] = _data(await client.call_tool("machina_list_spare_parts", {"asset_id": busiest}))
        out["plans"] = _data(await client.call_tool("machina_get_maintenance_plan", {}))
        resource = await client.read_resource(f"machina://v1/assets/{busiest}")
        out["resource"] = json.loads(resource.contents[0].text)
        created = _data(await client.call_tool("machina_create_work_order", {
            "asset_id": busiest, "description": "Oil sample shows metal particles", "priority": "high",
            "failure_mode": "BEAR-WEAR-01"}))
        out["created"] = created
        out["closed"] = _data(await client.call_tool("machina_close_work_order", {"work_order_id": created["id"]}))
        out["cancel"] = await client.call_tool("machina_update_work_order",
                                               {"work_order_id": created["id"], "status": "cancelled"})
        return out

    out = run(_session(db, calls))
    assert out["tools"] >= AGENT_TOOLS and "machina_cancel_work_order" not in out["tools"]
    assert {a["id"] for a in out["assets"]} == {o["id"] for o in emu.dump("assets")}
    assert out["asset"]["id"] == busiest == out["resource"]["id"]
    assert {w["id"] for w in out["in_progress"]} == {o["id"] for o in upstream if o["status"] == "inProgress"} != set()
    assert {w["id"] for w in out["history"]} == {o["id"] for o in upstream
                                                 if o.get("asset") == busiest and o["status"] == "complete"}
    used = {p for o in upstream if o.get("asset") == busiest for p in o.get("parts") or []}
    serials = {o["id"]: o["serial"] for o in emu.dump("parts")}
    assert {p["sku"] for p in out["parts"]} == {serials[p] for p in used}
    assert len(out["plans"]) == len(emu.dump("preventive_maintenance")) and out["plans"][0]["interval_days"] >= 0
    assert out["created"]["id"].startswith("local-") and out["created"]["priority"] == "high"
    assert out["closed"] == {"id": out["created"]["id"], "status": "completed", "asset_id": busiest}
    assert out["cancel"].isError and "no cancelled status" in out["cancel"].content[0].text
    assert [(op.kind, op.payload["fields"].get("status")) for op in _ops(db)] == [("create", None),
                                                                                  ("update", "complete")]


def test_in_sandbox_mode_write_tools_queue_nothing(db):
    async def calls(client: ClientSession):
        asset = _data(await client.call_tool("machina_list_assets", {}))[0]["id"]
        return _data(await client.call_tool("machina_create_work_order",
                                            {"asset_id": asset, "description": "Leak at flange"}))

    created = run(_session(db, calls, sandbox=True))
    assert created["id"] == "WO-SANDBOX-0000" and created["metadata"] == {"sandbox": True}
    assert _ops(db) == []


def test_upkeep_mirror_mcp_serves_on_stdio(db):
    """The command in a child process, driven by the MCP SDK's stdio client: stdout carries only JSON-RPC."""
    params = StdioServerParameters(command=sys.executable,
                                   args=["-c", "from sync.cli.mcp import mcp; mcp()", "--db", str(db)])

    async def go():
        async with stdio_client(params) as (read, write), ClientSession(read, write) as client:
            await client.initialize()
            tools = {t.name for t in (await client.list_tools()).tools}
            assets = _data(await client.call_tool("machina_list_assets", {}))
            return tools, assets

    tools, assets = run(go())
    assert tools >= AGENT_TOOLS and len(assets) > 0


@pytest.mark.parametrize("args", [["--db", "missing.db"], []])
def test_mcp_command_errors_are_one_sentence(tmp_path, args, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("UPKEEP_MIRROR_DB", raising=False)
    result = CliRunner().invoke(mcp, args)
    assert result.exit_code == 2 if not args else result.exit_code == 1
    assert "Traceback" not in result.output
    assert ("does not exist; run `upkeep-mirror sync" in result.output) if args else ("--db" in result.output)
