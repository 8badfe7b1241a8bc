"""File content for offline use: which files, within what budget, fetched politely and resumably.

**Which.** Every live file attached to an asset, or to an open work order (UpKeep status open, on
hold or in progress, not archived): the manuals, wiring diagrams and photos a technician needs at
the machine. A file only on closed work orders is ``not_needed`` (its record is still mirrored).

**Budget** (``--files-budget``, default :data:`sync.settings.DEFAULT_FILES_BUDGET_MB`). UpKeep's file
records carry no size, so the size of each needed file is asked for first (``HEAD`` on its ``url``).
Content already stored counts against the budget; the rest is filled smallest first, so when
everything does not fit it is the *largest* files that are left out: each is marked ``skipped``
with its size and the budget in ``content_note``, listed by the sync and in Datasette. A larger
budget on a later run fetches them.

**Politely.** After the records, one download at a time, optionally paced (``max_rps``), with the
same backoff as the API client on network errors, 429 (``Retry-After``) and 5xx. The ``url`` is a
storage URL (S3 for UpKeep): no session token is sent to it.

**Resumably.** Content is written in 1 MiB chunks, each committed with the file's stored-byte
count, so a download cut by a crash, a kill or a lost connection resumes with ``Range:
bytes=<stored>-`` (or starts over if the server ignores ranges). A file is ``stored`` once its
size matches and its sha256 is recorded.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TypeVar

import httpx

from mirror.db import Mirror
from mirror.file_content import (
    CHUNK_BYTES,
    append_partial,
    drop_content,
    mark_needed,
    mark_stored,
    set_content_state,
    set_size,
    stored_bytes,
    stored_total,
)
from mirror.timestamps import format_utc
from sync.settings import DEFAULT_FILES_BUDGET_MB, MB
from sync.upkeep import RetryPolicy
from sync.upkeep._retry import parse_retry_after
from sync.upkeep.errors import NetworkError

log = logging.getLogger(__name__)

_T = TypeVar("_T")

DEFAULT_BUDGET = DEFAULT_FILES_BUDGET_MB * MB

@dataclass
class ContentReport:
    """What a content run did; ``skipped`` lists (file id, filename, size) left out by the budget."""

    entity: str = "file_content"
    needed: int = 0
    stored_files: int = 0
    downloaded_files: int = 0
    downloaded_bytes: int = 0
    stored_bytes: int = 0
    budget_bytes: int = DEFAULT_BUDGET
    requests: int = 0
    skipped: list[tuple[str, str | None, int]] = field(default_factory=list)
    failed: list[tuple[str, str | None, str]] = field(default_factory=list)
    error: str | None = None
    seconds: float = 0.0


class _Unavailable(Exception):
    """The file cannot be fetched from its url (404, 403...): recorded, the others go on."""


class ContentFetcher:
    """Fetches needed file content into the mirror. ``http`` and ``sleep`` are injectable for tests;
    ``on_chunk(file_id, stored_bytes)`` is called after each committed chunk (a test's kill point)."""

    def __init__(
        self, *, budget_bytes: int = DEFAULT_BUDGET, policy: RetryPolicy | None = None, timeout: float = 60.0,
        max_rps: float | None = None, chunk_bytes: int = CHUNK_BYTES, http: httpx.Client | None = None,
        sleep: Callable[[float], None] = time.sleep, on_chunk: Callable[[str, int], None] | None = None,
    ) -> None:
        if budget_bytes < 0:
            raise ValueError("the files budget must not be negative")
        self.budget = budget_bytes
        self.policy = policy or RetryPolicy()
        self.min_interval = 1.0 / max_rps if max_rps else 0.0
        self.chunk = chunk_bytes
        self._own = http is None
        self.http = http or httpx.Client(timeout=timeout, follow_redirects=True,
                                         headers={"User-Agent": "upkeep-mirror"})
        self.sleep = sleep
        self.on_chunk = on_chunk
        self._last = 0.0

    def close(self) -> None:
        if self._own:
            self.http.close()

    # -- the run ---------------------------------------------------------------------------------

    def run(self, mirror: Mirror, *, should_stop: Callable[[], bool] = lambda: False) -> ContentReport:
        report = ContentReport(budget_bytes=self.budget)
        started = time.monotonic()
        try:
            self._plan_and_fetch(mirror, report, should_stop)
        finally:
            report.seconds = time.monotonic() - started
            report.stored_bytes = stored_total(mirror.connection())
        return report

    def _plan_and_fetch(self, mirror: Mirror, report: ContentReport, should_stop: Callable[[], bool]) -> None:
        with mirror.transaction() as conn:
            rows = mark_needed(conn)
        report.needed = len(rows)
        used = sum((r.size_bytes or r.content_stored_bytes) for r in rows if r.content_state == "stored")
        report.stored_files = sum(1 for r in rows if r.content_state == "stored")
        todo = [r for r in rows if r.content_state != "stored"]
        sizes = {}
        for r in todo:  # sizes first: the budget is decided on sizes, before any content moves
            if should_stop():
                return
            if r.size_bytes is not None:
                sizes[r.id] = r.size_bytes
                continue
            try:
                size = self._head(r.url, report)
            except _Unavailable as exc:
                self._mark(mirror, r.id, "failed", str(exc))
                report.failed.append((r.id, r.filename, str(exc)))
                continue
            sizes[r.id] = size
            with mirror.transaction() as conn:
                set_size(conn, r.id, size)
        left = self.budget - used
        chosen = []
        for r in sorted((r for r in todo if r.id in sizes), key=lambda r: (sizes[r.id], r.id)):
            if sizes[r.id] <= left:
                chosen.append(r)
                left -= sizes[r.id]
            else:
                note = (f"over the files budget: {sizes[r.id] / MB:.1f} MB, {max(left, 0) / MB:.1f} MB of "
                        f"{self.budget / MB:.0f} MB left")
                self._mark(mirror, r.id, "skipped", note)
                report.skipped.append((r.id, r.filename, sizes[r.id]))
        for r in chosen:
            if should_stop():
                return
            try:
                got = self._download(mirror, r.id, r.url, sizes[r.id], report)
            except _Unavailable as exc:
                self._mark(mirror, r.id, "failed", str(exc))
                report.failed.append((r.id, r.filename, str(exc)))
                continue
            report.downloaded_files += 1
            report.stored_files += 1
            report.downloaded_bytes += got

    def _mark(self, mirror: Mirror, file_id: str, state: str, note: str | None) -> None:
        with mirror.transaction() as conn:
            set_content_state(conn, file_id, state, note)

    # -- HTTP with backoff -------------------------------------------------------------------------

    def _pace(self) -> None:
        if self.min_interval:
            wait = self._last + self.min_interval - time.monotonic()
            if wait > 0:
                self.sleep(wait)
        self._last = time.monotonic()

    def _with_retries(self, attempt: Callable[[], _T], url: str) -> _T:
        delay = self.policy.initial
        for n in range(1, self.policy.attempts + 1):
            self._pace()
            try:
                return attempt()
            except (httpx.TransportError, _Transient) as exc:
                if n == self.policy.attempts:
                    raise NetworkError(f"file content unreachable at {_host(url)} ({exc})", method="GET",
                                       path=_host(url)) from exc
                wait = getattr(exc, "retry_after", None)
                wait = wait if wait is not None else min(delay, self.policy.maximum) + random.uniform(
                    0, self.policy.jitter)
                log.info("file content: %s; retry %d in %.1fs", exc, n, wait)
                self.sleep(wait)
                delay *= 2
        raise AssertionError("unreachable")

    def _head(self, url: str, report: ContentReport) -> int:
        def attempt() -> int:
            report.requests += 1
            response = self.http.head(url)
            _check(response)
            length = response.headers.get("content-length")
            if length is None or not length.isdigit():
                raise _Unavailable(f"no size for {_host(url)}: HEAD answered without Content-Length")
            return int(length)

        return self._with_retries(attempt, url)

    def _download(self, mirror: Mirror, file_id: str, url: str, size: int, report: ContentReport) -> int:
        """Fetch the rest of a file; returns bytes received in this run."""
        received = [0]

        def attempt() -> None:
            stored = stored_bytes(mirror.connection(), file_id)
            if stored >= size > 0:
                return
            headers = {"Range": f"bytes={stored}-"} if stored else {}
            report.requests += 1
            with self.http.stream("GET", url, headers=headers) as response:
                _check(response)
                if stored and response.status_code != 206:  # ranges ignored: start over
                    with mirror.transaction() as conn:
                        drop_content(conn, file_id)
                    stored = 0
                buffer = bytearray()
                for piece in response.iter_bytes(self.chunk):
                    buffer += piece
                    while len(buffer) >= self.chunk:
                        stored = self._commit(mirror, file_id, bytes(buffer[: self.chunk]))
                        received[0] += self.chunk
                        del buffer[: self.chunk]
                if buffer:
                    stored = self._commit(mirror, file_id, bytes(buffer))
                    received[0] += len(buffer)
            if stored != size:
                raise _Transient(f"got {stored} of {size} bytes")

        self._with_retries(attempt, url)
        with mirror.transaction() as conn:
            mark_stored(conn, file_id, size, format_utc(_now()))
        return received[0]

    def _commit(self, mirror: Mirror, file_id: str, data: bytes) -> int:
        with mirror.transaction() as conn:
            stored = append_partial(conn, file_id, data)
        if self.on_chunk is not None:
            self.on_chunk(file_id, stored)
        return stored


class _Transient(Exception):
    def __init__(self, message: str, retry_after: float | None = None):
        super().__init__(message)
        self.retry_after = retry_after


def _check(response: httpx.Response) -> None:
    status = response.status_code
    if status == 429 or status >= 500:
        raise _Transient(f"HTTP {status}", parse_retry_after(response.headers.get("Retry-After")))
    if status >= 400:
        raise _Unavailable(f"HTTP {status} at {_host(str(response.request.url))}")


def _host(url: str) -> str:
    try:
        parsed = httpx.URL(url)
    except Exception:
        return "its url"
    return f"{parsed.host}{parsed.path}"


def _now() -> datetime:
    return datetime.now(UTC)
