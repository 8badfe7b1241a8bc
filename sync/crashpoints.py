"""Crash points for the crash tests: the process kills itself (SIGKILL) at a chosen place.

``UPKEEP_MIRROR_TEST_CRASH_AFTER="<point>:<n>"`` makes the n-th pass through ``crash_point(point)``
in this process end it at once, as ``kill -9`` would: no ``finally``, no commit, no cleanup. Tests
use it to crash at a known page boundary instead of after a guessed delay. Unset (always, outside
tests) it costs one environment look-up.

``UPKEEP_MIRROR_TEST_CRASH_SIGNAL=TERM`` sends SIGTERM instead, to test a graceful stop at a known
place (the daemon's handler then finishes the page in progress).

Points: ``pull:<entity>`` after a batch of pages is committed; ``pull:<entity>:uncommitted`` inside
that transaction, after its rows are written and before the commit; ``outbox:claimed`` after an
operation is committed as ``sending``, before its request; ``outbox:answered`` after UpKeep answered,
before the answer is written back.
"""

from __future__ import annotations

import os
import signal
from collections import Counter

ENV = "UPKEEP_MIRROR_TEST_CRASH_AFTER"
SIGNAL_ENV = "UPKEEP_MIRROR_TEST_CRASH_SIGNAL"
_passes: Counter[str] = Counter()


def crash_point(point: str) -> None:
    spec = os.environ.get(ENV)
    if not spec:
        return
    _passes[point] += 1
    target, _, count = spec.rpartition(":")
    if target == point and str(_passes[point]) == count:
        os.kill(os.getpid(), getattr(signal, f"SIG{os.environ.get(SIGNAL_ENV, 'KILL')}"))
