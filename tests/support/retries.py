"""Retry policies that run production's retry code with the waiting taken out, so fault tests stay fast.

They differ in how long they persist; each name says how.
"""

from __future__ import annotations

from sync.upkeep._retry import RetryPolicy

#: Five attempts, millisecond backoff: the default for clients on the emulator.
FAST = RetryPolicy(attempts=5, initial=0.001, maximum=0.01, jitter=0.0, max_delay=5.0)

#: Production's patience (12 attempts, 30 s max delay) in milliseconds: the pull rides out injected faults.
FAST_PATIENT = RetryPolicy(attempts=12, max_delay=30.0, initial=0.005, maximum=0.05, jitter=0.005)

#: Three attempts: the daemon notices a network cut in a fraction of a second.
FAST_THREE_TRIES = RetryPolicy(attempts=3, initial=0.01, maximum=0.05, jitter=0.0, max_delay=2.0)

#: Two attempts: a daemon job or the CLI gives up on an unreachable UpKeep after one retry.
FAST_TWO_TRIES = RetryPolicy(attempts=2, initial=0.01, maximum=0.02, jitter=0.0, max_delay=1.0)
