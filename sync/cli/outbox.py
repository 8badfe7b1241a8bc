"""``upkeep-mirror outbox``: see and steer the queue of local writes waiting for UpKeep, and flush it.

Wiring only: the queue is in :mod:`mirror.outbox`, the flush is the
sync service's (:func:`sync.service.flush_outbox`, which records what it found in connectivity).
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from mirror.errors import OutboxActionRefused
from mirror.lock import writer_lock
from mirror.outbox import OutboxOp, counts, discard_op, is_local, list_ops, resolve_op, retry_op, utcnow
from mirror.status import send_estimate
from mirror.vocabulary import OPEN_STATES, WAITING_STATES, OpState
from sync.cli._write import FLUSH_HINT
from sync.cli.common import check_existing, open_existing, refusals
from sync.cli.options import creates_per_minute as _creates_per_minute
from sync.cli.options import creates_per_minute_option, credentials, existing_db_option, upkeep_options
from sync.service import flush_outbox
from sync.settings import Settings
from sync.upkeep import RetryPolicy, UpKeepClient

#: A flush by hand should give up on an unreachable UpKeep within seconds, not minutes.
FLUSH_RETRIES = RetryPolicy(attempts=4, max_delay=20.0)
#: Seconds to let an unanswered request land before looking for its effect (see sync.replay._replayer).
SETTLE_SECONDS = 5.0


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
    """List queued operations (pending, sending, conflict and dead by default) and a summary.

    A delivered create shows the id it was made under and UpKeep's: ``local-... -> <UpKeep id>``.
    """
    wanted = list(states) or (None if show_all else [s.value for s in OPEN_STATES])
    with open_existing(db, readonly=True) as mirror, mirror.session() as s:
        ops, totals = list_ops(s, states=wanted, limit=10_000), counts(s)
    for op in ops:
        error = (op.last_error or "")[:60]
        record = f"{op.record_id} -> {op.server_id}" if op.server_id and is_local(op.record_id) else op.record_id
        click.echo(f"#{op.seq:<6}{op.state:<10}{op.kind:<11}{op.entity:<15}{record:<40}"
                   f"{op.attempts:>3} tries {_age(op.created_at):>5} old  {error}")
    oldest = min((o.created_at for o in ops if o.state in WAITING_STATES), default=None)
    summary = ", ".join(f"{n} {state}" for state, n in sorted(totals.items())) or "empty"
    click.echo(f"outbox: {summary}" + (f"; oldest pending {_age(oldest)} old" if oldest else ""))


@outbox.command("show")
@existing_db_option
@click.argument("seq", type=int, help="The operation's number (#seq in `outbox list`).")
def outbox_show(db: Path, seq: int) -> None:
    """Show one operation: what it sends, what it was based on, UpKeep's values in a conflict."""
    with open_existing(db, readonly=True) as mirror, mirror.session() as s:
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
                click.echo(f"  {col}: {op.base['columns'].get(col)!r} -> {op.payload['columns'].get(col)!r} "  # type: ignore[index]  # a conflict's update has a base
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
    click.echo(f"#{op.seq} is pending again ({FLUSH_HINT})")


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
@creates_per_minute_option
def outbox_flush(db: Path, base_url: str | None, settings: Settings, creates_per_minute: float | None) -> None:
    """Send queued operations to UpKeep now, in order per record; prints what happened.

    Work orders and requests go at the pace of creates: one per turn; the ones whose turn has not
    come stay queued (the daemon sends them at that pace; ``--creates-per-minute 0`` sends them all).
    """
    upkeep = credentials(settings, base_url)
    pace = _creates_per_minute(settings, creates_per_minute)
    check_existing(db)
    with refusals(" (a running daemon flushes the outbox itself)"), \
            writer_lock(db, "upkeep-mirror outbox flush"), open_existing(db) as mirror, \
            UpKeepClient(upkeep, policy=FLUSH_RETRIES) as client:
        outcome = flush_outbox(mirror, client, source="outbox flush", policy=FLUSH_RETRIES, settle=SETTLE_SECONDS,
                               pace=pace)
        estimate = send_estimate(mirror.connection(), pace)
    if outcome.fatal:  # recorded like the daemon's, so `status` and sync_health say so
        raise click.ClickException(outcome.reason or "")
    if outcome.busy:
        raise click.ClickException(f"nothing sent: {outcome.report.last_error}")  # type: ignore[union-attr]  # busy: there is a report
    click.echo(str(outcome.report))
    if outcome.report is not None and outcome.report.held_back:
        click.echo(f"{estimate.creates} creates wait their turn, {estimate.describe()}: `upkeep-mirror run` "
                   "sends them at that pace, `outbox flush --creates-per-minute 0` all at once")
    if outcome.unreachable:
        raise click.ClickException("UpKeep could not be reached; the operations stay queued")
