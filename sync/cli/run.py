"""``upkeep-mirror run``: the daemon in the foreground, optionally with Datasette beside it."""

from __future__ import annotations

import logging
import signal
import subprocess
import sys
import threading
from pathlib import Path

import click

from mirror.db import MirrorError, open_mirror
from mirror.lock import MirrorBusy, writer_lock
from sync.cli.options import db_option, load_credentials, upkeep_options
from sync.daemon import Daemon, DaemonConfig


@click.command()
@db_option
@upkeep_options
@click.option("--pull-every", default=300.0, show_default=True, type=click.FloatRange(min=1),
              envvar="UPKEEP_MIRROR_PULL_EVERY", help="Seconds between incremental pulls (with 10% jitter).")
@click.option("--reconcile-every", default=86_400.0, show_default=True, type=click.FloatRange(min=60),
              envvar="UPKEEP_MIRROR_RECONCILE_EVERY", help="Seconds between full passes that apply deletions.")
@click.option("--outbox-every", default=5.0, show_default=True, type=click.FloatRange(min=0.5),
              envvar="UPKEEP_MIRROR_OUTBOX_EVERY", help="Seconds between checks for local writes to send.")
@click.option("--probe-min", default=5.0, show_default=True, type=click.FloatRange(min=0.2),
              help="First wait between connectivity probes while offline; it doubles after each failure.")
@click.option("--probe-max", default=300.0, show_default=True, type=click.FloatRange(min=1),
              help="Longest wait between connectivity probes while offline.")
@click.option("--serve", "serve_too", is_flag=True, help="Also serve the mirror with Datasette (read-only).")
@click.option("--host", default="127.0.0.1", show_default=True, help="With --serve: Datasette's address.")
@click.option("--port", default=8001, show_default=True, type=int, help="With --serve: Datasette's port.")
def run(db: Path, base_url: str | None, config_path: Path | None, pull_every: float, reconcile_every: float,
        outbox_every: float, probe_min: float, probe_max: float, serve_too: bool, host: str, port: int) -> None:
    """Keep the mirror fresh and push local writes until stopped (Ctrl-C or SIGTERM)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s", stream=sys.stderr)
    credentials = load_credentials(base_url, config_path)  # a configuration mistake fails now, in one sentence
    config = DaemonConfig(pull_every=pull_every, pull_jitter=pull_every / 10, reconcile_every=reconcile_every,
                          outbox_every=outbox_every, probe_min=probe_min, probe_max=probe_max)
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    try:
        with writer_lock(db, "upkeep-mirror run"), open_mirror(db) as mirror:
            daemon = Daemon(mirror, credentials, config)
            server = _datasette(db, host, port) if serve_too else None
            daemon.start()
            try:
                while not stop.wait(1):
                    # A signal to the whole process group (Ctrl-C) stops Datasette too: not an error.
                    if server and server.poll() is not None and not stop.wait(2):
                        raise click.ClickException(f"Datasette stopped (exit code {server.returncode})")
            finally:
                logging.getLogger(__name__).info("stopping: finishing the current page or operation")
                daemon.stop()
                if server and server.poll() is None:
                    server.terminate()
                    server.wait(timeout=10)
    except (MirrorBusy, MirrorError) as exc:
        raise click.ClickException(str(exc)) from None


def _datasette(db: Path, host: str, port: int) -> subprocess.Popen:
    code = "import sys; from sync.cli import cli; sys.exit(cli(sys.argv[1:]))"
    return subprocess.Popen([sys.executable, "-c", code, "serve", "--db", str(db), "--host", host, "--port", str(port)])
