"""``upkeep-mirror asset``: record asset downtime locally; it is queued for UpKeep.

Wiring only: the work is in :mod:`mirror.writes`; the shared plumbing in :mod:`sync.cli._write`.
"""

from __future__ import annotations

from pathlib import Path

import click

from sync.cli._write import write
from sync.cli.options import existing_db_option


@click.group()
def asset() -> None:
    """Record asset downtime locally; it is queued for UpKeep."""


@asset.command("downtime")
@existing_db_option
@click.argument("asset_id", help="UpKeep id of the asset.")
@click.option("--status", required=True,
              help="available, not-available, or one of the account's downtime statuses (name or id).")
@click.option("--at", "recorded_on", help="When the status changed (ISO-8601); default now.")
def asset_downtime(db: Path, asset_id: str, status: str, recorded_on: str | None) -> None:
    """Record a downtime event of an asset (its status from now, or from --at)."""
    from mirror.timestamps import parse_utc
    from mirror.writes import record_downtime

    when = None
    if recorded_on is not None:
        try:
            when = parse_utc(recorded_on)
        except ValueError:
            raise click.BadParameter(f"{recorded_on!r} is not an ISO-8601 time", param_hint="--at") from None
    write(db, record_downtime, asset_id, status, recorded_on=when)
