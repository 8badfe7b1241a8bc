"""Time and disk of a first sync of the demo plant's field work: checklists, file records, content.

    python tests/benchmarks/bench_files.py [--work-orders 5000] [--budget-mb 500] [--repeat 3]

Starts the emulator as the demo does (seed 1, 5,000 work orders) in this process, runs the records'
first sync, then the field-work pull (settings, files, checklists, content within the budget) into
a fresh mirror, and reports per repeat: seconds per step, files and bytes stored, files skipped by
the budget, the mirror's size before and after the content (main file + WAL), and the medians.
The emulator shares the process (and the machine's two cores), so the times are upper bounds.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from mirror.db import open_mirror
from sync.emulator import Emulator
from sync.pull import sync_entities
from sync.pull.fieldwork import FieldworkOptions, pull_fieldwork
from sync.pull.files import ContentFetcher
from sync.upkeep import Credentials, UpKeepClient

MB = 1024 * 1024


def _size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))


def one_run(emu: Emulator, budget: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "mirror.db"
        email, password = emu.credentials
        with open_mirror(db) as mirror, UpKeepClient(
            Credentials(email=email, password=password, base_url=emu.base_url)
        ) as client:
            t0 = time.perf_counter()
            sync_entities(mirror, client)
            t1 = time.perf_counter()
            results = pull_fieldwork(mirror, client, FieldworkOptions(content=False))
            t2 = time.perf_counter()
            with mirror.engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            before = _size(db)
            fetcher = ContentFetcher(budget_bytes=budget)
            try:
                report = fetcher.run(mirror)
            finally:
                fetcher.close()
            t3 = time.perf_counter()
            with mirror.engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            after = _size(db)
        tasks = next(r for r in results if r.entity == "work_order_tasks")
        files = next(r for r in results if r.entity == "files")
        return {
            "records_s": round(t1 - t0, 2),
            "fieldwork_records_s": round(t2 - t1, 2),
            "checklists_read": tasks.fetched,
            "file_records": files.fetched,
            "content_s": round(t3 - t2, 2),
            "files_needed": report.needed,
            "files_stored": report.stored_files,
            "content_mb": round(report.downloaded_bytes / MB, 1),
            "content_mb_per_s": round(report.downloaded_bytes / MB / max(t3 - t2, 1e-9), 1),
            "skipped": [(name, round(size / MB, 1)) for _, name, size in report.skipped],
            "mirror_mb_before_content": round(before / MB, 1),
            "mirror_mb_after_content": round(after / MB, 1),
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work-orders", type=int, default=5000)
    parser.add_argument("--budget-mb", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with Emulator(seed=1, work_orders=args.work_orders) as emu:
        runs = [one_run(emu, args.budget_mb * MB) for _ in range(args.repeat)]
    for run in runs:
        print(json.dumps(run))
    keys = ("records_s", "fieldwork_records_s", "content_s", "content_mb_per_s", "mirror_mb_after_content")
    print(json.dumps({f"median_{k}": statistics.median(r[k] for r in runs) for k in keys}))


if __name__ == "__main__":
    main()
