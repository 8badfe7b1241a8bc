"""Rejects: UpKeep objects a pull could not map, kept once per object until they map or go away.

A malformed object is listed again by every pass that covers it (PM triggers by every sync, all
objects by every ``--full``), so a row per sighting would grow without bound. Instead each
(entity, object) has one row that records when it was first and last seen, how many listings
carried it, and the reason, payload and sync run of the last sighting. An object with no usable
id is keyed by a hash of its payload (:func:`payload_key`): the same broken payload is the same
reject, a changed one is a new reject and the old one goes at the next reconciliation.

A row is removed when the object maps cleanly (:func:`clear_rejects`, in the transaction that
upserts it) and when a complete reconciliation pass no longer lists it
(:func:`forget_unlisted_rejects`). Every function takes the caller's connection (plain or a SQLModel session) and does not commit.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from mirror.sqlite import AnyConnection, dbapi
from mirror.timestamps import format_utc


def payload_key(obj: Any) -> str:
    """A stable key for a payload: SHA-256 of its canonical JSON (sorted keys, no spaces)."""
    canonical = json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()


def object_key(upkeep_id: str | None, raw: Any) -> str:
    """What identifies a reject within its entity: the UpKeep id, else the payload's hash."""
    return upkeep_id if upkeep_id else payload_key(raw)


_UPSERT = (
    "INSERT INTO rejects (entity, object_key, upkeep_id, field, reason, raw, run_id, sync_run_id, "
    "first_seen, last_seen, count) "
    "VALUES (:entity, :object_key, :upkeep_id, :field, :reason, :raw, :run_id, :sync_run_id, :now, :now, 1) "
    "ON CONFLICT (entity, object_key) DO UPDATE SET upkeep_id = excluded.upkeep_id, field = excluded.field, "
    "reason = excluded.reason, raw = excluded.raw, run_id = excluded.run_id, "
    "sync_run_id = excluded.sync_run_id, last_seen = excluded.last_seen, count = rejects.count + 1"
)


def record_rejects(
    conn: AnyConnection,
    rejects: Sequence[dict[str, Any]],
    *,
    run_id: str | None = None,
    sync_run_id: int | None = None,
    now: datetime | None = None,
) -> int:
    """Record a page's rejects (dicts: entity, upkeep_id, field, reason, raw) in one executemany.

    A new object gets a row; one already recorded gets the new reason and payload, a later
    ``last_seen``, ``count`` + 1 and this run. Returns how many sightings were recorded.
    """
    if not rejects:
        return 0
    stamp = format_utc(now or datetime.now(UTC))
    dbapi(conn).executemany(_UPSERT, [
        {
            "entity": r["entity"],
            "object_key": object_key(r.get("upkeep_id"), r.get("raw")),
            "upkeep_id": r.get("upkeep_id"),
            "field": r.get("field"),
            "reason": r["reason"],
            "raw": json.dumps(r.get("raw")),
            "run_id": run_id,
            "sync_run_id": sync_run_id,
            "now": stamp,
        }
        for r in rejects
    ])
    return len(rejects)


def clear_rejects(conn: AnyConnection, entity: str, ids: Iterable[str]) -> int:
    """Objects of ``entity`` that now map cleanly are no longer rejects; return how many went."""
    conn, ids = dbapi(conn), list(ids)
    if not ids or conn.execute("SELECT 1 FROM rejects WHERE entity = ? LIMIT 1", (entity,)).fetchone() is None:
        return 0  # the usual case, a page of an entity with no rejects: one index probe, not one per row
    cursor = conn.executemany("DELETE FROM rejects WHERE entity = ? AND object_key = ?", [(entity, i) for i in ids])
    return max(cursor.rowcount, 0)


def forget_unlisted_rejects(conn: AnyConnection, entity: str, pass_started: datetime) -> int:
    """After a complete reconciliation pass: rejects it did not list again are gone from UpKeep.

    Every object the pass listed either mapped (and its reject was cleared) or was recorded again
    with ``last_seen`` after the pass began; what is left was not listed. Returns how many went.
    """
    cursor = dbapi(conn).execute("DELETE FROM rejects WHERE entity = ? AND last_seen < ?",
                                 (entity, format_utc(pass_started)))
    return max(cursor.rowcount, 0)
