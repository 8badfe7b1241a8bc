"""Scale guard (run with ``-m slow``): 100k work orders start quickly, in bounded memory, and page fast."""

from __future__ import annotations

import time

import httpx
import pytest

from sync.emulator import EmulatorProcess
from tests.support.emulator import login


def _peak_rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as status:
        line = next(row for row in status if row.startswith("VmHWM"))
    return int(line.split()[1]) / 1024


@pytest.mark.slow
def test_hundred_thousand_work_orders_start_and_page_within_bounds():
    began = time.perf_counter()
    with EmulatorProcess(seed=1, work_orders=100_000) as proc:
        startup = time.perf_counter() - began
        assert startup < 60
        assert _peak_rss_mb(proc.proc.pid) < 300
        headers = {"Session-Token": login(proc.api_url)}
        began = time.perf_counter()
        deep = httpx.get(
            f"{proc.api_url}/work-orders",
            headers=headers,
            params={"offset": 99_900, "limit": 100, "orderBy": "updatedAt ASC"},
        )
        assert len(deep.json()["results"]) == 100
        assert time.perf_counter() - began < 1.0
