"""Local writes for field work: tick a checklist item, attach a file, record downtime.

Same contract as the other writes (:mod:`mirror.writes`): the input is checked against the mirror
first and refused with :class:`~mirror.errors.InvalidWrite` naming the field before anything is
written; then the mirror change and the outbox operation are one transaction.

- :func:`set_task_value` -- the item (by name or id) must be on the work order, the value must fit
  its type (TASK: OPEN, ON_HOLD, IN_PROGRESS, COMPLETE; CHECKLIST: PASS, FLAG, FAIL;
  MULTIPLE_CHOICE: one of its options; NUMBER/METER: a number; TEXT: text). The row in
  ``work_order_tasks`` shows the new value at once (``local_state`` pending).
- :func:`attach_file` -- the path must be a readable, non-empty regular file within the size limit.
  Its content is copied into the mirror at once (``files`` row with a ``local-...`` id, content
  state ``local``), so the work-order page shows the photo offline. The replayer uploads it under
  a name carrying the operation's marker, then adds it to the work order's files.
- :func:`record_downtime` -- the asset must be in the mirror; the status is ``available``,
  ``not-available``, or one of the account's custom downtime statuses by name or id (sent as
  ``not-available`` with that status in ``statusCategory``). ``recordedOn`` is kept to the ms.

The checklist values are :mod:`mirror.vocabulary`'s, the ones the pull (``sync.mapping.fieldwork``)
accepts.
"""

from __future__ import annotations

import json
import math
import mimetypes
import os
import stat
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlmodel import Session

import mirror.writes._validate as check
from mirror.db import Mirror
from mirror.errors import InvalidWrite
from mirror.file_content import store_local_file
from mirror.outbox import append, new_local_id, refresh_local_state, resolve_id, utcnow
from mirror.timestamps import format_utc
from mirror.vocabulary import CHECKLIST_VALUES, TASK_VALUES, LocalState, OpKind
from mirror.writes._records import Queued, _queued

_TASK_ALIASES = {"DONE": "COMPLETE", "COMPLETED": "COMPLETE", "TODO": "OPEN", "HOLD": "ON_HOLD"}
_BUILTIN_DOWNTIME = ("available", "not-available")
#: Default largest file ``attach_file`` accepts (UpKeep documents no limit; photos are a few MB).
MAX_ATTACH_BYTES = 100 * 1024 * 1024


def marker(op_id: str) -> str:
    """What an upload's filename carries so a retry after a lost answer can find it."""
    return f"um{op_id[:12]}"


def _upload_name(filename: str, op_id: str) -> str:
    """``pump-seal.png`` -> ``pump-seal_um3f2a9c1b2d4e.png`` (UpKeep may add an extension; the
    marker survives)."""
    stem, dot, ext = filename.rpartition(".")
    if not dot or not stem:
        return f"{filename}_{marker(op_id)}"
    return f"{stem}_{marker(op_id)}.{ext}"


# --- validation (no writes) ---------------------------------------------------------------------


def _live_record(s: Session, table: str, field: str, noun: str, record_id: Any) -> str:
    """The id of a live (not tombstoned) row of ``table``, or InvalidWrite naming ``field``.

    ``table`` is a mirrored entity's table of the same name (work_orders, assets); a delivered
    ``local-...`` id names the record by UpKeep's id (:func:`mirror.outbox.resolve_id`).
    """
    if not isinstance(record_id, str) or not record_id.strip():
        raise InvalidWrite(field, f"expected {'an' if noun[0] in 'aeiou' else 'a'} {noun} id, got {check.short(record_id)}")
    check.fits(field, record_id, "id")
    wanted = resolve_id(s, table, record_id.strip())
    row = s.execute(text(f"SELECT id, deleted_at FROM {table} WHERE id = :i"), {"i": wanted}).first()
    if row is None:
        raise InvalidWrite(field, f"no {noun} {record_id!r} in the mirror (check the id, or sync first)")
    if row.deleted_at is not None:
        raise InvalidWrite(field, f"{noun} {record_id!r} was deleted in UpKeep")
    return row.id


def _live_work_order(s: Session, work_order_id: Any) -> str:
    return _live_record(s, "work_orders", "work_order_id", "work order", work_order_id)


def _find_task(s: Session, work_order_id: str, task: Any) -> dict[str, Any]:
    """The work order's checklist item named ``task`` (any case) or with that item id."""
    if not isinstance(task, str) or not task.strip():
        raise InvalidWrite("task", f"expected the item's name or id, got {check.short(task)}")
    check.fits("task", task, "title")
    rows = [dict(r) for r in s.execute(
        text("SELECT id, name, type, value, value_number, options, position FROM work_order_tasks "
             "WHERE work_order_id = :w ORDER BY position"), {"w": work_order_id},
    ).mappings()]
    if not rows:
        raise InvalidWrite("task", f"work order {work_order_id} has no checklist in the mirror (sync first?)")
    wanted = task.strip()
    by_id = [r for r in rows if r["id"] == wanted]
    by_name = [r for r in rows if r["name"].strip().lower() == wanted.lower()]
    found = by_id or by_name
    if not found:
        names = "; ".join(r["name"] for r in rows)
        raise InvalidWrite("task", f"work order {work_order_id} has no checklist item {wanted!r} (items: {names})")
    if len(found) > 1:
        raise InvalidWrite("task", f"{len(found)} items are named {wanted!r}; give the item id "
                                   f"({', '.join(r['id'] for r in found)})")
    row = found[0]
    if isinstance(row["options"], str):
        row["options"] = json.loads(row["options"])
    return row


def _check_task_value(kind: str, options: list[str], value: Any) -> tuple[Any, str, float | None]:
    """(value as sent to UpKeep, as shown, as a number) for an item of type ``kind``; or InvalidWrite."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise InvalidWrite("value", "give a value")
    check.fits("value", value, "text")
    if kind in ("NUMBER", "METER"):
        if isinstance(value, bool):
            raise InvalidWrite("value", f"a {kind} item takes a number, got {check.short(value)}")
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise InvalidWrite("value", f"a {kind} item takes a number, got {check.short(value)}") from None
        if not math.isfinite(number):
            raise InvalidWrite("value", f"a {kind} item takes a finite number, got {check.short(value)}")
        wire = int(number) if number.is_integer() else number
        return wire, f"{number:g}", number
    if not isinstance(value, str):
        raise InvalidWrite("value", f"a {kind} item takes text, got {check.short(value)}")
    spoken = value.strip()
    if kind == "TASK":
        key = spoken.upper().replace(" ", "_").replace("-", "_")
        key = _TASK_ALIASES.get(key, key)
        if key not in TASK_VALUES:
            raise InvalidWrite("value", f"a TASK item takes {', '.join(TASK_VALUES)}, got {check.short(value)}")
        return key, key, None
    if kind == "CHECKLIST":
        key = spoken.upper()
        if key not in CHECKLIST_VALUES:
            raise InvalidWrite("value", f"a CHECKLIST item takes {', '.join(CHECKLIST_VALUES)}, got {check.short(value)}")
        return key, key, None
    if kind == "MULTIPLE_CHOICE":
        match = next((o for o in options if o.strip().lower() == spoken.lower()), None)
        if match is None:
            raise InvalidWrite("value", f"choose one of {', '.join(options)}, got {check.short(value)}")
        return match, match, None
    return spoken, spoken, None  # TEXT


def _check_attachment(path: Any, *, max_bytes: int = MAX_ATTACH_BYTES) -> tuple[Path, int, str]:
    """(path, size, mime type) of a file that can be attached; or InvalidWrite naming ``path``."""
    if not isinstance(path, (str, os.PathLike)) or not str(path).strip():
        raise InvalidWrite("path", f"expected a file path, got {check.short(path)}")
    if len(str(path)) > 4096:
        raise InvalidWrite("path", f"at most 4,096 characters, got {len(str(path)):,}")
    file = Path(path).expanduser()
    try:
        info = file.stat()
    except FileNotFoundError:
        raise InvalidWrite("path", f"{file} does not exist") from None
    except OSError as exc:
        raise InvalidWrite("path", f"{file} cannot be read: {exc.strerror}") from None
    if not stat.S_ISREG(info.st_mode):
        raise InvalidWrite("path", f"{file} is not a regular file")
    if info.st_size == 0:
        raise InvalidWrite("path", f"{file} is empty")
    if info.st_size > max_bytes:
        raise InvalidWrite("path", f"{file} is {info.st_size / 2**20:.1f} MB; the limit is {max_bytes / 2**20:.0f} MB")
    if not os.access(file, os.R_OK):
        raise InvalidWrite("path", f"{file} cannot be read (permissions)")
    mime = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
    return file, info.st_size, mime


def _check_downtime_status(s: Session, status: Any) -> tuple[str, str | None, str]:
    """(``status`` to send, ``statusCategory`` id or None, name to show) for a status given by
    name (any case) or id."""
    if not isinstance(status, str) or not status.strip():
        raise InvalidWrite("status", f"expected a downtime status, got {check.short(status)}")
    check.fits("status", status, "id")
    wanted = status.strip()
    builtin = wanted.lower().replace(" ", "-").replace("_", "-")
    if builtin in _BUILTIN_DOWNTIME:
        return builtin, None, builtin
    rows = s.execute(
        text("SELECT id, name FROM asset_downtime_statuses WHERE deleted_at IS NULL "
             "AND (id = :v OR lower(name) = lower(:v))"), {"v": wanted},
    ).all()
    if len(rows) > 1:
        raise InvalidWrite("status", f"{len(rows)} downtime statuses are named {wanted!r}; give the id")
    if not rows:
        known = [r.name for r in s.execute(text(
            "SELECT name FROM asset_downtime_statuses WHERE deleted_at IS NULL ORDER BY name"))]
        raise InvalidWrite("status", f"{wanted!r} is not a downtime status; use available, not-available"
                                     + "".join(f", {n}" for n in known))
    return "not-available", rows[0].id, rows[0].name


def _live_asset(s: Session, asset_id: Any) -> str:
    return _live_record(s, "assets", "asset_id", "asset", asset_id)


# --- the writes ---------------------------------------------------------------------------------


def set_task_value(mirror: Mirror, work_order_id: str, task: str, value: Any, *,
                   now: datetime | None = None) -> Queued:
    """Set one checklist item of a work order; queued as a PATCH of the whole ``formItems`` list."""
    now = now or utcnow()
    with mirror.write() as s:
        wo = _live_work_order(s, work_order_id)
        item = _find_task(s, wo, task)
        wire, shown, number = _check_task_value(item["type"], item["options"], value)
        base = item["value_number"] if item["type"] in ("NUMBER", "METER") else item["value"]
        if (number is not None and base is not None and float(base) == number) or (number is None and base == shown):
            raise InvalidWrite("value", f"{item['name']!r} is already {shown}; nothing to change")
        s.execute(
            text("UPDATE work_order_tasks SET value = :v, value_number = :n, local_state = :p, "
                 "raw = json_set(raw, '$.value', json(:j)) WHERE id = :i"),
            {"v": shown, "n": number, "p": LocalState.PENDING.value, "i": item["id"],
             "j": _json(wire)},
        )
        op = append(s, entity="work_orders", record_id=wo, kind=OpKind.TASK_VALUE, now=now, payload={
            "task": {"id": item["id"], "name": item["name"], "position": item["position"], "type": item["type"],
                     "value": wire},
        }, base={"columns": {}, "fields": {}, "task_value": base})
        refresh_local_state(s, "work_orders", wo)
        return _queued(op)


def _json(value: Any) -> str:
    return json.dumps(value)


def attach_file(mirror: Mirror, work_order_id: str, path: Any, *, filename: str | None = None,
                max_bytes: int = MAX_ATTACH_BYTES, now: datetime | None = None) -> Queued:
    """Attach a photo or file to a work order: stored in the mirror now, uploaded and added to the
    work order's ``files`` when replayed."""
    now = now or utcnow()
    file, size, mime = _check_attachment(path, max_bytes=max_bytes)
    name = (filename or file.name).strip()
    if not name or "/" in name:
        raise InvalidWrite("filename", f"expected a file name, got {check.short(filename)}")
    if len(name) > 255:
        raise InvalidWrite("filename", f"at most 255 characters, got {len(name):,}")
    with mirror.write() as s:
        wo = _live_work_order(s, work_order_id)
        file_id = new_local_id()
        stored, sha = store_local_file(s, file_id, file)
        if stored != size:
            raise InvalidWrite("path", f"{file} changed while it was read; try again")
        stamp = format_utc(now)
        raw = {"id": file_id, "filename": name, "mimeType": mime, "createdAt": stamp,
               "localAttachment": {"record_type": "work_order", "record_id": wo}}
        s.execute(
            text("INSERT INTO files (id, upkeep_created_at, upkeep_updated_at, raw, synced_at, deleted_at, "
                 "local_state, filename, url, mime_type, is_image, size_bytes, content_state, content_sha256, "
                 "content_stored_bytes, content_fetched_at, content_note) VALUES (:id, :t, :t, :raw, NULL, NULL, "
                 ":pending, :name, NULL, :mime, :img, :size, 'local', :sha, :size, :t, NULL)"),
            {"id": file_id, "t": stamp, "raw": _json(raw), "pending": LocalState.PENDING.value, "name": name,
             "mime": mime, "img": mime.startswith("image/"), "size": size, "sha": sha},
        )
        op = append(s, entity="work_orders", record_id=wo, kind=OpKind.ATTACH, now=now,
                    payload={"file_id": file_id, "filename": name, "mime": mime, "size": size})
        op.payload = {**op.payload, "upload_name": _upload_name(name, op.op_id)}
        s.add(op)
        refresh_local_state(s, "work_orders", wo)
        return _queued(op)


def record_downtime(mirror: Mirror, asset_id: str, status: str, *, recorded_on: datetime | None = None,
                    user_id: str | None = None, now: datetime | None = None) -> Queued:
    """A downtime event of an asset (status by name or id); queued as a one-row POST /assets/downtime."""
    now = now or utcnow()
    when = recorded_on or now
    with mirror.write() as s:
        asset = _live_asset(s, asset_id)
        wire_status, category, shown = _check_downtime_status(s, status)
        if user_id is not None and s.execute(text("SELECT 1 FROM users WHERE id = :u AND deleted_at IS NULL"),
                                             {"u": user_id}).first() is None:
            raise InvalidWrite("user_id", f"no user {user_id!r} in the mirror")
        row: dict[str, Any] = {"assetId": asset, "status": wire_status,
                               "recordedOn": int(when.timestamp() * 1000)}
        if category:
            row["statusCategory"] = category
        if user_id:
            row["userId"] = user_id
        op = append(s, entity="assets", record_id=asset, kind=OpKind.DOWNTIME, now=now,
                    payload={"row": row, "status_name": shown})
        refresh_local_state(s, "assets", asset)
        return _queued(op)
