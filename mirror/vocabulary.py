"""The mirror's vocabulary: every stored enum value, UpKeep's words, and the one mapping between them.

- **Machina's enums** (:class:`AssetType` ... :class:`FailureImpact`): copies of ``machina.domain``'s,
  kept here because ``machina-ai`` is an optional dependency (``tests/test_machina.py`` fails if they
  drift). Rows store their string values.
- **UpKeep's words**: work order statuses (:class:`UpKeepStatus`, the values filters and PATCH use),
  priorities 0..3 (0 lowest), checklist item values.
- **The mapping** UpKeep <-> Machina: priorities both ways, UpKeep status -> Machina status
  (:func:`machina_status`), Machina status -> UpKeep status, the spellings a person or Machina may
  use, and the category keywords that give a work order's Machina type. The pull
  (``sync.mapping``), the local writes and the Machina connector all read it from here.
- **The outbox's words**: operation kinds (:class:`OpKind`), operation states (:class:`OpState`)
  and the SQL fragments that select the open or waiting ones, for SQL built in Python.

Plain enums and tuples only: the pull reads these without loading SQLAlchemy or SQLModel.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

# --- Machina's enums (copies of machina.domain) ------------------------------------------------


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


# --- UpKeep's words -----------------------------------------------------------------------------


class UpKeepStatus(StrEnum):
    """A work order's status as the API reference documents it (filters and PATCH use these)."""

    OPEN = "open"
    ON_HOLD = "onHold"
    IN_PROGRESS = "inProgress"
    COMPLETE = "complete"


#: The documented statuses, as a refusal lists them: "open, onHold, inProgress or complete".
UPKEEP_STATUS_CHOICES = ", ".join(s.value for s in list(UpKeepStatus)[:-1]) + f" or {list(UpKeepStatus)[-1].value}"

#: Statuses of a work order still to be done.
UNFINISHED_STATUSES = (UpKeepStatus.OPEN, UpKeepStatus.ON_HOLD, UpKeepStatus.IN_PROGRESS)

#: UpKeep's status codes as people say them (the pages show these; the view ``work_orders_detail``
#: spells them in SQL, and ``tests/test_vocabulary.py`` holds the two together).
STATUS_WORDS = {
    UpKeepStatus.OPEN.value: "open",
    UpKeepStatus.ON_HOLD.value: "on hold",
    UpKeepStatus.IN_PROGRESS.value: "in progress",
    UpKeepStatus.COMPLETE.value: "complete",
}

#: UpKeep's priorities, 0 lowest; a work order without one is given the default.
UPKEEP_PRIORITIES = (0, 1, 2, 3)
DEFAULT_UPKEEP_PRIORITY = 1

#: Values of a work order's checklist items: a TASK item's and a CHECKLIST item's.
TASK_VALUES = ("OPEN", "ON_HOLD", "IN_PROGRESS", "COMPLETE")
CHECKLIST_VALUES = ("PASS", "FLAG", "FAIL")

# --- the mapping UpKeep <-> Machina -------------------------------------------------------------

#: UpKeep priority 0..3 -> Machina priority.
PRIORITY_FROM_UPKEEP = {0: Priority.LOW, 1: Priority.MEDIUM, 2: Priority.HIGH, 3: Priority.EMERGENCY}
#: Machina priority name -> UpKeep priority.
PRIORITY_TO_UPKEEP: dict[str, int] = {p.value: n for n, p in PRIORITY_FROM_UPKEEP.items()}

#: Lower-cased status as UpKeep may send it -> documented status: the documented ones, plus the
#: spellings Machina's connector assumed ("on hold", "in progress", "completed"; accepted, never sent).
UPKEEP_STATUS_SPELLINGS: dict[str, str] = {
    **{s.value.lower(): s.value for s in UpKeepStatus},
    "on hold": UpKeepStatus.ON_HOLD.value,
    "in progress": UpKeepStatus.IN_PROGRESS.value,
    "completed": UpKeepStatus.COMPLETE.value,
}

#: Machina status -> UpKeep status. UpKeep has no "cancelled": such a change cannot be sent.
STATUS_TO_UPKEEP: dict[str, str] = {
    WorkOrderStatus.CREATED.value: UpKeepStatus.OPEN.value,
    WorkOrderStatus.ASSIGNED.value: UpKeepStatus.OPEN.value,
    WorkOrderStatus.IN_PROGRESS.value: UpKeepStatus.IN_PROGRESS.value,
    WorkOrderStatus.COMPLETED.value: UpKeepStatus.COMPLETE.value,
    WorkOrderStatus.CLOSED.value: UpKeepStatus.COMPLETE.value,
}

#: What a local write accepts as a status (lower-cased): UpKeep's spellings and Machina's names.
STATUS_SPELLINGS: dict[str, str] = {**UPKEEP_STATUS_SPELLINGS, **STATUS_TO_UPKEEP}

# Category is account-defined free text: matched case-insensitively on a keyword.
_WO_TYPE_KEYWORDS = (
    ("prevent", WorkOrderType.PREVENTIVE),
    ("predict", WorkOrderType.PREDICTIVE),
    ("condition", WorkOrderType.PREDICTIVE),
    ("improve", WorkOrderType.IMPROVEMENT),
    ("project", WorkOrderType.IMPROVEMENT),
)


def machina_status(upkeep_status: str, *, assigned: bool, archived: bool) -> WorkOrderStatus:
    """Machina's status for an UpKeep status (``upkeep_status`` keeps UpKeep's own, e.g. on hold)."""
    if upkeep_status == UpKeepStatus.COMPLETE:
        return WorkOrderStatus.CLOSED if archived else WorkOrderStatus.COMPLETED
    if upkeep_status == UpKeepStatus.IN_PROGRESS:
        return WorkOrderStatus.IN_PROGRESS
    if upkeep_status == UpKeepStatus.ON_HOLD:
        return WorkOrderStatus.ASSIGNED  # Machina has no "on hold"
    return WorkOrderStatus.ASSIGNED if assigned else WorkOrderStatus.CREATED


def work_order_type(category: str | None) -> WorkOrderType:
    """Machina's work order type for an UpKeep category (free text): a keyword, else corrective."""
    lowered = (category or "").lower()
    return next((kind for keyword, kind in _WO_TYPE_KEYWORDS if keyword in lowered), WorkOrderType.CORRECTIVE)


# --- the mirror's own words ---------------------------------------------------------------------


class LocalState(StrEnum):
    """Where a mirrored row stands relative to UpKeep."""

    SYNCED = "synced"  # equal to UpKeep as of synced_at
    PENDING = "pending"  # carries local writes not yet accepted by UpKeep
    CONFLICT = "conflict"  # a local write collided with a remote change; a person must resolve it


class OpState(StrEnum):
    """Where an outbox operation stands (the transitions are drawn in :mod:`mirror.outbox`)."""

    PENDING = "pending"  # waiting to be sent (maybe after next_attempt_at)
    SENDING = "sending"  # committed just before sending: may have been applied
    DONE = "done"  # UpKeep accepted it; its answer is in the mirror
    DEAD = "dead"  # UpKeep refused it (or it cannot be sent safely): a person decides
    CONFLICT = "conflict"  # UpKeep changed the same field since the base: a person decides
    DISCARDED = "discarded"  # a person dropped it


class OpKind(StrEnum):
    """What an outbox operation does (the outbox's ``kind`` column)."""

    CREATE = "create"  # work order
    UPDATE = "update"  # work order fields
    MESSAGE = "message"  # work order message
    PARTS_USED = "parts_used"  # work order parts and quantities
    REQUEST = "request"  # create a request
    READING = "reading"  # create a meter reading
    PART_COUNT = "part_count"  # set a part's quantity on hand
    TASK_VALUE = "task_value"  # field work: a checklist item's value (work order)
    ATTACH = "attach"  # field work: a file attached to a work order
    DOWNTIME = "downtime"  # field work: an asset's downtime status


#: Kinds that create a record (local id until UpKeep answers): looked up after an ambiguous failure.
CREATE_KINDS = (OpKind.CREATE, OpKind.REQUEST, OpKind.READING)
#: Creates UpKeep announces to people (its "Events After ... Created": emails, Zapier triggers): the
#: replayer sends these at the configured pace (``sync.replay``). A reading only notifies through a
#: meter's own trigger, and a round of readings should land together: it is not paced.
PACED_KINDS = (OpKind.CREATE, OpKind.REQUEST)
#: Kinds whose payload sets fields from a base: checked for conflicts before sending.
UPDATE_KINDS = (OpKind.UPDATE, OpKind.PARTS_USED, OpKind.PART_COUNT)
#: Field-work kinds: each sent by its own handler.
FIELDWORK_KINDS = (OpKind.TASK_VALUE, OpKind.ATTACH, OpKind.DOWNTIME)

#: Operations whose change is still shown in the mirror and that hold back later ones of their record.
OPEN_STATES = (OpState.PENDING, OpState.SENDING, OpState.DEAD, OpState.CONFLICT)
#: Operations still to send.
WAITING_STATES = (OpState.PENDING, OpState.SENDING)
#: Operations a person must decide on.
STUCK_STATES = (OpState.DEAD, OpState.CONFLICT)


def _sql_list(values: Iterable[str]) -> str:
    return "(" + ", ".join(f"'{value}'" for value in values) + ")"


#: ``state IN {OPEN_STATES_SQL}``: the open operations, for SQL built in Python.
OPEN_STATES_SQL = _sql_list(OPEN_STATES)
#: ``state IN {WAITING_STATES_SQL}``: the operations still to send.
WAITING_STATES_SQL = _sql_list(WAITING_STATES)
#: ``kind IN {PACED_KINDS_SQL}``: the creates sent at a pace.
PACED_KINDS_SQL = _sql_list(PACED_KINDS)
#: ``upkeep_status IN {UNFINISHED_STATUSES_SQL}``: work orders still to be done.
UNFINISHED_STATUSES_SQL = _sql_list(UNFINISHED_STATUSES)
