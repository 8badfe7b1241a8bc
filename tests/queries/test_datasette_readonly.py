"""Datasette serves the mirror read-only, and sees the sync's commits as they land (WAL)."""

from __future__ import annotations

import asyncio
import sqlite3
from urllib.parse import quote

import pytest
from sqlalchemy import text

from mirror.store import upsert_rows

WRITES = [
    ("INSERT INTO users (id, raw, local_state, name, email, first_name, last_name, job_title) "
     "VALUES ('intruder', '{}', 'synced', 'x', '', '', '', '')"),
    "UPDATE work_orders SET title = 'hacked'",
    "DELETE FROM work_orders",
    "DROP TABLE work_orders",
    "CREATE TABLE evil (x)",
    "REPLACE INTO teams (id, raw, local_state, name, description) VALUES ('t', '{}', 'synced', 't', '')",
    "WITH doomed AS (SELECT id FROM work_orders) DELETE FROM work_orders WHERE id IN (SELECT id FROM doomed)",
    "WITH x AS (SELECT 1) UPDATE work_orders SET title = 'hacked'",
    "SELECT 1; DELETE FROM work_orders",
    "PRAGMA journal_mode = DELETE",
    "ATTACH DATABASE '/tmp/evil.db' AS evil",
    "VACUUM",
    "INSERT INTO work_orders_fts (work_orders_fts) VALUES ('delete-all')",
]


def _fingerprint(path) -> tuple:
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        schema = con.execute("SELECT group_concat(sql, ';') FROM (SELECT sql FROM sqlite_master ORDER BY name)").fetchone()
        counts = tuple(con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("users", "work_orders", "teams"))
        titles = con.execute("SELECT group_concat(title) FROM (SELECT title FROM work_orders ORDER BY id)").fetchone()
        fts = con.execute("SELECT count(*) FROM work_orders_fts WHERE work_orders_fts MATCH 'electrode'").fetchone()
        return schema, counts, titles, fts, con.execute("PRAGMA journal_mode").fetchone()
    finally:
        con.close()


@pytest.mark.parametrize("sql", WRITES)
def test_sql_that_writes_is_refused(scratch, sql):
    before = _fingerprint(scratch.path)
    response = scratch.client.get(f"/mirror.json?sql={quote(sql)}")
    assert response.status in (400, 403), f"{sql!r} answered {response.status}"
    assert response.json["ok"] is False
    assert _fingerprint(scratch.path) == before


def test_canned_queries_cannot_be_posted_to(scratch):
    """None is a writable canned query; a POST fails (Datasette 0.65 answers 500) and changes nothing."""
    before = _fingerprint(scratch.path)
    response = scratch.client.post("/mirror/overdue_work_orders", {})
    assert response.status >= 400
    assert _fingerprint(scratch.path) == before


def test_datasette_reads_through_read_only_connections(served_plant):
    """Even a plugin handed a read connection cannot write: SQLite opened the file with mode=ro."""
    database = served_plant.client.ds.get_database("mirror")
    assert database.is_mutable  # not immutable: it must see the sync's commits
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        asyncio.run(database.execute_fn(lambda conn: conn.execute("DELETE FROM teams")))


def test_commits_of_a_concurrent_writer_show_up_and_uncommitted_ones_do_not(scratch):
    def count() -> int:
        response = scratch.client.get("/mirror.json?sql=select+count(*)+as+n+from+teams_detail&_shape=array")
        assert response.status == 200
        return response.json[0]["n"]

    before = count()
    with scratch.mirror.write() as s:  # the sync's way of writing: BEGIN IMMEDIATE, commit
        upsert_rows(s, "teams", [{"id": "qa-team-new", "raw": {"qa": 1}, "name": "Night shift"}])
    assert count() == before + 1
    # A writer holding the lock with uncommitted rows neither blocks Datasette nor shows through.
    with scratch.mirror.write() as s:
        upsert_rows(s, "teams", [{"id": "qa-team-uncommitted", "raw": {"qa": 2}, "name": "Ghosts"}])
        s.flush()
        assert s.execute(text("SELECT count(*) FROM teams")).scalar() == before + 2
        assert count() == before + 1
    assert count() == before + 2
