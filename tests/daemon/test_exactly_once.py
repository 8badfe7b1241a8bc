"""Issue 11's double delivery, as a seeded test: the daemon runs while the network is cut and restored
many times, with local writes queued on both sides of each cut; UpKeep must get each exactly once.

Before the fix the probe flushed the outbox itself while the scheduled outbox job flushed on another
thread, and a replayer could put an op the other had delivered back to pending: the issue's run
printed ``{'repro-1': 2, 'repro-2': 2, 'repro-3': 1}``. Here the daemon (real scheduler, real
threads) runs in this process against the emulator over HTTP on 127.0.0.1, with short intervals.
"""

from __future__ import annotations

import logging
import random
from collections import Counter

import pytest
from sqlalchemy import text

from mirror import writes
from mirror.db import open_mirror
from sync import daemon as daemon_module
from sync.daemon import Daemon, DaemonConfig
from sync.emulator import Emulator
from sync.upkeep import Credentials, RetryPolicy
from tests.support.retries import FAST_THREE_TRIES
from tests.support.waiting import wait_for

#: The daemon's retries, minus the waiting: a cut is noticed in a fraction of a second.
FAST = RetryPolicy(attempts=3, initial=0.01, maximum=0.05, jitter=0.0, max_delay=2.0)


def _scalar(mirror, sql: str):
    with mirror.session() as s:
        return s.execute(text(sql)).scalar()


@pytest.mark.parametrize("seed", [3, 17])
def test_network_cuts_while_the_daemon_runs_deliver_every_write_once(tmp_path, monkeypatch, caplog, seed):
    rng = random.Random(seed)
    monkeypatch.setattr(daemon_module, "DAEMON_RETRIES", FAST_THREE_TRIES)
    caplog.set_level(logging.INFO)
    with Emulator(seed=seed, work_orders=60) as emu, open_mirror(tmp_path / "m.db") as mirror:
        email, password = emu.credentials
        creds = Credentials(email=email, password=password, base_url=emu.base_url)
        daemon = Daemon(mirror, creds, DaemonConfig(pull_every=1.0, pull_jitter=0.2, outbox_every=0.2,
                                                    probe_min=0.1, probe_max=0.4, page_size=50))
        daemon.start()
        try:
            wait_for(lambda: _scalar(mirror, "SELECT count(*) FROM work_orders") == 60, 60, "the first pull")
            titles: list[str] = []
            for cycle in range(8):
                emu.set_offline(True)
                for i in range(rng.randint(1, 3)):  # queued before the daemon notices the cut
                    titles.append(f"repro-{seed}-{cycle}-{i}")
                    writes.create_work_order(mirror, title=titles[-1])
                wait_for(lambda: _scalar(mirror, "SELECT online FROM connectivity") == 0, 60, "offline")
                if rng.random() < 0.5:  # and some after
                    titles.append(f"repro-{seed}-{cycle}-late")
                    writes.create_work_order(mirror, title=titles[-1])
                emu.set_offline(False)
                if rng.random() < 0.5:  # sometimes cut again before the queue is empty
                    wait_for(lambda: _scalar(mirror, "SELECT online FROM connectivity") == 1, 60, "online")
                    continue
                wait_for(lambda: _scalar(mirror, "SELECT count(*) FROM outbox WHERE state != 'done'") == 0, 60,
                         "the queue to drain")
            wait_for(lambda: _scalar(mirror, "SELECT count(*) FROM outbox WHERE state != 'done'") == 0, 60,
                     "the queue to drain")
        finally:
            daemon.stop()
        remote = Counter(w["title"] for w in emu.dump("work_orders") if w["title"].startswith("repro-"))
    duplicates = {t: n for t, n in remote.items() if n > 1}
    assert not duplicates, duplicates
    assert sorted(remote) == sorted(titles)
    with open_mirror(tmp_path / "m.db") as mirror:
        assert _scalar(mirror, "SELECT count(*) FROM work_orders WHERE id LIKE 'local-%'") == 0
    messages = [r.getMessage() for r in caplog.records]
    noisy = [r for r in caplog.records if r.name.startswith("apscheduler") and r.levelno >= logging.WARNING]
    assert not noisy, [r.getMessage() for r in noisy]
    assert sum("back online after" in m for m in messages) >= 1
    assert not [m for m in messages if "changed meanwhile" in m and "sent" in m]

