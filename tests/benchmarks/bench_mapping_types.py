"""Cost of the reference type check in the mapping (not part of the test run):

    .venv/bin/python tests/benchmarks/bench_mapping_types.py [--work-orders 5000] [--repeat 9]

Maps every object of the big entities of an emulated account (work orders, assets, parts, PM
triggers) with the type check (:func:`sync.mapping.schema.type_mismatch`) and with it switched
off, alternating so machine noise hits both alike; reports the medians and their ratio. The
mapping runs in the pull's fetch thread, overlapped with HTTP and SQLite, so this is an upper
bound on what the check adds to a sync.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import sync.mapping.fields as fields
from sync.emulator import Emulator
from sync.mapping import transform

ENTITIES = ("work_orders", "assets", "parts", "preventive_maintenance")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--work-orders", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=9)
    args = parser.parse_args()
    with Emulator(seed=3, work_orders=args.work_orders) as emu:
        data = {e: emu.dump(e) for e in ENTITIES}
    objects = sum(len(v) for v in data.values())

    def map_all() -> float:
        started = time.perf_counter()
        for entity, objs in data.items():
            for obj in objs:
                transform(entity, obj)
        return time.perf_counter() - started

    checked_fn = fields.type_mismatch
    times: dict[str, list[float]] = {"checked": [], "unchecked": []}
    for _ in range(args.repeat):
        fields.type_mismatch = checked_fn
        times["checked"].append(map_all())
        fields.type_mismatch = lambda _entity, _obj: None
        times["unchecked"].append(map_all())
    fields.type_mismatch = checked_fn
    medians = {k: statistics.median(v) for k, v in times.items()}
    for name, seconds in medians.items():
        print(f"{name:>9}: {objects / seconds:>9,.0f} objects/s  ({seconds * 1000:.1f} ms for {objects:,} objects)")
    print(f"    ratio: {medians['checked'] / medians['unchecked']:.2f} (checked / unchecked, medians of {args.repeat})")


if __name__ == "__main__":
    main()
