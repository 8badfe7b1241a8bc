"""The technicians' pages, served in-process: start page, work order and asset pages, links, dates, words.

What a person looks for is asserted on the HTML; the raw values stay in JSON and CSV. The same pages
in a real browser, at desktop and phone widths, are in test_browser.py.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from queries.datasette import DATABASE, load_metadata, make_datasette
from queries.named import load
from tests.support.pages import ISO, visible_text
from tests.support.queries_plant import ANA, BOILER, BOILER_HOUSE, IGNITER


def hrefs(page: str) -> set[str]:
    return set(re.findall(r'href="([^"]+)"', page))


def test_start_page_counts_are_the_lists_they_link_to(served_plant):
    page = served_plant.client.get("/").text
    counts = dict(re.findall(r'<a href="/mirror/([a-z_]+(?:\?days=7)?)"><span class="count">([\d,]+)</span>', page))
    assert set(counts) == {"overdue_work_orders", "urgent_work_orders", "pm_due?days=7", "parts_to_reorder",
                           "local_writes"}
    assert int(counts["overdue_work_orders"]) == len(served_plant.canned("overdue_work_orders")) >= 3
    assert int(counts["urgent_work_orders"]) == len(served_plant.canned("urgent_work_orders")) >= 1
    assert int(counts["pm_due?days=7"]) == len(served_plant.canned("pm_due", days=7)) >= 2
    assert int(counts["parts_to_reorder"]) == len(served_plant.canned("parts_to_reorder")) >= 2
    for label in ("overdue", "open emergencies / high priority", "PM due in the next 7 days", "parts to reorder",
                  "local writes waiting", "local writes stuck"):
        assert label in page


def test_writes_waiting_and_stuck_are_counted(bookkeeping):
    page = bookkeeping.client.get("/").text
    waiting = re.search(r'<span class="count">(\d+)</span> local writes waiting', page)
    stuck = re.search(r'<span class="count">(\d+)</span> local writes stuck', page)
    assert (int(waiting.group(1)), int(stuck.group(1))) == (2, 2)  # pending + sending; dead + conflict


def test_queries_are_grouped_with_descriptions_and_every_one_is_listed_once(served_plant):
    groups = load_metadata()["plugins"]["upkeep-mirror"]["query_groups"]
    listed = [q for g in groups for q in g["queries"]]
    assert sorted(listed) == sorted(load()), "every named query in exactly one group"
    assert [g["title"] for g in groups] == ["Daily work", "Planning and reports", "Sync and local writes"]
    for path in ("/", "/mirror"):
        page = served_plant.client.get(path).text
        for group in groups:
            assert f"<h2>{group['title']}</h2>" in page
        for name, query in load().items():
            assert f'href="/mirror/{name}"' in page
            assert query.description.split(" (")[0][:60].replace("'", "&#39;").replace('"', "&#34;") in page
        daily, planning, sync = (page.index(f"<h2>{g['title']}</h2>") for g in groups)
        assert daily < page.index('href="/mirror/overdue_work_orders"', daily) < planning
        assert planning < page.index('href="/mirror/backlog_by_priority_location"', planning) < sync
        assert sync < page.index('href="/mirror/sync_health"', sync)
    assert "select * from work_order_messages" not in served_plant.client.get("/mirror").text


def test_freshness_banner_on_every_page(bookkeeping, served_plant):
    for path in ("/", "/mirror", "/mirror/overdue_work_orders", "/mirror/work_orders_detail",
                 "/mirror/work_orders/qa-wo-a1", f"/mirror/assets/{BOILER}"):
        page = bookkeeping.client.get(path).text
        assert re.search(r"OFFLINE since \d\d:\d\d", visible_text(page)), path  # offline an hour ago
        assert "Data as of" in page and "UpKeep does not answer" in page
        assert "Not synced yet" in served_plant.client.get(path).text, path  # the plant mirror was never pulled


def test_fresh_and_stale_data_say_how_old(scratch):
    from sqlalchemy import text

    with scratch.mirror.write() as s:
        s.execute(text("INSERT INTO sync_cursors (entity, cursor_ms, last_success_at) VALUES ('work_orders', 1, :t)"),
                  {"t": scratch.clock.ago(minutes=4)})
    page = visible_text(scratch.client.get("/").text)
    assert re.search(r"Data as of \d\d:\d\d , 4 minutes ago", page) and "OFFLINE" not in page
    with scratch.mirror.write() as s:
        s.execute(text("UPDATE sync_cursors SET last_success_at = :t"), {"t": scratch.clock.ago(hours=5)})
    page = visible_text(scratch.client.get("/").text)
    assert "5 hours ago: no sync since" in " ".join(page.split())


def test_work_order_page(bookkeeping):
    page = bookkeeping.client.get("/mirror/work_orders/qa-wo-a1")
    assert page.status == 200
    html = page.text
    text = " ".join(visible_text(html).split())
    assert "<h1>Burner flame unstable</h1>" in html
    assert f'<a href="/mirror/assets/{BOILER}">Boiler 2</a>' in html  # names its asset, linked
    assert f'<a href="/mirror/locations/{BOILER_HOUSE}">Boiler House</a>' in html
    assert f'<a href="/mirror/users/{ANA}">Ana O&#39;Brien</a>' in html
    assert "open" in text and "high priority" in text and "due in 2 days" in text
    assert "Changed here, not yet in UpKeep" in text  # its pending update in the outbox
    assert "Recent work on Boiler 2" in text and 'href="/mirror/work_orders/qa-wo-a3"' in html
    assert "labour not recorded" in text
    assert not ISO.search(text)
    done = " ".join(visible_text(bookkeeping.client.get("/mirror/work_orders/qa-wo-a3").text).split())
    assert "complete" in done and "labour 120.00" in done and "Igniter electrode" in done  # parts used
    assert "Changed here" not in done


def test_work_order_checklist_from_upkeep(served_plant):
    found = [r for r in served_plant.canned("search", q="mechanical seal") if r["kind"] == "work order"]
    html = served_plant.client.get(f"/mirror/work_orders/{found[0]['id']}").text
    assert "<h2>Checklist</h2>" in html and "Shaft sleeve condition" in html


def test_asset_page(served_plant):
    page = served_plant.client.get(f"/mirror/assets/{BOILER}")
    assert page.status == 200
    html, text = page.text, " ".join(visible_text(page.text).split())
    assert "<h1>Boiler 2</h1>" in html
    assert "Open work orders (3)" in text
    for wo in ("qa-wo-a1", "qa-wo-a2", "qa-wo-c1", "qa-wo-a3"):
        assert f'href="/mirror/work_orders/{wo}"' in html
    assert 'href="/mirror/work_orders/qa-wo-a5"' not in html  # deleted
    assert "Boiler burner service every month" in text and "due in 5 days" in text
    assert "Paused boiler check paused" in text
    assert not ISO.search(text)


def test_every_id_and_name_links_to_its_page(served_plant):
    for name in ("overdue_work_orders", "urgent_work_orders"):
        html = served_plant.client.get(f"/mirror/{name}").text
        rows = served_plant.canned(name)
        assert rows
        for row in rows:
            assert f'href="/mirror/work_orders/{row["id"]}"' in html
            if row["asset_id"]:
                assert f'href="/mirror/assets/{row["asset_id"]}">{row["asset_name"]}</a>' in html.replace("&#39;", "'")
    html = served_plant.client.get("/mirror/my_open_work_orders?user=Ana+O%27Brien").text
    assert 'href="/mirror/work_orders/qa-wo-a2">Boiler low water alarm</a>' in html
    search = served_plant.client.get("/mirror/search?q=boiler").text
    assert f'href="/mirror/assets/{BOILER}">Boiler 2</a>' in search
    assert f'<td class="col-asset_name"><a href="/mirror/assets/{BOILER}">Boiler 2</a>' in search
    assert f'<td class="col-location_name"><a href="/mirror/locations/{BOILER_HOUSE}">Boiler House</a>' in search
    assert 'href="/mirror/work_orders/qa-wo-a2">Boiler low water alarm</a>' in search
    parts = served_plant.client.get("/mirror/parts_to_reorder").text
    assert f'href="/mirror/spare_parts/{IGNITER}">Igniter electrode</a>' in parts
    view = served_plant.client.get("/mirror/work_orders_detail?_search=electrode").text
    assert 'href="/mirror/work_orders/qa-wo-a1">Burner flame unstable</a>' in view
    assert f'href="/mirror/assets/{BOILER}">Boiler 2</a>' in view
    assets = served_plant.client.get("/mirror/assets_detail?_search=boiler").text
    assert f'href="/mirror/assets/{BOILER}">Boiler 2</a>' in assets
    pm = served_plant.client.get("/mirror/pm_due?days=7").text
    assert 'href="/mirror/maintenance_plans/qa-pm-soon">Boiler burner service</a>' in pm


def test_local_writes_link_their_record_and_hide_json(bookkeeping):
    html = bookkeeping.client.get("/mirror/local_writes").text
    assert 'href="/mirror/work_orders/qa-wo-a1"' in html and 'href="/mirror/spare_parts/qa-part-igniter"' in html
    assert '<details class="json"><summary>JSON</summary>' in html
    assert '{&#34;fields&#34;' not in visible_text(html)


@pytest.mark.parametrize("path", [
    "/mirror/overdue_work_orders", "/mirror/urgent_work_orders", "/mirror/pm_due", "/mirror/work_orders_detail",
    "/mirror/completed_recently?days=30", "/mirror/my_open_work_orders?user=ana@plant.example",
    "/mirror/parts_to_reorder", "/mirror/maintenance_plans_detail", "/mirror/asset_history?asset=Boiler+2",
])
def test_no_raw_timestamp_in_a_list(served_plant, path):
    html = served_plant.client.get(path).text
    assert "<time datetime=" in html, path  # there are dates on the page...
    assert not ISO.search(visible_text(html)), path  # ...and none reads as ISO-8601


def test_relative_wording_in_lists(served_plant):
    text = " ".join(visible_text(served_plant.client.get("/mirror/overdue_work_orders").text).split())
    assert "20 days overdue" in text and "3 days overdue" in text
    assert "-0.1" not in text
    pm = " ".join(visible_text(served_plant.client.get("/mirror/pm_due?days=7").text).split())
    assert "due in 5 days" in pm and "2 days overdue" in pm and "every month" in pm


def test_raw_values_stay_in_json_and_csv(served_plant):
    rows = served_plant.canned("overdue_work_orders")
    assert all(ISO.match(r["due_date"]) for r in rows)
    csv = served_plant.client.get("/mirror/overdue_work_orders.csv").text
    assert ISO.search(csv) and "days overdue" not in csv
    view = served_plant.client.get("/mirror/work_orders_detail.json?_shape=objects&id=qa-wo-b1").json["rows"][0]
    assert view["status"] == "on hold" and view["upkeep_status"] == "onHold" and view["machina_status"] == "assigned"


def test_upkeep_status_words(served_plant):
    html = served_plant.client.get("/mirror/work_orders_detail").text
    cells = " ".join(re.findall(r'<td class="col-(?:status|upkeep_status) [^"]*">(.*?)</td>', html, flags=re.S))
    for words in ("on hold", "in progress", "open", "complete"):
        assert words in cells
    assert "onHold" not in cells and "inProgress" not in cells
    facets = served_plant.client.get("/mirror/work_orders_detail.json?_facet=status&_size=0").json["facet_results"]
    assert {v["value"] for v in facets["status"]["results"]} >= {"open", "on hold", "in progress", "complete"}


def test_labour_cost_not_recorded_reads_so(served_plant):
    html = served_plant.client.get("/mirror/asset_history?asset=Boiler+2").text
    cells = re.findall(r'<td class="col-labor_cost">(.*?)</td>', html, flags=re.S)
    assert "120.0" in cells and '<span class="muted">not recorded</span>' in cells
    assert "0.0" not in cells


def _served_with(tmp_path, served_plant, metadata):
    from datasette.utils.testing import TestClient

    return TestClient(make_datasette(served_plant.path, metadata))


def test_dates_in_the_configured_time_zone(served_plant, monkeypatch):
    due = served_plant.canned("overdue_work_orders")[0]["due_date"]
    moment = datetime.fromisoformat(due.replace("Z", "+00:00"))
    shown = {}
    for zone in ("UTC", "Asia/Kolkata"):
        metadata = load_metadata()
        metadata["plugins"]["upkeep-mirror"]["timezone"] = zone
        html = _served_with(None, served_plant, metadata).get("/mirror/overdue_work_orders").text
        shown[zone] = re.search(rf'<time datetime="{re.escape(due)}"[^>]*>([^<]+)</time>', html).group(1)
    assert shown["UTC"] == f"{moment.day} {moment:%b %Y %H:%M}"
    kolkata = moment.astimezone(__import__("zoneinfo").ZoneInfo("Asia/Kolkata"))
    assert shown["Asia/Kolkata"] == f"{kolkata.day} {kolkata:%b %Y %H:%M}"
    monkeypatch.setenv("UPKEEP_MIRROR_TZ", "Asia/Kolkata")  # the environment, when metadata names none
    html = _served_with(None, served_plant, load_metadata()).get("/mirror/overdue_work_orders").text
    assert shown["Asia/Kolkata"] in html
    assert load_metadata()["plugins"]["upkeep-mirror"]["timezone"] is None  # default: the machine's


def test_backlog_biggest_first_with_names(served_plant):
    rows = served_plant.canned("backlog_by_priority_location")
    sizes = [r["open_work_orders"] for r in rows]
    assert sizes == sorted(sizes, reverse=True)
    assert all(r["location_name"] for r in rows)
    assert any(r["location_name"] == "Boiler House" for r in rows)


def test_serving_changes_nothing(served_plant):
    before = served_plant.path.read_bytes()
    for path in ("/", "/mirror", "/mirror/work_orders/qa-wo-a1", f"/mirror/assets/{BOILER}",
                 "/mirror/overdue_work_orders"):
        assert served_plant.client.get(path).status == 200
    assert served_plant.path.read_bytes() == before
    assert DATABASE == "mirror" and datetime.now(UTC)


def test_another_datasette_in_the_process_is_left_alone(served_plant):
    """The plugin is registered process-wide; a Datasette not built by serve keeps its own pages."""
    from datasette.app import Datasette
    from datasette.database import Database
    from datasette.utils.testing import TestClient

    assert served_plant.client.get("/").status == 200  # the plugin is registered by now
    other = Datasette([])
    other.add_database(Database(other, path=str(served_plant.path), is_mutable=False), name=DATABASE)
    client = TestClient(other)
    home = client.get("/").text
    assert "day-counts" not in home and "upkeep-static" not in home and "freshness" not in home
    rows = client.get("/mirror?sql=select+due_date+from+work_orders+where+due_date+is+not+null+limit+1").text
    assert "<time" not in rows and ISO.search(rows)


def test_the_database_page_still_runs_sql_and_lists_hidden_tables(served_plant):
    """/mirror is the plugin's page; with ?sql= or ?_show_hidden=1 it is Datasette's own, as before."""
    answer = served_plant.client.get("/mirror?sql=select+count(*)+as+n+from+work_orders_detail")
    assert answer.status == 200 and "Custom SQL query returning 1 row" in answer.text
    assert served_plant.client.get("/mirror?sql=delete+from+teams").status == 400  # still read-only
    hidden = served_plant.client.get("/mirror?_show_hidden=1").text
    assert 'href="/mirror/sync_runs"' in hidden and 'href="/mirror/work_orders"' in hidden
    assert served_plant.client.get("/mirror.json").json["database"] == DATABASE


def test_flags_read_as_words(bookkeeping, served_plant):
    health = bookkeeping.client.get("/mirror/sync_health").text
    assert '<td class="col-upkeep_online"><span class="badge badge-bad">no: offline</span></td>' in health
    assert '<span class="badge badge-bad">offline</span>' in health and "failing" in health
    plans = served_plant.client.get("/mirror/maintenance_plans_detail").text
    assert '<span class="muted">paused</span>' in plans


NAMED_COLUMNS = ("title", "name", "work_order_no", "asset_name", "location_name", "assigned_to_name",
                 "completed_by_name", "vendor_name", "record_name", "parent_name", "meter_name", "sku")
EXAMPLES = {"my_open_work_orders": "user=Ana+O%27Brien", "open_work_orders_for_asset": "asset=Boiler+2",
            "asset_history": "asset=Boiler+2", "search": "q=boiler", "completed_recently": "days=3650",
            "cost_per_asset": "days=3650", "mttr_per_asset": "days=3650"}


VIEWS = ("work_orders_detail", "assets_detail", "spare_parts_detail", "maintenance_plans_detail", "requests_detail",
         "meters_detail", "purchase_orders_detail", "locations_detail", "users_detail", "meter_readings_detail",
         "vendors_detail", "teams_detail")


@pytest.mark.parametrize("page", [*sorted(load()), *VIEWS])
def test_every_name_in_every_list_links_to_its_page(bookkeeping, served_plant, page):
    served = bookkeeping if page.startswith("local_writes") else served_plant
    html = served.client.get(f"/mirror/{page}?{EXAMPLES.get(page, '')}").text
    cells = re.findall(r'<td class="col-(' + "|".join(NAMED_COLUMNS) + r')[^"]*">(.*?)</td>', html, flags=re.S)
    for column, cell in cells:
        if cell.strip() not in ("", "&nbsp;", "(no location)"):  # nothing to link to
            assert cell.lstrip().startswith("<a href=\"/mirror/"), f"{page}.{column}: {cell[:80]}"
