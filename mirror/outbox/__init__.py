"""The outbox: local writes waiting to reach UpKeep, and what they do to the mirror rows.

- the queue (:mod:`mirror.outbox._queue`): the ``outbox`` table, appending an operation, the
  replayer's compare-and-set state changes, a row's local state, swapping a local id for UpKeep's
  (:func:`remap_id`) and finding UpKeep's id from a delivered local one (:func:`resolve_id`);
- :mod:`mirror.outbox.changes`: applying an operation's values to its row, re-applying open ones
  after a pull, finding conflicts, reverting;
- :mod:`mirror.outbox.actions`: what a person does (retry, discard, resolve a conflict).

States, kinds and the transitions between states are drawn in :mod:`mirror.outbox._queue`; their
values are in :mod:`mirror.vocabulary`. The pull does not import this package (it loads SQLModel)
unless local writes wait on the rows it saves.
"""

from mirror.outbox._queue import (
    LOCAL_PREFIX,
    OutboxOp,
    WorkOrderMessage,
    append,
    counts,
    delivered_since,
    get_op,
    is_local,
    last_sent,
    list_ops,
    mark_conflict,
    mark_dead,
    mark_done,
    mark_retry_later,
    mark_sending,
    new_local_id,
    open_records,
    queue_length,
    ready_ops,
    record_ops,
    refresh_local_state,
    remap_id,
    resolve_id,
    utcnow,
)
from mirror.outbox.actions import discard_op, resolve_op, retry_op
from mirror.outbox.changes import (
    COLUMN_FIELDS,
    already_applied,
    apply_values,
    derive,
    find_conflicts,
    load_row,
    norm,
    raw_form,
    reapply_pending,
    revert_values,
)

__all__ = [
    "COLUMN_FIELDS",
    "LOCAL_PREFIX",
    "OutboxOp",
    "WorkOrderMessage",
    "already_applied",
    "append",
    "apply_values",
    "counts",
    "delivered_since",
    "derive",
    "discard_op",
    "find_conflicts",
    "get_op",
    "is_local",
    "last_sent",
    "list_ops",
    "load_row",
    "mark_conflict",
    "mark_dead",
    "mark_done",
    "mark_retry_later",
    "mark_sending",
    "new_local_id",
    "norm",
    "open_records",
    "queue_length",
    "raw_form",
    "ready_ops",
    "reapply_pending",
    "record_ops",
    "refresh_local_state",
    "remap_id",
    "resolve_id",
    "resolve_op",
    "retry_op",
    "revert_values",
    "utcnow",
]
