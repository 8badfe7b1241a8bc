"""How write bodies are checked: the fields each write endpoint accepts, and value rules.

The messages are the reference's: ``<field> not in schema`` for an unknown field in a create,
``<field> is not allowed to be set!`` for a field a PATCH cannot change, ``<field> cannot be null``
for a missing required field; references to other objects must exist.
"""

from __future__ import annotations

import random
from typing import Any

from sync.emulator.auth import ApiError
from sync.emulator.entities import ENTITIES, EntitySpec
from sync.emulator.store import Store
from sync.emulator.values import iso, new_id
from sync.emulator.vocab import PARTS, WO_CATEGORIES

WO_STATUSES = ("open", "onHold", "inProgress", "complete")
#: the account's work-order categories: the seeded ones plus UpKeep defaults (matched case-insensitively)
WO_CATEGORY_SET = (
    *WO_CATEGORIES,
    "Corrective",
    "Refrigeration",
    "Sanitation",
    "Standard Operating Procedure",
)
PART_CATEGORIES = tuple(dict.fromkeys(p[1] for p in PARTS))
FILE_FIELDS = ("image", "image2", "image3", "image4", "image5", "signatureImage")
_WO_COMMON = (
    "title",
    "description",
    "priority",
    "category",
    "startDate",
    "dueDate",
    "asset",
    "location",
    *FILE_FIELDS,
    "files",
    "formTemplate",
    "formItems",
    "assignedToUser",
    "estimatedDurationInHours",
    "parts",
    "respectivePartQuantityUsed",
    "decreaseInventory",
    "time",
    "cost",
    "additionalUsers",
    "customWOStatusId",
)
WO_CREATE_FIELDS = frozenset(_WO_COMMON)
WO_PATCH_FIELDS = frozenset((*_WO_COMMON, "status", "archivedStatus", "additionalCosts"))
REQUEST_CREATE_FIELDS = frozenset(
    ("title", "description", "priority", "location", "asset", "team", "assignedToUser", "dueDate", "category")
)
READING_FIELDS = frozenset(("value", "date"))
PART_PATCH_FIELDS = frozenset(
    (
        "name",
        "description",
        "cost",
        "quantity",
        "minimumQuantity",
        "partId",
        "partNumber",
        "serial",
        "area",
        "details",
        "category",
        "location",
        "customFieldsPart",
    )
)


def number(field: str, value: Any) -> float:
    if isinstance(value, bool):
        raise ApiError(400, f"{field} must be a number")
    try:
        return float(value)
    except (TypeError, ValueError):
        raise ApiError(400, f"{field} must be a number") from None


def num_text(value: float) -> str:
    """UpKeep's string numbers: ``"15"`` for whole values, ``"2.5"`` otherwise."""
    return str(int(value)) if value == int(value) else f"{value:g}"


def priority(value: Any) -> int:
    if isinstance(value, bool) or str(value) not in ("0", "1", "2", "3"):
        raise ApiError(400, "priority must be one of 0, 1, 2, 3")
    return int(value)


def ms_date(field: str, value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool) or not (
        isinstance(value, int) or (isinstance(value, str) and value.isdigit())
    ):
        raise ApiError(400, f"{field} must be a unix timestamp in milliseconds")
    return iso(int(value))


def category(value: Any, allowed: tuple[str, ...], kind: str) -> str | None:
    if value is None:
        return None
    match = next((c for c in allowed if isinstance(value, str) and c.lower() == value.lower()), None)
    if match is None:
        raise ApiError(400, f"category {value!r} is not one of the account's {kind} categories")
    return match


class BodyChecks:
    """Lookups a write needs while validating: new ids, existing objects, user emails."""

    def __init__(self, store: Store, rng: random.Random) -> None:
        self.store = store
        self.rng = rng

    def new_id(self) -> str:
        return new_id(self.rng)

    def require(self, spec: EntitySpec, obj_id: str) -> dict:
        payload = self.store.get(spec, obj_id)
        if payload is None:
            raise ApiError(404, f"{spec.label} {obj_id} not found")
        return payload

    def ref(self, field: str, value: Any, entity: str) -> str | None:
        if value is None:
            return None
        if not isinstance(value, str) or not self.store.exists(ENTITIES[entity], value):
            raise ApiError(400, f"{field} not found: {value}")
        return value

    def email(self, user_id: str | None) -> str | None:
        user = self.store.get(ENTITIES["users"], user_id) if user_id else None
        return user.get("email") if user else None

    @staticmethod
    def check_fields(body: dict, allowed: frozenset[str], create: bool) -> None:
        for key in body:
            if key not in allowed:
                raise ApiError(400, f"{key} not in schema" if create else f"{key} is not allowed to be set!")
