"""``upkeep-mirror wo``: create and change work orders locally (fields, messages, parts used, checklist
items, attachments); each change is queued for UpKeep.

Wiring only: the work is in :mod:`mirror.writes`; the shared
plumbing in :mod:`sync.cli._write`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from mirror import writes
from mirror.writes import UNSET
from sync.cli._write import LIMITS_NOTE, wo_fields, write
from sync.cli.options import existing_db_option


@click.group()
def wo() -> None:
    """Create and change work orders locally; the changes are queued for UpKeep."""


@wo.command("create", epilog=LIMITS_NOTE)
@existing_db_option
@click.option("--title", required=True, help=f"Title of the work order (at most {writes.LIMITS['title']} characters).")
@wo_fields
@click.option("--asset", help="UpKeep id of the asset.")
@click.option("--location", help="UpKeep id of the location.")
@click.option("--assign", help="User to assign: UpKeep id or email.")
def wo_create(db: Path, title: str, description: str | None, priority: str | None, category: str | None,
              due: str | None, asset: str | None, location: str | None, assign: str | None) -> None:
    """Create a work order (shown at once under a local-... id until UpKeep assigns one)."""
    write(db, writes.create_work_order, title=title, description=description or "", priority=priority,
           category=category, due_date=due, asset_id=asset, location_id=location, assigned_to=assign)


@wo.command("update", epilog=LIMITS_NOTE)
@existing_db_option
@click.argument("work_order_id", help="UpKeep id (or local-... id) of the work order.")
@click.option("--status", help="open, onHold, inProgress or complete (Machina's names are accepted too).")
@click.option("--title", help=f"New title (at most {writes.LIMITS['title']} characters).")
@wo_fields
@click.option("--assign", help="User to assign: UpKeep id or email.")
@click.option("--unassign", is_flag=True, help="Remove the assignee.")
@click.option("--no-due", is_flag=True, help="Remove the due date.")
def wo_update(db: Path, work_order_id: str, status: str | None, title: str | None, description: str | None,
              priority: str | None, category: str | None, due: str | None, assign: str | None, unassign: bool,
              no_due: bool) -> None:
    """Change fields of a work order; only fields whose value changes are sent, as one update."""
    if (assign and unassign) or (due and no_due):
        raise click.UsageError("give --assign or --unassign, and --due or --no-due, not both")

    def given(value: Any) -> Any:
        return UNSET if value is None else value

    write(db, writes.update_work_order, work_order_id, status=given(status), title=given(title),
           description=given(description), priority=given(priority), category=given(category),
           due_date=None if no_due else given(due), assigned_to=None if unassign else given(assign))


@wo.command("message", epilog=LIMITS_NOTE)
@existing_db_option
@click.argument("work_order_id", help="UpKeep id (or local-... id) of the work order.")
@click.argument("text", help=f"The message (at most {writes.LIMITS['text']:,} characters).")
def wo_message(db: Path, work_order_id: str, text: str) -> None:
    """Add a message to a work order."""
    write(db, writes.add_work_order_message, work_order_id, text)


@wo.command("parts", epilog=LIMITS_NOTE)
@existing_db_option
@click.argument("work_order_id", help="UpKeep id (or local-... id) of the work order.")
@click.option("--part", "parts", multiple=True, required=True, metavar="PART=QTY",
              help="A part (UpKeep id or SKU) and the quantity used; repeatable.")
def wo_parts(db: Path, work_order_id: str, parts: tuple[str, ...]) -> None:
    """Record parts used on a work order (added to what it already lists)."""
    used: dict[str, str] = {}
    for item in parts:
        key, sep, qty = item.rpartition("=")
        if not sep or not key:
            raise click.BadParameter(f"{item!r}: expected PART=QTY", param_hint="--part")
        used[key] = qty
    write(db, writes.record_parts_used, work_order_id, used)


@wo.command("task")
@existing_db_option
@click.argument("work_order_id", help="UpKeep id of the work order.")
@click.argument("task", help="The checklist item: its name as shown (any case), or its id.")
@click.option("--value", required=True,
              help="TASK: open, on_hold, in_progress, complete; CHECKLIST: pass, flag, fail; MULTIPLE_CHOICE: "
                   "one of its options; NUMBER and METER: a number; TEXT: any text.")
def wo_task(db: Path, work_order_id: str, task: str, value: str) -> None:
    """Set one checklist item of a work order (checked against the item's type)."""
    write(db, writes.set_task_value, work_order_id, task, value)


@wo.command("attach")
@existing_db_option
@click.argument("work_order_id", help="UpKeep id of the work order.")
@click.argument("path", type=click.Path(path_type=Path), help="The photo or file to attach.")
@click.option("--name", "filename", help="The file name UpKeep shows (default: the file's own name).")
def wo_attach(db: Path, work_order_id: str, path: Path, filename: str | None) -> None:
    """Attach a photo or file to a work order: kept in the mirror now, uploaded once when sent."""
    write(db, writes.attach_file, work_order_id, path, filename=filename)
