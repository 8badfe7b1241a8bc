"""Fixtures for the emulator's own tests: a shared read-only account and fresh writable ones."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from emulator_helpers import client_for

from sync.emulator import Emulator


@pytest.fixture(scope="session")
def shared_emu() -> Iterator[Emulator]:
    """One account for tests that only read: never write to it, fault it or take it offline."""
    with Emulator(seed=7, work_orders=400) as emu:
        yield emu


@pytest.fixture(scope="session")
def api(shared_emu: Emulator) -> Iterator[httpx.Client]:
    with client_for(shared_emu) as client:
        yield client


@pytest.fixture
def emu() -> Iterator[Emulator]:
    """A fresh small account of one's own, for tests that write, fault, go offline or count requests."""
    with Emulator(seed=11, work_orders=120) as emulator:
        yield emulator


@pytest.fixture
def client(emu: Emulator) -> Iterator[httpx.Client]:
    with client_for(emu) as c:
        yield c
