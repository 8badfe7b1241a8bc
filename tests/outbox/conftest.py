"""Fixtures for the outbox tests: mirrors loaded with recorded payloads, or with an emulator's account."""

from __future__ import annotations

import pytest

from mirror.db import open_mirror
from mirror.models import MIRRORED
from mirror.store import upsert_rows
from sync.emulator import Emulator
from sync.mapping import transform
from sync.upkeep import Credentials, RetryPolicy, UpKeepClient
from tests.conftest import recorded


@pytest.fixture
def loaded(tmp_path):
    """A mirror holding every recorded object (work orders, assets, users, parts, meters, ...)."""
    with open_mirror(tmp_path / "mirror.db") as m:
        with m.write() as s:
            for entity in MIRRORED:
                upsert_rows(s, entity, [transform(entity, o) for o in recorded(entity)])
        yield m


# --- on the emulator, over real HTTP --------------------------------------------------------------


#: Retries that keep the tests fast (no real backoff waits) while exercising the same code.
FAST = RetryPolicy(attempts=5, initial=0.001, maximum=0.01, jitter=0.0, max_delay=5.0)


def load_dump(mirror, emu) -> None:
    """Copy the emulator's account into the mirror as a pull would (until the pull is used here)."""
    with mirror.write() as s:
        for entity in MIRRORED:
            upsert_rows(s, entity, [transform(entity, o) for o in emu.dump(entity)])


def make_client(emu, **kw) -> UpKeepClient:
    email, password = emu.credentials
    creds = Credentials(email=email, password=password, base_url=emu.base_url)
    return UpKeepClient(creds, policy=kw.pop("policy", FAST), **kw)


@pytest.fixture
def emu():
    with Emulator(seed=5, work_orders=40) as emulator:
        yield emulator


@pytest.fixture
def synced(tmp_path, emu):
    """A mirror holding the emulator's account."""
    with open_mirror(tmp_path / "mirror.db") as m:
        load_dump(m, emu)
        yield m


@pytest.fixture
def client(emu):
    with make_client(emu) as c:
        yield c
