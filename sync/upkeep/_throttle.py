"""``Throttle``: when the next request may start, shared by every thread that sends through one client.

The pull has several requests in flight at once (``sync.pull._fetch``); they all go through one
``UpKeepClient`` and so through one throttle, which keeps three promises across all of them:

- ``--max-rps``: request starts are at least ``1 / max_rps`` seconds apart (a minimum
  interval, no bursts), whichever thread sends;
- a 429 slows *everybody*: its ``Retry-After`` (or, without one, a short pause) holds every
  thread's next request until it has passed, not only the retry of the refused one;
- adaptively: each 429 also doubles an extra spacing between request starts (from 50 ms up to
  2 s), and each success shrinks it again, so a client that keeps hitting the limit settles
  just under it instead of bouncing off it.

The connection cap is httpx's (``httpx.Limits`` on the client). Clock and sleep are injected,
so tests check the spacing on a fake clock; ``log`` (when set to a list) records, in the order
decided, every start granted and every 429 as ``(kind, time, until, thread id)``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

__all__ = ["Throttle"]

_FIRST_PENALTY = 0.05
_MAX_PENALTY = 2.0
_DEFAULT_PAUSE = 1.0  # a 429 without Retry-After


class Throttle:
    def __init__(self, max_rps: float | None, clock: Callable[[], float], sleep: Callable[[float], None]) -> None:
        if max_rps is not None and max_rps <= 0:
            raise ValueError("max_requests_per_second must be positive")
        self._interval = 1.0 / max_rps if max_rps else 0.0
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._next = float("-inf")  # earliest start of the next request
        self._paused_until = float("-inf")
        self._local = threading.local()  # per thread: the pause it already sits out in its retry wait
        self.penalty = 0.0  # adaptive extra spacing, seconds
        self.log: list[tuple[str, float, float, int]] | None = None

    def wait(self) -> float:
        """Block until this thread may send; return the start time granted (the clock's)."""
        with self._lock:
            now = self._clock()
            # The thread that got the 429 waits Retry-After in its retry policy already.
            paused = self._paused_until if getattr(self._local, "waived", None) != self._paused_until else now
            start = max(now, self._next, paused)
            self._next = start + max(self._interval, self.penalty)
            if self.log is not None:
                self.log.append(("start", start, start, threading.get_ident()))
        if start > now:
            self._sleep(start - now)
        return start

    def rate_limited(self, retry_after: float | None) -> None:
        """A 429: hold every thread until ``Retry-After`` has passed, and space requests further apart."""
        with self._lock:
            pause = _DEFAULT_PAUSE if retry_after is None else retry_after
            self._paused_until = max(self._paused_until, self._clock() + pause)
            self._local.waived = self._paused_until
            if self.log is not None:
                self.log.append(("429", self._clock(), self._paused_until, threading.get_ident()))
            self.penalty = min(_MAX_PENALTY, max(_FIRST_PENALTY, self.penalty * 2))

    def succeeded(self) -> None:
        """An answer that was not a 429: relax the adaptive spacing a little."""
        if self.penalty:
            with self._lock:
                self.penalty = 0.0 if self.penalty < _FIRST_PENALTY else self.penalty * 0.9
