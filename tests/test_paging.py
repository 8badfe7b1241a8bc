"""Paging state and cursor helpers: pure, no HTTP."""

from __future__ import annotations

import pytest

from sync.upkeep.paging import DEFAULT_LIMIT, Pager, cursor_params, iter_pages, next_cursor, order_by


def test_first_page_params():
    assert Pager().params() == {"offset": 0, "limit": DEFAULT_LIMIT}
    assert Pager(limit=25, offset=50).params() == {"offset": 50, "limit": 25}


def test_full_page_means_maybe_more_and_moves_offset():
    pager = Pager(limit=100)
    assert pager.advance(100) is True
    assert pager.params() == {"offset": 100, "limit": 100}


def test_short_page_ends():
    pager = Pager(limit=100)
    assert pager.advance(99) is False
    assert pager.offset == 99


def test_empty_page_ends():
    assert Pager(limit=10).advance(0) is False


@pytest.mark.parametrize("kwargs", [{"limit": 0}, {"limit": -1}, {"offset": -1}])
def test_rejects_nonsense_settings(kwargs):
    with pytest.raises(ValueError):
        Pager(**kwargs)


def test_rejects_negative_page():
    with pytest.raises(ValueError):
        Pager().advance(-1)


def _server(rows: list[int], calls: list[dict]):
    """A fake list endpoint over ``rows`` that records the params of each call."""

    def fetch(params: dict) -> list[int]:
        calls.append(params)
        return rows[params["offset"] : params["offset"] + params["limit"]]

    return fetch


def test_iter_pages_reads_everything_and_passes_params():
    calls: list[dict] = []
    pages = list(iter_pages(_server(list(range(250)), calls), Pager(limit=100), {"orderBy": "updatedAt ASC"}))
    assert [len(p) for p in pages] == [100, 100, 50]
    assert [row for page in pages for row in page] == list(range(250))
    assert [c["offset"] for c in calls] == [0, 100, 200]
    assert all(c["orderBy"] == "updatedAt ASC" and c["limit"] == 100 for c in calls)


def test_iter_pages_exact_multiple_asks_once_more_and_yields_no_empty_page():
    calls: list[dict] = []
    pages = list(iter_pages(_server(list(range(200)), calls), Pager(limit=100)))
    assert [len(p) for p in pages] == [100, 100]
    assert [c["offset"] for c in calls] == [0, 100, 200]  # a full last page is not taken as the end


def test_iter_pages_offset_counts_rows_received_when_page_is_yielded():
    pager = Pager(limit=10)
    seen = [pager.offset for _ in iter_pages(_server(list(range(25)), []), pager)]
    assert seen == [10, 20, 25]


def test_cursor_params_inclusive_lower_bound():
    assert cursor_params(1598983706000) == {"updatedAtGreaterThanOrEqualTo": 1598983706000}
    assert cursor_params(5, field="createdAt") == {"createdAtGreaterThanOrEqualTo": 5}


def test_cursor_params_none_is_full_sync():
    assert cursor_params(None) == {}


def test_cursor_params_rejects_negative():
    with pytest.raises(ValueError):
        cursor_params(-1)


def test_order_by_string_form():
    assert order_by() == {"orderBy": "updatedAt ASC"}
    assert order_by("createdAt", "desc") == {"orderBy": "createdAt DESC"}
    with pytest.raises(ValueError):
        order_by("updatedAt", "UP")


def test_next_cursor_is_run_start_minus_skew():
    assert next_cursor(1_700_000_000_000, 300_000) == 1_699_999_700_000


def test_next_cursor_default_skew_is_behind_the_start():
    assert next_cursor(1_700_000_000_000) < 1_700_000_000_000


def test_next_cursor_never_negative_and_rejects_negative_skew():
    assert next_cursor(1_000, 5_000) == 0
    with pytest.raises(ValueError):
        next_cursor(1_000, -1)


def test_cursor_from_run_start_refetches_rows_changed_during_the_run():
    """A row updated mid-run (after the start) is >= the next cursor, so the next run sees it again."""
    run_started = 1_700_000_000_000
    changed_mid_run = run_started + 40_000
    cursor = next_cursor(run_started, 60_000)
    assert changed_mid_run >= cursor_params(cursor)["updatedAtGreaterThanOrEqualTo"]
