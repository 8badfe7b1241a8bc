"""Fixtures for the outbox tests: mirrors loaded with recorded payloads, or with an emulator's account."""

from __future__ import annotations

import pytest

from mirror.db import open_mirror
from mirror.schema import MIRRORED
from mirror.store import upsert_rows
from sync.mapping import transform
from tests.support.recorded import recorded


@pytest.fixture
def loaded(tmp_path):
    """A mirror holding every recorded object (work orders, assets, users, parts, meters, ...)."""
    with open_mirror(tmp_path / "mirror.db") as m:
        with m.write() as s:
            for entity in MIRRORED:
                upsert_rows(s, entity, [transform(entity, o) for o in recorded(entity)])
        yield m


# --- on the emulator (``emu`` and ``client``: tests/conftest.py), over real HTTP ------------------


def load_dump(mirror, emu) -> None:
    """Copy the emulator's account into the mirror as a pull would (until the pull is used here)."""
    with mirror.write() as s:
        for entity in MIRRORED:
            upsert_rows(s, entity, [transform(entity, o) for o in emu.dump(entity)])


@pytest.fixture
def synced(tmp_path, emu):
    """A mirror holding the emulator's account."""
    with open_mirror(tmp_path / "mirror.db") as m:
        load_dump(m, emu)
        yield m
