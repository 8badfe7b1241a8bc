"""Field-work local writes: refused before anything is queued when invalid; otherwise the mirror
change and the outbox operation together. Checklist values against the item's type, attachments
against the file system, downtime statuses by name or id."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import text

from mirror import vocabulary
from mirror import writes as fw
from mirror.db import open_mirror
from mirror.fieldwork_store import replace_tasks, sync_settings
from mirror.file_content import iter_content
from mirror.outbox import counts, list_ops
from mirror.schema import MIRRORED
from mirror.store import upsert_rows
from mirror.writes import InvalidWrite
from sync.mapping import fieldwork as mapping
from sync.mapping import map_form_items, transform
from tests.support.recorded import recorded

WO = "HW2I379ErS"


@pytest.fixture
def loaded(tmp_path):
    with open_mirror(tmp_path / "mirror.db") as m:
        with m.write() as s:
            for entity in MIRRORED:
                upsert_rows(s, entity, [transform(entity, o) for o in recorded(entity)])
            sync_settings(s, "asset_downtime_statuses",
                          [transform("asset_downtime_statuses", o) for o in recorded("asset_downtime_statuses")],
                          complete=True)
            replace_tasks(s, WO, map_form_items(WO, recorded("work_order_tasks")), upkeep_updated_at=None)
        yield m


def _snapshot(m) -> tuple:
    with m.session() as s:
        return (
            counts(s),
            s.execute(text("SELECT * FROM work_order_tasks ORDER BY id")).all(),
            s.execute(text("SELECT id, content_state FROM files ORDER BY id")).all(),
            s.execute(text("SELECT count(*) FROM file_chunks")).scalar(),
        )


def test_vocabulary_matches_the_mapping():
    assert vocabulary.TASK_VALUES == mapping.TASK_VALUES
    assert vocabulary.CHECKLIST_VALUES == mapping.CHECKLIST_VALUES


@pytest.mark.parametrize(
    ("task", "value", "wire", "shown"),
    [
        ("Check & close all tanks", "complete", "COMPLETE", "COMPLETE"),
        ("check & close all tanks", "in progress", "IN_PROGRESS", "IN_PROGRESS"),
        ("Forehead thermometer is working", "fail", "FAIL", "FAIL"),
        ("Shift", "2ND", "2nd", "2nd"),
        ("9kJdmSvzm3", "41.5", 41.5, "41.5"),
        ("Record room temp", 91, 91, "91"),
        ("Who, if anyone, recorded a temp above 99 degrees?", "  Sam ", "Sam", "Sam"),
    ],
)
def test_a_valid_value_is_shown_at_once_and_queued(loaded, task, value, wire, shown):
    queued = fw.set_task_value(loaded, WO, task, value)
    with loaded.session() as s:
        row = s.execute(text("SELECT id, value, local_state FROM work_order_tasks WHERE id = :i OR name = :i"),
                        {"i": task}).first() or s.execute(
            text("SELECT id, value, local_state FROM work_order_tasks WHERE lower(name) = lower(:i)"), {"i": task}).first()
        assert (row.value, row.local_state) == (shown, "pending")
        [op] = list_ops(s)
        assert (op.seq, op.kind, op.entity, op.record_id) == (queued.seq, "task_value", "work_orders", WO)
        assert op.payload["task"]["value"] == wire and op.payload["task"]["id"] == row.id
        wo_state = s.execute(text("SELECT local_state FROM work_orders WHERE id = :w"), {"w": WO}).scalar()
        assert wo_state == "pending"


@pytest.mark.parametrize(
    ("wo", "task", "value", "field", "message"),
    [
        (WO, "Check & close all tanks", "DONE-ISH", "value", "a TASK item takes OPEN, ON_HOLD, IN_PROGRESS, COMPLETE"),
        (WO, "Forehead thermometer is working", "ok", "value", "a CHECKLIST item takes PASS, FLAG, FAIL"),
        (WO, "Shift", "4th", "value", "choose one of 1st, 2nd, 3rd"),
        (WO, "Record room temp", "hot", "value", "a METER item takes a number"),
        (WO, "9kJdmSvzm3", True, "value", "a NUMBER item takes a number"),
        (WO, "Check & close all tanks", "", "value", "give a value"),
        (WO, "Check & close all tanks", "open", "value", "is already OPEN; nothing to change"),
        (WO, "Sweep the floor", "COMPLETE", "task", "has no checklist item 'Sweep the floor'"),
        ("NoSuchWO01", "Shift", "1st", "work_order_id", "no work order 'NoSuchWO01' in the mirror"),
    ],
)
def test_invalid_task_values_are_refused_before_anything_is_written(loaded, wo, task, value, field, message):
    before = _snapshot(loaded)
    with pytest.raises(InvalidWrite) as info:
        fw.set_task_value(loaded, wo, task, value)
    assert info.value.field == field
    assert message in info.value.reason
    assert _snapshot(loaded) == before


def test_a_work_order_without_checklist_is_refused(loaded):
    other = next(o["id"] for o in recorded("work_orders") if o["id"] != WO)
    with pytest.raises(InvalidWrite, match="has no checklist in the mirror"):
        fw.set_task_value(loaded, other, "Shift", "1st")


def test_attach_copies_the_file_into_the_mirror_and_queues(loaded, tmp_path):
    photo = tmp_path / "seal leak.png"
    content = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 9000  # > 2 chunks
    photo.write_bytes(content)
    queued = fw.attach_file(loaded, WO, photo)
    with loaded.session() as s:
        [op] = list_ops(s)
        assert op.kind == "attach" and op.seq == queued.seq
        file_id = op.payload["file_id"]
        assert op.payload["upload_name"] == f"seal leak_um{op.op_id[:12]}.png"
        row = s.execute(text("SELECT * FROM files WHERE id = :i"), {"i": file_id}).mappings().one()
        assert (row["filename"], row["mime_type"], row["size_bytes"], row["content_state"], row["local_state"]) == (
            "seal leak.png", "image/png", len(content), "local", "pending")
        assert row["content_sha256"] == hashlib.sha256(content).hexdigest()
        assert b"".join(iter_content(s, file_id)) == content
        assert s.execute(text("SELECT count(*) FROM file_chunks WHERE file_id = :i"), {"i": file_id}).scalar() == 3
        shown = s.execute(text("SELECT file_id, filename FROM file_attachments WHERE record_id = :w"),
                          {"w": WO}).all()
        assert (file_id, "seal leak.png") in shown


def test_bad_attachments_are_refused(loaded, tmp_path):
    empty = tmp_path / "empty.jpg"
    empty.write_bytes(b"")
    big = tmp_path / "big.bin"
    big.write_bytes(b"x" * 2048)
    before = _snapshot(loaded)
    for path, message, kwargs in (
        (tmp_path / "missing.jpg", "does not exist", {}),
        (tmp_path, "is not a regular file", {}),
        (empty, "is empty", {}),
        (big, "the limit is 0 MB", {"max_bytes": 1024}),
    ):
        with pytest.raises(InvalidWrite) as info:
            fw.attach_file(loaded, WO, path, **kwargs)
        assert info.value.field == "path" and message in info.value.reason
    with pytest.raises(InvalidWrite, match="no work order"):
        fw.attach_file(loaded, "NoSuchWO01", big)
    assert _snapshot(loaded) == before


@pytest.mark.parametrize(
    ("status", "wire", "category"),
    [("available", "available", None), ("Not available", "not-available", None),
     ("under maintenance", "not-available", "dHK4JGfhp8"), ("Wt4PartsQ1", "not-available", "Wt4PartsQ1")],
)
def test_downtime_by_name_or_id(loaded, status, wire, category):
    asset = recorded("assets")[1]["id"]
    fw.record_downtime(loaded, asset, status)
    with loaded.session() as s:
        [op] = list_ops(s)
        row = op.payload["row"]
        assert (op.kind, op.entity, op.record_id, row["status"], row.get("statusCategory")) == (
            "downtime", "assets", asset, wire, category)
        assert isinstance(row["recordedOn"], int)


def test_bad_downtime_is_refused(loaded):
    asset = recorded("assets")[1]["id"]
    before = _snapshot(loaded)
    with pytest.raises(InvalidWrite, match="'Coffee break' is not a downtime status; use available, "
                                           "not-available, Under Maintenance, Waiting for Parts"):
        fw.record_downtime(loaded, asset, "Coffee break")
    with pytest.raises(InvalidWrite, match="no asset 'nope'"):
        fw.record_downtime(loaded, "nope", "available")
    with pytest.raises(InvalidWrite, match="no user"):
        fw.record_downtime(loaded, asset, "available", user_id="ghost")
    assert _snapshot(loaded) == before


def test_a_pull_of_the_checklist_keeps_a_pending_tick_visible(loaded):
    fw.set_task_value(loaded, WO, "Shift", "3rd")
    fresh = map_form_items(WO, recorded("work_order_tasks"))  # UpKeep still says 1st
    with loaded.write() as s:
        replace_tasks(s, WO, fresh, upkeep_updated_at=None)
    with loaded.session() as s:
        row = s.execute(text("SELECT value, local_state FROM work_order_tasks WHERE name = 'Shift'")).one()
    assert tuple(row) == ("3rd", "pending")
