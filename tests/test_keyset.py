"""Keyset paging as plain state: no HTTP, just what it asks for after each page."""

from __future__ import annotations

import pytest

from sync.upkeep.keyset import KeysetPager, value_ms
from sync.upkeep.paging import PageSize


def obj(ms: int, id_: str = "x") -> dict:
    from datetime import UTC, datetime

    stamp = datetime.fromtimestamp(ms / 1000, tz=UTC).isoformat().replace("+00:00", "Z")
    return {"id": id_, "updatedAt": stamp}


def test_first_page_has_no_lower_bound_and_orders_oldest_first():
    pager = KeysetPager(limit=3)
    assert pager.params() == {"orderBy": "updatedAt ASC", "offset": 0, "limit": 3}


def test_key_moves_to_the_last_value_and_offset_counts_its_ties():
    pager = KeysetPager(limit=3)
    assert pager.advance([obj(1000), obj(2000), obj(2000)]) is True
    assert pager.params() == {"orderBy": "updatedAt ASC", "offset": 2, "limit": 3,
                              "updatedAtGreaterThanOrEqualTo": 2000}
    assert pager.advance([obj(3000)]) is False  # short page: the end
    assert (pager.since_ms, pager.ties) == (3000, 1)


def test_a_page_entirely_at_the_key_steps_over_it_with_the_offset():
    pager = KeysetPager(since_ms=5000, limit=2)
    pager.advance([obj(5000), obj(5000)])
    pager.advance([obj(5000), obj(5000)])
    assert pager.params()["offset"] == 4 and pager.params()["updatedAtGreaterThanOrEqualTo"] == 5000


def test_a_row_changed_during_the_run_cannot_slide_behind_the_key():
    """Offset paging skips a row here; keyset paging does not (simulated listing)."""
    rows = {f"r{i}": 1000 + i for i in range(10)}  # id -> updatedAt

    def listing(params):
        since = params.get("updatedAtGreaterThanOrEqualTo", 0)
        ordered = sorted((ms, i) for i, ms in rows.items() if ms >= since)
        return [obj(ms, i) for ms, i in ordered[params["offset"]: params["offset"] + params["limit"]]]

    pager, seen = KeysetPager(limit=3), []
    first = True
    while True:
        page = listing(pager.params())
        seen += [o["id"] for o in page]
        if first:  # an already-read row is updated while we page: it moves to the end
            rows["r0"] = 5000
            first = False
        if not pager.advance(page):
            break
    assert set(seen) == set(rows), "every row is read at least once"


def test_unreadable_timestamps_keep_the_key_and_pm_items_read_the_trigger():
    pager = KeysetPager(since_ms=100, limit=2)
    pager.advance([{"id": "a", "updatedAt": "garbage"}, {"id": "b"}])
    assert (pager.since_ms, pager.ties) == (100, 2)
    assert value_ms({"trigger": {"updatedAt": "1970-01-01T00:00:01Z"}}, "updatedAt") == 1000


@pytest.mark.parametrize("cap", [1, 3, 4, 7, 50])
def test_keyset_paging_reads_every_row_once_when_the_page_size_is_found_mid_listing(cap):
    """A server serving ``cap`` rows of the 10 asked; runs of equal timestamps straddle page bounds."""
    stamps = [1000] * 5 + [2000, 2000, 3000] + [4000] * 9 + [5000 + i for i in range(20)]
    rows = [obj(ms, f"r{i}") for i, ms in enumerate(stamps)]  # ordered by (updatedAt, id)
    sizes = PageSize()

    def listing(params):
        since = params.get("updatedAtGreaterThanOrEqualTo", 0)
        after = [r for r in rows if value_ms(r, "updatedAt") >= since]
        return after[params["offset"]:params["offset"] + min(params["limit"], cap)]

    pager, seen = KeysetPager(limit=10, sizes=sizes), []
    while True:
        page = listing(pager.params())
        seen += [r["id"] for r in page]
        if not pager.advance(page):
            break
    assert seen == [r["id"] for r in rows]
    assert sizes.cap == (cap if cap < 10 else None)
