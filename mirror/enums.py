"""The mirror's stored enum values: Machina's, and the outbox's states and kinds.

Machina's are copies of ``machina.domain`` enums (``tests/test_machina.py`` fails if they drift),
kept here because ``machina-ai`` is an optional dependency. The outbox's live here rather than in
:mod:`mirror.outbox` so the pull can read the outbox without loading SQLModel. Values are stored
as these strings.
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


class OpState(StrEnum):
    PENDING = "pending"  # waiting to be sent (maybe after next_attempt_at)
    SENDING = "sending"  # committed just before sending: may have been applied
    DONE = "done"  # UpKeep accepted it; its answer is in the mirror
    DEAD = "dead"  # UpKeep refused it (or it cannot be sent safely): a person decides
    CONFLICT = "conflict"  # UpKeep changed the same field since the base: a person decides
    DISCARDED = "discarded"  # a person dropped it


class OpKind(StrEnum):
    CREATE = "create"  # work order
    UPDATE = "update"  # work order fields
    MESSAGE = "message"  # work order message
    PARTS_USED = "parts_used"  # work order parts and quantities
    REQUEST = "request"  # create a request
    READING = "reading"  # create a meter reading
    PART_COUNT = "part_count"  # set a part's quantity on hand


OPEN_STATES = (OpState.PENDING, OpState.SENDING, OpState.DEAD, OpState.CONFLICT)
