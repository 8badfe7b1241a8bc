"""Pieces every front end shares, written once: open a mirror or fail in one sentence, launch
``serve`` beside a command, stop on a signal, and the command line to print for a person to run.

Kept light on purpose (no SQLModel, no HTTP at import time): ``upkeep-mirror --help`` and each
command's ``--help`` should not pay for what the command does.
"""

from __future__ import annotations

import shlex
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from mirror.db import Mirror


@contextmanager
def refusals(hint: str = "") -> Iterator[None]:
    """Turn what the store refuses (a busy, missing, damaged, foreign or unwritable mirror) into one sentence."""
    from mirror.errors import MirrorBusy, MirrorUnusable

    try:
        yield
    except MirrorBusy as exc:
        raise click.ClickException(f"{exc}{hint}") from None
    except MirrorUnusable as exc:
        raise click.ClickException(str(exc)) from None
    except sqlite3.Error as exc:  # e.g. a read-only or full disk, found while writing
        raise click.ClickException(f"the mirror could not be read or changed: {exc}") from None
    except Exception as exc:
        sqlalchemy_exc = sys.modules.get("sqlalchemy.exc")  # never imported: it cannot be SQLAlchemy's error
        if sqlalchemy_exc is not None and isinstance(exc, sqlalchemy_exc.DBAPIError):
            raise click.ClickException(f"the mirror could not be read or changed: {exc.orig}") from None
        raise


def check_existing(db: Path) -> None:
    """Refuse, in one sentence and without touching the file, a mirror that is missing or unusable."""
    from mirror.db import inspect_mirror

    with refusals():
        version = inspect_mirror(db)
    if version is None:
        raise click.ClickException(f"{db} holds no mirror yet; run `upkeep-mirror sync --db {db}` first.")


def open_existing(db: Path, *, readonly: bool = False) -> Mirror:
    """The mirror at ``db``, which must exist: to queue writes, or ``readonly`` for commands that only
    read it (which then never migrate it nor change a byte of it)."""
    from mirror.db import open_mirror

    if not readonly:
        check_existing(db)
    with refusals():
        return open_mirror(db, readonly=readonly)


def program() -> str:
    """How a person runs this program again, with full paths, quoted for a shell: the demo prints
    commands to copy, and the Quick start never puts the venv's bin/ on PATH."""
    invoked = Path(sys.argv[0]) if sys.argv and sys.argv[0] else None
    if invoked is not None and invoked.name == "upkeep-mirror" and invoked.exists():
        return shlex.quote(str(invoked.absolute()))
    found = shutil.which("upkeep-mirror")
    if found:
        return shlex.quote(found)
    return f"{shlex.quote(sys.executable)} -m sync.cli"


def launch_serve(db: Path, host: str, port: int, **popen: Any) -> subprocess.Popen:
    """``upkeep-mirror serve`` in a child process of this same Python (its own imports, its own GIL)."""
    command = [sys.executable, "-m", "sync.cli", "serve", "--db", str(db), "--host", host, "--port", str(port)]
    return subprocess.Popen(command, **popen)


def stop_on_signal() -> threading.Event:
    """An event set by SIGINT (Ctrl-C) or SIGTERM, so the command can finish its page and clean up."""
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    return stop


def wait_until_stopped(stop: threading.Event, server: subprocess.Popen | None, what: str) -> None:
    """Block until ``stop`` is set; a Datasette child that dies on its own is an error, in one sentence."""
    while not stop.wait(1):
        # A signal to the whole process group (Ctrl-C) stops Datasette too: not an error.
        if server is not None and server.poll() is not None and not stop.wait(2):
            raise click.ClickException(f"Datasette stopped (exit code {server.returncode}){what}")


def end_child(server: subprocess.Popen | None) -> None:
    if server is not None and server.poll() is None:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
