"""``upkeep-mirror mcp``: Machina's MCP tools, resources and prompts, served over the mirror on stdio.

Machina's own server (``machina.mcp.server.build_server``) builds its runtime from a Machina
config file whose connector types are a fixed table (``upkeep``, ``maximo``...), so it cannot be
pointed at a connector object. This module builds the same FastMCP server around a given
``MachinaRuntime`` instead: one ``MirrorConnector`` as the primary CMMS, Machina's tools selected
from that connector's capabilities (``machina.mcp.tools.get_tools_for_capabilities``), and
Machina's resources and prompts. Tools, names, arguments and answers are therefore Machina's own;
the data comes from the mirror file, with no network, and writes go to the outbox.

Needs the extra ``mcp`` (``pip install 'upkeep-mirror[mcp]'``: machina-ai with the MCP SDK).
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import click

INSTALL_HINT = "the MCP server needs machina-ai with the MCP SDK: pip install 'upkeep-mirror[mcp]'"


def build_server(db: str | Path, *, sandbox: bool = False) -> Any:
    """A FastMCP server whose Machina runtime has one connector, ``cmms``: the mirror at ``db``.

    The runtime is connected when a session starts (FastMCP's lifespan) and disconnected when it
    ends. ``sandbox``: Machina's sandbox mode, in which write tools answer with a placeholder and
    queue nothing.
    """
    try:
        from machina.connectors.base import set_sandbox_mode
        from machina.exceptions import ConnectorError
        from machina.mcp.prompts import register_prompts
        from machina.mcp.resources import register_resources
        from machina.mcp.tools import get_tools_for_capabilities
        from machina.runtime import MachinaRuntime
        from mcp.server.fastmcp import FastMCP
    except ImportError as exc:
        raise ImportError(INSTALL_HINT) from exc
    from mirror.machina import MirrorConnector

    @asynccontextmanager
    async def lifespan(_server: Any) -> AsyncIterator[dict[str, Any]]:
        runtime = MachinaRuntime(connectors={"cmms": MirrorConnector(db)}, sandbox_mode=sandbox,
                                 primary_cmms_name="cmms")
        set_sandbox_mode(sandbox)
        await runtime.connect_all()
        if runtime.failed_connectors:
            raise ConnectorError(runtime.failed_connectors["cmms"])
        try:
            yield {"runtime": runtime}
        finally:
            await runtime.disconnect_all()

    server = FastMCP("upkeep-mirror", lifespan=lifespan)
    for tool in get_tools_for_capabilities(MirrorConnector.capabilities):
        server.add_tool(tool)
    register_resources(server)
    register_prompts(server)
    return server


@click.command()
@click.option("--db", "db", required=True, envvar="UPKEEP_MIRROR_DB",
              type=click.Path(dir_okay=False, path_type=Path),
              help="The mirror's SQLite file (made by `upkeep-mirror sync`). Env: UPKEEP_MIRROR_DB.")
@click.option("--sandbox", is_flag=True,
              help="Machina's sandbox mode: write tools answer with a placeholder and queue nothing.")
def mcp(db: Path, sandbox: bool) -> None:
    """Serve Machina's MCP tools over the mirror on stdio (for Claude Desktop, Cursor, any MCP client).

    Reads answer from the mirror file with no network; work orders created, updated or closed
    through the tools go to the outbox, which the daemon delivers to UpKeep.
    """
    if not db.is_file():
        raise click.ClickException(f"{db} does not exist; run `upkeep-mirror sync --db {db}` first")
    # stdout carries the JSON-RPC stream: Machina's logs must go to stderr.
    os.environ["MACHINA_MCP_STDIO"] = "1"
    try:
        from machina.observability.logging import configure_logging

        configure_logging(level="WARNING")
        server = build_server(db, sandbox=sandbox)
    except ImportError as exc:
        raise click.ClickException(INSTALL_HINT if "machina" in str(exc) else str(exc)) from None
    server.run(transport="stdio")


if __name__ == "__main__":  # pragma: no cover - `python -m sync.mcp --db plant.db`
    mcp()
