"""The ``upkeep-mirror`` command line: the composition root that wires store, client and servers.

One module per command group (``pull``: sync and status, ``run``, ``serve``, ``demo``, ``mcp``, the
local writes ``wo``, ``request``, ``meter``, ``part``, ``asset`` (their shared plumbing in ``_write``),
and ``outbox``: the queue; the emulator's command lives with the emulator). A command's
module is imported only when that command runs, so ``upkeep-mirror sync`` never pays for Datasette
or APScheduler, and ``--help`` lists every command from :data:`COMMANDS` without importing any.
Errors reach the user as one sentence on stderr and a non-zero exit code, never a traceback.
"""

from __future__ import annotations

import importlib
from typing import Any

import click

#: Every command: name -> ("module:attribute", its short help for the listing). Adding a command is
#: one line here; ``tests/test_cli_lazy.py`` checks the short help against the command's docstring.
COMMANDS: dict[str, tuple[str, str]] = {
    "demo": ("sync.cli.demo:demo", "Run the emulator, a first sync, the daemon and Datasette; Ctrl-C stops everything."),
    "demo-network": ("sync.cli.demo:demo_network", "Cut (off) or restore (on) the running demo's emulated UpKeep, as a plant network would."),
    "sync": ("sync.cli.pull:sync", "Bring the mirror level with UpKeep: incremental by default, resumable after any crash."),
    "status": ("sync.cli.pull:status", "Show how fresh the mirror is: latest pull per entity, connectivity, local writes waiting."),
    "run": ("sync.cli.run:run", "Keep the mirror fresh and push local writes until stopped (Ctrl-C or SIGTERM)."),
    "serve": ("sync.cli.serve:serve", "Browse and query the mirror in Datasette, read-only, while syncs keep it fresh."),
    "wo": ("sync.cli.wo:wo", "Create and change work orders locally; the changes are queued for UpKeep."),
    "request": ("sync.cli.request:request", "Create maintenance requests locally; they are queued for UpKeep."),
    "meter": ("sync.cli.meter:meter", "Record meter readings locally; they are queued for UpKeep."),
    "part": ("sync.cli.part:part", "Record stock counts of parts locally; they are queued for UpKeep."),
    "asset": ("sync.cli.asset:asset", "Record asset downtime locally; it is queued for UpKeep."),
    "outbox": ("sync.cli.outbox:outbox", "See and steer the queue of local writes waiting for UpKeep."),
    "mcp": ("sync.cli.mcp:mcp", "Serve Machina's MCP tools over the mirror on stdio (for Claude Desktop, Cursor, any MCP client)."),
    "emulator": ("sync.emulator.command:emulator", "Run an UpKeep API v2 emulator on 127.0.0.1 with seeded plant data, until Ctrl-C."),
}


class LazyGroup(click.Group):
    """A click group whose subcommands are imported on first use, from a name -> "module:attr" registry."""

    def __init__(self, *args: Any, lazy: dict[str, tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy = lazy

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [*self.lazy, *(name for name in self.commands if name not in self.lazy)]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in self.lazy:
            module, _, attribute = self.lazy[cmd_name][0].partition(":")
            self.commands[cmd_name] = getattr(importlib.import_module(module), attribute)
        return self.commands.get(cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The command listing, from the registry's short help: no command module is imported."""
        names = self.list_commands(ctx)
        limit = formatter.width - 6 - max(len(n) for n in names)
        rows = [(name, self._listed(name).get_short_help_str(limit)) for name in names]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def _listed(self, name: str) -> click.Command:
        """The loaded command, or a stand-in carrying the registry's short help (nothing imported)."""
        if name in self.commands:
            return self.commands[name]
        return click.Command(name, help=self.lazy[name][1])


@click.group(cls=LazyGroup, lazy=COMMANDS, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="upkeep-mirror")
def cli() -> None:
    """Keep an offline-capable local mirror of an UpKeep CMMS account, and query it."""
