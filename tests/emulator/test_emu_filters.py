"""List filters: each equality filter and ms range filter the reference lists, and strictness."""

from __future__ import annotations

from collections import Counter

import pytest

from sync.emulator.values import parse_ms
from tests.support.emulator import fetch_all


def _text(obj: dict, key: str) -> str | None:
    """What a filter value is compared with: the field's string form (derived for two WO filters)."""
    if key == "isComplete":
        return "1" if obj["status"] == "complete" else "0"
    value = obj.get(key)
    return None if value is None else str(value)


TEXT_FILTERS = (
    [
        ("/work-orders", "work_orders", key)
        for key in (
            "title",
            "isComplete",
            "status",
            "archivedStatus",
            "priority",
            "location",
            "asset",
            "assignedToUser",
            "assignedByUser",
            "category",
            "publicRequesterEmail",
        )
    ]
    + [
        ("/assets", "assets", key)
        for key in (
            "name",
            "serial",
            "serialNumber",
            "location",
            "status",
            "category",
            "assignedToUser",
            "createdByUser",
            "downtimeStatus",
        )
    ]
    + [
        ("/parts", "parts", "name"),
        ("/parts", "parts", "category"),
        ("/parts", "parts", "location"),
        ("/parts", "parts", "createdByUser"),
        ("/users", "users", "email"),
        ("/users", "users", "accountType"),
        ("/customers", "customers", "name"),
        ("/vendors", "vendors", "businessName"),
        ("/teams", "teams", "name"),
        ("/locations", "locations", "parentLocation"),
        ("/locations", "locations", "name"),
        ("/locations", "locations", "createdByUser"),
        ("/meters", "meters", "asset"),
        ("/meters", "meters", "location"),
        ("/meters", "meters", "name"),
        ("/requests", "requests", "asset"),
        ("/requests", "requests", "category"),
        ("/requests", "requests", "requestedByUser"),
        ("/requests", "requests", "publicRequesterEmail"),
        ("/requests", "requests", "team"),
        ("/requests", "requests", "location"),
        ("/requests", "requests", "title"),
        ("/requests", "requests", "assignedToUser"),
        ("/purchase-orders", "purchase_orders", "status"),
        ("/purchase-orders", "purchase_orders", "vendor"),
        ("/purchase-orders", "purchase_orders", "category"),
        ("/purchase-orders", "purchase_orders", "title"),
        ("/purchase-orders", "purchase_orders", "createdByUser"),
    ]
)


@pytest.mark.parametrize(("path", "entity", "key"), TEXT_FILTERS)
def test_equality_filter(api, shared_emu, path, entity, key):
    dump = shared_emu.dump(entity)
    counts = Counter(_text(o, key) for o in dump if _text(o, key) is not None)
    value = counts.most_common(1)[0][0]
    expected = {o["id"] for o in dump if _text(o, key) == value}
    got = {o["id"] for o in fetch_all(api, path, {key: value})}
    assert got == expected and expected
    assert not fetch_all(api, path, {key: "no-such-value"})


RANGES = (
    [("/work-orders", "work_orders", f) for f in ("createdAt", "updatedAt", "dueDate", "dateCompleted")]
    + [
        (p, e, f)
        for p, e in (
            ("/users", "users"),
            ("/assets", "assets"),
            ("/parts", "parts"),
            ("/locations", "locations"),
            ("/customers", "customers"),
            ("/vendors", "vendors"),
            ("/teams", "teams"),
            ("/meters", "meters"),
            ("/requests", "requests"),
            ("/purchase-orders", "purchase_orders"),
        )
        for f in ("createdAt", "updatedAt")
    ]
    + [
        ("/requests", "requests", "dueDate"),
        ("/purchase-orders", "purchase_orders", "poDate"),
        ("/purchase-orders", "purchase_orders", "fulfilledAt"),
        ("/purchase-orders", "purchase_orders", "approvedAt"),
    ]
)
OPS = {
    "GreaterThan": lambda a, b: a > b,
    "LessThan": lambda a, b: a < b,
    "GreaterThanOrEqualTo": lambda a, b: a >= b,
    "LessThanOrEqualTo": lambda a, b: a <= b,
}


@pytest.mark.parametrize("op", list(OPS))
@pytest.mark.parametrize(("path", "entity", "field"), RANGES)
def test_ms_range_filter(api, shared_emu, path, entity, field, op):
    dump = shared_emu.dump(entity)
    values = sorted(parse_ms(o[field]) for o in dump if o.get(field) is not None)
    pivot = values[len(values) // 2]  # an existing value, so OrEqualTo differs from the strict forms
    expected = {o["id"] for o in dump if o.get(field) is not None and OPS[op](parse_ms(o[field]), pivot)}
    got = {o["id"] for o in fetch_all(api, path, {f"{field}{op}": pivot})}
    assert got == expected and expected


def test_range_filters_combine_into_a_window(api, shared_emu):
    dump = shared_emu.dump("work_orders")
    times = sorted(parse_ms(o["updatedAt"]) for o in dump)
    low, high = times[50], times[120]
    expected = {o["id"] for o in dump if low <= parse_ms(o["updatedAt"]) < high and o["status"] == "complete"}
    got = {
        o["id"]
        for o in fetch_all(
            api,
            "/work-orders",
            {"updatedAtGreaterThanOrEqualTo": low, "updatedAtLessThan": high, "status": "complete"},
        )
    }
    assert got == expected and expected


def test_meter_reading_date_filter(api, shared_emu):
    meter = shared_emu.dump("meters")[0]
    readings = [r for r in shared_emu.dump("meter_readings") if r["meter"] == meter["id"]]
    pivot = sorted(parse_ms(r["date"]) for r in readings)[10]
    got = fetch_all(api, f"/meters/{meter['id']}/readings", {"dateGreaterThanOrEqualTo": pivot})
    assert {r["id"] for r in got} == {r["id"] for r in readings if parse_ms(r["date"]) >= pivot}


def test_status_filter_with_machina_spelling_matches_nothing(api):
    assert api.get("/work-orders", params={"status": "in progress"}).json()["results"] == []
    assert api.get("/work-orders", params={"status": "inProgress"}).json()["results"]


@pytest.mark.parametrize(
    ("path", "key"),
    [
        ("/preventive-maintenance", "updatedAtGreaterThan"),
        ("/preventive-maintenance", "createdAtLessThan"),
        ("/preventive-maintenance", "asset"),
        ("/work-orders", "assetId"),
        ("/work-orders", "assignedToId"),
        ("/work-orders", "updatedAtAfter"),
        ("/assets", "dueDateGreaterThan"),
        ("/users", "name"),
        ("/meters", "dateGreaterThan"),
        ("/parts", "partNumbr"),
    ],
)
def test_unlisted_parameter_is_invalid_filter_key(api, path, key):
    response = api.get(path, params={key: "1"})
    assert response.status_code == 400
    assert response.json() == {"success": False, "message": f"invalid filter key: {key}"}


def test_readings_reject_a_meter_query_parameter(api, shared_emu):
    meter = shared_emu.dump("meters")[0]
    response = api.get(f"/meters/{meter['id']}/readings", params={"meter": meter["id"]})
    assert response.json() == {"success": False, "message": "invalid filter key: meter"}


def test_range_filter_value_must_be_milliseconds(api):
    response = api.get("/work-orders", params={"updatedAtGreaterThan": "2024-01-01T00:00:00Z"})
    assert response.status_code == 400
    assert "milliseconds" in response.json()["message"]


def test_custom_field_filters_are_refused_not_ignored(api):
    response = api.get("/assets", params={"customFields[0][type]": "text", "customFields[0][id]": "x"})
    assert response.status_code == 400
    assert "not emulated" in response.json()["message"]
