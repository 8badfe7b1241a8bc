"""A replay killed hard (SIGKILL) at seeded random points and restarted delivers every op once."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from outbox_helpers import all_ops, assert_delivered_once, queue_workload

CHILD = Path(__file__).with_name("replay_child.py")
ROOT = Path(__file__).resolve().parents[2]


def start_child(mirror, emu) -> subprocess.Popen:
    email, password = emu.credentials
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, str(CHILD), str(mirror.path), emu.base_url, email, password],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
@pytest.mark.parametrize("seed", [11])
def test_replay_killed_at_random_points_delivers_every_op_once(synced, emu, seed):
    queue_workload(synced, seed=seed, creates=6)
    emu.set_faults(latency_ms=15, seed=seed)  # every request takes a while: kills land mid-flight
    rng = random.Random(seed)
    kills, caught_sending = 0, 0
    for _ in range(6):
        child = start_child(synced, emu)
        assert child.stdout.readline().strip() == "ready", child.stderr.read()
        time.sleep(rng.uniform(0.02, 0.4))
        if child.poll() is not None:
            break  # finished before the kill
        child.send_signal(signal.SIGKILL)
        child.wait()
        kills += 1
        caught_sending += any(o.state == "sending" for o in all_ops(synced))
    child = start_child(synced, emu)
    _, err = child.communicate(timeout=120)
    assert child.returncode == 0, err
    assert kills >= 3, "the replay finished before it could be killed; lengthen the workload"
    assert caught_sending, "no kill landed between 'sending' and the answer's write-back"
    emu.set_faults()
    assert_delivered_once(synced, emu)
