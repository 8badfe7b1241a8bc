"""The ``upkeep-mirror`` command line: the composition root that wires store, client and servers.

Each command is a few lines of wiring in its own module; the work lives in the modules it calls.
Errors reach the user as one sentence on stderr and a non-zero exit code, never a traceback.
"""

from __future__ import annotations

import click

from sync.daemon_cli import run
from sync.demo import demo, demo_network
from sync.emulator.command import emulator
from sync.outbox_cli import meter, outbox, part, request, wo
from sync.pull_cli import status, sync
from sync.serve import serve


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="upkeep-mirror")
def cli() -> None:
    """Keep an offline-capable local mirror of an UpKeep CMMS account, and query it."""


for command in (demo, demo_network, sync, status, run, serve, wo, request, meter, part, outbox, emulator):
    cli.add_command(command)
