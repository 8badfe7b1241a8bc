"""The JSON type of every UpKeep field the mapping reads, per entity, as the API reference gives it.

A value of another type is not guessed at: ``"title": 12345`` is not stored as the text "12345",
the object is quarantined as a reject naming the field, the expected and the received type. The
reference's types are declared in :data:`REFERENCE_TYPES` (its "Integer" and "Float" are JSON
numbers here); :data:`LENIENCIES` lists the only other types accepted, each where the reference
itself allows both or shows UpKeep sending both. The README's "Leniencies" table lists the same
entries (a test holds them equal).

Paths: ``name`` is a top-level field, ``a.b`` field ``b`` of object ``a``, ``a[]`` every element of
array ``a``. A null or absent value is never a type error: whether a field is required is the
mapper's business. Whether a string holds a valid number, date or status is checked when the
mapper reads it (:class:`sync.mapping.fields.Reader`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

STRING, NUMBER, BOOLEAN, ARRAY, OBJECT = "String", "Number", "Boolean", "Array", "Object"

# Every object carries these (PM items inside ``trigger``).
_COMMON = {"id": STRING, "createdAt": STRING, "updatedAt": STRING}

#: Per entity: field path -> the type the API reference gives it. Reference sections in comments.
#: Fallback names the reference does not have (Machina's connector's ``assetId`` and the like)
#: take the type of the documented field they stand in for.
REFERENCE_TYPES: dict[str, dict[str, str]] = {
    # Users: Create a User / Get All Users
    "users": {**_COMMON, "firstName": STRING, "lastName": STRING, "email": STRING, "accountType": STRING,
              "jobTitle": STRING},
    # Teams: Create a Team
    "teams": {**_COMMON, "name": STRING, "description": STRING},
    # Locations: Create a Location (longitude/latitude Float)
    "locations": {**_COMMON, "name": STRING, "address": STRING, "parentLocation": STRING, "latitude": NUMBER,
                  "longitude": NUMBER},
    # Vendors: Create a Vendor (``name``: fallback for businessName)
    "vendors": {**_COMMON, "businessName": STRING, "name": STRING, "email": STRING, "phoneNumber": STRING,
                "type": STRING, "mainPointOfContact": STRING},
    # Customers: Create a Customer
    "customers": {**_COMMON, "name": STRING, "email": STRING, "phoneNumber": STRING, "type": STRING},
    # Assets: Create an Asset; ``barcode`` from its response; ``locationId``, ``make``, ``manufacturer``,
    # ``parent``: fallbacks
    "assets": {**_COMMON, "name": STRING, "category": STRING, "location": STRING, "locationId": STRING,
               "make": STRING, "manufacturer": STRING, "model": STRING, "serialNumber": STRING,
               "placedInServiceDate": STRING, "purchaseDate": STRING, "parentAsset": STRING, "parent": STRING,
               "status": STRING, "barcode": STRING, "serial": STRING, "manufacturerVendor": STRING,
               "description": STRING, "assignedToUser": STRING},
    # Parts: Create a Part (cost Float, quantity/minimumQuantity Number); ``barcode``, ``manufacturer``: fallbacks
    "parts": {**_COMMON, "name": STRING, "description": STRING, "cost": NUMBER, "quantity": NUMBER,
              "minimumQuantity": NUMBER, "serial": STRING, "barcode": STRING, "partName": STRING,
              "partNumber": STRING, "manufacturer": STRING, "area": STRING, "category": STRING, "location": STRING},
    # Meters: Create a Meter
    "meters": {**_COMMON, "name": STRING, "units": STRING, "frequency": NUMBER, "asset": STRING, "location": STRING,
               "lastReading": STRING},
    # Meters: Add a Reading to a Meter / its response
    "meter_readings": {**_COMMON, "value": NUMBER, "date": STRING, "meter": STRING, "createdByUser": STRING},
    # Preventive Maintenance Triggers: Create a PM Trigger (trigger and workOrder properties); the trigger's
    # flags from its response; ``workOrder.assetId``: fallback
    "preventive_maintenance": {
        "trigger": OBJECT, "workOrder": OBJECT,
        **{f"trigger.{k}": v for k, v in _COMMON.items()},
        "trigger.name": STRING, "trigger.scheduleType": STRING, "trigger.rrfreq": STRING,
        "trigger.rrinterval": NUMBER, "trigger.nextTriggerDate": STRING, "trigger.isPaused": BOOLEAN,
        "trigger.isArchived": BOOLEAN, "trigger.scheduleHasEnded": BOOLEAN,
        "workOrder.title": STRING, "workOrder.priority": NUMBER, "workOrder.asset": STRING,
        "workOrder.assetId": STRING, "workOrder.location": STRING, "workOrder.category": STRING,
        "workOrder.assignedToUser": STRING, "workOrder.duration": NUMBER, "workOrder.lastDueDate": STRING,
        "workOrder.nextDueDate": STRING,
    },
    # Work Orders: Create a Work Order / Get All Work Orders (status, workOrderNo, archivedStatus,
    # timeLog, dateCompleted, completedByUser, team from the response); ``assetId``,
    # ``assignedToId``, ``locationId``: fallbacks
    "work_orders": {
        **_COMMON, "title": STRING, "workOrderNo": STRING, "description": STRING, "status": STRING,
        "priority": NUMBER, "category": STRING, "asset": STRING, "assetId": STRING, "location": STRING,
        "locationId": STRING, "team": STRING, "assignedToUser": STRING, "assignedToId": STRING,
        "completedByUser": STRING, "startDate": STRING, "dueDate": STRING, "dateCompleted": STRING,
        "estimatedDurationInHours": NUMBER, "time": NUMBER, "cost": NUMBER, "archivedStatus": STRING,
        "parts": ARRAY, "parts[]": STRING, "respectivePartQuantityUsed": ARRAY,
        "respectivePartQuantityUsed[]": NUMBER, "timeLog": ARRAY, "timeLog[]": OBJECT,
        "timeLog[].timers": ARRAY, "timeLog[].timers[]": OBJECT, "timeLog[].timers[].duration": NUMBER,
        "timeLog[].timers[].hourlyCost": NUMBER,
    },
    # Requests: Create a Request (dueDate a String in responses); ``workOrder``: the work order an
    # approved request became
    "requests": {**_COMMON, "title": STRING, "description": STRING, "status": STRING, "priority": NUMBER,
                 "category": STRING, "asset": STRING, "location": STRING, "team": STRING, "assignedToUser": STRING,
                 "requestedByUser": STRING, "workOrder": STRING, "dueDate": STRING},
    # Purchase Orders: Create a Purchase Order (purchaseOrderNumber Number) / its response (parts,
    # partQuantities, totalQuantity, totalCost)
    "purchase_orders": {**_COMMON, "title": STRING, "description": STRING, "status": STRING,
                        "purchaseOrderNumber": NUMBER, "vendor": STRING, "category": STRING, "poDate": STRING,
                        "dueDate": STRING, "totalQuantity": NUMBER, "totalCost": NUMBER, "parts": ARRAY,
                        "parts[]": STRING, "partQuantities": ARRAY, "partQuantities[]": NUMBER},
    # Files: Get All Files (no size, no owner: see sync/mapping/fieldwork.py)
    "files": {**_COMMON, "filename": STRING, "url": STRING, "mimeType": STRING},
    # Form Template: Get All Form Templates (``Name`` with a capital N; ``name``: fallback)
    "form_templates": {**_COMMON, "Name": STRING, "name": STRING, "description": STRING, "userCreated": STRING,
                       "formItems": ARRAY, "formItems[]": OBJECT, "formItems[].name": STRING,
                       "formItems[].type": STRING, "formItems[].options": ARRAY, "formItems[].options[]": STRING,
                       "formItems[].meter": STRING},
    # Work Orders: one expanded form item (Create / Update a Work Order: formItems, and the responses)
    "work_order_tasks": {"id": STRING, "name": STRING, "type": STRING, "value": NUMBER, "options": ARRAY,
                         "options[]": STRING, "meter": STRING},
    # Asset Downtime Statuses: Get All Asset Downtime Statuses
    "asset_downtime_statuses": {**_COMMON, "name": STRING},
    # Asset Custom Fields: Get all custom fields (decimalPrecision Number, options Array of Strings)
    "custom_fields_assets": {**_COMMON, "name": STRING, "type": STRING, "options": ARRAY, "options[]": STRING,
                             "decimalPrecision": NUMBER, "createdByUser": STRING},
}


@dataclass(frozen=True)
class Leniency:
    """Types accepted for ``fields`` of ``entity`` beyond the reference's, and the evidence for it."""

    entity: str
    fields: tuple[str, ...]
    also: str
    why: str


#: The only departures from :data:`REFERENCE_TYPES`. Each is in the README's "Leniencies" table.
LENIENCIES: tuple[Leniency, ...] = (
    Leniency("work_orders", ("priority",), STRING,
             'typed Number, but the reference\'s own "Get All Work Orders" example sends "priority": "1"'),
    Leniency("requests", ("priority",), STRING,
             'shares the work orders\' 0..3 priority, which UpKeep sends as 1 or "1"'),
    Leniency("preventive_maintenance", ("workOrder.priority",), STRING,
             'shares the work orders\' 0..3 priority, which UpKeep sends as 1 or "1"'),
    Leniency("work_orders", ("time", "cost"), STRING,
             'typed Number in "Create a Work Order", sent as "20" and "25" in its responses'),
    Leniency("parts", ("quantity", "minimumQuantity", "cost"), STRING,
             'typed Number/Float in "Create a Part", sent as "15", "1" and "88.00" in its responses'),
    Leniency("preventive_maintenance", ("trigger.rrinterval",), STRING,
             'typed Integer, but described with the example "2" ("2" for 2 weeks if rrfreq is WEEKLY)'),
    Leniency("meter_readings", ("date",), NUMBER,
             'the reference types it "String or Number": ISO 8601, or Unix time in milliseconds'),
    Leniency("preventive_maintenance", ("trigger.isPaused", "trigger.isArchived", "trigger.scheduleHasEnded"),
             NUMBER, 'the trigger\'s flags: "createFirstWO" is typed Boolean but sent as 1 in the responses'),
    Leniency("work_order_tasks", ("value",), STRING,
             'untyped in the reference: NUMBER and METER_READING items send numbers (37, 90) in "Update a Work '
             'Order", TASK, CHECKLIST, TEXT and MULTIPLE_CHOICE items text ("OPEN", "PASS", "Alex", "1st")'),
)


@cache
def expected_types(entity: str) -> dict[str, tuple[str, ...]]:
    """Field path -> every type accepted for it: the reference's, then any leniency's."""
    table: dict[str, tuple[str, ...]] = {path: (kind,) for path, kind in REFERENCE_TYPES[entity].items()}
    for leniency in LENIENCIES:
        if leniency.entity == entity:
            for path in leniency.fields:
                table[path] = (*table[path], leniency.also)
    return table


def json_type(value: Any) -> str:
    """The JSON type of a decoded value, in the reference's words."""
    if isinstance(value, bool):
        return BOOLEAN
    if isinstance(value, int | float):
        return NUMBER
    if isinstance(value, str):
        return STRING
    if isinstance(value, list):
        return ARRAY
    if isinstance(value, dict):
        return OBJECT
    return type(value).__name__


def type_mismatch(entity: str, obj: dict[str, Any]) -> tuple[str, str] | None:
    """The first field of ``obj`` whose value has a type the reference does not allow, as
    ``(path, reason)`` with the element's index in the path (``timeLog[0].timers[1].duration``);
    None when every declared field present has an accepted type."""
    return _check(obj, _compiled(entity))


# Python types of decoded JSON, per reference type: checked with ``type(v) in ...``, which is fast
# and keeps booleans out of Number (``bool`` is an ``int`` to ``isinstance``).
_PY_TYPES: dict[str, set[type]] = {STRING: {str}, NUMBER: {int, float}, BOOLEAN: {bool}, ARRAY: {list}, OBJECT: {dict}}


@dataclass
class _Node:
    """What is declared at one key: accepted types of the value, of each element, and below."""

    accepted: tuple[str, ...] = ()
    py_types: frozenset[type] = frozenset()
    fields: dict[str, _Node] | None = None  # ``key.field``
    each: _Node | None = None  # ``key[]``
    leaf: bool = False  # nothing declared below: the value's own type is all there is to check


@cache
def _compiled(entity: str) -> dict[str, _Node]:
    """The entity's table as a tree, so one object is checked in one walk."""
    root: dict[str, _Node] = {}
    for path, accepted in expected_types(entity).items():
        fields, node = root, None
        for step in path.split("."):
            if node is not None:
                fields = node.fields = node.fields if node.fields is not None else {}
            node = fields.setdefault(step.removesuffix("[]"), _Node())
            while step.endswith("[]"):
                step = step[:-2]
                node.each = node.each or _Node()
                node = node.each
        assert node is not None  # a path has at least one step
        node.accepted = accepted
        node.py_types = frozenset(t for name in accepted for t in _PY_TYPES[name])
    _mark_leaves(root)
    return root


def _mark_leaves(fields: dict[str, _Node]) -> None:
    node: _Node | None
    for node in fields.values():
        while node is not None:
            node.leaf = bool(node.accepted) and node.fields is None and node.each is None
            if node.fields:
                _mark_leaves(node.fields)
            node = node.each


def _check(obj: dict[str, Any], fields: dict[str, _Node]) -> tuple[str, str] | None:
    for key, node in fields.items():
        value = obj.get(key)
        if value is None or (node.leaf and type(value) in node.py_types):
            continue  # absent, or a plain value of an accepted type: the usual case, settled here
        found = _check_value(value, node)
        if found:
            return key + found[0], found[1]
    return None


def _check_value(value: Any, node: _Node) -> tuple[str, str] | None:
    """``(path below value, reason)`` of the first mismatch; the path is built only on a mismatch
    (every field of every object is checked, so the common, clean case allocates nothing)."""
    if node.accepted and type(value) not in node.py_types and json_type(value) not in node.accepted:
        return "", f"expected {' or '.join(node.accepted)}, got {describe(value)}"
    if node.fields and isinstance(value, dict):
        found = _check(value, node.fields)
        return ("." + found[0], found[1]) if found else None
    if node.each and isinstance(value, list):
        for i, item in enumerate(value):
            if item is not None:
                found = _check_value(item, node.each)
                if found:
                    return f"[{i}]{found[0]}", found[1]
    return None


def describe(value: Any, limit: int = 60) -> str:
    """A value's JSON type and (shortened) value, for an error: ``Number 12345``."""
    text = repr(value)
    return f"{json_type(value)} {text if len(text) <= limit else text[: limit - 3] + '...'}"
