"""The daemon in a subprocess against the emulator: freshness, offline and back, SIGTERM, one writer."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable

import pytest
from click.testing import CliRunner
from sqlalchemy import text

from mirror.db import open_mirror
from mirror.writes import create_work_order
from sync.cli import cli
from sync.emulator import Emulator

CODE = "import sys; from sync.cli import cli; sys.exit(cli(sys.argv[1:]))"


def start_daemon(db, emu, *args: str) -> subprocess.Popen:
    email, password = emu.credentials
    env = {**os.environ, "UPKEEP_EMAIL": email, "UPKEEP_PASSWORD": password, "UPKEEP_BASE_URL": emu.base_url}
    return subprocess.Popen(
        [sys.executable, "-c", CODE, "run", "--db", str(db), "--pull-every", "1", "--outbox-every", "0.5",
         "--probe-min", "0.5", "--probe-max", "1", *args],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )


def wait_for(predicate: Callable[[], object], timeout: float, what: str) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if predicate():
            return time.monotonic() - started
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def scalar(db, sql: str, **params):
    with open_mirror(db) as m, m.session() as s:
        return s.execute(text(sql), params).scalar()


def stop(proc: subprocess.Popen) -> str:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
    out, _ = proc.communicate(timeout=30)
    return out


@pytest.fixture
def emu():
    with Emulator(seed=4, work_orders=300) as emulator:
        yield emulator


def test_remote_change_reaches_the_mirror_within_a_pull_interval(tmp_path, emu):
    db = tmp_path / "m.db"
    daemon = start_daemon(db, emu)
    try:
        wait_for(lambda: db.exists() and scalar(db, "SELECT count(*) FROM work_orders") == 300, 30, "first pull")
        victim = emu.dump("work_orders")[0]["id"]
        emu.mutate(op="update", entity="work_orders", id=victim, fields={"title": "Realign conveyor C-3"})
        elapsed = wait_for(lambda: scalar(db, "SELECT title FROM work_orders WHERE id = :i", i=victim)
                           == "Realign conveyor C-3", 15, "the change")
        assert elapsed < 5  # pull interval 1 s plus jitter and the pull itself
    finally:
        out = stop(daemon)
    assert daemon.returncode == 0, out


def test_offline_then_back_flushes_the_outbox_then_pulls(tmp_path, emu):
    db = tmp_path / "m.db"
    daemon = start_daemon(db, emu)
    try:
        wait_for(lambda: db.exists() and scalar(db, "SELECT count(*) FROM work_orders") == 300, 30, "first pull")
        emu.set_offline(True)
        wait_for(lambda: scalar(db, "SELECT online FROM connectivity") == 0, 20, "offline to be noticed")
        assert scalar(db, "SELECT offline_since FROM connectivity") is not None
        with open_mirror(db) as mirror:
            queued = create_work_order(mirror, title="Leak at pump P-7 seal", description="written offline")
        assert queued.record_id.startswith("local-")
        time.sleep(1.5)  # a flush attempt while offline must not lose or send it
        assert scalar(db, "SELECT state FROM outbox WHERE seq = :s", s=queued.seq) == "pending"
        shown = CliRunner().invoke(cli, ["status", "--db", str(db)]).output
        assert "UpKeep: OFFLINE since" in shown and "Local writes: 1 waiting" in shown
        remote_before = len(emu.dump("work_orders"))
        emu.mutate(op="update", entity="work_orders", id=emu.dump("work_orders")[1]["id"],
                   fields={"title": "Changed while we were offline"})
        emu.set_offline(False)
        wait_for(lambda: scalar(db, "SELECT state FROM outbox WHERE seq = :s", s=queued.seq) == "done", 20,
                 "the outbox to be flushed")
        assert len(emu.dump("work_orders")) == remote_before + 1
        wait_for(lambda: scalar(db, "SELECT count(*) FROM work_orders WHERE title = 'Changed while we were offline'")
                 == 1, 20, "a pull after the flush")
        assert scalar(db, "SELECT online FROM connectivity") == 1
        assert scalar(db, "SELECT count(*) FROM work_orders WHERE id LIKE 'local-%'") == 0
    finally:
        out = stop(daemon)
    assert daemon.returncode == 0, out
    assert "working offline" in out and "reachable again" in out


def test_sigterm_during_a_sync_leaves_a_consistent_mirror_that_the_next_run_continues(tmp_path):
    db = tmp_path / "m.db"
    with Emulator(seed=6, work_orders=2000) as emu:
        emu.set_faults(latency_ms=15)
        daemon = start_daemon(db, emu)
        wait_for(lambda: db.exists() and (scalar(db, "SELECT count(*) FROM work_orders") or 0) > 0, 60,
                 "work orders to start arriving")
        started = time.monotonic()
        out = stop(daemon)
        assert daemon.returncode == 0, out
        assert time.monotonic() - started < 10, "stopping must not wait for the whole sync"
        partial = scalar(db, "SELECT count(*) FROM work_orders")
        assert 0 < partial < 2000
        assert scalar(db, "PRAGMA integrity_check") == "ok"
        emu.set_faults(latency_ms=0)
        emu.stats.reset()
        daemon = start_daemon(db, emu)
        try:
            wait_for(lambda: scalar(db, "SELECT count(*) FROM work_orders") == 2000, 60, "the sync to finish")
        finally:
            stop(daemon)
        pages = emu.stats.snapshot()["routes"].get("GET /api/v2/work-orders", 0)
        assert pages < 21 + 5, "the second daemon continued rather than starting over"


def test_a_second_daemon_on_the_same_file_is_refused(tmp_path, emu):
    db = tmp_path / "m.db"
    first = start_daemon(db, emu)
    try:
        wait_for(lambda: db.exists() and scalar(db, "SELECT daemon_pid FROM connectivity"), 30, "the first daemon")
        second = start_daemon(db, emu)
        out, _ = second.communicate(timeout=30)
        assert second.returncode == 1
        assert "in use by upkeep-mirror run (pid" in out and "Traceback" not in out
    finally:
        stop(first)
