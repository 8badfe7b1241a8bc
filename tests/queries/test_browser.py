"""A real headless Chromium opens the live Datasette at desktop (1400 px) and phone (390 px) widths.

The server is `upkeep-mirror serve` itself, in a subprocess on a free 127.0.0.1 port, on a mirror with
known data. Every page is rendered at both widths; its screenshots are kept under
``artifacts/screenshots/`` (or ``$UPKEEP_MIRROR_SCREENSHOTS``) for a person to look at, and CI keeps
them as artifacts. The assertions are what a person looks for: the day's counts present and linked,
no raw ISO timestamp in a list, the work order page naming its asset, the offline banner once the
network is cut, and nothing wider than a phone's screen (``data-overflow-px``, set by mirror.js).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from mirror.db import open_mirror
from tests.support.browser import Browser
from tests.support.pages import ISO, visible_text
from tests.support.queries_plant import BOILER, load_base, load_bookkeeping, load_scenario, now
from tests.support.serving import serving

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("browser")]  # skips or fails first without Chromium


@pytest.fixture(scope="module")
def mirror_file(tmp_path_factory) -> Path:
    """Base data, the scenario, local writes, and a pull 4 minutes ago with UpKeep online."""
    path = tmp_path_factory.mktemp("browser") / "mirror.db"
    clock = now()
    with open_mirror(path) as m:
        load_base(m)
        load_scenario(m, clock)
        load_bookkeeping(m, clock)
        with m.write() as s:
            s.execute(text("UPDATE connectivity SET online = 1, offline_since = NULL, last_error = NULL"))
            s.execute(text("UPDATE sync_cursors SET last_success_at = :t"), {"t": clock.ago(minutes=4)})
    return path


@pytest.fixture(scope="module")
def live(mirror_file) -> Iterator[str]:
    with serving(mirror_file) as base:
        yield base


def test_start_page(live, tmp_path, browser: Browser):
    for kind, dom in browser.render(tmp_path, f"{live}/", "start").items():
        counts = dict(re.findall(r'<a href="/mirror/([a-z_]+)(?:\?days=7)?"><span class="count">(\d+)</span>', dom))
        assert set(counts) == {"overdue_work_orders", "urgent_work_orders", "pm_due", "parts_to_reorder",
                               "local_writes"}, kind
        assert int(counts["overdue_work_orders"]) >= 3 and int(counts["parts_to_reorder"]) >= 2
        assert re.search(r"Data as of \d\d:\d\d , \d+ minutes ago", visible_text(dom)), kind
        assert "Daily work" in dom and "Planning and reports" in dom and "Sync and local writes" in dom


def test_database_page(live, tmp_path, browser: Browser):
    for dom in browser.render(tmp_path, f"{live}/mirror", "database").values():
        assert 'href="/mirror/overdue_work_orders"' in dom and 'href="/mirror/work_orders_detail"' in dom
        assert "select * from work_order_messages" not in dom


def headings(dom: str) -> list[str]:
    return [visible_text(th) for th in re.findall(r"<th\b[^>]*>(.*?)</th>", dom, flags=re.S)]


def list_rows(dom: str) -> list[str]:
    return [visible_text(tr) for tr in re.findall(r"<tr>(.*?)</tr>", dom.split("<tbody>", 1)[1], flags=re.S)]


def test_overdue_list(live, tmp_path, browser: Browser):
    for dom in browser.render(tmp_path, f"{live}/mirror/overdue_work_orders", "overdue").values():
        text = visible_text(dom)
        assert "20 days overdue" in text and not ISO.search(text)
        assert 'href="/mirror/work_orders/qa-wo-c1">Inspect flue gas duct</a>' in dom
        assert f'href="/mirror/assets/{BOILER}">Boiler 2</a>' in dom
        # reads like the start page: headings and the count in words, the SQL folded, each fact once
        assert headings(dom)[:5] == ["No.", "Title", "Status", "Priority", "Due date"]
        assert re.search(r'<p class="row-count">\d+ overdue work orders</p>', dom)
        assert "Custom SQL query returning" not in dom
        assert re.search(r'<details class="sql-details">\s*<summary>Show the SQL</summary>', dom)  # closed
        assert all(row.count("overdue") == 1 for row in list_rows(dom))


def test_my_open_work_orders(live, tmp_path, browser: Browser):
    url = f"{live}/mirror/my_open_work_orders?user=ana%40plant.example"
    for dom in browser.render(tmp_path, url, "my-open-work-orders").values():
        assert "Your name, email or UpKeep user id (any case).</label>" in dom
        assert '<p class="row-count">3 open work orders</p>' in dom
        assert "Assigned to" in headings(dom) and not [h for h in headings(dom) if "_" in h]
        assert re.search(r'<details class="sql-details">\s*<summary>Show the SQL</summary>', dom)
        assert all(row.count("overdue") <= 1 for row in list_rows(dom))
        assert not ISO.search(visible_text(dom))


def test_work_orders_table(live, tmp_path, browser: Browser):
    for dom in browser.render(tmp_path, f"{live}/mirror/work_orders_detail", "work-orders-table").values():
        found = headings(dom)
        assert found[:5] == ["No.", "Title", "Status", "Priority", "Due date"], found
        assert not [h for h in found if "_" in h] and found.count("Status") == 1
        assert re.search(r'<p class="row-count">\d+ work orders', dom) and "(view)" not in dom
        assert not ISO.search(visible_text(dom))


def test_work_orders_view_with_search(live, tmp_path, browser: Browser):
    url = f"{live}/mirror/work_orders_detail?_search=electrode"
    for dom in browser.render(tmp_path, url, "work-orders-search").values():
        text = visible_text(dom)
        assert "Burner flame unstable" in text and "Boiler low water alarm" not in text
        assert not ISO.search(text)
        assert 'class="facet-info' in dom


def test_work_order_page(live, tmp_path, browser: Browser):
    for dom in browser.render(tmp_path, f"{live}/mirror/work_orders/qa-wo-a1", "work-order").values():
        assert "<h1>Burner flame unstable</h1>" in dom
        assert f'<a href="/mirror/assets/{BOILER}">Boiler 2</a>' in dom  # names its asset
        text = visible_text(dom)
        assert "high priority" in text and "due in 2 days" in text and "Changed here, not yet in UpKeep" in text
        assert not ISO.search(text)


def test_asset_page(live, tmp_path, browser: Browser):
    for dom in browser.render(tmp_path, f"{live}/mirror/assets/{BOILER}", "asset").values():
        assert "<h1>Boiler 2</h1>" in dom and "Open work orders (3)" in dom
        assert 'href="/mirror/work_orders/qa-wo-a2"' in dom and "every month" in dom


def test_search_and_daily_lists(live, tmp_path, browser: Browser):
    dom = browser.render(tmp_path, f"{live}/mirror/search?q=boiler", "search")["phone"]
    assert f'href="/mirror/assets/{BOILER}">Boiler 2</a>' in dom
    for name, shot in (("pm_due?days=7", "pm-due"), ("parts_to_reorder", "parts-to-reorder"),
                       ("local_writes", "local-writes")):
        for dom in browser.render(tmp_path, f"{live}/mirror/{name}", shot).values():
            assert not ISO.search(visible_text(dom)), name


def test_chart_renders(live, tmp_path, browser: Browser):
    dom = browser.chromium(tmp_path / "profile", "--dump-dom", f"{live}/-/dashboards/maintenance-trends?weeks=8",
                   budget_ms=8000)
    assert "Open work orders at the end of each week" in dom and "Work orders completed per week" in dom
    assert dom.count('aria-roledescription="visualization"') == 2 and dom.count('class="marks"') >= 2  # both drawn


def test_offline_banner_when_the_network_is_cut(live, mirror_file, tmp_path, browser: Browser):
    """The daemon records a cut as it does in production (mirror.connectivity); every page then says so."""
    from mirror.connectivity import mark_offline, mark_online

    with open_mirror(mirror_file) as m:
        mark_offline(m, "UpKeep did not answer: connection refused")
        try:
            for path, shot in (("/", "offline-start"), ("/mirror/work_orders/qa-wo-a1", "offline-work-order")):
                for dom in browser.render(tmp_path, f"{live}{path}", shot).values():
                    text = visible_text(dom)
                    assert re.search(r"OFFLINE since \d\d:\d\d", text), path
                    assert re.search(r"Data as of \d\d:\d\d , \d+ minutes ago", text), path
                    assert 'class="freshness freshness-offline"' in dom
        finally:
            mark_online(m)


def test_the_overflow_probe_sees_a_page_wider_than_a_phone(tmp_path, browser: Browser):
    """mirror.js, which the checks above rely on, does report a page that a phone would scroll sideways."""
    probe = tmp_path / "wide.html"
    script = (ROOT / "queries" / "static" / "mirror.js").resolve()
    probe.write_text(f'<html><body><div style="width:900px">wide</div><script src="file://{script}"></script>'
                     "</body></html>")
    dom = browser.chromium(tmp_path / "profile", "--window-size=390,844", "--dump-dom", probe.as_uri())
    assert int(re.search(r'data-overflow-px="(\d+)"', dom).group(1)) > 400
