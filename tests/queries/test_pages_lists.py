"""The technicians' lists read like the start page: headings in words, the count in words, the SQL folded
away (one click for planners), each fact once. The SQL column names stay as they are in JSON and CSV.

Served in-process; the same lists in a real browser, at desktop and phone widths, are in test_browser.py.
"""

from __future__ import annotations

import re

import pytest

from queries.datasette import load_metadata
from queries.named import load
from queries.web import shown_columns
from tests.support.pages import visible_text

SETTINGS = load_metadata()["plugins"]["upkeep-mirror"]
#: The lists a technician opens from the start page, and the table pages behind "Browse".
DAILY = next(g["queries"] for g in SETTINGS["query_groups"] if g["title"] == "Daily work")
VIEWS = [name for name in load_metadata()["databases"]["mirror"]["tables"] if name.endswith("_detail")]
PARAMS = {"my_open_work_orders": "user=ana%40plant.example", "open_work_orders_for_asset": "asset=Boiler+2",
          "asset_history": "asset=Boiler+2", "search": "q=boiler", "pm_due": "days=7",
          "completed_recently": "days=30"}


def headings(page: str) -> list[str]:
    """The list's column headings as a person reads them."""
    return [visible_text(th) for th in re.findall(r"<th\b[^>]*>(.*?)</th>", page, flags=re.S)]


def rows(page: str) -> list[str]:
    """Each row of the list, as visible text."""
    body = page.split("<tbody>", 1)[1]
    return [visible_text(tr) for tr in re.findall(r"<tr>(.*?)</tr>", body, flags=re.S)]


def sql_details(page: str) -> str:
    match = re.search(r'<details class="sql-details"[^>]*>.*?</details>', page, flags=re.S)
    assert match, "no folded SQL"
    return match.group(0)


@pytest.mark.parametrize("name", DAILY)
def test_daily_lists_have_headings_in_words(served_plant, name):
    page = served_plant.client.get(f"/mirror/{name}?{PARAMS.get(name, '')}").text
    columns = served_plant.client.get(f"/mirror/{name}.json?{PARAMS.get(name, '')}").json["columns"]
    assert headings(page), name
    assert headings(page) == [SETTINGS["column_headings"][c] for c in shown_columns(columns)], name
    assert not [h for h in headings(page) if "_" in h], name


def test_overdue_list_reads_like_the_start_page(served_plant):
    page = served_plant.client.get("/mirror/overdue_work_orders").text
    count = len(served_plant.canned("overdue_work_orders"))
    assert headings(page) == ["No.", "Title", "Status", "Priority", "Due date", "Asset", "Location", "Assigned to",
                              "Sync state"]
    assert "Custom SQL query returning" not in page and "<h3>Custom SQL" not in page
    assert f'<p class="row-count">{count} overdue work orders</p>' in page
    assert "<h1" in page and "Overdue work orders</h1>" in page


def test_the_sql_is_one_click_away_in_a_closed_details(served_plant):
    page = served_plant.client.get("/mirror/overdue_work_orders").text
    folded = sql_details(page)
    assert folded.startswith('<details class="sql-details">')  # closed: no "open"
    assert "<summary>Show the SQL</summary>" in folded
    assert '<pre id="sql-query">SELECT w.id, w.work_order_no' in folded
    assert 'value="Run SQL"' in folded and 'class="canned-query-edit-sql"' in folded
    outside = page.replace(folded, "")
    assert "Run SQL" not in outside and "Edit SQL" not in outside and "SELECT w.id" not in outside
    shown = served_plant.client.get("/mirror/overdue_work_orders?_show_sql=1").text
    assert sql_details(shown).startswith('<details class="sql-details" open>')


def test_parameters_stay_in_view_and_say_what_to_type(served_plant):
    page = served_plant.client.get("/mirror/my_open_work_orders?user=ana%40plant.example").text
    folded = sql_details(page)
    params = page.split('<div class="query-params">', 1)[1].split("</div>", 1)[0]
    assert '<label for="qp1">Your name, email or UpKeep user id (any case).</label>' in params
    assert 'name="user" value="ana@plant.example"' in params and 'value="Show"' in params
    assert "qp1" not in folded
    assert visible_text(page).count("Your name, email or UpKeep user id") == 1  # said once, by the box
    assert '<p class="row-count">3 open work orders</p>' in page
    nobody = served_plant.client.get("/mirror/my_open_work_orders?user=nobody").text
    assert '<p class="row-count">No open work orders</p>' in nobody


def test_each_fact_once_on_the_overdue_list(served_plant):
    page = served_plant.client.get("/mirror/overdue_work_orders").text
    listed = rows(page)
    assert len(listed) == len(served_plant.canned("overdue_work_orders")) >= 3
    for row in listed:
        assert row.count("overdue") == 1, row  # "20 days overdue" beside the due date, not again as a column
    assert "20 days overdue" in " ".join(listed)
    for column in ("days_overdue", "asset_id", "location_id", "assigned_to", "id"):
        assert f'class="col-{column}"' not in page, column
    json_columns = served_plant.client.get("/mirror/overdue_work_orders.json").json["columns"]
    assert "days_overdue" in json_columns and "asset_id" in json_columns  # JSON and CSV keep every column


def test_each_fact_once_on_my_open_work_orders(served_plant):
    page = served_plant.client.get("/mirror/my_open_work_orders?user=ana%40plant.example").text
    late = [row for row in rows(page) if "overdue" in row]
    assert late, "Ana has a late work order"
    assert all(row.count("overdue") == 1 for row in late), late
    assert 'class="col-overdue"' not in page


@pytest.mark.parametrize("view", ["work_orders_detail", "assets_detail", "spare_parts_detail",
                                  "maintenance_plans_detail"])
def test_table_pages_have_headings_in_words(served_plant, view):
    page = served_plant.client.get(f"/mirror/{view}").text
    assert headings(page) and not [h for h in headings(page) if "_" in h], headings(page)
    count = served_plant.client.get(f"/mirror/{view}.json?_size=0").json["filtered_table_rows_count"]
    one, many = SETTINGS["row_words"][view]
    assert re.search(rf'<p class="row-count">{count} {one if count == 1 else many}\b', page), view
    assert " rows" not in visible_text(page).split("This data as")[0] and "(view)" not in page
    facets = re.findall(r'<p class="facet-info-name">\s*<strong>([^<]*?)\s*<span', page)
    assert facets and not [f for f in facets if "_" in f], facets
    # the filter still sends column names; a person picks the heading
    assert re.search(r'<option value="[a-z_]+">[A-Z][^<_]*</option>', page)


def test_work_orders_table_shows_each_fact_once(served_plant):
    page = served_plant.client.get("/mirror/work_orders_detail").text
    assert headings(page).count("Status") == 1 and headings(page).count("Priority") == 1
    assert "UpKeep priority" not in headings(page) and "Asset id" not in headings(page)
    assert re.search(r"<p class=\"row-count\">\d+ work orders\s+sorted by created descending", page)


def test_every_daily_list_and_view_column_has_a_heading_and_every_list_its_words(served_plant):
    named = {name: served_plant.client.get(f"/mirror/{name}.json?{PARAMS.get(name, '')}").json["columns"]
             for name in DAILY}
    views = {name: served_plant.client.get(f"/mirror/{name}.json?_size=0").json["columns"] for name in VIEWS}
    missing = {f"{name}.{c}" for name, columns in {**named, **views}.items() for c in columns
               if c not in SETTINGS["column_headings"]}
    assert not missing, f"no heading in metadata.json for {sorted(missing)}"
    assert set(load()) | set(VIEWS) <= set(SETTINGS["row_words"])


def test_own_sql_stays_as_datasette_shows_it(served_plant):
    """Planners' ad-hoc SQL: the editor in view, the columns as the SQL names them; still read-only."""
    page = served_plant.client.get("/mirror?sql=select+work_order_no%2C+asset_id+from+work_orders_detail").text
    assert "Custom SQL query returning" in page and 'id="sql-editor"' in page
    assert headings(page) == ["work_order_no", "asset_id"]
    refused = served_plant.client.get("/mirror?sql=delete+from+work_orders")
    assert refused.status == 400 and "Statement must be a SELECT" in refused.text


def test_backlog_overdue_count_reads_as_a_number(served_plant):
    page = served_plant.client.get("/mirror/backlog_by_priority_location").text
    cells = [visible_text(c) for c in re.findall(r'<td class="col-overdue">(.*?)</td>', page, flags=re.S)]
    assert cells and all(c.isdigit() for c in cells), cells
