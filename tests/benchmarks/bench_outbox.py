"""Benchmark: outbox replay against the same writes sent one after another by a plain httpx script.

    .venv/bin/python tests/benchmarks/bench_outbox.py            # 50 ms per request, medians of 3

For each workload, each repetition queues the operations in a fresh copy of a synced mirror,
times ``sync.replay._replayer.flush``, then times a plain script (bare ``httpx``, its own login, no outbox,
no look-up, no write-back) sending the same writes one after another: one POST or PATCH per
operation. It prints the median of each and the ratio replay time / plain time (below 1.0: the
replay is faster than the plain loop). Workloads:

- ``status``: 20 work order creates + 20 status updates of existing work orders;
- ``mixed``: 100 operations, a fifth each of work order creates, work order updates (an update of a
  work order created in the same run every other time), messages, meter readings and part counts.

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

import httpx  # noqa: E402
from sqlmodel import select  # noqa: E402

from mirror import writes  # noqa: E402
from mirror.db import open_mirror  # noqa: E402
from mirror.outbox import OutboxOp  # noqa: E402
from mirror.schema import MIRRORED, AssetRow, MeterRow, SparePartRow, WorkOrderRow  # noqa: E402
from mirror.store import upsert_rows  # noqa: E402
from mirror.vocabulary import OpKind  # noqa: E402
from sync.emulator import Emulator  # noqa: E402
from sync.mapping import transform  # noqa: E402
from sync.replay import flush  # noqa: E402
from sync.replay._match import with_marker  # noqa: E402
from sync.upkeep import API_VERSION, Credentials, UpKeepClient  # noqa: E402
from sync.upkeep.endpoints import collection, record_path  # noqa: E402


def ids(mirror, model, n: int) -> list[str]:
    with mirror.session() as s:
        stmt = select(model).where(model.deleted_at.is_(None)).order_by(model.id).limit(n)
        return [r.id for r in s.exec(stmt)]


def load(path: Path, emu) -> None:
    """A mirror level with the emulator's account now (earlier repetitions changed it)."""
    with open_mirror(path) as m, m.write() as s:
        for entity in MIRRORED:
            upsert_rows(s, entity, [transform(entity, o) for o in emu.dump(entity)])


def queue(mirror, workload: str, seed: int) -> int:
    """Queue the workload's local writes; return how many operations that made."""
    rng = random.Random(seed)
    assets, meters = ids(mirror, AssetRow, 50), ids(mirror, MeterRow, 20)
    parts, orders = ids(mirror, SparePartRow, 200), ids(mirror, WorkOrderRow, 2000)
    rng.shuffle(orders)
    n = 0
    if workload == "status":
        for i in range(20):
            writes.create_work_order(mirror, title=f"Bench {seed}-{i}", asset_id=rng.choice(assets),
                                     priority=rng.randint(0, 3), description="benchmark work order")
        for i in range(20):
            with mirror.session() as s:
                current = s.get(WorkOrderRow, orders[i]).upkeep_status
            status = rng.choice([x for x in ("open", "onHold", "inProgress", "complete") if x != current])
            writes.update_work_order(mirror, orders[i], status=status)
        return 40
    created: list[str] = []
    for i in range(100):
        kind = ("create", "update", "message", "reading", "count")[i % 5]
        if kind == "create":
            q = writes.create_work_order(mirror, title=f"Bench {seed}-{i}", asset_id=rng.choice(assets),
                                         priority=rng.randint(0, 3), description="benchmark work order")
            created.append(q.record_id)
        elif kind == "update":
            target = created[-1] if i % 2 else orders[i]
            writes.update_work_order(mirror, target, title=f"Bench edit {seed}-{i}")
        elif kind == "message":
            writes.add_work_order_message(mirror, rng.choice(orders), f"bench note {seed}-{i}")
        elif kind == "reading":
            writes.add_meter_reading(mirror, rng.choice(meters), rng.uniform(0, 100))
        else:
            writes.set_part_quantity(mirror, parts[i % len(parts)], rng.randint(0, 500))
        n += 1
    return n


def requests_of(mirror) -> list[tuple[str, str, dict]]:
    """The writes the outbox sends, as (method, path, body), for the plain baseline."""
    with mirror.session() as s:
        ops = list(s.exec(select(OutboxOp).order_by(OutboxOp.seq)))
    out = []
    for op in ops:
        fields = dict(op.payload["fields"])
        if op.kind == OpKind.CREATE:
            fields["description"] = with_marker(fields.get("description"), op.op_id)
            out.append(("POST", collection("work_orders") + "/", fields))
        elif op.kind == OpKind.READING:
            out.append(("POST", f"/api/v2/meters/{op.payload['columns']['meter_id']}/readings", fields))
        elif op.kind == OpKind.MESSAGE:
            out.append(("POST", f"{record_path('work_orders', op.record_id)}/update-messages/", fields))
        else:
            out.append(("PATCH", record_path(op.entity, op.record_id), fields))
    return out


def plain(emu, requests: list[tuple[str, str, dict]], remap: dict[str, str]) -> float:
    """Seconds a plain script takes to send the writes one after another (its login not counted)."""
    email, password = emu.credentials
    with httpx.Client(base_url=emu.base_url, headers={"upkeep-version": API_VERSION}) as http:
        token = http.post("/api/v2/auth", json={"email": email, "password": password}).json()["result"]
        http.headers["Session-Token"] = token["sessionToken"]
        started = time.perf_counter()
        for method, path, body in requests:
            for local, server in remap.items():  # a script knows the ids its creates got back
                path = path.replace(local, server)
            http.request(method, path, json=body).raise_for_status()
        return time.perf_counter() - started


def measure(emu, template: Path, tmp: Path, workload: str, args) -> tuple[float, float, int]:
    """Median seconds of the replay and of the same writes sent plainly, over the repetitions."""
    replay_times, plain_times = [], []
    n = 0
    for r in range(args.repeat):
        path = tmp / f"{workload}-{r}.db"
        shutil.copy(template, path)
        load(path, emu)
        email, password = emu.credentials
        with open_mirror(path) as mirror, UpKeepClient(
                Credentials(email=email, password=password, base_url=emu.base_url)) as client:
            n = queue(mirror, workload, seed=r)
            baseline = requests_of(mirror)
            client.get_list("/api/v2/users/", {"limit": 1})  # log in outside the timing, as plain() does
            started = time.perf_counter()
            report = flush(mirror, client)
            replay_times.append(time.perf_counter() - started)
            assert report.done == n, report
        plain_times.append(plain(emu, baseline, report.remapped))
    return statistics.median(replay_times), statistics.median(plain_times), n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3, help="repetitions per workload (medians)")
    parser.add_argument("--work-orders", type=int, default=2000, help="size of the emulated account")
    parser.add_argument("--workload", choices=["status", "mixed", "both"], default="both")
    parser.add_argument("--latency-ms", default="50", help="comma-separated emulator latencies per request")
    args = parser.parse_args()
    workloads = ["status", "mixed"] if args.workload == "both" else [args.workload]
    tmp = Path(tempfile.mkdtemp(prefix="bench-outbox-"))
    results = {}
    with Emulator(seed=3, work_orders=args.work_orders) as emu:
        template = tmp / "template.db"
        load(template, emu)
        for latency in [int(x) for x in args.latency_ms.split(",")]:
            emu.set_faults(latency_ms=latency)
            for workload in workloads:
                replay, bare, n = measure(emu, template, tmp, workload, args)
                print(f"{workload:<7} {n:>3} ops  latency {latency:>3} ms   replay {replay:6.2f} s   "
                      f"plain sequential writes {bare:6.2f} s   replay / plain {replay / bare:.2f}x   "
                      f"(medians of {args.repeat})", flush=True)
                results[f"{workload}@{latency}ms"] = {
                    "ops": n, "repeat": args.repeat, "latency_ms": latency, "replay_s": round(replay, 3),
                    "plain_s": round(bare, 3), "ratio": round(replay / bare, 3),
                }
    shutil.rmtree(tmp, ignore_errors=True)
    out = ROOT / "artifacts" / "bench-outbox.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
