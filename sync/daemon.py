"""The daemon: an APScheduler (3.x) scheduler that keeps the mirror fresh and the outbox moving.

Jobs (each never overlaps itself; a missed run is run once, not many times):

- ``pull``: incremental pull of every entity, every ``pull_every`` seconds with jitter;
- ``reconcile``: a full pass that also tombstones deletions, every ``reconcile_every`` seconds;
- ``outbox``: every few seconds, replays pending local writes if there are any (whichever process
  queued them: the CLI, Python code, another terminal);
- ``probe``: only while offline, a cheap request with backoff from ``probe_min`` up to
  ``probe_max`` seconds. When UpKeep answers again the outbox is flushed at once, then a pull runs.

The first network failure of any job marks the mirror offline (``connectivity`` row), and pull
and outbox jobs then stand aside until the probe sees UpKeep again. Stopping sets a flag the pull
and the replay check between pages and operations, so the current transaction always finishes.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler

from mirror.db import Mirror
from mirror.outbox import queue_length
from sync import connectivity, replay
from sync.client import Credentials, UpKeepClient
from sync.errors import RetriableError, UpKeepError
from sync.pull import PullOptions, sync_entities
from sync.retry import RetryPolicy

log = logging.getLogger(__name__)

#: A daemon gives up on a request sooner than an interactive sync: the probe takes over from there,
#: and the mirror shows "offline" within seconds of the network going.
DAEMON_RETRIES = RetryPolicy(attempts=4, max_delay=20.0, maximum=8.0)

#: A cheap, always-valid request: one user (the list takes offset and limit).
PROBE = ("/api/v2/users/", {"offset": 0, "limit": 1})


@dataclass
class DaemonConfig:
    pull_every: float = 300.0
    pull_jitter: float = 30.0
    reconcile_every: float = 86_400.0
    outbox_every: float = 5.0
    probe_min: float = 5.0
    probe_max: float = 300.0
    page_size: int = 100


class Daemon:
    """Owns the scheduler and one UpKeep client per job (clients are not shared across threads)."""

    def __init__(self, mirror: Mirror, credentials: Credentials, config: DaemonConfig | None = None):
        self.mirror = mirror
        self.config = config or DaemonConfig()
        self._credentials = credentials
        self._clients: dict[str, UpKeepClient] = {}
        self._probe_delay = self.config.probe_min
        self.stopping = threading.Event()
        self.scheduler = BackgroundScheduler(
            executors={"default": ThreadPoolExecutor(3)},
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600},
            timezone=UTC,
        )

    # --- lifecycle ------------------------------------------------------------------------------

    def start(self) -> None:
        c, now = self.config, datetime.now(UTC)
        connectivity.record(self.mirror, heartbeat=True)
        self.scheduler.add_job(self.pull, "interval", seconds=c.pull_every, jitter=c.pull_jitter or None,
                               id="pull", next_run_time=now)
        self.scheduler.add_job(self.pull, "interval", seconds=c.reconcile_every, kwargs={"full": True},
                               id="reconcile", next_run_time=now + timedelta(seconds=c.reconcile_every))
        self.scheduler.add_job(self.flush, "interval", seconds=c.outbox_every, id="outbox",
                               next_run_time=now + timedelta(seconds=min(1.0, c.outbox_every)))
        if not connectivity.is_online(self.mirror):
            self._schedule_probe(0)
        self.scheduler.start()
        log.info("daemon started: pull every %ss, outbox every %ss", c.pull_every, c.outbox_every)

    def stop(self) -> None:
        """Finish the current page or operation, then stop every job."""
        self.stopping.set()
        if self.scheduler.running:
            self.scheduler.shutdown(wait=True)
        for client in self._clients.values():
            client.close()
        log.info("daemon stopped")

    # --- jobs -----------------------------------------------------------------------------------

    def pull(self, full: bool = False) -> None:
        if self.stopping.is_set() or not connectivity.is_online(self.mirror):
            return
        options = PullOptions(page_size=self.config.page_size, full=full, should_stop=self.stopping.is_set)
        results = sync_entities(self.mirror, self._client("pull"), None, options)
        connectivity.record(self.mirror, heartbeat=True)
        unreachable = next((r for r in results if r.unreachable), None)
        if unreachable:
            self._went_offline(f"pull of {unreachable.entity}: {unreachable.error}")
            return
        if all(r.finished for r in results):
            connectivity.record(self.mirror, pulled=True)
        for r in results:
            log.info("pulled %s: %s fetched, %s changed, %s deleted, %s rejected%s", r.entity, r.fetched,
                     r.upserted, r.tombstoned, r.rejected, f", error: {r.error}" if r.error else "")

    def flush(self) -> None:
        if self.stopping.is_set() or not connectivity.is_online(self.mirror):
            return
        with self.mirror.session() as s:
            if not queue_length(s):  # pending or sending, queued by whichever process
                return
        try:
            report = replay.flush(self.mirror, self._client("outbox"), should_stop=self.stopping.is_set)
        except RetriableError as exc:
            self._went_offline(f"outbox: {exc}")
            return
        if getattr(report, "unreachable", False):
            self._went_offline(f"outbox: {getattr(report, 'last_error', 'UpKeep unreachable')}")
            return
        connectivity.record(self.mirror, flushed=True, heartbeat=True)
        log.info("outbox: %s", report)

    def probe(self) -> None:
        if self.stopping.is_set():
            return
        try:
            self._client("probe").get_list(*PROBE)
        except UpKeepError as exc:
            connectivity.mark_offline(self.mirror, f"probe: {exc}")
            self._probe_delay = min(self._probe_delay * 2, self.config.probe_max)
            log.info("UpKeep still unreachable; next probe in %.0fs", self._probe_delay)
            self._schedule_probe(self._probe_delay)
            return
        connectivity.mark_online(self.mirror)
        self._probe_delay = self.config.probe_min
        log.info("UpKeep reachable again: flushing the outbox, then pulling")
        self.flush()
        self.pull()

    # --- helpers --------------------------------------------------------------------------------

    def _went_offline(self, error: str) -> None:
        if connectivity.mark_offline(self.mirror, error):
            log.warning("UpKeep unreachable, working offline: %s", error)
        self._schedule_probe(self._probe_delay)

    def _schedule_probe(self, delay: float) -> None:
        if self.stopping.is_set():
            return
        self.scheduler.add_job(self.probe, "date", run_date=datetime.now(UTC) + timedelta(seconds=delay),
                               id="probe", replace_existing=True)

    def _client(self, job: str) -> UpKeepClient:
        if job not in self._clients:
            self._clients[job] = UpKeepClient(self._credentials, policy=DAEMON_RETRIES)
        return self._clients[job]
