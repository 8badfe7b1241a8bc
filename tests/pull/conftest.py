"""The pull's tests: ``emu`` (tests/conftest.py) is a bigger account here, and ``client`` retries as
patiently as production, in milliseconds, so fault tests stay fast."""

from __future__ import annotations

import pytest

from sync.upkeep import Credentials, RetryPolicy, UpKeepClient
from tests.support.retries import FAST_PATIENT

#: Retries as the production policy, but in milliseconds, so fault tests stay fast.
FAST_RETRIES = RetryPolicy(attempts=12, max_delay=30.0, initial=0.005, maximum=0.05, jitter=0.005)


def client_for(emu, policy: RetryPolicy = FAST_RETRIES) -> UpKeepClient:
    email, password = emu.credentials
    return UpKeepClient(Credentials(email=email, password=password, base_url=emu.base_url), policy=policy)


@pytest.fixture
def emu_account() -> dict[str, int]:
    return {"seed": 5, "work_orders": 600}


@pytest.fixture
def client_retries() -> RetryPolicy:
    return FAST_PATIENT
