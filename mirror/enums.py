"""Machina's enum values, so the store can validate without importing ``machina-ai``.

They are copies of ``machina.domain`` enums (``tests/test_machina.py`` fails if they drift),
kept here because ``machina-ai`` is an optional dependency. Values are stored as these strings.
"""

from enum import StrEnum


class AssetType(StrEnum):
    ROTATING_EQUIPMENT = "rotating_equipment"
    STATIC_EQUIPMENT = "static_equipment"
    INSTRUMENT = "instrument"
    ELECTRICAL = "electrical"
    PIPING = "piping"
    STRUCTURAL = "structural"
    HVAC = "hvac"
    SAFETY = "safety"


class Criticality(StrEnum):
    A = "A"
    B = "B"
    C = "C"


class WorkOrderType(StrEnum):
    CORRECTIVE = "corrective"
    PREVENTIVE = "preventive"
    PREDICTIVE = "predictive"
    IMPROVEMENT = "improvement"


class Priority(StrEnum):
    EMERGENCY = "emergency"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


class WorkOrderStatus(StrEnum):
    CREATED = "created"
    ASSIGNED = "assigned"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    CLOSED = "closed"
    CANCELLED = "cancelled"


class FailureImpact(StrEnum):
    CRITICAL = "critical"
    DEGRADED = "degraded"
    INCIPIENT = "incipient"


class LocalState(StrEnum):
    """Where a mirrored row stands relative to UpKeep."""

    SYNCED = "synced"  # equal to UpKeep as of synced_at
    PENDING = "pending"  # carries local writes not yet accepted by UpKeep
    CONFLICT = "conflict"  # a local write collided with a remote change; a person must resolve it
