"""``python -m sync.cli``: the same program as the ``upkeep-mirror`` console script."""

from sync.cli import cli

cli(prog_name="upkeep-mirror")
