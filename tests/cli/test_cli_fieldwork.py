"""``wo task``, ``wo attach`` and ``asset downtime`` on the command line: queued with one line, or
refused in one sentence with nothing written."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from sqlalchemy import text

from mirror.db import open_mirror
from mirror.fieldwork_store import replace_tasks, sync_settings
from mirror.schema import MIRRORED
from mirror.store import upsert_rows
from sync.cli import cli
from sync.mapping import map_form_items, transform
from tests.support.recorded import recorded

WO = "HW2I379ErS"


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "mirror.db"
    with open_mirror(path) as m, m.write() as s:
        for entity in MIRRORED:
            upsert_rows(s, entity, [transform(entity, o) for o in recorded(entity)])
        sync_settings(s, "asset_downtime_statuses",
                      [transform("asset_downtime_statuses", o) for o in recorded("asset_downtime_statuses")],
                      complete=True)
        replace_tasks(s, WO, map_form_items(WO, recorded("work_order_tasks")), upkeep_updated_at=None)
    return path


def _ops(db) -> list[tuple]:
    with open_mirror(db) as m, m.session() as s:
        return s.execute(text("SELECT seq, kind, entity, record_id FROM outbox ORDER BY seq")).all()


def test_three_writes_are_queued(db, tmp_path):
    photo = tmp_path / "seal.png"
    photo.write_bytes(b"\x89PNG\r\n\x1a\nphoto")
    asset = recorded("assets")[1]["id"]
    runner = CliRunner()
    for args in (["wo", "task", WO, "Shift", "--value", "2nd"],
                 ["wo", "attach", WO, str(photo)],
                 ["asset", "downtime", asset, "--status", "Under Maintenance", "--at", "2026-01-02T08:00:00Z"]):
        result = runner.invoke(cli, [*args, "--db", str(db)])
        assert result.exit_code == 0, result.output
        assert result.output.startswith("queued #")
    assert [(k, e, r) for _, k, e, r in _ops(db)] == [
        ("task_value", "work_orders", WO), ("attach", "work_orders", WO), ("downtime", "assets", asset)]


@pytest.mark.parametrize(("args", "message"), [
    (["wo", "task", WO, "Shift", "--value", "4th"], "refused, nothing written: value: choose one of 1st, 2nd, 3rd"),
    (["wo", "attach", WO, "/no/such/photo.jpg"], "refused, nothing written: path: /no/such/photo.jpg does not exist"),
    (["asset", "downtime", "nope", "--status", "available"], "refused, nothing written: asset_id: no asset 'nope'"),
    (["asset", "downtime", "nope", "--status", "available", "--at", "yesterday"], "'yesterday' is not an ISO-8601"),
])
def test_refusals_are_one_sentence_and_write_nothing(db, args, message):
    result = CliRunner().invoke(cli, [*args, "--db", str(db)])
    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output
    assert _ops(db) == []


def test_sync_pulls_field_work_and_lists_what_the_budget_left_out(tmp_path):
    from sync.emulator import Emulator

    with Emulator(seed=3, work_orders=300) as emu:
        env = {"UPKEEP_EMAIL": emu.email, "UPKEEP_PASSWORD": emu.password}
        db = tmp_path / "m.db"
        result = CliRunner().invoke(cli, ["sync", "--db", str(db), "--base-url", emu.base_url,
                                          "--files-budget", "5"], env=env)
        assert result.exit_code == 0, result.output
        with open_mirror(db) as m, m.session() as s:
            skipped = s.execute(text("SELECT filename, size_bytes FROM files WHERE content_state = 'skipped' "
                                     "ORDER BY size_bytes DESC")).all()
            stored = s.execute(text("SELECT coalesce(sum(size_bytes), 0) FROM files "
                                    "WHERE content_state = 'stored'")).scalar()
    assert skipped and stored <= 5 * 1024 * 1024
    assert f"{len(skipped)} file(s) left out by the 5 MB files budget" in result.output
    assert skipped[0].filename in result.output  # the largest is named first
    for line in ("form_templates", "asset_downtime_statuses", "custom_fields_assets", "files", "work_order_tasks",
                 "file content"):
        assert line in result.output
