"""Pull sync against the emulator over real HTTP: equality, idempotence, convergence under faults."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from mirror.entities import PULLED as SOURCES
from mirror.schema import table_of
from sync.pull import PullOptions, sync_entities
from tests.support.pull import assert_converged
from tests.support.retries import FAST_PATIENT
from tests.support.upkeep import upkeep_client


def test_first_sync_equals_upkeep_for_every_entity(mirror, emu, client):
    results = sync_entities(mirror, client)
    assert [r.entity for r in results] == list(SOURCES)
    assert all(r.finished and not r.error for r in results)
    assert_converged(mirror, emu)
    with mirror.session() as s:
        runs = s.execute(text("SELECT entity, fetched, upserted, finished_at FROM sync_runs")).all()
    assert {r.entity for r in runs} == set(SOURCES) and all(r.finished_at for r in runs)
    assert sum(r.upserted for r in runs) == sum(len(emu.dump(e)) for e in SOURCES)


def _fingerprint(mirror) -> dict:
    with mirror.session() as s:
        return {
            e: s.execute(text(f"SELECT group_concat(id || synced_at || raw, '|') FROM "
                              f"(SELECT * FROM {table_of(e).name} ORDER BY id)")).scalar()
            for e in SOURCES
        }


def test_second_sync_without_changes_makes_minimum_requests_and_changes_nothing(mirror, emu, client):
    sync_entities(mirror, client)
    before = _fingerprint(mirror)
    emu.stats.reset()
    results = sync_entities(mirror, client)
    assert sum(r.upserted for r in results) == 0
    assert _fingerprint(mirror) == before
    routes = emu.stats.snapshot()["routes"]
    # One list request per entity (nothing changed, so each first page is short); none for meter
    # readings (no meter changed, and readings are listed per meter); no login (the session is reused).
    assert sum(routes.values()) == len(SOURCES) - 1
    assert not any(r.startswith("POST /api/v2/auth") or "readings" in r for r in routes)


def test_a_new_meter_reading_is_pulled_through_its_changed_meter(mirror, emu, client):
    sync_entities(mirror, client)
    meter = emu.dump("meters")[0]["id"]
    client.post(f"/api/v2/meters/{meter}/readings", {"value": 4242.5})  # as a technician's app would
    emu.stats.reset()
    sync_entities(mirror, client)
    routes = emu.stats.snapshot()["routes"]
    assert [r for r in routes if "readings" in r] == ["GET /api/v2/meters/{id}/readings"]
    assert routes["GET /api/v2/meters/{id}/readings"] == 1
    assert_converged(mirror, emu, ["meters", "meter_readings"])


def test_incremental_sync_picks_up_changes_and_full_sync_applies_deletions(mirror, emu, client):
    sync_entities(mirror, client)
    changes = emu.mutate(40)
    deleted = emu.mutate(op="delete", entity="work_orders", id=emu.dump("work_orders")[0]["id"])
    created = emu.mutate(op="create", entity="work_orders", fields={"title": "Replace pump seal P-101"})
    assert changes and deleted and created
    sync_entities(mirror, client)
    assert_converged(mirror, emu, [e for e in SOURCES if e != "work_orders"])
    with mirror.session() as s:
        assert s.execute(text("SELECT title FROM work_orders WHERE id = :i"), {"i": created[0]["id"]}).scalar() \
            == "Replace pump seal P-101"
    results = sync_entities(mirror, client, ["work_orders"], PullOptions(full=True))
    assert results[0].tombstoned >= 1
    assert_converged(mirror, emu)
    with mirror.session() as s:  # tombstoned, not erased: kept for history
        assert s.execute(text("SELECT deleted_at IS NOT NULL FROM work_orders WHERE id = :i"),
                         {"i": deleted[0]["id"]}).scalar() == 1


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_converges_after_live_changes_and_20_percent_faults(tmp_path, seed):
    """Changes land between pages while a fifth of all requests fail; one more sync converges."""
    from mirror.db import open_mirror
    from sync.emulator import Emulator

    with Emulator(seed=seed, work_orders=700) as emu, open_mirror(tmp_path / "m.db") as mirror, \
            upkeep_client(emu, FAST_PATIENT) as client:
        emu.set_faults(seed=seed, drop_rate=0.05, rate_limit_rate=0.05, retry_after_s=0,
                       unavailable_rate=0.05, server_error_rate=0.05)
        mutate = PullOptions(page_size=50, on_page=lambda _r: emu.mutate(3))
        for _ in range(3):
            sync_entities(mirror, client, options=mutate)
        sync_entities(mirror, client, options=PullOptions(full=True, on_page=lambda _r: emu.mutate(2)))
        assert emu.stats.snapshot()["faults"], "no fault was injected"
        # The changes stop; one more sync makes the mirror equal to UpKeep, deletions included.
        sync_entities(mirror, client, options=PullOptions(page_size=50, full=True))
        assert_converged(mirror, emu)
        # And then an incremental sync changes nothing (idempotent).
        assert sum(r.upserted for r in sync_entities(mirror, client)) == 0


def test_malformed_object_is_recorded_and_skipped(mirror, emu, client):
    victim = emu.dump("work_orders")[3]["id"]
    emu.mutate(op="update", entity="work_orders", id=victim, fields={"priority": "urgent"})
    results = {r.entity: r for r in sync_entities(mirror, client)}
    assert results["work_orders"].rejected == 1 and not results["work_orders"].error
    assert results["work_orders"].upserted == len(emu.dump("work_orders")) - 1
    with mirror.session() as s:
        entity, upkeep_id, field, reason = s.execute(
            text("SELECT entity, upkeep_id, field, reason FROM rejects")).one()
    assert (entity, upkeep_id, field) == ("work_orders", victim, "priority") and "urgent" in reason


def test_auth_failure_stops_the_run_with_a_clear_error(mirror, emu):
    from sync.upkeep import Credentials, UpKeepClient

    bad = UpKeepClient(Credentials(email="demo@upkeep.local", password="wrong", base_url=emu.base_url))
    results = sync_entities(mirror, bad)
    assert len(results) == 1 and results[0].stops_run and "401" in results[0].error
