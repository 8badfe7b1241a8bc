"""Rejects kept once per object: the bulk upsert, clearing, forgetting, and migration 7's collapse."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime, timedelta

from sqlalchemy import create_engine, text

from mirror.db import open_mirror
from mirror.migrations import migrate
from mirror.rejects import clear_rejects, forget_unlisted_rejects, payload_key, record_rejects
from mirror.sqlite import configure, transaction

T0 = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
COLUMNS = "entity, object_key, upkeep_id, field, reason, raw, run_id, sync_run_id, first_seen, last_seen, count"


def _rows(mirror) -> list[tuple]:
    with mirror.session() as s:
        return [tuple(r) for r in s.execute(text(f"SELECT {COLUMNS} FROM rejects ORDER BY entity, object_key"))]


def _reject(entity="work_orders", upkeep_id="W1", field="priority", reason="expected 0, 1, 2 or 3, got 'urgent'",
            raw=None) -> dict:
    return {"entity": entity, "upkeep_id": upkeep_id, "field": field, "reason": reason,
            "raw": raw if raw is not None else {"id": upkeep_id, "priority": "urgent"}}


def test_payload_key_is_stable_across_key_order_and_spacing():
    assert payload_key({"a": 1, "b": [1, 2]}) == payload_key(json.loads('{ "b": [1,2], "a": 1 }'))
    assert payload_key({"a": 1}) != payload_key({"a": 2})
    assert payload_key({"a": 1}).startswith("sha256:") and len(payload_key({"a": 1})) == 7 + 64


def test_same_object_seen_again_is_one_row_with_count_last_seen_and_run_updated(mirror):
    with mirror.write() as s:
        assert record_rejects(s, [_reject()], run_id="run-a", sync_run_id=1, now=T0) == 1
    later = T0 + timedelta(minutes=5)
    with mirror.write() as s:  # the same object, listed again, now broken differently
        record_rejects(s, [_reject(field="status", reason="expected open, onHold, inProgress or complete, got 'x'",
                                   raw={"id": "W1", "status": "x"})], run_id="run-b", sync_run_id=7, now=later)
    assert _rows(mirror) == [(
        "work_orders", "W1", "W1", "status", "expected open, onHold, inProgress or complete, got 'x'",
        '{"id": "W1", "status": "x"}', "run-b", 7, "2026-03-01T08:00:00.000Z", "2026-03-01T08:05:00.000Z", 2)]


def test_objects_without_id_are_keyed_by_payload_and_one_page_is_one_statement(mirror):
    nameless = {"name": "Pump", "createdAt": "2024-01-01T00:00:00Z"}
    page = [_reject("assets", None, "id", "missing or empty id", nameless),
            _reject("assets", None, "id", "missing or empty id", dict(reversed(nameless.items()))),  # same payload
            _reject("assets", None, "id", "missing or empty id", {"name": "Fan"}),
            _reject("assets", "A9", "name", "expected String, got Number 777", {"id": "A9", "name": 777})]
    statements = []

    class Counting(sqlite3.Connection):
        def execute(self, sql, *args):
            statements.append(sql)
            return super().execute(sql, *args)

        def executemany(self, sql, *args):
            statements.append(sql)
            return super().executemany(sql, *args)

    conn = configure(sqlite3.connect(mirror.path, isolation_level=None, factory=Counting))
    with transaction(conn):
        assert record_rejects(conn, page, run_id="r", sync_run_id=3, now=T0) == 4
    conn.close()
    assert len([x for x in statements if x.startswith("INSERT INTO rejects")]) == 1  # one executemany
    stamp = "2026-03-01T08:00:00.000Z"
    assert _rows(mirror) == sorted([
        ("assets", "A9", "A9", "name", "expected String, got Number 777", '{"id": "A9", "name": 777}', "r", 3,
         stamp, stamp, 1),
        ("assets", payload_key(nameless), None, "id", "missing or empty id",
         json.dumps(dict(reversed(nameless.items()))), "r", 3, stamp, stamp, 2),
        ("assets", payload_key({"name": "Fan"}), None, "id", "missing or empty id", '{"name": "Fan"}', "r", 3,
         stamp, stamp, 1),
    ], key=lambda r: (r[0], r[1]))


def test_clean_mapping_clears_and_unlisted_rejects_are_forgotten(mirror):
    with mirror.write() as s:
        record_rejects(s, [_reject(upkeep_id="W1"), _reject(upkeep_id="W2"), _reject(upkeep_id="W3"),
                           _reject("assets", None, "id", "missing or empty id", {"name": "Pump"})], now=T0)
    with mirror.write() as s:
        assert clear_rejects(s, "work_orders", ["W1", "W-other"]) == 1
        assert clear_rejects(s, "teams", ["W2"]) == 0  # another entity's id: untouched
    started = T0 + timedelta(hours=1)
    with mirror.write() as s:  # a reconciliation pass started, listed W2 (still broken), not W3
        record_rejects(s, [_reject(upkeep_id="W2")], now=started + timedelta(seconds=3))
        assert forget_unlisted_rejects(s, "work_orders", started) == 1
    assert [(r[0], r[1], r[10]) for r in _rows(mirror)] == [
        ("assets", payload_key({"name": "Pump"}), 1), ("work_orders", "W2", 2)]


def test_migration_7_collapses_existing_duplicates(tmp_path):
    path = tmp_path / "v6.db"
    engine = create_engine(f"sqlite:///{path}", connect_args={"isolation_level": None})
    with engine.connect() as conn:
        migrate(conn, target=6)
    old = [  # (entity, upkeep_id, field, reason, raw, seen_at): as version 6 recorded them, one row per sighting
        ("preventive_maintenance", "PM1", "rrinterval", "expected a number, got 'x'", {"v": 1}, "2026-01-01T00:00:00.000Z"),
        ("preventive_maintenance", "PM1", "rrinterval", "expected a number, got 'y'", {"v": 2}, "2026-01-01T00:05:00.000Z"),
        ("preventive_maintenance", "PM1", "rrinterval", "expected a number, got 'z'", {"v": 3}, "2026-01-01T00:10:00.000Z"),
        ("assets", None, "id", "missing or empty id", {"name": "Pump", "a": 1}, "2026-01-02T00:00:00.000Z"),
        ("assets", None, "id", "missing or empty id", {"a": 1, "name": "Pump"}, "2026-01-03T00:00:00.000Z"),
        ("assets", None, "id", "missing or empty id", {"name": "Fan"}, "2026-01-04T00:00:00.000Z"),
    ]
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO rejects (entity, upkeep_id, field, reason, raw, run_id, seen_at) "
                          "VALUES (:e, :i, :f, :r, :raw, NULL, :at)"),
                     [{"e": e, "i": i, "f": f, "r": r, "raw": json.dumps(raw), "at": at} for e, i, f, r, raw, at in old])
    engine.dispose()
    with open_mirror(path) as m:
        assert _rows(m) == sorted([
            ("assets", payload_key({"name": "Pump", "a": 1}), None, "id", "missing or empty id",
             '{"a": 1, "name": "Pump"}', None, None, "2026-01-02T00:00:00.000Z", "2026-01-03T00:00:00.000Z", 2),
            ("assets", payload_key({"name": "Fan"}), None, "id", "missing or empty id", '{"name": "Fan"}', None, None,
             "2026-01-04T00:00:00.000Z", "2026-01-04T00:00:00.000Z", 1),
            ("preventive_maintenance", "PM1", "PM1", "rrinterval", "expected a number, got 'z'", '{"v": 3}', None, None,
             "2026-01-01T00:00:00.000Z", "2026-01-01T00:10:00.000Z", 3),
        ], key=lambda r: (r[0], r[1]))
        with m.write() as s:  # and the hash the migration computed is the one a pull computes
            record_rejects(s, [_reject("assets", None, "id", "missing or empty id", {"name": "Fan"})])
        assert {r[1]: r[10] for r in _rows(m) if r[0] == "assets"} == {
            payload_key({"name": "Pump", "a": 1}): 2, payload_key({"name": "Fan"}): 2}
