"""Options every command shares (the mirror file, where UpKeep is, how to log in), declared once."""

from __future__ import annotations

import dataclasses
import tomllib
from collections.abc import Callable
from pathlib import Path

import click

from sync.upkeep import Credentials, default_config_path
from sync.upkeep.errors import ConfigurationError


def _db(help: str) -> Callable[[Callable], Callable]:
    return click.option("--db", "db", required=True, envvar="UPKEEP_MIRROR_DB",
                        type=click.Path(dir_okay=False, path_type=Path), help=f"{help} Env: UPKEEP_MIRROR_DB.")


#: --db for commands that make the mirror: sync and run.
db_option = _db("The mirror's SQLite file (created if missing, upgraded in place if older).")
#: --db for commands that need a mirror already made by `upkeep-mirror sync`.
existing_db_option = _db("The mirror's SQLite file, made by `upkeep-mirror sync` (never created here).")


def _command_defaults(ctx: click.Context, _param: click.Parameter, path: Path | None) -> Path | None:
    """Take option defaults from the config file's table named after the command (``[run]``, ``[sync]``)."""
    candidate = path or default_config_path()
    if candidate.is_file():
        try:
            table = tomllib.loads(candidate.read_text(encoding="utf-8")).get(ctx.info_name or "", {})
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise click.BadParameter(f"cannot read {candidate}: {exc}") from None
        if isinstance(table, dict):
            ctx.default_map = {k.replace("-", "_"): v for k, v in table.items()}
    return path


def upkeep_options(func: Callable) -> Callable:
    func = click.option(
        "--config",
        "config_path",
        type=click.Path(dir_okay=False, exists=True, path_type=Path),
        is_eager=True,
        callback=_command_defaults,
        help="TOML config file: [upkeep] has base_url, email, password or session_token; a table named "
        "after the command ([run], [sync]) sets its options' defaults. "
        "Default: ~/.config/upkeep-mirror/config.toml when it exists.",
    )(func)
    return click.option(
        "--base-url",
        help="UpKeep API base URL, e.g. http://127.0.0.1:8900 for the emulator. "
        "Env: UPKEEP_BASE_URL; default https://api.onupkeep.com.",
    )(func)


def load_credentials(base_url: str | None, config_path: Path | None) -> Credentials:
    """Credentials from flags, environment and config file; a bad setup is one clear sentence."""
    try:
        credentials = Credentials.load(config_path)
        return dataclasses.replace(credentials, base_url=base_url) if base_url else credentials
    except ConfigurationError as exc:
        raise click.ClickException(exc.message or str(exc)) from None
