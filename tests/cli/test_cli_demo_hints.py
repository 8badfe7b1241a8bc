"""The demo's suggestions run exactly as printed, from another folder, with the venv not on PATH."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from mirror.db import open_mirror
from sync.cli import common
from sync.cli.demo import STATE_FILE, _explain
from sync.emulator import Emulator
from sync.pull import sync_entities
from sync.pull.fieldwork import FieldworkOptions, pull_fieldwork
from sync.upkeep import Credentials, UpKeepClient

CONSOLE_SCRIPT = Path(sys.executable).parent / "upkeep-mirror"


@pytest.fixture
def demo_dir(tmp_path):
    """A demo folder as `upkeep-mirror demo` leaves it while running: a synced mirror and demo.json."""
    directory = tmp_path / "upkeep-demo"
    directory.mkdir()
    with Emulator(seed=3, work_orders=60) as emu:
        email, password = emu.credentials
        with open_mirror(directory / "mirror.db") as mirror, \
                UpKeepClient(Credentials(email=email, password=password, base_url=emu.base_url)) as client:
            # an open work order with a checklist, for the "tick an item" suggestion
            open_wo = next(w for w in emu.dump("work_orders") if w["status"] == "open")
            client.patch(f"/api/v2/work-orders/{open_wo['id']}",
                         {"formItems": [{"name": "Check seal for leaks", "type": "TASK"}]})
            assert not [r for r in sync_entities(mirror, client) if r.error]
            pull_fieldwork(mirror, client, FieldworkOptions(content=False))
        (directory / STATE_FILE).write_text(json.dumps({"emulator": emu.base_url, "datasette": 8001}))
        yield directory, emu


def printed_commands(directory: Path, capsys) -> list[str]:
    with open_mirror(directory / "mirror.db") as mirror:
        _explain(directory, directory / "mirror.db", 8001, mirror)
    shown = capsys.readouterr().out
    return [line.strip() for line in shown.splitlines() if " wo " in line or " demo-network " in line]


@pytest.mark.parametrize("how", ["console script", "python -m"])
def test_every_printed_command_runs_as_printed(demo_dir, capsys, monkeypatch, tmp_path, how):
    directory, emu = demo_dir
    if how == "console script":
        assert CONSOLE_SCRIPT.exists()
        monkeypatch.setattr(sys, "argv", [str(CONSOLE_SCRIPT)])
    else:  # neither the invoked path nor PATH knows upkeep-mirror
        monkeypatch.setattr(sys, "argv", ["pytest"])
        monkeypatch.setattr(common.shutil, "which", lambda _name: None)
    commands = printed_commands(directory, capsys)
    assert len(commands) == 6, commands
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "PATH": "/usr/bin:/bin"}
    env.pop("UPKEEP_MIRROR_DB", None)
    env.pop("UPKEEP_MIRROR_DEMO_DIR", None)
    run = commands if how == "console script" else commands[:1]  # the fallback: one is enough
    for command in run:
        done = subprocess.run(shlex.split(command), cwd=elsewhere, env=env, capture_output=True, text=True,
                              timeout=120)
        assert done.returncode == 0, f"{command}\n{done.stdout}{done.stderr}"
        if "demo-network off" in command:
            with pytest.raises(httpx.HTTPError):  # the emulated UpKeep is now unreachable
                httpx.post(f"{emu.base_url}/api/v2/auth", timeout=5).raise_for_status()
    with open_mirror(directory / "mirror.db") as mirror, mirror.session() as s:
        from sqlalchemy import text

        kinds = s.execute(text("SELECT kind FROM outbox ORDER BY seq")).scalars().all()
    assert kinds == (["update", "create", "task_value", "attach"] if how == "console script" else ["update"])
