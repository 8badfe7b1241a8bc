"""The settings of every command, loaded once: flags > environment variables > config file > defaults.

The config file is ``--config PATH``, else ``$XDG_CONFIG_HOME/upkeep-mirror/config.toml`` (by
default ``~/.config/upkeep-mirror/config.toml``) when it exists; it is read once per command. Its
``[upkeep]`` table holds how to reach UpKeep (:data:`CREDENTIAL_ENV`: the environment wins over the
file, ``--base-url`` over both); a table named after a command (``[run]``, ``[sync]``) gives that
command's option defaults, which click ranks below the command line and the environment (its
``default_map``); the ``[outbox]`` table holds what every command that sends the outbox shares
(``creates_per_minute``: see :data:`DEFAULT_CREATES_PER_MINUTE`). The UpKeep client receives the resulting :class:`~sync.upkeep.Credentials` and
never reads a file or the environment itself.

Each default of the command line and the daemon is written here once; help texts quote these
constants. (The freshness thresholds belong to the store: :mod:`mirror.freshness`.)
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sync.upkeep._client import Credentials
from sync.upkeep.errors import ConfigurationError

__all__ = [
    "CREATES_PER_MINUTE_ENV", "CREDENTIAL_ENV", "DEFAULT_CREATES_PER_MINUTE", "DEFAULT_FILES_BUDGET_MB", "DEFAULT_HOST",
    "DEFAULT_OUTBOX_EVERY", "DEFAULT_PORT",
    "DEFAULT_PROBE_MAX", "DEFAULT_PROBE_MIN", "DEFAULT_PULL_EVERY", "DEFAULT_RECONCILE_EVERY", "MB", "Settings",
    "default_config_path", "load_settings",
]

MB = 1024 * 1024
#: File content (manuals, photos) kept offline, in MB; ``--files-budget`` of ``sync`` and ``run``.
DEFAULT_FILES_BUDGET_MB = 500
#: The daemon's intervals, in seconds (``upkeep-mirror run``).
DEFAULT_PULL_EVERY = 300.0
DEFAULT_RECONCILE_EVERY = 86_400.0
DEFAULT_OUTBOX_EVERY = 5.0
DEFAULT_PROBE_MIN = 5.0
DEFAULT_PROBE_MAX = 300.0
#: Creates (work orders, requests) sent to UpKeep a minute, one every 3 s: each makes UpKeep email
#: people and fire Zapier triggers, so a day's offline queue reaches them over minutes, not in one
#: burst. 20 a minute is faster than people create them by hand (a queue of 200, a busy day
#: offline, is out in 10 minutes) and slow enough for an inbox and a Zapier task quota.
#: ``--creates-per-minute`` of ``run`` and ``outbox flush``, ``[outbox] creates_per_minute``;
#: 0: unpaced.
DEFAULT_CREATES_PER_MINUTE = 20.0
CREATES_PER_MINUTE_ENV = "UPKEEP_MIRROR_CREATES_PER_MINUTE"
#: Where Datasette listens (``serve``, ``run --serve``; the demo on this host too).
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8001

#: The [upkeep] table's keys and the environment variables over them.
CREDENTIAL_ENV = {
    "session_token": "UPKEEP_SESSION_TOKEN",
    "email": "UPKEEP_EMAIL",
    "password": "UPKEEP_PASSWORD",
    "base_url": "UPKEEP_BASE_URL",
}


@dataclass(frozen=True, repr=False)
class Settings:
    """The config file as read (``path`` None: there was none) and the environment over it.

    The repr names only the file: the tables and the environment may hold credentials.
    """

    path: Path | None = None
    tables: Mapping[str, Any] = field(default_factory=dict)
    env: Mapping[str, str] = field(default_factory=dict)

    def __repr__(self) -> str:
        return f"Settings(path={self.path!r})"

    def defaults_for(self, command: str) -> dict[str, Any]:
        """The option defaults the table named after ``command`` gives (``pull-every`` or ``pull_every``)."""
        table = self.tables.get(command, {})
        return {k.replace("-", "_"): v for k, v in table.items()} if isinstance(table, dict) else {}

    def creates_per_minute(self, flag: float | None = None) -> float:
        """The pace of creates: ``flag`` (the command line or :data:`CREATES_PER_MINUTE_ENV`, which
        click reads) over the ``[outbox]`` table's ``creates_per_minute`` over the default."""
        if flag is not None:
            return flag
        table = self.tables.get("outbox", {}) if self.path is not None else {}
        value = table.get("creates_per_minute") if isinstance(table, dict) else None
        if value is None:
            return DEFAULT_CREATES_PER_MINUTE
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise ConfigurationError(f"config file {self.path}: [outbox] creates_per_minute takes a number, "
                                     f"0 or more (0: unpaced), not {value!r}")
        return float(value)

    def credentials(self, base_url: str | None = None) -> Credentials:
        """How to reach UpKeep: ``base_url`` (a flag) over the environment over the ``[upkeep]`` table."""
        values = self._upkeep_table()
        values.update({key: self.env[var].strip() for key, var in CREDENTIAL_ENV.items()
                       if self.env.get(var, "").strip()})
        if base_url:
            values["base_url"] = base_url
        return Credentials(**values)

    def _upkeep_table(self) -> dict[str, str]:
        if self.path is None:
            return {}
        table = self.tables.get("upkeep", {})
        unknown = sorted(set(table) - set(CREDENTIAL_ENV)) if isinstance(table, dict) else ["(not a table)"]
        if unknown or not all(isinstance(v, str) for v in table.values()):
            raise ConfigurationError(
                f"config file {self.path}: [upkeep] takes only string values for {', '.join(CREDENTIAL_ENV)}; "
                f"unknown: {', '.join(unknown) or 'none'}"
            )
        return {key: value.strip() for key, value in table.items() if value.strip()}


def default_config_path(env: Mapping[str, str] | None = None) -> Path:
    """``$XDG_CONFIG_HOME/upkeep-mirror/config.toml``, by default ``~/.config/upkeep-mirror/config.toml``."""
    env = os.environ if env is None else env
    return Path(env.get("XDG_CONFIG_HOME") or Path.home() / ".config") / "upkeep-mirror" / "config.toml"


def load_settings(config_path: str | Path | None = None, env: Mapping[str, str] | None = None) -> Settings:
    """Read the config file once: ``config_path`` (which must exist), else the default one if it exists."""
    env = os.environ if env is None else env
    path = Path(config_path) if config_path else default_config_path(env)
    if not config_path and not path.is_file():
        return Settings(env=env)
    return Settings(path, _read(path), env)


def _read(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigurationError(f"config file {path} does not exist") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigurationError(f"cannot read config file {path}: {type(exc).__name__}") from None
    except tomllib.TOMLDecodeError as exc:  # its text gives line and column, not the content
        raise ConfigurationError(f"config file {path} is not valid TOML: {exc}") from None
