"""Paging state and cursor helpers: pure, no HTTP."""

from __future__ import annotations

import pytest

from sync.upkeep.endpoints import FullListing
from sync.upkeep.paging import (
    DEFAULT_LIMIT,
    Pager,
    PageSize,
    cursor_params,
    iter_pages,
    next_cursor,
    order_by,
)


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


# --- UpKeep serving fewer per request than asked (PageSize) ------------------------------------


def _capped(rows: list[int], caps: list[int]):
    """An offset listing of ``rows`` whose server serves at most ``caps[i]`` on its i-th request
    (the last cap holds after); records the requests."""
    calls: list[dict] = []

    def fetch(params: dict) -> list[int]:
        cap = caps[min(len(calls), len(caps) - 1)]
        calls.append(params)
        return rows[params["offset"]:params["offset"] + min(params["limit"], cap)]

    return fetch, calls


def test_a_capped_server_is_paged_to_the_end_and_its_page_size_adopted_once(caplog):
    sizes = PageSize()
    fetch, calls = _capped(list(range(130)), [50])
    with caplog.at_level("WARNING", logger="sync.upkeep.paging"):
        got = [r for page in iter_pages(fetch, Pager(limit=100, sizes=sizes)) for r in page]
        assert got == list(range(130))  # without PageSize the first page of 50 would end it
        assert [c["offset"] for c in calls] == [0, 50, 100]  # the confirming request was a page of rows
        # Every other listing of the client pages by 50 from now on: no confirming request.
        fetch, calls = _capped(list(range(75)), [50])
        assert [r for page in iter_pages(fetch, Pager(limit=100, sizes=sizes)) for r in page] == list(range(75))
        assert len(calls) == 2
    assert [r.getMessage() for r in caplog.records] == [
        "UpKeep serves at most 50 objects per request (asked for 100); using 50"]
    assert (sizes.cap, sizes.asked, sizes.served, sizes.changed) == (50, 100, 50, True)


def test_a_short_page_that_may_be_the_last_costs_one_confirming_request_until_a_full_page_came():
    sizes = PageSize()
    fetch, calls = _capped(list(range(30)), [100])
    assert sum(len(p) for p in iter_pages(fetch, Pager(limit=100, sizes=sizes))) == 30
    assert len(calls) == 2 and sizes.checks == 1 and sizes.cap is None  # empty: it was the end
    fetch, calls = _capped(list(range(250)), [100])
    assert sum(len(p) for p in iter_pages(fetch, Pager(limit=100, sizes=sizes))) == 250
    assert len(calls) == 3  # full pages, then a short one shorter than UpKeep served: the end
    fetch, calls = _capped(list(range(99)), [100])
    assert sum(len(p) for p in iter_pages(fetch, Pager(limit=100, sizes=sizes))) == 99
    assert len(calls) == 1 and sizes.checks == 1  # UpKeep serves 100: nothing to confirm


def test_a_page_size_found_earlier_needs_no_confirming_and_a_bigger_page_drops_it():
    sizes = PageSize()
    sizes.restore(50, 50, 100)
    fetch, calls = _capped(list(range(120)), [50])
    assert sum(len(p) for p in iter_pages(fetch, Pager(limit=100, sizes=sizes))) == 120
    assert len(calls) == 3 and sizes.checks == 0 and not sizes.changed
    # The limit asked stays 100, so a server that now serves more is noticed at once.
    fetch, calls = _capped(list(range(120)), [100])
    assert sum(len(p) for p in iter_pages(fetch, Pager(limit=100, sizes=sizes))) == 120
    assert sizes.cap is None and sizes.served == 100 and sizes.changed


@pytest.mark.parametrize("caps", [[50], [30], [50, 50, 100], [99], [1]])
def test_offset_paging_reads_every_row_when_the_page_size_changes_mid_listing(caps):
    # PM triggers are paged so (FullListing): a cap found mid-listing changes nothing of the offset.
    fetch, _ = _capped(list(range(333)), caps)
    listing, seen = FullListing(100, PageSize()), []
    while True:
        page = fetch(listing.params())
        seen += page
        if not listing.advance(page):
            break
    assert seen == list(range(333))


def test_complete_trusts_a_single_page_only_when_surely_the_last():
    sizes = PageSize()
    assert sizes.complete(100, 0) and not sizes.complete(100, 40)  # 40 of 100: maybe all it serves
    assert not sizes.complete(100, 100)
    assert sizes.complete(100, 40)  # it served 100 once: 40 is the end
