"""Field work from the command line: ``wo task``, ``wo attach`` and ``asset downtime``.

Same shape as the other local writes (``sync.cli.outbox``): the mirror changes at once, the change is
queued, nothing is sent until ``outbox flush`` or the daemon. An invalid value, a missing file or an
unknown status is refused in one sentence and nothing is written. Wiring only: the work is in
:mod:`mirror.writes` and :mod:`sync.replay._fieldwork`.
"""

from __future__ import annotations

from pathlib import Path

import click

from sync.cli.options import existing_db_option
from sync.cli.outbox import _write, wo


@wo.command("task")
@existing_db_option
@click.argument("work_order_id", help="UpKeep id of the work order.")
@click.argument("task", help="The checklist item: its name as shown (any case), or its id.")
@click.option("--value", required=True,
              help="TASK: open, on_hold, in_progress, complete; CHECKLIST: pass, flag, fail; MULTIPLE_CHOICE: "
                   "one of its options; NUMBER and METER: a number; TEXT: any text.")
def wo_task(db: Path, work_order_id: str, task: str, value: str) -> None:
    """Set one checklist item of a work order (checked against the item's type)."""
    from mirror.writes import set_task_value

    _write(db, set_task_value, work_order_id, task, value)


@wo.command("attach")
@existing_db_option
@click.argument("work_order_id", help="UpKeep id of the work order.")
@click.argument("path", type=click.Path(path_type=Path), help="The photo or file to attach.")
@click.option("--name", "filename", help="The file name UpKeep shows (default: the file's own name).")
def wo_attach(db: Path, work_order_id: str, path: Path, filename: str | None) -> None:
    """Attach a photo or file to a work order: kept in the mirror now, uploaded once when sent."""
    from mirror.writes import attach_file

    _write(db, attach_file, work_order_id, path, filename=filename)


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
    _write(db, record_downtime, asset_id, status, recorded_on=when)
