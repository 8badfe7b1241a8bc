"""Live changes (random and specific), request stats, and the control surface that drives them."""

from __future__ import annotations

import time

import httpx
import pytest

from sync.emulator.values import now_ms, parse_ms


def test_random_changes_bump_updated_at_and_really_delete(emu, own_api):
    before = {w["id"]: w for w in emu.dump("work_orders")}
    started = now_ms()
    changes = emu.mutate(40)
    assert len(changes) == 40
    after = {w["id"]: w for w in emu.dump("work_orders")}
    kinds = {(c["entity"], c["op"]) for c in changes}
    assert {("work_orders", "update"), ("work_orders", "create"), ("work_orders", "delete")} <= kinds
    deleted = {c["id"] for c in changes if c["entity"] == "work_orders" and c["op"] == "delete"}
    assert deleted and not deleted & set(after)
    for wo_id in deleted:
        assert own_api.get(f"/work-orders/{wo_id}").status_code == 404
    touched = {c["id"] for c in changes if c["entity"] == "work_orders" and c["op"] != "delete"} - deleted
    assert touched and all(parse_ms(after[i]["updatedAt"]) >= started for i in touched)
    changed_since = own_api.get("/work-orders", params={"updatedAtGreaterThanOrEqualTo": started}).json()[
        "results"
    ]
    assert {w["id"] for w in changed_since} == {
        i for i, w in after.items() if parse_ms(w["updatedAt"]) >= started
    }
    assert set(before) != set(after)


def test_random_changes_touch_assets_and_parts(emu):
    changes = emu.mutate(80)
    assert {"assets", "parts"} <= {c["entity"] for c in changes}
    part_change = next(c for c in changes if c["entity"] == "parts")
    assert parse_ms(emu.get("parts", part_change["id"])["updatedAt"]) > emu.epoch


def test_specific_update_with_explicit_timestamp(emu):
    wo = emu.dump("work_orders")[0]
    [change] = emu.mutate(
        op="update", entity="work_orders", id=wo["id"], fields={"status": "onHold"}, at=1767225600123
    )
    assert change == {"op": "update", "entity": "work_orders", "id": wo["id"]}
    after = emu.get("work_orders", wo["id"])
    assert after["status"] == "onHold" and after["updatedAt"] == "2026-01-01T00:00:00.123Z"


def test_specific_create_and_delete_over_http(emu, own_api):
    response = httpx.post(
        f"{emu.control_url}/mutate",
        json={"op": "create", "entity": "work-orders", "fields": {"title": "Made by the control surface"}},
    )
    [change] = response.json()["results"]
    created = own_api.get(f"/work-orders/{change['id']}").json()["result"]
    assert created["title"] == "Made by the control surface" and created["status"] == "open"
    httpx.post(
        f"{emu.control_url}/mutate", json={"op": "delete", "entity": "work_orders", "id": change["id"]}
    )
    assert own_api.get(f"/work-orders/{change['id']}").status_code == 404


def test_specific_update_of_pm_trigger_merges_nested(emu, own_api):
    item = emu.dump("preventive_maintenance")[0]
    tid = item["trigger"]["id"]
    emu.mutate(op="update", entity="preventive_maintenance", id=tid, fields={"trigger": {"rrinterval": 9}})
    after = own_api.get(f"/preventive-maintenance/{tid}").json()["result"]
    assert after["trigger"]["rrinterval"] == 9 and after["trigger"]["rrfreq"] == item["trigger"]["rrfreq"]
    assert parse_ms(after["trigger"]["updatedAt"]) > parse_ms(item["trigger"]["updatedAt"])


def test_mutate_rejects_unknown_targets(emu):
    assert (
        httpx.post(
            f"{emu.control_url}/mutate", json={"op": "update", "entity": "work_orders", "id": "NoSuchId00"}
        ).status_code
        == 404
    )
    assert (
        httpx.post(f"{emu.control_url}/mutate", json={"op": "explode", "entity": "work_orders"}).status_code
        == 400
    )
    assert (
        httpx.post(f"{emu.control_url}/mutate", json={"op": "create", "entity": "widgets"}).status_code == 404
    )
    with pytest.raises(KeyError):
        emu.mutate(op="delete", entity="assets", id="NoSuchId00")


def test_live_stream_changes_data_while_running(emu):
    started = now_ms()
    httpx.post(f"{emu.control_url}/live", json={"changes_per_second": 40})
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline and emu.live.applied < 5:
        time.sleep(0.05)
    httpx.post(f"{emu.control_url}/live", json={"changes_per_second": 0})
    assert emu.live.applied >= 5
    changed = (
        [w for w in emu.dump("work_orders") if parse_ms(w["updatedAt"]) >= started]
        + [a for a in emu.dump("assets") if parse_ms(a["updatedAt"]) >= started]
        + [p for p in emu.dump("parts") if parse_ms(p["updatedAt"]) >= started]
    )
    assert changed
    settled = emu.live.applied
    time.sleep(0.2)
    assert emu.live.applied == settled


def test_stats_count_requests_per_route_and_reset(emu, own_api):
    httpx.post(f"{emu.control_url}/stats/reset")
    wo = emu.dump("work_orders")[0]
    own_api.get("/work-orders", params={"limit": 3})
    own_api.get("/work-orders/", params={"limit": 3, "offset": 3})
    own_api.get(f"/work-orders/{wo['id']}")
    httpx.get(f"{emu.api_url}/assets")
    stats = httpx.get(f"{emu.control_url}/stats").json()["result"]
    assert stats["routes"] == {
        "GET /api/v2/work-orders": 2,
        "GET /api/v2/work-orders/{id}": 1,
        "GET /api/v2/assets": 1,
    }
    assert stats["statuses"] == {"200": 3, "401": 1}
    assert stats["versions"] == {"2022-09-14": 3, "(none)": 1}
    assert stats["total"] == 4
    httpx.post(f"{emu.control_url}/stats/reset")
    assert httpx.get(f"{emu.control_url}/stats").json()["result"]["total"] == 0


def test_dump_over_http_matches_python_dump(emu):
    response = httpx.get(f"{emu.control_url}/dump/work-orders").json()
    assert response["success"] is True and response["results"] == emu.dump("work_orders")
    assert httpx.get(f"{emu.control_url}/dump/widgets").status_code == 404


def test_info_reports_counts_and_settings(emu):
    info = httpx.get(f"{emu.control_url}/info").json()["result"]
    assert info["counts"]["work_orders"] == 120 and info["seed"] == 11 and info["apiUrl"] == emu.api_url
    assert info["epoch"] == "2026-01-01T00:00:00.000Z"
