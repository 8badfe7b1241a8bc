"""An UpKeep API v2 emulator: what the demo, the integration tests and the benchmarks run against.

In-process (tests, demo)::

    from sync.emulator import Emulator
    with Emulator(seed=1, work_orders=500) as emu:
        emu.api_url            # http://127.0.0.1:<port>/api/v2
        emu.set_faults(rate_limit_rate=0.2, retry_after_s=1)
        emu.mutate(5)
        emu.dump("work_orders")

As a separate process: ``upkeep-mirror emulator ...`` or ``python -m sync.emulator ...``, driven
over ``/_emulator`` (:class:`EmulatorProcess` does both).
"""

from sync.emulator.emulator import DEFAULT_EMAIL, DEFAULT_PASSWORD, Emulator
from sync.emulator.faults import FaultConfig
from sync.emulator.process import EmulatorProcess

__all__ = ["DEFAULT_EMAIL", "DEFAULT_PASSWORD", "Emulator", "EmulatorProcess", "FaultConfig"]
