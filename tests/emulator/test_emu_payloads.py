"""Seeded data has the reference's field names and types, and reads like a real plant."""

from __future__ import annotations

import re
from collections import Counter

from sync.emulator.values import DAY_MS, parse_ms

ID = re.compile(r"^[A-Za-z0-9]{10}$")
ISO_Z = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
ISO_BARE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$")


def test_ids_are_ten_char_alphanumeric_and_unique(shared_emu):
    for entity in ("users", "assets", "work_orders", "parts", "locations", "meter_readings"):
        ids = [o["id"] for o in shared_emu.dump(entity)]
        assert all(ID.match(i) for i in ids) and len(ids) == len(set(ids))


def test_work_order_field_types(shared_emu):
    wos = shared_emu.dump("work_orders")
    assert {w["status"] for w in wos} == {"open", "onHold", "inProgress", "complete"}
    assert {w["priority"] for w in wos} <= {"0", "1", "2", "3"}
    assert all(isinstance(w["time"], str) and isinstance(w["cost"], str) for w in wos)
    ids = {
        "assets": {a["id"] for a in shared_emu.dump("assets")},
        "users": {u["id"] for u in shared_emu.dump("users")},
        "locations": {loc["id"] for loc in shared_emu.dump("locations")},
    }
    for w in wos:
        assert w["asset"] is None or w["asset"] in ids["assets"]
        assert w["assignedToUser"] is None or w["assignedToUser"] in ids["users"]
        assert w["location"] in ids["locations"]
        assert ISO_Z.match(w["createdAt"]) and ISO_Z.match(w["updatedAt"])
        assert parse_ms(w["updatedAt"]) >= parse_ms(w["createdAt"])
    assert any(w["asset"] is None for w in wos) and any(w["assignedToUser"] is None for w in wos)


def test_work_order_status_mix_and_overdue(shared_emu):
    wos = shared_emu.dump("work_orders")
    mix = Counter(w["status"] for w in wos)
    assert mix["complete"] > len(wos) * 0.6
    epoch = shared_emu.epoch
    overdue = [w for w in wos if w["status"] != "complete" and parse_ms(w["dueDate"]) < epoch]
    assert overdue
    created = sorted(parse_ms(w["createdAt"]) for w in wos)
    assert created[-1] - created[0] > 2.5 * 365 * DAY_MS and created[-1] <= epoch


def test_completed_work_orders_carry_completion_costs_and_parts(shared_emu):
    done = [w for w in shared_emu.dump("work_orders") if w["status"] == "complete"]
    assert all(w["dateCompleted"] and w["completedByUser"] and float(w["time"]) > 0 for w in done)
    with_parts = [w for w in done if w["parts"]]
    assert with_parts and all(len(w["parts"]) == len(w["respectivePartQuantityUsed"]) for w in with_parts)
    part_ids = {p["id"] for p in shared_emu.dump("parts")}
    assert all(set(w["parts"]) <= part_ids for w in with_parts)


def test_work_order_vocabulary_and_categories(shared_emu):
    wos = shared_emu.dump("work_orders")
    text = " ".join(f"{w['title']} {w['description']}" for w in wos).lower()
    for word in ("bearing", "seal", "vibration", "leak"):
        assert word in text
    assert {"Preventive", "Reactive", "Electrical", "Safety"} <= {w["category"] for w in wos}


def test_parts_use_string_numbers_and_some_need_reordering(shared_emu):
    parts = shared_emu.dump("parts")
    for p in parts:
        assert all(isinstance(p[k], str) for k in ("quantity", "cost", "minimumQuantity"))
        assert "partNumber" not in p and p["serial"] and p["partName"]
    low = [p for p in parts if float(p["quantity"]) <= float(p["minimumQuantity"])]
    assert 0 < len(low) < len(parts) / 2


def test_assets_have_hierarchy_categories_and_some_zone_less_times(shared_emu):
    assets = shared_emu.dump("assets")
    ids = {a["id"] for a in assets}
    parents = [a["parentAsset"] for a in assets if a["parentAsset"]]
    assert parents and set(parents) <= ids
    grandchildren = [
        a
        for a in assets
        if a["parentAsset"] and next(p for p in assets if p["id"] == a["parentAsset"])["parentAsset"]
    ]
    assert grandchildren, "the hierarchy goes deeper than one level"
    assert len({a["category"] for a in assets}) >= 8
    bare = [a for a in assets if ISO_BARE.match(a["createdAt"])]
    assert 0 < len(bare) < len(assets) * 0.2
    assert all(ISO_BARE.match(a["updatedAt"]) for a in bare)


def test_locations_form_site_buildings_areas(shared_emu):
    locations = shared_emu.dump("locations")
    roots = [loc for loc in locations if loc["parentLocation"] is None]
    assert len(roots) == 1
    buildings = [loc for loc in locations if loc["parentLocation"] == roots[0]["id"]]
    areas = [loc for loc in locations if loc["parentLocation"] in {b["id"] for b in buildings}]
    assert len(buildings) >= 3 and len(areas) >= 9


def test_pm_items_are_trigger_plus_work_order_template(shared_emu):
    items = shared_emu.dump("preventive_maintenance")
    asset_ids = {a["id"] for a in shared_emu.dump("assets")}
    for item in items:
        assert set(item) == {"trigger", "workOrder"}
        trigger, wo = item["trigger"], item["workOrder"]
        assert trigger["rrfreq"] in {"DAILY", "WEEKLY", "MONTHLY", "YEARLY"}
        assert isinstance(trigger["rrinterval"], int) and trigger["rrinterval"] >= 1
        assert wo["asset"] in asset_ids and wo["location"] and wo["nextDueDate"]
        assert "frequencyDays" not in trigger
    due = [parse_ms(i["workOrder"]["nextDueDate"]) - shared_emu.epoch for i in items]
    assert any(7 * DAY_MS <= d <= 30 * DAY_MS for d in due)
    assert len({i["trigger"]["rrfreq"] for i in items}) >= 3


def test_users_teams_vendors_customers_meters_requests_pos_exist(shared_emu):
    users = shared_emu.dump("users")
    assert {"ADMIN", "TECH"} <= {u["accountType"] for u in users}
    assert any(
        u["jobTitle"] == "Maintenance Planner" or "Planner" in u["jobTitle"] or "Engineer" in u["jobTitle"]
        for u in users
    )
    for entity in ("teams", "vendors", "customers", "meters", "requests", "purchase_orders"):
        assert shared_emu.dump(entity), entity
    readings = shared_emu.dump("meter_readings")
    assert len(readings) >= 24 * len(shared_emu.dump("meters"))
    assert {p["status"] for p in shared_emu.dump("purchase_orders")} >= {"fulfilled"}
