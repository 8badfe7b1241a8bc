"""Every frequent named query is served by an index: its plan never scans work_orders in full.

Without ``ANALYZE`` statistics SQLite's plans do not depend on table sizes, so the small mirror
shows the plan a million work orders get (``tests/benchmarks/bench_queries.py`` prints them there).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

import pytest
from datasette.utils import escape_fts

from queries.named import load
from queries.plans import plan, work_order_scans


@pytest.fixture
def con(served_plant) -> Iterator[sqlite3.Connection]:
    con = sqlite3.connect(f"file:{served_plant.path}?mode=ro", uri=True)
    con.create_function("escape_fts", 1, escape_fts)
    yield con
    con.close()


@pytest.mark.parametrize("name", sorted(n for n, q in load().items() if q.frequent))
def test_frequent_queries_never_scan_work_orders(con, name):
    query = load()[name]
    assert work_order_scans(plan(con, query), query.sql) == []


def test_reports_and_charts_read_index_ranges_too(con):
    for query in load().values():
        assert work_order_scans(plan(con, query), query.sql) == [], query.name


def test_the_scan_detector_sees_a_scan():
    con = sqlite3.connect(":memory:")
    con.execute("CREATE TABLE work_orders (id, title, status)")
    con.execute("CREATE INDEX ix_status ON work_orders (status)")
    sql = "SELECT * FROM work_orders w WHERE title = 'x'"
    assert work_order_scans([r[3] for r in con.execute("EXPLAIN QUERY PLAN " + sql)], sql) == ["SCAN w"]
    sql = "SELECT status, count(*) FROM work_orders GROUP BY status"
    assert work_order_scans([r[3] for r in con.execute("EXPLAIN QUERY PLAN " + sql)], sql) != []
