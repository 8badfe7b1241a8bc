"""Finding what an unanswered attempt may have created, so a retry never creates it twice.

UpKeep has no idempotency keys. So every work order and request the mirror creates carries a
marker at the end of its description, ``[upkeep-mirror <first 12 hex of the op_id>]``, sent on the
first attempt already (whether an attempt will lose its answer is not known in advance). After an
ambiguous failure (timeout, dropped connection, 5xx other than 503) or a crash while ``sending``,
the replayer asks UpKeep before sending again:

- work order / request: ``GET /work-orders`` (``/requests``) with ``title`` = the title sent and
  ``createdAtGreaterThanOrEqualTo`` = first attempt minus ``SKEW``, every page; the one whose
  description contains the marker is the record. Title and createdAt only narrow the search
  (both are filters the reference lists); the marker decides.
- meter reading: ``GET /meters/<id>/readings`` with ``date`` equal to the reading's timestamp (the
  mirror always sends one, to the millisecond) and ``createdAt`` since the first attempt minus
  ``SKEW``; a reading with the same value is the one.
- message: UpKeep cannot list messages, but a work order carries ``arrayOfUpdateItems``. The
  items are recorded just before sending; afterwards a new item whose text is ours (when UpKeep
  expands the items, ``includes=arrayOfUpdateItems``) or, if it sends bare ids, any new item, is
  taken as our message.

Limits: a record whose title (or description marker) someone edits between the lost answer and
the check is not found, and is created again; clocks more than ``SKEW`` apart hide it too. A
reading of the same meter, value and millisecond entered by someone else would be taken for
ours. A message another user posts to the same work order between our attempt and the check, when
UpKeep answers with bare ids, would be taken for ours (ours would then be missing). A request
still in flight on UpKeep's side when the check runs can land after it: the check runs after the
retry policy's backoff, which makes that unlikely but not impossible.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from mirror.outbox import OutboxOp
from mirror.vocabulary import OpKind
from sync.upkeep import UpKeepClient
from sync.upkeep.endpoints import collection
from sync.upkeep.paging import Pager

#: How far before the first attempt a created record's createdAt may lie (clock differences).
SKEW = timedelta(minutes=10)
PAGE = 100


def marker(op_id: str) -> str:
    return f"[upkeep-mirror {op_id[:12]}]"


def with_marker(description: str | None, op_id: str) -> str:
    """The description as sent: the technician's text, then the op's marker on its own line."""
    text = (description or "").rstrip()
    return f"{text}\n\n{marker(op_id)}" if text else marker(op_id)


_MARKER = re.compile(r"\s*\[upkeep-mirror [0-9a-f]{12}\]\s*$")


def without_marker(column: str, value: Any) -> Any:
    """A description as the technician wrote it: the create's marker is not a change of theirs.

    Used when comparing for conflicts, since an update queued before its work order was created
    was based on the description without the marker UpKeep now holds.
    """
    if column == "description" and isinstance(value, str):
        return _MARKER.sub("", value)
    return value


def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def find_created(client: UpKeepClient, op: OutboxOp, *, now: datetime) -> dict[str, Any] | None:
    """UpKeep's record created by an earlier attempt of ``op``, or None if there is none."""
    if op.first_sent_at is None:
        return None  # never sent
    since = _ms(op.first_sent_at - SKEW)
    fields = op.payload["fields"]
    if op.kind == OpKind.READING:
        path = collection("meter_readings", meter=op.payload["columns"]["meter_id"])
        params = {"dateGreaterThanOrEqualTo": fields["date"], "dateLessThanOrEqualTo": fields["date"],
                  "createdAtGreaterThanOrEqualTo": since}
        value = float(fields["value"])

        def match(obj: dict) -> bool:
            try:
                return float(obj.get("value")) == value  # type: ignore[arg-type]  # None: TypeError, below
            except (TypeError, ValueError):
                return False
    else:
        path = collection(op.entity)
        params = {"title": fields["title"], "createdAtGreaterThanOrEqualTo": since}
        tag = marker(op.op_id)

        def match(obj: dict) -> bool:
            return tag in (obj.get("description") or "")

    return _first(client, path, params, match)


def _first(client: UpKeepClient, path: str, params: dict, match: Callable[[dict], bool]) -> dict | None:
    """The first listed object ``match`` accepts, paging to the end (a page shorter than asked ends
    the listing only when it is surely the last: UpKeep may serve fewer than ``PAGE``)."""
    pager = Pager(limit=PAGE, sizes=client.page_size)
    while True:
        page = client.get_list(path, {**params, **pager.params()})
        for obj in page:
            if isinstance(obj, dict) and match(obj):
                return obj
        if not pager.advance(len(page)):
            return None


def update_item_ids(work_order: dict[str, Any]) -> list[str]:
    """Ids of the work order's update items (messages), whether UpKeep expanded them or not."""
    out = []
    for item in work_order.get("arrayOfUpdateItems") or []:
        value = item.get("id") if isinstance(item, dict) else item
        if isinstance(value, str):
            out.append(value)
    return out


def message_posted(op: OutboxOp, work_order: dict[str, Any]) -> bool:
    """Whether the work order shows the message ``op`` may have posted (see the module's limits)."""
    before = set(op.payload.get("updates_before") or [])
    text = op.payload["fields"]["text"]
    for item in work_order.get("arrayOfUpdateItems") or []:
        if isinstance(item, dict):
            if item.get("id") not in before and (item.get("text") or item.get("message")) == text:
                return True
        elif isinstance(item, str) and item not in before:
            return True
    return False


def changed_since(client: UpKeepClient, entity: str, since_ms: int,
                  wanted: set[str]) -> tuple[dict[str, dict[str, Any]], bool]:
    """UpKeep's current objects among ``wanted`` that changed at or after ``since_ms``: one request.

    For an entity whose listing takes the change filters (:attr:`mirror.entities.Entity.change_filter`).

    Returns ``(found, complete)``. The listing is trusted only when it fits in one page (offset
    paging over a list others are changing can skip a row), and a page shorter than asked only
    when it is surely the last (UpKeep may serve fewer than asked: :class:`sync.upkeep.paging.PageSize`);
    otherwise ``complete`` is False, and
    a wanted record not found may still have changed: the caller GETs it. Only parameters the
    reference lists for the endpoint are sent (``updatedAtGreaterThanOrEqualTo``, ``orderBy``,
    ``offset``, ``limit``).
    """
    params = {"updatedAtGreaterThanOrEqualTo": since_ms, "orderBy": "updatedAt ASC", "offset": 0, "limit": PAGE}
    page = client.get_list(collection(entity), params)
    found = {obj["id"]: obj for obj in page if isinstance(obj, dict) and obj.get("id") in wanted}
    return found, client.page_size.complete(PAGE, len(page)) or len(found) == len(wanted)
