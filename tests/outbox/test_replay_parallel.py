"""The parallel replay on the emulator: order within a record, exactly once, batched conflict checks, crashes.

Every request the replayer sends is recorded by an httpx event hook on the client, in the order it
left and with how many were in flight at that moment, so order and parallelism are checked from
what went over the wire, not from timings.
"""

from __future__ import annotations

import signal
import threading

import pytest
from sqlmodel import select

from mirror import writes
from mirror.schema import AssetRow, WorkOrderRow
from mirror.vocabulary import OpKind
from sync.replay import flush
from sync.replay._match import marker
from tests.support.outbox import (
    all_ops,
    assert_delivered_once,
    flush_until_empty,
    queue_workload,
    start_child,
)
from tests.support.upkeep import upkeep_client


class Wire:
    """The requests a client sent, in order, each with the number in flight when it left."""

    def __init__(self, client) -> None:
        self.lock = threading.Lock()
        self.sent: list[tuple[str, str]] = []
        self.in_flight = 0
        self.most_in_flight = 0
        client._http.event_hooks["request"].append(self._request)
        client._http.event_hooks["response"].append(self._response)

    def _request(self, request) -> None:
        with self.lock:
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
            self.sent.append((request.method, request.url.path))

    def _response(self, response) -> None:
        with self.lock:
            self.in_flight -= 1

    def index(self, method: str, path: str) -> int:
        return self.sent.index((method, path))


def _ids(mirror, model, n: int, **where) -> list[str]:
    with mirror.session() as s:
        stmt = select(model).where(model.deleted_at.is_(None), *[getattr(model, k) == v for k, v in where.items()])
        return [r.id for r in s.exec(stmt.order_by(model.id).limit(n))]


def test_a_records_ops_arrive_in_order_while_records_go_in_parallel(synced, emu):
    asset = _ids(synced, AssetRow, 1)[0]
    created = writes.create_work_order(synced, title="Pump P-9 seal", asset_id=asset, description="drips")
    first = writes.update_work_order(synced, created.record_id, status="inProgress")
    second = writes.update_work_order(synced, created.record_id, status="complete", title="Pump P-9 seal (done)")
    others = [writes.create_work_order(synced, title=f"Other {i}", asset_id=asset) for i in range(8)]
    # Queued behind a create: no as_of_ms, so the replayer GETs the record rather than trust a listing.
    assert all("as_of_ms" not in o.payload for o in all_ops(synced))
    emu.set_faults(latency_ms=30)  # so that requests overlap
    with upkeep_client(emu) as client:
        client.get_list("/api/v2/users/", {"limit": 1})
        wire = Wire(client)
        report = flush(synced, client, workers=4)
    assert report.done == 11 and report.created == 9 and report.updated == 2, report
    server_id = report.remapped[created.record_id]
    path = f"/api/v2/work-orders/{server_id}"
    post = wire.index("POST", "/api/v2/work-orders/")  # the first create of the queue is sent first
    patches = [i for i, sent in enumerate(wire.sent) if sent == ("PATCH", path)]
    assert len(patches) == 2 and post < patches[0] < patches[1], wire.sent
    assert not any("local-" in p for _, p in wire.sent), "an update went to a local id"
    assert wire.most_in_flight > 1, "the replay never had two requests in flight"
    remote = emu.get("work_orders", server_id)
    assert (remote["status"], remote["title"]) == ("complete", "Pump P-9 seal (done)")
    states = {o.seq: (o.state, o.record_id) for o in all_ops(synced)}
    assert states[first.seq] == states[second.seq] == ("done", server_id)
    assert {states[o.seq][0] for o in others} == {"done"}


@pytest.mark.parametrize("seed", [21, 22])
def test_lost_answers_and_drops_under_parallel_replay_deliver_everything_once(synced, emu, seed):
    queue_workload(synced, seed=seed, creates=6)
    with upkeep_client(emu) as client:
        client.get_list("/api/v2/users/", {"limit": 1})
        wire = Wire(client)
        emu.set_faults(lost_response_rate=0.35, drop_rate=0.1, latency_ms=5, methods=["POST", "PATCH"], seed=seed)
        reports = flush_until_empty(synced, client, workers=4)
    emu.set_faults()
    assert wire.most_in_flight > 1
    assert sum(r.found_after_loss + r.already_applied for r in reports) > 0, "no answer was lost: no test"
    assert_delivered_once(synced, emu)


def test_a_remote_change_made_before_the_local_write_is_a_conflict_found_by_one_listing(synced, emu):
    """The mirror's copy is older than UpKeep's when the technician writes: still a conflict."""
    (target,) = _ids(synced, WorkOrderRow, 1, upkeep_status="open")
    merged = next(wo for wo in _ids(synced, WorkOrderRow, 5) if wo != target)
    emu.mutate(op="update", entity="work_orders", id=target, fields={"status": "onHold"})
    emu.mutate(op="update", entity="work_orders", id=merged, fields={"priority": "3"})
    mine = writes.update_work_order(synced, target, status="complete")
    other = writes.update_work_order(synced, merged, title="Mine")
    assert all("as_of_ms" in o.payload for o in all_ops(synced))
    with upkeep_client(emu) as client:
        client.get_list("/api/v2/users/", {"limit": 1})
        wire = Wire(client)
        report = flush(synced, client)
    assert (report.conflicts, report.updated) == (1, 1), report
    ops = {o.seq: o for o in all_ops(synced)}
    assert ops[mine.seq].state == "conflict"
    assert ops[mine.seq].remote == {"columns": {"upkeep_status": "onHold"}, "fields": {"status": "onHold"}}
    assert emu.get("work_orders", target)["status"] == "onHold"  # not overwritten
    assert ops[other.seq].state == "done" and emu.get("work_orders", merged)["priority"] == "3"  # merged
    # One listing of the changed work orders, no GET per update.
    assert [s for s in wire.sent if s[0] == "GET"] == [("GET", "/api/v2/work-orders")], wire.sent


def test_an_unchanged_record_is_patched_without_any_get(synced, emu):
    ids = _ids(synced, WorkOrderRow, 5)
    for i, wo in enumerate(ids):
        writes.update_work_order(synced, wo, title=f"Checked {i}")
    with upkeep_client(emu) as client:
        client.get_list("/api/v2/users/", {"limit": 1})
        wire = Wire(client)
        report = flush(synced, client)
    assert report.updated == 5 and report.conflicts == 0
    assert [m for m, _ in wire.sent].count("GET") == 1 and [m for m, _ in wire.sent].count("PATCH") == 5
    assert [emu.get("work_orders", wo)["title"] for wo in ids] == [f"Checked {i}" for i in range(5)]


def test_a_listing_longer_than_a_page_falls_back_to_gets_and_still_finds_the_conflict(synced, emu, monkeypatch):
    monkeypatch.setattr("sync.replay._match.PAGE", 2)  # every listing is cut short
    ids = _ids(synced, WorkOrderRow, 6)
    queued = [writes.update_work_order(synced, wo, title=f"Mine {i}") for i, wo in enumerate(ids)]
    emu.mutate(op="update", entity="work_orders", id=ids[-1], fields={"title": "Theirs"})
    with upkeep_client(emu) as client:
        client.get_list("/api/v2/users/", {"limit": 1})
        wire = Wire(client)
        report = flush(synced, client)
    assert (report.updated, report.conflicts) == (5, 1), report
    assert ("GET", "/api/v2/work-orders") in wire.sent
    gets = [p for m, p in wire.sent if m == "GET" and p.startswith("/api/v2/work-orders/")]
    assert len(gets) >= 4, wire.sent  # at most two came with the (short) listing
    ops = {o.seq: o for o in all_ops(synced)}
    assert ops[queued[-1].seq].state == "conflict" and emu.get("work_orders", ids[-1])["title"] == "Theirs"


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_killed_between_claim_and_send_the_next_replay_looks_up_and_creates_each_once(synced, emu):
    asset = _ids(synced, AssetRow, 1)[0]
    queued = [writes.create_work_order(synced, title=f"Belt {i}", asset_id=asset) for i in range(6)]
    child = start_child(synced, emu, crash_at="outbox:claimed:1")
    _, err = child.communicate(timeout=120)
    assert child.returncode == -signal.SIGKILL, err
    claimed = [o for o in all_ops(synced) if o.state == "sending"]
    assert len(claimed) == 6  # the round's claims were committed together, before any request
    assert not any(marker(o.op_id) in (w.get("description") or "") for o in claimed
                   for w in emu.dump("work_orders")), "a request left before the kill"
    lists_before = emu.stats.snapshot()["routes"].get("GET /api/v2/work-orders", 0)

    child = start_child(synced, emu)
    _, err = child.communicate(timeout=120)
    assert child.returncode == 0, err
    # Each op found in sending was looked up (a listing by its title) before it was sent again.
    assert emu.stats.snapshot()["routes"].get("GET /api/v2/work-orders", 0) - lists_before >= len(queued)
    ops = all_ops(synced)
    assert {o.state for o in ops} == {"done"} and all(o.kind == OpKind.CREATE for o in ops)
    for op in ops:
        tagged = [w["id"] for w in emu.dump("work_orders") if marker(op.op_id) in (w.get("description") or "")]
        assert tagged == [op.server_id]
