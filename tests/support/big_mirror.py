"""A generated mirror at any scale (a million work orders in about a minute), for the query and page benchmarks.

Rows are made by SQL, not by a sync: the point is the read side's speed on a big file, with the schema,
triggers and indexes exactly as a real mirror has them.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from mirror.db import open_mirror

NOW = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now', printf('-%d minutes', {}))"
WORDS = ["bearing", "seal", "pump", "motor", "leak", "vibration", "noise", "overheating", "belt", "filter", "valve", "gasket", "coupling", "impeller", "shaft", "alignment", "lubrication", "corrosion", "sensor", "breaker", "contactor", "fuse", "cable", "conveyor", "roller", "chain", "compressor", "chiller", "boiler", "burner", "igniter", "thermocouple", "nozzle", "hydraulic", "hose", "cylinder", "piston", "weld", "crack", "guard", "inspection", "calibration"]


def build(path: Path, work_orders: int) -> None:
    """A mirror of ``work_orders`` generated work orders and the tables around them."""
    open_mirror(path).close()  # schema, triggers and indexes, exactly as a real mirror has them
    con = sqlite3.connect(path, isolation_level=None)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=OFF")
    con.execute("BEGIN")
    con.execute("CREATE TEMP TABLE words (k INTEGER PRIMARY KEY, w TEXT)")
    con.executemany("INSERT INTO words VALUES (?, ?)", list(enumerate(WORDS)))
    n_words = len(WORDS)
    common = "raw, local_state, synced_at"
    vals = "'{}', 'synced', strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"

    def series(n: int) -> str:
        return f"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {n}) "

    con.execute(series(60) + f"INSERT INTO locations (id, {common}, name, address) "
                f"SELECT 'loc-' || i, {vals}, 'Area ' || i, '' FROM n")
    con.execute(series(400) + f"INSERT INTO users (id, {common}, name, email, first_name, last_name, job_title) "
                f"SELECT 'user-' || i, {vals}, 'User ' || i, 'user' || i || '@plant.example', '', '', '' FROM n")
    con.execute(series(40) + f"INSERT INTO teams (id, {common}, name, description) "
                f"SELECT 'team-' || i, {vals}, 'Team ' || i, '' FROM n")
    con.execute(series(50_000) + f"""INSERT INTO assets (id, {common}, name, type, location, manufacturer, model,
        serial_number, criticality, children, failure_modes, aliases, metadata, description, barcode)
        SELECT 'asset-' || i, {vals}, 'Asset ' || i, 'rotating_equipment', 'loc-' || (i % 60 + 1), 'Acme',
               'M' || (i % 97), 'SN' || i, 'C', '[]', '[]', '[]', '{{}}', '', '' FROM n""")
    con.execute(series(20_000) + f"""INSERT INTO spare_parts (id, {common}, sku, name, manufacturer,
        compatible_assets, stock_quantity, reorder_point, lead_time_days, unit_cost, warehouse_location, metadata,
        description, barcode)
        SELECT 'part-' || i, {vals}, 'SKU' || i, (SELECT w FROM words WHERE k = i % {n_words}) || ' part ' || i,
               '', '[]', i % 20, i % 7, 5, (i % 90) + 0.5, 'Bin ' || (i % 300), '{{}}', '', '' FROM n""")
    con.execute(series(10_000) + f"""INSERT INTO maintenance_plans (id, {common}, asset_id, name, interval, tasks,
        required_skills, active, work_order_title, next_due_date, location_id, assigned_to)
        SELECT 'pm-' || i, {vals}, 'asset-' || (i * 5 % 50000 + 1), 'PM ' || i, '{{"days": 30}}', '[]', '[]',
               i % 10 <> 0, 'Service', {NOW.format("- (i % 120) * 1440 + 30 * 1440")}, 'loc-' || (i % 60 + 1),
               'user-' || (i % 400 + 1) FROM n""")
    minutes_per_wo = 3 * 365 * 24 * 60 / work_orders
    is_open = f"(i % 100 < 3 OR (i > {work_orders} * 0.96 AND i % 10 < 5))"
    con.execute(series(work_orders) + f"""INSERT INTO work_orders (id, {common}, type, priority, status, asset_id,
        description, requested_skills, spare_parts, created_at, updated_at, assigned_to, metadata, title,
        work_order_no, upkeep_status, upkeep_priority, category, location_id, team_id, due_date, date_completed,
        completed_by, archived, time_hours, labor_cost, additional_cost, parts_used, deleted_at)
        SELECT 'wo-' || i, {vals},
               CASE WHEN i % 10 < 6 THEN 'corrective' WHEN i % 10 < 9 THEN 'preventive' ELSE 'predictive' END,
               CASE i % 4 WHEN 0 THEN 'low' WHEN 1 THEN 'medium' WHEN 2 THEN 'high' ELSE 'emergency' END,
               CASE WHEN {is_open} THEN CASE i % 3 WHEN 0 THEN 'created' WHEN 1 THEN 'assigned' ELSE 'in_progress' END
                    WHEN i < {work_orders} * 0.66 THEN 'closed' ELSE 'completed' END,
               'asset-' || a,
               'Found ' || (SELECT w FROM words WHERE k = i % {n_words}) || ' and '
                 || (SELECT w FROM words WHERE k = (i * 7) % {n_words}) || ' trouble on the '
                 || (SELECT w FROM words WHERE k = (i * 11) % {n_words}) || ', checked and reported.',
               '[]', '[]', created, created, 'user-' || u, '{{}}',
               (SELECT w FROM words WHERE k = (i * 3) % {n_words}) || ' job ' || i, CAST(i AS TEXT),
               CASE WHEN {is_open} THEN CASE i % 3 WHEN 0 THEN 'open' WHEN 1 THEN 'onHold' ELSE 'inProgress' END
                    ELSE 'complete' END,
               i % 4, NULL, 'loc-' || (a % 60 + 1), 'team-' || (i % 40 + 1),
               strftime('%Y-%m-%dT%H:%M:%fZ', created, '+7 days'),
               CASE WHEN {is_open} THEN NULL ELSE strftime('%Y-%m-%dT%H:%M:%fZ', created, printf('+%d hours', i % 72 + 1)) END,
               CASE WHEN {is_open} THEN NULL ELSE 'user-' || u END,
               CASE WHEN NOT {is_open} AND i < {work_orders} * 0.66 THEN 1 ELSE 0 END,
               (i % 8) * 0.5, (i % 50) * 10.0, (i % 5) * 20.0,
               CASE WHEN i % 5 = 0 THEN '[{{"part_id": "part-' || (i % 20000 + 1) || '", "qty": 2}}]' ELSE '[]' END,
               CASE WHEN i % 200 = 0 THEN strftime('%Y-%m-%dT%H:%M:%fZ', 'now') END
        FROM (SELECT i, {NOW.format(f"CAST(({work_orders} - i) * {minutes_per_wo} AS INTEGER)")} AS created,
                     abs(random()) % 50000 + 1 AS a, abs(random()) % 400 + 1 AS u FROM n)""")
    entities = ["users", "teams", "locations", "vendors", "customers", "assets", "parts", "meters", "meter_readings",
                "preventive_maintenance", "work_orders", "requests", "purchase_orders"]
    for e in entities:
        con.execute(series(10_000) + """INSERT INTO sync_runs (run_id, entity, mode, started_at, finished_at, requests,
            fetched, upserted, tombstoned, rejected, retries, error)
            SELECT 'run-' || i, ?, 'incremental', """ + NOW.format("(10000 - i) * 5") + ", " + NOW.format("(10000 - i) * 5 - 1")
                    + ", 1, 0, 0, 0, 0, 0, CASE WHEN i > 9990 THEN 'timed out' END FROM n", (e,))
        con.execute("INSERT INTO sync_cursors (entity, cursor_ms, last_success_at) VALUES (?, 1, "
                    + NOW.format(60) + ")", (e,))
    con.execute(series(50_000) + """INSERT INTO outbox (op_id, entity, record_id, kind, state, attempts, last_error,
        created_at, updated_at, payload, ambiguous)
        SELECT 'op-' || i, 'work_orders', 'wo-' || i, 'update',
               CASE WHEN i > 49800 THEN CASE i % 4 WHEN 0 THEN 'pending' WHEN 1 THEN 'dead' WHEN 2 THEN 'conflict'
                                          ELSE 'sending' END ELSE 'done' END,
               1, NULL, """ + NOW.format("(50000 - i)") + ", " + NOW.format("(50000 - i)") + ", '{}', 0 FROM n")
    con.execute("COMMIT")
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
