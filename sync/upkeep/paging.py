"""Offset paging and the change cursor, as plain state and pure functions (no HTTP).

A list call is built from three parts, each an ordinary dict of query parameters::

    params = {**order_by("updatedAt", "ASC"), **cursor_params(cursor_ms), **pager.params()}

Where a listing ends: a page shorter than asked, unless UpKeep may serve fewer per request than
asked (the reference gives no maximum; integrators report 100). :class:`PageSize`, one per client,
tells the two apart for every pager of that client (see there).

Send each endpoint only parameters the API reference lists for it: UpKeep answers an unknown one
with 400 ``invalid filter key``. The preventive-maintenance list, for one, takes only ``offset``,
``limit`` and ``orderBy``, so it gets no ``cursor_params``.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

__all__ = [
    "DEFAULT_LIMIT",
    "DEFAULT_SKEW_MS",
    "PageSize",
    "Pager",
    "cursor_params",
    "iter_pages",
    "next_cursor",
    "order_by",
]

T = TypeVar("T")

log = logging.getLogger(__name__)

#: Integrators report 100 as UpKeep's largest page; the reference gives no default or maximum.
DEFAULT_LIMIT = 100

#: How far behind the run's start the next cursor is set (see ``next_cursor``).
DEFAULT_SKEW_MS = 5 * 60 * 1000


class PageSize:
    """What one client knows of UpKeep's page size; every pager of that client judges its pages here.

    A page shorter than asked ends a listing, unless UpKeep serves fewer objects per request than
    asked: then a short page is its whole page and more may follow. Two facts tell which:

    - ``served``: the most objects UpKeep has put in one answer. UpKeep serves at least that many,
      so a page shorter than that is the end of its listing, for sure.
    - ``cap``: the page size UpKeep was found to serve, when smaller than what was asked: a page of
      ``cap`` objects is a full page.

    A page shorter than asked but not shorter than ``served`` (before anything is known, say) may
    be either, so the listing asks once more at the next position: an empty answer ends it (that
    confirming request is the only extra cost: ``checks`` counts them); rows prove UpKeep serves
    at most the short page's length, which becomes ``cap`` (logged once, as a WARNING) for every
    listing of the client. The limit sent stays the one asked: should UpKeep ever serve a page
    longer than ``cap``, the cap no longer holds and is dropped. ``restore`` starts a client from
    what an earlier run found (the mirror keeps it), so only the first runs pay for confirming.
    Thread-safe: the pull's fetch threads share one.
    """

    def __init__(self) -> None:
        self.served = 0
        self.cap: int | None = None
        self.asked: int | None = None  # the limit asked for when the cap was found
        self.checks = 0
        self.changed = False  # something new since ``restore``: worth recording
        self._lock = threading.Lock()

    def restore(self, served: int, cap: int | None, asked: int | None) -> None:
        """Start from what an earlier run found (what this client found since takes precedence)."""
        with self._lock:
            self.served = max(self.served, served)
            if self.cap is None and cap is not None and cap >= self.served:
                self.cap, self.asked = cap, asked

    def full(self, limit: int) -> int:
        """How many objects make a full page when ``limit`` is asked for."""
        cap = self.cap
        return limit if cap is None else min(limit, cap)

    def judge(self, limit: int, got: int, short: int | None) -> tuple[bool, int | None]:
        """A page of ``got`` objects, ``limit`` asked for; ``short``: the length of the listing's
        previous page if it was short but unsure. Returns (more may follow, ``short`` for the next)."""
        with self._lock:
            before = self.served
            if got > before:
                self.served, self.changed = got, True
            if self.cap is not None and got > self.cap:
                log.info("UpKeep served %d objects in one answer: its page size is no longer %d", got, self.cap)
                self.cap, self.asked, self.changed = None, None, True
            if short is not None and got > 0 and short >= self.served and (self.cap is None or short < self.cap):
                self.cap, self.asked, self.changed = short, limit, True
                log.warning("UpKeep serves at most %d objects per request (asked for %d); using %d",
                            short, limit, short)
            if got >= self.full(limit):
                return True, None
            if 0 < got >= before:  # as long as the longest page yet: may be all UpKeep serves
                self.checks += 1
                return True, got
            return False, None

    def complete(self, limit: int, got: int) -> bool:
        """Whether a page of ``got`` objects (``limit`` asked for) is surely its listing's last
        (for a caller that reads one page only; ``judge`` is for paging on)."""
        with self._lock:
            sure = got < self.full(limit) and (got == 0 or got < self.served)
            if got > self.served:
                self.served, self.changed = got, True
            return sure


@dataclass
class Pager:
    """Where offset paging stands: ``params()`` asks for the next page, ``advance(got)`` records it.

    Only a page *shorter than the limit asked for* ends the listing. A full page always means
    "there may be more", even when it happens to be the last one (the next page is then empty).
    With ``sizes`` (its client's :class:`PageSize`) a short page ends it only when it is surely
    the last, so a server serving fewer than ``limit`` per request is paged to the end; without,
    ``limit`` must not exceed the server's own maximum page size.
    """

    limit: int = DEFAULT_LIMIT
    offset: int = 0
    sizes: PageSize | None = None
    short: int | None = None  # the previous page was short but maybe not the last: its length

    def __post_init__(self) -> None:
        if self.limit < 1:
            raise ValueError("limit must be at least 1")
        if self.offset < 0:
            raise ValueError("offset must not be negative")

    def params(self) -> dict[str, int]:
        return {"offset": self.offset, "limit": self.limit}

    def advance(self, got: int) -> bool:
        """Count a page of ``got`` rows; True when there may be more."""
        if got < 0:
            raise ValueError("a page cannot have a negative number of rows")
        self.offset += got
        if self.sizes is None:
            return got >= self.limit
        more, self.short = self.sizes.judge(self.limit, got, self.short)
        return more


def iter_pages(
    fetch: Callable[[dict[str, Any]], list[T]],
    pager: Pager,
    params: Mapping[str, Any] | None = None,
) -> Iterator[list[T]]:
    """Yield non-empty pages from ``fetch(params + paging)`` until a short page.

    The pager has already advanced past a page when it is yielded, so ``pager.offset`` then counts
    every row received so far. Memory stays O(page): nothing is kept between pages.
    """
    while True:
        page = fetch({**(params or {}), **pager.params()})
        more = pager.advance(len(page))
        if page:
            yield page
        if not more:
            return


def cursor_params(cursor_ms: int | None, field: str = "updatedAt") -> dict[str, int]:
    """The change filter for rows with ``field >= cursor_ms`` (unix ms); empty for a first full sync.

    Inclusive on purpose: rows sharing the cursor's millisecond come again (upserts are
    idempotent) instead of being lost.
    """
    if cursor_ms is None:
        return {}
    if cursor_ms < 0:
        raise ValueError("cursor must not be negative")
    return {f"{field}GreaterThanOrEqualTo": int(cursor_ms)}


def order_by(field: str = "updatedAt", direction: str = "ASC") -> dict[str, str]:
    """The ``orderBy`` parameter: field, a space, then ASC or DESC (UpKeep's default is ``createdAt DESC``).

    Page oldest-change first, so rows changed during the sync move to the end of the listing
    rather than shifting unseen rows onto pages already read.
    """
    direction = direction.upper()
    if direction not in ("ASC", "DESC"):
        raise ValueError("direction must be ASC or DESC")
    return {"orderBy": f"{field} {direction}"}


def next_cursor(run_started_ms: int, skew_ms: int = DEFAULT_SKEW_MS) -> int:
    """The cursor to store after a complete run: the run's start minus ``skew_ms``, never later.

    Not the newest ``updatedAt`` seen. Offset paging over a list that changes during the run can
    skip a row (a row moved past the current offset shifts the others back by one), and a row
    written while the run was paging may become visible with an ``updatedAt`` earlier than
    rows already read. Both have ``updatedAt`` after the run started, so starting the next run
    from the start brings them again. The skew covers the difference between this machine's clock
    (``run_started_ms``) and UpKeep's (which stamps ``updatedAt``), and commit latency on its side.
    The price is re-reading the last few minutes each run; upserts make that harmless.
    """
    if skew_ms < 0:
        raise ValueError("skew must not be negative")
    return max(0, int(run_started_ms) - int(skew_ms))
