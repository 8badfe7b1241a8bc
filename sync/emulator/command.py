"""``upkeep-mirror emulator``: run the UpKeep API v2 emulator in the foreground until Ctrl-C."""

from __future__ import annotations

import signal
import threading
import time
from typing import Any

import click

from sync.emulator.emulator import DEFAULT_EMAIL, DEFAULT_PASSWORD, Emulator
from sync.emulator.faults import FaultConfig
from sync.emulator.values import DEFAULT_EPOCH

_rate = click.FloatRange(0.0, 1.0)


@click.command("emulator")
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8900,
    show_default=True,
    help="Port on 127.0.0.1 (0 picks a free one; the URL is printed).",
)
@click.option("--seed", type=int, default=1, show_default=True, help="Seed of the generated plant data.")
@click.option(
    "--work-orders",
    type=click.IntRange(0),
    default=5000,
    show_default=True,
    help="Number of work orders; every other entity scales with it.",
)
@click.option(
    "--state",
    type=click.Path(dir_okay=False),
    default=None,
    help="SQLite file to keep the account in (reused if seeded with the same parameters). "
    "Default: a temporary file, deleted on exit.",
)
@click.option("--fresh", is_flag=True, help="Reseed --state even if it could be reused.")
@click.option(
    "--epoch",
    default=DEFAULT_EPOCH,
    show_default=True,
    help="Instant the seeded history ends at (ISO-8601), or 'today' for this UTC midnight.",
)
@click.option("--email", default=DEFAULT_EMAIL, show_default=True, help="Login email of the account.")
@click.option(
    "--password", default=DEFAULT_PASSWORD, show_default=True, help="Login password of the account."
)
@click.option(
    "--token-ttl",
    type=click.FloatRange(0.001),
    default=3600.0,
    show_default=True,
    help="Session token lifetime in seconds.",
)
@click.option(
    "--changes-per-second",
    type=click.FloatRange(0.0),
    default=0.0,
    show_default=True,
    help="Rate of random live changes (work orders updated/created/deleted, assets, parts).",
)
@click.option(
    "--latency-ms",
    type=click.IntRange(0),
    default=0,
    show_default=True,
    help="Latency added to API requests, in milliseconds.",
)
@click.option(
    "--latency-rate",
    type=_rate,
    default=1.0,
    show_default=True,
    help="Share of API requests that get --latency-ms.",
)
@click.option(
    "--error-rate", type=_rate, default=0.0, show_default=True, help="Share of API requests answered 500."
)
@click.option(
    "--unavailable-rate",
    type=_rate,
    default=0.0,
    show_default=True,
    help="Share of API requests answered 503.",
)
@click.option(
    "--rate-limit-rate",
    type=_rate,
    default=0.0,
    show_default=True,
    help="Share of API requests answered 429 with Retry-After.",
)
@click.option(
    "--retry-after",
    type=click.IntRange(0),
    default=1,
    show_default=True,
    help="Retry-After seconds sent with 429.",
)
@click.option(
    "--drop-rate",
    type=_rate,
    default=0.0,
    show_default=True,
    help="Share of API requests whose connection is closed before the request is applied.",
)
@click.option(
    "--lost-response-rate",
    type=_rate,
    default=0.0,
    show_default=True,
    help="Share of API requests applied, then closed without an answer.",
)
@click.option(
    "--fault-methods",
    default=None,
    help="Comma-separated HTTP methods faults apply to (default: all), e.g. POST,PATCH.",
)
@click.option("--fault-seed", type=int, default=0, show_default=True, help="Seed of the fault draws.")
@click.option(
    "--default-limit",
    type=click.IntRange(1),
    default=100,
    show_default=True,
    help="Page size of a list call without limit.",
)
@click.option(
    "--max-page-size",
    type=click.IntRange(1),
    default=100,
    show_default=True,
    help="Most objects one list answer carries; a larger limit is clamped to it "
    "(e.g. 50 plays a server that serves fewer than UpKeep's 100).",
)
@click.option(
    "--offline", is_flag=True, help="Start with the API offline (POST /_emulator/online to connect)."
)
@click.option("--verbose", is_flag=True, help="Log every request to stderr.")
def emulator(**opts: Any) -> None:  # click converts each option to its declared type
    """Run an UpKeep API v2 emulator on 127.0.0.1 with seeded plant data, until Ctrl-C.

    The API is under /api/v2 (log in with POST /api/v2/auth); the control surface (offline
    switch, faults, live changes, dumps, request counts) is under /_emulator.
    """
    methods = opts["fault_methods"]
    try:
        faults = FaultConfig(
            latency_ms=opts["latency_ms"],
            latency_rate=opts["latency_rate"],
            drop_rate=opts["drop_rate"],
            rate_limit_rate=opts["rate_limit_rate"],
            retry_after_s=opts["retry_after"],
            unavailable_rate=opts["unavailable_rate"],
            server_error_rate=opts["error_rate"],
            lost_response_rate=opts["lost_response_rate"],
            seed=opts["fault_seed"],
            methods=tuple(m.strip() for m in methods.split(",")) if methods else None,
        )
        click.echo(f"Preparing {opts['work_orders']} work orders (seed {opts['seed']})...", err=True)
        began = time.perf_counter()
        emu = Emulator(
            seed=opts["seed"],
            work_orders=opts["work_orders"],
            state=opts["state"],
            fresh=opts["fresh"],
            epoch=opts["epoch"],
            email=opts["email"],
            password=opts["password"],
            token_ttl_s=opts["token_ttl"],
            changes_per_second=opts["changes_per_second"],
            faults=faults,
            default_limit=opts["default_limit"],
            max_page_size=opts["max_page_size"],
            port=opts["port"],
            verbose=opts["verbose"],
        )
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    try:
        emu.start()
    except OSError as exc:
        emu.stop()
        raise click.ClickException(
            f"cannot listen on 127.0.0.1:{opts['port']}: {exc.strerror or exc}"
        ) from None
    emu.set_offline(bool(opts["offline"]))
    took = time.perf_counter() - began
    click.echo(
        f"UpKeep API v2 emulator ({'reused' if emu.reused else 'seeded'} in {took:.1f}s, "
        f"state {emu.state_path})"
    )
    click.echo(f"  API:      {emu.api_url}")
    click.echo(f"  Control:  {emu.control_url}")
    click.echo(f"  Login:    {emu.email} / {emu.password}")
    click.echo("Ready. Press Ctrl-C to stop.", nl=True)
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    while not stop.wait(0.5):
        pass
    emu.stop()
    click.echo("Emulator stopped.")
