"""A real headless Chromium opens the live Datasette: home page, a table page, a canned query, a chart.

The server is `upkeep-mirror serve` itself, in a subprocess on a free 127.0.0.1 port. Screenshots are
kept under artifacts/browser/ for a person to look at.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "browser"
CHROMIUM = ""  # set from the chromium_path fixture (tests/conftest.py), which skips or fails without one

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module", autouse=True)
def _chromium(chromium_path: str) -> None:
    global CHROMIUM
    CHROMIUM = chromium_path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def live(plant) -> Iterator[str]:
    port = _free_port()
    command = [sys.executable, "-m", "sync.cli", "serve", "--db", str(plant.path),
               "--port", str(port)]
    server = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/-/versions.json", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"serve did not start: {server.stdout.read().decode() if server.stdout else ''}")
            time.sleep(0.2)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=10)


def chromium(tmp_path: Path, *args: str, budget_ms: int = 0) -> str:
    profile = tmp_path / "chromium-profile"
    command = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
               "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
               "--hide-scrollbars", f"--user-data-dir={profile}", *args]
    if budget_ms:
        command.insert(1, f"--virtual-time-budget={budget_ms}")
    done = subprocess.run(command, check=False, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def page(tmp_path: Path, url: str, shot: str, budget_ms: int = 0) -> str:
    """The page's DOM after load, with a screenshot saved as artifacts/browser/<shot>.png."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    target = ARTIFACTS / f"{shot}.png"
    target.unlink(missing_ok=True)
    chromium(tmp_path, f"--screenshot={target}", "--window-size=1280,900", url, budget_ms=budget_ms)
    assert target.exists() and target.stat().st_size > 10_000, f"no screenshot of {url}"
    return chromium(tmp_path, "--dump-dom", url, budget_ms=budget_ms)


def test_home_page(live, tmp_path):
    dom = page(tmp_path, f"{live}/", "home")
    assert "Plant maintenance mirror" in dom and 'href="/mirror"' in dom


def test_table_page_with_search_and_facets(live, tmp_path):
    dom = page(tmp_path, f"{live}/mirror/work_orders_detail?_search=electrode", "work-orders-search")
    assert "Work orders" in dom and "Burner flame unstable" in dom and "Boiler 2" in dom
    assert "Boiler low water alarm" not in dom  # the search filtered it out
    assert 'class="facet-info' in dom and "assigned_to_name" in dom


def test_canned_query_page(live, tmp_path):
    dom = page(tmp_path, f"{live}/mirror/my_open_work_orders?user=Ana+O%27Brien", "my-open-work-orders")
    assert "My open work orders" in dom
    for title in ("Boiler low water alarm", "Burner flame unstable", "Old pump overhaul"):
        assert title in dom
    assert "Archived open job" not in dom and "Deleted job" not in dom
    assert dom.index("Boiler low water alarm") < dom.index("Burner flame unstable")  # emergency first


def test_chart_renders(live, tmp_path):
    dom = page(tmp_path, f"{live}/-/dashboards/maintenance-trends?weeks=8", "maintenance-trends", budget_ms=8000)
    assert "Open work orders at the end of each week" in dom and "Work orders completed per week" in dom
    assert dom.count('aria-roledescription="visualization"') == 2 and dom.count('class="marks"') >= 2  # both drawn
