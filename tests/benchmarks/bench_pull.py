"""Pull benchmark against the emulator (not part of the test run):

    .venv/bin/python tests/benchmarks/bench_pull.py [--work-orders 100000] [--small 20000]
        [--latency-work-orders 3000] [--repeat 3] [--state-dir /tmp] [--baseline CHECKOUT]

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

``--baseline CHECKOUT`` names another checkout of the project with its own ``.venv`` (an older
commit, say): its full and no-change syncs of the big plant alternate with this one's against the
same emulator, and the before/after ratios are printed from that one run.
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


def _baseline_runner(checkout: Path):
    """``run`` for another checkout: its own interpreter and measuring script (where that version keeps it)."""
    import json
    import subprocess

    python = checkout / ".venv" / "bin" / "python"
    script = next(p for p in (checkout / "tests" / "support" / "measure_sync.py",
                              checkout / "tests" / "benchmarks" / "measure_sync.py") if p.exists())

    def run_baseline(db, base_url: str, *flags: str) -> dict:
        out = subprocess.run([str(python), str(script), str(db), base_url, *flags],
                             check=True, capture_output=True, text=True, cwd=checkout)
        return json.loads(out.stdout.strip().splitlines()[-1])

    return run_baseline


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
    parser.add_argument("--baseline", type=Path, help="another checkout (with .venv) to compare with, in the same run")
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
        if args.baseline:
            before = _baseline_runner(args.baseline.resolve())
            base_syncs, base_noop = [], []
            syncs, floors, noop = [], [], []
            for i in range(args.repeat):  # floor, before, after: machine noise hits all three alike
                floors.append(run(work / "big-floor.db", emu.base_url, "--floor"))
                base_syncs.append(before(work / f"base-{i}.db", emu.base_url))
                syncs.append(run(work / f"big-{i}.db", emu.base_url))
            for _ in range(args.repeat):
                base_noop.append(before(work / "base-0.db", emu.base_url))
                noop.append(run(work / "big-0.db", emu.base_url))
        else:
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
    if args.baseline:
        print(f"before ({args.baseline}) and after, alternating in this run, {args.work_orders:,} WO, medians of "
              f"{args.repeat}:")
        for label, b, a in (("full sync, s", [s["seconds"] for s in base_syncs], [s["seconds"] for s in syncs]),
                            ("full sync / floor", [s["seconds"] / f["seconds"] for s, f in zip(base_syncs, floors, strict=True)],
                             [s["seconds"] / f["seconds"] for s, f in zip(syncs, floors, strict=True)]),
                            ("peak RSS, MB", [s["combined_rss_mb"] for s in base_syncs],
                             [s["combined_rss_mb"] for s in syncs]),
                            ("no-change sync, s", [n["seconds"] for n in base_noop], [n["seconds"] for n in noop])):
            print(f"  {label:<20} before {med(b):7.2f}  after {med(a):7.2f}  after/before {med(a) / med(b):.2f}")


if __name__ == "__main__":
    main()
