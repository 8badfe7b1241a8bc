"""Requests in parallel: windows cover a listing exactly once, one throttle paces every worker.

Pacing is checked on a fake clock (its ``sleep`` advances it; nothing really waits) against the
emulator's own request count, never by timing the run.
"""

from __future__ import annotations

import itertools
import threading
from collections import Counter

import pytest
from sqlalchemy import text

from sync.emulator import Emulator
from sync.pull import PullOptions, sync_entities
from sync.pull._fetch import Fetcher
from sync.upkeep import Credentials, UpKeepClient
from sync.upkeep._throttle import Throttle
from sync.upkeep.keyset import KeysetPager
from tests.support.pull import assert_converged
from tests.support.retries import FAST_PATIENT


class FakeClock:
    """A shared monotonic clock that only moves when someone sleeps on it."""

    def __init__(self) -> None:
        self.now = 1000.0
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            return self.now

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.now += max(seconds, 0.0)


class RecordingClient(UpKeepClient):
    """Records the ids of every work order listed, from whichever worker thread."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.listed: list[str] = []
        self._lock = threading.Lock()

    def get_list(self, path, params=None):
        page = super().get_list(path, params)
        if "work-orders" in path:
            with self._lock:
                self.listed += [o["id"] for o in page]
        return page


def _client(emu, cls=UpKeepClient, **kwargs) -> UpKeepClient:
    email, password = emu.credentials
    return cls(Credentials(email=email, password=password, base_url=emu.base_url), policy=FAST_PATIENT, **kwargs)


@pytest.fixture(autouse=True)
def eager_workers(monkeypatch):
    """Every wait of the writer adds a worker: the local emulator is too fast to make it wait long."""
    monkeypatch.setattr(Fetcher, "GROW_AFTER_S", 0.0)


def test_windows_list_every_work_order_exactly_once_while_new_ones_arrive(mirror):
    with Emulator(seed=11, work_orders=1200) as emu, _client(emu, RecordingClient, max_connections=4) as client:
        before = {o["id"] for o in emu.dump("work_orders")}
        created: list[str] = []

        def live(_result):  # new and changed work orders land between pages
            created.extend(c["id"] for c in emu.mutate(op="create", entity="work_orders", fields={"title": "live"}))
            emu.mutate(2)

        results = sync_entities(mirror, client, ["parts", "work_orders"],
                                PullOptions(page_size=50, windows=6, on_page=live))
        assert all(r.finished for r in results)
        counts = Counter(client.listed)
        assert before <= counts.keys(), f"{len(before - counts.keys())} work orders never listed"
        assert max(counts.values()) == 1, f"listed twice: {[i for i, n in counts.items() if n > 1][:5]}"
        with mirror.session() as s:
            windows = s.execute(text("SELECT count(*) FROM sync_windows")).scalar()
            requests = s.execute(text("SELECT requests FROM sync_runs WHERE entity = 'work_orders'")).scalar()
        assert windows == 0  # a complete scan leaves no windows behind
        assert requests >= 1200 // 50
        # The changes stop; one more sync converges (it starts from the scan's start minus the skew).
        sync_entities(mirror, client, ["parts", "work_orders"], PullOptions(page_size=50))
        assert_converged(mirror, emu, ["work_orders"])
        assert created and set(created) <= {r for r, in mirror.session().execute(text("SELECT id FROM work_orders"))}


def test_a_429_holds_every_worker_until_retry_after_has_passed(mirror):
    # The real clock, but sleeps return at once: the throttle's decisions are checked, not the waiting.
    with Emulator(seed=12, work_orders=800) as emu, \
            _client(emu, max_connections=4, sleep=lambda _s: None) as client:
        client.throttle.log = log = []
        emu.set_faults(seed=3, rate_limit_rate=0.15, retry_after_s=5)
        results = sync_entities(mirror, client, options=PullOptions(page_size=50, windows=4))
        assert all(r.finished for r in results), [r.error for r in results if r.error]
        stats = emu.stats.snapshot()
        emu.set_faults()
        assert_converged(mirror, emu)
    refusals = [e for e in log if e[0] == "429"]
    starts = [e for e in log if e[0] == "start"]
    assert len(refusals) == stats["statuses"].get("429", 0) >= 3
    assert len(starts) == stats["total"]  # every request the emulator saw (login included) was throttled
    # After each 429, no other worker starts a request before its Retry-After has passed (the
    # refused worker itself sits it out in its retry policy; so does any worker refused with the
    # same hold, which happens when two 429s land within one tick of a coarse VM clock).
    held = 0
    for i, (kind, _at, until, _thread) in enumerate(log):
        if kind == "429":
            refused = {t for k, _, u, t in log if k == "429" and u == until}
            others = [start for k, start, _, t in log[i + 1:] if k == "start" and t not in refused]
            assert all(start >= until for start in others), "a worker ignored another's 429"
            held += len(others)
    assert held > 0


def test_max_rps_spaces_every_request_of_every_worker(mirror):
    clock = FakeClock()
    with Emulator(seed=13, work_orders=600) as emu, \
            _client(emu, max_connections=4, max_requests_per_second=5, clock=clock, sleep=clock.sleep) as client:
        client.throttle.log = []
        results = sync_entities(mirror, client, options=PullOptions(page_size=50, windows=4))
        assert all(r.finished for r in results)
        total = emu.stats.snapshot()["total"]
    grants = sorted(e[1] for e in client.throttle.log if e[0] == "start")
    assert len(grants) == total  # every request the emulator saw (login included) was paced
    gaps = [b - a for a, b in itertools.pairwise(grants)]
    assert min(gaps) >= 1 / 5 - 1e-9
    # ... so no second holds more than five request starts.
    assert max(sum(1 for g in grants if t <= g < t + 1) for t in grants) <= 5


def test_throttle_adapts_to_429s_and_relaxes_after_successes():
    clock = FakeClock()
    throttle = Throttle(None, clock, clock.sleep)
    assert throttle.wait() == 1000.0 and throttle.wait() == 1000.0  # no limit: no spacing
    throttle.rate_limited(3.0)
    other = threading.Thread(target=lambda: result.append(throttle.wait()))
    result: list[float] = []
    other.start()
    other.join()
    assert result == [1003.0]  # another thread waits out the Retry-After
    assert throttle.penalty > 0
    first = throttle.penalty
    throttle.rate_limited(None)
    assert throttle.penalty == 2 * first
    for _ in range(100):
        throttle.succeeded()
    assert throttle.penalty == 0.0


def test_keyset_window_bound_goes_out_as_less_than():
    pager = KeysetPager(field="createdAt", since_ms=10, until_ms=20, limit=5)
    assert pager.params() == {"orderBy": "createdAt ASC", "offset": 0, "limit": 5,
                              "createdAtGreaterThanOrEqualTo": 10, "createdAtLessThan": 20}


@pytest.fixture
def mirror(tmp_path):
    from mirror.db import open_mirror

    with open_mirror(tmp_path / "m.db") as m:
        yield m


class _ListingClient:
    """Enough of UpKeepClient for a Fetcher: ``pages`` full pages of one listing, then a short one."""

    def __init__(self, pages: int) -> None:
        self.pages = pages

    def get_list(self, path, params):
        offset = params["offset"]
        return [{"id": str(i)} for i in range(offset, offset + (10 if offset < self.pages * 10 else 3))]

    def thread_retries(self) -> int:
        return 0


@pytest.mark.parametrize(("tick", "grows"), [(0.0, False), (1.0, True)])
def test_fetcher_adds_workers_only_when_the_writer_waits(monkeypatch, tick, grows):
    from sync.pull._fetch import End, Page, Stream
    from sync.upkeep.endpoints import FullListing

    monkeypatch.setattr(Fetcher, "GROW_AFTER_S", 0.5)
    now = [0.0]

    def clock():  # each reading is `tick` seconds after the last: how long a blocking get() seems
        now[0] += tick
        return now[0]

    fetcher = Fetcher(_ListingClient(20), 4, lambda stream, page: page, start=1, clock=clock)
    for i in range(3):
        fetcher.add(Stream("e", f"/list/{i}", FullListing(10)))
    ended, rows = 0, 0
    with fetcher:
        while ended < 3:
            item = fetcher.get()
            ended += isinstance(item, End)
            rows += len(item.mapped) if isinstance(item, Page) else 0
        assert rows == 3 * (20 * 10 + 3)
        assert (fetcher.workers > 1) == grows and fetcher.workers <= 4
