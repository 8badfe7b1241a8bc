"""Rejects against the emulator: one row per malformed object however often it is listed; the row
names the run that last saw it and goes when UpKeep fixes or deletes the object."""

from __future__ import annotations

from sqlalchemy import text

from sync.pull import PullOptions, sync_entities

ENTITIES = ["work_orders", "preventive_maintenance"]


def _rejects(mirror) -> dict[tuple[str, str], dict]:
    with mirror.session() as s:
        rows = s.execute(text("SELECT * FROM rejects")).mappings().all()
    return {(r["entity"], r["object_key"]): dict(r) for r in rows}


def _last_run(mirror, entity: str) -> tuple[int, str]:
    with mirror.session() as s:
        return tuple(s.execute(text("SELECT id, run_id FROM sync_runs WHERE entity = :e ORDER BY id DESC LIMIT 1"),
                               {"e": entity}).one())


def _break_one_of_each(emu) -> tuple[str, str]:
    wo = emu.dump("work_orders")[5]["id"]
    pm = emu.dump("preventive_maintenance")[0]["trigger"]["id"]
    emu.mutate(op="update", entity="work_orders", id=wo, fields={"priority": "urgent"})
    emu.mutate(op="update", entity="preventive_maintenance", id=pm, fields={"trigger": {"rrinterval": "x"}})
    return wo, pm


def test_repeated_and_full_syncs_keep_one_row_per_object_with_count_and_run(mirror, emu, client):
    wo, pm = _break_one_of_each(emu)
    counts = []
    for options in (PullOptions(), PullOptions(), PullOptions(full=True), PullOptions()):
        results = {r.entity: r for r in sync_entities(mirror, client, ENTITIES, options)}
        assert results["preventive_maintenance"].rejected == 1 and not results["preventive_maintenance"].error
        rejects = _rejects(mirror)
        assert set(rejects) == {("work_orders", wo), ("preventive_maintenance", pm)}  # one row each, always
        counts.append((rejects[("work_orders", wo)]["count"], rejects[("preventive_maintenance", pm)]["count"]))
        for entity, key in rejects:
            row = rejects[(entity, key)]
            assert (row["sync_run_id"], row["run_id"]) == _last_run(mirror, entity)  # the run of the last sighting
            assert row["first_seen"] <= row["last_seen"]
    assert [pm_count for _, pm_count in counts] == [1, 2, 3, 4]  # PM triggers are listed by every sync
    wo_counts = [wo_count for wo_count, _ in counts]
    assert wo_counts[0] == 1 and wo_counts == sorted(wo_counts) and wo_counts[2] > wo_counts[1]  # --full lists it
    row = _rejects(mirror)[("preventive_maintenance", pm)]
    assert (row["upkeep_id"], row["field"]) == (pm, "trigger.rrinterval") and "'x'" in row["reason"]


def test_fixed_object_leaves_rejects_in_the_transaction_that_mirrors_it(mirror, emu, client):
    wo, pm = _break_one_of_each(emu)
    sync_entities(mirror, client, ENTITIES)
    assert len(_rejects(mirror)) == 2
    emu.mutate(op="update", entity="work_orders", id=wo, fields={"priority": 2})
    emu.mutate(op="update", entity="preventive_maintenance", id=pm, fields={"trigger": {"rrinterval": 3}})
    results = {r.entity: r for r in sync_entities(mirror, client, ENTITIES)}
    assert results["work_orders"].rejected == 0 and results["preventive_maintenance"].rejected == 0
    assert _rejects(mirror) == {}
    with mirror.session() as s:
        assert s.execute(text("SELECT upkeep_priority FROM work_orders WHERE id = :i"), {"i": wo}).scalar() == 2
        assert s.execute(text("SELECT rrinterval FROM maintenance_plans WHERE id = :i"), {"i": pm}).scalar() == 3


def test_reconciliation_forgets_rejects_of_objects_deleted_in_upkeep(mirror, emu, client):
    wo, pm = _break_one_of_each(emu)
    sync_entities(mirror, client, ENTITIES)
    emu.mutate(op="delete", entity="work_orders", id=wo)
    emu.mutate(op="delete", entity="preventive_maintenance", id=pm)
    sync_entities(mirror, client, ["work_orders"])  # incremental: it cannot know about the deletion
    assert ("work_orders", wo) in _rejects(mirror)
    assert ("preventive_maintenance", pm) in _rejects(mirror)
    sync_entities(mirror, client, ENTITIES, PullOptions(full=True))
    assert _rejects(mirror) == {}


def test_mistyped_values_are_quarantined_and_the_rest_of_the_page_lands(mirror, emu, client):
    """A number where the reference types a String is a reject naming the field and both types,
    not a row holding the number as text; every other object of the listing is mirrored."""
    wo = emu.dump("work_orders")[7]["id"]
    asset = emu.dump("assets")[3]["id"]
    emu.mutate(op="update", entity="work_orders", id=wo, fields={"title": 12345})
    emu.mutate(op="update", entity="assets", id=asset, fields={"name": 777})
    results = {r.entity: r for r in sync_entities(mirror, client, ["assets", "work_orders"])}
    for entity, victim in (("assets", asset), ("work_orders", wo)):
        assert results[entity].rejected == 1 and not results[entity].error
        assert results[entity].upserted == len(emu.dump(entity)) - 1
        with mirror.session() as s:
            mirrored = set(s.execute(text(f"SELECT id FROM {entity} WHERE deleted_at IS NULL")).scalars())
        assert mirrored == {o["id"] for o in emu.dump(entity)} - {victim}
    rejects = _rejects(mirror)
    assert {k: (r["upkeep_id"], r["field"], r["reason"], r["count"]) for k, r in rejects.items()} == {
        ("work_orders", wo): (wo, "title", "expected String, got Number 12345", 1),
        ("assets", asset): (asset, "name", "expected String, got Number 777", 1),
    }


def test_objects_without_id_are_one_reject_each_keyed_by_payload_until_gone(mirror, emu, client):
    """Two listings of the same id-less object are one reject (keyed by the payload's hash); when
    UpKeep no longer lists it, a reconciliation pass forgets it."""
    from mirror.rejects import payload_key

    nameless = {"name": "Feed pump P-7", "category": "Pumps", "createdAt": "2020-01-01T00:00:00.000Z",
                "updatedAt": "2099-01-01T00:00:00.000Z"}  # updatedAt ahead: every incremental pull lists it
    row_id = emu.mutate(op="inject", entity="assets", fields=nameless)[0]["id"]
    assert nameless in emu.dump("assets")
    sync_entities(mirror, client, ["assets"])
    sync_entities(mirror, client, ["assets"])
    rejects = _rejects(mirror)
    assert {k: (r["upkeep_id"], r["field"], r["reason"], r["count"]) for k, r in rejects.items()} == {
        ("assets", payload_key(nameless)): (None, "id", "missing or empty id", 2)}
    emu.mutate(op="delete", entity="assets", id=row_id)
    sync_entities(mirror, client, ["assets"], PullOptions(full=True))
    assert _rejects(mirror) == {}
