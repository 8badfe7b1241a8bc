"""Offset paging and the change cursor, as plain state and pure functions (no HTTP).

A list call is built from three parts, each an ordinary dict of query parameters::

    params = {**order_by("updatedAt", "ASC"), **cursor_params(cursor_ms), **pager.params()}

Send each endpoint only parameters the API reference lists for it: UpKeep answers an unknown one
with 400 ``invalid filter key``. The preventive-maintenance list, for one, takes only ``offset``,
``limit`` and ``orderBy``, so it gets no ``cursor_params``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

__all__ = [
    "DEFAULT_LIMIT",
    "DEFAULT_SKEW_MS",
    "Pager",
    "cursor_params",
    "iter_pages",
    "next_cursor",
    "order_by",
]

T = TypeVar("T")

#: Integrators report 100 as UpKeep's largest page; the reference gives no default or maximum.
DEFAULT_LIMIT = 100

#: How far behind the run's start the next cursor is set (see ``next_cursor``).
DEFAULT_SKEW_MS = 5 * 60 * 1000


@dataclass
class Pager:
    """Where offset paging stands: ``params()`` asks for the next page, ``advance(got)`` records it.

    Only a page *shorter than the limit asked for* ends the listing. A full page always means
    "there may be more", even when it happens to be the last one (the next page is then empty).
    So ``limit`` must not exceed the server's own maximum page size: if UpKeep silently capped a
    ``limit=200`` to 100 rows, the first page would look short and the listing would stop early.
    """

    limit: int = DEFAULT_LIMIT
    offset: int = 0

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
        return got >= self.limit


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
