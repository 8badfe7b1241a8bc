"""Field-work endpoints of the emulated API: files (multipart upload), downtime, custom fields,
``includes`` expansion, and the rules for a work order's ``formItems`` and ``files``.

What the reference says and the emulator therefore does:

- ``POST /files`` takes multipart/form-data with ``file`` and ``filename`` (both required) and
  answers ``{"success": true, "data": {...}}`` -- under ``data``, not ``result``.
- ``POST /assets/downtime`` takes a JSON **array**, checks each row on its own and reports per row
  (``row``, ``errors`` or ``statusMessage``/``newAssetActivityUpdateId``); ``success`` is true only
  when every row was recorded. Rows that pass are applied even when others fail. A recorded row sets
  the asset's ``downtimeStatus`` (the custom status id from ``statusCategory`` if given, else
  ``available``/``not-available``) and its ``updatedAt``. Nothing lists events back.
- ``GET /custom-fields/assets`` takes no parameters at all.
- ``includes`` may only name what the reference lists for that endpoint: the work-order *list*
  cannot expand ``formItems`` (ids only); ``GET /work-orders/<id>?includes=formItems,files`` can.
- A PATCH of ``formItems`` (or ``files``) replaces the whole list: items sent with an ``id`` keep
  it, items without get a new one, items not sent are gone.
"""

from __future__ import annotations

import json
import mimetypes
from collections.abc import Callable
from email import policy
from email.parser import BytesParser
from typing import Any, cast

from sync.emulator.auth import ApiError
from sync.emulator.content import content_url
from sync.emulator.entities import ENTITIES
from sync.emulator.store import Store, dumps
from sync.emulator.values import iso, now_ms, parse_ms

ITEM_TYPES = ("TASK", "TEXT", "NUMBER", "CHECKLIST", "MULTIPLE_CHOICE", "METER", "METER_READING")
ITEM_VALUES = {"TASK": ("OPEN", "ON_HOLD", "IN_PROGRESS", "COMPLETE"), "CHECKLIST": ("PASS", "FLAG", "FAIL")}
DOWNTIME_FIELDS = frozenset(("assetId", "status", "recordedOn", "statusCategory", "userId"))
#: expandable objects per (entity, list or get), transcribed from the reference
INCLUDES = {
    ("work_orders", "list"): {
        "asset",
        "location",
        "assignedToUser",
        "assignedByUser",
        "requestedByUser",
        "completedByUser",
        "team",
    },
    ("work_orders", "get"): {
        "asset",
        "location",
        "assignedToUser",
        "assignedByUser",
        "completedByUser",
        "team",
        "formItems",
        "parts",
        "arrayOfUpdateItems",
        "additionalUsers",
        "files",
    },
    ("assets", "list"): {"location", "parentAsset", "createdByUser", "assignedToUser"},
    ("assets", "get"): {
        "assignedUsers",
        "assignedTeams",
        "assignedCustomers",
        "assignedVendors",
        "formItems",
        "files",
        "parts",
        "subAssets",
        "location",
        "parentAsset",
        "createdByUser",
        "assignedToUser",
    },
}


def parse_includes(params: list[tuple[str, str]]) -> list[str]:
    """The expansions asked for, in the reference's three spellings (repeated, ``[]``, comma list)."""
    out: list[str] = []
    for key, value in params:
        if key in ("includes", "includes[]"):
            out += [v.strip() for v in value.split(",") if v.strip()]
    return out


def check_includes(entity: str, kind: str, params: list[tuple[str, str]]) -> list[str]:
    """400 for an expansion the reference does not list for this endpoint (when it lists any)."""
    names = parse_includes(params)
    allowed = INCLUDES.get((entity, kind))
    if allowed is not None:
        for name in names:
            if name not in allowed:
                raise ApiError(400, f"invalid includes: {name} (allowed: {', '.join(sorted(allowed))})")
    return names


def expand(store: Store, entity: str, obj: dict, names: list[str]) -> dict:
    """A single object with ``formItems`` / ``files`` expanded from ids to objects when asked."""
    if entity == "work_orders" and "formItems" in names:
        ids = [i for i in obj.get("formItems") or [] if isinstance(i, str)]
        obj["formItems"] = store.form_items(obj["id"], ids)
    if "files" in names:
        spec = ENTITIES["files"]
        obj["files"] = [f for f in (store.get(spec, fid) for fid in obj.get("files") or []) if f]
    return obj


# -- work-order form items and files ------------------------------------------------------------


def check_form_items(store: Store, items: Any, new_id: Callable[[], str]) -> list[dict]:
    """Validated form items with ids (kept when given, new otherwise); 400 naming the bad item."""
    if not isinstance(items, list):
        raise ApiError(400, "formItems must be an array of objects with name and type")
    out = []
    for n, item in enumerate(items):
        if not isinstance(item, dict) or not item.get("name") or not item.get("type"):
            raise ApiError(400, f"formItems[{n}] must be an object with name and type")
        kind = item["type"]
        if kind not in ITEM_TYPES:
            raise ApiError(400, f"formItems[{n}].type must be one of {', '.join(ITEM_TYPES[:6])}")
        value = item.get("value")
        if value is not None:
            if kind in ITEM_VALUES and value not in ITEM_VALUES[kind]:
                raise ApiError(400, f"formItems[{n}].value must be one of {', '.join(ITEM_VALUES[kind])}")
            if kind == "MULTIPLE_CHOICE" and value not in (item.get("options") or []):
                raise ApiError(400, f"formItems[{n}].value must be one of its options")
            if kind in ("NUMBER", "METER", "METER_READING") and (
                isinstance(value, bool) or not isinstance(value, (int, float))
            ):
                raise ApiError(400, f"formItems[{n}].value must be a number")
        if kind in ("METER", "METER_READING") and not (
            isinstance(item.get("meter"), str) and store.exists(ENTITIES["meters"], item["meter"])
        ):
            raise ApiError(400, f"formItems[{n}].meter not found: {item.get('meter')}")
        obj = {**item, "id": item.get("id") or new_id()}
        if obj.get("value") is None:
            obj["value"] = "OPEN" if kind == "TASK" else None
        out.append(obj)
    return out


def check_files(store: Store, values: Any) -> list[str]:
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise ApiError(400, "files must be an array of file ids")
    for fid in values:
        if not store.exists(ENTITIES["files"], fid):
            raise ApiError(400, f"files not found: {fid}")
    return list(values)


def file_ref(store: Store, fid: Any) -> dict | None:
    """What an image field holds once set to a file id: ``{"__type": "File", name, url}``."""
    if fid is None:
        return None
    record = store.get(ENTITIES["files"], fid) if isinstance(fid, str) else None
    if record is None:
        raise ApiError(400, f"file not found: {fid}")
    return {"__type": "File", "name": record["filename"], "url": record["url"]}


# -- files ---------------------------------------------------------------------------------------


def upload_file(store: Store, headers: dict[str, str], raw: bytes, new_id: Callable[[], str]) -> dict:
    """Store one multipart upload as a file record; returns the ``data`` object."""
    ctype = headers.get("content-type", "")
    if "multipart/form-data" not in ctype:
        raise ApiError(400, "a file upload must be sent as multipart/form-data")
    message = BytesParser(policy=policy.HTTP).parsebytes(
        b"Content-Type: " + ctype.encode("latin-1") + b"\r\n\r\n" + raw
    )
    if not message.is_multipart():
        raise ApiError(400, "malformed multipart body")
    fields: dict[str, tuple[bytes, str | None, str | None]] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not name:
            continue
        if name not in ("file", "filename"):
            raise ApiError(400, f"{name} not in schema")
        # decode=True gives a leaf part's bytes (None for a nested multipart)
        payload = cast(bytes | None, part.get_payload(decode=True))
        fields[name] = (payload or b"", part.get_filename(), part.get_content_type())
    if "file" not in fields:
        raise ApiError(400, "file cannot be null")
    if "filename" not in fields or not fields["filename"][0].strip():
        raise ApiError(400, "filename cannot be null")
    data, original, part_type = fields["file"]
    filename = fields["filename"][0].decode("utf-8", "replace").strip().strip('"')
    ext = (original or "").rsplit(".", 1)[-1] if original and "." in original else ""
    if ext and not filename.lower().endswith("." + ext.lower()):
        filename = f"{filename}.{ext}"
    mime = part_type if part_type and part_type not in ("text/plain", "application/octet-stream") else None
    mime = mime or mimetypes.guess_type(filename)[0] or "application/octet-stream"
    with store.lock:
        fid = new_id()
        record = {
            "id": fid,
            "filename": filename,
            "url": content_url(fid, filename),
            "mimeType": mime,
            "createdAt": iso(now_ms()),
        }
        store.add_uploaded_file(fid, mime, data)
        store.put(ENTITIES["files"], record)
    return record


# -- downtime -------------------------------------------------------------------------------------


def record_downtime(store: Store, raw: bytes, user_id: str, new_id: Callable[[], str]) -> dict:
    """Apply a downtime array row by row; returns the whole answer body (``success`` + ``results``)."""
    try:
        rows = json.loads(raw or b"null")
    except (ValueError, UnicodeDecodeError):
        raise ApiError(400, "request body is not valid JSON") from None
    if not isinstance(rows, list) or not rows:
        raise ApiError(400, "request body must be an array with at least one object")
    assets, statuses = ENTITIES["assets"], ENTITIES["asset_downtime_statuses"]
    results = []
    for n, row in enumerate(rows, start=1):
        out = {**row, "row": n} if isinstance(row, dict) else {"row": n}
        errors = []
        if not isinstance(row, dict):
            errors.append(("row must be an object", "invalid-row", row))
            row = {}
        for key in row:
            if key not in DOWNTIME_FIELDS:
                errors.append((f"{key} not in schema", "not-in-schema", key))
        if not row.get("assetId") or not store.exists(assets, str(row.get("assetId"))):
            errors.append(("Asset not found", "asset-not-found", row.get("assetId")))
        if row.get("status") not in ("available", "not-available"):
            errors.append(("Invalid status", "invalid-status", row.get("status")))
        at = parse_ms(row.get("recordedOn"))
        if at is None:
            errors.append(("Invalid recordedOn date", "invalid-recorded-on", row.get("recordedOn")))
        category = row.get("statusCategory")
        if category is not None and not (isinstance(category, str) and store.exists(statuses, category)):
            errors.append(("Invalid statusCategory", "invalid-status-category", category))
        if row.get("userId") is not None and not store.exists(ENTITIES["users"], str(row["userId"])):
            errors.append(("User not found", "user-not-found", row.get("userId")))
        if errors:
            out["errors"] = [{"message": m, "slug": s, "value": v} for m, s, v in errors]
            results.append(out)
            continue
        with store.lock:
            asset = store.get(assets, row["assetId"])
            assert asset is not None and at is not None  # both checked above (no errors)
            event_id = new_id()
            now = now_ms()
            asset["downtimeStatus"] = category or row["status"]
            asset["updatedAt"] = iso(now)
            store.put(assets, asset)
            store.add_downtime_event(
                {
                    "id": event_id,
                    "assetId": row["assetId"],
                    "status": row["status"],
                    "statusCategory": category,
                    "recordedOn": iso(at),
                    "userId": row.get("userId") or user_id,
                    "createdAt": iso(now),
                }
            )
        out.update(
            statusMessage="Insert new asset activity update",
            statusSlug="insert-asset-activity-update",
            newAssetActivityUpdateId=event_id,
        )
        results.append(out)
    return {"success": all("errors" not in r for r in results), "results": results}


def custom_fields(store: Store, params: list[tuple[str, str]]) -> str:
    """The body of ``GET /custom-fields/assets``: every definition, oldest first; no parameters."""
    for key, _ in params:
        raise ApiError(400, f"invalid filter key: {key}")
    spec = ENTITIES["custom_fields_assets"]
    texts = store.page(spec, [], "createdAt", False, 0, 10_000)
    return '{"success":true,"results":[' + ",".join(texts) + "]}"


def data_body(record: dict) -> str:
    return dumps({"success": True, "data": record})
