"""The outbox tests' helpers: a seeded workload of local writes, the check that UpKeep got each of them
exactly once, flushing until nothing is pending, and a replayer in a child process (to kill)."""

from __future__ import annotations

import os
import random
import subprocess
import sys
from collections import Counter
from pathlib import Path

from sqlmodel import select

from mirror import writes
from mirror.outbox import OutboxOp
from mirror.schema import AssetRow, MeterRow, SparePartRow, WorkOrderRow
from mirror.vocabulary import OpKind
from sync.crashpoints import ENV as CRASH_ENV
from sync.replay._match import marker
from sync.replay._replayer import flush
from tests.support.retries import FAST

#: The replayer run as a script (``tests/support/replay_child.py``), and the folder it imports from.
REPLAY_CHILD = Path(__file__).with_name("replay_child.py")
ROOT = Path(__file__).resolve().parents[2]


def _ids(mirror, model, n: int) -> list[str]:
    with mirror.session() as s:
        return [r.id for r in s.exec(select(model).where(model.deleted_at.is_(None)).order_by(model.id).limit(n))]


def queue_workload(mirror, seed: int, creates: int = 6) -> None:
    """Per created work order: an update and a message; plus requests, readings, part counts and
    updates of existing work orders. Every text is unique so deliveries can be counted."""
    rng = random.Random(seed)
    assets, meters, parts = _ids(mirror, AssetRow, 5), _ids(mirror, MeterRow, 3), _ids(mirror, SparePartRow, 5)
    existing = _ids(mirror, WorkOrderRow, 4)
    for i in range(creates):
        q = writes.create_work_order(mirror, title=f"WO {seed}-{i}", asset_id=rng.choice(assets),
                                     priority=rng.randint(0, 3), description=f"offline job {i}")
        writes.update_work_order(mirror, q.record_id, status=rng.choice(["inProgress", "complete"]),
                                 title=f"WO {seed}-{i} (done)")
        writes.add_work_order_message(mirror, q.record_id, f"note {seed}-{i}")
        writes.create_request(mirror, title=f"Request {seed}-{i}")
        writes.add_meter_reading(mirror, rng.choice(meters), round(rng.uniform(0, 500), 2))
    for j, wo in enumerate(existing):
        writes.update_work_order(mirror, wo, title=f"Existing {seed}-{j}")
    for k, part in enumerate(parts):
        writes.set_part_quantity(mirror, part, 10 + k)


def all_ops(mirror) -> list[OutboxOp]:
    with mirror.session() as s:
        return list(s.exec(select(OutboxOp).order_by(OutboxOp.seq)))


def assert_delivered_once(mirror, emu) -> None:
    """Every op done; every created record, reading and message exists on UpKeep exactly once."""
    ops = all_ops(mirror)
    assert ops and {o.state for o in ops} == {"done"}, Counter((o.state, o.last_error) for o in ops)
    dumps = {e: emu.dump(e) for e in ("work_orders", "requests", "meter_readings")}
    for op in ops:
        if op.kind in (OpKind.CREATE, OpKind.REQUEST):
            tagged = [o["id"] for o in dumps[op.entity] if marker(op.op_id) in (o.get("description") or "")]
            assert tagged == [op.server_id], f"op {op.seq}: {tagged}"
        elif op.kind == OpKind.READING:
            date, value = op.payload["fields"]["date"], op.payload["fields"]["value"]
            same = [o for o in dumps["meter_readings"] if o["meter"] == op.payload["columns"]["meter_id"]
                    and o["value"] == value and o["id"] == op.server_id]
            assert len(same) == 1 and emu.get("meter_readings", op.server_id)["date"], (op.seq, date)
        elif op.kind == OpKind.MESSAGE:
            texts = [m["text"] for m in emu.messages(op.record_id)]
            assert texts.count(op.payload["fields"]["text"]) == 1, (op.seq, texts)
    # The mirror shows what UpKeep has for every record it wrote to.
    with mirror.session() as s:
        for op in ops:
            if op.entity == "work_orders" and op.kind == OpKind.UPDATE:
                row = s.get(WorkOrderRow, op.record_id)
                remote = emu.get("work_orders", op.record_id)
                assert (row.title, row.upkeep_status, row.local_state) == (remote["title"], remote["status"], "synced")


def flush_until_empty(mirror, client, rounds: int = 20, **kw):
    """Flush again while something is pending (a flush stops when UpKeep looks unreachable)."""
    reports = []
    for _ in range(rounds):
        reports.append(flush(mirror, client, redelivery_base=0.0, **{"settle": 0.0, "policy": FAST, **kw}))
        if all(o.state in ("done", "dead", "conflict") for o in all_ops(mirror)):
            return reports
    raise AssertionError(f"still pending after {rounds} flushes: {reports[-1]}")


def start_child(mirror, emu, crash_at: str | None = None) -> subprocess.Popen:
    """The replayer in a child process on ``mirror``; ``crash_at`` (``sync.crashpoints``) kills it there."""
    email, password = emu.credentials
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    if crash_at:
        env[CRASH_ENV] = crash_at
    return subprocess.Popen(
        [sys.executable, str(REPLAY_CHILD), str(mirror.path), emu.base_url, email, password],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )
