"""What mapping or listing one entity reads back from the rows of another.

Work orders name their parts by SKU, but UpKeep sends part ids: :func:`part_skus` answers from
``spare_parts`` (the pull reads every SKU once per run, the replayer the few of one work order).
Meter readings are listed per meter: :func:`meter_ids` answers which meters to list.

Plain ``sqlite3`` through :func:`mirror.sqlite.dbapi` and nothing else imported: the pull's mapping
worker process reads SKUs through this module and must stay small (no SQLAlchemy).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime

from mirror.sqlite import AnyConnection, dbapi
from mirror.timestamps import format_utc

__all__ = ["meter_ids", "part_skus"]


def part_skus(conn: AnyConnection, ids: Iterable[str] | None = None) -> dict[str, str]:
    """Each part's SKU by its UpKeep id: every part's, or only those of ``ids``."""
    sql = "SELECT id, sku FROM spare_parts WHERE sku IS NOT NULL"
    if ids is None:
        return dict(dbapi(conn).execute(sql).fetchall())
    wanted = list(ids)
    if not wanted:
        return {}
    return dict(dbapi(conn).execute(sql + " AND id IN (SELECT value FROM json_each(?))",
                                    (json.dumps(wanted),)).fetchall())


def meter_ids(conn: AnyConnection, *, changed_since: datetime | None = None) -> list[str]:
    """The live meters, by id; with ``changed_since``, only those UpKeep changed since then (a new
    reading changes its meter's ``lastReading``, so its ``updatedAt``)."""
    sql, params = "SELECT id FROM meters WHERE deleted_at IS NULL", []
    if changed_since is not None:
        sql += " AND upkeep_updated_at >= ?"
        params.append(format_utc(changed_since))
    return [row[0] for row in dbapi(conn).execute(sql + " ORDER BY id", params)]
