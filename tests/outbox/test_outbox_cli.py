"""The write and outbox commands, end to end on a mirror file and the emulator."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner
from sqlmodel import select

from mirror import connectivity
from mirror.schema import MeterRow, SparePartRow, WorkOrderRow
from sync.cli import cli
from sync.cli import outbox as outbox_cli
from tests.support.retries import FAST


@pytest.fixture
def run(synced, emu, monkeypatch):
    email, password = emu.credentials
    monkeypatch.setenv("UPKEEP_MIRROR_DB", str(synced.path))
    monkeypatch.setenv("UPKEEP_EMAIL", email)
    monkeypatch.setenv("UPKEEP_PASSWORD", password)
    monkeypatch.setenv("UPKEEP_BASE_URL", emu.base_url)
    monkeypatch.setenv("XDG_CONFIG_HOME", "/nonexistent")
    monkeypatch.setenv("UPKEEP_MIRROR_CREATES_PER_MINUTE", "0")  # unpaced: every create in one flush
    monkeypatch.setattr(outbox_cli, "FLUSH_RETRIES", FAST)
    monkeypatch.setattr(outbox_cli, "SETTLE_SECONDS", 0.0)

    def invoke(*args: str, ok: bool = True) -> str:
        result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
        assert (result.exit_code == 0) == ok, result.output
        return result.output

    return invoke


def first(mirror, model, **where):
    with mirror.session() as s:
        stmt = select(model).where(*[getattr(model, k) == v for k, v in where.items()]).order_by(model.id)
        return s.exec(stmt).first()


def test_write_commands_queue_and_flush_sends(run, synced, emu):
    meter, part = first(synced, MeterRow), first(synced, SparePartRow)
    out = run("wo", "create", "--title", "Belt squeal on C-2", "--priority", "high", "--due", "2030-01-05")
    local = re.search(r"(local-[0-9a-f]+)", out).group(1)
    assert out.startswith("queued #1: create work_orders local-")
    run("wo", "update", local, "--status", "inProgress")
    run("wo", "message", local, "Tensioned the belt")
    run("wo", "parts", local, "--part", f"{part.sku}=2")
    run("request", "create", "--title", "Light out in bay 4")
    run("meter", "read", meter.id, "17.5")
    run("part", "count", part.id, "9")
    listing = run("outbox", "list")
    assert "outbox: 7 pending; oldest pending" in listing and listing.count(" pending ") == 7 + 1
    assert "Tensioned" in run("outbox", "show", "3")

    assert run("outbox", "flush").startswith("7 delivered (3 created, 3 updated, 1 messages)")
    assert "outbox: 7 done" in run("outbox", "list", "--all")
    wo = first(synced, WorkOrderRow, title="Belt squeal on C-2")
    assert wo.id != local and wo.upkeep_status == "inProgress" and wo.local_state == "synced"


def test_refused_writes_say_why_in_one_sentence(run, synced):
    out = run("wo", "create", "--title", "x", "--asset", "nope", ok=False)
    assert out.strip() == "Error: refused, nothing written: asset_id: no asset 'nope' in the mirror (check the id, or sync first)"
    assert "status: 'cancelled'" not in run("wo", "update", "x", "--status", "open", ok=False)
    assert "UpKeep has no cancelled status" in run("wo", "update", first(synced, WorkOrderRow).id,
                                                   "--status", "cancelled", ok=False)
    assert "expected PART=QTY" in run("wo", "parts", "x", "--part", "nope", ok=False)
    assert "there is no outbox operation 5" in run("outbox", "retry", "5", ok=False)
    assert "outbox: empty" in run("outbox", "list")


def test_conflict_is_shown_and_resolved_from_the_command_line(run, synced, emu):
    wo = first(synced, WorkOrderRow, upkeep_status="open")
    run("wo", "update", wo.id, "--status", "complete")
    emu.mutate(op="update", entity="work_orders", id=wo.id, fields={"status": "onHold"})
    assert "1 conflicts" in run("outbox", "flush")
    shown = run("outbox", "show", "1")
    assert "upkeep_status: 'open' -> 'complete' | 'onHold'" in shown
    assert "only conflict operations can be resolved" not in run("outbox", "resolve", "1", "--keep-remote")
    assert "keep-remote" in run("outbox", "show", "1")
    assert emu.get("work_orders", wo.id)["status"] == "onHold"
    run("outbox", "resolve", "1", "--keep-local", ok=False)


def test_flush_while_offline_keeps_everything_queued(run, synced, emu):
    run("wo", "update", first(synced, WorkOrderRow).id, "--title", "Offline edit")
    emu.set_offline(True)
    out = run("outbox", "flush", ok=False)
    assert "UpKeep could not be reached; the operations stay queued" in out
    assert "outbox: 1 pending" in run("outbox", "list")
    # Recorded as the daemon records it: `status` (and sync_health) say the mirror is offline.
    row = connectivity.current(synced)
    assert not row.online and row.last_error_source == "outbox flush" and row.offline_since is not None
    emu.set_offline(False)
    run("outbox", "flush")
    row = connectivity.current(synced)
    assert row.online and row.offline_since is None and row.last_flush_at is not None


def test_flush_while_another_replayer_runs_sends_nothing_and_says_so(run, synced, emu):
    """Python code (or a thread) replaying this mirror holds <mirror>.outbox.lock: one replayer at a time."""
    from mirror.lock import writer_lock
    from sync.replay import lock_path

    run("wo", "update", first(synced, WorkOrderRow).id, "--title", "Edited while another replay runs")
    requests_before = sum(emu.stats.snapshot()["routes"].values())
    with writer_lock(lock_path(synced), "outbox replay"):
        out = run("outbox", "flush", ok=False)
    assert "nothing sent" in out and "in use by outbox replay (pid" in out and "Traceback" not in out
    assert "outbox: 1 pending" in run("outbox", "list")
    assert sum(emu.stats.snapshot()["routes"].values()) == requests_before  # not even a login
    assert run("outbox", "flush").startswith("1 delivered")
    assert emu.stats.snapshot()["routes"]["PATCH /api/v2/work-orders/{id}"] >= 1
