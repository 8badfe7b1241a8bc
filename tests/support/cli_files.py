"""Files a user might point a command at by mistake, and how to tell that nothing changed."""

from __future__ import annotations

import hashlib
import os
import random
import sqlite3
from pathlib import Path

from click.testing import CliRunner

from mirror.db import open_mirror
from sync.cli import cli


def digest(path: Path) -> str | None:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else None


def listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def corrupted(path: Path, seed: int = 7) -> Path:
    """Random bytes, seeded: what a damaged disk or a wrong file looks like."""
    path.write_bytes(random.Random(seed).randbytes(64 * 1024))
    return path


def _written(path: Path, *statements: tuple[str, ...]) -> Path:
    """``path`` after running ``statements`` (each an SQL string and its parameters) and checkpointing."""
    con = sqlite3.connect(path)
    for statement in statements:
        con.execute(*statement)
    con.commit()
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # a mirror's WAL into the file (no-op for a rollback journal)
    con.close()
    return path


def unrelated(path: Path) -> Path:
    """Another program's SQLite database (rollback journal, its own tables)."""
    return _written(path, ("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)",),
                    ("INSERT INTO notes (body) VALUES ('keep me')",))


def clashing(path: Path) -> Path:
    """An SQLite database with a table named like one of the mirror's, and different columns."""
    return _written(path, ("CREATE TABLE work_orders (ref TEXT, note TEXT)",),
                    ("INSERT INTO work_orders VALUES ('x', 'mine')",))


def newer(path: Path) -> Path:
    """A mirror written by a future upkeep-mirror (schema version 999)."""
    open_mirror(path).close()
    return _written(path, ("INSERT INTO schema_versions (version, name, applied_at) VALUES (999, 'future', '2030-01-01')",))


def older(path: Path) -> Path:
    """A mirror from before the latest migration."""
    from mirror.migrations import LATEST

    open_mirror(path).close()
    return _written(path, ("DELETE FROM schema_versions WHERE version = ?", (LATEST,)))


def refused(*args: str, env: dict[str, str] | None = None) -> str:
    """Run a command that must refuse: exit 1 and one line of error, no traceback. Returns the line."""
    result = CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert result.exit_code == 1, result.output
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.output
    assert "Traceback" not in result.output
    return lines[0]


def unwritable_folder(tmp_path: Path) -> Path:
    """A folder this process may not create files in (root may write anywhere but sysfs)."""
    if os.geteuid() == 0:
        return Path("/sys")
    folder = tmp_path / "read-only"
    folder.mkdir()
    folder.chmod(0o555)
    return folder
