"""The bulk path of a first sync: killed between any two steps, the file stays consistent and resumes.

A child process runs the sync and kills itself (``os._exit``, no clean-up) right after a chosen
step of the work orders' bulk load: the drop of indexes and triggers, a batch of rows, the
rebuild. The file is then inspected as a reader would see it, opened by a writer (which puts
back what is missing), synced again, and compared with UpKeep and with a mirror migrated from
scratch: same indexes and triggers, full-text index equal to its table.
"""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from mirror.db import open_mirror
from sync.emulator import Emulator
from sync.pull import PullOptions, sync_entities
from tests.support.pull import assert_converged
from tests.support.retries import FAST_PATIENT
from tests.support.upkeep import upkeep_client

_CHILD = """
import os, sys
import sync.pull._run as pull
from mirror.db import open_mirror
from sync.upkeep import Credentials, UpKeepClient

db, url, step, nth = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
seen = []

def hook(name, table):
    if table == "work_orders" and name == step:
        seen.append(name)
        if len(seen) == nth:
            os._exit(9)  # killed: no commit, no clean-up

pull.on_bulk_step = hook
with UpKeepClient(Credentials(email="demo@upkeep.local", password="demo", base_url=url)) as client, \\
        open_mirror(db) as mirror:
    pull.sync_entities(mirror, client, options=pull.PullOptions(page_size=50, windows=4, bulk_batch_rows=300))
sys.exit(3)  # the step never came
"""


def _schema(path) -> set[tuple[str, str, str]]:
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return set(con.execute("SELECT type, name, sql FROM sqlite_master WHERE type IN ('index', 'trigger') "
                               "AND sql IS NOT NULL"))
    finally:
        con.close()


def _indexed_by() -> set[str]:
    """The work-order indexes the named queries name with ``INDEXED BY``."""
    found = set()
    for sql in (Path(__file__).parents[2] / "queries" / "sql").glob("*.sql"):
        found |= set(re.findall(r"work_orders \w+ INDEXED BY (\w+)", sql.read_text()))
    return found


def _fts_ok(con: sqlite3.Connection) -> None:
    """FTS5's own check of each full-text index against its table's content (raises if they differ)."""
    for fts in ("work_orders_fts", "spare_parts_fts"):
        con.execute(f"INSERT INTO {fts} ({fts}, rank) VALUES ('integrity-check', 1)")


@pytest.fixture(scope="module")
def fresh_schema(tmp_path_factory):
    path = tmp_path_factory.mktemp("fresh") / "fresh.db"
    open_mirror(path).close()
    return _schema(path)


@pytest.mark.parametrize(("step", "nth"), [("begun", 1), ("batch", 1), ("batch", 3), ("finished", 1)])
def test_killed_after_a_bulk_step_the_file_is_consistent_and_resumes(tmp_path, fresh_schema, step, nth):
    db = tmp_path / "m.db"
    with Emulator(seed=21, work_orders=1500) as emu:
        child = subprocess.run([sys.executable, "-c", _CHILD, str(db), emu.base_url, step, str(nth)],
                               capture_output=True, text=True, env={**os.environ, "PYTHONPATH": os.getcwd()})
        assert child.returncode == 9, child.stderr[-2000:]

        # What a reader (serve) sees right after the kill.
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        pending = dict(con.execute("SELECT name, kind FROM bulk_loads WHERE tbl = 'work_orders'").fetchall())
        names = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE tbl_name = 'work_orders'")}
        rows = con.execute("SELECT count(*) FROM work_orders").fetchone()[0]
        if step == "finished":
            assert not pending and "ix_work_orders_status" in names
            check = sqlite3.connect(db)  # FTS5's integrity-check is an INSERT: it wants a writable handle
            _fts_ok(check)
            check.close()
        else:
            assert pending["work_orders_fts"] == "fts" and "work_orders_fts_insert" in pending
            assert "ix_work_orders_status" in pending and "ix_work_orders_status" not in names
            # Every index a named query asks for with INDEXED BY stays (partial and covering ones),
            # so the reports answer throughout a first sync.
            assert _indexed_by() and _indexed_by() <= names
            # The full-text index is empty while its triggers are away, never out of step with
            # the rows: a search finds nothing rather than the wrong work orders.
            assert con.execute("SELECT count(*) FROM work_orders_fts WHERE work_orders_fts MATCH 'pump'"
                               ).fetchone()[0] == 0
            assert (rows > 0) == (step == "batch")
        con.close()

        # Opening the mirror to write puts back whatever a crash left missing...
        with open_mirror(db) as mirror:
            with mirror.session() as s:
                assert s.execute(text("SELECT count(*) FROM bulk_loads")).scalar() == 0
            assert _schema(db) == fresh_schema
            # ... and the next sync resumes and converges.
            emu.stats.reset()
            with upkeep_client(emu, FAST_PATIENT) as client:
                results = sync_entities(mirror, client, options=PullOptions(page_size=50, windows=4))
            assert all(r.finished for r in results), [r.error for r in results if r.error]
            assert_converged(mirror, emu)
            if step != "begun":  # windows resumed where they stopped, not from the start
                assert next(r for r in results if r.entity == "work_orders").fetched < 1500
        assert _schema(db) == fresh_schema
        con = sqlite3.connect(db)
        _fts_ok(con)
        assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        con.close()


def test_a_bulk_loaded_first_sync_ends_with_every_index_and_a_correct_full_text_index(tmp_path, fresh_schema):
    db = tmp_path / "m.db"
    steps = []
    import sync.pull._run as pull

    pull.on_bulk_step = lambda name, table: steps.append((name, table))
    try:
        with Emulator(seed=22, work_orders=1200) as emu, open_mirror(db) as mirror, upkeep_client(emu, FAST_PATIENT) as client:
            results = sync_entities(mirror, client, options=PullOptions(page_size=50, windows=4))
            assert all(r.finished for r in results)
            assert_converged(mirror, emu)
            title = emu.dump("work_orders")[7]["title"]
    finally:
        pull.on_bulk_step = None
    assert ("begun", "work_orders") in steps and ("finished", "work_orders") in steps
    assert ("begun", "assets") in steps  # the other big listings of a first sync go the same way
    assert _schema(db) == fresh_schema
    con = sqlite3.connect(db)
    _fts_ok(con)
    word = next(w for w in title.split() if w.isalpha() and len(w) > 3)
    found = con.execute("SELECT count(*) FROM work_orders_fts WHERE work_orders_fts MATCH ?", (word,)).fetchone()[0]
    expected = con.execute("SELECT count(*) FROM work_orders WHERE title LIKE ? OR description LIKE ?",
                           (f"%{word}%", f"%{word}%")).fetchone()[0]
    assert 0 < found <= expected  # stemming may only match a subset of substring hits
    con.close()


def test_an_incremental_sync_into_a_full_table_takes_the_ordinary_path(mirror, emu, client):
    import sync.pull._run as pull

    sync_entities(mirror, client)
    steps = []
    pull.on_bulk_step = lambda name, table: steps.append((name, table))
    try:
        emu.mutate(30)
        sync_entities(mirror, client, options=PullOptions(page_size=50))
        sync_entities(mirror, client, ["work_orders"], PullOptions(page_size=50, full=True))
    finally:
        pull.on_bulk_step = None
    assert steps and not [s for s in steps if s[0] == "begun"]  # tables with rows keep their indexes
    assert_converged(mirror, emu)


def test_a_full_sync_into_a_new_mirror_is_bulk_loaded_too(tmp_path, fresh_schema):
    import sync.pull._run as pull

    steps = []
    pull.on_bulk_step = lambda name, table: steps.append((name, table))
    try:
        with Emulator(seed=23, work_orders=1200) as emu, open_mirror(tmp_path / "m.db") as mirror, \
                upkeep_client(emu, FAST_PATIENT) as client:
            results = sync_entities(mirror, client, options=PullOptions(page_size=50, windows=4, full=True))
            assert all(r.finished for r in results) and results[0].mode == "full"
            assert_converged(mirror, emu)
    finally:
        pull.on_bulk_step = None
    assert ("begun", "work_orders") in steps and ("finished", "work_orders") in steps
    assert _schema(tmp_path / "m.db") == fresh_schema
