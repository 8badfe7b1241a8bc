"""Forward-only schema migrations: a small registry, each step applied and recorded atomically.

A mirror created by any earlier version opens and upgrades in place, so nobody has to delete a
synced mirror (and its unsent local writes) to upgrade. Each step runs in the same transaction as
the row that records it in ``schema_versions``: a crash leaves the file at the previous version.

To change the schema, append a :class:`Migration`; never edit one that has shipped.
``tests/test_store.py`` fails when the migrated schema and the models disagree.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources

from mirror.rejects import payload_key
from mirror.sqlite import AnyConnection, dbapi, transaction
from mirror.timestamps import format_utc


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    apply: Callable[[sqlite3.Connection], None]


def _sql_file(filename: str, functions: dict[str, Callable] | None = None) -> Callable[[sqlite3.Connection], None]:
    """A step that runs ``mirror/sql/<filename>``; ``functions`` are SQL functions it may call."""

    def apply(conn: sqlite3.Connection) -> None:
        script = resources.files("mirror.sql").joinpath(filename).read_text()
        for name, function in (functions or {}).items():
            conn.create_function(name, 1, function, deterministic=True)
        # executescript would COMMIT the surrounding transaction; run statement by statement instead.
        for statement in _split(script):
            conn.execute(statement)

    return apply


def _split(script: str) -> list[str]:
    """The script's statements, one each; a trigger body's inner semicolons stay inside its statement."""
    lines = [line for line in script.splitlines() if not line.lstrip().startswith("--")]
    statements, pending = [], ""
    for piece in "\n".join(lines).split(";"):
        pending += piece + ";"
        if sqlite3.complete_statement(pending):
            if pending.strip(" \n\t;"):
                statements.append(pending.strip().removesuffix(";").strip())
            pending = ""
    if pending.strip(" \n\t;"):
        statements.append(pending.strip().removesuffix(";").strip())
    return statements


MIGRATIONS: list[Migration] = [
    Migration(1, "initial tables", _sql_file("0001_initial.sql")),
    Migration(2, "readable detail views", _sql_file("0002_detail_views.sql")),
    Migration(3, "read side: full-text search, query indexes, live views", _sql_file("0003_read_side.sql")),
    Migration(4, "outbox and work order messages", _sql_file("0004_outbox.sql")),
    Migration(5, "reconciliation bookkeeping", _sql_file("0005_reconcile_seen.sql")),
    Migration(6, "connectivity status", _sql_file("0006_connectivity.sql")),
    Migration(7, "rejects kept once per object", _sql_file(
        "0007_rejects_once.sql", {"reject_payload_key": lambda raw: payload_key(json.loads(raw))})),
    Migration(8, "connectivity: error kind and source, standing fatal error", _sql_file("0008_connectivity_errors.sql")),
    Migration(9, "browsing: labour cost not recorded, readable work order and PM views", _sql_file("0009_browsing.sql")),
    Migration(10, "bulk loads and parallel first-sync windows", _sql_file("0010_bulk_and_windows.sql")),
    Migration(11, "field work: checklists, files, downtime statuses, custom fields",
              _sql_file("0011_fieldwork.sql")),
    Migration(12, "UpKeep's page size as found", _sql_file("0012_page_size.sql")),
]
MIGRATIONS.sort(key=lambda m: m.version)

LATEST = MIGRATIONS[-1].version


def applied_versions(conn: AnyConnection) -> set[int]:
    """The versions recorded in the file (``conn``: a plain connection, or a SQLAlchemy one)."""
    conn = dbapi(conn)
    if not conn.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name='schema_versions'").fetchone():
        return set()
    return {row[0] for row in conn.execute("SELECT version FROM schema_versions")}


def current_version(conn: AnyConnection) -> int:
    return max(applied_versions(conn), default=0)


def migrate(conn: AnyConnection, target: int = LATEST) -> list[int]:
    """Apply every pending migration up to ``target``, each in its own transaction; return them.

    Each step takes the write lock first (``BEGIN IMMEDIATE``) and checks again inside it whether
    it is still needed, so two processes opening a new mirror at once cannot apply a step twice.
    ``conn`` is a plain connection not inside a transaction.
    """
    conn = dbapi(conn)
    applied = []
    for migration in MIGRATIONS:
        if migration.version > target:
            continue
        with transaction(conn):
            conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_versions "
                "(version INTEGER NOT NULL PRIMARY KEY, name VARCHAR NOT NULL, applied_at VARCHAR NOT NULL)"
            )
            if migration.version in applied_versions(conn):
                continue
            migration.apply(conn)
            conn.execute("INSERT INTO schema_versions (version, name, applied_at) VALUES (?, ?, ?)",
                         (migration.version, migration.name, format_utc(datetime.now(UTC))))
        applied.append(migration.version)
    return applied
