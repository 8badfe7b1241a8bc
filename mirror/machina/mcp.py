"""Machina's MCP tools, resources and prompts over the mirror: the server ``upkeep-mirror mcp`` runs on stdio.

Machina's own server (``machina.mcp.server.build_server``) builds its runtime from a Machina
config file whose connector types are a fixed table (``upkeep``, ``maximo``...), so it cannot be
pointed at a connector object. This module builds the same FastMCP server around a given
``MachinaRuntime`` instead: one ``MirrorConnector`` as the primary CMMS, Machina's tools selected
from that connector's capabilities (``machina.mcp.tools.get_tools_for_capabilities``), and
Machina's resources and prompts. Tools, names, arguments and answers are therefore Machina's own;
the data comes from the mirror file, with no network, and writes go to the outbox.

The command that serves it is ``sync.cli.mcp`` (the composition root). Needs the extra ``mcp`` (``pip install 'upkeep-mirror[mcp]'``: machina-ai with the MCP SDK).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

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
