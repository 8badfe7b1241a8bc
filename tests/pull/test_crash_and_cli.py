"""A sync killed hard resumes where it stopped; the CLI reports, refuses a second writer, fails clearly."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time

from click.testing import CliRunner
from sqlalchemy import text

from mirror.db import open_mirror
from mirror.lock import writer_lock
from sync.cli import cli
from sync.emulator import Emulator
from tests.pull.conftest import assert_converged


def _env(emu) -> dict:
    email, password = emu.credentials
    return {**os.environ, "UPKEEP_EMAIL": email, "UPKEEP_PASSWORD": password, "UPKEEP_BASE_URL": emu.base_url}


def _sync_process(db, emu) -> subprocess.Popen:
    code = "import sys; from sync.cli import cli; sys.exit(cli(['sync', '--db', sys.argv[1], '--page-size', '50']))"
    return subprocess.Popen([sys.executable, "-c", code, str(db)], env=_env(emu),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _wo_pages(emu) -> int:
    return emu.stats.snapshot()["routes"].get("GET /api/v2/work-orders", 0)


def test_sync_killed_at_random_points_resumes_and_converges(tmp_path):
    rng = random.Random(42)
    db = tmp_path / "m.db"
    with Emulator(seed=9, work_orders=1500) as emu:
        emu.set_faults(latency_ms=4)
        kills = 0
        for _ in range(5):
            # Kill once the sync is a random number of work-order pages further (not after a
            # fixed time: start-up alone takes seconds on a loaded machine).
            target = _wo_pages(emu) + rng.randint(8, 20)  # a batch is 500 rows: 10 pages of 50
            proc = _sync_process(db, emu)
            deadline = time.monotonic() + 120
            while proc.poll() is None and _wo_pages(emu) < target and time.monotonic() < deadline:
                time.sleep(0.002)
            if proc.poll() is None:
                proc.send_signal(signal.SIGKILL)
                kills += 1
            proc.wait()
        assert kills >= 3, "the sync finished before it could be killed"
        emu.set_faults(latency_ms=0)
        emu.stats.reset()
        final = _sync_process(db, emu)
        assert final.wait(timeout=120) == 0, final.stderr.read().decode()
        with open_mirror(db) as mirror:
            assert_converged(mirror, emu)
            with mirror.session() as s:
                assert s.execute(text("PRAGMA integrity_check")).scalar() == "ok"
        pages = _wo_pages(emu)
        # It resumed rather than starting over: fewer work-order pages than a first sync makes
        # (a parallel one lists 1,500 work orders as several windows, each ending on a short page).
        emu.stats.reset()
        fresh = _sync_process(tmp_path / "fresh.db", emu)
        assert fresh.wait(timeout=120) == 0, fresh.stderr.read().decode()
        full = _wo_pages(emu)
        assert pages < full, f"the last run re-read {pages} pages, a first sync reads {full}"


def test_cli_sync_prints_one_line_per_entity_and_status_reads_them(tmp_path):
    with Emulator(seed=2, work_orders=200) as emu:
        db = tmp_path / "m.db"
        result = CliRunner().invoke(cli, ["sync", "--db", str(db)], env=_env(emu))
        assert result.exit_code == 0, result.output
        lines = [ln for ln in result.output.splitlines() if ln.strip()]
        # one line per entity, then one per field-work step (and any files the budget left out)
        assert lines[10].startswith("work_orders") and " ok " in lines[10]
        assert [ln.split()[0] for ln in lines[13:19]] == [
            "form_templates", "asset_downtime_statuses", "custom_fields_assets", "files", "work_order_tasks", "file"]
        assert "200 fetched" in lines[10]
        status = CliRunner().invoke(cli, ["status", "--db", str(db)])
        assert status.exit_code == 0 and "work_orders" in status.output and "200 fetched" in status.output


def test_cli_refuses_a_second_sync_on_the_same_file(tmp_path):
    with Emulator(seed=2, work_orders=50) as emu:
        db = tmp_path / "m.db"
        with writer_lock(db, "upkeep-mirror sync"):
            result = CliRunner().invoke(cli, ["sync", "--db", str(db)], env=_env(emu))
    assert result.exit_code == 1
    assert "in use by upkeep-mirror sync (pid" in result.output and "Traceback" not in result.output


def test_cli_failure_is_one_sentence_not_a_traceback(tmp_path):
    with Emulator(seed=2, work_orders=50) as emu:
        env = {**_env(emu), "UPKEEP_PASSWORD": "wrong"}
        result = CliRunner().invoke(cli, ["sync", "--db", str(tmp_path / "m.db")], env=env)
    assert result.exit_code == 1
    *summary, error = result.output.strip().splitlines()
    assert error.startswith("Error: users:") and "401" in error and "Traceback" not in result.output
    assert len(summary) == 1 and "FAILED" in summary[0]  # the run stopped at the first entity
    assert "wrong" not in result.output  # the password never shows
    missing = CliRunner().invoke(cli, ["sync", "--db", str(tmp_path / "m.db")],
                                 env={"UPKEEP_EMAIL": "", "UPKEEP_PASSWORD": "", "UPKEEP_SESSION_TOKEN": "",
                                      "XDG_CONFIG_HOME": str(tmp_path)})
    assert missing.exit_code == 1 and "credentials" in missing.output and "Traceback" not in missing.output
