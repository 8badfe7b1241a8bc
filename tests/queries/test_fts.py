"""Full-text search stays current whatever writes the rows: triggers, not the sync, maintain it."""

from __future__ import annotations

import sqlite3

from sqlalchemy import create_engine, text

import queries
from mirror.db import open_mirror
from mirror.migrations import migrate
from mirror.store import tombstone, upsert_rows
from tests.support.queries_plant import BOILER, BOILER_HOUSE, load_base


def _hits(served, q: str) -> list[tuple[str, str]]:
    with served.mirror.session() as s:
        return [(h.kind, h.id) for h in queries.search(s, q=q)]


def _integrity(path) -> None:
    """FTS5's own check that the external-content indexes match their tables exactly."""
    con = sqlite3.connect(path)
    try:
        for table in ("work_orders_fts", "spare_parts_fts"):
            con.execute(f"INSERT INTO {table} ({table}, rank) VALUES ('integrity-check', 1)")
        con.execute("INSERT INTO assets_fts (assets_fts) VALUES ('integrity-check')")
    finally:
        con.close()


def test_plain_sql_updates_deletes_and_upserts_keep_the_index_current(scratch):
    with scratch.mirror.write() as s:
        s.execute(text("UPDATE work_orders SET description = 'Replace the thermocouple' WHERE id = 'qa-wo-a1'"))
    assert _hits(scratch, "thermocouple") == [("work order", "qa-wo-a1")]
    assert ("work order", "qa-wo-a1") not in _hits(scratch, "electrode")
    with scratch.mirror.write() as s:
        s.execute(text("DELETE FROM work_orders WHERE id = 'qa-wo-a1'"))
        s.execute(text("UPDATE spare_parts SET name = 'Ionisation probe' WHERE id = 'qa-part-igniter'"))
    assert _hits(scratch, "thermocouple") == []
    assert _hits(scratch, "ionisation") == [("part", "qa-part-igniter")]
    with scratch.mirror.write() as s:  # the pull's way: an upsert that changes the title
        upsert_rows(s, "work_orders", [{
            "id": "qa-wo-b1", "raw": {"changed": True}, "type": "corrective", "title": "Compressor belt squeal",
            "created_at": "2024-01-01T00:00:00.000Z", "updated_at": "2024-01-02T00:00:00.000Z"}])
    assert _hits(scratch, "squeal") == [("work order", "qa-wo-b1")]
    _integrity(scratch.path)


def test_tombstoned_rows_leave_search_and_revived_ones_return(scratch):
    assert ("work order", "qa-wo-b1") in _hits(scratch, "weeping")
    with scratch.mirror.write() as s:
        tombstone(s, "work_orders", ["qa-wo-b1"])
    assert ("work order", "qa-wo-b1") not in _hits(scratch, "weeping")
    found = scratch.client.get("/mirror/work_orders_detail.json?_search=weeping&_shape=array").json
    assert "qa-wo-b1" not in [r["id"] for r in found]
    with scratch.mirror.write() as s:
        s.execute(text("UPDATE work_orders SET deleted_at = NULL WHERE id = 'qa-wo-b1'"))
    assert ("work order", "qa-wo-b1") in _hits(scratch, "weeping")
    _integrity(scratch.path)


def test_asset_search_follows_its_location_name(scratch):
    with scratch.mirror.write() as s:
        s.execute(text("UPDATE locations SET name = 'Steam Plant' WHERE id = :l"), {"l": BOILER_HOUSE})
    assert ("asset", BOILER) in _hits(scratch, "steam plant")
    assert [h for h in _hits(scratch, "boiler house") if h[0] == "asset"] == []
    with scratch.mirror.write() as s:  # an asset arriving before its location, then the location
        upsert_rows(s, "assets", [{"id": "qa-asset-late", "raw": {}, "name": "Chiller 4", "type": "hvac",
                                   "location": "qa-loc-roof"}])
        upsert_rows(s, "locations", [{"id": "qa-loc-roof", "raw": {}, "name": "Roof Deck"}])
    assert ("asset", "qa-asset-late") in _hits(scratch, "roof deck")
    _integrity(scratch.path)


def test_migration_indexes_rows_written_before_search_existed(tmp_path, monkeypatch):
    from tests.support import queries_plant

    mapped = queries_plant.transform
    # Before version 9 labour cost could not be NULL ("not recorded"); an old mirror held 0.0 instead.
    monkeypatch.setattr(queries_plant, "transform", lambda e, o: {
        **mapped(e, o), **({"labor_cost": mapped(e, o)["labor_cost"] or 0.0} if e == "work_orders" else {})})
    path = tmp_path / "old.db"
    engine = create_engine(f"sqlite:///{path}", connect_args={"isolation_level": None})
    with engine.connect() as conn:
        migrate(conn, target=2)  # a mirror from before version 3
    engine.dispose()
    with open_mirror(path, upgrade=False) as m:
        load_base(m)
    with open_mirror(path) as m, m.session() as s:
        assert [h.kind for h in queries.search(s, q="seal")].count("work order") >= 1
        assert {h.kind for h in queries.search(s, q="pump")} >= {"work order", "asset"}
    _integrity(path)


def test_search_survives_vacuum(scratch):
    """The indexes are keyed by rowid; VACUUM must keep rowids (it does for these tables)."""
    with scratch.mirror.write() as s:
        s.execute(text("DELETE FROM work_orders WHERE id IN ('qa-wo-a2', 'qa-wo-a3')"))
    con = sqlite3.connect(scratch.path)
    con.execute("VACUUM")
    con.close()
    assert _hits(scratch, "electrode")[0] == ("work order", "qa-wo-a1")
    _integrity(scratch.path)
