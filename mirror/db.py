"""The one module that opens mirror files: plain connections for the pull, sessions for the rest.

SQLite is set up for one writer and many readers (Datasette, query functions, the CLI) on the
same file (:mod:`mirror.sqlite`). The pull writes through plain ``sqlite3`` connections
(:meth:`Mirror.transaction`); readers and the outbox use SQLModel sessions (:meth:`Mirror.session`,
:meth:`Mirror.write`), whose engine is made, and SQLAlchemy imported, only when first asked for.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Self

from mirror import bulk
from mirror.errors import MirrorBusy, MirrorUnusable
from mirror.lock import writer_lock
from mirror.migrations import LATEST, MIGRATIONS, applied_versions, current_version, migrate
from mirror.sqlite import BUSY_TIMEOUT_MS, configure, connect, readonly_uri, transaction

if TYPE_CHECKING:
    from sqlalchemy import Connection, Engine
    from sqlmodel import Session

__all__ = ["BUSY_TIMEOUT_MS", "Mirror", "inspect_mirror", "open_mirror"]


class Mirror:
    """An open mirror file.

    ``with mirror.transaction() as conn`` writes through a plain ``sqlite3`` connection (one per
    thread); ``with mirror.session() as s`` reads and ``with mirror.write() as s`` writes through
    SQLModel. A mirror opened ``readonly`` reads through ``mode=ro`` connections only: a write
    through it fails in SQLite and never reaches the file.
    """

    def __init__(self, path: Path, connection: sqlite3.Connection | None = None, *, readonly: bool = False):
        self.path = path
        self.readonly = readonly
        self._lock = threading.Lock()
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._engine: Engine | None = None
        self._write_engine: Engine | None = None
        if connection is not None:
            self._keep(connection)

    # --- plain sqlite3 -----------------------------------------------------------------------

    def connection(self) -> sqlite3.Connection:
        """This thread's plain connection (autocommit: each statement alone unless in :meth:`transaction`)."""
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._keep(connect(self.path, readonly=self.readonly))
        return conn

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction (``BEGIN IMMEDIATE``) on this thread's plain connection."""
        with transaction(self.connection()) as conn:
            yield conn

    def _keep(self, conn: sqlite3.Connection) -> sqlite3.Connection:
        self._local.conn = conn
        with self._lock:
            self._connections.append(conn)
        return conn

    # --- SQLModel ----------------------------------------------------------------------------

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            with self._lock:
                if self._engine is None:
                    engine = _make_engine(self.path, readonly=self.readonly)
                    self._write_engine = engine.execution_options(sqlite_begin="IMMEDIATE")
                    self._engine = engine
        return self._engine

    def session(self) -> Session:
        """A session for reading (and for callers that manage their own commit)."""
        from sqlmodel import Session

        return Session(self.engine)

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One write transaction: committed when the block ends, rolled back if it raises."""
        from sqlmodel import Session

        self.engine  # noqa: B018 - makes the write engine too
        with Session(self._write_engine) as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    # -----------------------------------------------------------------------------------------

    def schema_version(self) -> int:
        return current_version(self.connection())

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
        with self._lock:
            connections, self._connections = self._connections, []
        for conn in connections:
            conn.close()
        self._local = threading.local()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Mirror({str(self.path)!r}{', readonly=True' if self.readonly else ''})"


def inspect_mirror(path: str | Path, *, current: bool = False) -> int | None:
    """Check, without writing a byte, that ``path`` holds a mirror this version can use.

    Returns its schema version, or ``None`` for an empty file (a new mirror may be made there).
    Raises :class:`MirrorUnusable`, in one sentence, for a missing or unreadable file, a file that is
    not an SQLite database, an SQLite database that is not a mirror, or a newer schema; with
    ``current``, also for an older schema (a reader must not migrate: ``serve``).
    """
    path = Path(path)
    if not path.is_file():
        raise MirrorUnusable(f"There is no mirror at {path}; run `upkeep-mirror sync --db {path}` first.")
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
        raise MirrorUnusable(f"{path} cannot be read as an SQLite database ({exc}); nothing was changed.") from None
    if not tables:
        return None
    if not versions:
        raise MirrorUnusable(f"{path} is an SQLite database but not an upkeep-mirror mirror; "
                             "give --db a mirror's file or a new path.")
    version = max(versions)
    if version > LATEST:
        raise _too_new(path, version)
    if current and not {m.version for m in MIGRATIONS} <= versions:
        raise MirrorUnusable(f"{path} has schema version {version}, older than this upkeep-mirror's ({LATEST}); "
                             f"run `upkeep-mirror sync --db {path}` once to upgrade it.")
    return version


def _too_new(path: Path, version: int) -> MirrorUnusable:
    return MirrorUnusable(f"{path} has schema version {version}, newer than this upkeep-mirror knows ({LATEST}); "
                          "upgrade upkeep-mirror.")


def open_mirror(path: str | Path, *, upgrade: bool = True, readonly: bool = False) -> Mirror:
    """Create or open the mirror at ``path``, upgrading its schema in place to the latest version.

    An existing file is checked read-only first (:func:`inspect_mirror`): a damaged file, another
    program's SQLite database or a newer schema is refused in one sentence and left untouched.

    ``readonly`` is for readers: the mirror must exist and have this version's schema (a missing,
    empty, older or newer one is refused in one sentence); nothing is created or migrated, and every
    connection is ``mode=ro``, so the file stays byte-identical. It reads beside a running writer
    (WAL).
    """
    path = Path(path)
    if readonly:
        return _open_readonly(path)
    if path.exists():
        inspect_mirror(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise MirrorUnusable(f"cannot create the folder {path.parent} for the mirror: {exc.strerror}.") from None
    try:
        conn = connect(path)
    except sqlite3.Error as exc:
        raise MirrorUnusable(f"cannot open the mirror {path}: {exc}.") from None
    try:
        versions = applied_versions(conn)
        if max(versions, default=0) > LATEST:  # made newer since inspect_mirror looked
            raise _too_new(path, max(versions))
        if upgrade and not {m.version for m in MIGRATIONS} <= versions:
            migrate(conn)
        if upgrade and bulk.pending_tables(conn):
            _finish_interrupted_bulk_load(path, conn)
    except sqlite3.Error as exc:
        conn.close()
        raise MirrorUnusable(f"cannot open the mirror {path}: {exc}.") from None
    except BaseException:
        conn.close()
        raise
    return Mirror(path, conn)


def _open_readonly(path: Path) -> Mirror:
    if inspect_mirror(path, current=True) is None:
        raise MirrorUnusable(f"{path} holds no mirror yet; run `upkeep-mirror sync --db {path}` first.")
    try:
        conn = connect(path, readonly=True)
    except sqlite3.Error as exc:
        raise MirrorUnusable(f"cannot open the mirror {path}: {exc}.") from None
    return Mirror(path, conn, readonly=True)


def _finish_interrupted_bulk_load(path: Path, conn: sqlite3.Connection) -> None:
    """Put back the indexes of a bulk load whose sync died, unless a sync or daemon is running now.

    A live sync holds the writer lock and finishes its own bulk load; restoring under it would
    only slow it down. Without one, the load was interrupted (a crash, a kill): re-create now.
    """
    try:
        with writer_lock(path, "upkeep-mirror (restoring indexes)"), transaction(conn):
            bulk.restore(conn)
    except MirrorBusy:
        pass


def _make_engine(path: Path, *, readonly: bool = False) -> Engine:
    """The SQLAlchemy engine behind sessions: connections set up like the plain ones."""
    from sqlalchemy import event
    from sqlmodel import create_engine

    engine = create_engine(
        f"sqlite:///{readonly_uri(path)}&uri=true" if readonly else f"sqlite:///{path}",
        # The driver must not open transactions on its own; the "begin" hook below does it.
        connect_args={"isolation_level": None, "timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False},
    )

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn: sqlite3.Connection, _record: object) -> None:
        configure(dbapi_conn, readonly=readonly)

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")

    return engine
