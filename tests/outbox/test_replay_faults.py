"""Replay under injected faults on the emulator: lost answers, drops, 429, 503, 500 and timeouts."""

from __future__ import annotations

import httpx
import pytest

from sync.replay import flush
from tests.support.outbox import all_ops, assert_delivered_once, flush_until_empty, queue_workload
from tests.support.retries import FAST
from tests.support.upkeep import upkeep_client


def test_every_create_applied_but_its_answer_lost(synced, emu, client):
    queue_workload(synced, seed=1, creates=8)
    client.get_list("/api/v2/users/", {"limit": 1})  # log in before every POST loses its answer
    emu.set_faults(lost_response_rate=1.0, methods=["POST"], seed=1)
    reports = flush_until_empty(synced, client)
    assert sum(r.found_after_loss for r in reports) == 8 * 4  # work orders, requests, readings, messages
    emu.set_faults()
    assert_delivered_once(synced, emu)


@pytest.mark.parametrize("seed", [2, 3, 4])
def test_seeded_mix_of_write_faults_delivers_everything_once(synced, emu, client, seed):
    queue_workload(synced, seed=seed)
    client.get_list("/api/v2/users/", {"limit": 1})
    emu.set_faults(lost_response_rate=0.3, drop_rate=0.15, server_error_rate=0.1, methods=["POST", "PATCH"],
                   seed=seed)
    flush_until_empty(synced, client)
    emu.set_faults()
    assert_delivered_once(synced, emu)


def test_429_and_503_are_retried_until_delivered(synced, emu):
    queue_workload(synced, seed=5, creates=4)
    # The client's throttle spaces requests up to 2 s apart while 429s keep coming (a third of them
    # here): its waits are skipped, the 429s and retries are real.
    with upkeep_client(emu, sleep=lambda seconds: None) as client:
        client.get_list("/api/v2/users/", {"limit": 1})
        emu.set_faults(rate_limit_rate=0.3, retry_after_s=0, unavailable_rate=0.25, seed=5)
        reports = flush_until_empty(synced, client)
        assert client.stats.retries > 0
    assert all(r.dead == 0 for r in reports)
    emu.set_faults()
    assert_delivered_once(synced, emu)


def test_timeouts_are_retried_and_late_writes_are_not_duplicated(synced, emu):
    """The emulator applies a slow write after the client gave up: the replayer waits, then looks."""
    queue_workload(synced, seed=6, creates=3)
    with upkeep_client(emu, timeout=httpx.Timeout(0.1, connect=2.0)) as client:
        client.get_list("/api/v2/users/", {"limit": 1})
        emu.set_faults(latency_ms=200, latency_rate=0.3, seed=6)
        # The replayer looks for a timed-out create `settle` s after it; the emulator applies it
        # 200 ms late. A margin of 50 ms (settle 0.25) let a loaded machine look too early and
        # send again; 1 s is a margin no scheduler delay here reaches (production waits 5 s).
        flush_until_empty(synced, client, settle=1.0)
        assert client.stats.retries > 0
    emu.set_faults()
    assert_delivered_once(synced, emu)


def test_an_unreachable_upkeep_defers_without_a_timer_and_loses_nothing(synced, emu, client):
    queue_workload(synced, seed=7, creates=2)
    emu.set_offline(True)
    report = flush(synced, client, settle=0.0, policy=FAST)
    assert report.unreachable and report.deferred == 1 and report.done == 0
    pending = all_ops(synced)
    assert {o.state for o in pending} == {"pending"} and all(o.next_attempt_at is None for o in pending)
    emu.set_offline(False)
    flush_until_empty(synced, client)
    assert_delivered_once(synced, emu)
