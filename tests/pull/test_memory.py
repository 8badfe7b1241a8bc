"""Bounded memory: a full sync's peak RSS grows far less than the data (slow: run with -m slow)."""

from __future__ import annotations

import pytest

from sync.emulator import EmulatorProcess
from tests.support.measure_sync import run


@pytest.mark.slow
def test_peak_rss_of_a_full_sync_grows_far_less_than_the_data(tmp_path):
    peaks = {}
    for scale in (20_000, 100_000):
        with EmulatorProcess(seed=1, work_orders=scale, state=str(tmp_path / f"emu{scale}.db")) as emu:
            report = run(tmp_path / f"m{scale}.db", emu.base_url)
        assert report["fetched"] > scale
        peaks[scale] = report["combined_rss_mb"]  # the sync and its mapping worker together
    growth = peaks[100_000] / peaks[20_000]
    # Five times the data; an O(table) sync would need several times the memory.
    assert growth < 1.25, f"peak RSS {peaks}: grew x{growth:.2f}"
