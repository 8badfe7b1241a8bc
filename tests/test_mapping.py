"""UpKeep JSON -> mirror rows, on recorded payloads shaped like the API reference's examples."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest

from sync.mapping import MAPPERS, MalformedObject, transform
from sync.mapping.reverse import upkeep_priority, upkeep_status
from tests.support.recorded import FIXTURES, recorded, recorded_by_id


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def without_raw(row: dict) -> dict:
    assert "raw" in row
    return {k: v for k, v in row.items() if k != "raw"}


@pytest.mark.parametrize("entity", sorted(MAPPERS))
def test_every_recorded_object_maps(entity):
    items = recorded(entity)
    assert items, f"no fixture objects for {entity}"
    for obj in items:
        row = transform(entity, obj)
        assert row["raw"] is obj
        assert isinstance(row["id"], str) and row["id"]
        # A missing reference is NULL, never the text "None".
        assert "None" not in {v for v in row.values() if isinstance(v, str)}


def test_reference_work_order_whole_row():
    obj = recorded_by_id("work_orders")["HW2I379ErS"]
    row = transform("work_orders", obj, part_skus={"sDmjnbbpAL": "40161502"})
    assert without_raw(row) == {
        "id": "HW2I379ErS",
        "upkeep_created_at": utc(2017, 12, 6, 19, 23, 9, 162000),
        "upkeep_updated_at": utc(2017, 12, 8, 18, 41, 44, 335000),
        "type": "corrective",  # category "Electrical"
        "priority": "medium",  # "1"
        "status": "assigned",  # onHold: Machina has no on-hold state
        "asset_id": "kW6I379ELS",
        "description": "Warp drive has been malfunctioning, check the coils that generate the warp field.",
        "estimated_duration_hours": None,
        "spare_parts": [{"sku": "40161502", "qty": 5}, {"sku": "QhWwJbfGb4", "qty": 1}],
        "created_at": utc(2017, 12, 6, 19, 23, 9, 162000),
        "updated_at": utc(2017, 12, 8, 18, 41, 44, 335000),
        "assigned_to": "5ZXaLRZ40I",
        "metadata": {
            "title": "Replace the warp drive on the fusion reactor",
            "work_order_no": "014",
            "upkeep_status": "onHold",
            "upkeep_priority": 1,
            "category": "Electrical",
        },
        "title": "Replace the warp drive on the fusion reactor",
        "work_order_no": "014",
        "upkeep_status": "onHold",
        "upkeep_priority": 1,
        "category": "Electrical",
        "location_id": "Mkr457Gkk3",
        "team_id": "PD6I909nLS",
        "due_date": utc(2017, 12, 6, 19, 23, 9, 162000),
        "start_date": utc(2017, 12, 2, 19, 23, 9, 162000),
        "date_completed": utc(2017, 12, 6, 19, 23, 9, 162000),
        "completed_by": "5ZXaLRZ40I",
        "archived": True,
        "time_hours": 20.0,
        "labor_cost": 400.0,  # one timer: 20 h x 20/h
        "additional_cost": 25.0,
        "parts_used": [{"part_id": "sDmjnbbpAL", "qty": 5}, {"part_id": "QhWwJbfGb4", "qty": 1}],
    }


@pytest.mark.parametrize(
    ("wo_id", "status", "upkeep_status", "priority"),
    [
        ("Wo7Kd2PqLm", "assigned", "open", "emergency"),  # open with an assignee; priority int 3
        ("Wo3Nv8HcRt", "created", "open", "low"),  # open, nobody assigned; priority "0"
        ("Wo5Bq1XzKe", "assigned", "onHold", "high"),
        ("Wo9Fe4JsYu", "in_progress", "inProgress", "medium"),
        ("Wo2Gh6LpAa", "closed", "complete", "high"),  # complete and archived
    ],
)
def test_work_order_status_and_priority(wo_id, status, upkeep_status, priority):
    row = transform("work_orders", recorded_by_id("work_orders")[wo_id])
    assert (row["status"], row["upkeep_status"], row["priority"]) == (status, upkeep_status, priority)


def test_work_order_missing_references_are_null_and_category_is_case_insensitive():
    row = transform("work_orders", recorded_by_id("work_orders")["Wo3Nv8HcRt"])
    assert (row["asset_id"], row["location_id"], row["assigned_to"], row["team_id"]) == (None, None, None, None)
    assert row["type"] == "preventive" and row["category"] == "preventive"


def test_timestamps_without_z_are_utc():
    row = transform("work_orders", recorded_by_id("work_orders")["Wo7Kd2PqLm"])
    assert row["created_at"] == utc(2024, 3, 11, 6, 42, 18)
    assert row["due_date"] == utc(2024, 3, 12, 15, 0, 0)


def test_connector_spellings_accepted_as_fallbacks():
    obj = {"id": "x1", "title": "t", "status": "in progress", "assetId": "A1", "assignedToId": "U1",
           "priority": 2, "createdAt": "2024-01-01T00:00:00Z"}
    row = transform("work_orders", obj)
    assert (row["upkeep_status"], row["asset_id"], row["assigned_to"]) == ("inProgress", "A1", "U1")


def test_reference_asset_whole_row():
    obj = recorded_by_id("assets")["fjQXLsOvG7"]
    row = transform("assets", obj)
    assert without_raw(row) == {
        "id": "fjQXLsOvG7",
        "upkeep_created_at": utc(2017, 11, 16, 15, 1, 1),  # sent without Z
        "upkeep_updated_at": utc(2017, 11, 16, 15, 1, 1),
        "name": "The Ultra Power Generator",
        "type": "electrical",  # category "Generators"
        "location": "OPkIOYYZ0F",
        "manufacturer": "",
        "model": "Deluxe 5500",
        "serial_number": "SER-100",
        "install_date": date(2022, 7, 1),  # placedInServiceDate
        "criticality": "C",
        "parent": "0lcpd45AKe",
        "metadata": {
            "category": "Generators",
            "status": "active",
            "barcode": "S5614B09118",
            "manufacturer_vendor": "XyzAbC123n",
        },
        "category": "Generators",
        "description": "The Generator Powering Life Support for the Space Station",
        "barcode": "S5614B09118",
        "status": "active",
        "assigned_to_user": "BZuHycQMog",
    }


def test_asset_parent_and_types():
    rows = {i: transform("assets", o) for i, o in recorded_by_id("assets").items()}
    assert any(r["parent"] is None for r in rows.values())
    assert {r["type"] for r in rows.values()} >= {"rotating_equipment", "electrical", "hvac"}


def test_reference_part_whole_row():
    row = transform("parts", recorded_by_id("parts")["1YHUWGVgdC"])
    assert without_raw(row) == {
        "id": "1YHUWGVgdC",
        "upkeep_created_at": utc(2017, 10, 23, 23, 51, 58, 97000),
        "upkeep_updated_at": utc(2017, 10, 23, 23, 51, 58, 97000),
        "sku": "40161502",  # the barcode ("serial"), not the record id
        "name": "Flux Capacitor",
        "manufacturer": "",
        "stock_quantity": 5,  # "5"
        "reorder_point": 1,  # "1"
        "unit_cost": 88.0,  # "88.00"
        "warehouse_location": "Center console",
        "metadata": {"sku_source": "serial", "category": "Filter"},
        "description": "This is what makes time travel possible.",
        "category": "Filter",
        "location_id": "jmHFWGVgd1",
        "barcode": "40161502",
        "part_number": "PT-1",
    }


def test_part_without_serial_falls_back_to_part_number_then_id():
    for obj in recorded("parts"):
        row = transform("parts", obj)
        if obj.get("serial"):
            assert row["sku"] == obj["serial"]
        elif obj.get("partName"):
            assert row["sku"] == obj["partName"] and row["metadata"]["sku_source"] == "partName"
        else:
            assert row["sku"] == obj["id"] and row["metadata"]["sku_source"] == "upkeep_id"
    assert any(not o.get("serial") for o in recorded("parts")), "fixture lacks a part without serial"


def test_reference_pm_trigger_whole_row():
    row = transform("preventive_maintenance", recorded_by_id("preventive_maintenance")["Z8rUVpxVcq"])
    assert without_raw(row) == {
        "id": "Z8rUVpxVcq",
        "upkeep_created_at": utc(2023, 1, 5, 15, 57, 31, 51000),
        "upkeep_updated_at": utc(2023, 1, 5, 15, 57, 32, 465000),
        "asset_id": row["asset_id"],  # checked below: the reference example has none
        "name": "Title for PMTrigger",
        "interval": {"days": 0, "weeks": 0, "months": 1, "hours": 0},  # MONTHLY x 1
        "tasks": ["Work Order Title"],
        "estimated_duration_hours": 2.0,
        "active": True,
        "work_order_title": "Work Order Title",
        "location_id": row["location_id"],
        "category": "Electrical",
        "upkeep_priority": 1,
        "assigned_to": None,
        "schedule_type": "EVERY_N_MONTHS_ON_NTH_WEEKDAY",
        "rrfreq": "MONTHLY",
        "rrinterval": 1,
        "next_due_date": utc(2023, 3, 6, 12, 12, 44),
        "last_due_date": utc(2023, 2, 6, 12, 12, 44),
    }
    obj = recorded_by_id("preventive_maintenance")["Z8rUVpxVcq"]
    assert row["asset_id"] == obj["workOrder"].get("asset")


@pytest.mark.parametrize(
    ("freq", "every", "interval"),
    [
        ("DAILY", 1, {"days": 1, "weeks": 0, "months": 0, "hours": 0}),
        ("WEEKLY", 2, {"days": 0, "weeks": 2, "months": 0, "hours": 0}),
        ("MONTHLY", 3, {"days": 0, "weeks": 0, "months": 3, "hours": 0}),
        ("YEARLY", 1, {"days": 0, "weeks": 0, "months": 12, "hours": 0}),
    ],
)
def test_pm_interval_from_rrfreq_and_rrinterval(freq, every, interval):
    item = {"trigger": {"id": "T1", "name": "n", "rrfreq": freq, "rrinterval": every},
            "workOrder": {"title": "Grease bearings", "asset": "A1"}}
    row = transform("preventive_maintenance", item)
    assert row["interval"] == interval and row["asset_id"] == "A1"


def test_pm_paused_or_archived_is_inactive():
    rows = [transform("preventive_maintenance", o) for o in recorded("preventive_maintenance")]
    inactive = [r for r in rows if not r["active"]]
    assert inactive and all(
        r["raw"]["trigger"].get("isPaused") or r["raw"]["trigger"].get("isArchived")
        or r["raw"]["trigger"].get("scheduleHasEnded")
        for r in inactive
    )


def _malformed():
    data = json.loads((FIXTURES / "malformed.json").read_text())
    return [(entity, obj) for entity, objs in data.items() for obj in objs]


@pytest.mark.parametrize(("entity", "obj"), _malformed(), ids=lambda v: v if isinstance(v, str) else v["_why"][:40])
def test_malformed_objects_raise_one_clear_error(entity, obj):
    with pytest.raises(MalformedObject) as info:
        transform(entity, obj)
    err = info.value
    assert err.entity == entity
    assert err.field, "the error must name the field"
    assert err.field.split(".")[-1] in str(err)
    inner = obj.get("trigger") if entity == "preventive_maintenance" else obj
    if isinstance(inner, dict) and isinstance(inner.get("id"), str) and inner["id"].strip():
        assert err.upkeep_id == inner["id"] and inner["id"] in str(err)


def test_reverse_mapping_for_the_outbox():
    assert [upkeep_status(s) for s in ("created", "assigned", "in_progress", "completed", "closed")] == [
        "open", "open", "inProgress", "complete", "complete"]
    assert upkeep_status("onhold") == "onHold" and upkeep_status("inProgress") == "inProgress"
    assert [upkeep_priority(p) for p in ("low", "medium", "high", "emergency", 2, "3")] == [0, 1, 2, 3, 2, 3]
    with pytest.raises(ValueError, match="cancelled"):
        upkeep_status("cancelled")
    with pytest.raises(ValueError, match="priority"):
        upkeep_priority("urgent")
