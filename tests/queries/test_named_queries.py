"""The query files' header format, and the link between each file and its typed Python function."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from queries import functions
from queries.functions import FUNCTIONS, QueryDrift, Row, run
from queries.named import QueryFileError, load, parse, sql_parameters

AT_LEAST = {
    "my_open_work_orders", "open_work_orders_for_asset", "overdue_work_orders", "pm_due", "parts_to_reorder",
    "asset_history", "mttr_per_asset", "backlog_by_priority_location", "completed_recently", "cost_per_asset",
    "local_writes", "local_writes_summary", "sync_health", "backlog_over_time", "completions_per_week", "search",
}


def test_the_issue_s_queries_exist_each_with_one_function():
    assert set(load()) >= AT_LEAST
    assert set(FUNCTIONS) == set(load())
    for query in load().values():
        assert query.title and query.description and query.sql.lstrip().upper().startswith(("SELECT", "WITH"))
        assert all(p.description for p in query.params), query.name


def test_header_parsing_and_parameter_checks():
    q = parse("demo", "-- title: Demo\n-- description: Shows.\n-- param asset: Asset name.\n-- frequent: yes\n"
                      "SELECT * FROM assets WHERE name = :asset AND ts > '12:30' -- not :this\n")
    assert (q.title, q.param_names, q.frequent) == ("Demo", ("asset",), True)
    assert q.sql.startswith("SELECT") and not q.sql.startswith("--")
    with pytest.raises(QueryFileError, match="declares parameters"):
        parse("bad", "-- title: T\n-- description: D\nSELECT :undeclared")
    with pytest.raises(QueryFileError, match="title"):
        parse("bad", "-- description: D\nSELECT 1")
    with pytest.raises(QueryFileError, match="expected"):
        parse("bad", "-- title: T\n-- oops\nSELECT 1")
    assert sql_parameters("SELECT strftime('%H:%M', 'now'), :a, :a, :b") == ["a", "b"]


def test_a_row_class_that_drifts_from_its_sql_fails_loudly(served_plant):
    class Wrong(Row):
        id: str
        title: str

    with served_plant.mirror.session() as s, pytest.raises(QueryDrift, match=r"overdue_work_orders\.sql returns"):
        run(s, "overdue_work_orders", Wrong)
    with served_plant.mirror.session() as s, pytest.raises(TypeError, match="takes parameters"):
        run(s, "pm_due", functions.PlanDue, weeks=3)


def test_rows_are_typed(served_plant):
    with served_plant.mirror.session() as s:
        row = functions.my_open_work_orders(s, user="Ana O'Brien")[0]
        assert row.due_date.tzinfo is not None and row.due_date.utcoffset().total_seconds() == 0
        assert row.overdue is True
        with pytest.raises(ValidationError, match="frozen"):
            row.title = "changed"
