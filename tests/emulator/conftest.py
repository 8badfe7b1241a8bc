"""Fixtures for the emulator's own tests: a shared read-only account and fresh writable ones, spoken
to over raw HTTP (``api`` and ``own_api``: ``httpx`` clients, not the engine's UpKeep client)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from sync.emulator import Emulator
from tests.support.emulator import api_client


@pytest.fixture(scope="session")
def shared_emu() -> Iterator[Emulator]:
    """One account for tests that only read: never write to it, fault it or take it offline."""
    with Emulator(seed=7, work_orders=400) as emu:
        yield emu


@pytest.fixture(scope="session")
def api(shared_emu: Emulator) -> Iterator[httpx.Client]:
    with api_client(shared_emu) as client:
        yield client


@pytest.fixture
def emu_account() -> dict[str, int]:
    """``emu`` (tests/conftest.py) here: a fresh small account of one's own, for tests that write,
    fault, go offline or count requests."""
    return {"seed": 11, "work_orders": 120}


@pytest.fixture
def own_api(emu: Emulator) -> Iterator[httpx.Client]:
    """Raw HTTP, logged in to ``emu``."""
    with api_client(emu) as c:
        yield c
