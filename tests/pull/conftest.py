"""Fixtures for pull tests: an emulated UpKeep on 127.0.0.1 and a client with fast retries."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import text

from mirror.db import Mirror
from mirror.models import table_of
from sync.emulator import Emulator
from sync.upkeep import Credentials, RetryPolicy, UpKeepClient
from sync.upkeep.endpoints import SOURCES

#: Retries as the production policy, but in milliseconds, so fault tests stay fast.
FAST_RETRIES = RetryPolicy(attempts=12, max_delay=30.0, initial=0.005, maximum=0.05, jitter=0.005)


def client_for(emu, policy: RetryPolicy = FAST_RETRIES) -> UpKeepClient:
    email, password = emu.credentials
    return UpKeepClient(Credentials(email=email, password=password, base_url=emu.base_url), policy=policy)


@pytest.fixture
def emu() -> Iterator[Emulator]:
    with Emulator(seed=5, work_orders=600) as emulator:
        yield emulator


@pytest.fixture
def client(emu) -> Iterator[UpKeepClient]:
    with client_for(emu) as c:
        yield c


def upstream_id(entity: str, obj: dict) -> str:
    return obj["trigger"]["id"] if entity == "preventive_maintenance" else obj["id"]


def assert_converged(mirror: Mirror, emu, entities=None) -> None:
    """Every mirrored table equals UpKeep: same live ids, same objects (hence same mapped values)."""
    for entity in entities or SOURCES:
        upstream = {upstream_id(entity, o): o for o in emu.dump(entity)}
        table = table_of(entity).name
        with mirror.session() as s:
            rows = dict(s.execute(text(f"SELECT id, raw FROM {table} WHERE deleted_at IS NULL")).all())
            total, distinct = s.execute(text(f"SELECT count(*), count(DISTINCT id) FROM {table}")).one()
        assert total == distinct
        missing, extra = upstream.keys() - rows.keys(), rows.keys() - upstream.keys()
        assert not missing and not extra, f"{entity}: {len(missing)} missing, {len(extra)} not deleted"
        import json

        stale = [i for i, obj in upstream.items() if json.loads(rows[i]) != obj]
        assert not stale, f"{entity}: {len(stale)} rows differ from UpKeep, e.g. {stale[:3]}"
