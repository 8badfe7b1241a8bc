"""The write endpoints the outbox replays: bodies, validation messages, and updatedAt bumps."""

from __future__ import annotations

import pytest

from sync.emulator.values import now_ms, parse_ms


def _wo(emu):
    return next(w for w in emu.dump("work_orders") if w["status"] == "open")


def test_create_work_order_returns_full_object_and_lists_it(own_api, emu):
    asset = emu.dump("assets")[3]
    user = emu.dump("users")[2]
    before = now_ms()
    response = own_api.post(
        "/work-orders",
        json={
            "title": "Replace seal on feed pump",
            "description": "Leaking",
            "priority": 2,
            "category": "Reactive",
            "asset": asset["id"],
            "location": asset["location"],
            "assignedToUser": user["id"],
            "dueDate": 1767225600000,
        },
    )
    assert response.status_code == 200, response.text
    result = response.json()["result"]
    assert response.json()["success"] is True
    assert (
        result["status"] == "open"
        and result["asset"] == asset["id"]
        and result["assignedToUser"] == user["id"]
    )
    assert result["assignedToUsername"] == user["email"]
    assert result["priority"] == 2  # the create answer has a number, as in the reference's example
    assert result["dueDate"] == "2026-01-01T00:00:00.000Z"
    assert result["createdAt"] == result["updatedAt"] and parse_ms(result["createdAt"]) >= before
    listed = own_api.get(f"/work-orders/{result['id']}").json()["result"]
    assert listed["priority"] == "2" and listed["title"] == "Replace seal on feed pump"
    newest = own_api.get("/work-orders", params={"limit": 1}).json()["results"][0]
    assert newest["id"] == result["id"]


def test_create_work_order_from_form_body(own_api):
    response = own_api.post(
        "/work-orders", data={"title": "Form-made", "priority": "1", "dueDate": "1515482422310"}
    )
    assert response.status_code == 200
    assert response.json()["result"]["dueDate"] == "2018-01-09T07:20:22.310Z"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"description": "no title"}, "title cannot be null"),
        ({"title": None}, "title cannot be null"),
        ({"title": "x", "assetId": "abc"}, "assetId not in schema"),
        ({"title": "x", "status": "open"}, "status not in schema"),
        ({"title": "x", "asset": "NoSuchId00"}, "asset not found: NoSuchId00"),
        ({"title": "x", "location": "NoSuchId00"}, "location not found: NoSuchId00"),
        ({"title": "x", "assignedToUser": "NoSuchId00"}, "assignedToUser not found: NoSuchId00"),
        ({"title": "x", "priority": 7}, "priority must be one of 0, 1, 2, 3"),
        ({"title": "x", "dueDate": "2026-01-01"}, "dueDate must be a unix timestamp in milliseconds"),
    ],
)
def test_create_work_order_rejections(own_api, emu, body, message):
    count = len(emu.dump("work_orders"))
    response = own_api.post("/work-orders", json=body)
    assert response.status_code == 400
    assert response.json() == {"success": False, "message": message}
    assert len(emu.dump("work_orders")) == count


def test_create_work_order_category_is_case_insensitive_but_must_exist(own_api):
    assert (
        own_api.post("/work-orders", json={"title": "x", "category": "preventive"}).json()["result"][
            "category"
        ]
        == "Preventive"
    )
    response = own_api.post("/work-orders", json={"title": "x", "category": "Gardening"})
    assert response.status_code == 400 and "category" in response.json()["message"]


def test_create_work_order_with_parts_decreases_stock(own_api, emu):
    part = emu.dump("parts")[0]
    own_api.post(
        "/work-orders", json={"title": "Use parts", "parts": [part["id"]], "respectivePartQuantityUsed": [2]}
    )
    after = emu.get("parts", part["id"])
    assert float(after["quantity"]) == float(part["quantity"]) - 2
    assert parse_ms(after["updatedAt"]) > parse_ms(part["updatedAt"])


def test_patch_work_order_status_bumps_updated_at_and_completion(own_api, emu):
    wo = _wo(emu)
    response = own_api.patch(f"/work-orders/{wo['id']}", json={"status": "complete", "priority": 3})
    assert response.status_code == 200
    result = response.json()["result"]
    assert result["status"] == "complete" and result["priority"] == "3" and result["dateCompleted"]
    assert parse_ms(result["updatedAt"]) > parse_ms(wo["updatedAt"])
    assert emu.get("work_orders", wo["id"]) == result
    reopened = own_api.patch(f"/work-orders/{wo['id']}", json={"status": "inProgress"}).json()["result"]
    assert reopened["dateCompleted"] is None


def test_patch_work_order_can_erase_references_with_null(own_api, emu):
    wo = next(w for w in emu.dump("work_orders") if w["assignedToUser"])
    result = own_api.patch(f"/work-orders/{wo['id']}", json={"assignedToUser": None}).json()["result"]
    assert result["assignedToUser"] is None and result["assignedToUsername"] is None


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"status": "in progress"}, "status must be one of open, onHold, inProgress, complete"),
        ({"status": None}, "status cannot be null"),
        ({"title": ""}, "title cannot be null"),
        ({"workOrderNo": "9"}, "workOrderNo is not allowed to be set!"),
        ({"assignedToId": "x"}, "assignedToId is not allowed to be set!"),
        ({"asset": "NoSuchId00"}, "asset not found: NoSuchId00"),
    ],
)
def test_patch_work_order_rejections_change_nothing(own_api, emu, body, message):
    wo = _wo(emu)
    response = own_api.patch(f"/work-orders/{wo['id']}", json=body)
    assert response.status_code == 400
    assert response.json() == {"success": False, "message": message}
    assert emu.get("work_orders", wo["id"]) == wo


def test_patch_missing_work_order_is_404(own_api):
    response = own_api.patch("/work-orders/NoSuchId00", json={"status": "open"})
    assert response.status_code == 404
    assert response.json() == {"success": False, "message": "work order NoSuchId00 not found"}


def test_delete_work_order_removes_it(own_api, emu):
    wo = _wo(emu)
    response = own_api.delete(f"/work-orders/{wo['id']}")
    assert response.json() == {"success": True, "message": "1 work order deleted"}
    assert own_api.get(f"/work-orders/{wo['id']}").status_code == 404
    assert own_api.delete(f"/work-orders/{wo['id']}").status_code == 404
    assert wo["id"] not in {w["id"] for w in emu.dump("work_orders")}


def test_update_messages_are_kept_and_bump_the_work_order(own_api, emu):
    wo = _wo(emu)
    response = own_api.post(f"/work-orders/{wo['id']}/update-messages/", json={"text": "Seal ordered"})
    assert response.json() == {"success": True, "message": "1 message Added"}
    own_api.post(f"/work-orders/{wo['id']}/update-messages", data={"text": "Seal fitted"})
    assert [m["text"] for m in emu.messages(wo["id"])] == ["Seal ordered", "Seal fitted"]
    over_http = own_api.get(f"{emu.control_url}/messages/{wo['id']}").json()["results"]
    assert [m["text"] for m in over_http] == ["Seal ordered", "Seal fitted"]
    after = emu.get("work_orders", wo["id"])
    assert parse_ms(after["updatedAt"]) > parse_ms(wo["updatedAt"]) and len(after["arrayOfUpdateItems"]) == 2


def test_update_message_needs_text_and_an_existing_work_order(own_api, emu):
    wo = _wo(emu)
    assert own_api.post(f"/work-orders/{wo['id']}/update-messages", json={}).json() == {
        "success": False,
        "message": "text cannot be null",
    }
    assert own_api.post("/work-orders/NoSuchId00/update-messages", json={"text": "x"}).status_code == 404


def test_create_request(own_api, emu):
    asset = emu.dump("assets")[0]
    response = own_api.post(
        "/requests",
        json={
            "title": "Leak near pump",
            "asset": asset["id"],
            "priority": 1,
            "dueDate": 1515482422310,
            "category": "Safety",
        },
    )
    result = response.json()["result"]
    assert result["status"] == "open" and result["priority"] == 1 and result["asset"] == asset["id"]
    assert emu.get("requests", result["id"]) == result
    assert own_api.post("/requests", json={"description": "x"}).json()["message"] == "title cannot be null"
    assert (
        own_api.post("/requests", json={"title": "x", "status": "open"}).json()["message"]
        == "status not in schema"
    )


def test_add_meter_reading_updates_meter(own_api, emu):
    meter = emu.dump("meters")[0]
    response = own_api.post(
        f"/meters/{meter['id']}/readings", json={"value": 42.5, "date": "2026-02-01T10:00:00.000Z"}
    )
    result = response.json()["result"]
    assert (
        result["value"] == 42.5
        and result["meter"] == meter["id"]
        and result["date"] == "2026-02-01T10:00:00.000Z"
    )
    listed = own_api.get(f"/meters/{meter['id']}/readings", params={"limit": 1}).json()["results"]
    assert listed[0]["id"] == result["id"]
    after = emu.get("meters", meter["id"])
    assert after["lastReading"] == result["id"] and parse_ms(after["updatedAt"]) > parse_ms(
        meter["updatedAt"]
    )


def test_meter_reading_rejections(own_api, emu):
    meter = emu.dump("meters")[0]
    assert own_api.post(f"/meters/{meter['id']}/readings", json={}).json() == {
        "success": False,
        "message": "value cannot be null",
    }
    assert own_api.post(f"/meters/{meter['id']}/readings", json={"value": "high"}).status_code == 400
    assert own_api.post("/meters/NoSuchId00/readings", json={"value": 1}).status_code == 404


def test_patch_part_quantity_is_stored_as_string_and_bumps(own_api, emu):
    part = emu.dump("parts")[1]
    result = own_api.patch(f"/parts/{part['id']}", json={"quantity": 100, "cost": 12.5}).json()["result"]
    assert result["quantity"] == "100" and result["cost"] == "12.50"
    assert parse_ms(result["updatedAt"]) > parse_ms(part["updatedAt"])
    assert own_api.get(f"/parts/{part['id']}").json()["result"] == result


def test_patch_part_rejections(own_api, emu):
    part = emu.dump("parts")[1]
    assert own_api.patch(f"/parts/{part['id']}", json={"sku": "x"}).json() == {
        "success": False,
        "message": "sku is not allowed to be set!",
    }
    assert own_api.patch(f"/parts/{part['id']}", json={"quantity": "lots"}).status_code == 400
    assert own_api.patch("/parts/NoSuchId00", json={"quantity": 1}).status_code == 404
    assert emu.get("parts", part["id"]) == part
