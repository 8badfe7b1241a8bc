"""The daemon in a subprocess against the emulator: freshness, offline and back, SIGTERM, one writer.

No sleeps and no wall-clock bounds: every wait is for a condition (a row, a log line) with a
generous deadline, so the tests hold on a loaded machine.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading

import pytest
from click.testing import CliRunner
from sqlalchemy import text

from mirror.db import open_mirror
from mirror.writes import create_work_order
from sync.cli import cli
from sync.emulator import Emulator
from tests.support.waiting import wait_for

CODE = "import sys; from sync.cli import cli; sys.exit(cli(sys.argv[1:]))"


class DaemonProcess:
    """``upkeep-mirror run`` in a child process; its log is read as it comes, so tests can wait for a line."""

    def __init__(self, db, emu, *args: str, env: dict | None = None):
        email, password = emu.credentials
        env = {**os.environ, "UPKEEP_EMAIL": email, "UPKEEP_PASSWORD": password, "UPKEEP_BASE_URL": emu.base_url,
               **(env or {})}
        self.proc = subprocess.Popen(
            [sys.executable, "-c", CODE, "run", "--db", str(db), "--pull-every", "1", "--outbox-every", "0.5",
             "--probe-min", "0.5", "--probe-max", "1", *args],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.lines.append(line.rstrip("\n"))

    def count(self, pattern: str) -> int:
        return sum(1 for line in list(self.lines) if re.search(pattern, line))

    def wait_for_line(self, pattern: str, timeout: float = 60, *, after: int = 0) -> None:
        """Until the log has more than ``after`` lines matching ``pattern``."""
        wait_for(lambda: self.count(pattern) > after or self.proc.poll() is not None, timeout, pattern)
        assert self.count(pattern) > after, "\n".join(self.lines)

    def stop(self) -> str:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=60)
        self._reader.join(10)
        return "\n".join(self.lines)

    @property
    def returncode(self) -> int | None:
        return self.proc.returncode


def start_daemon(db, emu, *args: str, env: dict | None = None) -> DaemonProcess:
    return DaemonProcess(db, emu, *args, env=env)


def scalar(db, sql: str, **params):
    with open_mirror(db) as m, m.session() as s:
        return s.execute(text(sql), params).scalar()


def stop(daemon: DaemonProcess) -> str:
    return daemon.stop()


@pytest.fixture
def emu_account() -> dict[str, int]:
    """``emu`` (tests/conftest.py) here."""
    return {"seed": 4, "work_orders": 300}


def test_remote_change_reaches_the_mirror_within_a_pull_interval(tmp_path, emu):
    db = tmp_path / "m.db"
    daemon = start_daemon(db, emu)
    try:
        wait_for(lambda: db.exists() and scalar(db, "SELECT count(*) FROM work_orders") == 300, 30, "first pull")
        victim = emu.dump("work_orders")[0]["id"]
        runs_before = scalar(db, "SELECT max(id) FROM sync_runs")
        emu.mutate(op="update", entity="work_orders", id=victim, fields={"title": "Realign conveyor C-3"})
        wait_for(lambda: scalar(db, "SELECT title FROM work_orders WHERE id = :i", i=victim)
                 == "Realign conveyor C-3", 60, "the change")
        # Brought by a later scheduled pull, incrementally: a few rows, not the whole list again.
        assert scalar(db, "SELECT count(*) FROM sync_runs WHERE id > :r AND entity = 'work_orders' "
                          "AND mode = 'incremental' AND fetched BETWEEN 1 AND 50", r=runs_before) >= 1
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
        probes = daemon.count("still unreachable")
        daemon.wait_for_line("still unreachable", after=probes + 1)  # two probe cycles with the write queued
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
                 == 1, 60, "a pull after the flush")
        assert scalar(db, "SELECT online FROM connectivity") == 1
        assert scalar(db, "SELECT count(*) FROM work_orders WHERE id LIKE 'local-%'") == 0
    finally:
        out = stop(daemon)
    assert daemon.returncode == 0, out
    assert out.count("UpKeep unreachable, working offline") == 1, out
    back = [line for line in out.splitlines() if "back online after" in line]
    assert len(back) == 1 and " INFO " in back[0] and back[0].endswith("; 1 write sent"), out
    assert "apscheduler" not in out and "maximum number of running instances" not in out
    assert "HTTP Request" not in out  # httpx's line per request is not the daemon's log


def test_sigterm_during_a_sync_leaves_a_consistent_mirror_that_the_next_run_continues(tmp_path):
    """SIGTERM lands right after the first batch of work orders is committed (a test hook sends it).

    A first sync bulk-loads work orders 2,000 to a transaction: 5,000 make a first batch that is
    not the whole listing."""
    db = tmp_path / "m.db"
    total = 5000
    with Emulator(seed=6, work_orders=total) as emu:
        daemon = start_daemon(db, emu, env={"UPKEEP_MIRROR_TEST_CRASH_AFTER": "pull:work_orders:1",
                                            "UPKEEP_MIRROR_TEST_CRASH_SIGNAL": "TERM"})
        daemon.proc.wait(timeout=120)  # it stops by itself, on the signal it sends itself
        out = stop(daemon)
        assert daemon.returncode == 0, out
        partial = scalar(db, "SELECT count(*) FROM work_orders")
        assert 0 < partial < total, "the daemon stopped after the batch in progress, not after the whole sync"
        assert scalar(db, "SELECT error FROM sync_runs WHERE entity = 'work_orders'").startswith("stopped")
        assert scalar(db, "PRAGMA integrity_check") == "ok"
        emu.stats.reset()
        daemon = start_daemon(db, emu)
        try:
            wait_for(lambda: scalar(db, "SELECT count(*) FROM work_orders") == total, 120, "the sync to finish")
        finally:
            stop(daemon)
        pages = emu.stats.snapshot()["routes"].get("GET /api/v2/work-orders", 0)
        assert pages < total // 100, "the second daemon continued rather than starting over"


def test_a_second_daemon_on_the_same_file_is_refused(tmp_path, emu):
    db = tmp_path / "m.db"
    first = start_daemon(db, emu)
    try:
        wait_for(lambda: db.exists() and scalar(db, "SELECT daemon_pid FROM connectivity"), 30, "the first daemon")
        second = start_daemon(db, emu)
        second.proc.wait(timeout=60)
        out = second.stop()
        assert second.returncode == 1
        assert "in use by upkeep-mirror run (pid" in out and "Traceback" not in out
    finally:
        stop(first)


def test_a_403_on_users_is_no_connectivity_alarm_after_a_network_cut(tmp_path, emu):
    """A technician's account may not list users (403): after a cut the probe still sees UpKeep answer,
    ``status`` says online with nothing FAILING, and the 403 stays the users pull's own error."""
    emu.set_faults(forbidden_entities=["users"])
    db = tmp_path / "m.db"
    daemon = start_daemon(db, emu)
    try:
        wait_for(lambda: db.exists() and scalar(db, "SELECT count(*) FROM work_orders") == 300, 30, "first pull")
        emu.set_offline(True)
        wait_for(lambda: scalar(db, "SELECT online FROM connectivity") == 0, 20, "offline to be noticed")
        daemon.wait_for_line("still unreachable")
        emu.set_offline(False)
        daemon.wait_for_line("back online after")
        runs = scalar(db, "SELECT max(id) FROM sync_runs")
        wait_for(lambda: scalar(db, "SELECT count(*) FROM sync_runs WHERE id > :r AND entity = 'work_orders' "
                                    "AND finished_at IS NOT NULL", r=runs), 60, "a pull after the cut")
        assert (scalar(db, "SELECT online FROM connectivity"), scalar(db, "SELECT fatal_error FROM connectivity")) \
            == (1, None)
        shown = CliRunner().invoke(cli, ["status", "--db", str(db)]).output
        assert "UpKeep: online" in shown and "FAILING" not in shown, shown
        users = next(line for line in shown.splitlines() if line.startswith("users "))
        assert "error: GET /api/v2/users" in users and "HTTP 403" in users, shown
        assert "403" not in scalar(db, "SELECT coalesce(last_error, '') FROM connectivity")
    finally:
        out = stop(daemon)
    assert daemon.returncode == 0, out
    assert emu.stats.snapshot()["statuses"].get("403", 0) >= 2  # the users pull before and after the cut


def test_a_daemon_logs_in_once_for_all_its_jobs_and_logs_out_once_on_sigterm(tmp_path, emu):
    db = tmp_path / "m.db"
    emu.set_offline(True)  # the first pull fails: the probe, the outbox and the pull jobs all run
    daemon = start_daemon(db, emu)
    try:
        daemon.wait_for_line("still unreachable")
        emu.set_offline(False)
        daemon.wait_for_line("back online after")
        wait_for(lambda: scalar(db, "SELECT count(*) FROM work_orders") == 300, 60, "a pull")
        assert emu.stats.snapshot()["routes"].get("POST /api/v2/auth") == 1
    finally:
        out = stop(daemon)
    assert daemon.returncode == 0, out
    routes = emu.stats.snapshot()["routes"]
    assert (routes.get("POST /api/v2/auth"), routes.get("DELETE /api/v2/auth")) == (1, 1), routes
    assert emu.stats.snapshot()["statuses"].get("401", 0) == 0
    assert "logged out of UpKeep" in out
    assert not re.search(r"r:[0-9a-f]{32}", out)  # no session token (r:<hex>) in the log
