"""Local writes: change the mirror now and queue the change for UpKeep, in one transaction.

Every write checks its input against the mirror first (:mod:`mirror.writes._validate`) and
refuses with :class:`~mirror.errors.InvalidWrite` naming the field before anything is written.

- work orders, requests, meter readings, part counts (:mod:`mirror.writes._records`);
- field work: checklist items, attachments, downtime (:mod:`mirror.writes._fieldwork`).

What a person does with the queue afterwards (retry, discard, resolve) is in
:mod:`mirror.outbox.actions`.
"""

from mirror.errors import InvalidWrite
from mirror.writes._fieldwork import MAX_ATTACH_BYTES, attach_file, marker, record_downtime, set_task_value
from mirror.writes._records import (
    UNSET,
    Queued,
    add_meter_reading,
    add_work_order_message,
    create_request,
    create_work_order,
    record_parts_used,
    set_part_quantity,
    update_work_order,
)
from mirror.writes._validate import LIMITS

__all__ = [
    "LIMITS",
    "MAX_ATTACH_BYTES",
    "UNSET",
    "InvalidWrite",
    "Queued",
    "add_meter_reading",
    "add_work_order_message",
    "attach_file",
    "create_request",
    "create_work_order",
    "marker",
    "record_downtime",
    "record_parts_used",
    "set_part_quantity",
    "set_task_value",
    "update_work_order",
]
