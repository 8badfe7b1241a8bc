"""``upkeep-mirror demo``: the whole system on one machine, with no account and no network.

It starts the bundled emulator (a seeded plant with live changes every few seconds), runs the
first sync with progress bars, then the daemon (pull, outbox, connectivity probe) and Datasette,
and prints what to open and what to try. Everything lives in ``--dir``: running the demo again
reuses the emulated plant and the mirror it made. ``upkeep-mirror demo-network off|on`` cuts and
restores the emulated UpKeep, to watch writes queue and then reach "UpKeep".
"""

from __future__ import annotations

import json
import logging
import shlex
import subprocess
import time
from pathlib import Path
from typing import Any

import click
import httpx

from mirror.db import Mirror, open_mirror
from mirror.examples import has_work_orders, open_task, open_work_order
from mirror.lock import writer_lock
from sync.cli.common import end_child, launch_serve, program, refusals, stop_on_signal, wait_until_stopped
from sync.cli.pull import report_fieldwork
from sync.daemon import Daemon, DaemonConfig
from sync.emulator import Emulator
from sync.pull import FieldworkOptions, PullOptions, PullResult
from sync.service import PullOutcome, pull_all
from sync.settings import DEFAULT_FILES_BUDGET_MB, DEFAULT_HOST, DEFAULT_PORT, MB
from sync.upkeep import Credentials, UpKeepClient
from sync.upkeep.paging import DEFAULT_LIMIT

STATE_FILE = "demo.json"


@click.command()
@click.option("--dir", "directory", default="upkeep-demo", show_default=True, envvar="UPKEEP_MIRROR_DEMO_DIR",
              type=click.Path(file_okay=False, path_type=Path),
              help="Where the demo keeps the emulated plant and the mirror (reused on the next run).")
@click.option("--port", default=DEFAULT_PORT, show_default=True, envvar="UPKEEP_MIRROR_DEMO_PORT", type=int,
              help=f"Datasette's port on {DEFAULT_HOST}.")
@click.option("--work-orders", default=5000, show_default=True, type=click.IntRange(10),
              help="Size of the emulated plant, in work orders.")
@click.option("--changes-per-second", default=0.5, show_default=True, type=click.FloatRange(min=0),
              help="Live changes the emulated UpKeep makes (updates, new and deleted work orders).")
def demo(directory: Path, port: int, work_orders: int, changes_per_second: float) -> None:
    """Run the emulator, a first sync, the daemon and Datasette; Ctrl-C stops everything."""
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(message)s")
    logging.getLogger("sync.daemon.link").setLevel(logging.INFO)  # "back online after ...; N writes sent"
    directory.mkdir(parents=True, exist_ok=True)
    db = directory / "mirror.db"
    stop = stop_on_signal()
    with refusals(" (is another demo running?)"), writer_lock(db, "upkeep-mirror demo"), Emulator(
        seed=1, work_orders=work_orders, state=directory / "emulator.db", epoch="today",
        changes_per_second=changes_per_second,
    ) as emu, open_mirror(db) as mirror:
        email, password = emu.credentials
        credentials = Credentials(email=email, password=password, base_url=emu.base_url)
        click.echo(f"Emulated UpKeep: {emu.api_url} ({work_orders:,} work orders, "
                   f"{'reused' if emu.reused else 'seeded'}; {changes_per_second} changes/s)")
        with UpKeepClient(credentials) as client:
            # A plant seeded anew (another day's epoch) replaces the old one: reconcile in full.
            _first_sync(mirror, client, emu.counts(), full=not emu.reused)
        server = _start_datasette(db, port)
        daemon = Daemon(mirror, credentials,
                        DaemonConfig(pull_every=10, pull_jitter=1, outbox_every=2, probe_min=2, probe_max=10))
        daemon.start()
        (directory / STATE_FILE).write_text(json.dumps({"emulator": emu.base_url, "datasette": port}))
        _explain(directory, db, port, mirror)
        try:
            wait_until_stopped(stop, server, f"; is port {port} free?")
        finally:
            click.echo("\nStopping: daemon, Datasette, emulator...")
            daemon.stop()
            end_child(server)
            (directory / STATE_FILE).unlink(missing_ok=True)
    click.echo("Stopped. Run the same command again to continue where you left off.")


@click.command("demo-network")
@click.argument("state", type=click.Choice(["off", "on"]), help="off: unreachable; on: reachable again.")
@click.option("--dir", "directory", default="upkeep-demo", show_default=True, envvar="UPKEEP_MIRROR_DEMO_DIR",
              type=click.Path(file_okay=False, path_type=Path), help="The running demo's directory.")
def demo_network(state: str, directory: Path) -> None:
    """Cut (off) or restore (on) the running demo's emulated UpKeep, as a plant network would."""
    try:
        url = json.loads((directory / STATE_FILE).read_text())["emulator"]
        httpx.post(f"{url}/_emulator/{'offline' if state == 'off' else 'online'}", timeout=5).raise_for_status()
    except (OSError, ValueError, KeyError, httpx.HTTPError):
        raise click.ClickException(f"no demo is running from {directory}; start one with `upkeep-mirror demo`") \
            from None
    click.echo("UpKeep is now unreachable: local writes queue in the outbox." if state == "off"
               else "UpKeep is reachable again: the daemon will flush the outbox, then pull.")


def _first_sync(mirror: Mirror, client: UpKeepClient, totals: dict[str, int], full: bool) -> None:
    bars: dict[str, Any] = {}  # click's ProgressBar, a private class

    def on_page(result: PullResult) -> None:
        bar = bars.get(result.entity)
        if bar is None:
            bar = bars[result.entity] = click.progressbar(length=max(totals.get(result.entity, 0), 1),
                                                          label=f"  {result.entity:<24}", width=30)
            bar.__enter__()
        bar.update(result.fetched - bar.pos)

    click.echo("First sync:" if not _has_data(mirror) else "Catching up:")
    started = time.monotonic()

    def recorded(outcome: PullOutcome) -> None:
        for bar in bars.values():
            bar.__exit__(None, None, None)
        if not outcome.failed:
            click.echo(f"  {sum(r.fetched for r in outcome.results):,} objects in {time.monotonic() - started:.1f}s")
            click.echo("Field work (checklists, files offline, downtime statuses, custom fields):")

    outcome = pull_all(mirror, client, PullOptions(on_page=on_page, full=full), source="sync",
                       fieldwork=FieldworkOptions(page_size=DEFAULT_LIMIT, full=full, content_budget_bytes=DEFAULT_FILES_BUDGET_MB * MB),
                       on_recorded=recorded)
    if outcome.failed:
        raise click.ClickException(f"the first sync failed: {outcome.failed[0].entity}: {outcome.failed[0].error}")
    report_fieldwork(outcome.fieldwork or [], DEFAULT_FILES_BUDGET_MB)
    if outcome.fieldwork_error:
        raise click.ClickException(f"field work: {outcome.fieldwork_error}")


def _has_data(mirror: Mirror) -> bool:
    return has_work_orders(mirror.connection())


def _start_datasette(db: Path, port: int) -> subprocess.Popen:
    server = launch_serve(db, DEFAULT_HOST, port, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            said = server.stderr.read().decode().strip().splitlines() if server.stderr else []
            reason = said[-1].removeprefix("Error: ")[-300:] if said else f"exit code {server.returncode}"
            raise click.ClickException(f"Datasette did not start: {reason}")
        try:
            httpx.get(f"http://{DEFAULT_HOST}:{port}/-/versions.json", timeout=1)
            return server
        except httpx.HTTPError:
            time.sleep(0.2)
    end_child(server)
    raise click.ClickException(f"Datasette did not answer on port {port} within 30 s")


def _explain(directory: Path, db: Path, port: int, mirror: Mirror) -> None:
    """What to open and what to try, as commands that run as printed (full paths: the Quick start
    never puts the venv's bin/ on PATH)."""
    conn = mirror.connection()
    wo, task = open_work_order(conn), open_task(conn)
    photo = directory / "seal-leak.png"
    if not photo.exists():
        from sync.emulator.content import header_for

        photo.write_bytes(header_for("demo-photo", "image/png"))
    url = f"http://{DEFAULT_HOST}:{port}"
    me, where = program(), shlex.quote(str(db.absolute()))
    network = f"{me} demo-network {{}} --dir {shlex.quote(str(directory.absolute()))}"
    click.echo(f"""
Datasette is serving the mirror at {url}/  (read-only; Ctrl-C here stops everything)

Four things to try, from another terminal:
  1. A canned query: overdue work orders, with their asset and location:
       {url}/mirror/overdue_work_orders
  2. A local write, shown at once and sent to UpKeep by the daemon within seconds:
       {me} wo update {wo.id if wo else 'ID'} --status inProgress --db {where}
  3. Cut the network, write, restore it, and watch the write reach UpKeep
     ({url}/mirror/local_writes shows it waiting):
       {network.format("off")}
       {me} wo create --title "Check pump P-101 seal" --db {where}
       {network.format("on")}
  4. At the machine: tick a checklist item and attach a photo (works offline too; the work order's page
     shows both at once, {url}/mirror/work_orders/{task.work_order_id if task else 'ID'}):
       {me} wo task {task.work_order_id if task else 'ID'} {shlex.quote(task.name if task else 'TASK')} --value complete --db {where}
       {me} wo attach {task.work_order_id if task else 'ID'} {shlex.quote(str(photo.absolute()))} --db {where}
""")
