"""The retry policy on plain functions: what is retried, how long it waits, when it stops."""

from __future__ import annotations

import logging

import pytest

from sync.upkeep import RetryPolicy
from sync.upkeep._retry import should_retry
from sync.upkeep.errors import BadRequest, MalformedResponse, NetworkError, RateLimited, ServerError

NO_JITTER = RetryPolicy(jitter=0)


class Flaky:
    """Raises the given exceptions in turn, then returns "ok"."""

    def __init__(self, *failures: BaseException) -> None:
        self.failures = list(failures)
        self.calls = 0

    def __call__(self) -> str:
        self.calls += 1
        if self.failures:
            raise self.failures.pop(0)
        return "ok"


@pytest.fixture
def slept() -> list[float]:
    return []


def run(policy: RetryPolicy, fn, slept: list[float], on_retry=None):
    return policy.retrying(sleep=slept.append, on_retry=on_retry)(fn)


def test_retries_transient_then_succeeds_with_exponential_waits(slept):
    fn = Flaky(ServerError("boom", status=503), NetworkError("down"), ServerError("boom", status=502))
    assert run(NO_JITTER, fn, slept) == "ok"
    assert fn.calls == 4
    assert slept == [0.5, 1.0, 2.0]


def test_backoff_is_capped_at_maximum(slept):
    policy = RetryPolicy(initial=10, maximum=15, jitter=0, max_delay=1000)
    run(policy, Flaky(*[ServerError("x")] * 3), slept)
    assert slept == [10, 15, 15]


def test_jitter_adds_up_to_jitter_seconds(slept):
    policy = RetryPolicy(attempts=6, jitter=1.0, initial=0.5)
    run(policy, Flaky(*[ServerError("x")] * 5), slept)
    bases = [0.5, 1.0, 2.0, 4.0, 8.0]
    assert all(base <= w <= base + 1.0 for base, w in zip(bases, slept, strict=True))
    assert slept != bases


def test_retry_after_is_honoured_exactly_when_longer_than_backoff(slept):
    run(NO_JITTER, Flaky(RateLimited("slow down", retry_after=7)), slept)
    assert slept == [7.0]


def test_retry_after_is_a_floor_not_a_ceiling(slept):
    fn = Flaky(*[RateLimited("slow down", retry_after=0.1)] * 3)
    run(NO_JITTER, fn, slept)
    assert slept == [0.5, 1.0, 2.0]


def test_429_without_retry_after_backs_off_exponentially(slept):
    run(NO_JITTER, Flaky(RateLimited("slow"), RateLimited("slow")), slept)
    assert slept == [0.5, 1.0]


def test_stops_after_attempts_and_raises_the_last_error(slept):
    errors = [ServerError(f"boom {i}", status=503) for i in range(5)]
    fn = Flaky(*errors)
    with pytest.raises(ServerError) as info:
        run(RetryPolicy(attempts=3, jitter=0), fn, slept)
    assert info.value is errors[2]
    assert fn.calls == 3
    assert len(slept) == 2


def test_retry_after_beyond_the_time_budget_gives_up_without_sleeping(slept):
    fn = Flaky(RateLimited("come back in an hour", retry_after=3600))
    with pytest.raises(RateLimited):
        run(RetryPolicy(max_delay=120), fn, slept)
    assert fn.calls == 1
    assert slept == []


@pytest.mark.parametrize(
    "error",
    [
        BadRequest("title cannot be null", status=400),
        MalformedResponse("not JSON"),
        NetworkError("read timeout", ambiguous=True),
        ServerError("boom", status=500, ambiguous=True),
        ValueError("a bug"),
    ],
)
def test_not_retried(error, slept):
    fn = Flaky(error)
    with pytest.raises(type(error)):
        run(NO_JITTER, fn, slept)
    assert fn.calls == 1
    assert slept == []


def test_should_retry_rule():
    assert should_retry(NetworkError("refused", ambiguous=False))
    assert not should_retry(NetworkError("read timeout", ambiguous=True))
    assert should_retry(RateLimited("slow"))
    assert not should_retry(BadRequest("bad"))


def test_on_retry_counts_each_retry_with_its_wait(slept):
    seen: list[tuple[str, float]] = []
    run(
        NO_JITTER,
        Flaky(ServerError("a"), ServerError("b")),
        slept,
        on_retry=lambda e, w: seen.append((e.message, w)),
    )
    assert seen == [("a", 0.5), ("b", 1.0)]


def test_single_attempt_policy_never_retries(slept):
    fn = Flaky(ServerError("x"))
    with pytest.raises(ServerError):
        run(RetryPolicy(attempts=1), fn, slept)
    assert fn.calls == 1


def test_retry_is_logged_as_warning(slept, caplog):
    caplog.set_level(logging.WARNING, logger="sync.upkeep._retry")
    run(
        NO_JITTER, Flaky(ServerError("upstream down", status=503, method="GET", path="/api/v2/assets")), slept
    )
    assert any(
        "GET /api/v2/assets" in r.getMessage() and "retry 1 of 5" in r.getMessage() for r in caplog.records
    )


@pytest.mark.parametrize("kwargs", [{"attempts": 0}, {"initial": -1}, {"jitter": -0.1}])
def test_policy_rejects_nonsense(kwargs):
    with pytest.raises(ValueError):
        RetryPolicy(**kwargs)
