"""Big listings mapped in a worker process (sync.pull._map_pool): the same mirror as mapping in the fetch
threads, rejects recorded and logged, and no process started for small or incremental pulls."""

from __future__ import annotations

import logging
import sqlite3

import pytest

from mirror.db import open_mirror
from sync.emulator import Emulator
from sync.pull import PullOptions, sync_entities
from sync.pull._map_pool import MapPool
from tests.support.pull import assert_converged
from tests.support.retries import FAST_PATIENT
from tests.support.upkeep import upkeep_client

ENTITIES = ["parts", "work_orders"]


@pytest.fixture
def submitted(monkeypatch) -> list[str]:
    """The entity of every page handed to a worker process."""
    pages: list[str] = []
    real = MapPool.submit

    def submit(self, entity, page):
        pages.append(entity)
        return real(self, entity, page)

    monkeypatch.setattr(MapPool, "submit", submit)
    return pages


def _rows(path, table: str) -> list[tuple]:
    """Every row of ``table`` but ``synced_at`` (the moment each copy was mapped), by id."""
    conn = sqlite3.connect(path)
    try:
        columns = [r[1] for r in conn.execute(f"PRAGMA table_info({table})") if r[1] != "synced_at"]
        return conn.execute(f"SELECT {', '.join(columns)} FROM {table} ORDER BY id").fetchall()
    finally:
        conn.close()


def _rejects(path) -> list[tuple]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT entity, object_key, field, reason, raw, count FROM rejects ORDER BY 1, 2").fetchall()
    finally:
        conn.close()


def test_a_big_first_listing_is_mapped_in_a_worker_into_the_same_rows(tmp_path, submitted, caplog):
    with Emulator(seed=8, work_orders=1500) as emu, upkeep_client(emu, FAST_PATIENT) as client:
        broken = emu.dump("work_orders")[700]["id"]  # deep inside the listing: a page the worker maps
        emu.mutate(op="update", entity="work_orders", id=broken, fields={"priority": "urgent"})
        copies = {}
        for workers in (1, 0):
            path = tmp_path / f"workers-{workers}.db"
            with open_mirror(path) as mirror, caplog.at_level(logging.WARNING, logger="sync.pull._run"):
                caplog.clear()
                results = sync_entities(mirror, client, ENTITIES,
                                        PullOptions(page_size=50, windows=4, map_workers=workers))
                assert all(r.finished for r in results), [r.error for r in results]
                assert_converged(mirror, emu, ["parts"])
                assert [r.rejected for r in results] == [0, 1]
            assert any(broken in m and "priority" in m for m in caplog.messages), caplog.messages
            copies[workers] = path
            if workers == 1:
                pooled = len(submitted)
                assert pooled > 1500 // 50 // 2 and set(submitted) == {"work_orders"}  # most pages went
        assert len(submitted) == pooled  # without workers, none did
    assert _rows(copies[1], "work_orders") == _rows(copies[0], "work_orders")
    assert len(_rows(copies[1], "work_orders")) == 1499
    assert _rejects(copies[1]) == _rejects(copies[0]) != []


def test_small_and_incremental_pulls_start_no_worker(tmp_path, submitted):
    with Emulator(seed=8, work_orders=300) as emu, upkeep_client(emu, FAST_PATIENT) as client, \
            open_mirror(tmp_path / "m.db") as mirror:
        first = sync_entities(mirror, client, ENTITIES, PullOptions(page_size=100, windows=4))  # too small to cut
        changed = [o["id"] for o in emu.dump("work_orders")[:120]]
        for wo in changed:
            emu.mutate(op="update", entity="work_orders", id=wo, fields={"title": f"changed {wo}"})
        again = sync_entities(mirror, client, ENTITIES, PullOptions(page_size=10, windows=4))  # incremental: not cut
        assert all(r.finished for r in first + again)
        assert again[1].upserted == len(changed) and again[1].requests > 10  # twelve pages and more, in-thread
        assert_converged(mirror, emu, ENTITIES)
    assert submitted == []
