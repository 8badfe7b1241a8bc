"""The pull's tests: ``emu`` (tests/conftest.py) is a bigger account here, and ``client`` retries as
patiently as production, in milliseconds, so fault tests stay fast."""

from __future__ import annotations

import pytest

from sync.upkeep._retry import RetryPolicy
from tests.support.retries import FAST_PATIENT


@pytest.fixture
def emu_account() -> dict[str, int]:
    return {"seed": 5, "work_orders": 600}


@pytest.fixture
def client_retries() -> RetryPolicy:
    return FAST_PATIENT
