"""``upkeep-mirror part``: record stock counts of parts locally; they are queued for UpKeep.

Wiring only: the work is in :mod:`mirror.writes`; the shared plumbing in :mod:`sync.cli._write`.
"""

from __future__ import annotations

from pathlib import Path

import click

from mirror import writes
from sync.cli._write import LIMITS_NOTE, write
from sync.cli.options import existing_db_option


@click.group()
def part() -> None:
    """Record stock counts of parts locally; they are queued for UpKeep."""


@part.command("count", epilog=LIMITS_NOTE)
@existing_db_option
@click.argument("part_id", help="UpKeep id or SKU of the part.")
@click.argument("quantity", type=float, help="Quantity on hand, 0 or more.")
def part_count(db: Path, part_id: str, quantity: float) -> None:
    """Set a part's quantity on hand after a stock count (part by UpKeep id or SKU)."""
    write(db, writes.set_part_quantity, part_id, quantity)
