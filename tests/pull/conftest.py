"""The pull's tests: ``emu`` (tests/conftest.py) is a bigger account here, and ``client`` retries as
patiently as production, in milliseconds, so fault tests stay fast."""

from __future__ import annotations

import pytest

<<<<<<< HEAD
from mirror.db import Mirror
from mirror.schema import table_of
from sync.emulator import Emulator
from sync.pull._run import SOURCES
from sync.upkeep._client import Credentials, UpKeepClient
=======
>>>>>>> h20-tests
from sync.upkeep._retry import RetryPolicy
from tests.support.retries import FAST_PATIENT


@pytest.fixture
def emu_account() -> dict[str, int]:
    return {"seed": 5, "work_orders": 600}


@pytest.fixture
def client_retries() -> RetryPolicy:
    return FAST_PATIENT
