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

from queries.named import load  # noqa: E402
from queries.plans import plan, work_order_scans  # noqa: E402
from tests.support.big_mirror import build  # noqa: E402
from tests.support.serving import serving  # noqa: E402

PARAMS = {"user": "User 7", "asset": "Asset 1234", "q": "thermocouple"}


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
