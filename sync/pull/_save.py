"""The pull's last step per batch of pages: save it, in one transaction, with its resume point.

Saving runs in the one thread that writes (mapping: :mod:`sync.pull._map`). It goes through a
plain ``sqlite3`` connection (:meth:`mirror.db.Mirror.transaction`); only when local writes are
still open on rows of the batch is the batch saved through SQLModel instead, so the outbox can
put those writes back on top (:func:`mirror.outbox.reapply_pending`) in the same transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from mirror.rejects import clear_rejects, record_rejects
from mirror.sqlite import dbapi
from mirror.store import has_open_changes, table_name, upsert_values
from mirror.timestamps import format_utc
from sync.crashpoints import crash_point
from sync.pull._map import Mapped

if TYPE_CHECKING:
    from mirror.db import Mirror

__all__ = ["save_batch", "tombstone_unseen"]


class _LocalChanges(Exception):
    """Local writes are open on rows of the batch: save it through SQLModel to re-apply them."""


def save_batch(mirror: Mirror, entity: str, batch: Mapped, *, run_id: str | None, sync_run_id: int | None,
               mark: Callable[[Any], None]) -> tuple[int, int]:
    """Save mapped pages in one transaction, with ``mark`` recording the resume point after them.

    Returns (rows changed, rejects recorded). ``mark`` gets the transaction's plain connection.
    """
    ids = batch.row_ids

    def save(conn: Any) -> tuple[int, int]:
        changed = upsert_values(conn, entity, batch.values)
        rejected = record_rejects(conn, batch.rejects, run_id=run_id, sync_run_id=sync_run_id)
        clear_rejects(conn, entity, ids)  # mapped cleanly now: no longer a reject
        return changed, rejected

    try:
        with mirror.transaction() as conn:
            if has_open_changes(conn, entity, ids):  # asked inside: no write can be queued meanwhile
                raise _LocalChanges
            counts = save(conn)
            mark(conn)
            crash_point(f"pull:{entity}:uncommitted")
    except _LocalChanges:
        from mirror.outbox import reapply_pending  # SQLModel: only when local writes wait on these rows

        with mirror.write() as s:
            counts = save(s)
            reapply_pending(s, entity, ids)  # pending local writes stay on top
            mark(dbapi(s))
            crash_point(f"pull:{entity}:uncommitted")
    crash_point(f"pull:{entity}")
    return counts


def tombstone_unseen(conn: Any, entity: str, started: datetime) -> int:
    """Rows UpKeep did not list in this reconciliation: tombstoned (kept for history).

    Rows that appeared after the pass began (created on UpKeep, or written back by the outbox
    meanwhile) may sit behind the listing's key: they are left for the next pass.
    """
    table, stamp = table_name(entity), format_utc(started)
    count = conn.execute(
        f"UPDATE {table} SET deleted_at = :now WHERE deleted_at IS NULL AND id NOT LIKE 'local-%' "
        f"AND (upkeep_created_at IS NULL OR upkeep_created_at < :started) "
        f"AND (synced_at IS NULL OR synced_at < :started) "
        f"AND id NOT IN (SELECT id FROM reconcile_seen WHERE entity = :e)",
        {"now": format_utc(datetime.now(UTC)), "started": stamp, "e": entity},
    ).rowcount
    conn.execute("DELETE FROM reconcile_seen WHERE entity = ?", (entity,))
    return count
