"""Pull benchmark against the emulator (not part of the test run):

    .venv/bin/python tests/benchmarks/bench_pull.py [--work-orders 100000] [--small 20000]
        [--latency-work-orders 3000] [--repeat 3] [--state-dir /tmp]

Prints, from one run on this machine, full sync next to the fetch floor (a plain sequential httpx
page loop, see ``tests/support/measure_sync.py``) as ratios with medians:

- at 0 ms per request, ``--work-orders`` work orders: sync / floor (CPU-bound: how close the
  sync's own work gets to just fetching and decoding);
- at ``--latency-ms`` (default 100) per request, ``--latency-work-orders`` work orders:
  sync / sequential floor (latency-bound: what parallel requests buy);
- peak RSS of a full sync at ``--small`` and ``--work-orders`` work orders;
- a no-change incremental sync: time and request count.

Sync and floor alternate, so machine noise hits both alike; every figure is the median of
``--repeat`` runs. On a shared machine absolute seconds move a lot; the ratios less so.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from sync.emulator import EmulatorProcess
from tests.support.measure_sync import run


def _pairs(work: Path, base_url: str, repeat: int, tag: str) -> tuple[list[dict], list[dict]]:
    syncs, floors = [], []
    for i in range(repeat):
        floors.append(run(work / f"{tag}-floor.db", base_url, "--floor"))
        syncs.append(run(work / f"{tag}-{i}.db", base_url))
    return syncs, floors


def _ratio_line(label: str, syncs: list[dict], floors: list[dict]) -> str:
    ratios = [s["seconds"] / f["seconds"] for s, f in zip(syncs, floors, strict=True)]
    med = statistics.median
    return (f"{label:<34} sync {med(s['seconds'] for s in syncs):7.1f} s  floor {med(f['seconds'] for f in floors):7.1f} s"
            f"  ratio median {med(ratios):.2f} (runs {', '.join(f'{r:.2f}' for r in ratios)})"
            f"  requests sync {syncs[0]['requests']} / floor {floors[0]['requests']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--work-orders", type=int, default=100_000)
    parser.add_argument("--small", type=int, default=20_000, help="the second scale for peak RSS")
    parser.add_argument("--latency-work-orders", type=int, default=3_000, help="scale of the latency-bound run")
    parser.add_argument("--latency-ms", type=int, default=100, help="per request, for the latency-bound run")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--state-dir", default=tempfile.gettempdir(), help="emulator state files (reused)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-pull-"))
    lines = []

    def emulator(n: int) -> EmulatorProcess:
        return EmulatorProcess(seed=1, work_orders=n, state=f"{args.state_dir}/bench-emu-{n}.db")

    with emulator(args.latency_work_orders) as emu:
        emu.set_faults(latency_ms=args.latency_ms)
        syncs, floors = _pairs(work, emu.base_url, args.repeat, "slow")
        lines.append(_ratio_line(f"{args.latency_ms} ms/request, {args.latency_work_orders:,} WO", syncs, floors))

    with emulator(args.small) as emu:
        small = run(work / "small.db", emu.base_url)

    with emulator(args.work_orders) as emu:
        syncs, floors = _pairs(work, emu.base_url, args.repeat, "big")
        noop = [run(work / "big-0.db", emu.base_url) for _ in range(args.repeat)]
    lines.insert(0, _ratio_line(f"0 ms/request, {args.work_orders:,} WO", syncs, floors))

    med = statistics.median
    sync_s = med(s["seconds"] for s in syncs)
    print(f"full sync vs fetch floor, one run on this machine, medians of {args.repeat}:")
    for line in lines:
        print("  " + line)
    print(f"  throughput at 0 ms: {syncs[0]['fetched'] / sync_s:,.0f} objects/s ({syncs[0]['fetched']:,} objects)")
    for label, runs in ((f"{args.small:,} WO", [small]), (f"{args.work_orders:,} WO", syncs)):
        print(f"peak RSS of a full sync at {label}: {med(s['combined_rss_mb'] for s in runs):.0f} MB for the sync's "
              f"processes together (sync {med(s['maxrss_mb'] for s in runs):.0f} MB, mapping worker "
              f"{med(s['worker_rss_mb'] for s in runs):.0f} MB)")
    print(f"no-change incremental sync: median {med(n['seconds'] for n in noop):.2f} s, "
          f"{noop[0]['requests']} requests (login included), {noop[0]['fetched']} objects fetched")


if __name__ == "__main__":
    main()
