"""Commands load lazily: --help lists every command without importing one, and `sync` never imports
Datasette or APScheduler, nor SQLAlchemy, SQLModel or pydantic: it writes through plain sqlite3 (checked in a
fresh interpreter's sys.modules). Timings and peak RSS: tests/benchmarks/bench_startup.py."""

from __future__ import annotations

import json
import subprocess
import sys

import click
import pytest

from sync.cli import COMMANDS, cli
from sync.emulator import Emulator

HEAVY = ("datasette", "apscheduler", "uvicorn", "sync.daemon")
#: What ``sync`` leaves out on top: the ORM layer (~35 MB, the bulk of a sync's memory when it was loaded).
ORM = ("sqlalchemy", "sqlmodel", "pydantic", "mirror.schema", "mirror.outbox")


def modules_after(code: str) -> set[str]:
    """The modules a fresh interpreter has loaded after running ``code`` (which may exit)."""
    probe = (
        "import atexit, json, sys\n"
        "atexit.register(lambda: print('MODULES=' + json.dumps(sorted(sys.modules))))\n" + code
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    line = next(line for line in done.stdout.splitlines() if line.startswith("MODULES="))
    return set(json.loads(line.removeprefix("MODULES=")))


def test_the_registry_short_help_is_each_commands_own():
    context = click.Context(cli)
    assert cli.list_commands(context) == list(COMMANDS)
    for name, (_target, short) in COMMANDS.items():
        command = cli.get_command(context, name)
        assert command is not None and command.name == name
        assert short == command.help.split("\n\n")[0].strip(), f"COMMANDS[{name!r}] drifted from its docstring"


def test_help_lists_every_command_without_importing_any():
    loaded = modules_after("from sync.cli import cli\ncli(['--help'])")
    assert not {m for m in loaded if m.startswith(("sync.cli.", "sync.emulator", "mirror", "queries"))} - {
        "sync.cli.__init__"}
    assert not {m for m in loaded for h in HEAVY if m == h or m.startswith(h + ".")}
    listing = subprocess.run([sys.executable, "-m", "sync.cli", "--help"], capture_output=True, text=True).stdout
    for name in COMMANDS:
        assert f"\n  {name} " in listing


@pytest.fixture(scope="module")
def module_emu():
    """One account for both runs below (unlike ``emu``, one per test): the second syncs it again."""
    with Emulator(seed=2, work_orders=40) as emulator:
        yield emulator


@pytest.mark.parametrize("run", ["first", "no change"])
def test_sync_never_imports_datasette_apscheduler_or_the_orm(module_emu, tmp_path_factory, run):
    emu = module_emu
    email, password = emu.credentials
    db = tmp_path_factory.getbasetemp() / "lazy-sync.db"  # the second run finds the first one's mirror
    args = ["sync", "--db", str(db), "--base-url", emu.base_url]
    code = (f"import os; os.environ.update(UPKEEP_EMAIL={email!r}, UPKEEP_PASSWORD={password!r}, "
            f"XDG_CONFIG_HOME='/nonexistent')\nfrom sync.cli import cli\ncli({args!r})")
    loaded = modules_after(code)
    assert "sync.pull._run" in loaded and "sync.pull.fieldwork" in loaded and "httpx" in loaded  # it did sync
    assert db.exists()
    heavy = sorted(m for m in loaded for h in HEAVY + ORM if m == h or m.startswith(h + "."))
    assert not heavy, heavy


def test_adding_a_command_is_one_registry_line(monkeypatch):
    monkeypatch.setitem(COMMANDS, "hello", ("tests_cli_extra:hello", "Say hello."))
    module = type(sys)("tests_cli_extra")
    module.hello = click.Command("hello", help="Say hello.", callback=lambda: click.echo("hello"))
    monkeypatch.setitem(sys.modules, "tests_cli_extra", module)
    from click.testing import CliRunner

    assert "Say hello." in CliRunner().invoke(cli, ["--help"]).output
    assert CliRunner().invoke(cli, ["hello"]).output == "hello\n"
    cli.commands.pop("hello", None)


def test_the_mapping_worker_imports_only_the_mapping():
    """The worker process maps pages and nothing else: importing it through its packages must not load the
    HTTP client, the pull's run or the ORM (each would add megabytes to every first sync's second process)."""
    loaded = modules_after("import sync.pull._map_worker")
    assert "sync.mapping" in loaded
    assert not {m for m in loaded if m.startswith(("httpx", "sync.upkeep._client", "sync.pull._run", *ORM))}
