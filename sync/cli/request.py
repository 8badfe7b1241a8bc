"""``upkeep-mirror request``: create maintenance requests locally; they are queued for UpKeep.

Wiring only: the work is in :mod:`mirror.writes`; the shared plumbing in :mod:`sync.cli._write`.
"""

from __future__ import annotations

from pathlib import Path

import click

from mirror import writes
from sync.cli._write import LIMITS_NOTE, wo_fields, write
from sync.cli.options import existing_db_option


@click.group()
def request() -> None:
    """Create maintenance requests locally; they are queued for UpKeep."""


@request.command("create", epilog=LIMITS_NOTE)
@existing_db_option
@click.option("--title", required=True, help=f"Title of the request (at most {writes.LIMITS['title']} characters).")
@wo_fields
@click.option("--asset", help="UpKeep id of the asset.")
@click.option("--location", help="UpKeep id of the location.")
@click.option("--team", help="UpKeep id of the team.")
@click.option("--assign", help="User to assign: UpKeep id or email.")
def request_create(db: Path, title: str, description: str | None, priority: str | None, category: str | None,
                   due: str | None, asset: str | None, location: str | None, team: str | None,
                   assign: str | None) -> None:
    """Create a request (shown at once under a local-... id until UpKeep assigns one)."""
    write(db, writes.create_request, title=title, description=description or "", priority=priority,
           category=category, due_date=due, asset_id=asset, location_id=location, team_id=team,
           assigned_to=assign)
