"""metadata.json describes every table and column, owns no SQL, and stays in step with the schema."""

from __future__ import annotations

import json
import sqlite3

import pytest

from mirror.schema import MIRRORED
from queries.datasette import DATABASE, MetadataError, canned_queries, load_metadata, merge, read_metadata
from queries.named import load

RAW = read_metadata()
TABLES = RAW["databases"][DATABASE]["tables"]
BOOKKEEPING = {"schema_versions", "sync_cursors", "sync_runs", "rejects", "outbox", "reconcile_seen", "connectivity"}


@pytest.fixture(scope="module")
def schema(tmp_path_factory) -> dict[str, tuple[str, list[str]]]:
    from mirror.db import open_mirror

    path = tmp_path_factory.mktemp("schema") / "m.db"
    open_mirror(path).close()
    con = sqlite3.connect(path)
    objects = con.execute(
        "SELECT name, type FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%'"
    ).fetchall()
    out = {}
    for name, kind in objects:
        if "_fts" in name:
            continue  # search indexes: Datasette hides them itself
        out[name] = (kind, [r[1] for r in con.execute(f"PRAGMA table_info([{name}])")])
    con.close()
    return out


def test_every_table_view_and_column_is_described(schema):
    assert set(TABLES) == set(schema), "metadata.json and the schema name different tables"
    for name, (_kind, columns) in schema.items():
        entry = TABLES[name]
        assert entry.get("title") and entry.get("description"), name
        assert list(entry["columns"]) == columns, f"{name}: described columns differ from the schema"
        assert all(d.strip() for d in entry["columns"].values()), name


def test_technicians_browse_live_views_and_bookkeeping_is_hidden(schema):
    for name, (kind, _columns) in schema.items():
        hidden = TABLES[name].get("hidden", False)
        if kind == "view":
            assert not hidden, f"view {name} should be visible"
        elif name in {m.__tablename__ for m in MIRRORED.values()} | BOOKKEEPING:
            assert hidden, f"{name} keeps tombstones or bookkeeping: it should be hidden"
    for model in MIRRORED.values():
        assert f"{model.__tablename__}_detail" in schema, f"{model.__tablename__} has no live view"


def test_facets_sorts_labels_and_search_name_real_columns(schema):
    for name, entry in TABLES.items():
        columns = schema[name][1]
        for key in ("sort", "sort_desc", "label_column"):
            if key in entry:
                assert entry[key] in columns, f"{name}.{key}"
        for facet in entry.get("facets", []):
            assert facet in columns, f"{name} facet {facet}"
        if "fts_table" in entry:
            assert entry["fts_pk"] in columns or schema[name][0] == "table"
    for view in ("work_orders_detail", "assets_detail", "spare_parts_detail"):
        assert TABLES[view]["fts_table"] and TABLES[view]["fts_pk"] == "rowid"
    assert {"status", "priority", "type", "location_name", "assigned_to_name"} <= set(
        TABLES["work_orders_detail"]["facets"])
    everywhere = {f for entry in TABLES.values() for f in entry.get("facets", [])}
    assert {"asset_name", "category"} <= everywhere


def test_metadata_json_owns_no_sql_and_serve_adds_every_named_query():
    assert "queries" not in RAW["databases"][DATABASE]
    assert "sql" not in json.dumps(RAW).lower().replace("sql_", "")  # no SQL text anywhere
    merged = load_metadata()
    assert merged["databases"][DATABASE]["queries"] == canned_queries()
    assert set(canned_queries()) == set(load())
    assert all(q["write"] is False for q in canned_queries().values())
    charts = merged["plugins"]["datasette-dashboards"]["maintenance-trends"]["charts"]
    assert {c["named_query"] for c in charts.values()} == {"backlog_over_time", "completions_per_week"}
    for chart in charts.values():
        assert chart["query"] == load()[chart["named_query"]].sql and chart["db"] == DATABASE


def test_a_second_copy_of_a_query_or_a_chart_with_sql_is_refused():
    with pytest.raises(MetadataError, match="must not define queries"):
        merge({"databases": {DATABASE: {"queries": {"x": "select 1"}}}})
    with pytest.raises(MetadataError, match="not carry SQL"):
        merge({"plugins": {"datasette-dashboards": {"d": {"charts": {"c": {"query": "select 1"}}}}}})
    with pytest.raises(MetadataError, match="unknown query"):
        merge({"plugins": {"datasette-dashboards": {"d": {"charts": {"c": {"named_query": "nope"}}}}}})


def test_served_metadata_and_pages(served_plant):
    served = served_plant.client.get("/-/metadata.json").json
    assert served["databases"][DATABASE]["queries"]["overdue_work_orders"]["sql"] == load()["overdue_work_orders"].sql
    home = served_plant.client.get("/mirror").text
    for query in load().values():
        assert query.title.replace("'", "&#39;") in home or query.title in home
    assert 'href="/mirror/work_orders_detail"' in home
    assert 'href="/mirror/sync_runs"' not in home and 'href="/mirror/work_orders"' not in home  # hidden
    assert 'href="/mirror/sqlite_sequence"' not in home
    chart = served_plant.client.get("/-/dashboards/maintenance-trends?weeks=8")
    assert chart.status == 200 and "Open work orders at the end of each week" in chart.text
