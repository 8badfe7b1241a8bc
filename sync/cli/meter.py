"""``upkeep-mirror meter``: record meter readings locally; they are queued for UpKeep.

Wiring only: the work is in :mod:`mirror.writes`; the shared plumbing in :mod:`sync.cli._write`.
"""

from __future__ import annotations

from pathlib import Path

import click

from mirror import writes
from sync.cli._write import LIMITS_NOTE, write
from sync.cli.options import existing_db_option


@click.group()
def meter() -> None:
    """Record meter readings locally; they are queued for UpKeep."""


@meter.command("read", epilog=LIMITS_NOTE)
@existing_db_option
@click.argument("meter_id", help="UpKeep id of the meter.")
@click.argument("value", type=float, help="The reading.")
@click.option("--at", "taken_at", help="When it was read (ISO-8601); default now.")
def meter_read(db: Path, meter_id: str, value: float, taken_at: str | None) -> None:
    """Add a reading to a meter."""
    write(db, writes.add_meter_reading, meter_id, value, date=taken_at)
