"""Replay of the field-work operations: checklist values, attachments, downtime -- exactly once.

The handlers of the field-work kinds (registered in :data:`sync.replay._handlers.HANDLERS`), with the
same bookkeeping as the other operations (:class:`~sync.replay._context.ReplayContext`): ``claim`` commits ``sending`` before each request (with what
the next attempt must know merged into the payload), ``crash_point("outbox:answered")`` marks the
moment between UpKeep's answer and the write-back, and a lost answer makes the next attempt look
before sending again. UpKeep has no idempotency keys, so each kind reconciles from what it can read:

- **task_value**: a PATCH of ``formItems`` replaces the whole list, so the replayer reads the work
  order's items (``includes=formItems``) and sends every item back, in order, with ours changed.
  Already holding our value: done, nothing sent. Changed by someone else since our base: conflict
  (``outbox resolve`` decides; keep-local sends ours if UpKeep still holds the value we were shown).
- **attach**: two steps. The upload is a create: after a lost answer the replayer lists recent
  files (``/files`` newest first, back to 10 minutes before the first attempt) for the name carrying
  the operation's marker; found, it is not uploaded again. The id, once known, is recorded with the
  next claim. Then the work order is read and, unless it already lists the file, PATCHed with all
  its files and ours at the end.
- **downtime**: nothing lists downtime events, so before the POST the asset's ``downtimeStatus`` and
  ``updatedAt`` are recorded with the claim; after a lost answer, an asset now showing our status
  with a different ``updatedAt`` is taken as ours. ``POST /assets/downtime`` answers per row: a row
  with errors is a refusal (dead letter with UpKeep's messages).
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from mirror import outbox
from mirror.fieldwork_store import adopt_upload, replace_tasks
from mirror.outbox import OutboxOp
from mirror.store import upsert_rows
from mirror.timestamps import parse_utc
from mirror.writes import marker
from sync.crashpoints import crash_point
from sync.mapping import map_form_items, transform
from sync.upkeep.endpoints import DOWNTIME, collection, record_path
from sync.upkeep.errors import BadRequest

if TYPE_CHECKING:
    from sync.replay._context import ReplayContext

log = logging.getLogger(__name__)

#: How far before its first attempt an upload may have been stamped (clock skew, slow servers).
LOOKBACK = timedelta(minutes=10)


# --- checklist items --------------------------------------------------------------------------------


def _same(kind: str, a: Any, b: Any) -> bool:
    """Equal item values: numbers by value, a TASK without a value is OPEN (UpKeep's default)."""
    if kind == "TASK":
        a, b = a or "OPEN", b or "OPEN"
    if kind in ("NUMBER", "METER") and a is not None and b is not None:
        try:
            return float(a) == float(b)
        except (TypeError, ValueError):
            return False
    return a == b


def task_value(r: ReplayContext, op: OutboxOp, maybe_applied: bool) -> None:
    """One checklist item: every item is sent back, ours changed (nothing to look up: a PATCH of
    the same value twice is harmless)."""
    path = record_path("work_orders", op.record_id)
    task = op.payload["task"]
    items = r.client.get_one(path, {"includes": "formItems"}).get("formItems") or []
    index = next((i for i, it in enumerate(items) if isinstance(it, dict) and it.get("id") == task["id"]), None)
    if index is None:
        named = [i for i, it in enumerate(items) if isinstance(it, dict) and it.get("name") == task["name"]]
        index = named[0] if len(named) == 1 else None
    if index is None:
        raise BadRequest(f"checklist item {task['name']!r} is no longer on work order {op.record_id}")
    theirs = items[index].get("value")
    if _same(task["type"], theirs, task["value"]):
        _task_done(r, op, items)
        r.report.already_applied += 1
        return
    base = (op.base or {}).get("task_value")
    seen = ((op.remote or {}).get("task") or {}).get("value") if op.resolution == "keep-local" else base
    if not _same(task["type"], theirs, seen):
        with r.mirror.write() as s:
            remote = {"columns": {}, "fields": {}, "task": {"id": items[index].get("id"), "value": theirs}}
            error = f"checklist item {task['name']!r} was set to {theirs!r} in UpKeep since it was {base!r} here"
            r.check(outbox.mark_conflict(s, op, remote, now=r.clock(), error=error), op)
            replace_tasks(s, op.record_id, map_form_items(op.record_id, items), upkeep_updated_at=None)
        r.report.conflicts += 1
        return
    body = [dict(it) for it in items]
    body[index]["value"] = task["value"]
    r.claim(op)
    answer = r.client.patch(path, {"formItems": body})
    crash_point("outbox:answered")
    expanded = answer.get("formItems") or []
    if not all(isinstance(i, dict) for i in expanded):  # bare ids: read the items back
        expanded = r.client.get_one(path, {"includes": "formItems"}).get("formItems") or []
    _task_done(r, op, expanded, answer)


def _task_done(r: ReplayContext, op: OutboxOp, items: list, work_order: dict | None = None) -> None:
    rows = map_form_items(op.record_id, items)
    with r.mirror.write() as s:
        r.check(outbox.mark_done(s, op, now=r.clock()), op, sent=r.claimed)
        updated = None
        if work_order is not None:
            row = r.row("work_orders", work_order)
            upsert_rows(s, "work_orders", [row], force=True)
            updated = row["upkeep_updated_at"]
        replace_tasks(s, op.record_id, rows, upkeep_updated_at=updated)
        outbox.refresh_local_state(s, "work_orders", op.record_id)
    r.report.done += 1
    r.report.updated += 1


# --- attachments ------------------------------------------------------------------------------------


def find_upload(r: ReplayContext, op: OutboxOp) -> dict | None:
    """The file an earlier attempt of ``op`` uploaded, found by the marker in its name, or None."""
    tag = marker(op.op_id)
    since = (op.first_sent_at or op.created_at) - LOOKBACK
    offset = 0
    while True:
        page = r.client.get_list(collection("files"), {"offset": offset, "limit": 100, "sort": "createdAt DESC"})
        for record in page:
            if tag in str(record.get("filename") or ""):
                return record
        created = [parse_utc(f["createdAt"]) for f in page if isinstance(f.get("createdAt"), str)]
        if len(page) < 100 or (created and min(created) < since):
            return None
        offset += len(page)


def attach(r: ReplayContext, op: OutboxOp, maybe_applied: bool) -> None:
    """A file on a work order: uploaded once (looked for after a lost answer), then listed on it."""
    uploaded = op.payload.get("uploaded")
    if uploaded is None:
        record = None
        if maybe_applied:
            r.settle(op)
            record = find_upload(r, op)
            if record is not None:
                r.report.found_after_loss += 1
                log.info("outbox %s: found file %s uploaded by an earlier attempt", op.seq, record["id"])
        if record is None:
            content = _content(r, op.payload["file_id"])
            r.claim(op, stage="upload")
            record = r.client.upload(collection("files"), op.payload["upload_name"], content, op.payload["mime"])
            crash_point("outbox:answered")
        uploaded = _uploaded(r, op, record)
    path = record_path("work_orders", op.record_id)
    work_order = r.client.get_one(path)
    files = [f for f in work_order.get("files") or [] if isinstance(f, str)]
    if uploaded in files:
        _attach_done(r, op, work_order)
        return
    r.claim(op, stage="attach")
    answer = r.client.patch(path, {"files": [*files, uploaded]})
    crash_point("outbox:answered")
    _attach_done(r, op, answer)


def _content(r: ReplayContext, file_id: str) -> bytes:
    from mirror.file_content import iter_content

    with r.mirror.session() as s:
        return b"".join(iter_content(s, file_id))


def _uploaded(r: ReplayContext, op: OutboxOp, record: dict) -> str:
    """The upload is known: the local file becomes UpKeep's (same content), recorded in the op."""
    local = op.payload["file_id"]
    row = transform("files", record)
    with r.mirror.write() as s:
        claimed = outbox.mark_sending(s, op, now=r.clock(), uploaded=row["id"], stage="attach")
        r.check(claimed, op)
        adopt_upload(s, local, row)
    r.claimed = True
    return row["id"]


def _attach_done(r: ReplayContext, op: OutboxOp, work_order: dict) -> None:
    row = r.row("work_orders", work_order)
    with r.mirror.write() as s:
        r.check(outbox.mark_done(s, op, server_id=op.payload.get("uploaded"), now=r.clock()), op, sent=r.claimed)
        upsert_rows(s, "work_orders", [row], force=True)
        outbox.refresh_local_state(s, "work_orders", op.record_id)
    r.report.done += 1
    r.report.updated += 1


# --- downtime ---------------------------------------------------------------------------------------


def downtime(r: ReplayContext, op: OutboxOp, maybe_applied: bool) -> None:
    """A downtime event of an asset: the asset's status before the claim tells whether it landed."""
    row = op.payload["row"]
    expected = row.get("statusCategory") or row["status"]
    path = record_path("assets", op.record_id)
    if maybe_applied and op.payload.get("before") is not None:
        r.settle(op)
        asset = r.client.get_one(path)
        before = op.payload["before"]
        if asset.get("downtimeStatus") == expected and asset.get("updatedAt") != before.get("updatedAt"):
            r.report.found_after_loss += 1
            _downtime_done(r, op, asset, None)
            return
    else:
        asset = r.client.get_one(path)
    r.claim(op, before={"downtimeStatus": asset.get("downtimeStatus"), "updatedAt": asset.get("updatedAt")})
    body = r.client.post_rows(DOWNTIME, [row])
    crash_point("outbox:answered")
    result: dict[str, Any] = next(iter(body.get("results") or []), {})
    if result.get("errors") or body.get("success") is False:
        reasons = "; ".join(str(e.get("message")) for e in result.get("errors") or []) or "refused"
        raise BadRequest(f"downtime not recorded: {reasons}", status=400, method="POST", path=DOWNTIME)
    _downtime_done(r, op, r.client.get_one(path), result.get("newAssetActivityUpdateId"))


def _downtime_done(r: ReplayContext, op: OutboxOp, asset: dict, event_id: str | None) -> None:
    row = transform("assets", asset)
    with r.mirror.write() as s:
        r.check(outbox.mark_done(s, op, server_id=event_id, now=r.clock()), op, sent=r.claimed)
        upsert_rows(s, "assets", [row], force=True)
        outbox.refresh_local_state(s, "assets", op.record_id)
    r.report.done += 1
    r.report.updated += 1
