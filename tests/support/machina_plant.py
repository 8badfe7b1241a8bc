"""Helpers for the Machina tests: a mirror synced from the emulator, copies of it, and Machina's connector."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path
from typing import Any

from mirror.db import open_mirror
from sync.pull import sync_entities
from tests.support.emulator import login
from tests.support.upkeep import upkeep_client


def sync_into(path: Path, emu) -> Path:
    """Pull the emulator's whole account into a new mirror file at ``path``."""
    with open_mirror(path) as mirror, upkeep_client(emu) as client:
        results = sync_entities(mirror, client)
        assert all(r.finished and not r.error for r in results)
    return path


def copy_mirror(source: Path, target: Path) -> Path:
    """A consistent copy of a mirror file (SQLite's backup API: WAL content included)."""
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    src.close()
    dst.close()
    return target


def session_token(emu) -> str:
    """What Machina's UpKeepConnector takes as ``api_key``: a ``Session-Token`` from ``POST /auth``."""
    return login(emu.api_url, *emu.credentials)


def run(coro: Any) -> Any:
    return asyncio.run(coro)
