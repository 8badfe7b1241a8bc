"""In real headless Chromium: a work order's checklist and its photo, served from the mirror by
``upkeep-mirror serve`` (desktop and phone widths, screenshots kept like the other browser tests)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mirror.db import open_mirror
from mirror.writes import attach_file
from sync.emulator import Emulator
from sync.pull import sync_entities
from sync.pull.fieldwork import FieldworkOptions, pull_fieldwork
from tests.support.browser import Browser
from tests.support.pages import visible_text
from tests.support.retries import FAST_PATIENT
from tests.support.serving import serving
from tests.support.upkeep import upkeep_client

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("browser")]  # skips or fails first without Chromium


@pytest.fixture(scope="module")
def served(tmp_path_factory):

    path = tmp_path_factory.mktemp("browser-fieldwork") / "mirror.db"
    with (Emulator(seed=3, work_orders=120) as emu, open_mirror(path) as mirror,
          upkeep_client(emu, FAST_PATIENT) as client):
        wo = next(w for w in emu.dump("work_orders") if w["status"] == "open")
        photo_id = next(f["id"] for f in emu.dump("files") if f["mimeType"] == "image/png")
        client.patch(f"/api/v2/work-orders/{wo['id']}", {"files": [photo_id], "formItems": [
            {"name": "Isolate the pump", "type": "TASK", "value": "COMPLETE"},
            {"name": "Seal leak check", "type": "CHECKLIST", "value": "FLAG"}]})
        sync_entities(mirror, client)
        pull_fieldwork(mirror, client, FieldworkOptions(content_budget_bytes=40 * 1024 * 1024))
        local = path.parent / "broken seal.png"
        local.write_bytes(emu.file_bytes(photo_id))
        attach_file(mirror, wo["id"], local)
    with serving(path) as base:
        yield base, wo["id"]


def test_work_order_page_shows_checklist_and_photos(served, tmp_path: Path, browser: Browser):
    base, wo_id = served
    url = f"{base}/mirror/work_orders/{wo_id}"
    for kind, dom in browser.render(tmp_path, url, "work-order-fieldwork").items():
        text = visible_text(dom)
        assert "COMPLETE Isolate the pump" in text and "FLAG Seal leak check" in text, kind
        assert re.search(r'data-images="2"', dom), kind  # UpKeep's photo and the one attached here
        assert 'data-images-broken="0"' in dom, f"a photo did not load at {kind} width"
        assert "not yet in UpKeep" in text
