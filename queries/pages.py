"""What the technicians' pages show beyond one table: freshness, the day's counts, a work order, an asset.

Each loader reads the mirror through Datasette's own read-only connection (``db.execute``), once per
page, with indexed lookups only: the start page and a work order page stay well under 200 ms at a
million work orders (``tests/benchmarks/bench_pages.py``). Lists that are named queries (the day's
counts, an asset's open work orders and history) run the SQL of ``queries/sql/`` itself.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime
from typing import Any

from mirror import freshness as fresh
from mirror.vocabulary import CREATE_KINDS, OPEN_STATES_SQL, OpKind
from queries.named import get

#: How many past work orders the work order and asset pages list (the full history is one click away).
HISTORY_ROWS = 10

_FRESHNESS = """
SELECT k.online, k.offline_since, k.last_error,
       (SELECT max(c.last_success_at) FROM sync_cursors c) AS data_as_of
FROM connectivity k WHERE k.id = 1
"""

_OPEN_OPS = f"""
SELECT o.seq, o.state, o.kind, o.last_error, o.created_at
FROM outbox o INDEXED BY ix_outbox_record
WHERE o.entity = :entity AND o.record_id = :id AND o.state IN {OPEN_STATES_SQL}
ORDER BY o.seq
"""


def _rows(results: Any) -> list[dict[str, Any]]:
    return [dict(r) for r in results.rows]


def _limited(name: str) -> str:
    """A named query's SQL, cut to the first rows the page shows (its own ORDER BY is kept)."""
    return f"SELECT * FROM ({get(name).sql}) LIMIT {HISTORY_ROWS}"


def _timestamp(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None


async def freshness(db: Any, now: datetime | None = None) -> dict[str, Any] | None:
    """How fresh the mirror is: ``state`` is offline, never, stale or fresh; None if it cannot tell.

    Offline wins (UpKeep does not answer); else the mirror's freshness verdict of its newest pull,
    a late one shown as fresh with its age (the banner always says how old the data is).
    """
    try:
        found = _rows(await db.execute(_FRESHNESS))
    except sqlite3.Error:  # a mirror without the connectivity table (not one upkeep-mirror wrote)
        return None
    if not found:
        return None
    row, now = found[0], now or datetime.now(UTC)
    as_of, offline_since = _timestamp(row["data_as_of"]), _timestamp(row["offline_since"])
    verdict = fresh.freshness(as_of, now)
    if not row["online"]:
        state = "offline"
    elif verdict == fresh.Freshness.LATE:
        state = fresh.Freshness.FRESH.value
    else:
        state = verdict.value
    return {"state": state, "data_as_of": as_of, "offline_since": offline_since, "last_error": row["last_error"]}


async def today(db: Any) -> dict[str, int]:
    """The day's counts (the named query ``today``)."""
    return _rows(await db.execute(get("today").sql))[0]

_DELIVERED = f"""
SELECT o.server_id FROM outbox o INDEXED BY ix_outbox_record
WHERE o.entity = :entity AND o.record_id = :id AND o.server_id IS NOT NULL
  AND o.kind IN ({", ".join(f"'{k.value}'" for k in CREATE_KINDS)})
ORDER BY o.seq LIMIT 1
"""


async def delivered_id(db: Any, entity: str, local_id: str) -> str | None:
    """UpKeep's id of a record created here as ``local_id`` and since accepted, or None.

    The same lookup as :func:`mirror.outbox.resolve_id`: the create operation keeps both ids.
    """
    found = _rows(await db.execute(_DELIVERED, {"entity": entity, "id": local_id}))
    return found[0]["server_id"] if found else None


async def work_order(db: Any, work_order_id: str) -> dict[str, Any] | None:
    """Everything the work order page shows, or None if the mirror has no such (live) work order."""
    found = _rows(await db.execute("SELECT * FROM work_orders_detail WHERE id = :id", {"id": work_order_id}))
    if not found:
        return None
    wo = found[0]
    raw_row = _rows(await db.execute("SELECT raw, parts_used, deleted_at FROM work_orders WHERE id = :id",
                                     {"id": work_order_id}))[0]
    raw = _json(raw_row["raw"])
    parts = _rows(await db.execute(
        "SELECT json_extract(u.value, '$.part_id') AS id, json_extract(u.value, '$.qty') AS qty, "
        "p.name, p.sku, p.unit_cost FROM json_each(:used) u "
        "LEFT JOIN spare_parts p ON p.id = json_extract(u.value, '$.part_id')",
        {"used": raw_row["parts_used"] or "[]"}))
    messages = _rows(await db.execute(
        "SELECT text, created_at, sent_at, local_state FROM work_order_messages "
        "WHERE work_order_id = :id ORDER BY created_at", {"id": work_order_id}))
    history: list[dict[str, Any]] = []
    if wo["asset_id"]:
        history = [h for h in _rows(await db.execute(_limited("asset_history"), {"asset": wo["asset_id"]}))
                   if h["id"] != work_order_id]
    return {
        "wo": wo,
        "checklist": await _tasks(db, work_order_id) or _checklist(raw),
        "files": await _files(db, "work_order", work_order_id),
        "parts": parts,
        "messages": messages,
        "history": history,
        "pending": _rows(await db.execute(_OPEN_OPS, {"entity": "work_orders", "id": work_order_id})),
        "raw": json.dumps(raw, indent=2, ensure_ascii=False) if raw is not None else None,
    }


async def asset(db: Any, asset_id: str) -> dict[str, Any] | None:
    """Everything the asset page shows, or None if the mirror has no such (live) asset."""
    found = _rows(await db.execute("SELECT * FROM assets_detail WHERE id = :id", {"id": asset_id}))
    if not found:
        return None
    params = {"asset": asset_id}
    return {
        "asset": found[0],
        "open": _rows(await db.execute(get("open_work_orders_for_asset").sql, params)),
        "history": _rows(await db.execute(_limited("asset_history"), params)),
        "plans": _rows(await db.execute(
            "SELECT id, name, frequency, next_due_date, active, assigned_to, assigned_to_name "
            "FROM maintenance_plans_detail WHERE asset_id = :asset ORDER BY active DESC, next_due_date", params)),
        "parts": _rows(await db.execute(
            "SELECT p.id, p.name, p.sku, p.stock_quantity, p.reorder_point FROM spare_parts p, "
            "json_each(p.compatible_assets) c WHERE c.value = :asset AND p.deleted_at IS NULL ORDER BY p.name",
            params)),
        "meters": _rows(await db.execute(
            "SELECT m.id, m.name, m.units, m.last_reading, "
            "(SELECT max(r.date) FROM meter_readings r WHERE r.meter_id = m.id AND r.deleted_at IS NULL) "
            "AS last_read_at FROM meters m WHERE m.asset_id = :asset AND m.deleted_at IS NULL ORDER BY m.name",
            params)),
        "children": _rows(await db.execute(
            "SELECT id, name FROM assets WHERE parent = :asset AND deleted_at IS NULL ORDER BY name", params)),
        "pending": _rows(await db.execute(_OPEN_OPS, {"entity": "assets", "id": asset_id})),
        "files": await _files(db, "asset", asset_id),
        "custom_fields": _rows(await db.execute(
            "SELECT field_name, field_type, value, unit FROM custom_field_values "
            "WHERE record_type = 'asset' AND record_id = :asset ORDER BY field_name", params)),
        "downtime": await _downtime(db, asset_id),
    }


# --- field work: checklist, files, custom fields, downtime ----------------------------------------


async def _tasks(db: Any, work_order_id: str) -> list[dict[str, Any]]:
    """The work order's checklist from ``work_order_tasks``, in order (values set here included)."""
    return [
        {**r, "type": (r["type"] or "").lower()}
        for r in _rows(await db.execute(
            "SELECT name, type, value, local_state FROM work_order_tasks "
            "WHERE work_order_id = :id ORDER BY position", {"id": work_order_id}))
    ]


async def _files(db: Any, record_type: str, record_id: str) -> dict[str, list[dict[str, Any]]]:
    """The record's files: ``photos`` (images kept offline, shown inline) and ``documents`` (the rest,
    each with whether it is offline and why not)."""
    rows = _rows(await db.execute(
        "SELECT a.slot, a.file_id, coalesce(f.filename, a.filename) AS filename, f.mime_type, f.is_image, "
        "f.size_bytes, f.content_state, f.content_note, f.local_state FROM file_attachments a "
        "LEFT JOIN files f ON f.id = a.file_id WHERE a.record_type = :t AND a.record_id = :id "
        "ORDER BY a.slot != 'image', a.slot, a.position",
        {"t": record_type, "id": record_id}))
    seen: set[Any] = set()
    photos: list[dict[str, Any]] = []
    documents: list[dict[str, Any]] = []
    for row in rows:
        key = row["file_id"] or row["filename"]
        if key in seen:
            continue
        seen.add(key)
        row["offline"] = row["content_state"] in ("stored", "local")
        (photos if row["is_image"] and row["offline"] else documents).append(row)
    return {"photos": photos, "documents": documents}


async def _downtime(db: Any, asset_id: str) -> dict[str, Any] | None:
    """The asset's downtime status as UpKeep last said (custom statuses by name), and one waiting here."""
    found = _rows(await db.execute(
        "SELECT json_extract(a.raw, '$.downtimeStatus') AS status, s.name FROM assets a "
        "LEFT JOIN asset_downtime_statuses s ON s.id = json_extract(a.raw, '$.downtimeStatus') WHERE a.id = :id",
        {"id": asset_id}))
    if not found or found[0]["status"] is None:
        return None
    waiting = _rows(await db.execute(
        "SELECT json_extract(payload, '$.status_name') AS name FROM outbox WHERE entity = 'assets' "
        f"AND record_id = :id AND kind = '{OpKind.DOWNTIME}' AND state IN {OPEN_STATES_SQL} "
        "ORDER BY seq DESC LIMIT 1", {"id": asset_id}))
    return {"status": found[0]["name"] or found[0]["status"], "waiting": waiting[0]["name"] if waiting else None}


def _json(text: str | None) -> Any:
    try:
        return json.loads(text) if text else None
    except ValueError:
        return None


def _checklist(raw: Any) -> list[dict[str, Any]]:
    """The work order's form items (tasks, checklist) where UpKeep sent them as objects, not ids."""
    items = raw.get("formItems") if isinstance(raw, dict) else None
    return [
        {"name": i.get("name") or "", "type": (i.get("type") or "").lower(), "value": i.get("value")}
        for i in items or []
        if isinstance(i, dict)
    ]
