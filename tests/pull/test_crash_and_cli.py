"""A sync killed hard resumes where it stopped; the CLI reports, refuses a second writer, fails clearly.

Kills land at chosen points (``sync.crashpoints``: the sync SIGKILLs itself after the n-th batch of
an entity, or inside its transaction), not after a guessed delay, so they hold on a loaded machine.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys

from click.testing import CliRunner
from sqlalchemy import text

from mirror.db import open_mirror
from mirror.lock import writer_lock
from mirror.schema import table_of
from sync.cli import cli
from sync.crashpoints import ENV as CRASH_ENV
from sync.emulator import Emulator
from tests.support.pull import assert_converged


def _env(emu) -> dict:
    email, password = emu.credentials
    return {**os.environ, "UPKEEP_EMAIL": email, "UPKEEP_PASSWORD": password, "UPKEEP_BASE_URL": emu.base_url}


def _sync_process(db, emu, crash_at: str | None = None) -> subprocess.Popen:
    code = "import sys; from sync.cli import cli; sys.exit(cli(['sync', '--db', sys.argv[1], '--page-size', '50']))"
    env = {**_env(emu), CRASH_ENV: crash_at} if crash_at else _env(emu)
    return subprocess.Popen([sys.executable, "-c", code, str(db)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _state(db, entity: str) -> tuple[int, int | None, int, bool]:
    """Rows of the entity, its cursor, how many runs it has, whether its last run finished."""
    with open_mirror(db) as mirror, mirror.session() as s:
        table = table_of(entity).name
        rows = s.execute(text(f"SELECT count(*) FROM {table}")).scalar()
        cursor = s.execute(text("SELECT cursor_ms FROM sync_cursors WHERE entity = :e"), {"e": entity}).scalar()
        runs = s.execute(text("SELECT count(*) FROM sync_runs WHERE entity = :e"), {"e": entity}).scalar()
        last = s.execute(text("SELECT finished_at IS NOT NULL FROM sync_runs WHERE entity = :e ORDER BY id DESC"),
                         {"e": entity}).scalar()
        return rows, cursor, runs, bool(last)


def _wo_pages(emu) -> int:
    return emu.stats.snapshot()["routes"].get("GET /api/v2/work-orders", 0)


def _kill_at(db, emu, point: str) -> None:
    proc = _sync_process(db, emu, crash_at=point)
    code = proc.wait(timeout=300)
    assert code == -signal.SIGKILL, f"the sync was not killed at {point} (exit {code}): {proc.stderr.read().decode()}"


def test_sync_killed_at_chosen_points_resumes_and_converges(tmp_path):
    """SIGKILL at page-batch boundaries chosen by a seeded draw and by hand, each landing checked.

    Entities are pulled concurrently, so another entity's run may already have begun when a kill
    lands: each check counts the runs a kill added, not the runs in the file.
    """
    rng = random.Random(42)
    db = tmp_path / "m.db"
    with Emulator(seed=9, work_orders=1500) as emu:
        # 1. After the (only) committed batch of an early entity, before its run records its end.
        early = rng.choice(["assets", "parts", "meters"])
        _kill_at(db, emu, f"pull:{early}:1")
        rows, _, runs, finished = _state(db, early)
        assert rows > 0 and runs == 1 and not finished, "killed inside the entity's run, after its page"

        # 2. After the first committed batch of work orders (10 pages of 50).
        before = _state(db, "work_orders")[2]
        _kill_at(db, emu, "pull:work_orders:1")
        wo_rows, wo_cursor, runs, finished = _state(db, "work_orders")
        assert 0 < wo_rows <= 500 and runs == before + 1 and not finished

        # 3. Inside the next batch's transaction, before its commit: nothing of it stays.
        _kill_at(db, emu, "pull:work_orders:uncommitted:1")
        rows, cursor, runs, finished = _state(db, "work_orders")
        assert (rows, cursor, runs, finished) == (wo_rows, wo_cursor, before + 2, False)

        # 4. After the next committed batch: it resumed from the cursor, so it is further on.
        _kill_at(db, emu, "pull:work_orders:1")
        rows, cursor, runs, finished = _state(db, "work_orders")
        assert wo_rows < rows < 1500 and runs == before + 3 and not finished

        emu.stats.reset()
        final = _sync_process(db, emu)
        assert final.wait(timeout=300) == 0, final.stderr.read().decode()
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
        listed = [ln for ln in status.output.splitlines() if ln.split()[:1] in (["work_order_tasks"], ["form_templates"])]
        assert len(listed) == 2 and not any("never" in ln for ln in listed), status.output  # they did succeed


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
