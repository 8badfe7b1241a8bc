"""Labour cost: hours x the timers' hourly cost where UpKeep gives one, NULL ("not recorded") where not.

Before version 9 the mirror stored 0.0 for every work order whose time log had no hourly cost, and
cost_per_asset added those zeros up as if the work had been free.
"""

from __future__ import annotations

import copy
import json
import sqlite3

import pytest
from sqlalchemy import create_engine, text

from mirror.db import open_mirror
from mirror.migrations import migrate
from sync.mapping import transform
from tests.support.recorded import FIXTURES

WORK_ORDERS = json.loads((FIXTURES / "work_orders.json").read_text())["results"]


def _with_log(log):
    wo = copy.deepcopy(WORK_ORDERS[0])
    wo["timeLog"] = log
    return wo


def test_hours_times_hourly_cost():
    mapped = transform("work_orders", WORK_ORDERS[0])  # the reference's example: 20 h at 20 an hour
    assert mapped["labor_cost"] == pytest.approx(400.0)
    two = _with_log([{"timers": [{"duration": 1.5, "hourlyCost": 40}, {"duration": 2, "hourlyCost": 35.5}]}])
    assert transform("work_orders", two)["labor_cost"] == pytest.approx(131.0)


@pytest.mark.parametrize("log", [None, [], [{"duration": 3}], [{"timers": [{"duration": 3, "status": "manual"}]}],
                                 [{"timers": [{"duration": 3, "hourlyCost": None}]}]])
def test_no_hourly_cost_is_not_recorded_never_zero(log):
    wo = _with_log(log)
    if log is None:
        del wo["timeLog"]
    assert transform("work_orders", wo)["labor_cost"] is None


def test_a_zero_rate_is_recorded_as_zero():
    assert transform("work_orders", _with_log([{"timers": [{"duration": 3, "hourlyCost": 0}]}]))["labor_cost"] == 0.0


def test_migration_turns_old_zeros_without_a_rate_into_null(tmp_path):
    """A mirror from before version 9 keeps real costs and real zero rates; only unrecorded 0.0 become NULL."""
    path = tmp_path / "old.db"
    engine = create_engine(f"sqlite:///{path}")
    with engine.connect() as conn:
        migrate(conn, target=6)
        conn.commit()
    engine.dispose()
    con = sqlite3.connect(path)
    rows = [("priced", {"timeLog": [{"timers": [{"duration": 2, "hourlyCost": 30}]}]}, 60.0),
            ("free", {"timeLog": [{"timers": [{"duration": 2, "hourlyCost": 0}]}]}, 0.0),
            ("unpriced", {"timeLog": [{"timers": [{"duration": 2}]}]}, 0.0),
            ("nolog", {}, 0.0)]
    for id_, raw, cost in rows:
        con.execute(
            "INSERT INTO work_orders (id, raw, local_state, type, priority, status, description, requested_skills, "
            "spare_parts, created_at, updated_at, metadata, title, upkeep_status, upkeep_priority, archived, "
            "labor_cost, additional_cost, parts_used) VALUES (?, ?, 'synced', 'corrective', 'medium', 'created', '', "
            "'[]', '[]', '2024-01-01T00:00:00.000Z', '2024-01-01T00:00:00.000Z', '{}', ?, 'open', 1, 0, ?, 0, '[]')",
            (id_, json.dumps(raw), id_, cost))
    con.commit()
    con.close()
    with open_mirror(path) as m, m.write() as s:
        assert dict(s.execute(text("SELECT id, labor_cost FROM work_orders")).all()) == {
            "priced": 60.0, "free": 0.0, "unpriced": None, "nolog": None}
        s.execute(text("UPDATE work_orders SET labor_cost = NULL WHERE id = 'priced'"))  # the column takes NULL now
    con = sqlite3.connect(path)
    assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    con.close()


def test_cost_per_asset_leaves_unrecorded_labour_out_and_counts_it(served_plant):
    rows = {r["asset_name"]: r for r in served_plant.both("cost_per_asset", days=30)}
    boiler = rows["Boiler 2"]  # qa-wo-a3: labour 120, parts 2 x 15, other 30
    assert (boiler["labor_cost"], boiler["labor_not_recorded"], boiler["parts_cost"], boiler["total_cost"]) == (
        120.0, 0, 30.0, 180.0)


def test_cost_per_asset_with_labour_not_recorded(scratch):
    from mirror.store import upsert_rows
    from tests.support.queries_plant import COMPRESSOR, OLD_PUMP

    done = scratch.clock.ago(days=1)
    common = {"raw": {"qa": True}, "type": "corrective", "priority": "medium", "status": "completed",
              "upkeep_status": "complete", "created_at": scratch.clock.ago(days=2), "updated_at": done,
              "date_completed": done, "time_hours": 2.0}
    with scratch.mirror.write() as s:
        upsert_rows(s, "work_orders", [
            {**common, "id": "qa-lab-1", "title": "Unpriced compressor job", "asset_id": COMPRESSOR},
            {**common, "id": "qa-lab-2", "title": "Unpriced pump job", "asset_id": OLD_PUMP},
        ])
    rows = {r["asset_id"]: r for r in scratch.both("cost_per_asset", days=30)}
    compressor, pump = rows[COMPRESSOR], rows[OLD_PUMP]
    assert (compressor["labor_cost"], compressor["labor_not_recorded"], compressor["work_orders"]) == (60.0, 1, 2)
    assert (pump["labor_cost"], pump["labor_not_recorded"], pump["total_cost"]) == (None, 1, 0.0)
    html = scratch.client.get("/mirror/cost_per_asset?days=30").text
    assert '<td class="col-labor_cost"><span class="muted">not recorded</span></td>' in html
