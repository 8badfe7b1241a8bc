"""UpKeep -> rows for field work: files, form templates and work-order form items (checklists),
asset downtime statuses, asset custom-field definitions. Pure functions on dicts, like the others.

Reference facts this follows: a form template's name is ``Name`` (capital N, "Form Template"
examples; ``name`` accepted as a fallback); a template calls the meter item ``METER_READING`` where a
work order's ``formItems`` says ``METER`` (both stored as ``METER``, the raw item keeps what was
sent); TASK values are OPEN, ON_HOLD, IN_PROGRESS, COMPLETE; CHECKLIST values PASS, FLAG, FAIL; a
MULTIPLE_CHOICE value is one of its ``options``; NUMBER and METER values are numbers. A file record
has no size and no owner: the size is learnt when its content is fetched, the owner from the
assets' and work orders' ``files`` and image fields (the ``file_attachments`` view).
"""

from __future__ import annotations

import mimetypes
from typing import Any

from mirror.vocabulary import CHECKLIST_VALUES, TASK_VALUES
from sync.mapping.fields import MalformedObject, Reader

ITEM_TYPES = ("TASK", "TEXT", "NUMBER", "CHECKLIST", "MULTIPLE_CHOICE", "METER")
#: Names for the same type that the reference also uses.
ITEM_TYPE_ALIASES = {"METER_READING": "METER"}
CUSTOM_FIELD_TYPES = ("singleLineText", "multiLineText", "dropdown", "date", "number", "currency")


def item_type(value: Any) -> str | None:
    """The stored type of a form item's ``type`` (upper-cased, aliases resolved), None if unknown."""
    if not isinstance(value, str):
        return None
    kind = value.strip().upper()
    kind = ITEM_TYPE_ALIASES.get(kind, kind)
    return kind if kind in ITEM_TYPES else None


def map_file(obj: Any) -> dict[str, Any]:
    r = Reader("files", obj)
    filename = r.text("filename")
    if not filename:
        r.fail("filename", "missing filename")
    mime = r.optional_text("mimeType") or mimetypes.guess_type(filename)[0]
    return {
        "id": r.id, **r.timestamps(), "raw": obj,
        "filename": filename,
        "url": r.optional_text("url"),
        "mime_type": mime,
        "is_image": bool(mime and mime.lower().startswith("image/")),
    }


def map_form_template(obj: Any) -> dict[str, Any]:
    r = Reader("form_templates", obj)
    items = obj.get("formItems") or []
    out = []
    for i, item in enumerate(items):
        kind = item_type(item.get("type"))
        if not item.get("name") or kind is None:
            r.fail(f"formItems[{i}]", f"expected an item with a name and a type of {', '.join(ITEM_TYPES)}")
        entry: dict[str, Any] = {"name": str(item["name"]).strip(), "type": kind}
        if item.get("options") is not None:
            entry["options"] = list(item["options"])
        if item.get("meter") is not None:
            entry["meter"] = item["meter"]
        out.append(entry)
    name = r.text("Name", "name")
    if not name:
        r.fail("Name", "missing template name")
    return {
        "id": r.id, **r.timestamps(), "raw": obj,
        "name": name,
        "description": r.text("description"),
        "items": out,
        "created_by": r.ref("userCreated"),
    }


def map_downtime_status(obj: Any) -> dict[str, Any]:
    r = Reader("asset_downtime_statuses", obj)
    name = r.text("name")
    if not name:
        r.fail("name", "missing status name")
    return {"id": r.id, **r.timestamps(), "raw": obj, "name": name}


def map_custom_field(obj: Any) -> dict[str, Any]:
    r = Reader("custom_fields_assets", obj)
    kind = r.text("type")
    if kind not in CUSTOM_FIELD_TYPES:
        r.fail("type", f"expected one of {', '.join(CUSTOM_FIELD_TYPES)}, got {kind!r}")
    precision = r.integer("decimalPrecision", minimum=0)
    return {
        "id": r.id, **r.timestamps(), "raw": obj,
        "applies_to": "assets",
        "name": r.text("name"),
        "type": kind,
        "options": [str(o) for o in obj.get("options") or []],
        "decimal_precision": precision,
        "created_by": r.ref("createdByUser"),
    }


def map_form_items(work_order_id: str, items: Any) -> list[dict[str, Any]]:
    """The ``work_order_tasks`` rows of one work order, from its expanded ``formItems``, in order.

    One bad item rejects the whole list (a checklist with a hole in it would mislead): the error
    names the work order and the item (``formItems[2].value``).
    """
    if not isinstance(items, list):
        raise MalformedObject("work_orders", work_order_id, "formItems", "expected a list of form items")
    rows = []
    for position, item in enumerate(items):
        if isinstance(item, str):
            raise MalformedObject(
                "work_orders", work_order_id, f"formItems[{position}]",
                "got a bare id: the items must be fetched with includes=formItems",
            )
        try:
            rows.append({**map_form_item(item), "work_order_id": work_order_id, "position": position})
        except MalformedObject as exc:
            field = f"formItems[{position}]" + (f".{exc.field}" if exc.field else "")
            raise MalformedObject("work_orders", work_order_id, field, exc.reason) from None
    return rows


def map_form_item(item: Any) -> dict[str, Any]:
    """One expanded form item as a ``work_order_tasks`` row (its work order and position are
    filled in by :func:`map_form_items`)."""
    r = Reader("work_order_tasks", item)
    kind = item_type(item.get("type"))
    if kind is None:
        r.fail("type", f"expected one of {', '.join(ITEM_TYPES)}, got {item.get('type')!r}")
    name = r.text("name")
    if not name:
        r.fail("name", "missing item name")
    options = [str(o) for o in item.get("options") or []]
    value, number = item_value(r, kind, options)
    return {
        "id": r.id,
        "work_order_id": None,
        "position": None,
        "name": name,
        "type": kind,
        "value": value,
        "value_number": number,
        "options": options,
        "meter_id": r.ref("meter"),
        "raw": item,
    }


def item_value(r: Reader, kind: str, options: list[str]) -> tuple[str | None, float | None]:
    """(value as text, value as a number for NUMBER/METER items), checked against the item's type."""
    raw = r.obj.get("value")
    if raw is None or raw == "":
        return None, None
    if kind in ("NUMBER", "METER"):
        number = r.number("value")
        return (f"{number:g}" if number is not None else None), number
    text = r.text("value")
    allowed = {"TASK": TASK_VALUES, "CHECKLIST": CHECKLIST_VALUES, "MULTIPLE_CHOICE": tuple(options)}.get(kind)
    if allowed is not None and text not in allowed:
        r.fail("value", f"expected one of {', '.join(allowed)}, got {raw!r}")
    return text, None
