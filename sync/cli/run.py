"""``upkeep-mirror run``: the daemon in the foreground, optionally with Datasette beside it."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import click

from sync.cli.common import end_child, launch_serve, refusals, stop_on_signal, wait_until_stopped
from sync.cli.options import creates_per_minute as creates_per_minute_of
from sync.cli.options import creates_per_minute_option, credentials, db_option, upkeep_options
from sync.settings import (
    DEFAULT_FILES_BUDGET_MB,
    DEFAULT_HOST,
    DEFAULT_OUTBOX_EVERY,
    DEFAULT_PORT,
    DEFAULT_PROBE_MAX,
    DEFAULT_PROBE_MIN,
    DEFAULT_PULL_EVERY,
    DEFAULT_RECONCILE_EVERY,
    Settings,
)


@click.command()
@db_option
@upkeep_options
@click.option("--pull-every", default=DEFAULT_PULL_EVERY, show_default=True, type=click.FloatRange(min=1),
              envvar="UPKEEP_MIRROR_PULL_EVERY", help="Seconds between incremental pulls (with 10% jitter).")
@click.option("--reconcile-every", default=DEFAULT_RECONCILE_EVERY, show_default=True, type=click.FloatRange(min=60),
              envvar="UPKEEP_MIRROR_RECONCILE_EVERY", help="Seconds between full passes that apply deletions.")
@click.option("--outbox-every", default=DEFAULT_OUTBOX_EVERY, show_default=True, type=click.FloatRange(min=0.5),
              envvar="UPKEEP_MIRROR_OUTBOX_EVERY", help="Seconds between checks for local writes to send.")
@click.option("--probe-min", default=DEFAULT_PROBE_MIN, show_default=True, type=click.FloatRange(min=0.2),
              help="First wait between connectivity probes while offline; it doubles after each failure.")
@click.option("--probe-max", default=DEFAULT_PROBE_MAX, show_default=True, type=click.FloatRange(min=1),
              help="Longest wait between connectivity probes while offline.")
@click.option("--files-budget", "files_budget", default=DEFAULT_FILES_BUDGET_MB, show_default=True, type=click.IntRange(min=0),
              metavar="MB", envvar="UPKEEP_MIRROR_FILES_BUDGET",
              help="Most file content (manuals, photos) kept offline, in MB; the largest files are left out "
                   "first. 0: keep no content.")
@creates_per_minute_option
@click.option("--serve", "serve_too", is_flag=True, help="Also serve the mirror with Datasette (read-only).")
@click.option("--host", default=DEFAULT_HOST, show_default=True, help="With --serve: Datasette's address.")
@click.option("--port", default=DEFAULT_PORT, show_default=True, type=int, help="With --serve: Datasette's port.")
def run(db: Path, base_url: str | None, settings: Settings, pull_every: float, reconcile_every: float,
        outbox_every: float, probe_min: float, probe_max: float, files_budget: int,
        creates_per_minute: float | None, serve_too: bool, host: str, port: int) -> None:
    """Keep the mirror fresh and push local writes until stopped (Ctrl-C or SIGTERM)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s", stream=sys.stderr)
    upkeep = credentials(settings, base_url)  # a configuration mistake fails now, in one sentence
    pace = creates_per_minute_of(settings, creates_per_minute)
    from mirror.db import inspect_mirror, open_mirror
    from mirror.lock import writer_lock
    from sync.daemon import Daemon, DaemonConfig

    config = DaemonConfig(pull_every=pull_every, pull_jitter=pull_every / 10, reconcile_every=reconcile_every,
                          outbox_every=outbox_every, probe_min=probe_min, probe_max=probe_max,
                          files_budget_mb=files_budget, creates_per_minute=pace)
    stop = stop_on_signal()
    with refusals():
        if db.exists():
            inspect_mirror(db)  # read-only: a damaged or foreign file is refused untouched
        with writer_lock(db, "upkeep-mirror run"), open_mirror(db) as mirror:
            daemon = Daemon(mirror, upkeep, config)
            server = launch_serve(db, host, port) if serve_too else None
            daemon.start()
            try:
                wait_until_stopped(stop, server, "")
            finally:
                logging.getLogger(__name__).info("stopping: finishing the current page or operation")
                daemon.stop()
                end_child(server)
