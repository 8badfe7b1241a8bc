"""Benchmark: how long the technicians' HTML pages take at a million work orders (target: < 200 ms).

    .venv/bin/python tests/benchmarks/bench_pages.py --work-orders 1000000

Builds (or reuses) the same generated mirror as bench_queries.py, starts `upkeep-mirror serve` on a
free 127.0.0.1 port and requests each page --repeat times after one warm-up: the start page, the
database page, a work order page (open and done), an asset page, lists (overdue, urgent, the work
orders view, search). Prints median and p95 of the full HTTP round trip (query, template, plugin
hooks), and exits non-zero if the start page or a work order page has a median of 200 ms or more.
Results also go to artifacts/bench-pages.json. Not collected by pytest (bench_*.py).
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

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.support.big_mirror import build  # noqa: E402 - after the path set-up above
from tests.support.serving import serving  # noqa: E402

#: Pages that must answer in under this many milliseconds (median).
BUDGET_MS = 200


def pages(con: sqlite3.Connection) -> list[tuple[str, str, bool]]:
    """(label, path, held to the budget) for each page measured."""
    open_wo = con.execute("SELECT id FROM work_orders INDEXED BY ix_work_orders_open_due WHERE deleted_at IS NULL "
                          "AND archived = 0 AND status IN ('created', 'assigned', 'in_progress') "
                          "ORDER BY due_date LIMIT 1").fetchone()[0]
    done_wo = con.execute("SELECT id FROM work_orders WHERE date_completed IS NOT NULL AND deleted_at IS NULL "
                          "LIMIT 1 OFFSET 1000").fetchone()[0]
    busiest = con.execute("SELECT asset_id FROM work_orders WHERE id = ?", (done_wo,)).fetchone()[0]
    return [
        ("start page /", "/", True),
        ("database page /mirror", "/mirror", True),
        ("work order page (open)", f"/mirror/work_orders/{open_wo}", True),
        ("work order page (done)", f"/mirror/work_orders/{done_wo}", True),
        ("asset page", f"/mirror/assets/{busiest}", False),
        ("overdue work orders", "/mirror/overdue_work_orders", False),
        ("open emergencies and high priority", "/mirror/urgent_work_orders", False),
        ("parts to reorder", "/mirror/parts_to_reorder", False),
        ("search 'thermocouple'", "/mirror/search?q=thermocouple", False),
        ("work orders view", "/mirror/work_orders_detail", False),
    ]


def measure(client: httpx.Client, url: str, repeat: int) -> tuple[list[float], str]:
    """Round-trip times of ``url``, and "" or what went wrong (a query over Datasette's time limit...)."""
    client.get(url)  # warm-up (page cache, statement cache, templates)
    times, problem = [], ""
    for _ in range(repeat):
        start = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        if response.status_code != 200:
            title = response.text.split("<title>", 1)[-1].split("</title>", 1)[0]
            problem = f"HTTP {response.status_code}: {title}"
    return times, problem


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--work-orders", type=int, default=1_000_000, help="How many work orders to generate.")
    parser.add_argument("--repeat", type=int, default=20, help="Timed requests per page (after one warm-up).")
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
    total = con.execute("SELECT count(*) FROM work_orders").fetchone()[0]
    measured = pages(con)
    con.close()

    results = []
    with serving(path, timeout=120) as base, httpx.Client(base_url=base, timeout=60) as client:
        for label, url, budgeted in measured:
            times, problem = measure(client, url, args.repeat)
            results.append({"page": label, "path": url, "budget": budgeted, "problem": problem,
                            "median_ms": round(statistics.median(times), 1),
                            "p95_ms": round(sorted(times)[max(0, int(len(times) * 0.95) - 1)], 1)})

    print(f"\n{total:,} work orders, {args.repeat} requests per page after one warm-up, "
          f"HTML through `upkeep-mirror serve` on 127.0.0.1\n")
    print(f"| page | median ms | p95 ms | budget {BUDGET_MS} ms |")
    print("|---|---:|---:|---|")
    for r in results:
        verdict = ("ok" if r["median_ms"] < BUDGET_MS and not r["problem"] else "**over**") if r["budget"] else ""
        print(f"| {r['page']} | {r['median_ms']} | {r['p95_ms']} | {verdict} {r['problem']} |")
    out = ROOT / "artifacts" / "bench-pages.json"
    out.write_text(json.dumps({"work_orders": total, "results": results}, indent=2))
    print(f"\nfigures: {out}", file=sys.stderr)
    if any(r["budget"] and (r["median_ms"] >= BUDGET_MS or r["problem"]) for r in results):
        raise SystemExit(f"a page held to {BUDGET_MS} ms is slower")


if __name__ == "__main__":
    main()
