"""Machina -> UpKeep values, for what the outbox sends (PATCH and POST bodies)."""

from __future__ import annotations

from mirror.vocabulary import (
    PRIORITY_FROM_UPKEEP,
    PRIORITY_TO_UPKEEP,
    STATUS_TO_UPKEEP,
    UPKEEP_STATUS_CHOICES,
    UPKEEP_STATUS_SPELLINGS,
    Priority,
    WorkOrderStatus,
)


def upkeep_status(value: str) -> str:
    """UpKeep's status for a Machina status or an UpKeep status in any documented spelling."""
    key = value.strip()
    if key in STATUS_TO_UPKEEP:
        return STATUS_TO_UPKEEP[key]
    documented = UPKEEP_STATUS_SPELLINGS.get(key.lower())
    if documented:
        return documented
    if key == WorkOrderStatus.CANCELLED.value:
        raise ValueError("UpKeep has no cancelled status; put the work order on hold or complete it")
    raise ValueError(f"unknown work order status {value!r}; use {UPKEEP_STATUS_CHOICES}")


def upkeep_priority(value: str | int) -> int:
    """UpKeep's 0..3 priority for a Machina priority name or a number 0..3."""
    if isinstance(value, str) and value.strip().lower() in PRIORITY_TO_UPKEEP:
        return PRIORITY_TO_UPKEEP[value.strip().lower()]
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = -1
    if number not in PRIORITY_FROM_UPKEEP:
        names = ", ".join(p.value for p in Priority)
        raise ValueError(f"unknown priority {value!r}; use 0-3 or one of {names}")
    return number
