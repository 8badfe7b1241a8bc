"""A replay killed hard (SIGKILL) at seeded chosen points and restarted delivers every op once.

The kills land where they matter, by a test hook (``sync.crashpoints``) rather than a guessed
delay: right after a round's operations are committed as ``sending`` (nothing sent yet), or right
after UpKeep answered the n-th of them and before the answers are written back (applied, but the
mirror does not know).
Each landing is checked, then a clean replay must deliver everything exactly once.
"""

from __future__ import annotations

import random
import signal

import pytest

from mirror.vocabulary import OpKind
from sync.replay._match import marker
from tests.support.outbox import all_ops, assert_delivered_once, queue_workload, start_child


def _on_upkeep(emu, op) -> bool | None:
    """Whether UpKeep holds what a create sent (None for kinds this cannot tell)."""
    if op.kind not in (OpKind.CREATE, OpKind.REQUEST):
        return None
    return any(marker(op.op_id) in (o.get("description") or "") for o in emu.dump(op.entity))


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
@pytest.mark.parametrize("seed", [11])
def test_replay_killed_at_chosen_points_delivers_every_op_once(synced, emu, seed):
    queue_workload(synced, seed=seed, creates=6)
    rng = random.Random(seed)
    for point in ["outbox:answered", "outbox:claimed"] * 3:
        nth = rng.randint(1, 4)
        before = {(o.seq, o.attempts) for o in all_ops(synced) if o.state == "sending"}
        child = start_child(synced, emu, crash_at=f"{point}:{nth}")
        _, err = child.communicate(timeout=120)
        assert child.returncode == -signal.SIGKILL, f"not killed at {point}:{nth}: {err}"
        # Landed between a round's claims and its write-back: the ops it claimed are left in sending
        # (claims are committed together, before any request leaves; answers written back together).
        caught = [o for o in all_ops(synced) if o.state == "sending" and (o.seq, o.attempts) not in before]
        assert caught, (point, nth)
        seen = {_on_upkeep(emu, o) for o in caught} - {None}
        if point == "outbox:claimed":  # killed before any request of the round left
            assert seen <= {False}, (point, [o.kind for o in caught])
    child = start_child(synced, emu)
    _, err = child.communicate(timeout=120)
    assert child.returncode == 0, err
    assert_delivered_once(synced, emu)
