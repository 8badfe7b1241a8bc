"""Saving mapped rows: bulk upserts per page, cursors and tombstones (rejects: :mod:`mirror.rejects`).

Every function takes the caller's connection and does not commit, so a pull can put a page of
rows, its rejects and the advanced cursor into one transaction (``with mirror.transaction() as
conn``). The connection is a plain ``sqlite3`` one or a SQLModel session (:func:`mirror.sqlite.dbapi`):
the pull uses the first and never loads SQLAlchemy; the outbox, inside its sessions, the second.
Rows arrive as plain dicts keyed by column name, as the mapping produces them; what is known of
each table (columns, how values are stored, defaults) is read from the schema (:mod:`mirror._shapes`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache
from itertools import chain
from typing import Any

import orjson

from mirror._shapes import columns, entity_tables
from mirror.sqlite import AnyConnection, dbapi
from mirror.timestamps import StoredUTC, format_utc, parse_utc
from mirror.vocabulary import OPEN_STATES_SQL

__all__ = ["RUN_COUNTS", "Cursor", "begin_run", "complete_row", "end_run", "existing_ids", "get_cursor",
           "has_open_changes", "row_values", "save_cursor", "table_name", "tombstone",
           "upsert_rows", "upsert_values"]

#: Columns a pull never overwrites: the row's local state belongs to the outbox.
_KEEP_ON_UPDATE = {"id", "local_state"}


def table_name(entity: str) -> str:
    """The table an entity is mirrored into (``parts`` -> ``spare_parts``)."""
    return _tables()[entity]


@cache
def _tables() -> dict[str, str]:
    return entity_tables()  # the registry's: no need to read the schema's shapes for a name


@cache
def _defaults(table: str) -> dict[str, Any]:
    return {c.name: c.default for c in columns(table) if c.default is not None}


def complete_row(table: str, row: dict[str, Any]) -> dict[str, Any]:
    """The row with every column of ``table`` present: defaults filled in (a fresh copy of each)."""
    full = {k: _fresh(v) for k, v in _defaults(table).items() if k not in row}
    full.update(row)
    return full


def _fresh(value: Any) -> Any:
    return value.copy() if isinstance(value, dict | list) else value


def upsert_rows(conn: AnyConnection, entity: str, rows: Sequence[dict[str, Any]], *, now: datetime | None = None,
                force: bool = False) -> int:
    """Insert or update a page of rows in a few statements; return how many rows actually changed.

    A row whose raw UpKeep object is unchanged, or older than the stored one, is left alone (so an
    overlapping or repeated pull changes nothing), unless it was tombstoned (it is back) or
    ``force`` is set. A tombstoned row that UpKeep returns again is revived.
    """
    return upsert_values(conn, entity, row_values(entity, rows, now=now), force=force)


def row_values(entity: str, rows: Sequence[dict[str, Any]], *, now: datetime | None = None) -> list[tuple]:
    """Mapped rows as the upsert's values, one tuple per row in column order, ``synced_at`` = ``now``;
    each tuple starts with the row's id (every mirrored table's first column).

    Apart from :func:`upsert_values` so the pull can do this (CPU) part where it maps a page,
    away from the thread that writes.
    """
    build, stamp = _row_builder(table_name(entity)), format_utc(now or datetime.now(UTC))
    return [build(row, stamp) for row in rows]


def upsert_values(conn: AnyConnection, entity: str, values: Sequence[tuple], *, force: bool = False) -> int:
    """:func:`upsert_rows` for rows already made into values (:func:`row_values`).

    Rows go in as multi-row ``INSERT ... VALUES (...), (...)`` statements built once per table
    and size: FTS5 flushes its pending terms at the end of every statement, which made the
    full-text triggers ten times dearer under a row-by-row ``executemany``.
    """
    if not values:
        return 0
    sql, names = _upsert_statement(table_name(entity), force)  # sql has one "{values}" slot
    conn = dbapi(conn)
    changed = 0
    start = 0
    for size in _chunk_sizes(len(values), min(_ROWS_PER_STATEMENT, _MAX_VARIABLES // len(names))):
        flat = list(chain.from_iterable(values[start : start + size]))
        start += size
        changed += max(conn.execute(_multi_row(sql, len(names), size), flat).rowcount, 0)
    return changed


def _chunk_sizes(count: int, largest: int) -> list[int]:
    """Statement sizes for ``count`` rows: full statements of ``largest`` rows, the rest in powers of two.

    Few distinct sizes means few distinct statements: SQLite's prepared-statement cache and
    ``_multi_row``'s then hold about ten per table instead of one per batch length (each a
    program thousands of parameters long; one per length made a long pull's memory grow).
    """
    sizes = [largest] * (count // largest)
    rest = count % largest
    bit = 1 << max(rest.bit_length() - 1, 0)
    while rest:
        if rest >= bit:
            sizes.append(bit)
            rest -= bit
        bit >>= 1
    return sizes


@cache
def _upsert_statement(table: str, force: bool) -> tuple[str, list[str]]:
    names = [c.name for c in columns(table)]
    quoted = ", ".join(f'"{c}"' for c in names)
    updates = ", ".join(f'"{c}" = excluded."{c}"' for c in names if c not in _KEEP_ON_UPDATE)
    # Changed (or back from the dead), and not an older copy than the one stored: a page fetched
    # before the outbox wrote UpKeep's answer back must not put the previous version back.
    changed = (
        f" WHERE (excluded.raw IS NOT {table}.raw OR {table}.deleted_at IS NOT NULL)"
        f" AND NOT COALESCE(excluded.upkeep_updated_at < {table}.upkeep_updated_at, 0)"
    )
    sql = (
        f"INSERT INTO {table} ({quoted}) "
        "VALUES {values} "
        f"ON CONFLICT(id) DO UPDATE SET {updates}{'' if force else changed}"
    )
    return sql, names


_ABSENT = object()


@cache
def _row_builder(table: str) -> Callable[[dict[str, Any], str], tuple[Any, ...]]:
    """A function made for ``table``: (mapped row, the synced_at stamp) -> the upsert's values, in order.

    Generated once per table (a tuple display of ``row.get`` calls with each column's converter
    inlined) because building the values was a fifth of the writer's Python time with a generic
    loop over the columns. ``synced_at`` always takes the stamp and ``deleted_at`` NULL (the row
    is listed by UpKeep); a column the row leaves out takes its default.
    """
    env: dict[str, Any] = {"_ABSENT": _ABSENT}
    values = []
    for i, (name, to_sql, default) in enumerate(_column_plan(table)):
        env[f"d{i}"], env[f"c{i}"] = default, to_sql
        if name == "synced_at":
            values.append("stamp")
        elif name == "deleted_at":
            values.append("None")
        elif to_sql is None:
            values.append(f"get({name!r}, d{i})")
        else:
            values.append(f"(d{i} if (v := get({name!r}, _ABSENT)) is _ABSENT else v if v is None else c{i}(v))")
    source = f"def build(row, stamp):\n    get = row.get\n    return ({', '.join(values)},)\n"
    exec(source, env)  # the source is built above from the table's column names only
    return env["build"]


@cache
def _column_plan(table: str) -> list[tuple[str, Callable[[Any], Any] | None, Any]]:
    """Per column of the upsert: name, converter (None when the value is stored as it is), SQL default."""
    plan = []
    for column in columns(table):
        to_sql, default = _CONVERTERS.get(column.kind), column.default
        plan.append((column.name, to_sql, default if default is None or to_sql is None else to_sql(default)))
    return plan


#: SQLite's limit on bound parameters per statement (32766 since 3.32), with room to spare.
_MAX_VARIABLES = 32_000
#: Rows per multi-row statement: a power of two, so the remainders fall into few sizes.
_ROWS_PER_STATEMENT = 16


@cache
def _multi_row(sql: str, width: int, rows: int) -> str:
    one = "(" + ", ".join("?" for _ in range(width)) + ")"
    return sql.replace("{values}", ", ".join(one for _ in range(rows)), 1)


def _json_text(value: Any) -> str:
    """JSON column text via orjson (several times faster than ``json.dumps`` on raw objects).

    orjson refuses what JSON cannot hold exactly (integers beyond 64 bits, non-string keys);
    ``json.dumps`` takes those as before.
    """
    try:
        return orjson.dumps(value).decode()
    except TypeError:
        return json.dumps(value)


def _utc_text(value: datetime | str) -> str:
    if type(value) is StoredUTC:  # parsed from text already in the stored form: that text, as is
        stored = value.__dict__.get("stored")
        if stored is not None:
            return stored
    return value if isinstance(value, str) else format_utc(value)


def _date_text(value: date | str) -> str:
    return value if isinstance(value, str) else value.isoformat()


#: Python value -> what the column stores, per storage kind (:class:`mirror._shapes.Column`).
_CONVERTERS: dict[str, Callable[[Any], Any]] = {"utc": _utc_text, "date": _date_text, "json": _json_text,
                                                "bool": int}


def tombstone(conn: AnyConnection, entity: str, ids: Iterable[str], *, now: datetime | None = None) -> int:
    """Mark rows as deleted upstream; they stay for history but leave default views and queries."""
    ids = list(ids)
    if not ids:
        return 0
    stamp = format_utc(now or datetime.now(UTC))
    cursor = dbapi(conn).executemany(
        f"UPDATE {table_name(entity)} SET deleted_at = ? WHERE id = ? AND deleted_at IS NULL",
        [(stamp, i) for i in ids])
    return cursor.rowcount


def existing_ids(conn: AnyConnection, entity: str, ids: Iterable[str]) -> set[str]:
    conn, table, ids = dbapi(conn), table_name(entity), list(ids)
    found: set[str] = set()
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        found.update(r[0] for r in conn.execute(
            f"SELECT id FROM {table} WHERE id IN ({', '.join('?' for _ in chunk)})", chunk))
    return found


@dataclass
class Cursor:
    """Per entity: the inclusive ``updatedAt`` lower bound (unix ms) for the next incremental pull
    (a row of ``sync_cursors``)."""

    entity: str
    cursor_ms: int | None = None
    last_success_at: datetime | None = None
    last_reconciled_at: datetime | None = None


def get_cursor(conn: AnyConnection, entity: str) -> Cursor:
    """The entity's cursor (one with no cursor before the first pull)."""
    row = dbapi(conn).execute("SELECT cursor_ms, last_success_at, last_reconciled_at FROM sync_cursors "
                              "WHERE entity = ?", (entity,)).fetchone()
    if row is None:
        return Cursor(entity)
    return Cursor(entity, row[0], *(None if v is None else parse_utc(v) for v in row[1:]))


def save_cursor(conn: AnyConnection, cursor: Cursor) -> None:
    dbapi(conn).execute(
        "INSERT INTO sync_cursors (entity, cursor_ms, last_success_at, last_reconciled_at) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (entity) DO UPDATE SET cursor_ms = excluded.cursor_ms, "
        "last_success_at = excluded.last_success_at, last_reconciled_at = excluded.last_reconciled_at",
        (cursor.entity, cursor.cursor_ms, *(None if v is None else format_utc(v)
                                            for v in (cursor.last_success_at, cursor.last_reconciled_at))))


#: The counts a ``sync_runs`` row keeps.
RUN_COUNTS = ("fetched", "upserted", "tombstoned", "rejected", "requests", "retries")


def begin_run(conn: AnyConnection, run_id: str, entity: str, mode: str, started_at: datetime) -> int:
    """A ``sync_runs`` row for one entity's pull in the sync ``run_id``, its counts at 0; returns its id."""
    pk = dbapi(conn).execute(
        f"INSERT INTO sync_runs (run_id, entity, mode, started_at, {', '.join(RUN_COUNTS)}) "
        f"VALUES (?, ?, ?, ?{', 0' * len(RUN_COUNTS)})", (run_id, entity, mode, format_utc(started_at))).lastrowid
    assert pk is not None  # an INSERT always sets it
    return pk


def end_run(conn: AnyConnection, pk: int, counts: dict[str, int], error: str | None, finished_at: datetime) -> None:
    """Write a pull's counts, its error (None: it worked) and when it ended into its ``sync_runs`` row."""
    dbapi(conn).execute(
        f"UPDATE sync_runs SET {', '.join(f'{c} = ?' for c in RUN_COUNTS)}, error = ?, finished_at = ? WHERE id = ?",
        (*(counts[c] for c in RUN_COUNTS), error, format_utc(finished_at), pk))


def has_open_changes(conn: AnyConnection, entity: str, ids: Sequence[str]) -> bool:
    """Whether local writes still open in the outbox touch any of these rows.

    The pull then re-applies them on top of what it fetched (:func:`mirror.outbox.reapply_pending`,
    through SQLModel); the usual answer, no, costs one or two index probes.
    """
    conn = dbapi(conn)
    if not ids or conn.execute(f"SELECT 1 FROM outbox WHERE state IN {OPEN_STATES_SQL} AND entity = ? LIMIT 1",
                               (entity,)).fetchone() is None:
        return False
    return conn.execute(f"SELECT 1 FROM outbox WHERE entity = ? AND state IN {OPEN_STATES_SQL} "
                        "AND record_id IN (SELECT value FROM json_each(?)) LIMIT 1",
                        (entity, orjson.dumps(list(ids)).decode())).fetchone() is not None
