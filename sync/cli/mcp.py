"""``upkeep-mirror mcp``: serve Machina's MCP tools over the mirror on stdio (the server is
:func:`mirror.machina.mcp.build_server`)."""

from __future__ import annotations

import os
from pathlib import Path

import click

from mirror.machina.mcp import INSTALL_HINT, build_server


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


if __name__ == "__main__":  # pragma: no cover - `python -m sync.cli.mcp --db plant.db`
    mcp()
