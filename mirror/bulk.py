"""Bulk loading a (nearly) empty table: rows in first, secondary indexes and full-text index built once after.

Inserting 100k work orders row by row into a table with a dozen indexes and three full-text
triggers costs four times as much as inserting them into the bare table and then building each
index in one sorted pass and the full-text index with FTS5's ``rebuild``. A first sync (or a
reconciliation of a nearly empty table) therefore, for a big listing:

1. :func:`begin` - in one transaction: drop the table's plain secondary indexes and the triggers
   that feed its full-text table, empty the full-text table, and record all of it in
   ``bulk_loads``;
2. loads the rows, a batch per transaction, as usual (the primary key stays: upserts need it),
   in bigger batches and with the connection set for it (:data:`LOADING`, :func:`tune`);
3. :func:`finish` - in one transaction: re-create what was recorded, rebuild the full-text
   index from the table, delete the records.

A crash between any two steps leaves a consistent file: before 1 nothing changed; after 1 the
records say what is missing, and :func:`restore` (called by the next sync and by
``open_mirror`` when it may write) is :func:`finish`. Readers meanwhile see a partial table and
an empty full-text index, never a full-text index that disagrees with the rows (its content is
the table: an index built for other rows would return wrong matches). Kept while loading:
unique indexes (they are constraints), partial indexes (they hold only the few open work
orders and cost little) and covering indexes (named ``*_cover``: built in the order a first
sync inserts, they cost about what rebuilding them would). Named queries ask for the last two
with ``INDEXED BY``, so they answer throughout a first sync.

The costs behind these choices are measured by ``tests/benchmarks/bench_writer.py``.
"""

from __future__ import annotations

from mirror.sqlite import AnyConnection, dbapi

__all__ = ["DEFAULTS", "LOADING", "begin", "finish", "pending_tables", "restore", "tune"]

#: Per table with a full-text index: (its FTS table, statements that empty it, statements that rebuild it).
_FTS: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "work_orders": (
        "work_orders_fts",
        ("INSERT INTO work_orders_fts (work_orders_fts) VALUES ('delete-all')",),
        ("INSERT INTO work_orders_fts (work_orders_fts) VALUES ('rebuild')",),
    ),
    "spare_parts": (
        "spare_parts_fts",
        ("INSERT INTO spare_parts_fts (spare_parts_fts) VALUES ('delete-all')",),
        ("INSERT INTO spare_parts_fts (spare_parts_fts) VALUES ('rebuild')",),
    ),
    "assets": (  # its own content: the location's name comes from another table
        "assets_fts",
        ("DELETE FROM assets_fts",),
        ("DELETE FROM assets_fts",
         "INSERT INTO assets_fts (rowid, name, model, serial_number, location_name) "
         "SELECT a.rowid, a.name, a.model, a.serial_number, l.name FROM assets a "
         "LEFT JOIN locations l ON l.id = a.location"),
    ),
}


def begin(conn: AnyConnection, table: str) -> list[str]:
    """Take away the table's secondary indexes and full-text triggers, recording them; return their names.

    Call inside the caller's write transaction (``conn``: plain, or SQLAlchemy's). Nothing is done (and ``[]`` returned) when a
    bulk load of the table is already recorded.
    """
    conn = dbapi(conn)
    if conn.execute("SELECT 1 FROM bulk_loads WHERE tbl = ? LIMIT 1", (table,)).fetchone():
        return []
    objects = [
        (name, "index", sql)
        for name, sql in conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL",
            (table,),
        )
        if not _is_unique(sql) and not _is_partial(sql) and not name.endswith("_cover")
    ]
    fts = _FTS.get(table)
    if fts:
        objects += [
            (name, "trigger", sql)
            for name, sql in conn.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?", (table,)
            )
            if sql and name.startswith(fts[0] + "_")  # only those that feed its full-text table
        ]
    for name, kind, sql in objects:
        conn.execute(f'DROP {kind.upper()} "{name}"')
        conn.execute("INSERT INTO bulk_loads (name, tbl, kind, definition) VALUES (?, ?, ?, ?)", (name, table, kind, sql))
    if fts:
        for statement in fts[1]:
            conn.execute(statement)
        conn.execute("INSERT INTO bulk_loads (name, tbl, kind, definition) VALUES (?, ?, 'fts', NULL)", (fts[0], table))
    return [o[0] for o in objects]


def finish(conn: AnyConnection, table: str) -> list[str]:
    """Re-create what :func:`begin` took away from ``table`` and rebuild its full-text index; return the names.

    Call inside the caller's write transaction (the pull: the one that completes the listing).
    Objects that exist already (re-created by someone else) are left as they are.
    """
    conn = dbapi(conn)
    rows = conn.execute("SELECT name, kind, definition FROM bulk_loads WHERE tbl = ? ORDER BY kind, name",
                                (table,)).fetchall()
    if not rows:
        return []
    existing = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE tbl_name = ?", (table,))}
    # Building an index sorts the whole table; the connections leave temporary storage to files
    # (mirror.sqlite), so a sort that outgrows the cache spills and a big first sync's peak memory
    # does not grow with the table.
    for name, kind, sql in rows:
        if kind in ("index", "trigger") and name not in existing:
            conn.execute(sql)
    if any(kind == "fts" for _, kind, _ in rows) and table in _FTS:
        for statement in _FTS[table][2]:
            conn.execute(statement)
    conn.execute("DELETE FROM bulk_loads WHERE tbl = ?", (table,))
    return [r[0] for r in rows]


#: Connection settings while rows stream into a bulk-loaded table, and SQLite's defaults otherwise.
#: Batches of thousands of rows rewrite the random-id primary key's pages once per batch; a bigger
#: cache keeps those pages from spilling mid-transaction, and rarer checkpoints stop copying them
#: to the file again and again (at 100k work orders: half the commit time, 40% fewer bytes
#: written). 4 MB of cache rather than the 8 MB that measured fastest: the sync's whole peak RSS
#: is held to 80 MB.
LOADING = {"cache_size": -4000, "wal_autocheckpoint": 10000}
DEFAULTS = {"cache_size": -2000, "wal_autocheckpoint": 1000}


def tune(conn: AnyConnection, loading: bool) -> None:
    """Set ``conn`` up for a bulk load (or back): :data:`LOADING` or :data:`DEFAULTS`."""
    conn = dbapi(conn)
    for name, value in (LOADING if loading else DEFAULTS).items():
        conn.execute(f"PRAGMA {name} = {value}")


def pending_tables(conn: AnyConnection) -> list[str]:
    """Tables with a bulk load begun and not finished."""
    conn = dbapi(conn)
    if not conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'bulk_loads'").fetchone():
        return []
    return [r[0] for r in conn.execute("SELECT DISTINCT tbl FROM bulk_loads ORDER BY tbl")]


def restore(conn: AnyConnection, tables: list[str] | None = None) -> list[str]:
    """Finish every unfinished bulk load (or those of ``tables``): the file gets all its indexes back."""
    conn = dbapi(conn)
    done = []
    for table in pending_tables(conn):
        if tables is None or table in tables:
            finish(conn, table)
            done.append(table)
    return done


def _is_unique(sql: str) -> bool:
    return sql.lstrip().upper().startswith("CREATE UNIQUE")


def _is_partial(sql: str) -> bool:
    return " WHERE " in " ".join(sql.upper().split())
