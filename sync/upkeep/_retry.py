"""The one retry policy every UpKeep call goes through, composed from tenacity parts.

What is retried: a ``RetriableError`` (network, 429, 5xx) that is not ``ambiguous``. Fatal and
rejected errors are raised at once; so is an ambiguous one (a write UpKeep may have applied),
because sending it again could create a duplicate (see ``sync.upkeep.errors``).

How long to wait: exponential backoff from ``initial`` seconds, doubling up to ``maximum``, plus a
random ``0..jitter`` seconds so that clients which failed together do not return together. A 429's
``Retry-After`` is a floor: the wait is ``max(retry_after, backoff)``, never sooner than UpKeep asked,
and still growing if UpKeep keeps asking for one second.

When to give up: after ``attempts`` attempts, or instead of a wait that would end more than
``max_delay`` seconds after the first attempt started (tenacity's ``stop_before_delay``, so a
``Retry-After: 3600`` fails now rather than after an hour's sleep). The last error is re-raised
as itself, never wrapped in tenacity's ``RetryError``.

Also here, because it is the other half of "when to send": ``parse_retry_after`` (the header's
two forms) and ``Pacer``, an optional client-side rate limit that keeps the client from earning
429s in the first place.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception,
    stop_after_attempt,
    stop_before_delay,
    wait_exponential,
    wait_random,
)
from tenacity.stop import stop_base
from tenacity.wait import wait_base

from .errors import RetriableError

__all__ = ["Pacer", "RetryPolicy", "parse_retry_after", "should_retry", "wait_retry_after"]

log = logging.getLogger(__name__)

#: Called before each retry's sleep with the failure and the seconds about to be slept.
OnRetry = Callable[[BaseException, float], None]


def should_retry(exc: BaseException) -> bool:
    """True for a transient failure that is safe to send again."""
    return isinstance(exc, RetriableError) and not exc.ambiguous


class wait_retry_after(wait_base):
    """Wait ``max(Retry-After, backoff)`` after a ``RateLimited`` with a Retry-After, else ``backoff``."""

    def __init__(self, backoff: wait_base) -> None:
        self.backoff = backoff

    def __call__(self, retry_state: RetryCallState) -> float:
        backoff = self.backoff(retry_state)
        exc = retry_state.outcome.exception() if retry_state.outcome else None
        retry_after = getattr(exc, "retry_after", None)
        return backoff if retry_after is None else max(float(retry_after), backoff)


@dataclass(frozen=True)
class RetryPolicy:
    """Settings of the retry policy; ``retrying()`` builds the tenacity object that applies them.

    ``RetryPolicy(attempts=1)`` turns retries off (e.g. for a caller with its own backoff timer).
    """

    attempts: int = 6  # total attempts, the first included
    max_delay: float = 120.0  # seconds from the first attempt after which no retry starts
    initial: float = 0.5  # first backoff, seconds
    maximum: float = 30.0  # cap of the exponential part, seconds
    jitter: float = 0.5  # random extra seconds, uniform in [0, jitter]

    def __post_init__(self) -> None:
        if self.attempts < 1:
            raise ValueError("attempts must be at least 1")
        if min(self.max_delay, self.initial, self.maximum, self.jitter) < 0:
            raise ValueError("delays must not be negative")

    def stop(self) -> stop_base:
        return stop_after_attempt(self.attempts) | stop_before_delay(self.max_delay)

    def wait(self) -> wait_base:
        backoff: wait_base = wait_exponential(multiplier=self.initial, max=self.maximum)
        if self.jitter:
            backoff = backoff + wait_random(0, self.jitter)
        return wait_retry_after(backoff)

    def retrying(
        self, *, sleep: Callable[[float], None] = time.sleep, on_retry: OnRetry | None = None
    ) -> Retrying:
        """A ``Retrying`` for one logical call: ``policy.retrying(...)(fn, *args)``.

        ``sleep`` is injectable so tests run without real waiting; ``on_retry`` lets the caller
        count retries (the client adds them to its stats, the pull records them per run).
        """

        def before_sleep(state: RetryCallState) -> None:
            exc = state.outcome.exception() if state.outcome else None
            log.warning(
                "%s; retry %d of %d in %.1fs",
                exc,
                state.attempt_number,
                self.attempts - 1,
                state.upcoming_sleep,
            )
            if on_retry is not None and exc is not None:
                on_retry(exc, state.upcoming_sleep)

        return Retrying(
            stop=self.stop(),
            wait=self.wait(),
            retry=retry_if_exception(should_retry),
            sleep=sleep,
            before_sleep=before_sleep,
            reraise=True,
        )


class Pacer:
    """Client-side rate limit: at least ``1 / rate`` seconds between the starts of two requests.

    A minimum interval rather than a token bucket: no bursts, so no burst can trip UpKeep's limit.
    """

    def __init__(self, rate: float, clock: Callable[[], float], sleep: Callable[[float], None]) -> None:
        if rate <= 0:
            raise ValueError("max_requests_per_second must be positive")
        self._interval = 1.0 / rate
        self._clock = clock
        self._sleep = sleep
        self._next: float | None = None

    def wait(self) -> None:
        now = self._clock()
        if self._next is not None and now < self._next:
            self._sleep(self._next - now)
            now = self._next
        self._next = now + self._interval


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (seconds or HTTP-date); None if absent or unreadable."""
    if not value or not value.strip():
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - (now or datetime.now(UTC))).total_seconds()
    return max(0.0, seconds) if math.isfinite(seconds) else None
