"""Field-work writes replayed against the emulator over HTTP: a checklist value, an attachment, a
downtime event -- delivered exactly once, also when UpKeep applies a request and the answer is
lost, and when the replayer is killed in the middle of an upload."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest
from sqlalchemy import text

from mirror.db import open_mirror
from mirror.file_content import iter_content
from mirror.outbox import resolve_op
from mirror.writes import attach_file, marker, record_downtime, set_task_value
from sync.crashpoints import ENV as CRASH_ENV
from sync.emulator import Emulator
from sync.emulator.entities import ENTITIES
from sync.pull import sync_entities
from sync.pull.fieldwork import FieldworkOptions, pull_fieldwork
from sync.replay import flush
from tests.support.outbox import REPLAY_CHILD, ROOT, all_ops
from tests.support.retries import FAST
from tests.support.upkeep import upkeep_client

PHOTO = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40


@pytest.fixture
def fieldwork_plant(tmp_path):
    """An emulated account with an open work order carrying a checklist, pulled into a mirror."""
    with Emulator(seed=3, work_orders=120) as emu:
        wo = next(w for w in emu.dump("work_orders") if w["status"] == "open")
        with upkeep_client(emu) as client:
            client.patch(f"/api/v2/work-orders/{wo['id']}", {"formItems": [
                {"name": "Isolate & lock out", "type": "TASK"},
                {"name": "Seal leak check", "type": "CHECKLIST"},
                {"name": "Shift", "type": "MULTIPLE_CHOICE", "options": ["1st", "2nd", "3rd"], "value": "1st"},
            ]})
            with open_mirror(tmp_path / "mirror.db") as mirror:
                sync_entities(mirror, client)
                pull_fieldwork(mirror, client, FieldworkOptions(content=False))
                photo = tmp_path / "seal leak.png"
                photo.write_bytes(PHOTO)
                yield emu, mirror, client, wo["id"], photo


def _queue_three(mirror, emu, wo_id, photo):
    asset = emu.dump("assets")[0]["id"]
    status = next(s for s in emu.dump("asset_downtime_statuses") if s["name"] == "Under Maintenance")
    set_task_value(mirror, wo_id, "Seal leak check", "flag")
    attach = attach_file(mirror, wo_id, photo)
    record_downtime(mirror, asset, "under maintenance")
    return asset, status["id"], attach.op_id


def _flush_until_done(mirror, client, rounds: int = 40) -> None:
    for _ in range(rounds):
        flush(mirror, client, policy=FAST, settle=0.0, redelivery_base=0.0)
        if all(o.state == "done" for o in all_ops(mirror)):
            return
    raise AssertionError([(o.seq, o.kind, o.state, o.last_error) for o in all_ops(mirror)])


def _assert_delivered_once(emu, mirror, wo_id, asset, status_id, op_id, before_events: int = 0) -> None:
    items = emu.form_items(wo_id)
    assert [(i["name"], i["value"]) for i in items] == [
        ("Isolate & lock out", "OPEN"), ("Seal leak check", "FLAG"), ("Shift", "1st")]
    uploads = [f for f in emu.dump("files") if marker(op_id) in f["filename"]]
    assert len(uploads) == 1, uploads
    assert emu.file_bytes(uploads[0]["id"]) == PHOTO
    assert emu.get("work_orders", wo_id)["files"].count(uploads[0]["id"]) == 1
    events = emu.downtime_events(asset)
    assert len(events) == before_events + 1 and events[-1]["statusCategory"] == status_id
    assert emu.get("assets", asset)["downtimeStatus"] == status_id
    with mirror.session() as s:
        assert s.execute(text("SELECT value, local_state FROM work_order_tasks WHERE name = 'Seal leak check'")
                         ).one() == ("FLAG", "synced")
        row = s.execute(text("SELECT content_state, local_state FROM files WHERE id = :i"),
                        {"i": uploads[0]["id"]}).one()
        assert tuple(row) == ("stored", "synced")
        assert b"".join(iter_content(s, uploads[0]["id"])) == PHOTO
        assert s.execute(text("SELECT count(*) FROM files WHERE content_state = 'local'")).scalar() == 0
        shown = s.execute(text("SELECT file_id FROM file_attachments WHERE record_id = :w"), {"w": wo_id}).scalars()
        assert list(shown).count(uploads[0]["id"]) == 1


def test_three_writes_are_delivered(fieldwork_plant):
    emu, mirror, client, wo_id, photo = fieldwork_plant
    asset, status_id, op_id = _queue_three(mirror, emu, wo_id, photo)
    report = flush(mirror, client, policy=FAST, settle=0.0)
    assert report.done == 3, report
    _assert_delivered_once(emu, mirror, wo_id, asset, status_id, op_id)


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_exactly_once_when_answers_are_lost(fieldwork_plant, seed):
    emu, mirror, client, wo_id, photo = fieldwork_plant
    asset, status_id, op_id = _queue_three(mirror, emu, wo_id, photo)
    emu.set_faults(lost_response_rate=0.5, drop_rate=0.1, server_error_rate=0.1, seed=seed,
                   methods=["POST", "PATCH"])
    _flush_until_done(mirror, client)
    emu.set_faults()
    _assert_delivered_once(emu, mirror, wo_id, asset, status_id, op_id)


def test_every_answer_lost_once_still_delivers_once(fieldwork_plant):
    emu, mirror, client, wo_id, photo = fieldwork_plant
    asset, status_id, op_id = _queue_three(mirror, emu, wo_id, photo)
    emu.set_faults(lost_response_rate=1.0, methods=["POST", "PATCH"])
    report = flush(mirror, client, policy=FAST, settle=0.0, redelivery_base=0.0)
    emu.set_faults()
    # Every write was applied and its answer lost; each is found by looking, none sent twice.
    assert report.done == 3, report
    assert report.found_after_loss == 2  # the upload (by its name's marker) and the downtime event
    assert report.already_applied == 1  # the checklist item already held our value
    _assert_delivered_once(emu, mirror, wo_id, asset, status_id, op_id)


def _child(mirror, emu, crash_at: str | None) -> subprocess.CompletedProcess:
    email, password = emu.credentials
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop(CRASH_ENV, None)
    if crash_at:
        env[CRASH_ENV] = crash_at
    return subprocess.run([sys.executable, str(REPLAY_CHILD), str(mirror.path), emu.base_url, email, password],
                          capture_output=True, text=True, env=env, timeout=120)


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
@pytest.mark.parametrize("point", ["outbox:claimed:1", "outbox:answered:1", "outbox:claimed:2", "outbox:answered:2"])
def test_killed_during_an_upload_uploads_once(fieldwork_plant, point):
    """Only the attachment is queued: pass 1 is the upload (claimed, then answered), pass 2 the
    work order's files PATCH."""
    emu, mirror, _client, wo_id, photo = fieldwork_plant
    op_id = attach_file(mirror, wo_id, photo).op_id
    killed = _child(mirror, emu, point)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    [op] = all_ops(mirror)
    assert op.state == "sending"
    uploads = [f for f in emu.dump("files") if marker(op_id) in f["filename"]]
    assert len(uploads) == (0 if point == "outbox:claimed:1" else 1)
    done = _child(mirror, emu, None)
    assert done.returncode == 0, done.stderr
    uploads = [f for f in emu.dump("files") if marker(op_id) in f["filename"]]
    assert len(uploads) == 1
    assert emu.get("work_orders", wo_id)["files"].count(uploads[0]["id"]) == 1
    assert emu.file_bytes(uploads[0]["id"]) == PHOTO
    [op] = all_ops(mirror)
    assert op.state == "done" and op.server_id == uploads[0]["id"]


def test_a_remote_change_to_the_same_item_is_a_conflict_not_an_overwrite(fieldwork_plant):
    emu, mirror, client, wo_id, _photo = fieldwork_plant
    set_task_value(mirror, wo_id, "Seal leak check", "pass")
    items = emu.form_items(wo_id)
    client.patch(f"/api/v2/work-orders/{wo_id}",
                 {"formItems": [dict(i, value="FAIL") if i["name"] == "Seal leak check" else i for i in items]})
    report = flush(mirror, client, policy=FAST, settle=0.0)
    assert report.conflicts == 1
    [op] = all_ops(mirror)
    assert op.state == "conflict" and "FAIL" in op.last_error
    assert next(i for i in emu.form_items(wo_id) if i["name"] == "Seal leak check")["value"] == "FAIL"
    resolve_op(mirror, op.seq, keep="local")
    assert flush(mirror, client, policy=FAST, settle=0.0).done == 1
    assert next(i for i in emu.form_items(wo_id) if i["name"] == "Seal leak check")["value"] == "PASS"


def test_a_refused_downtime_row_is_a_dead_letter_with_upkeeps_message(fieldwork_plant):
    emu, mirror, client, _wo, _photo = fieldwork_plant
    asset = emu.dump("assets")[1]["id"]
    record_downtime(mirror, asset, "Breakdown")
    status = next(s for s in emu.dump("asset_downtime_statuses") if s["name"] == "Breakdown")
    emu.store.delete(ENTITIES["asset_downtime_statuses"], status["id"])  # deleted in UpKeep meanwhile
    report = flush(mirror, client, policy=FAST, settle=0.0)
    [op] = all_ops(mirror)
    assert report.dead == 1 and op.state == "dead"
    assert "Invalid statusCategory" in op.last_error
    assert emu.downtime_events(asset) == []
