"""Local writes and the outbox from the command line: ``wo``, ``request``, ``meter``, ``part``, ``outbox``.

Every write command has the shape ``upkeep-mirror <thing> <verb> [ID] [options] --db FILE``:
it changes the mirror at once and queues the change; nothing is sent until ``outbox flush`` (or
the daemon, which flushes every few seconds while UpKeep is reachable). Wiring only: the work is
in :mod:`mirror.writes`, :mod:`mirror.outbox_actions` and :mod:`sync.replay._replayer`.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from mirror import writes
from mirror.lock import writer_lock
from mirror.outbox import OPEN_STATES, OpState, OutboxOp, counts, list_ops, utcnow
from mirror.outbox_actions import OutboxActionRefused, discard_op, resolve_op, retry_op
from mirror.writes import UNSET, InvalidWrite, Queued
from sync.cli.common import check_existing, open_existing, refusals
from sync.cli.options import existing_db_option, load_credentials, upkeep_options
from sync.service import flush_outbox
from sync.upkeep import RetryPolicy, UpKeepClient

#: Said in every write command's help: the longest text each field takes (mirror.writes.LIMITS).
LIMITS_NOTE = (f"Limits, checked before anything is queued: title {writes.LIMITS['title']:,} characters, "
               f"description {writes.LIMITS['description']:,}, message {writes.LIMITS['text']:,}, "
               f"category {writes.LIMITS['category']}, ids and emails {writes.LIMITS['id']}.")
_FLUSH_HINT = "sent by `upkeep-mirror outbox flush` or the running daemon"
#: A flush by hand should give up on an unreachable UpKeep within seconds, not minutes.
FLUSH_RETRIES = RetryPolicy(attempts=4, max_delay=20.0)
#: Seconds to let an unanswered request land before looking for its effect (see sync.replay._replayer).
SETTLE_SECONDS = 5.0


def _write(db: Path, func: Any, *args: Any, **kwargs: Any) -> Queued:
    with open_existing(db) as mirror, refusals():
        try:
            queued = func(mirror, *args, **kwargs)
        except (InvalidWrite, OutboxActionRefused) as exc:
            raise click.ClickException(f"refused, nothing written: {exc}") from None
    click.echo(f"queued #{queued.seq}: {queued.kind} {queued.entity} {queued.record_id} ({_FLUSH_HINT})")
    return queued


# --- work orders ----------------------------------------------------------------------------------


@click.group()
def wo() -> None:
    """Create and change work orders locally; the changes are queued for UpKeep."""


def _wo_fields(func: Any) -> Any:
    for decl, text in reversed([
        ("--description", f"Description text (at most {writes.LIMITS['description']:,} characters)."),
        ("--priority", "0-3 (0 lowest) or low, medium, high, emergency."),
        ("--category", "One of the account's work order categories (matched case-insensitively; at most "
                       f"{writes.LIMITS['category']} characters)."),
        ("--due", "Due date: 2025-03-01 or an ISO-8601 timestamp (UTC unless it has an offset)."),
    ]):
        func = click.option(decl, help=text)(func)
    return func


@wo.command("create", epilog=LIMITS_NOTE)
@existing_db_option
@click.option("--title", required=True, help=f"Title of the work order (at most {writes.LIMITS['title']} characters).")
@_wo_fields
@click.option("--asset", help="UpKeep id of the asset.")
@click.option("--location", help="UpKeep id of the location.")
@click.option("--assign", help="User to assign: UpKeep id or email.")
def wo_create(db: Path, title: str, description: str | None, priority: str | None, category: str | None,
              due: str | None, asset: str | None, location: str | None, assign: str | None) -> None:
    """Create a work order (shown at once under a local-... id until UpKeep assigns one)."""
    _write(db, writes.create_work_order, title=title, description=description or "", priority=priority,
           category=category, due_date=due, asset_id=asset, location_id=location, assigned_to=assign)


@wo.command("update", epilog=LIMITS_NOTE)
@existing_db_option
@click.argument("work_order_id", help="UpKeep id (or local-... id) of the work order.")
@click.option("--status", help="open, onHold, inProgress or complete (Machina's names are accepted too).")
@click.option("--title", help=f"New title (at most {writes.LIMITS['title']} characters).")
@_wo_fields
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

    _write(db, writes.update_work_order, work_order_id, status=given(status), title=given(title),
           description=given(description), priority=given(priority), category=given(category),
           due_date=None if no_due else given(due), assigned_to=None if unassign else given(assign))


@wo.command("message", epilog=LIMITS_NOTE)
@existing_db_option
@click.argument("work_order_id", help="UpKeep id (or local-... id) of the work order.")
@click.argument("text", help=f"The message (at most {writes.LIMITS['text']:,} characters).")
def wo_message(db: Path, work_order_id: str, text: str) -> None:
    """Add a message to a work order."""
    _write(db, writes.add_work_order_message, work_order_id, text)


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
    _write(db, writes.record_parts_used, work_order_id, used)


# --- requests, meters, parts ----------------------------------------------------------------------


@click.group()
def request() -> None:
    """Create maintenance requests locally; they are queued for UpKeep."""


@request.command("create", epilog=LIMITS_NOTE)
@existing_db_option
@click.option("--title", required=True, help=f"Title of the request (at most {writes.LIMITS['title']} characters).")
@_wo_fields
@click.option("--asset", help="UpKeep id of the asset.")
@click.option("--location", help="UpKeep id of the location.")
@click.option("--team", help="UpKeep id of the team.")
@click.option("--assign", help="User to assign: UpKeep id or email.")
def request_create(db: Path, title: str, description: str | None, priority: str | None, category: str | None,
                   due: str | None, asset: str | None, location: str | None, team: str | None,
                   assign: str | None) -> None:
    """Create a request (shown at once under a local-... id until UpKeep assigns one)."""
    _write(db, writes.create_request, title=title, description=description or "", priority=priority,
           category=category, due_date=due, asset_id=asset, location_id=location, team_id=team,
           assigned_to=assign)


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
    _write(db, writes.add_meter_reading, meter_id, value, date=taken_at)


@click.group()
def part() -> None:
    """Record stock counts of parts locally; they are queued for UpKeep."""


@part.command("count", epilog=LIMITS_NOTE)
@existing_db_option
@click.argument("part_id", help="UpKeep id or SKU of the part.")
@click.argument("quantity", type=float, help="Quantity on hand, 0 or more.")
def part_count(db: Path, part_id: str, quantity: float) -> None:
    """Set a part's quantity on hand after a stock count (part by UpKeep id or SKU)."""
    _write(db, writes.set_part_quantity, part_id, quantity)


# --- the outbox -----------------------------------------------------------------------------------


@click.group()
def outbox() -> None:
    """See and steer the queue of local writes waiting for UpKeep."""


def _age(moment: datetime | None) -> str:
    if moment is None:
        return "-"
    seconds = int((utcnow() - moment).total_seconds())
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


@outbox.command("list")
@existing_db_option
@click.option("--all", "show_all", is_flag=True, help="Also list done and discarded operations.")
@click.option("--state", "states", multiple=True, type=click.Choice([s.value for s in OpState]),
              help="Only operations in this state (repeatable).")
def outbox_list(db: Path, show_all: bool, states: tuple[str, ...]) -> None:
    """List queued operations (pending, sending, conflict and dead by default) and a summary."""
    wanted = list(states) or (None if show_all else [s.value for s in OPEN_STATES])
    with open_existing(db) as mirror, mirror.session() as s:
        ops, totals = list_ops(s, states=wanted, limit=10_000), counts(s)
    for op in ops:
        error = (op.last_error or "")[:60]
        click.echo(f"#{op.seq:<6}{op.state:<10}{op.kind:<11}{op.entity:<15}{op.record_id:<40}"
                   f"{op.attempts:>3} tries {_age(op.created_at):>5} old  {error}")
    oldest = min((o.created_at for o in ops if o.state in ("pending", "sending")), default=None)
    summary = ", ".join(f"{n} {state}" for state, n in sorted(totals.items())) or "empty"
    click.echo(f"outbox: {summary}" + (f"; oldest pending {_age(oldest)} old" if oldest else ""))


@outbox.command("show")
@existing_db_option
@click.argument("seq", type=int, help="The operation's number (#seq in `outbox list`).")
def outbox_show(db: Path, seq: int) -> None:
    """Show one operation: what it sends, what it was based on, UpKeep's values in a conflict."""
    with open_existing(db) as mirror, mirror.session() as s:
        op = s.get(OutboxOp, seq)
        if op is None:
            raise click.ClickException(f"there is no outbox operation {seq}")
        for name in ("seq", "op_id", "state", "kind", "entity", "record_id", "server_id", "attempts",
                     "ambiguous", "created_at", "first_sent_at", "next_attempt_at", "done_at", "resolution",
                     "last_error"):
            click.echo(f"{name:<16}{getattr(op, name)}")
        for name in ("payload", "base", "remote"):
            value = getattr(op, name)
            if value:
                click.echo(f"{name:<16}{json.dumps(value, indent=2, default=str)}")
        if op.state == OpState.CONFLICT and op.remote:
            click.echo("conflict (column: base -> yours | UpKeep's):")
            for col, theirs in op.remote["columns"].items():
                click.echo(f"  {col}: {op.base['columns'].get(col)!r} -> {op.payload['columns'].get(col)!r} "
                           f"| {theirs!r}")
            click.echo(f"settle it: upkeep-mirror outbox resolve {seq} --keep-local | --keep-remote")


def _action(db: Path, func: Any, *args: Any, **kwargs: Any) -> Any:
    with open_existing(db) as mirror, refusals():
        try:
            return func(mirror, *args, **kwargs)
        except OutboxActionRefused as exc:
            raise click.ClickException(str(exc)) from None


@outbox.command("retry")
@existing_db_option
@click.argument("seq", type=int, help="The operation's number (#seq in `outbox list`).")
def outbox_retry(db: Path, seq: int) -> None:
    """Send a dead or waiting operation again at the next flush (a conflict is checked again)."""
    op = _action(db, retry_op, seq)
    click.echo(f"#{op.seq} is pending again ({_FLUSH_HINT})")


@outbox.command("discard")
@existing_db_option
@click.argument("seq", type=int, help="The operation's number (#seq in `outbox list`).")
def outbox_discard(db: Path, seq: int) -> None:
    """Drop an operation and undo its change in the mirror (a create takes its later operations along)."""
    dropped = _action(db, discard_op, seq)
    click.echo("discarded " + ", ".join(f"#{n}" for n in dropped))


@outbox.command("resolve")
@existing_db_option
@click.argument("seq", type=int, help="The operation's number (#seq in `outbox list`).")
@click.option("--keep-local", "keep", flag_value="local", help="Send our values over UpKeep's.")
@click.option("--keep-remote", "keep", flag_value="remote",
              help="Keep UpKeep's values; drop ours for those fields.")
def outbox_resolve(db: Path, seq: int, keep: str | None) -> None:
    """Settle a conflict between a local change and a change made in UpKeep since."""
    if keep is None:
        raise click.UsageError("give --keep-local or --keep-remote")
    op = _action(db, resolve_op, seq, keep=keep)
    click.echo(f"#{op.seq} resolved ({op.resolution}): {op.state}")


@outbox.command("flush")
@existing_db_option
@upkeep_options
def outbox_flush(db: Path, base_url: str | None, config_path: Path | None) -> None:
    """Send queued operations to UpKeep now, in order per record; prints what happened."""
    credentials = load_credentials(base_url, config_path)
    check_existing(db)
    with refusals(" (a running daemon flushes the outbox itself)"), \
            writer_lock(db, "upkeep-mirror outbox flush"), open_existing(db) as mirror, \
            UpKeepClient(credentials, policy=FLUSH_RETRIES) as client:
        outcome = flush_outbox(mirror, client, source="outbox flush", policy=FLUSH_RETRIES, settle=SETTLE_SECONDS)
    if outcome.fatal:  # recorded like the daemon's, so `status` and sync_health say so
        raise click.ClickException(outcome.reason or "")
    if outcome.busy:
        raise click.ClickException(f"nothing sent: {outcome.report.last_error}")
    click.echo(str(outcome.report))
    if outcome.unreachable:
        raise click.ClickException("UpKeep could not be reached; the operations stay queued")


# ``wo task`` and ``wo attach`` (field work) join the ``wo`` group from their own module.
from sync.cli import fieldwork as _fieldwork  # noqa: E402, F401
