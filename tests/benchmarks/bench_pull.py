"""Pull benchmark against the emulator (not part of the test run):

    .venv/bin/python tests/benchmarks/bench_pull.py [--work-orders 100000] [--repeat 3] [--state-dir /tmp]

Reports, from one run on this machine: full-sync throughput (objects/s), the ratio of sync time
to a plain loop that only fetches and JSON-decodes the same pages (the floor), peak RSS at two
scales, and the time and request count of a no-change incremental sync. Each figure is the
median of ``--repeat`` runs; sync and floor alternate so machine noise hits both alike.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from sync.emulator import EmulatorProcess
from tests.benchmarks.measure_sync import run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--work-orders", type=int, default=100_000)
    parser.add_argument("--small", type=int, default=20_000, help="the second scale for peak RSS")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--latency-ms", type=int, default=50, help="per request, for the second ratio")
    parser.add_argument("--state-dir", default=tempfile.gettempdir(), help="emulator state files (reused)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-pull-"))

    with EmulatorProcess(seed=1, work_orders=args.small, state=f"{args.state_dir}/bench-emu-{args.small}.db") as emu:
        small = run(work / "small.db", emu.base_url)
        # A cloud API answers in tens of milliseconds, not the emulator's one or two.
        emu.set_faults(latency_ms=args.latency_ms)
        slow_floor = run(work / "slow-floor.db", emu.base_url, "--floor")
        slow_sync = run(work / "slow.db", emu.base_url)

    syncs, floors = [], []
    with EmulatorProcess(seed=1, work_orders=args.work_orders,
                         state=f"{args.state_dir}/bench-emu-{args.work_orders}.db") as emu:
        for i in range(args.repeat):
            floors.append(run(work / "floor.db", emu.base_url, "--floor"))
            syncs.append(run(work / f"full{i}.db", emu.base_url))
        noop = [run(work / "full0.db", emu.base_url) for _ in range(args.repeat)]

    def med(xs, key):
        return statistics.median(x[key] for x in xs)
    sync_s, floor_s = med(syncs, "seconds"), med(floors, "seconds")
    ratios = [s["seconds"] / f["seconds"] for s, f in zip(syncs, floors, strict=True)]
    objects = syncs[0]["fetched"]
    print(f"full sync, {args.work_orders:,} work orders ({objects:,} objects, {syncs[0]['requests']:,} requests):")
    print(f"  median {sync_s:.1f} s = {objects / sync_s:,.0f} objects/s; floor (fetch + decode only) {floor_s:.1f} s")
    print(f"  sync / floor ratio: median {statistics.median(ratios):.2f} (runs: {', '.join(f'{r:.2f}' for r in ratios)})")
    print(f"  with {args.latency_ms} ms per request at {args.small:,} work orders: sync {slow_sync['seconds']:.1f} s, "
          f"floor {slow_floor['seconds']:.1f} s, ratio {slow_sync['seconds'] / slow_floor['seconds']:.2f}")
    print(f"peak RSS of a full sync: {small['maxrss_mb']:.0f} MB at {args.small:,} work orders, "
          f"{med(syncs, 'maxrss_mb'):.0f} MB at {args.work_orders:,}")
    print(f"no-change incremental sync: median {med(noop, 'seconds'):.2f} s, {noop[0]['requests']} requests "
          f"(login included), {noop[0]['fetched']} objects fetched")


if __name__ == "__main__":
    main()
