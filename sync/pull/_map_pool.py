"""Mapping a big listing's pages in another process, so a first sync uses a second core.

Mapping an UpKeep object (type checks, conversions) and making its row's values is pure Python.
In the pull's process it holds the one interpreter lock the fetch threads and the writer also
need, and a first sync of a big account was bound by that lock, not by the network or SQLite.
For a big listing (one the pull cuts into windows: a first sync or a reconciliation of a big
entity) pages go to a worker process instead: the fetch thread sends the page as JSON bytes and
goes on with the next request; the writer takes the mapped page (the rows' values, their ids,
the rejects) when it comes to that page. Incremental and no-change syncs never start it.

The worker is ``python -m sync.pull._map_worker`` with a pipe each way: length-prefixed pickles, answered
in the order asked. Not ``multiprocessing``: its start methods either fork a process full of
threads and SQLite connections, or re-import the caller's ``__main__`` (a user's script that
syncs at top level would sync again in the worker). When the pull's process dies, killed or
not, the worker reads the end of its input and exits. It reads work orders' part SKUs from the
mirror itself (read-only), once: the pull lists parts before work orders, so they are committed.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import subprocess
import sys
import threading
from collections import deque
from concurrent.futures import Future
from pathlib import Path

import orjson

from sync.pull._map import Mapped
from sync.pull._map_worker import receive, send

__all__ = ["MapPool", "WorkerGone"]

class WorkerGone(RuntimeError):
    """The mapping worker process ended before answering (killed, out of memory)."""


class Answer(Future):
    """A page's mapping from the worker, kept pickled until the writer reaches that page.

    Pages wait between the worker and the writer while it commits; pickled, each takes about
    half the memory it takes as Python objects, so more can wait and the worker need not.
    """

    def mapped(self) -> Mapped:
        return pickle.loads(self.result())


class MapPool:
    """``workers`` processes mapping pages of listings (``submit`` -> an :class:`Answer`)."""

    def __init__(self, mirror_path: Path, workers: int = 1):
        uri = f"{Path(mirror_path).resolve().as_uri()}?mode=ro"
        self._workers = [_Worker(uri) for _ in range(max(1, workers))]
        self._next = 0

    def submit(self, entity: str, page: list[dict]) -> Answer | None:
        """The page's mapping, under way in a worker; None when the page cannot travel as JSON
        (an integer beyond 64 bits, which only the standard library's decoder lets through)."""
        try:
            body = orjson.dumps(page)
        except TypeError:
            return None
        worker = self._workers[self._next % len(self._workers)]
        self._next += 1
        return worker.submit(entity, body)

    def close(self) -> None:
        for worker in self._workers:
            worker.close()


class _Worker:
    """One worker process; futures answered in the order the pages were sent."""

    def __init__(self, uri: str):
        package_root = str(Path(__file__).resolve().parents[2])  # so `-m sync.pull._map_worker` finds this code
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [package_root, os.environ.get("PYTHONPATH")]))}
        self._proc = subprocess.Popen([sys.executable, "-m", "sync.pull._map_worker", uri], stdin=subprocess.PIPE,
                                      stdout=subprocess.PIPE, env=env)
        self.pending: deque[Answer] = deque()
        self._send_lock = threading.Lock()  # a page and its future go in together, in order
        self._reader = threading.Thread(target=self._read, name="map-results", daemon=True)
        self._reader.start()

    def submit(self, entity: str, body: bytes) -> Answer:
        future = Answer()
        with self._send_lock:
            self.pending.append(future)
            with contextlib.suppress(OSError, ValueError):  # the worker is gone: the reader fails the futures
                send(self._proc.stdin, (entity, body))
        return future

    def _read(self) -> None:
        try:
            while (answer := receive(self._proc.stdout)) is not None:
                ok, value = answer
                future = self.pending.popleft()
                if ok:
                    future.set_result(value)
                else:
                    future.set_exception(RuntimeError(f"mapping a page failed in the worker: {value}"))
        finally:  # whatever ended the answers, nobody waits forever
            code = self._proc.wait()
            while self.pending:
                self.pending.popleft().set_exception(WorkerGone(f"the mapping worker ended (exit code {code})"))

    def close(self) -> None:
        with self._send_lock:
            if self._proc.stdin and not self._proc.stdin.closed:
                self._proc.stdin.close()  # end of input: the worker exits
        self._reader.join(timeout=30)
        if self._proc.poll() is None:
            self._proc.kill()
            self._proc.wait()
