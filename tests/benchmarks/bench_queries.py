"""Benchmark: latency of every canned query through Datasette's HTTP API at a million work orders.

    .venv/bin/python tests/benchmarks/bench_queries.py --work-orders 1000000

Builds (or reuses, with --db) a mirror of N work orders generated in SQL: three years of history,
about 5% open, 50,000 assets, 400 people, 20,000 parts, 10,000 PM schedules, 130,000 sync runs and a
50,000-operation outbox; every row goes through the same FTS triggers a pull's rows go through.
Then it starts `upkeep-mirror serve` on a free 127.0.0.1 port, runs each canned query --repeat
times through /mirror/<query>.json, and prints median and p95 latency with each query's plan
(flagging any full scan of work_orders). Results also go to artifacts/bench-queries.json.
Not collected by pytest (bench_*.py).
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import statistics
import sys
import time
from pathlib import Path

import httpx
from datasette.utils import escape_fts

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from mirror.db import open_mirror  # noqa: E402 - after the path set-up above
from queries.named import load  # noqa: E402
from queries.plans import plan, work_order_scans  # noqa: E402
from tests.support.serving import serving  # noqa: E402

NOW = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now', printf('-%d minutes', {}))"
WORDS = ["bearing", "seal", "pump", "motor", "leak", "vibration", "noise", "overheating", "belt", "filter", "valve", "gasket", "coupling", "impeller", "shaft", "alignment", "lubrication", "corrosion", "sensor", "breaker", "contactor", "fuse", "cable", "conveyor", "roller", "chain", "compressor", "chiller", "boiler", "burner", "igniter", "thermocouple", "nozzle", "hydraulic", "hose", "cylinder", "piston", "weld", "crack", "guard", "inspection", "calibration"]
PARAMS = {"user": "User 7", "asset": "Asset 1234", "q": "thermocouple"}


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



def measure(base: str, name: str, params: dict, repeat: int) -> tuple[list[float], int]:
    url = f"{base}/mirror/{name}.json"
    query = {**params, "_shape": "objects"}
    with httpx.Client(timeout=60) as client:
        first = client.get(url, params=query)  # warm-up (page cache, statement cache)
        if first.status_code != 200:
            error = first.text.split("<textarea", 1)[-1][:1500] if "<textarea" in first.text else first.text[:300]
            raise SystemExit(f"{name}: HTTP {first.status_code}: {error}")
        rows = len(first.json()["rows"])
        times = []
        for _ in range(repeat):
            start = time.perf_counter()
            response = client.get(url, params=query)
            times.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, response.text[:300]
    return times, rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--work-orders", type=int, default=1_000_000, help="How many work orders to generate.")
    parser.add_argument("--repeat", type=int, default=20, help="Timed requests per query (after one warm-up).")
    parser.add_argument("--db", type=Path, default=None,
                        help="Mirror file to build, or to reuse when it exists (default: artifacts/bench-<N>.db).")
    args = parser.parse_args()
    path = args.db or ROOT / "artifacts" / f"bench-{args.work_orders}.db"
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        started = time.perf_counter()
        build(path, args.work_orders)
        print(f"built {path} ({path.stat().st_size / 1e6:.0f} MB) in {time.perf_counter() - started:.0f} s",
              file=sys.stderr)
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    con.create_function("escape_fts", 1, escape_fts)
    total = con.execute("SELECT count(*) FROM work_orders").fetchone()[0]
    open_count = con.execute("SELECT count(*) FROM work_orders WHERE deleted_at IS NULL AND archived = 0 "
                             "AND status IN ('created', 'assigned', 'in_progress')").fetchone()[0]

    with serving(path, timeout=120) as base:
        results = []
        for name, query in load().items():
            params = {p: PARAMS.get(p, "") for p in query.param_names}
            times, rows = measure(base, name, params, args.repeat)
            steps = plan(con, query)
            scans = work_order_scans(steps, query.sql)
            results.append({
                "query": name, "frequent": query.frequent, "params": params, "rows": rows,
                "median_ms": round(statistics.median(times), 1),
                "p95_ms": round(sorted(times)[max(0, int(len(times) * 0.95) - 1)], 1),
                "full_scan_of_work_orders": scans, "plan": steps,
            })
        for label, page in (("work_orders_detail page", "work_orders_detail"),
                            ("work_orders_detail search", "work_orders_detail?_search=thermocouple")):
            name, _, qs = page.partition("?")
            try:
                times, rows = measure(base, name, dict(p.split("=") for p in qs.split("&") if p),
                                      min(args.repeat, 5))
            except SystemExit as interrupted:  # over Datasette's time limit on a loaded machine: say so
                print(interrupted, file=sys.stderr)
                results.append({"query": label, "frequent": False, "params": qs, "rows": 0, "median_ms": "interrupted",
                                "p95_ms": "", "full_scan_of_work_orders": None, "plan": []})
                continue
            results.append({"query": label, "frequent": False, "params": qs, "rows": rows,
                            "median_ms": round(statistics.median(times), 1),
                            "p95_ms": round(max(times), 1), "full_scan_of_work_orders": None, "plan": []})
        con.close()

    print(f"\n{total:,} work orders ({open_count:,} open), {args.repeat} requests per query, "
          f"through Datasette's JSON API on 127.0.0.1\n")
    print("| query | frequent | rows | median ms | p95 ms | full scan of work_orders |")
    print("|---|---|---:|---:|---:|---|")
    for r in results:
        scan = "n/a" if r["full_scan_of_work_orders"] is None else ("**yes**" if r["full_scan_of_work_orders"] else "no")
        print(f"| {r['query']} | {'yes' if r['frequent'] else ''} | {r['rows']} | {r['median_ms']} | {r['p95_ms']} | {scan} |")
    out = ROOT / "artifacts" / "bench-queries.json"
    out.write_text(json.dumps({"work_orders": total, "open": open_count, "results": results}, indent=2))
    print(f"\nplans and figures: {out}", file=sys.stderr)
    if any(r["frequent"] and r["full_scan_of_work_orders"] for r in results):
        raise SystemExit("a frequent query scans work_orders")


if __name__ == "__main__":
    main()
