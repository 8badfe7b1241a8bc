"""Plain ``sqlite3`` connections to a mirror, set up once, and the way in from SQLAlchemy.

The pull (and everything ``upkeep-mirror sync`` runs) talks to the file through these, not
through SQLAlchemy: importing SQLAlchemy and SQLModel costs ~35 MB and ~0.4 s, more than the
whole sync needs. Readers and the outbox keep their SQLModel sessions (:mod:`mirror.db`); the
functions both sides share take either, through :func:`dbapi`.

Every connection is set up for one writer and many readers on the same file: WAL journal, a
busy timeout, and no transaction opened behind the caller's back (``isolation_level=None``):
a write transaction is an explicit ``BEGIN IMMEDIATE`` (:func:`transaction`), so two writers
queue instead of failing halfway with "database is locked".
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, TypeAlias, cast

if TYPE_CHECKING:  # only named in annotations: the pull never loads SQLAlchemy
    from sqlalchemy.engine import Connection as _SAConnection
    from sqlalchemy.orm import Session as _Session

__all__ = [
    "BUSY_TIMEOUT_MS", "PRAGMAS", "AnyConnection", "configure", "connect", "dbapi", "readonly_uri", "transaction",
]

#: What the functions both sides share accept: a plain connection, or a SQLAlchemy Session or Connection.
AnyConnection: TypeAlias = "sqlite3.Connection | _Session | _SAConnection"

BUSY_TIMEOUT_MS = 30_000

PRAGMAS = (
    "journal_mode=WAL",
    "synchronous=NORMAL",  # durable at checkpoints; WAL keeps the file consistent on a crash
    f"busy_timeout={BUSY_TIMEOUT_MS}",
    "foreign_keys=OFF",  # references are for reading; a page may name a row the next page brings
    # temp_store stays at its default, files: building an index on 100k rows must not sort in memory.
)


def configure(conn: sqlite3.Connection, *, readonly: bool = False) -> sqlite3.Connection:
    """Apply :data:`PRAGMAS`; a read-only connection leaves the journal mode alone (it is the file's)."""
    for pragma in PRAGMAS:
        if not (readonly and pragma.startswith("journal_mode")):
            conn.execute(f"PRAGMA {pragma}")
    return conn


def connect(path: str | Path, *, readonly: bool = False) -> sqlite3.Connection:
    """A new connection to the mirror file at ``path``, set up like every other (usable from any thread).

    ``readonly``: opened with SQLite's ``mode=ro``, so nothing written through it can reach the
    file, and a missing file is an error instead of a new empty database.
    """
    target = readonly_uri(path) if readonly else path
    conn = sqlite3.connect(target, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False,
                           uri=readonly)
    return configure(conn, readonly=readonly)


def readonly_uri(path: str | Path) -> str:
    """The ``file:`` URI that opens ``path`` read-only (``mode=ro``)."""
    return f"{Path(path).resolve().as_uri()}?mode=ro"


@contextmanager
def transaction(conn: sqlite3.Connection, mode: str = "IMMEDIATE") -> Iterator[sqlite3.Connection]:
    """One transaction on ``conn``: committed when the block ends, rolled back if it raises."""
    conn.execute(f"BEGIN {mode}")
    try:
        yield conn
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def dbapi(conn: AnyConnection) -> sqlite3.Connection:
    """The ``sqlite3`` connection under ``conn``: itself, or a SQLAlchemy Session's or Connection's.

    A Session's connection is taken inside its transaction (begun if need be), so what is written
    through the result commits or rolls back with the session.
    """
    if isinstance(conn, sqlite3.Connection):
        return conn
    # Duck-typed, not isinstance(): SQLAlchemy stays unimported on the plain path.
    connection = cast("_Session", conn).connection() if hasattr(conn, "get_bind") else conn
    return cast(sqlite3.Connection, connection.connection.driver_connection)
