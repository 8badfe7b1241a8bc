"""Fixtures for the Machina tests: one emulated plant synced into a mirror, and per-test copies."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from sync.emulator import Emulator
from tests.support.machina_plant import copy_mirror, sync_into


@pytest.fixture(scope="session")
def synced_plant(tmp_path_factory) -> Iterator[tuple[Emulator, Path]]:
    """A read-only emulated account and a mirror synced from it. Never write to either."""
    with Emulator(seed=21, work_orders=150) as emu:
        yield emu, sync_into(tmp_path_factory.mktemp("plant") / "plant.db", emu)


@pytest.fixture
def db(synced_plant, tmp_path) -> Path:
    """A private copy of the plant's mirror, for tests that write to it."""
    return copy_mirror(synced_plant[1], tmp_path / "mirror.db")


@pytest.fixture
def own_plant(tmp_path) -> Iterator[tuple[Emulator, Path]]:
    """A fresh small account of one's own and its mirror, for tests that send writes to UpKeep."""
    with Emulator(seed=22, work_orders=30) as emu:
        yield emu, sync_into(tmp_path / "own.db", emu)
