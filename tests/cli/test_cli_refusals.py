"""Every refusal is one sentence, exits non-zero and leaves nothing behind (issue 11 item 6, issue 12 item 4)."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import text

from mirror import writes
from mirror.db import open_mirror
from sync.cli import cli
from tests.support.cli_files import (
    clashing,
    corrupted,
    digest,
    listing,
    newer,
    refused,
    unrelated,
    unwritable_folder,
)

#: Every command that takes --db, with the arguments it needs to get as far as opening the file.
EVERY_COMMAND = [
    ["sync"], ["status"], ["run"], ["serve"],
    ["wo", "create", "--title", "Pump seal"], ["wo", "update", "WO1", "--status", "open"],
    ["wo", "message", "WO1", "hello"], ["wo", "parts", "WO1", "--part", "P1=1"],
    ["request", "create", "--title", "Noise"], ["meter", "read", "M1", "12"], ["part", "count", "P1", "3"],
    ["outbox", "list"], ["outbox", "show", "1"], ["outbox", "retry", "1"], ["outbox", "discard", "1"],
    ["outbox", "resolve", "1", "--keep-local"], ["outbox", "flush"],
]
#: Credentials present (so a command gets as far as the file) and an address nothing listens on.
ENV = {"UPKEEP_EMAIL": "tech@plant.example", "UPKEEP_PASSWORD": "x", "UPKEEP_BASE_URL": "http://127.0.0.1:9",
       "XDG_CONFIG_HOME": "/nonexistent", "UPKEEP_MIRROR_DB": None}
BAD_FILES = {"corrupted": corrupted, "unrelated SQLite": unrelated, "clashing table": clashing,
             "newer schema": newer}


@pytest.mark.parametrize("kind", list(BAD_FILES))
@pytest.mark.parametrize("command", EVERY_COMMAND, ids=" ".join)
def test_a_file_that_is_not_a_usable_mirror_is_refused_untouched(tmp_path, kind, command):
    path = BAD_FILES[kind](tmp_path / "mirror.db")
    before, files = digest(path), listing(tmp_path)
    line = refused(*command, "--db", str(path), env=ENV)
    assert str(path) in line
    expected = {"corrupted": "cannot be read as an SQLite database", "unrelated SQLite": "not an upkeep-mirror mirror",
                "clashing table": "not an upkeep-mirror mirror", "newer schema": "newer than this upkeep-mirror"}
    assert expected[kind] in line
    assert digest(path) == before and listing(tmp_path) == files  # no .lock, no -wal, no change


def test_sync_without_credentials_leaves_nothing_behind(tmp_path):
    target = tmp_path / "new" / "mirror.db"
    env = {"UPKEEP_EMAIL": None, "UPKEEP_PASSWORD": None, "UPKEEP_SESSION_TOKEN": None,
           "XDG_CONFIG_HOME": str(tmp_path / "xdg"), "UPKEEP_MIRROR_DB": None}
    for command in (["sync"], ["run"]):
        refused(*command, "--db", str(target), "--base-url", "http://127.0.0.1:9", env=env)
    assert listing(tmp_path) == []  # no folder, no empty mirror, no .lock


def test_an_unwritable_folder_is_one_sentence(tmp_path):
    folder = unwritable_folder(tmp_path)
    target = folder / "upkeep-mirror-test.db"
    line = refused("sync", "--db", str(target), env=ENV)
    assert "cannot write next to the mirror" in line or "cannot open the mirror" in line
    assert not target.exists() and not Path(f"{target}.lock").exists()
    under_a_file = tmp_path / "plain-file"
    under_a_file.write_text("not a folder")
    refused("sync", "--db", str(under_a_file / "mirror.db"), env=ENV)
    assert under_a_file.read_text() == "not a folder"


def test_commands_that_need_a_mirror_do_not_make_one(tmp_path):
    target = tmp_path / "missing.db"
    for command in EVERY_COMMAND:
        if command[0] in ("sync", "run"):
            continue
        line = refused(*command, "--db", str(target), env=ENV)
        assert "There is no mirror at" in line and "upkeep-mirror sync" in line
    assert listing(tmp_path) == []


def test_serve_on_a_busy_port_is_one_sentence_before_announcing(tmp_path):
    path = tmp_path / "mirror.db"
    open_mirror(path).close()
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        line = refused("serve", "--db", str(path), "--port", str(port))
    assert f"cannot listen on 127.0.0.1:{port}" in line and "in use" in line


@pytest.mark.parametrize(("content", "expected"), [
    ('{"databases": {"mirror": {"queries": {"x": "select 1"}}}}', "must not define queries"),
    ("{not json", "is not valid JSON"),
    ('["a list"]', "must hold a JSON object"),
    ('{"databases": ["mirror"]}', "does not have Datasette's shape"),
])
def test_bad_metadata_is_one_sentence(tmp_path, content, expected):
    path = tmp_path / "mirror.db"
    open_mirror(path).close()
    metadata = tmp_path / "metadata.json"
    metadata.write_text(content)
    before = digest(path)
    assert expected in refused("serve", "--db", str(path), "--metadata", str(metadata))
    assert digest(path) == before


def test_over_long_input_is_refused_by_the_cli_before_anything_is_queued(tmp_path):
    path = tmp_path / "mirror.db"
    open_mirror(path).close()
    title = "x" * (writes.LIMITS["title"] + 1)
    line = refused("wo", "create", "--db", str(path), "--title", title)
    assert f"title: at most {writes.LIMITS['title']} characters" in line and len(line) < 200
    with open_mirror(path) as m, m.session() as s:
        assert s.execute(text("SELECT count(*) FROM outbox")).scalar() == 0
        assert s.execute(text("SELECT count(*) FROM work_orders")).scalar() == 0


def test_every_limit_is_stated_in_the_help_of_every_write_command():
    for command in (["wo", "create"], ["wo", "update"], ["wo", "message"], ["wo", "parts"], ["request", "create"],
                    ["meter", "read"], ["part", "count"]):
        shown = " ".join(CliRunner().invoke(cli, [*command, "--help"]).output.split())
        for value in (writes.LIMITS["title"], writes.LIMITS["description"], writes.LIMITS["text"]):
            assert f"{value:,}" in shown, (command, value)


def test_db_help_says_what_each_command_does_with_the_file():
    def db_help(*command: str) -> str:
        return " ".join(CliRunner().invoke(cli, [*command, "--help"]).output.split())

    for command in (["sync"], ["run"]):
        assert "created if missing" in db_help(*command)
    for command in (["status"], ["serve"], ["wo", "create"], ["outbox", "list"], ["outbox", "flush"], ["meter", "read"]):
        shown = db_help(*command)
        assert "created if missing" not in shown and "never created" in shown, command
