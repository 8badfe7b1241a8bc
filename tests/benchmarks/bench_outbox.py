"""Benchmark: outbox replay throughput against the emulator, and its ratio to plain sequential writes.

    .venv/bin/python tests/benchmarks/bench_outbox.py --ops 300 --repeat 5

For each workload, each repetition queues the operations in a fresh copy of a synced mirror,
times ``sync.replay.flush`` (operations/s), then times plain sequential requests carrying the
same payloads (one POST or PATCH per operation, same client, no outbox, no GET, no write-back).
It prints the median of each and the ratio replay / plain. Workloads:

- ``creates``: work order creates (one POST each; the replay adds two SQLite transactions, the
  id remap and the mapping of UpKeep's answer);
- ``mixed``: a fifth each of work order creates, work order updates (the replay GETs the record
  first to detect conflicts, so two requests), messages (GET + POST), meter readings and part
  counts (GET + PATCH).

Results also go to artifacts/bench-outbox.json. Not collected by pytest (bench_*.py).
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from sqlmodel import select  # noqa: E402

from mirror import writes  # noqa: E402
from mirror.db import open_mirror  # noqa: E402
from mirror.models import MIRRORED, AssetRow, MeterRow, SparePartRow, WorkOrderRow  # noqa: E402
from mirror.outbox import OpKind, OutboxOp  # noqa: E402
from mirror.store import upsert_rows  # noqa: E402
from sync.client import Credentials, UpKeepClient  # noqa: E402
from sync.emulator import Emulator  # noqa: E402
from sync.mapping import transform  # noqa: E402
from sync.replay import flush  # noqa: E402
from sync.replay_match import PATHS, with_marker  # noqa: E402


def ids(mirror, model, n: int) -> list[str]:
    with mirror.session() as s:
        stmt = select(model).where(model.deleted_at.is_(None)).order_by(model.id).limit(n)
        return [r.id for r in s.exec(stmt)]


def load(path: Path, emu) -> None:
    """A mirror level with the emulator's account now (earlier repetitions changed it)."""
    with open_mirror(path) as m, m.write() as s:
        for entity in MIRRORED:
            upsert_rows(s, entity, [transform(entity, o) for o in emu.dump(entity)])


def queue(mirror, workload: str, n: int, seed: int) -> None:
    rng = random.Random(seed)
    assets, meters = ids(mirror, AssetRow, 50), ids(mirror, MeterRow, 20)
    parts, orders = ids(mirror, SparePartRow, 200), ids(mirror, WorkOrderRow, 2000)
    for i in range(n):
        kinds = ("create",) if workload == "creates" else ("create", "update", "message", "reading", "count")
        kind = kinds[i % len(kinds)]
        if kind == "create":
            writes.create_work_order(mirror, title=f"Bench {seed}-{i}", asset_id=rng.choice(assets),
                                     priority=rng.randint(0, 3), description="benchmark work order")
        elif kind == "update":
            writes.update_work_order(mirror, orders[i % len(orders)], title=f"Bench edit {seed}-{i}")
        elif kind == "message":
            writes.add_work_order_message(mirror, rng.choice(orders), f"bench note {seed}-{i}")
        elif kind == "reading":
            writes.add_meter_reading(mirror, rng.choice(meters), rng.uniform(0, 100))
        else:
            writes.set_part_quantity(mirror, parts[i % len(parts)], rng.randint(0, 500))


def requests_of(mirror) -> list[tuple[str, str, dict]]:
    """The writes the outbox sends, as (method, path, body), for the plain baseline."""
    with mirror.session() as s:
        ops = list(s.exec(select(OutboxOp).order_by(OutboxOp.seq)))
    out = []
    for op in ops:
        fields = dict(op.payload["fields"])
        if op.kind == OpKind.CREATE:
            fields["description"] = with_marker(fields.get("description"), op.op_id)
            out.append(("POST", PATHS["work_orders"] + "/", fields))
        elif op.kind == OpKind.READING:
            out.append(("POST", f"/api/v2/meters/{op.payload['columns']['meter_id']}/readings", fields))
        elif op.kind == OpKind.MESSAGE:
            out.append(("POST", f"{PATHS['work_orders']}/{op.record_id}/update-messages/", fields))
        else:
            out.append(("PATCH", f"{PATHS[op.entity]}/{op.record_id}", fields))
    return out


def plain(client: UpKeepClient, requests: list[tuple[str, str, dict]]) -> float:
    started = time.perf_counter()
    for method, path, body in requests:
        # The bare request, as a script without an outbox would send it.
        send = client.post_action if path.endswith("update-messages/") else getattr(client, method.lower())
        send(path, body)
    return time.perf_counter() - started


def measure(emu, client, template: Path, tmp: Path, workload: str, args) -> tuple[float, float]:
    """Median operations/s of the replay and of the same writes sent plainly, over the repetitions."""
    replay_rates, plain_rates = [], []
    for r in range(args.repeat):
        path = tmp / f"{workload}-{r}.db"
        shutil.copy(template, path)
        load(path, emu)
        with open_mirror(path) as mirror:
            queue(mirror, workload, args.ops, seed=r)
            baseline = requests_of(mirror)
            started = time.perf_counter()
            report = flush(mirror, client)
            elapsed = time.perf_counter() - started
            assert report.done == args.ops, report
        replay_rates.append(args.ops / elapsed)
        plain_rates.append(args.ops / plain(client, baseline))
    return statistics.median(replay_rates), statistics.median(plain_rates)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ops", type=int, default=300, help="operations per repetition")
    parser.add_argument("--repeat", type=int, default=5, help="repetitions per workload")
    parser.add_argument("--work-orders", type=int, default=2000, help="size of the emulated account")
    parser.add_argument("--workload", choices=["creates", "mixed", "both"], default="both")
    parser.add_argument("--latency-ms", default="0,20", help="comma-separated emulator latencies per request "
                        "(0 = localhost; 20 = a nearby cloud API)")
    args = parser.parse_args()
    workloads = ["creates", "mixed"] if args.workload == "both" else [args.workload]
    tmp = Path(tempfile.mkdtemp(prefix="bench-outbox-"))
    results = {}
    with Emulator(seed=3, work_orders=args.work_orders) as emu:
        template = tmp / "template.db"
        load(template, emu)
        email, password = emu.credentials
        with UpKeepClient(Credentials(email=email, password=password, base_url=emu.base_url)) as client:
            client.get_list("/api/v2/users/", {"limit": 1})
            for latency in [int(x) for x in args.latency_ms.split(",")]:
                emu.set_faults(latency_ms=latency)
                for workload in workloads:
                    replay, bare = measure(emu, client, template, tmp, workload, args)
                    print(f"{workload:<8} latency {latency:>3} ms   replay {replay:8.1f} ops/s   "
                          f"plain sequential writes {bare:8.1f} ops/s   ratio {replay / bare:.2f}   "
                          f"(median of {args.repeat} x {args.ops} ops)", flush=True)
                    results[f"{workload}@{latency}ms"] = {
                        "ops": args.ops, "repeat": args.repeat, "latency_ms": latency,
                        "replay_ops_per_s": round(replay, 1), "plain_ops_per_s": round(bare, 1),
                        "ratio": round(replay / bare, 3),
                    }
    shutil.rmtree(tmp, ignore_errors=True)
    out = ROOT / "artifacts" / "bench-outbox.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
