"""``upkeep-mirror sync`` and ``upkeep-mirror status``: wiring only (open store -> pull -> report)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from mirror import connectivity, pull_state
from mirror.db import inspect_mirror, open_mirror
from mirror.entities import PULLED
from mirror.lock import writer_lock
from mirror.status import latest_runs, queue_summary, send_estimate
from mirror.vocabulary import WAITING_STATES, OpState
from sync.cli.common import open_existing, refusals
from sync.cli.options import (
    creates_per_minute,
    creates_per_minute_option,
    credentials,
    db_option,
    existing_db_option,
    upkeep_options,
)
from sync.pull import FieldworkOptions, PullOptions, PullResult
from sync.service import PullOutcome, pull_all
from sync.settings import DEFAULT_FILES_BUDGET_MB, MB, Settings, load_settings
from sync.upkeep import UpKeepClient
from sync.upkeep._client import DEFAULT_MAX_CONNECTIONS
from sync.upkeep.paging import DEFAULT_LIMIT

if TYPE_CHECKING:
    from sync.pull import FieldworkResult


@click.command()
@db_option
@upkeep_options
@click.option("--entity", "entities", multiple=True, type=click.Choice(list(PULLED)),
              help="Pull only this entity (repeatable). Default: all, referenced ones first.")
@click.option("--full", is_flag=True,
              help="Reconcile: list every object, apply what changed and tombstone what UpKeep no longer has.")
@click.option("--page-size", default=DEFAULT_LIMIT, show_default=True, type=click.IntRange(1, DEFAULT_LIMIT),
              help=f"Objects asked for per request (integrators report {DEFAULT_LIMIT} as UpKeep's most); "
                   "if UpKeep serves fewer, the sync finds out, says so once and pages by its size.")
@click.option("--max-rps", type=click.FloatRange(min=0.1),
              help="Client-side limit on requests per second, across all requests in flight.")
@click.option("--connections", default=DEFAULT_MAX_CONNECTIONS, show_default=True, type=click.IntRange(1, 32),
              help="Most requests in flight at once (entities and windows of big listings are fetched "
                   "in parallel; more are used only while the network is the bottleneck).")
@click.option("--files-budget", "files_budget", default=DEFAULT_FILES_BUDGET_MB, show_default=True, type=click.IntRange(min=0),
              metavar="MB", help="Most file content (manuals, photos) kept offline, in MB; the largest files "
                                 "are left out first and listed. 0: keep no content.")
def sync(db: Path, base_url: str | None, settings: Settings, entities: tuple[str, ...], full: bool,
         page_size: int, max_rps: float | None, connections: int, files_budget: int) -> None:
    """Bring the mirror level with UpKeep: incremental by default, resumable after any crash."""
    progress = _Progress(sys.stderr.isatty())
    options = PullOptions(page_size=page_size, full=full, on_page=progress.update)
    fieldwork = FieldworkOptions(page_size=page_size, full=full, content_budget_bytes=files_budget * MB,
                                 content=files_budget > 0)
    # Refusals first, while nothing exists yet: no credentials, or a file that is not a usable mirror.
    upkeep = credentials(settings, base_url)
    with refusals():
        if db.exists():
            inspect_mirror(db)  # read-only: a damaged or foreign file is refused untouched
    with refusals(), writer_lock(db, "upkeep-mirror sync"), open_mirror(db) as mirror, \
            UpKeepClient(upkeep, max_requests_per_second=max_rps, max_connections=connections) as client:
        outcome = pull_all(mirror, client, options, source="sync", entities=entities or None, fieldwork=fieldwork,
                           on_recorded=progress.recorded)
    report_fieldwork(outcome.fieldwork or [], files_budget)
    if outcome.failed:
        raise click.ClickException(f"{outcome.failed[0].entity}: {outcome.failed[0].error}")
    if outcome.fieldwork_error:
        raise click.ClickException(f"field work: {outcome.fieldwork_error}")


#: Files left out by the budget that ``sync`` names one by one (the rest are counted).
SHOWN = 10


def report_fieldwork(results: list, budget_mb: int) -> None:
    """The field-work part of ``upkeep-mirror sync``: one line per step, then the files left out."""
    for r in results:
        if r.entity == "file_content":
            click.echo(f"{'file content':<24}{'ok' if not r.error else 'FAILED':<7}{r.stored_files:>8} offline "
                       f"{r.downloaded_files:>8} fetched {r.downloaded_bytes / MB:>8.1f} MB "
                       f"({r.stored_bytes / MB:.1f} of {budget_mb} MB budget) {r.seconds:7.1f}s")
            if r.skipped:
                click.echo(f"{len(r.skipped)} file(s) left out by the {budget_mb} MB files budget (largest first; "
                           "raise --files-budget to keep them):")
                largest = sorted(r.skipped, key=lambda x: -x[2])
                for _fid, name, size in largest[:SHOWN]:
                    click.echo(f"  {size / MB:9.1f} MB  {name}")
                if len(largest) > SHOWN:
                    click.echo(f"  ... and {len(largest) - SHOWN} more (all of them: the files table, "
                               "content_state = skipped)")
            for _fid, name, why in r.failed:
                click.echo(f"  not fetched: {name}: {why}")
        else:
            click.echo(_result_line(r, ""))


def _result_line(r: PullResult | FieldworkResult, mode: str) -> str:
    """One entity's (or field-work step's, which has no mode) line of ``upkeep-mirror sync``."""
    state = "ok" if not r.error else "FAILED"
    return (f"{r.entity:<24}{state:<7}{mode:<12}{r.fetched:>8} fetched {r.upserted:>8} changed "
            f"{r.tombstoned:>6} deleted {r.rejected:>5} rejected {r.requests:>6} requests {r.seconds:7.1f}s")


class _Progress:
    """A live line per entity on a terminal; one summary line per entity otherwise."""

    def __init__(self, tty: bool):
        self.tty = tty

    def update(self, result: PullResult) -> None:
        if self.tty:
            click.echo(f"\r  {result.entity:<24}{result.fetched:>10,} fetched {result.upserted:>10,} changed",
                       nl=False, err=True)

    def recorded(self, outcome: PullOutcome) -> None:
        for result in outcome.results:
            self.done(result)

    def done(self, r: PullResult) -> None:
        if self.tty:
            click.echo("\r" + " " * 70 + "\r", nl=False, err=True)
        click.echo(_result_line(r, r.mode))


@click.command()
@existing_db_option
@creates_per_minute_option
def status(db: Path, creates_per_minute: float | None) -> None:
    """Show how fresh the mirror is: latest pull per entity, connectivity, local writes waiting.

    Also how long the waiting creates take at the pace (the flag's, else the default config file's).
    """
    pace = _pace(creates_per_minute)
    with open_existing(db, readonly=True) as mirror:
        rows = latest_runs(mirror.connection())
        queue, oldest = queue_summary(mirror.connection())
        estimate = send_estimate(mirror.connection(), pace).describe()
        click.echo(connectivity.describe(connectivity.current(mirror)))
        page_size = pull_state.describe_page_size(pull_state.load_page_size(mirror.connection()))
        if page_size:
            click.echo(page_size)
    waiting = sum(queue.get(state, 0) for state in WAITING_STATES)
    click.echo(f"Local writes: {waiting} waiting" + (f" (oldest {oldest})" if oldest else "")
               + (f", {estimate}" if estimate else "")
               + f", {queue.get(OpState.DEAD, 0)} failed, {queue.get(OpState.CONFLICT, 0)} in conflict, "
               f"{queue.get(OpState.DONE, 0)} delivered")
    if not rows:
        click.echo("No sync has run on this mirror yet.")
        return
    click.echo(f"\n{'entity':<24}{'last success':<26}{'last run':<26}{'result'}")
    for e, mode, started, finished, fetched, upserted, tomb, rej, error, success in rows:
        outcome = (f"error: {error}" if error else "interrupted" if not finished
                   else f"{mode}: {fetched} fetched, {upserted} changed, {tomb} deleted, {rej} rejected")
        click.echo(f"{e:<24}{(success or 'never'):<26}{started:<26}{outcome}")


def _pace(flag: float | None) -> float:
    """The pace ``run`` would use: the flag (or environment), else the default config file's, else the default."""
    from sync.upkeep.errors import ConfigurationError

    try:
        return creates_per_minute(load_settings(), flag)
    except ConfigurationError as exc:
        raise click.ClickException(exc.message or str(exc)) from None
