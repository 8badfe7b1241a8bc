"""Mapping a big listing's pages in another process, so a first sync uses a second core.

Mapping an UpKeep object (type checks, conversions) and making its row's values is pure Python.
In the pull's process it holds the one interpreter lock the fetch threads and the writer also
need, and a first sync of a big account was bound by that lock, not by the network or SQLite.
For a big listing (one the pull cuts into windows: a first sync or a reconciliation of a big
entity) pages go to a worker process instead: the fetch thread sends the page as JSON bytes and
goes on with the next request; the writer takes the mapped page (the rows' values, their ids,
the rejects) when it comes to that page. Incremental and no-change syncs never start it.

The worker reads work orders' part SKUs from the mirror itself (read-only), once per pool: the
pull lists parts before work orders, so they are committed by then.
"""

from __future__ import annotations

import multiprocessing
import os
import sqlite3
import threading
import time
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path

import orjson

from sync.pull_save import Mapped, map_page

__all__ = ["MapPool"]


class MapPool:
    """``workers`` processes mapping pages of listings (``submit`` -> a future :class:`Mapped`)."""

    def __init__(self, mirror_path: Path, workers: int = 1):
        # spawn, not fork: the pull's process runs threads (fetchers, the writer) and holds SQLite
        # connections, neither of which survives a fork safely.
        self._pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                                         initializer=_follow_parent, initargs=(os.getpid(),))
        self._uri = f"{Path(mirror_path).resolve().as_uri()}?mode=ro"

    def submit(self, entity: str, page: list[dict]) -> Future[Mapped] | None:
        """The page's mapping, under way in a worker; None when the page cannot travel as JSON
        (an integer beyond 64 bits, which only the standard library's decoder lets through)."""
        try:
            body = orjson.dumps(page)
        except TypeError:
            return None
        return self._pool.submit(_map, entity, body, self._uri)

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


def _follow_parent(parent: int) -> None:
    """In the worker: exit when the pull's process is gone (killed, it never shuts the pool down).

    A worker left behind would hold the dead sync's output pipes open and live on doing nothing.
    """

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.2)
        os._exit(0)

    threading.Thread(target=watch, name="follow-parent", daemon=True).start()


_skus: dict[str, dict[str, str]] = {}  # per mirror, in the worker: read at its first work-order page


def _map(entity: str, body: bytes, uri: str) -> Mapped:
    skus = None
    if entity == "work_orders":
        skus = _skus.get(uri)
        if skus is None:
            conn = sqlite3.connect(uri, uri=True)
            try:
                skus = _skus[uri] = dict(conn.execute("SELECT id, sku FROM spare_parts WHERE sku IS NOT NULL"))
            finally:
                conn.close()
    return map_page(None, entity, orjson.loads(body), skus, log_rejects=False)
