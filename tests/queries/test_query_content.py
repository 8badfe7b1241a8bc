"""Every named query returns the rows it should for known data, through Datasette and through Python.

Each test reads a canned query from Datasette's JSON API and, in the same breath (``Served.both``),
checks that the query's Python function returns the same rows; then it asserts on content.
"""

from __future__ import annotations

import inspect
import itertools

import pytest

from queries.functions import FUNCTIONS
from queries.named import load
from tests.support.queries_plant import ANA, BO, BOILER, BOILER_HOUSE, IGNITER, NOZZLE, TOMBSTONED_WORD


def ids(rows):
    return [r["id"] for r in rows]


def test_my_open_work_orders_by_name_email_or_id(served_plant):
    rows = served_plant.both("my_open_work_orders", user="Ana O'Brien")
    # open, not archived (a4), not tombstoned (a5), not complete (a3); highest priority first
    assert ids(rows) == ["qa-wo-a2", "qa-wo-a1", "qa-wo-old"]
    assert [r["overdue"] for r in rows] == [1, 0, 1]
    assert {r["assigned_to_name"] for r in rows} == {"Ana O'Brien"}
    assert rows[0]["asset_name"] == "Boiler 2" and rows[0]["location_name"] == "Boiler House"
    assert ids(served_plant.both("my_open_work_orders", user="ANA@plant.example")) == ids(rows)
    assert ids(served_plant.both("my_open_work_orders", user=ANA)) == ids(rows)
    assert ids(served_plant.both("my_open_work_orders", user="bo lind")) == ["qa-wo-b1"]


def test_open_work_orders_for_an_asset(served_plant):
    rows = served_plant.both("open_work_orders_for_asset", asset="boiler 2")
    assert ids(rows) == ["qa-wo-a2", "qa-wo-a1", "qa-wo-c1"]
    assert rows[2]["assigned_to"] is None and rows[2]["overdue"] == 1
    assert ids(served_plant.both("open_work_orders_for_asset", asset=BOILER)) == ids(rows)


def test_overdue_work_orders(served_plant):
    rows = served_plant.both("overdue_work_orders")
    found = ids(rows)
    assert {"qa-wo-c1", "qa-wo-a2", "qa-wo-old"} <= set(found)
    assert not {"qa-wo-a1", "qa-wo-a4", "qa-wo-a5", "qa-wo-b1", "qa-wo-a3"} & set(found)
    assert found.index("qa-wo-c1") < found.index("qa-wo-a2") < found.index("qa-wo-old")  # longest overdue first
    c1 = rows[found.index("qa-wo-c1")]
    assert c1["days_overdue"] == pytest.approx(20, abs=0.1) and c1["location_name"] == "Boiler House"
    assert all(r["days_overdue"] > 0 for r in rows)


def test_preventive_maintenance_due(served_plant):
    week = served_plant.both("pm_due", days=7)
    assert [r["id"] for r in week if r["id"].startswith("qa-")] == ["qa-pm-late", "qa-pm-soon"]
    soon = next(r for r in week if r["id"] == "qa-pm-soon")
    assert soon["days_until_due"] == pytest.approx(5, abs=0.1)
    assert soon["asset_name"] == "Boiler 2" and soon["assigned_to_name"] == "Ana O'Brien"
    default = {r["id"] for r in served_plant.both("pm_due")}  # 14 days
    assert "qa-pm-soon" in default and "qa-pm-later" not in default
    assert "qa-pm-later" in {r["id"] for r in served_plant.both("pm_due", days=40)}
    assert not {"qa-pm-paused", "qa-pm-gone"} & {r["id"] for r in served_plant.both("pm_due", days=400)}


def test_parts_at_or_below_reorder_point(served_plant):
    rows = served_plant.both("parts_to_reorder")
    found = ids(rows)
    assert IGNITER in found and NOZZLE in found  # below, and exactly at, the reorder point
    assert "qa-part-gasket" not in found and "qa-part-old" not in found
    igniter = rows[found.index(IGNITER)]
    assert (igniter["stock_quantity"], igniter["reorder_point"], igniter["shortfall"]) == (1, 3, 2)
    assert found.index(IGNITER) < found.index(NOZZLE)
    assert all(r["stock_quantity"] <= r["reorder_point"] for r in rows)


def test_asset_history(served_plant):
    rows = served_plant.both("asset_history", asset="Boiler 2")
    assert ids(rows) == ["qa-wo-a1", "qa-wo-a2", "qa-wo-a3", "qa-wo-a4", "qa-wo-c1"]  # newest first, a5 deleted
    a3 = rows[2]
    assert a3["completed_by_name"] == "Ana O'Brien" and a3["labor_cost"] == 120.0 and a3["time_hours"] == 1.5


def test_completed_recently(served_plant):
    assert "qa-wo-a3" in ids(served_plant.both("completed_recently"))  # default 7 days
    assert "qa-wo-b2" not in ids(served_plant.both("completed_recently"))
    fortnight = [i for i in ids(served_plant.both("completed_recently", days=14)) if i.startswith("qa-")]
    assert fortnight == ["qa-wo-a3", "qa-wo-b2"]


def test_backlog_by_priority_and_location(served_plant):
    rows = [r for r in served_plant.both("backlog_by_priority_location") if r["location_id"] == BOILER_HOUSE]
    assert [(r["priority"], r["open_work_orders"], r["overdue"]) for r in rows] == [
        ("emergency", 1, 1), ("high", 1, 0), ("medium", 1, 1), ("low", 1, 0)]
    assert {r["location_name"] for r in rows} == {"Boiler House"}


def test_mean_time_to_repair_per_asset(served_plant):
    rows = {r["asset_id"]: r for r in served_plant.both("mttr_per_asset")}
    assert rows[BOILER]["repairs"] == 1 and rows[BOILER]["mean_hours_to_repair"] == pytest.approx(72)
    assert rows[BOILER]["asset_name"] == "Boiler 2"
    assert "qa-asset-compressor" not in rows  # its only completed work order is preventive


def test_labour_and_parts_cost_per_asset(served_plant):
    rows = {r["asset_id"]: r for r in served_plant.both("cost_per_asset")}
    boiler = rows[BOILER]
    assert (boiler["work_orders"], boiler["labor_cost"], boiler["parts_cost"], boiler["other_cost"],
            boiler["total_cost"]) == (1, 120.0, 30.0, 30.0, 180.0)  # 2 igniters at 15.0
    assert rows["qa-asset-compressor"]["total_cost"] == 60.0


def test_backlog_over_time_adds_up(served_plant):
    weeks = served_plant.both("backlog_over_time", weeks=4)
    assert len(weeks) == 5 and [w["week_ending"] for w in weeks] == sorted(w["week_ending"] for w in weeks)
    open_now = sum(r["open_work_orders"] for r in served_plant.both("backlog_by_priority_location"))
    assert weeks[-1]["open_work_orders"] == open_now
    for before, after in itertools.pairwise(weeks):
        assert after["open_work_orders"] == before["open_work_orders"] + after["created"] - after["completed"]
    assert weeks[-1]["created"] >= 4 and weeks[-1]["completed"] >= 1  # a1, a2, b1, old; a3


def test_completions_per_week(served_plant):
    weeks = served_plant.both("completions_per_week", weeks=4)
    assert len(weeks) == 4
    assert sum(w["completed"] for w in weeks) == len(served_plant.both("completed_recently", days=28))
    assert weeks[-1]["corrective"] >= 1 and weeks[-2]["preventive"] >= 1  # a3 two days ago, b2 ten
    assert all(w["completed"] == w["corrective"] + w["preventive"] + w["other"] for w in weeks)


def test_search_finds_words_in_descriptions_and_stems(served_plant):
    hits = served_plant.both("search", q="electrode")
    assert [(h["kind"], h["id"]) for h in hits] == [("work order", "qa-wo-a1"), ("part", IGNITER)]
    assert [h["id"] for h in served_plant.both("search", q="flame sensor")] == ["qa-wo-a1"]
    assert "qa-wo-b1" in [h["id"] for h in served_plant.both("search", q="leaking")]  # porter stemming
    located = {h["id"] for h in served_plant.both("search", q="Boiler House") if h["kind"] == "asset"}
    assert located == {BOILER, "qa-asset-compressor"}  # by their location's name
    assert [h["id"] for h in served_plant.both("search", q="VX-200-7781")] == [BOILER]  # serial number
    assert served_plant.both("search", q='unbalanced " quote OR') == []  # never FTS syntax errors
    assert served_plant.both("search", q="") == []


def test_local_writes(bookkeeping):
    rows = bookkeeping.both("local_writes")
    assert [(r["seq"], r["state"]) for r in rows] == [(1, "pending"), (3, "dead"), (4, "conflict"), (5, "sending")]
    assert rows[0]["record_name"] == "Burner flame unstable" and rows[1]["record_name"] == "Igniter electrode"
    assert rows[1]["last_error"] == "400: quantity must be positive"
    assert rows[0]["age_hours"] == pytest.approx(3, abs=0.05)
    typed = bookkeeping.python("local_writes")
    assert typed[2].remote == {"fields": {"priority": 2}} and typed[2].base == {"fields": {"priority": 1}}


def test_local_writes_summary(bookkeeping):
    rows = {r["state"]: r for r in bookkeeping.both("local_writes_summary")}
    assert list(rows) == ["pending", "sending", "dead", "conflict"]
    assert {s: r["operations"] for s, r in rows.items()} == {"pending": 1, "sending": 1, "dead": 1, "conflict": 1}
    assert rows["pending"]["oldest_age_hours"] == pytest.approx(3, abs=0.05)
    assert rows["dead"]["last_error"] == "400: quantity must be positive"


def test_sync_health(bookkeeping):
    rows = {r["entity"]: r for r in bookkeeping.both("sync_health")}
    clock = bookkeeping.clock
    assert list(rows) == ["assets", "teams", "users", "work_orders"]
    assert {e: r["status"] for e, r in rows.items()} == {
        "assets": "offline", "teams": "never synced", "users": "running", "work_orders": "failing"}
    wo = rows["work_orders"]
    assert wo["failing_since"] == clock.ago(hours=1)
    assert wo["last_success_at"] == clock.ago(hours=2, minutes=-1)
    assert wo["last_run_error"] == "UpKeep did not answer: connection refused"
    assert wo["hours_since_success"] == pytest.approx(2 - 1 / 60, abs=0.05)
    assert rows["assets"]["failing_since"] is None
    assert {r["upkeep_online"] for r in rows.values()} == {0}
    assert {r["offline_since"] for r in rows.values()} == {clock.ago(hours=1)}


def test_sync_health_says_ok_only_when_online_and_fresh(tmp_path):
    """Offline, nothing says ok; online again, an entity pulled within the hour is ok, an older one stale."""
    from sqlalchemy import text

    from mirror.db import open_mirror
    from queries.functions import sync_health
    from tests.support.queries_plant import load_bookkeeping, now

    clock = now()
    with open_mirror(tmp_path / "m.db") as m:
        load_bookkeeping(m, clock)
        with m.session() as s:
            assert "ok" not in {r.status for r in sync_health(s)}
        with m.write() as s:
            s.execute(text("UPDATE connectivity SET online = 1, offline_since = NULL WHERE id = 1"))
        with m.session() as s:
            assert {r.entity: r.status for r in sync_health(s)}["assets"] == "ok"  # pulled 29 minutes ago
        with m.write() as s:
            s.execute(text("UPDATE sync_cursors SET last_success_at = :t WHERE entity = 'assets'"),
                      {"t": clock.ago(hours=3)})
            s.execute(text("DELETE FROM sync_runs WHERE entity = 'assets' AND run_id = 'r3'"))
        with m.session() as s:
            assert {r.entity: r.status for r in sync_health(s)}["assets"] == "stale"


#: Parameters that make every named query return something from the scenario.
EXAMPLE_PARAMS = {
    "my_open_work_orders": {"user": "Ana O'Brien"},
    "open_work_orders_for_asset": {"asset": "Boiler 2"},
    "asset_history": {"asset": "Boiler 2"},
    "search": {"q": "boiler"},
}


@pytest.mark.parametrize("name", sorted(load()))
def test_every_query_has_a_matching_function_and_rows(bookkeeping, name):
    """Python and Datasette agree on every query, with its parameters and with them left empty."""
    function = FUNCTIONS[name]
    keywords = [p for p in inspect.signature(function).parameters if p != "session"]
    assert keywords == list(load()[name].param_names)
    assert bookkeeping.both(name, **EXAMPLE_PARAMS.get(name, {}))  # not vacuous
    bookkeeping.both(name, **{p: None for p in keywords})


def test_tombstoned_rows_appear_nowhere(served_plant):
    gone = {"qa-wo-a5", "qa-part-old", "qa-pm-gone", "qa-asset-old-pump"}
    for name in load():
        params = {"q": TOMBSTONED_WORD} if name == "search" else EXAMPLE_PARAMS.get(name, {})
        for row in served_plant.both(name, **params):
            assert row.get("id") not in gone, f"{name} shows tombstoned {row.get('id')}"
    for view, key in (("work_orders_detail", "qa-wo-a5"), ("spare_parts_detail", "qa-part-old"),
                      ("maintenance_plans_detail", "qa-pm-gone"), ("assets_detail", "qa-asset-old-pump")):
        response = served_plant.client.get(f"/mirror/{view}.json?id={key}&_shape=array")
        assert response.status == 200 and response.json == [], view
    assert served_plant.client.get(f"/mirror/work_orders_detail.json?_search={TOMBSTONED_WORD}&_shape=array").json == []
    # ...while the hidden raw table keeps it, for history
    raw = served_plant.client.get("/mirror/work_orders.json?id=qa-wo-a5&_shape=array").json
    assert raw[0]["deleted_at"] is not None


def test_parameters_are_bound_never_spliced(served_plant):
    injected = "x' OR '1'='1"
    assert served_plant.both("open_work_orders_for_asset", asset=injected) == []
    assert served_plant.both("my_open_work_orders", user=f"{injected} --") == []
    assert served_plant.both("asset_history", asset="') UNION SELECT * FROM users --") == []
    # a quote inside a real value just works (Ana O'Brien above); the SQL served is the file's text
    from queries.datasette import canned_queries

    for name, canned in canned_queries().items():
        assert canned["sql"] == load()[name].sql and canned["params"] == list(load()[name].param_names)


def test_work_order_view_search_and_facets(served_plant):
    found = served_plant.client.get("/mirror/work_orders_detail.json?_search=electrode&_shape=objects").json["rows"]
    assert [r["id"] for r in found] == ["qa-wo-a1"] and found[0]["asset_name"] == "Boiler 2"
    page = served_plant.client.get(f"/mirror/work_orders_detail.json?assigned_to={BO}&_shape=objects").json
    assert [r["id"] for r in page["rows"]] == ["qa-wo-b1", "qa-wo-b2"] or \
        sorted(r["id"] for r in page["rows"]) == ["qa-wo-b1", "qa-wo-b2"]
    facets = page["facet_results"]
    assert {"status", "priority", "type", "location_name", "assigned_to_name"} <= set(facets)
    assert [r["id"] for r in served_plant.client.get(
        "/mirror/assets_detail.json?_search=vitomax&_shape=objects").json["rows"]] == [BOILER]
    assert [r["id"] for r in served_plant.client.get(
        "/mirror/spare_parts_detail.json?_search=spark&_shape=objects").json["rows"]] == [IGNITER]


def test_rejected_objects(bookkeeping):
    rows = bookkeeping.both("rejected_objects")
    assert [(r["entity"], r["upkeep_id"], r["field"]) for r in rows] == [
        ("assets", None, "id"), ("work_orders", "qa-bad-1", "priority")]  # newest first
    assert "urgent" in rows[1]["reason"]
    assert [(r["times_seen"], r["run_id"]) for r in rows] == [(1, "r3"), (2, "r2")]
