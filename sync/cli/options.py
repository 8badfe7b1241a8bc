"""Options every command shares (the mirror file, where UpKeep is, how to log in), declared once."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import click

from sync.settings import (
    CREATES_PER_MINUTE_ENV,
    CREDENTIAL_ENV,
    DEFAULT_CREATES_PER_MINUTE,
    Settings,
    load_settings,
)
from sync.upkeep._client import DEFAULT_BASE_URL, Credentials
from sync.upkeep.errors import ConfigurationError


def _db(help: str) -> Callable[[Callable], Callable]:
    return click.option("--db", "db", required=True, envvar="UPKEEP_MIRROR_DB",
                        type=click.Path(dir_okay=False, path_type=Path), help=f"{help} Env: UPKEEP_MIRROR_DB.")


#: --db for commands that make the mirror: sync and run.
db_option = _db("The mirror's SQLite file (created if missing, upgraded in place if older).")
#: --db for commands that need a mirror already made by `upkeep-mirror sync`.
existing_db_option = _db("The mirror's SQLite file, made by `upkeep-mirror sync` (never created here).")


def _load_settings(ctx: click.Context, _param: click.Parameter, path: Path | None) -> Settings:
    """Read the config file once, before the other options: its table named after the command
    (``[run]``, ``[sync]``) becomes their defaults (below the command line and the environment)."""
    try:
        settings = load_settings(path)
    except ConfigurationError as exc:
        raise click.BadParameter(exc.message or str(exc)) from None
    ctx.default_map = settings.defaults_for(ctx.info_name or "") or ctx.default_map
    return settings


def upkeep_options(func: Callable) -> Callable:
    """``--config`` (passed to the command as ``settings``, the file read) and ``--base-url``."""
    func = click.option(
        "--config",
        "settings",
        type=click.Path(dir_okay=False, exists=True, path_type=Path),
        is_eager=True,
        callback=_load_settings,
        help="TOML config file: [upkeep] has base_url, email, password or session_token; a table named "
        "after the command ([run], [sync]) sets its options' defaults. "
        "Default: ~/.config/upkeep-mirror/config.toml when it exists.",
    )(func)
    return click.option(
        "--base-url",
        help="UpKeep API base URL, e.g. http://127.0.0.1:8900 for the emulator. "
        f"Env: {CREDENTIAL_ENV['base_url']}; default {DEFAULT_BASE_URL}.",
    )(func)


def credentials(settings: Settings, base_url: str | None) -> Credentials:
    """Credentials from flags, environment and config file; a bad setup is one clear sentence."""
    try:
        return settings.credentials(base_url)
    except ConfigurationError as exc:
        raise click.ClickException(exc.message or str(exc)) from None


#: ``--creates-per-minute``: the pace of creates UpKeep announces to people (``run``, ``outbox flush``,
#: and ``status`` for its estimate); None: the ``[outbox]`` table's, else the default.
creates_per_minute_option = click.option(
    "--creates-per-minute", "creates_per_minute", type=click.FloatRange(min=0), envvar=CREATES_PER_MINUTE_ENV,
    help="Work orders and requests sent to UpKeep a minute, one per turn (each makes UpKeep send emails and "
         "Zapier triggers); 0: all at once. Other writes are not paced. "
         f"Env: {CREATES_PER_MINUTE_ENV}; config [outbox] creates_per_minute; "
         f"default {DEFAULT_CREATES_PER_MINUTE:g}.",
)


def creates_per_minute(settings: Settings, flag: float | None) -> float:
    """The pace from the flag (or environment) over the config file; a bad value is one clear sentence."""
    try:
        return settings.creates_per_minute(flag)
    except ConfigurationError as exc:
        raise click.ClickException(exc.message or str(exc)) from None
