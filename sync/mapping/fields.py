"""Reading typed values out of one UpKeep JSON object, with errors that say exactly what is wrong.

UpKeep sends numbers as strings in places (``"priority": "1"``, ``"quantity": "5"``), ids as
strings or null, timestamps with or without ``Z``. A :class:`Reader` first checks every field the
mapping reads against the reference's JSON types (:mod:`sync.mapping.schema`, with its listed
leniencies), then reads values, accepting every documented shape. Anything else raises
:class:`MalformedObject` naming the entity, the object's id and the field, so the caller can
record the object and skip it without losing the page.
"""

from __future__ import annotations

import math
from datetime import UTC, date, datetime
from typing import Any, NoReturn, overload

from mirror.timestamps import parse_utc
from sync.mapping.schema import describe, type_mismatch

# Texts some clients write for a missing reference; a missing reference is stored as NULL.
_NULLISH = {"", "none", "null", "undefined"}


class MalformedObject(ValueError):
    """An UpKeep object cannot be mapped: it is recorded as a reject and skipped, never fatal."""

    def __init__(self, entity: str, upkeep_id: str | None, field: str | None, reason: str):
        self.entity, self.upkeep_id, self.field, self.reason = entity, upkeep_id, field, reason
        where = f"{entity} {upkeep_id or '(no id)'}"
        super().__init__(f"{where}: {field}: {reason}" if field else f"{where}: {reason}")


class Reader:
    """Typed access to one JSON object of one entity.

    The object's fields are checked against the reference's types as the reader is made. A reader
    of one part of an item (``at``: a PM item's ``trigger`` or ``workOrder``, so errors say
    ``trigger.rrinterval``) leaves that check to its caller, who checks the whole item at once
    (:meth:`check_types`); a part without an id of its own (the ``workOrder`` template) is given
    the item's ``upkeep_id``.
    """

    def __init__(self, entity: str, obj: Any, *, at: str = "", upkeep_id: str | None = None):
        self.entity, self.at = entity, at
        if not isinstance(obj, dict):
            raise MalformedObject(entity, upkeep_id, at or None, f"expected Object, got {describe(obj)}")
        self.obj = obj
        self.id: str | None = upkeep_id
        if upkeep_id is None:
            value = obj.get("id")
            if not isinstance(value, str) or not value.strip():
                self.fail("id", "missing or empty id")
            self.id = value.strip()
        if not at:
            self.check_types(obj)

    def fail(self, field: str, reason: str) -> NoReturn:
        raise MalformedObject(self.entity, self.id, f"{self.at}.{field}" if self.at else field, reason)

    def check_types(self, item: dict[str, Any]) -> None:
        """Fail on the first field of ``item`` whose JSON type the reference does not allow."""
        mismatch = type_mismatch(self.entity, item)
        if mismatch:
            raise MalformedObject(self.entity, self.id, *mismatch)

    def get(self, *keys: str) -> tuple[str, Any]:
        """The first key present with a non-null value (documented name first, fallbacks after)."""
        obj = self.obj
        for key in keys:
            value = obj.get(key)
            if value is not None:
                return key, value
        return keys[0], None

    def text(self, *keys: str, default: str = "") -> str:
        key, value = self.get(*keys)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            self.fail(key, f"expected text, got {type(value).__name__}")
        return str(value).strip()

    def optional_text(self, *keys: str) -> str | None:
        value = self.text(*keys, default="")
        return value or None

    def ref(self, *keys: str) -> str | None:
        """An id of another record, or None when absent."""
        key, value = self.get(*keys)
        if value is None:
            return None
        if not isinstance(value, str):
            self.fail(key, f"expected an id string, got {type(value).__name__} {value!r}")
        value = value.strip()
        return None if value.lower() in _NULLISH else value

    @overload
    def number(self, *keys: str, default: float, minimum: float | None = None) -> float: ...
    @overload
    def number(self, *keys: str, default: None = None, minimum: float | None = None) -> float | None: ...
    def number(self, *keys: str, default: float | None = None, minimum: float | None = None) -> float | None:
        key, value = self.get(*keys)
        if value is None or (isinstance(value, str) and not value.strip()):
            return default
        if isinstance(value, bool):
            self.fail(key, f"expected a number, got {value!r}")
        try:
            number = float(value)
        except (TypeError, ValueError):
            self.fail(key, f"expected a number, got {value!r}")
        if not math.isfinite(number):
            self.fail(key, f"expected a finite number, got {value!r}")
        if minimum is not None and number < minimum:
            self.fail(key, f"must be at least {minimum:g}, got {value!r}")
        return number

    @overload
    def integer(self, *keys: str, default: int, minimum: int | None = None) -> int: ...
    @overload
    def integer(self, *keys: str, default: None = None, minimum: int | None = None) -> int | None: ...
    def integer(self, *keys: str, default: int | None = None, minimum: int | None = None) -> int | None:
        number = self.number(*keys, default=None, minimum=minimum)
        if number is None:
            return default
        if number != int(number):
            self.fail(self.get(*keys)[0], f"expected a whole number, got {self.get(*keys)[1]!r}")
        return int(number)

    def timestamp(self, *keys: str, required: bool = False) -> datetime | None:
        key, value = self.get(*keys)
        if value is None or value == "":
            if required:
                self.fail(key, "missing timestamp")
            return None
        if isinstance(value, int | float) and not isinstance(value, bool):
            return datetime.fromtimestamp(value / 1000, tz=UTC)
        if not isinstance(value, str):
            self.fail(key, f"expected an ISO-8601 timestamp, got {type(value).__name__}")
        try:
            return parse_utc(value)
        except ValueError:
            self.fail(key, f"expected an ISO-8601 timestamp, got {value!r}")

    def day(self, *keys: str) -> date | None:
        moment = self.timestamp(*keys)
        return moment.date() if moment else None

    def flag(self, *keys: str) -> bool:
        """UpKeep booleans come as true/false, 0/1 or "0"/"1"; null is false."""
        key, value = self.get(*keys)
        if value is None:
            return False
        if isinstance(value, bool):
            return value
        if str(value).strip().lower() in {"1", "true", "yes"}:
            return True
        if str(value).strip().lower() in {"0", "false", "no", ""}:
            return False
        self.fail(key, f"expected a boolean, got {value!r}")

    def id_list(self, *keys: str) -> list[str]:
        key, value = self.get(*keys)
        if value is None:
            return []
        if not isinstance(value, list):
            self.fail(key, f"expected a list of ids, got {type(value).__name__}")
        if not all(isinstance(v, str) for v in value):
            self.fail(key, "expected a list of id strings")
        return [v for v in value if v.strip()]

    def timestamps(self) -> dict[str, datetime | None]:
        """UpKeep's createdAt/updatedAt, as the bookkeeping columns every table has."""
        return {
            "upkeep_created_at": self.timestamp("createdAt"),
            "upkeep_updated_at": self.timestamp("updatedAt", "createdAt"),
        }
