"""Field-work mapping on recorded payloads: files, form templates, form items, downtime statuses,
custom-field definitions -- whole rows, and the errors that reject what cannot be stored."""

from __future__ import annotations

import copy
from datetime import UTC, datetime

import pytest

from sync.mapping import MalformedObject, map_form_items, transform
from tests.support.recorded import recorded


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def rows(entity: str) -> list[dict]:
    out = []
    for obj in recorded(entity):
        row = transform(entity, obj)
        assert row.pop("raw") is obj
        out.append(row)
    return out


def test_files_whole_rows():
    assert rows("files") == [
        {"id": "cfUb96FKU6", "upkeep_created_at": utc(2022, 11, 18, 12, 6, 27, 17000),
         "upkeep_updated_at": utc(2022, 11, 18, 12, 6, 27, 17000), "filename": "custom_file_name.png",
         "url": "https://api.onupkeep.s3.amazonaws.com/files/OJkfjPlMa/custom_file_name.png",
         "mime_type": "image/png", "is_image": True},
        {"id": "CiOGeIogVC", "upkeep_created_at": utc(2023, 4, 2, 9, 15), "upkeep_updated_at": utc(2023, 4, 2, 9, 15),
         "filename": "Feed_Pump_P-101_manual.pdf",
         "url": "https://api.onupkeep.s3.amazonaws.com/files/Xk2pLm9QrT/Feed_Pump_P-101_manual.pdf",
         "mime_type": "application/pdf", "is_image": False},
        # no mimeType: guessed from the name; a zone-less timestamp is UTC
        {"id": "rqYED7B65S", "upkeep_created_at": utc(2023, 4, 2, 9, 16, 10),
         "upkeep_updated_at": utc(2023, 4, 2, 9, 16, 10), "filename": "wiring diagram MCC-2.pdf",
         "url": "https://api.onupkeep.s3.amazonaws.com/files/Qw8ZrT1mNb/wiring%20diagram%20MCC-2.pdf",
         "mime_type": "application/pdf", "is_image": False},
        {"id": "Vgwf41LLg1", "upkeep_created_at": utc(2024, 3, 5, 10), "upkeep_updated_at": utc(2024, 3, 5, 10, 5),
         "filename": "IMG_4821.jpg", "url": None, "mime_type": "image/jpeg", "is_image": True},
    ]


def test_form_templates_whole_rows():
    first, second = rows("form_templates")
    assert first == {
        "id": "XKtMGAAjDF", "upkeep_created_at": utc(2022, 6, 22, 18, 53, 7, 884000),
        "upkeep_updated_at": utc(2022, 12, 8, 13, 23, 42, 261000),
        "name": "Daily Rounds",  # the reference spells it "Name"
        "description": "These tasks and checks should be performed every day at the end of each shift.",
        "items": [
            {"name": "Check, close, and lock windows", "type": "TASK"},
            {"name": "Record room temp", "type": "METER", "meter": "cjFVMI6cmg"},  # METER_READING
            {"name": "Check office occupancy", "type": "NUMBER"},
            {"name": "Inspected by", "type": "TEXT"},
            {"name": "Temperature below 90", "type": "CHECKLIST"},
            {"name": "Shift", "type": "MULTIPLE_CHOICE", "options": ["1st", "2nd", "3rd"]},
        ],
        "created_by": "BRho3lxEyI",
    }
    assert second["name"] == "Pump PM checklist" and second["description"] == "" and second["created_by"] is None


def test_form_items_whole_rows_in_order():
    items = recorded("work_order_tasks")
    mapped = map_form_items("HW2I379ErS", items)
    for row, item in zip(mapped, items, strict=True):
        assert row.pop("raw") is item
    assert mapped == [
        {"id": "TuAExCvmwS", "work_order_id": "HW2I379ErS", "position": 0, "name": "Check & close all tanks",
         "type": "TASK", "value": "OPEN", "value_number": None, "options": [], "meter_id": None},
        {"id": "9kJdmSvzm3", "work_order_id": "HW2I379ErS", "position": 1,
         "name": "Check sign in sheet; how many people were in the office today?", "type": "NUMBER",
         "value": "37", "value_number": 37.0, "options": [], "meter_id": None},
        {"id": "9kJdmSvzm2", "work_order_id": "HW2I379ErS", "position": 2, "name": "Record room temp",
         "type": "METER", "value": "90", "value_number": 90.0, "options": [], "meter_id": "hGZ8e2CGRy"},
        {"id": "9kJdmSvzm4", "work_order_id": "HW2I379ErS", "position": 3,
         "name": "Who, if anyone, recorded a temp above 99 degrees?", "type": "TEXT", "value": "Alex",
         "value_number": None, "options": [], "meter_id": None},
        {"id": "9kJdmSvzm5", "work_order_id": "HW2I379ErS", "position": 4, "name": "Forehead thermometer is working",
         "type": "CHECKLIST", "value": "PASS", "value_number": None, "options": [], "meter_id": None},
        {"id": "9kJdmSvzmo", "work_order_id": "HW2I379ErS", "position": 5, "name": "Shift",
         "type": "MULTIPLE_CHOICE", "value": "1st", "value_number": None, "options": ["1st", "2nd", "3rd"],
         "meter_id": None},
        {"id": "Fi7TaskNew", "work_order_id": "HW2I379ErS", "position": 6, "name": "Grease the drive-end bearing",
         "type": "TASK", "value": None, "value_number": None, "options": [], "meter_id": None},
        {"id": "Fi7Meter01", "work_order_id": "HW2I379ErS", "position": 7, "name": "Vibration (mm/s)",
         "type": "METER", "value": "4.2", "value_number": 4.2, "options": [], "meter_id": "hGZ8e2CGRy"},
    ]


@pytest.mark.parametrize(
    ("position", "change", "field", "reason"),
    [
        (0, {"value": "DONE"}, "formItems[0].value", "expected one of OPEN, ON_HOLD, IN_PROGRESS, COMPLETE, got 'DONE'"),
        (4, {"value": "OK"}, "formItems[4].value", "expected one of PASS, FLAG, FAIL, got 'OK'"),
        (5, {"value": "4th"}, "formItems[5].value", "expected one of 1st, 2nd, 3rd, got '4th'"),
        (1, {"value": "lots"}, "formItems[1].value", "expected a number, got 'lots'"),
        (1, {"type": "SIGNATURE"}, "formItems[1].type", "expected one of TASK, TEXT, NUMBER, CHECKLIST, "
         "MULTIPLE_CHOICE, METER, got 'SIGNATURE'"),
        (3, {"value": True}, "formItems[3].value", "expected Number or String, got Boolean True"),
        (2, {"id": ""}, "formItems[2].id", "missing or empty id"),
    ],
)
def test_a_bad_item_rejects_the_list_naming_work_order_and_item(position, change, field, reason):
    items = copy.deepcopy(recorded("work_order_tasks"))
    items[position].update(change)
    with pytest.raises(MalformedObject) as info:
        map_form_items("HW2I379ErS", items)
    assert (info.value.entity, info.value.upkeep_id, info.value.field, info.value.reason) == (
        "work_orders", "HW2I379ErS", field, reason)


def test_bare_item_ids_are_not_a_checklist():
    with pytest.raises(MalformedObject, match="includes=formItems"):
        map_form_items("HW2I379ErS", ["YChe6OjzHC", "FuJBoOf8Di"])


def test_downtime_statuses_and_custom_fields_whole_rows():
    assert rows("asset_downtime_statuses") == [
        {"id": "dHK4JGfhp8", "upkeep_created_at": utc(2020, 1, 21, 3, 49, 6, 12000),
         "upkeep_updated_at": utc(2020, 1, 21, 3, 49, 6, 12000), "name": "Under Maintenance"},
        {"id": "Wt4PartsQ1", "upkeep_created_at": utc(2021, 5, 2, 11), "upkeep_updated_at": utc(2021, 6, 1, 9, 30),
         "name": "Waiting for Parts"},
    ]
    created = utc(2022, 4, 4, 23, 51, 58, 98000)
    assert rows("custom_fields_assets") == [
        {"id": "eqvBjzLWXW", "upkeep_created_at": created, "upkeep_updated_at": created, "applies_to": "assets",
         "name": "Custom number field", "type": "number", "options": [], "decimal_precision": 0,
         "created_by": "gmWbjzIKxW"},
        {"id": "arvVjzgWUp", "upkeep_created_at": utc(2022, 4, 5, 23, 51, 58, 98000),
         "upkeep_updated_at": utc(2022, 4, 5, 23, 51, 58, 98000), "applies_to": "assets",
         "name": "Custom dropdown field", "type": "dropdown", "options": ["First", "Second", "Third"],
         "decimal_precision": None, "created_by": "gmWbjzIKxW"},
        {"id": "CfRepVal01", "upkeep_created_at": utc(2023, 2, 1, 10), "upkeep_updated_at": utc(2023, 3, 1, 10),
         "applies_to": "assets", "name": "Replacement value", "type": "currency", "options": [],
         "decimal_precision": 2, "created_by": "gmWbjzIKxW"},
    ]


def test_unknown_custom_field_type_and_nameless_file_are_rejected():
    field = dict(recorded("custom_fields_assets")[0], type="checkbox")
    with pytest.raises(MalformedObject, match="type: expected one of singleLineText"):
        transform("custom_fields_assets", field)
    with pytest.raises(MalformedObject, match="filename: missing filename"):
        transform("files", dict(recorded("files")[0], filename=""))
