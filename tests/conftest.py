"""Shared fixtures: fresh mirror files, an emulated UpKeep account and a client on it, and headless
Chromium when there is one. The helpers behind them are in ``tests.support``."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator

import pytest

from mirror.db import open_mirror
from sync.emulator import Emulator
from sync.upkeep._client import UpKeepClient
from sync.upkeep._retry import RetryPolicy
from tests.support.browser import Browser
from tests.support.retries import FAST
from tests.support.upkeep import upkeep_client


@pytest.fixture
def mirror(tmp_path):
    with open_mirror(tmp_path / "mirror.db") as m:
        yield m


# --- an emulated UpKeep on 127.0.0.1 --------------------------------------------------------------


@pytest.fixture
def emu_account() -> dict[str, int]:
    """The seed and size of the account ``emu`` starts. A folder's conftest or a test module
    overrides this fixture to change them (the pull's tests need more work orders)."""
    return {"seed": 5, "work_orders": 40}


@pytest.fixture
def emu(emu_account: dict[str, int]) -> Iterator[Emulator]:
    """A fresh emulated account of the test's own: it may write, fault it or take it offline."""
    with Emulator(**emu_account) as emulator:
        yield emulator


@pytest.fixture
def client_retries() -> RetryPolicy:
    """The retry policy of ``client``; overridden like ``emu_account``."""
    return FAST


@pytest.fixture
def client(emu: Emulator, client_retries: RetryPolicy) -> Iterator[UpKeepClient]:
    """An UpKeep client logged in to ``emu``."""
    with upkeep_client(emu, client_retries) as c:
        yield c


# --- headless Chromium ----------------------------------------------------------------------------

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


@pytest.fixture(scope="session")
def browser(chromium_path: str) -> Browser:
    """Headless Chromium that renders pages at desktop and phone widths (skips or fails as ``chromium_path``)."""
    return Browser(chromium_path)
