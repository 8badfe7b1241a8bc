"""Envelopes of every list and get endpoint, 404/405 bodies, and the paths as the reference spells them."""

from __future__ import annotations

import pytest

LISTS = [
    ("users/", "users"),
    ("customers/", "customers"),
    ("vendors/", "vendors"),
    ("teams/", "teams"),
    ("assets", "assets"),
    ("locations", "locations"),
    ("parts", "parts"),
    ("requests", "requests"),
    ("work-orders", "work_orders"),
    ("preventive-maintenance", "preventive_maintenance"),
    ("meters/", "meters"),
    ("purchase-orders", "purchase_orders"),
]


@pytest.mark.parametrize(("path", "entity"), LISTS)
def test_list_envelope(api, shared_emu, path, entity):
    response = api.get(f"/{path}", params={"limit": 5})
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"success", "results"} and body["success"] is True
    ids = {(o.get("trigger") or o)["id"] for o in shared_emu.dump(entity)}
    assert len(body["results"]) == min(5, len(ids))
    assert {(o.get("trigger") or o)["id"] for o in body["results"]} <= ids


@pytest.mark.parametrize(("path", "entity"), LISTS)
def test_get_envelope_with_and_without_trailing_slash(api, shared_emu, path, entity):
    item = shared_emu.dump(entity)[0]
    obj_id = (item.get("trigger") or item)["id"]
    base = path.rstrip("/")
    for url in (f"/{base}/{obj_id}", f"/{base}/{obj_id}/"):
        response = api.get(url)
        assert response.status_code == 200
        assert response.json() == {"success": True, "result": item}


def test_list_accepts_trailing_slash_variants(api):
    assert api.get("/work-orders/").json()["results"] == api.get("/work-orders").json()["results"]
    assert api.get("/users").json()["results"] == api.get("/users/").json()["results"]


def test_get_missing_id_is_404_envelope(api):
    response = api.get("/work-orders/NoSuchId00")
    assert response.status_code == 404
    assert response.json() == {"success": False, "message": "work order NoSuchId00 not found"}


def test_get_accepts_includes_but_no_filters(api, shared_emu):
    asset = shared_emu.dump("assets")[0]
    assert api.get(f"/assets/{asset['id']}", params={"includes": "location,parentAsset"}).status_code == 200
    response = api.get(f"/assets/{asset['id']}", params={"status": "active"})
    assert response.status_code == 400
    assert response.json() == {"success": False, "message": "invalid filter key: status"}


def test_list_accepts_includes_in_every_spelling(api):
    for params in (
        {"includes": "location,createdByUser"},
        {"includes[]": "location"},
        [("includes", "a"), ("includes", "b")],
    ):
        assert api.get("/parts", params=params).status_code == 200


def test_meter_readings_are_scoped_to_their_meter(api, shared_emu):
    meter = shared_emu.dump("meters")[0]
    response = api.get(f"/meters/{meter['id']}/readings", params={"limit": 100})
    assert response.status_code == 200
    readings = response.json()["results"]
    assert readings and {r["meter"] for r in readings} == {meter["id"]}
    assert meter["lastReading"] in {r["id"] for r in readings}


def test_readings_of_missing_meter_are_404(api):
    response = api.get("/meters/NoSuchId00/readings")
    assert response.status_code == 404
    assert response.json()["success"] is False


def test_unknown_endpoint_is_404_envelope(api):
    response = api.get("/widgets")
    assert response.status_code == 404
    assert response.json()["success"] is False


def test_unsupported_method_is_405_envelope(api, shared_emu):
    asset = shared_emu.dump("assets")[0]
    response = api.delete(f"/assets/{asset['id']}")
    assert response.status_code == 405
    assert response.json()["success"] is False
    assert shared_emu.get("assets", asset["id"]) is not None
