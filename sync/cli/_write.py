"""The plumbing every local-write command shares: ``write`` (refusal in one sentence, the queued line),
the limits note and the work-order field options.

Every write command has the shape ``upkeep-mirror <thing> <verb> [ID] [options] --db FILE``: it
changes the mirror at once and queues the change; nothing is sent until ``outbox flush`` (or the
daemon, which flushes every few seconds while UpKeep is reachable).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from mirror import writes
from mirror.errors import OutboxActionRefused
from mirror.writes import InvalidWrite, Queued
from sync.cli.common import open_existing, refusals

#: Said in every write command's help: the longest text each field takes (mirror.writes.LIMITS).
LIMITS_NOTE = (f"Limits, checked before anything is queued: title {writes.LIMITS['title']:,} characters, "
               f"description {writes.LIMITS['description']:,}, message {writes.LIMITS['text']:,}, "
               f"category {writes.LIMITS['category']}, ids and emails {writes.LIMITS['id']}.")
FLUSH_HINT = "sent by `upkeep-mirror outbox flush` or the running daemon"


def write(db: Path, func: Any, *args: Any, **kwargs: Any) -> Queued:
    """Run one local write (``func(mirror, ...)``) and say what was queued; a refusal is one sentence."""
    with open_existing(db) as mirror, refusals():
        try:
            queued = func(mirror, *args, **kwargs)
        except (InvalidWrite, OutboxActionRefused) as exc:
            raise click.ClickException(f"refused, nothing written: {exc}") from None
    click.echo(f"queued #{queued.seq}: {queued.kind} {queued.entity} {queued.record_id} ({FLUSH_HINT})")
    return queued


def wo_fields(func: Any) -> Any:
    """The options a work order and a request share: description, priority, category, due date."""
    for decl, text in reversed([
        ("--description", f"Description text (at most {writes.LIMITS['description']:,} characters)."),
        ("--priority", "0-3 (0 lowest) or low, medium, high, emergency."),
        ("--category", "One of the account's work order categories (matched case-insensitively; at most "
                       f"{writes.LIMITS['category']} characters)."),
        ("--due", "Due date: 2025-03-01 or an ISO-8601 timestamp (UTC unless it has an offset)."),
    ]):
        func = click.option(decl, help=text)(func)
    return func
