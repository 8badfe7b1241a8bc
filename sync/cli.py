"""The ``upkeep-mirror`` command line: the composition root that wires store, client and servers.

Each command is a few lines of wiring; the work lives in the modules it calls. Errors reach the
user as one sentence on stderr and a non-zero exit code, never a traceback.
"""

from __future__ import annotations

import click


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="upkeep-mirror")
def cli() -> None:
    """Keep an offline-capable local mirror of an UpKeep CMMS account, and query it."""

from sync.pull_cli import status, sync

cli.add_command(sync)
cli.add_command(status)
from sync.emulator.command import emulator

cli.add_command(emulator)
from sync.serve import serve

cli.add_command(serve)
from sync.daemon_cli import run

cli.add_command(run)
from sync.demo import demo, demo_network

cli.add_command(demo)
cli.add_command(demo_network)
from sync.outbox_cli import meter, outbox, part, request, wo

for _command in (wo, request, meter, part, outbox):
    cli.add_command(_command)
