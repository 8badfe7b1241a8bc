"""Fetching listings in parallel for the pull: streams of pages, a few worker threads, one queue to the writer.

A :class:`Stream` is one listing walked page by page with its own pager: an entity's listing,
one meter's readings, or one ``createdAt`` window of a big listing. Pages of one stream come one
after another (each page's key is the next page's start), but different streams are fetched at
the same time by ``workers`` threads sharing one ``UpKeepClient`` (its connection cap, throttle
and session are shared; see ``sync.upkeep._client`` and ``sync.upkeep._throttle``). A worker takes a stream,
fetches and maps its next page, hands the page to the writer's queue and puts the stream back
at the end of the line, so streams take turns and none waits behind a long one.

Everything a worker produces goes through one bounded queue, read by the single writer thread
(``sync.pull._run``): :class:`Page`, :class:`Split` (a stream cut into windows after its first page),
:class:`End` and :class:`Failed`. A stream's items arrive in the order they happened, so the
writer can save each window's key with the pages it covers. The queue's bound keeps memory at
a few pages per worker whatever the size of the listings.
"""

from __future__ import annotations

import contextlib
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sync.upkeep import UpKeepClient

__all__ = ["End", "Failed", "Fetcher", "Page", "Split", "Stream"]


@dataclass(eq=False)
class Stream:
    entity: str
    path: str
    pager: Any  # KeysetPager or sync.pull._run.FullListing: params(), advance(page)
    window: int | None = None  # its row in sync_windows, when its key is saved for a resume
    splittable: bool = False  # may be cut into windows after its first page
    pages: int = 0
    sized: bool = False  # a full page came (or the end): whether to cut it into windows is decided
    # A window's bounds as cut (its pager's key moves on as soon as a worker takes it).
    lo_ms: int | None = None
    hi_ms: int | None = None


@dataclass
class Page:
    stream: Stream
    mapped: Any
    key_ms: int | None  # the stream's key after this page: where a resume starts
    retries: int = 0
    first: bool = False  # the stream's first full page (where a big listing is cut into windows)
    more: bool = False  # more pages follow


@dataclass
class Split:
    stream: Stream  # now bounded above by the first new window
    windows: list[Stream] = field(default_factory=list)


@dataclass
class End:
    stream: Stream
    cancelled: bool = False


@dataclass
class Failed:
    stream: Stream
    error: BaseException


Item = Page | Split | End | Failed


class Fetcher:
    """Up to ``workers`` threads fetching and mapping pages of the streams ``add``-ed, into ``get()``.

    It starts with ``start`` threads and adds one whenever the writer had to wait for a page
    longer than ``GROW_AFTER_S`` (``get``): when requests are slow, more go out at once; when the
    writer is the bottleneck (a fast, local API), no thread is added, and none of the memory a
    thread's pages in flight would hold.

    ``map_page(stream, page)`` runs in the worker (mapping overlaps the writer's SQLite work,
    which releases the GIL); ``split(stream, page)`` may return windows to cut the stream into
    after its first page (the stream's pager is bounded by the caller-supplied windows). At most
    ``ahead`` items wait for the writer: the bound on pages in memory.
    """

    GROW_AFTER_S = 0.05

    def __init__(self, client: UpKeepClient, workers: int,
                 map_page: Callable[[Stream, list[dict]], Any],
                 split: Callable[[Stream, list[dict]], list[Stream]] | None = None,
                 start: int = 1, clock: Callable[[], float] = time.monotonic, ahead: int = 2) -> None:
        self.client = client
        self.map_page = map_page
        self.split = split
        self._tasks: queue.SimpleQueue[Stream | None] = queue.SimpleQueue()
        self._out: queue.Queue[Item] = queue.Queue(maxsize=ahead)
        self._cancelled: set[str] = set()
        self._stopping = False
        self._max = max(1, workers)
        self._clock = clock
        self._threads: list[threading.Thread] = []
        for _ in range(min(max(1, start), self._max)):
            self._grow()

    @property
    def workers(self) -> int:
        return len(self._threads)

    def _grow(self) -> None:
        thread = threading.Thread(target=self._work, name=f"fetch-{len(self._threads)}", daemon=True)
        self._threads.append(thread)
        thread.start()

    def add(self, stream: Stream) -> None:
        self._tasks.put(stream)

    def cancel(self, entity: str) -> None:
        """Fetch no more pages of ``entity``: its streams end (``End(cancelled=True)``) at their next turn."""
        self._cancelled.add(entity)

    def get(self) -> Item:
        try:
            return self._out.get_nowait()
        except queue.Empty:
            pass
        began = self._clock()
        item = self._out.get()
        if self._clock() - began >= self.GROW_AFTER_S and len(self._threads) < self._max and not self._stopping:
            self._grow()  # the writer waited on the network: one more request in flight
        return item

    def close(self) -> None:
        """Stop the workers, dropping whatever they still had for the writer."""
        self._stopping = True
        for _ in self._threads:
            self._tasks.put(None)
        while any(t.is_alive() for t in self._threads):
            with contextlib.suppress(queue.Empty):  # unblock a worker waiting to put
                self._out.get(timeout=0.05)

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _work(self) -> None:
        while (stream := self._tasks.get()) is not None:
            if self._stopping or stream.entity in self._cancelled:
                self._out.put(End(stream, cancelled=True))
                continue
            try:
                before = self.client.thread_retries()
                page = self.client.get_list(stream.path, stream.pager.params())
                more = stream.pager.advance(page)
                mapped = self.map_page(stream, page)
                stream.pages += 1
                # A short page that may not be the last (sync.upkeep.paging.PageSize) tells nothing of
                # the listing's size yet: the decision to cut it waits for a full page, or its end.
                full = more and getattr(stream.pager, "short", None) is None
                first = full and not stream.sized
                stream.sized = stream.sized or full or not more
                windows = self.split(stream, page) if first and stream.splittable and self.split else []
                self._out.put(Page(stream, mapped, getattr(stream.pager, "since_ms", None),
                                   self.client.thread_retries() - before, first, more))
                if windows:
                    self._out.put(Split(stream, windows))
                    for window in windows:
                        self._tasks.put(window)
            except BaseException as exc:  # handed to the writer, which decides
                self._out.put(Failed(stream, exc))
                continue
            if more:
                self._tasks.put(stream)
            else:
                self._out.put(End(stream))
