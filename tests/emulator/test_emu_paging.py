"""offset/limit/orderBy: defaults, the 100 clamp and the max_page_size switch, accepted orderBy spellings, stable order on ties."""

from __future__ import annotations

from collections import Counter

import httpx
import pytest

from sync.emulator.values import parse_ms
from tests.support.emulator import api_client, fetch_all


def _ids(response):
    assert response.status_code == 200, response.text
    return [o["id"] for o in response.json()["results"]]


def _expected(shared_emu, entity, field, descending):
    rows = [(parse_ms(o[field]), o["id"]) for o in shared_emu.dump(entity)]
    rows.sort(key=lambda r: (r[0] is not None, r[0] or 0, r[1]), reverse=descending)
    return [i for _, i in rows]


def test_default_order_is_created_at_desc_and_default_limit_100(api, shared_emu):
    assert _ids(api.get("/work-orders")) == _expected(shared_emu, "work_orders", "createdAt", True)[:100]


def test_limit_above_max_is_clamped_to_100(api):
    assert len(_ids(api.get("/work-orders", params={"limit": 500}))) == 100


@pytest.mark.parametrize("bad", [{"limit": 0}, {"limit": "ten"}, {"offset": -1}, {"offset": "x"}])
def test_bad_offset_or_limit_is_400(api, bad):
    response = api.get("/work-orders", params=bad)
    assert response.status_code == 400
    assert response.json()["success"] is False


def test_offset_and_limit_slice_the_ordering(api, shared_emu):
    expected = _expected(shared_emu, "work_orders", "createdAt", False)
    page = _ids(api.get("/work-orders", params={"offset": 37, "limit": 11, "orderBy": "createdAt ASC"}))
    assert page == expected[37:48]
    assert _ids(api.get("/work-orders", params={"offset": len(expected), "orderBy": "createdAt ASC"})) == []


@pytest.mark.parametrize(
    "spelling", ["createdAt ASC", "createdAt+ASC", "createdAt:ASC", "createdAt,asc", "createdAt.Asc"]
)
def test_order_by_separators_and_direction_case_are_lenient(api, shared_emu, spelling):
    # httpx encodes a literal "+" as %2B, which must work as well as a "+" meaning a space.
    assert (
        _ids(api.get("/work-orders", params={"orderBy": spelling, "limit": 20}))
        == _expected(shared_emu, "work_orders", "createdAt", False)[:20]
    )


def test_order_by_plus_in_raw_query_means_space(api, shared_emu):
    assert (
        _ids(api.get("/work-orders?orderBy=createdAt+ASC&limit=5"))
        == _expected(shared_emu, "work_orders", "createdAt", False)[:5]
    )


@pytest.mark.parametrize("bad", ["createdAt", "createdat ASC", "title ASC", "createdAt UP", "dueDate ASC"])
def test_order_by_field_names_are_strict(api, bad):
    # dueDate is a valid sort field for work orders but not for assets.
    response = api.get("/assets", params={"orderBy": bad})
    assert response.status_code == 400
    assert "orderBy" in response.json()["message"]


@pytest.mark.parametrize(
    ("entity", "path", "field"),
    [
        ("work_orders", "/work-orders", "updatedAt"),
        ("work_orders", "/work-orders", "dueDate"),
        ("work_orders", "/work-orders", "dateCompleted"),
        ("purchase_orders", "/purchase-orders", "poDate"),
        ("requests", "/requests", "dueDate"),
        ("assets", "/assets", "updatedAt"),
    ],
)
def test_order_by_each_documented_field(api, shared_emu, entity, path, field):
    for direction, desc in (("ASC", False), ("DESC", True)):
        got = [o["id"] for o in fetch_all_ordered(api, path, f"{field} {direction}")]
        assert got == _expected(shared_emu, entity, field, desc)


def fetch_all_ordered(api, path, order_by):
    out, offset = [], 0
    while True:
        batch = api.get(path, params={"orderBy": order_by, "offset": offset, "limit": 100}).json()["results"]
        out += batch
        offset += 100
        if len(batch) < 100:
            return out


def test_equal_timestamps_are_tie_broken_by_id_across_pages(api, shared_emu):
    dump = shared_emu.dump("work_orders")
    ties = [t for t, n in Counter(o["createdAt"] for o in dump).items() if n > 1]
    assert ties, "the seed must contain work orders created in the same millisecond"
    for direction in ("ASC", "DESC"):
        pages = [o["id"] for o in fetch_all_ordered_small(api, f"createdAt {direction}")]
        assert len(pages) == len(set(pages)) == len(dump)
        assert pages == _expected(shared_emu, "work_orders", "createdAt", direction == "DESC")


def fetch_all_ordered_small(api, order_by):
    out = []
    while True:
        batch = api.get("/work-orders", params={"orderBy": order_by, "offset": len(out), "limit": 7}).json()[
            "results"
        ]
        out += batch
        if len(batch) < 7:
            return out


def test_updated_at_ties_exist_and_sort_by_id(api, shared_emu):
    dump = shared_emu.dump("work_orders")
    shared = Counter(o["updatedAt"] for o in dump).most_common(1)[0]
    assert shared[1] > 1, "bulk-archived work orders share one updatedAt"
    got = [
        o["id"]
        for o in fetch_all(
            api,
            "/work-orders",
            {
                "updatedAtGreaterThanOrEqualTo": parse_ms(shared[0]),
                "updatedAtLessThanOrEqualTo": parse_ms(shared[0]),
            },
        )
    ]
    assert sorted(got) == sorted(o["id"] for o in dump if o["updatedAt"] == shared[0])
    ordered = _ids(
        api.get(
            "/work-orders",
            params={
                "updatedAtGreaterThanOrEqualTo": parse_ms(shared[0]),
                "updatedAtLessThanOrEqualTo": parse_ms(shared[0]),
                "orderBy": "updatedAt ASC",
            },
        )
    )
    assert ordered == sorted(ordered)


def test_max_page_size_caps_every_list_answer_whatever_the_limit(own_api, emu):
    # The switch plays a server that serves fewer than UpKeep's 100: set in Python, over
    # /_emulator/paging and (test_emu_command) from the command line.
    emu.set_max_page_size(50)
    assert len(_ids(own_api.get("/work-orders", params={"limit": 100}))) == 50
    assert len(_ids(own_api.get("/work-orders"))) == 50  # the default limit is capped too
    assert len(_ids(own_api.get("/work-orders", params={"limit": 30}))) == 30
    # Paging on with the offset reaches every row: the rows are there, only the pages are shorter.
    rows, offset = [], 0
    while page := _ids(own_api.get("/work-orders", params={"offset": offset, "limit": 100,
                                                          "orderBy": "createdAt ASC"})):
        rows += page
        offset += len(page)
    assert len(rows) == len(set(rows)) == len(emu.dump("work_orders"))
    assert httpx.get(f"{emu.control_url}/paging").json()["result"] == {"max_page_size": 50}
    answer = httpx.post(f"{emu.control_url}/paging", json={"max_page_size": 20}).json()
    assert answer["result"] == {"max_page_size": 20} and emu.info()["maxPageSize"] == 20
    assert len(_ids(own_api.get("/users", params={"limit": 100}))) == min(20, len(emu.dump("users")))
    assert len(_ids(own_api.get("/work-orders", params={"limit": 100}))) == 20
    refused = httpx.post(f"{emu.control_url}/paging", json={"max_page_size": 0})
    assert refused.status_code == 400 and "max_page_size" in refused.json()["message"]
    assert emu.max_page_size == 20


def test_max_page_size_at_construction():
    from sync.emulator import Emulator

    with Emulator(seed=3, work_orders=80, max_page_size=25) as emu, api_client(emu) as api:
        assert len(_ids(api.get("/work-orders", params={"limit": 100}))) == 25
    with pytest.raises(ValueError, match="max_page_size"):
        Emulator(seed=3, work_orders=1, max_page_size=0)
