"""Known data for the read-side tests: a base mirror plus a small scenario layered on top.

The base is the recorded UpKeep fixtures today; once the pull sync runs against the emulator in
tests, it becomes "a mirror synced from the emulator" by changing :func:`load_base` only. The
scenario's names and ids (``Ana O'Brien``, ``Boiler 2``, ``qa-...``) are its own, so every
expectation below holds whatever the base holds: exact for queries scoped to scenario people and
assets, inclusion and exclusion for plant-wide ones.

Times are relative to the moment the scenario is written and stay well away from the boundaries
the queries draw (hours, not milliseconds), so "now" moving a little between calls changes nothing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import text

from mirror.db import Mirror
from mirror.schema import MIRRORED
from mirror.store import tombstone, upsert_rows
from mirror.timestamps import format_utc
from sync.mapping import transform
from tests.support.recorded import FIXTURES

ANA, BO = "qa-user-ana", "qa-user-bo"
BOILER, COMPRESSOR, OLD_PUMP = "qa-asset-boiler", "qa-asset-compressor", "qa-asset-old-pump"
BOILER_HOUSE = "qa-loc-boiler-house"
IGNITER, NOZZLE, GASKET, OLD_PART = "qa-part-igniter", "qa-part-nozzle", "qa-part-gasket", "qa-part-old"
#: A word only the tombstoned work order (and a tombstoned part) contain.
TOMBSTONED_WORD = "zeppelin"


def load_base(mirror: Mirror) -> None:
    """The base data: every recorded list payload, mapped and upserted like a pull would."""
    for entity in MIRRORED:
        objects = json.loads((FIXTURES / f"{entity}.json").read_text())["results"]
        with mirror.write() as s:
            upsert_rows(s, entity, [transform(entity, o) for o in objects])


@dataclass(frozen=True)
class Clock:
    now: datetime

    def ago(self, **kw: float) -> str:
        return format_utc(self.now - timedelta(**kw))

    def ahead(self, **kw: float) -> str:
        return format_utc(self.now + timedelta(**kw))


def _wo(id: str, title: str, created: str, *, status: str = "open", machina: str = "created",
        priority: int = 1, kind: str = "corrective", **extra) -> dict:
    names = {0: "low", 1: "medium", 2: "high", 3: "emergency"}
    return {"id": id, "raw": {"id": id, "qa": True}, "type": kind, "title": title,
            "upkeep_status": status, "status": machina, "upkeep_priority": priority,
            "priority": names[priority], "created_at": created, "updated_at": created, **extra}


def load_scenario(mirror: Mirror, clock: Clock) -> None:
    c = clock
    with mirror.write() as s:
        upsert_rows(s, "users", [
            {"id": ANA, "raw": {"qa": 1}, "name": "Ana O'Brien", "email": "ana@plant.example"},
            {"id": BO, "raw": {"qa": 2}, "name": "Bo Lind", "email": "bo@plant.example"},
        ])
        upsert_rows(s, "locations", [{"id": BOILER_HOUSE, "raw": {"qa": 1}, "name": "Boiler House"}])
        upsert_rows(s, "assets", [
            {"id": BOILER, "raw": {"qa": 1}, "name": "Boiler 2", "type": "static_equipment",
             "location": BOILER_HOUSE, "model": "Vitomax 200", "serial_number": "VX-200-7781"},
            {"id": COMPRESSOR, "raw": {"qa": 2}, "name": "Air Compressor C-3", "type": "rotating_equipment",
             "location": BOILER_HOUSE, "model": "GA 37"},
            {"id": OLD_PUMP, "raw": {"qa": 3}, "name": "Old Pump", "type": "rotating_equipment"},
        ])
        upsert_rows(s, "parts", [
            {"id": IGNITER, "raw": {"qa": 1}, "sku": "IGN-77", "name": "Igniter electrode",
             "description": "Spark electrode for the burner", "stock_quantity": 1, "reorder_point": 3,
             "unit_cost": 15.0, "location_id": BOILER_HOUSE},
            {"id": NOZZLE, "raw": {"qa": 2}, "sku": "NOZ-1", "name": "Burner nozzle", "stock_quantity": 5,
             "reorder_point": 5, "unit_cost": 40.0},
            {"id": GASKET, "raw": {"qa": 3}, "sku": "GSK-9", "name": "Flange gasket", "stock_quantity": 10,
             "reorder_point": 2, "unit_cost": 2.5},
            {"id": OLD_PART, "raw": {"qa": 4}, "sku": "OLD-1", "name": f"Obsolete {TOMBSTONED_WORD} valve",
             "stock_quantity": 0, "reorder_point": 4},
        ])
        upsert_rows(s, "preventive_maintenance", [
            {"id": "qa-pm-soon", "raw": {"qa": 1}, "name": "Boiler burner service", "asset_id": BOILER,
             "next_due_date": c.ahead(days=5), "assigned_to": ANA, "rrfreq": "MONTHLY", "rrinterval": 1},
            {"id": "qa-pm-later", "raw": {"qa": 2}, "name": "Compressor oil change", "asset_id": COMPRESSOR,
             "next_due_date": c.ahead(days=30)},
            {"id": "qa-pm-paused", "raw": {"qa": 3}, "name": "Paused boiler check", "asset_id": BOILER,
             "next_due_date": c.ahead(days=3), "active": False},
            {"id": "qa-pm-late", "raw": {"qa": 4}, "name": "Safety valve test", "asset_id": BOILER,
             "next_due_date": c.ago(days=2)},
            {"id": "qa-pm-gone", "raw": {"qa": 5}, "name": "Deleted schedule", "asset_id": BOILER,
             "next_due_date": c.ahead(days=2)},
        ])
        upsert_rows(s, "work_orders", [
            _wo("qa-wo-a1", "Burner flame unstable", c.ago(days=1), priority=2, machina="assigned",
                assigned_to=ANA, asset_id=BOILER, location_id=BOILER_HOUSE, due_date=c.ahead(days=2),
                description="Flame lifts off at low fire; check the igniter electrode and the flame sensor."),
            _wo("qa-wo-a2", "Boiler low water alarm", c.ago(days=4), status="inProgress", machina="in_progress",
                priority=3, assigned_to=ANA, asset_id=BOILER, location_id=BOILER_HOUSE, due_date=c.ago(days=3),
                description="Alarm trips twice a shift."),
            _wo("qa-wo-a3", "Replace igniter", c.ago(days=5), status="complete", machina="completed", priority=2,
                assigned_to=ANA, asset_id=BOILER, location_id=BOILER_HOUSE, date_completed=c.ago(days=2),
                completed_by=ANA, time_hours=1.5, labor_cost=120.0, additional_cost=30.0,
                parts_used=[{"part_id": IGNITER, "qty": 2}], description="Igniter cracked, replaced."),
            _wo("qa-wo-a4", "Archived open job", c.ago(days=9), machina="assigned", assigned_to=ANA,
                asset_id=BOILER, location_id=BOILER_HOUSE, archived=True, due_date=c.ago(days=8)),
            _wo("qa-wo-a5", "Deleted job", c.ago(days=2), machina="assigned", assigned_to=ANA, asset_id=BOILER,
                location_id=BOILER_HOUSE, due_date=c.ago(days=1), description=f"A {TOMBSTONED_WORD} in the flue."),
            _wo("qa-wo-b1", "Compressor oil leak", c.ago(days=3), status="onHold", machina="assigned", priority=0,
                assigned_to=BO, asset_id=COMPRESSOR, location_id=BOILER_HOUSE,
                description="Oil weeping at the shaft seal, waiting for a seal kit."),
            _wo("qa-wo-b2", "Compressor PM", c.ago(days=12), status="complete", machina="completed",
                kind="preventive", assigned_to=BO, asset_id=COMPRESSOR, location_id=BOILER_HOUSE,
                date_completed=c.ago(days=10), completed_by=BO, labor_cost=60.0),
            _wo("qa-wo-c1", "Inspect flue gas duct", c.ago(days=30), location_id=BOILER_HOUSE, asset_id=BOILER,
                due_date=c.ago(days=20)),
            _wo("qa-wo-old", "Old pump overhaul", c.ago(days=6), machina="assigned", assigned_to=ANA,
                asset_id=OLD_PUMP, due_date=c.ago(days=1)),
        ])
        tombstone(s, "work_orders", ["qa-wo-a5"])
        tombstone(s, "parts", [OLD_PART])
        tombstone(s, "preventive_maintenance", ["qa-pm-gone"])
        tombstone(s, "assets", [OLD_PUMP])


def load_bookkeeping(mirror: Mirror, clock: Clock) -> None:
    """Sync runs, cursors, connectivity and local writes with a known story (for a mirror of its own)."""
    c = clock
    runs = [
        # work_orders: fine two hours ago, failing for the last hour
        ("r1", "work_orders", c.ago(hours=2), c.ago(hours=2, minutes=-1), None),
        ("r2", "work_orders", c.ago(hours=1), c.ago(hours=1, minutes=-1), "UpKeep did not answer: timed out"),
        ("r3", "work_orders", c.ago(minutes=30), c.ago(minutes=29), "UpKeep did not answer: connection refused"),
        # assets: fine
        ("r1", "assets", c.ago(hours=2), c.ago(hours=2, minutes=-1), None),
        ("r3", "assets", c.ago(minutes=30), c.ago(minutes=29), None),
        # users: a run still going (or interrupted)
        ("r3", "users", c.ago(minutes=5), None, None),
    ]
    with mirror.write() as s:
        for run_id, entity, started, finished, error in runs:
            s.execute(text(
                "INSERT INTO sync_runs (run_id, entity, mode, started_at, finished_at, requests, fetched, upserted, "
                "tombstoned, rejected, retries, error) VALUES (:r, :e, 'incremental', :s, :f, 1, 0, 0, 0, 0, 0, :x)"
            ), {"r": run_id, "e": entity, "s": started, "f": finished, "x": error})
        s.execute(text("INSERT INTO sync_cursors (entity, cursor_ms, last_success_at) VALUES "
                       "('work_orders', 1, :w), ('assets', 1, :a), ('teams', NULL, NULL)"),
                  {"w": c.ago(hours=2, minutes=-1), "a": c.ago(minutes=29)})
        s.execute(text("INSERT INTO rejects (entity, object_key, upkeep_id, field, reason, raw, run_id, first_seen, "
                       "last_seen, count) VALUES (:e, :k, :i, :f, :r, :raw, :run, :first, :at, :n)"), [
            {"e": "work_orders", "k": "qa-bad-1", "i": "qa-bad-1", "f": "priority",
             "r": "expected 0, 1, 2 or 3, got 'urgent'", "raw": '{"id": "qa-bad-1", "priority": "urgent"}',
             "run": "r2", "first": c.ago(hours=2), "at": c.ago(hours=1), "n": 2},
            {"e": "assets", "k": "sha256:0f", "i": None, "f": "id", "r": "missing or empty id",
             "raw": '{"name": "Pump"}', "run": "r3", "first": c.ago(minutes=30), "at": c.ago(minutes=30), "n": 1},
        ])
        s.execute(text("UPDATE connectivity SET online = 0, offline_since = :o, last_error = 'connection refused' "
                       "WHERE id = 1"), {"o": c.ago(hours=1)})
        ops = [
            (1, "work_orders", "qa-wo-a1", "update", "pending", 0, None, c.ago(hours=3)),
            (2, "work_orders", "qa-wo-a1", "message", "done", 1, None, c.ago(hours=3)),
            (3, "parts", IGNITER, "part_count", "dead", 2, "400: quantity must be positive", c.ago(hours=2)),
            (4, "work_orders", "qa-wo-b1", "update", "conflict", 1, None, c.ago(hours=1)),
            (5, "requests", "local-req-1", "request", "sending", 1, "timed out", c.ago(minutes=10)),
            (6, "work_orders", "qa-wo-c1", "update", "discarded", 0, None, c.ago(minutes=5)),
        ]
        for seq, entity, record, kind, state, attempts, error, created in ops:
            s.execute(text(
                "INSERT INTO outbox (seq, op_id, entity, record_id, kind, state, attempts, last_error, created_at, "
                "updated_at, payload, base, remote, ambiguous) VALUES (:seq, :op, :e, :r, :k, :st, :a, :err, :c, :c, "
                ":p, :b, :rem, 0)"
            ), {"seq": seq, "op": f"op-{seq}", "e": entity, "r": record, "k": kind, "st": state, "a": attempts,
                "err": error, "c": created, "p": json.dumps({"fields": {"priority": 3}}),
                "b": json.dumps({"fields": {"priority": 1}}) if kind == "update" else None,
                "rem": json.dumps({"fields": {"priority": 2}}) if state == "conflict" else None})


def now() -> Clock:
    return Clock(datetime.now(UTC).replace(microsecond=0))
