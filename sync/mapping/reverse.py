"""Machina -> UpKeep values, for what the outbox sends (PATCH and POST bodies)."""

from __future__ import annotations

from mirror.enums import Priority, WorkOrderStatus
from sync.mapping.core import PRIORITY_FROM_UPKEEP, UPKEEP_STATUSES

PRIORITY_TO_UPKEEP: dict[str, int] = {p.value: n for n, p in PRIORITY_FROM_UPKEEP.items()}

#: Machina status -> UpKeep status. UpKeep has no "cancelled": such a change cannot be sent.
STATUS_TO_UPKEEP: dict[str, str] = {
    WorkOrderStatus.CREATED.value: "open",
    WorkOrderStatus.ASSIGNED.value: "open",
    WorkOrderStatus.IN_PROGRESS.value: "inProgress",
    WorkOrderStatus.COMPLETED.value: "complete",
    WorkOrderStatus.CLOSED.value: "complete",
}


def upkeep_status(value: str) -> str:
    """UpKeep's status for a Machina status or an UpKeep status in any documented spelling."""
    key = value.strip()
    if key in STATUS_TO_UPKEEP:
        return STATUS_TO_UPKEEP[key]
    documented = UPKEEP_STATUSES.get(key.lower())
    if documented:
        return documented
    if key == WorkOrderStatus.CANCELLED.value:
        raise ValueError("UpKeep has no cancelled status; put the work order on hold or complete it")
    raise ValueError(f"unknown work order status {value!r}; use open, onHold, inProgress or complete")


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
