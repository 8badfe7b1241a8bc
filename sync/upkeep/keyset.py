"""Keyset paging over UpKeep's timestamp filters: the state object the pull walks a listing with.

Plain offset paging over a list that changes while it is read skips rows: when an unread row is
updated it moves to the end of an ``updatedAt ASC`` listing and every row behind it shifts one
place back, under the next offset. A :class:`KeysetPager` instead asks for
``<field>GreaterThanOrEqualTo=<last value seen>`` and uses ``offset`` only to step over the rows
already seen *at exactly that value*. A row that changes during the run moves forward, past the
key, and is read again later in the same run; nothing unread can slide behind the key.

Ordered by ``updatedAt`` it drives incremental pulls (its key is also a safe resume point after a
crash); ordered by ``createdAt``, which never changes, it drives reconciliation, where a skipped
row would be wrongly taken for deleted, and the first sync. With ``until_ms`` it walks one window
``[since_ms, until_ms)`` of a listing: the pull splits a big listing into windows read in parallel.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from mirror.timestamps import parse_utc
from sync.upkeep.paging import PageSize


def to_ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def value_ms(obj: Any, field: str) -> int | None:
    """An object's timestamp field in unix ms, or None when absent or unreadable."""
    if isinstance(obj, dict) and isinstance(obj.get("trigger"), dict):
        obj = obj["trigger"]  # preventive-maintenance items keep their timestamps in the trigger
    value = obj.get(field) if isinstance(obj, dict) else None
    if not isinstance(value, str):
        return None
    try:
        return to_ms(parse_utc(value))
    except ValueError:
        return None


@dataclass
class KeysetPager:
    """Where a keyset listing stands: ``params()`` asks for the next page, ``advance(page)`` records it."""

    field: str = "updatedAt"
    since_ms: int | None = None  # inclusive lower bound; None: from the beginning
    limit: int = 100
    ties: int = 0  # rows already read whose field equals since_ms
    until_ms: int | None = None  # exclusive upper bound; None: to the end
    sizes: PageSize | None = None  # the client's: tells a short last page from a short full one
    short: int | None = None  # the previous page was short but maybe not the last: its length

    def params(self) -> dict[str, Any]:
        params: dict[str, Any] = {"orderBy": f"{self.field} ASC", "offset": self.ties, "limit": self.limit}
        if self.since_ms is not None:
            params[f"{self.field}GreaterThanOrEqualTo"] = self.since_ms
        if self.until_ms is not None:
            params[f"{self.field}LessThan"] = self.until_ms
        return params

    def advance(self, page: list[Any]) -> bool:
        """Record a page; True when there may be more (only a short page ends the listing; with
        ``sizes``, only one surely the last: see :class:`sync.upkeep.paging.PageSize`).

        The key depends on the rows read, never on the page size: a page size that changes
        between pages (UpKeep found to serve fewer) neither skips nor repeats a row.
        """
        values: list[int] = []
        for obj in page:
            # An unreadable timestamp keeps the key where it is; the offset still steps over the row.
            ms = value_ms(obj, self.field)
            floor = values[-1] if values else self.since_ms
            values.append(ms if ms is not None and (floor is None or ms >= floor) else (floor or 0))
        if values:
            last = values[-1]
            if last == self.since_ms:
                self.ties += len(values)
            else:
                self.since_ms = last
                self.ties = sum(1 for v in values if v == last)
        if self.sizes is None:
            return len(page) >= self.limit
        more, self.short = self.sizes.judge(self.limit, len(page), self.short)
        return more
