"""``python -m sync.emulator``: the same command as ``upkeep-mirror emulator``."""

from sync.emulator.command import emulator

emulator(prog_name="python -m sync.emulator")
