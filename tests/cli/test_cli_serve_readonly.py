"""`serve` opens only an existing, current mirror, read-only: the file is byte-identical after serving,
its journal mode untouched, and anything else is refused in one sentence (issue 11 item 2)."""

from __future__ import annotations

import sqlite3

import httpx
import pytest

from mirror import writes
from mirror.db import open_mirror
from tests.support.cli_files import digest, listing, older, refused
from tests.support.serving import serving


def journal_mode(path) -> str:
    """From the file header (bytes 18-19: 2 for WAL, 1 for a rollback journal), without opening it."""
    versions = path.read_bytes()[18:20]
    return {b"\x02\x02": "wal", b"\x01\x01": "delete"}[versions]


def serve_and_browse(path) -> list[int]:
    """Run `serve` for real, ask it for pages, a canned query and some SQL, and stop it."""
    with serving(path, stop_timeout=30) as base:
        return [httpx.get(f"{base}{page}", timeout=30).status_code for page in (
            "/", "/mirror", "/mirror/work_orders_detail", "/mirror/local_writes.json", "/mirror/sync_health",
            "/mirror.json?sql=select+count(*)+from+work_orders", "/mirror.json?sql=delete+from+work_orders")]


@pytest.mark.parametrize("mode", ["wal", "delete"])
def test_serving_leaves_the_file_byte_identical_and_its_journal_mode_alone(tmp_path, mode):
    path = tmp_path / "mirror.db"
    with open_mirror(path) as m:
        writes.create_work_order(m, title="Check pump P-101 seal")
    con = sqlite3.connect(path)
    con.execute(f"PRAGMA journal_mode={mode}")
    con.close()
    before = digest(path)
    statuses = serve_and_browse(path)
    assert statuses[:-1] == [200] * 6 and statuses[-1] == 400  # the write is refused
    assert digest(path) == before
    assert journal_mode(path) == mode


def test_an_older_mirror_is_not_migrated_by_serve(tmp_path):
    path = older(tmp_path / "mirror.db")
    before, files = digest(path), listing(tmp_path)
    line = refused("serve", "--db", str(path))
    assert "older than this upkeep-mirror" in line and "upkeep-mirror sync --db" in line
    assert digest(path) == before and listing(tmp_path) == files


def test_an_empty_file_is_not_a_mirror_to_serve(tmp_path):
    path = tmp_path / "mirror.db"
    path.touch()
    assert "holds no mirror yet" in refused("serve", "--db", str(path))
    assert path.stat().st_size == 0
