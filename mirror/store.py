"""Saving mapped rows: bulk upserts per page, cursors and tombstones (rejects: :mod:`mirror.rejects`).

Every function takes the caller's session and does not commit, so a pull can put a page of
rows, its rejects and the advanced cursor into one transaction (``with mirror.write() as s``).
Rows arrive as plain dicts keyed by column name, as the mapping produces them.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from functools import cache
from typing import Any

import orjson
from sqlalchemy import JSON, Boolean, Table, and_, select, update
from sqlmodel import Session

from mirror.bookkeeping import SyncCursor
from mirror.columns import ISODate, UTCDateTime, format_utc
from mirror.models import MIRRORED, Mirrored

#: Columns a pull never overwrites: the row's local state belongs to the outbox.
_KEEP_ON_UPDATE = {"id", "local_state"}


def table_of(entity: str | type[Mirrored]) -> Table:
    model = MIRRORED[entity] if isinstance(entity, str) else entity
    return model.__table__  # type: ignore[attr-defined]


@cache
def _defaults(table: Table) -> dict[str, Any]:
    """Per column, a factory for its default, for keys a mapped row may leave out."""
    model = next(m for m in MIRRORED.values() if m.__table__ is table)  # type: ignore[attr-defined]
    out: dict[str, Any] = {}
    for column in table.c:
        # ``metadata`` is ``metadata_`` on the model: SQLModel reserves the plain name.
        field = model.model_fields.get(column.name) or model.model_fields.get(column.name + "_")
        if field is None or field.is_required():
            continue
        out[column.name] = field.default_factory or (lambda value=field.default: value)
    return out


def complete_row(table: Table, row: dict[str, Any]) -> dict[str, Any]:
    """The row with every column present: defaults filled in, so one executemany fits all rows."""
    full = {k: make() for k, make in _defaults(table).items() if k not in row}
    full.update(row)
    return full


def upsert_rows(
    session: Session, entity: str, rows: Sequence[dict[str, Any]], *, now: datetime | None = None, force: bool = False
) -> int:
    """Insert or update a page of rows in one statement; return how many rows actually changed.

    A row whose raw UpKeep object is unchanged, or older than the stored one, is left alone (so an
    overlapping or repeated pull changes nothing), unless it was tombstoned (it is back) or
    ``force`` is set. A tombstoned row that UpKeep returns again is revived.

    Rows go in as multi-row ``INSERT ... VALUES (...), (...)`` statements built once per table
    and size. Two costs are avoided that way: SQLAlchemy building statements and binding values
    row by row, and FTS5 flushing its pending terms at the end of every statement, which made the
    full-text triggers ten times dearer under a row-by-row ``executemany``.
    """
    if not rows:
        return 0
    table = table_of(entity)
    sql, columns, _ = _upsert_statement(table, force)  # sql has one "{values}" slot
    stamp = format_utc(now or datetime.now(UTC))
    # Per column: the key to read, its converter (None: stored as is), the SQL value when absent.
    # synced_at and deleted_at are read under a key no row has, so they always take their value.
    plan = [("\0", None, stamp) if name == "synced_at" else ("\0", None, None) if name == "deleted_at"
            else (name, to_sql, default) for name, to_sql, default in _column_plan(table, force)]
    absent = _ABSENT
    params = [
        tuple([default if (value := row.get(key, absent)) is absent
               else value if to_sql is None or value is None else to_sql(value)
               for key, to_sql, default in plan])
        for row in rows
    ]
    connection = session.connection()
    changed = 0
    start = 0
    for size in _chunk_sizes(len(params), min(_ROWS_PER_STATEMENT, _MAX_VARIABLES // len(columns))):
        chunk = params[start : start + size]
        start += size
        values = [v for row in chunk for v in row]
        changed += max(connection.exec_driver_sql(_multi_row(sql, len(columns), size), tuple(values)).rowcount, 0)
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
def _upsert_statement(table: Table, force: bool) -> tuple[str, list[str], list[Callable[[Any], Any]]]:
    columns = [c.name for c in table.c]
    quoted = ", ".join(f'"{c}"' for c in columns)
    updates = ", ".join(f'"{c}" = excluded."{c}"' for c in columns if c not in _KEEP_ON_UPDATE)
    # Changed (or back from the dead), and not an older copy than the one stored: a page fetched
    # before the outbox wrote UpKeep's answer back must not put the previous version back.
    changed = (
        f" WHERE (excluded.raw IS NOT {table.name}.raw OR {table.name}.deleted_at IS NOT NULL)"
        f" AND NOT COALESCE(excluded.upkeep_updated_at < {table.name}.upkeep_updated_at, 0)"
    )
    sql = (
        f"INSERT INTO {table.name} ({quoted}) "
        "VALUES {values} "
        f"ON CONFLICT(id) DO UPDATE SET {updates}{'' if force else changed}"
    )
    return sql, columns, [_converter(c.type) for c in table.c]


_ABSENT = object()


@cache
def _column_plan(table: Table, force: bool) -> list[tuple[str, Callable[[Any], Any] | None, Any]]:
    """Per column of the upsert: name, converter (None when the value is stored as it is), SQL default."""
    _, columns, convert = _upsert_statement(table, force)
    defaults = _defaults(table)
    plan = []
    for name, to_sql in zip(columns, convert, strict=True):
        default = defaults[name]() if name in defaults else None
        plan.append((name, None if to_sql is _same else to_sql, None if default is None else to_sql(default)))
    return plan


def _same(value: Any) -> Any:
    return value


#: SQLite's limit on bound parameters per statement (32766 since 3.32), with room to spare.
_MAX_VARIABLES = 32_000
#: Rows per multi-row statement: a power of two, so the remainders fall into few sizes.
_ROWS_PER_STATEMENT = 16


@cache
def _multi_row(sql: str, width: int, rows: int) -> str:
    one = "(" + ", ".join("?" for _ in range(width)) + ")"
    return sql.replace("{values}", ", ".join(one for _ in range(rows)), 1)


def _converter(column_type: Any) -> Callable[[Any], Any]:
    """Python value -> what the column stores, as SQLAlchemy would bind it."""
    if isinstance(column_type, UTCDateTime):
        return lambda v: v if isinstance(v, str) else format_utc(v)
    if isinstance(column_type, ISODate):
        return lambda v: v if isinstance(v, str) else v.isoformat()
    if isinstance(column_type, JSON):
        return _json_text
    if isinstance(column_type, Boolean):
        return int
    return _same


def _json_text(value: Any) -> str:
    """JSON column text via orjson (several times faster than ``json.dumps`` on raw objects).

    orjson refuses what JSON cannot hold exactly (integers beyond 64 bits, non-string keys);
    ``json.dumps`` takes those as before.
    """
    try:
        return orjson.dumps(value).decode()
    except TypeError:
        return json.dumps(value)


def tombstone(session: Session, entity: str, ids: Iterable[str], *, now: datetime | None = None) -> int:
    """Mark rows as deleted upstream; they stay for history but leave default views and queries."""
    ids = list(ids)
    if not ids:
        return 0
    table = table_of(entity)
    result = session.execute(
        update(table)
        .where(and_(table.c.id.in_(ids), table.c.deleted_at.is_(None)))
        .values(deleted_at=now or datetime.now(UTC))
    )
    return result.rowcount


def existing_ids(session: Session, entity: str, ids: Iterable[str]) -> set[str]:
    table = table_of(entity)
    return set(session.execute(select(table.c.id).where(table.c.id.in_(list(ids)))).scalars())


def get_cursor(session: Session, entity: str) -> SyncCursor:
    """The entity's cursor row (a new, unsaved one with no cursor before the first pull)."""
    return session.get(SyncCursor, entity) or SyncCursor(entity=entity)


def save_cursor(session: Session, cursor: SyncCursor) -> None:
    session.merge(cursor)
