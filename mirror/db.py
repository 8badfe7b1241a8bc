"""The one module that owns the engine: open a mirror file, hand out sessions.

SQLite is set up for one writer and many readers (Datasette, query functions, the CLI) on the
same file: WAL journal, a busy timeout, and write transactions that take the write lock up front
(``BEGIN IMMEDIATE``) so two writers queue instead of failing halfway with "database is locked".
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Self

from sqlalchemy import Engine, event
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, create_engine

from mirror import bulk
from mirror.migrations import LATEST, MIGRATIONS, applied_versions, current_version, migrate

BUSY_TIMEOUT_MS = 30_000


class MirrorError(Exception):
    """The mirror file cannot be used as asked (newer schema, read-only and missing, ...)."""


class Mirror:
    """An open mirror file: ``with mirror.session() as s`` to read, ``with mirror.write() as s`` to write."""

    def __init__(self, path: Path, engine: Engine):
        self.path = path
        self.engine = engine
        self._write_engine = engine.execution_options(sqlite_begin="IMMEDIATE")

    def session(self) -> Session:
        """A session for reading (and for callers that manage their own commit)."""
        return Session(self.engine)

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One write transaction: committed when the block ends, rolled back if it raises."""
        with Session(self._write_engine) as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    def schema_version(self) -> int:
        with self.engine.connect() as conn:
            return current_version(conn)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Mirror({str(self.path)!r})"


def inspect_mirror(path: str | Path, *, current: bool = False) -> int | None:
    """Check, without writing a byte, that ``path`` holds a mirror this version can use.

    Returns its schema version, or ``None`` for an empty file (a new mirror may be made there).
    Raises :class:`MirrorError`, in one sentence, for a missing or unreadable file, a file that is
    not an SQLite database, an SQLite database that is not a mirror, or a newer schema; with
    ``current``, also for an older schema (a reader must not migrate: ``serve``).
    """
    path = Path(path)
    if not path.is_file():
        raise MirrorError(f"There is no mirror at {path}; run `upkeep-mirror sync --db {path}` first.")
    if path.stat().st_size == 0:
        return None
    try:
        # Read-only, and leaving no -wal/-shm behind: with no WAL file every committed byte is in the
        # main file, so read it as immutable; with one (a writer is at work) mode=ro reads through it.
        wal = Path(f"{path}-wal").exists()
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?{'mode=ro' if wal else 'immutable=1'}", uri=True)
        try:
            tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            versions = {row[0] for row in conn.execute("SELECT version FROM schema_versions")} \
                if "schema_versions" in tables else set()
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise MirrorError(f"{path} cannot be read as an SQLite database ({exc}); nothing was changed.") from None
    if not tables:
        return None
    if not versions:
        raise MirrorError(f"{path} is an SQLite database but not an upkeep-mirror mirror; "
                          "give --db a mirror's file or a new path.")
    version = max(versions)
    if version > LATEST:
        raise MirrorError(f"{path} has schema version {version}, newer than this upkeep-mirror knows ({LATEST}); "
                          "upgrade upkeep-mirror.")
    if current and not {m.version for m in MIGRATIONS} <= versions:
        raise MirrorError(f"{path} has schema version {version}, older than this upkeep-mirror's ({LATEST}); "
                          f"run `upkeep-mirror sync --db {path}` once to upgrade it.")
    return version


def open_mirror(path: str | Path, *, upgrade: bool = True) -> Mirror:
    """Create or open the mirror at ``path``, upgrading its schema in place to the latest version.

    An existing file is checked read-only first (:func:`inspect_mirror`): a damaged file, another
    program's SQLite database or a newer schema is refused in one sentence and left untouched.
    """
    path = Path(path)
    if path.exists():
        inspect_mirror(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise MirrorError(f"cannot create the folder {path.parent} for the mirror: {exc.strerror}.") from None
    engine = create_engine(
        f"sqlite:///{path}",
        # The driver must not open transactions on its own; the "begin" hook below does it.
        connect_args={"isolation_level": None, "timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False},
    )
    _configure(engine)
    try:
        with engine.connect() as conn:
            version = current_version(conn)
            if version > LATEST:
                raise MirrorError(
                    f"{path} has schema version {version}, newer than this upkeep-mirror knows ({LATEST}); "
                    "upgrade upkeep-mirror."
                )
            if upgrade and not {m.version for m in MIGRATIONS} <= applied_versions(conn):
                migrate(conn)
            if upgrade and bulk.pending_tables(conn):
                _finish_interrupted_bulk_load(path, conn)
    except DBAPIError as exc:
        engine.dispose()
        raise MirrorError(f"cannot open the mirror {path}: {exc.orig}.") from None
    except BaseException:
        engine.dispose()
        raise
    return Mirror(path, engine)


def _finish_interrupted_bulk_load(path: Path, conn) -> None:
    """Put back the indexes of a bulk load whose sync died, unless a sync or daemon is running now.

    A live sync holds the writer lock and finishes its own bulk load; restoring under it would
    only slow it down. Without one, the load was interrupted (a crash, a kill): re-create now.
    """
    from mirror.lock import MirrorBusy, writer_lock  # late: mirror.lock builds on this module

    if conn.in_transaction():
        conn.commit()
    try:
        with writer_lock(path, "upkeep-mirror (restoring indexes)"):
            conn.execution_options(sqlite_begin="IMMEDIATE")
            try:
                with conn.begin():
                    bulk.restore(conn)
            finally:
                conn.execution_options(sqlite_begin="DEFERRED")
    except MirrorBusy:
        pass


def _configure(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn, _record):
        for pragma in (
            "journal_mode=WAL",
            "synchronous=NORMAL",  # durable at checkpoints; WAL keeps the file consistent on a crash
            f"busy_timeout={BUSY_TIMEOUT_MS}",
            "foreign_keys=OFF",  # references are for reading; a page may name a row the next page brings
            "temp_store=MEMORY",
        ):
            dbapi_conn.execute(f"PRAGMA {pragma}")

    @event.listens_for(engine, "begin")
    def _begin(conn):
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")
