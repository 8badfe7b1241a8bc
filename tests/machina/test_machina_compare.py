"""The same agent calls against Machina's UpKeepConnector (live, on the emulator over real HTTP) and
against MirrorConnector (on a mirror synced from the same emulator), compared field by field.

Everything the two agree on is asserted equal. Every difference is asserted as what it is, with
UpKeep's own object (``emu.dump``) as the judge, and named below; each one is Machina's connector
being wrong about the API reference (``shared/seeds``), never the mirror:

1. statuses: it reads ``"in progress"`` / ``"on hold"`` (with spaces), so every ``inProgress`` and
   ``onHold`` work order comes back ``created``; filtering on ``IN_PROGRESS`` finds nothing. It also
   ignores the assignee and archiving (``open`` + assignee is Machina ``assigned``; archived
   ``complete`` is ``closed``, the mapping table in docs/schema.md).
2. assignee: it reads ``assignedToId``; the API sends ``assignedToUser``: every assignee is lost.
3. description: it takes the title as the description (the mirror keeps UpKeep's description,
   and the title in ``metadata.title``).
4. a work order without an asset gets ``asset_id == "None"`` (the text), not ``""``.
5. work-order type: it compares ``category == "preventive"`` exactly; account categories are
   free text (``"Preventive"``), so every work order is ``corrective``.
6. estimated hours, parts used (``spare_parts``), install dates, reorder points: never mapped.
7. asset parent: it reads ``parentAssetId``; the API sends ``parentAsset``: every parent is lost.
8. asset type: an exact category table, defaulting to ``rotating_equipment``; the mirror matches
   keywords (e.g. a generator is ``electrical``).
9. part SKU: it takes ``partNumber`` or ``barcode``, which parts do not have, so every SKU is the
   record id; filtering by the real SKU (the part's ``serial``) finds nothing.
10. PM plans: it expects flat objects with ``frequencyDays``; the API sends ``{trigger, workOrder}``,
    so ``read_maintenance_plans`` raises a pydantic ValidationError: no plans at all.
11. ``read_spare_parts(asset_id=...)``, which Machina's own MCP tool passes, is a TypeError.
12. it cannot create a work order: it posts ``assetId`` (the API's field is ``asset``).
13. offline, its reads raise (after retries) while its ``health_check`` still says HEALTHY.

``metadata``: the mirror's holds every key Machina's holds, with the same value, except keys the
mirror carries in a proper field (``parentAsset``, ``assignedToUser``, ``description``,
``estimatedDurationInHours``).
"""

from __future__ import annotations

from collections import Counter

import pytest
from machina.connectors.base import ConnectorStatus
from machina.connectors.cmms.upkeep import UpKeepConnector
from machina.domain.work_order import Priority, WorkOrder, WorkOrderStatus, WorkOrderType
from machina.exceptions import ConnectorError
from pydantic import ValidationError

from mirror.machina import MirrorConnector
from tests.support.machina_plant import run, session_token

#: Keys Machina's mapper leaves in metadata that the mirror carries in a Machina field instead.
IN_A_FIELD = {"parentAsset", "assignedToUser", "description", "estimatedDurationInHours"}


async def _both(emu, path, calls):
    theirs = UpKeepConnector(url=emu.base_url, api_key=session_token(emu))
    ours = MirrorConnector(path)
    await theirs.connect()
    await ours.connect()
    try:
        return await calls(theirs), await calls(ours)
    finally:
        await theirs.disconnect()
        await ours.disconnect()


def _same_metadata(theirs: dict, ours: dict) -> None:
    assert set(theirs) - set(ours) <= IN_A_FIELD
    assert {k: v for k, v in theirs.items() if k in ours} == {k: ours[k] for k in theirs if k in ours}


@pytest.fixture(scope="module")
def answers(synced_plant):
    emu, path = synced_plant
    busiest = Counter(o["asset"] for o in emu.dump("work_orders") if o.get("asset")).most_common(1)[0][0]
    first_order = emu.dump("work_orders")[0]["id"]

    async def calls(conn):
        orders = await conn.read_work_orders()
        return {
            "assets": {a.id: a for a in await conn.read_assets()},
            "orders": {w.id: w for w in orders},
            "in_progress": await conn.read_work_orders(status=WorkOrderStatus.IN_PROGRESS),
            "history": await conn.read_maintenance_history(busiest),
            "of_asset": await conn.read_work_orders(asset_id=busiest),
            "parts": await conn.read_spare_parts(),
            "one_asset": await conn.get_asset(busiest),
            "one_order": await conn.get_work_order(first_order),
        }

    theirs, ours = run(_both(emu, path, calls))
    upstream = {e: {(o.get("trigger") or o)["id"]: o for o in emu.dump(e)}
                for e in ("assets", "work_orders", "parts", "preventive_maintenance")}
    return theirs, ours, upstream


def test_both_see_the_same_records_and_agree_on_what_machina_maps_right(answers):
    theirs, ours, up = answers
    assert theirs["assets"].keys() == ours["assets"].keys() == up["assets"].keys()
    assert theirs["orders"].keys() == ours["orders"].keys() == up["work_orders"].keys()
    for i, a in theirs["assets"].items():
        b = ours["assets"][i]
        assert (a.name, a.location, a.model, a.serial_number, a.criticality) == (
            b.name, b.location, b.model, b.serial_number, b.criticality)
        _same_metadata(a.metadata, b.metadata)
    for i, w in theirs["orders"].items():
        v = ours["orders"][i]
        assert (w.priority, w.created_at, w.updated_at) == (v.priority, v.created_at, v.updated_at)
        if up["work_orders"][i].get("asset"):
            assert w.asset_id == v.asset_id
        _same_metadata(w.metadata, v.metadata)
    assert {w.id for w in theirs["history"]} == {w.id for w in ours["history"]} != set()
    assert {w.id for w in theirs["of_asset"]} == {w.id for w in ours["of_asset"]} != set()
    for got in (theirs, ours):  # a single read answers as the list does
        assert got["one_asset"] == got["assets"][got["one_asset"].id]
        assert got["one_order"] == got["orders"][got["one_order"].id]
    assert theirs["one_asset"].id == ours["one_asset"].id and theirs["one_order"].id == ours["one_order"].id


def test_difference_1_status_names(answers):
    theirs, ours, up = answers
    for status, expected in (("inProgress", WorkOrderStatus.IN_PROGRESS), ("onHold", WorkOrderStatus.ASSIGNED)):
        ids = [i for i, o in up["work_orders"].items() if o["status"] == status]
        assert ids, f"the plant should have {status} work orders"
        assert {theirs["orders"][i].status for i in ids} == {WorkOrderStatus.CREATED}
        assert {ours["orders"][i].status for i in ids} == {expected}
        assert {ours["orders"][i].metadata["upkeep_status"] for i in ids} == {status}
    assert theirs["in_progress"] == []
    assert {w.id for w in ours["in_progress"]} == {i for i, o in up["work_orders"].items()
                                                    if o["status"] == "inProgress"}
    archived = [i for i, o in up["work_orders"].items() if o["status"] == "complete" and o["archivedStatus"] == "1"]
    assert archived and {ours["orders"][i].status for i in archived} == {WorkOrderStatus.CLOSED}
    assert {theirs["orders"][i].status for i in archived} == {WorkOrderStatus.COMPLETED}


def test_difference_2_to_6_work_order_fields(answers):
    theirs, ours, up = answers
    assigned = {i: o["assignedToUser"] for i, o in up["work_orders"].items() if o.get("assignedToUser")}
    assert assigned and {theirs["orders"][i].assigned_to for i in assigned} == {None}
    assert {i: ours["orders"][i].assigned_to for i in assigned} == assigned
    for i, o in up["work_orders"].items():
        assert theirs["orders"][i].description == o["title"]
        assert (ours["orders"][i].description, ours["orders"][i].metadata["title"]) == (o["description"], o["title"])
    no_asset = [i for i, o in up["work_orders"].items() if not o.get("asset")]
    assert no_asset and {theirs["orders"][i].asset_id for i in no_asset} == {"None"}
    assert {ours["orders"][i].asset_id for i in no_asset} == {""}
    preventive = [i for i, o in up["work_orders"].items() if o["category"] == "Preventive"]
    assert preventive and {theirs["orders"][i].type for i in preventive} == {WorkOrderType.CORRECTIVE}
    assert {ours["orders"][i].type for i in preventive} == {WorkOrderType.PREVENTIVE}
    hours = {i: o["estimatedDurationInHours"] for i, o in up["work_orders"].items()
             if o.get("estimatedDurationInHours") is not None}
    assert hours and {theirs["orders"][i].estimated_duration_hours for i in hours} == {None}
    assert {i: ours["orders"][i].estimated_duration_hours for i in hours} == hours
    with_parts = [i for i, o in up["work_orders"].items() if o.get("parts")]
    assert with_parts and all(theirs["orders"][i].spare_parts == [] for i in with_parts)
    assert all(len(ours["orders"][i].spare_parts) == len(up["work_orders"][i]["parts"]) for i in with_parts)


def test_difference_7_and_8_asset_parent_and_type(answers):
    theirs, ours, up = answers
    parents = {i: o["parentAsset"] for i, o in up["assets"].items() if o.get("parentAsset")}
    assert parents and {theirs["assets"][i].parent for i in parents} == {None}
    assert {i: ours["assets"][i].parent for i in parents} == parents
    generators = [i for i, o in up["assets"].items() if "generator" in (o.get("category") or "").lower()]
    assert generators
    for i in generators:
        assert (theirs["assets"][i].type.value, ours["assets"][i].type.value) == ("rotating_equipment", "electrical")
    dated = [i for i, o in up["assets"].items() if o.get("placedInServiceDate")]
    assert dated and {theirs["assets"][i].install_date for i in dated} == {None}
    assert all(ours["assets"][i].install_date.isoformat() == up["assets"][i]["placedInServiceDate"][:10]
               for i in dated)


def test_difference_9_part_sku_is_the_record_id(answers, synced_plant):
    theirs, ours, up = answers
    assert sorted(p.sku for p in theirs["parts"]) == sorted(up["parts"])
    ours_by_id = {p.metadata["id"]: p for p in ours["parts"]}
    assert {i: p.sku for i, p in ours_by_id.items()} == {i: o["serial"] for i, o in up["parts"].items()}
    for p in theirs["parts"]:
        q = ours_by_id[p.sku]
        assert (p.name, p.stock_quantity, p.unit_cost, p.warehouse_location) == (
            q.name, q.stock_quantity, q.unit_cost, q.warehouse_location)
        _same_metadata(p.metadata, q.metadata)
    minimums = {i: int(float(o["minimumQuantity"])) for i, o in up["parts"].items() if float(o["minimumQuantity"])}
    assert minimums and {i: ours_by_id[i].reorder_point for i in minimums} == minimums
    assert {p.reorder_point for p in theirs["parts"]} == {0}

    serial = next(iter(up["parts"].values()))["serial"]
    by_sku = run(_both(*synced_plant, lambda c: c.read_spare_parts(sku=serial)))
    assert by_sku[0] == [] and [p.sku for p in by_sku[1]] == [serial]


def test_difference_10_and_11_no_pm_plans_and_no_parts_by_asset(synced_plant):
    emu, path = synced_plant
    upstream = emu.dump("preventive_maintenance")
    assert upstream

    async def plans(conn):
        try:
            return await conn.read_maintenance_plans()
        except ValidationError as exc:
            return exc

    theirs, ours = run(_both(emu, path, plans))
    assert isinstance(theirs, ValidationError) and "id cannot be empty" in str(theirs)
    assert sorted(p.id for p in ours) == sorted(o["trigger"]["id"] for o in upstream)
    for plan, obj in zip(sorted(ours, key=lambda p: p.id), sorted(upstream, key=lambda o: o["trigger"]["id"]),
                         strict=True):
        assert plan.asset_id == (obj["workOrder"].get("asset") or "")
        assert plan.interval.total_days > 0 or not obj["trigger"].get("rrfreq")

    async def parts_of_asset(conn):
        try:
            return await conn.read_spare_parts(asset_id=emu.dump("assets")[0]["id"])
        except TypeError as exc:
            return exc

    theirs, ours = run(_both(emu, path, parts_of_asset))
    assert isinstance(theirs, TypeError) and isinstance(ours, list)


def test_difference_12_it_cannot_create_a_work_order_the_mirror_can(own_plant):
    emu, path = own_plant
    asset = emu.dump("assets")[0]["id"]
    before = len(emu.dump("work_orders"))
    wo = WorkOrder(id="WO-1", type=WorkOrderType.CORRECTIVE, priority=Priority.HIGH, asset_id=asset,
                   description="Vibration high on motor")

    async def create(conn):
        try:
            return await conn.create_work_order(wo)
        except ConnectorError as exc:
            return exc

    theirs, ours = run(_both(emu, path, create))
    assert isinstance(theirs, ConnectorError) and "HTTP 400" in str(theirs)
    assert len(emu.dump("work_orders")) == before
    assert ours.id.startswith("local-") and ours.asset_id == asset and ours.priority == Priority.HIGH


def test_difference_13_offline_it_fails_while_the_mirror_answers(own_plant):
    emu, path = own_plant

    async def offline():
        theirs = UpKeepConnector(url=emu.base_url, api_key=session_token(emu))
        ours = MirrorConnector(path)
        await theirs.connect()
        await ours.connect()
        emu.set_offline(True)
        try:
            try:
                await theirs.read_work_orders()
                failed = None
            except Exception as exc:
                failed = exc
            return failed, await theirs.health_check(), await ours.read_work_orders(), await ours.health_check()
        finally:
            emu.set_offline(False)
            await ours.disconnect()

    failed, their_health, our_orders, our_health = run(offline())
    assert failed is not None
    assert their_health.status == ConnectorStatus.HEALTHY  # it only knows that connect() once worked
    assert {w.id for w in our_orders} == {o["id"] for o in emu.dump("work_orders")}
    assert "pull_age_seconds" in our_health.details
