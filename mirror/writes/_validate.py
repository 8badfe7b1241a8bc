"""The checks every local write makes before anything is written; each refusal is an :class:`InvalidWrite`.

Shared by the work-order, request, meter and part writes (:mod:`mirror.writes._records`) and the
field-work writes (:mod:`mirror.writes._fieldwork`). A refusal names the field and quotes what it
refused, cut short (:func:`short`).
"""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session

from mirror.errors import InvalidWrite
from mirror.outbox import resolve_id
from mirror.schema import table_of
from mirror.timestamps import parse_utc
from mirror.vocabulary import (
    PRIORITY_TO_UPKEEP,
    STATUS_SPELLINGS,
    UPKEEP_PRIORITIES,
    UPKEEP_STATUS_CHOICES,
    WorkOrderStatus,
)

#: Longest text accepted per field, in characters, checked before anything is queued. The API
#: reference states no limits; these keep a pasted file or a runaway script out of the queue (and
#: out of UpKeep) while leaving room for any real title, description or message.
LIMITS = {
    "title": 500,
    "description": 20_000,
    "text": 10_000,  # a work order message
    "category": 200,
    "id": 200,  # any UpKeep id, local-... id, SKU or email given as a reference
    "value": 64,  # a number, date, status or priority given as text
}

_LABELS = {"assets": "asset", "locations": "location", "users": "user", "teams": "team", "parts": "part",
           "meters": "meter", "work_orders": "work order"}


def short(value: Any) -> str:
    """``repr(value)``, cut short: a refusal quotes what it refused, not ten megabytes of it."""
    shown = repr(value)
    return shown if len(shown) <= 60 else f"{shown[:40]}... ({len(shown):,} characters)"


def fits(field: str, value: Any, limit: str) -> None:
    if isinstance(value, str) and len(value) > LIMITS[limit]:
        raise InvalidWrite(field, f"at most {LIMITS[limit]:,} characters, got {len(value):,}")


def text(field: str, value: Any, *, required: bool = False) -> str:
    if value is None and not required:
        return ""
    if not isinstance(value, str):
        raise InvalidWrite(field, f"expected text, got {type(value).__name__}")
    fits(field, value, field if field in LIMITS else "text")
    if required and not value.strip():
        raise InvalidWrite(field, "must not be empty")
    return value.strip()


def priority(value: Any) -> int:
    fits("priority", value, "value")
    names = PRIORITY_TO_UPKEEP
    if isinstance(value, str) and value.strip().lower() in names:
        return names[value.strip().lower()]
    try:
        number = int(str(value).strip()) if not isinstance(value, bool) else -1
    except ValueError:
        number = -1
    if number not in UPKEEP_PRIORITIES:
        raise InvalidWrite("priority", f"{short(value)} is not a priority; use 0-3 or {', '.join(names)}")
    return number


def status(value: Any) -> str:
    fits("status", value, "value")
    key = str(value).strip().lower() if isinstance(value, str) else ""
    if key == WorkOrderStatus.CANCELLED:
        raise InvalidWrite("status", "UpKeep has no cancelled status; put the work order on hold or "
                                     "complete it")
    if key not in STATUS_SPELLINGS:
        raise InvalidWrite("status", f"{short(value)} is not a status; use {UPKEEP_STATUS_CHOICES}")
    return STATUS_SPELLINGS[key]


def when(field: str, value: Any) -> datetime:
    fits(field, value, "value")
    try:
        if isinstance(value, datetime):
            return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        if isinstance(value, date):
            return datetime.combine(value, time(), tzinfo=UTC)
        if isinstance(value, str):
            return parse_utc(value)
    except ValueError:
        pass
    raise InvalidWrite(field, f"expected a date or ISO-8601 timestamp, got {short(value)}")


def ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def number(field: str, value: Any, *, minimum: float | None = None, positive: bool = False) -> float | int:
    if isinstance(value, bool):
        raise InvalidWrite(field, f"expected a number, got {short(value)}")
    fits(field, value, "value")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise InvalidWrite(field, f"expected a number, got {short(value)}") from None
    if not math.isfinite(number):
        raise InvalidWrite(field, f"expected a finite number, got {short(value)}")
    if minimum is not None and number < minimum:
        raise InvalidWrite(field, f"must not be negative, got {short(value)}")
    if positive and number <= 0:
        raise InvalidWrite(field, f"must be more than 0, got {short(value)}")
    return int(number) if number.is_integer() else number


def ref(session: Session, entity: str, field: str, value: Any, *, by: str | None = None) -> str | None:
    """The id of an existing, not deleted row of ``entity`` (looked up by id, else by ``by``).

    A ``local-...`` id of a record UpKeep has since accepted names that record (by UpKeep's id).
    """
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise InvalidWrite(field, f"expected an id, got {short(value)}")
    fits(field, value, "id")
    table = table_of(entity)
    wanted = resolve_id(session, entity, value.strip())
    rows = session.execute(select(table.c.id, table.c.deleted_at).where(table.c.id == wanted)).all()
    if not rows and by is not None:
        rows = session.execute(
            select(table.c.id, table.c.deleted_at)
            .where(table.c[by] == value.strip(), table.c.deleted_at.is_(None))
        ).all()
        if len(rows) > 1:
            raise InvalidWrite(field, f"{len(rows)} {_LABELS[entity]}s have {by} {short(value)}; give the id")
    label = _LABELS[entity]
    if not rows:
        raise InvalidWrite(field, f"no {label} {short(value)} in the mirror (check the id, or sync first)")
    if rows[0].deleted_at is not None:
        raise InvalidWrite(field, f"{label} {short(value)} was deleted in UpKeep")
    return rows[0].id


def category(session: Session, entity: str, value: Any) -> str | None:
    """The category as the account spells it, if the mirror has seen it (UpKeep refuses unknown ones)."""
    given = text("category", value) or None
    if given is None:
        return None
    table = table_of(entity)
    known = session.scalars(
        select(table.c.category).where(func.lower(table.c.category) == given.lower()).limit(1)
    ).first()
    return known or given
