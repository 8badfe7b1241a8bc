"""Helpers for the Machina tests: a mirror synced from the emulator, copies of it, and Machina's connector."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path
from typing import Any

import httpx

from mirror.db import open_mirror
from sync.pull import sync_entities
from sync.upkeep import Credentials, RetryPolicy, UpKeepClient
from tests.support.upkeep import upkeep_client

FAST = RetryPolicy(attempts=5, initial=0.001, maximum=0.01, jitter=0.0, max_delay=5.0)


def client_for(emu) -> UpKeepClient:
    email, password = emu.credentials
    return UpKeepClient(Credentials(email=email, password=password, base_url=emu.base_url), policy=FAST)


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
    email, password = emu.credentials
    answer = httpx.post(f"{emu.base_url}/api/v2/auth", json={"email": email, "password": password})
    answer.raise_for_status()
    return answer.json()["result"]["sessionToken"]


def run(coro: Any) -> Any:
    return asyncio.run(coro)
