"""Two replayers racing on one operation, made deterministic with barriers and events.

The replayers are real (:class:`sync.replay._replayer._Replayer` on a real mirror file); only UpKeep is a
fake whose answers block until the other replayer has made its move, so each interleaving the
issue describes happens every time:

- both read the op while pending, both try to claim it: one sends, the other skips (before: both
  sent, a create twice);
- one fails while the other delivers: the failing one must not put the delivered op back to
  pending (before: ``_defer`` did, and the op was sent again);
- two ``flush`` calls at once: the second does nothing (the replayer lock), the first delivers.
"""

from __future__ import annotations

import threading
from types import SimpleNamespace

import pytest
from sqlmodel import select

from mirror import outbox, writes
from mirror.outbox import OutboxOp
from sync import replay
from sync.replay._replayer import _Replayer
from sync.upkeep import RetryPolicy
from sync.upkeep.errors import ServerError
from sync.upkeep.paging import PageSize
from tests.support.recorded import recorded_by_id

MOTOR_WO = "Wo9Fe4JsYu"
#: Generous: only reached when the code under test is wrong (it would otherwise hang).
DEADLINE = 30.0


class FakeUpKeep:
    """Answers like UpKeep for one work order; each hook decides when an answer may leave."""

    def __init__(self) -> None:
        self.stats = SimpleNamespace(requests=0, retries=0)
        self.page_size = PageSize()
        self.posts: list[dict] = []
        self.patches: list[dict] = []
        self.lock = threading.Lock()
        self.before_post = lambda: None
        self.on_get_one = lambda n: None  # n: how many get_one calls came before this one

    def _count(self) -> int:
        with self.lock:
            self.stats.requests += 1
            return self.stats.requests

    def post(self, path: str, body: dict) -> dict:
        self._count()
        with self.lock:
            self.posts.append(body)
        self.before_post()
        base = recorded_by_id("work_orders")[MOTOR_WO]
        return {**base, "id": f"WoNew{len(self.posts)}", "title": body["title"], "description": body["description"]}

    def get_one(self, path: str, params: dict | None = None) -> dict:
        with self.lock:
            n = self.stats.requests
        self._count()
        self.on_get_one(n)
        return dict(recorded_by_id("work_orders")[MOTOR_WO])

    def patch(self, path: str, body: dict) -> dict:
        self._count()
        with self.lock:
            self.patches.append(body)
        return {**recorded_by_id("work_orders")[MOTOR_WO], **body, "updatedAt": "2030-01-01T00:00:00.000Z"}

    def get_list(self, path: str, params: dict | None = None) -> list:
        self._count()
        return []


def _replayer(mirror, client) -> _Replayer:
    return _Replayer(mirror, client, policy=RetryPolicy(attempts=1), sleep=lambda s: None,
                            clock=outbox.utcnow, redelivery=(0.0, 0.0), settle=0.0)


def _race(mirror, client, monkeypatch) -> list[replay.ReplayReport]:
    """Run two replayers (without the lock) on two threads; both read the op before either acts."""
    both_read = threading.Barrier(2, timeout=DEADLINE)
    load = _Replayer._load

    def load_then_wait(self, seq):
        op = load(self, seq)
        if not getattr(self, "_waited", False):
            self._waited = True
            both_read.wait()
        return op

    monkeypatch.setattr(_Replayer, "_load", load_then_wait)
    reports: list = [None, None]
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            reports[i] = _replayer(mirror, client).run_unlocked(lambda: False)
        except BaseException as exc:  # surfaced below, with the thread's own traceback
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(DEADLINE)
    assert not errors, errors
    assert all(not t.is_alive() for t in threads), "a replayer hung"
    return reports


def _op(mirror, seq) -> OutboxOp:
    with mirror.session() as s:
        return s.exec(select(OutboxOp).where(OutboxOp.seq == seq)).one()


def test_two_replayers_claiming_one_create_send_it_once(loaded, monkeypatch):
    queued = writes.create_work_order(loaded, title="Seal leak at pump P-7")
    client = FakeUpKeep()
    other_tried = threading.Event()
    claims = []
    mark_sending = outbox.mark_sending

    def counted(*args, **kwargs):
        won = mark_sending(*args, **kwargs)
        claims.append(won)
        if len(claims) == 2:
            other_tried.set()
        return won

    monkeypatch.setattr(outbox, "mark_sending", counted)
    # The winner's POST is held until the loser has tried to claim the op too.
    client.before_post = lambda: other_tried.wait(DEADLINE)

    reports = _race(loaded, client, monkeypatch)

    assert other_tried.is_set() and sorted(claims) == [False, True]
    assert len(client.posts) == 1, client.posts
    op = _op(loaded, queued.seq)
    assert (op.state, op.attempts, op.server_id) == ("done", 1, "WoNew1")
    assert sorted((r.created, r.skipped) for r in reports) == [(0, 1), (1, 0)]


def test_a_replayer_failing_after_the_other_delivered_does_not_reopen_the_op(loaded, monkeypatch):
    queued = writes.update_work_order(loaded, MOTOR_WO, title="Replace motor bearing (both ends)")
    client = FakeUpKeep()
    delivered = threading.Event()
    mark_done = outbox.mark_done

    def done_then_signal(*args, **kwargs):
        won = mark_done(*args, **kwargs)
        if won:
            delivered.set()
        return won

    monkeypatch.setattr(outbox, "mark_done", done_then_signal)

    def second_fails_late(n: int) -> None:
        if n > 0:  # the second conflict check answers only once the first replayer delivered, with a 500
            assert delivered.wait(DEADLINE)
            raise ServerError("Internal Server Error", status=500, method="GET", path="/api/v2/work-orders")

    client.on_get_one = second_fails_late

    reports = _race(loaded, client, monkeypatch)

    assert delivered.is_set() and len(client.patches) == 1
    op = _op(loaded, queued.seq)
    assert (op.state, op.attempts, op.last_error, op.next_attempt_at) == ("done", 1, None, None)
    assert sorted((r.updated, r.deferred, r.skipped) for r in reports) == [(0, 0, 1), (1, 0, 0)]
    with loaded.session() as s:  # nothing left to send: the op is not delivered a second time later
        assert outbox.ready_ops(s) == []


def test_a_second_flush_while_one_runs_does_nothing(loaded):
    queued = writes.create_work_order(loaded, title="Check coupling guard")
    client = FakeUpKeep()
    second_done = threading.Event()
    second: list[replay.ReplayReport] = []

    def flush_again_meanwhile() -> None:
        second.append(replay.flush(loaded, FakeUpKeep(), settle=0.0))
        second_done.set()

    client.before_post = lambda: (threading.Thread(target=flush_again_meanwhile).start(),
                                  second_done.wait(DEADLINE))
    first = replay.flush(loaded, client, settle=0.0)

    assert second_done.is_set() and second[0].busy and second[0].requests == 0
    assert "outbox replay (pid" in second[0].last_error and str(second[0]).startswith("not run:")
    assert (first.busy, first.created, len(client.posts)) == (False, 1, 1)
    assert _op(loaded, queued.seq).state == "done"
    # The lock is released with the flush: the next one runs (and finds nothing to send).
    again = replay.flush(loaded, FakeUpKeep(), settle=0.0)
    assert not again.busy and again.done == 0


@pytest.mark.parametrize("threads", [4])
def test_many_concurrent_flushes_deliver_every_op_once(loaded, threads):
    """No hooks: several flushes at once on a queue of creates, each sent exactly once."""
    seqs = [writes.create_work_order(loaded, title=f"Inspect belt {i}").seq for i in range(12)]
    client = FakeUpKeep()
    start = threading.Barrier(threads, timeout=DEADLINE)

    def run() -> None:
        start.wait()
        for _ in range(20):
            replay.flush(loaded, client, settle=0.0)

    workers = [threading.Thread(target=run) for _ in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(DEADLINE * 2)
    titles = [p["title"] for p in client.posts]
    assert sorted(titles) == sorted(f"Inspect belt {i}" for i in range(12))
    assert {_op(loaded, s).state for s in seqs} == {"done"}
