"""Shared fixtures: recorded UpKeep payloads, fresh mirror files, and headless Chromium when there is one."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from mirror.db import open_mirror

FIXTURES = Path(__file__).parent / "fixtures" / "upkeep"


def recorded(resource: str) -> list[dict]:
    """The ``results`` of a recorded list response, shaped like the API reference's examples."""
    return json.loads((FIXTURES / f"{resource}.json").read_text())["results"]


def recorded_by_id(resource: str) -> dict[str, dict]:
    items = recorded(resource)
    return {(o.get("trigger") or o)["id"]: o for o in items}


@pytest.fixture
def mirror(tmp_path):
    with open_mirror(tmp_path / "mirror.db") as m:
        yield m


#: Set to 1 (as .ci/run does) to make the browser tests required: no Chromium is then a failure.
BROWSER_ENV = "UPKEEP_MIRROR_BROWSER"


def find_chromium() -> str | None:
    """Headless Chromium on PATH (Debian's package installs /usr/bin/chromium), or None."""
    return shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """The Chromium binary for browser tests: they skip, saying why, on a machine without one
    (the README's test command must pass on a bare machine), and fail when BROWSER_ENV=1."""
    path = find_chromium()
    if path is None:
        reason = "no headless Chromium on PATH (apt-get install chromium; .ci/run installs it)"
        if os.environ.get(BROWSER_ENV) == "1":
            pytest.fail(f"{reason}, but {BROWSER_ENV}=1 requires the browser tests", pytrace=False)
        pytest.skip(reason)
    return path
