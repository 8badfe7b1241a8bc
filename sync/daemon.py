"""The daemon: an APScheduler (3.x) scheduler that keeps the mirror fresh and the outbox moving.

Jobs (each never overlaps itself; a missed run is run once, not many times):

- ``pull``: incremental pull of every entity, every ``pull_every`` seconds with jitter; when a
  reconciliation is due it runs the full pass instead (see ``reconcile``);
- ``reconcile``: every ``reconcile_every`` seconds, marks a full pass (tombstones deletions) as due
  and asks the ``pull`` job to run now. Pull and reconcile are one job, so they never run at once;
- ``outbox``: every few seconds, replays pending local writes if there are any (whichever process
  queued them: the CLI, Python code, another terminal); work orders and requests go at the pace of
  creates (``creates_per_minute``), and when one waits its turn the job runs again at that turn;
- ``probe``: only while offline, a cheap request (``sync.upkeep.endpoints.PROBE``) with backoff
  from ``probe_min`` up to ``probe_max`` seconds. Any HTTP answer means UpKeep answers: a refusal
  of the request itself (403: an object hidden from this account) is no error of the mirror's;
  only a refused login stands as a fatal error. When UpKeep answers again it does not flush or
  pull itself: it asks the ``outbox`` job to run now, which then asks the ``pull`` job to run now.

One owner each: every job has its own UpKeep client (its own connections) and nothing
else runs its work; the clients share one UpKeep session (``UpKeepSession``: one login per
daemon, renewed before it expires), which the daemon ends (``DELETE /auth``) when it stops; what one job hands to another goes through the scheduler (``modify_job``) or
a thread-safe queue. The one replayer per mirror is also enforced by :mod:`sync.replay`'s lock and
compare-and-set, so a replay started by hand elsewhere cannot interleave either.

The work of the pull and outbox jobs is the sync service's (:mod:`sync.service`), which records
what it found; this module schedules it and logs it.
Failures are recorded where people look (:mod:`mirror.connectivity`): the first network failure
of any job marks the mirror offline, and pull and outbox jobs then stand aside until the probe
sees UpKeep again; a fatal error (credentials refused, an unexpected error) is logged at ERROR
once and stands in ``connectivity`` until the job succeeds. When UpKeep answers again, one INFO
line says so: "back online after 12 min; 5 writes sent". Stopping sets a flag the pull and the
replay check between pages and operations, so the current transaction always finishes.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler

from mirror import connectivity
from mirror.db import Mirror
from mirror.outbox import delivered_since
from mirror.timestamps import spoken_duration
from sync.pull import FieldworkOptions, PullOptions
from sync.service import OK, UNREACHABLE, PullOutcome, flush_outbox, pull_all
from sync.settings import (
    DEFAULT_CREATES_PER_MINUTE,
    DEFAULT_FILES_BUDGET_MB,
    DEFAULT_OUTBOX_EVERY,
    DEFAULT_PROBE_MAX,
    DEFAULT_PROBE_MIN,
    DEFAULT_PULL_EVERY,
    DEFAULT_RECONCILE_EVERY,
    MB,
)
from sync.upkeep import (
    Credentials,
    FatalError,
    RetriableError,
    RetryPolicy,
    UpKeepClient,
    UpKeepError,
    UpKeepSession,
)
from sync.upkeep.endpoints import PROBE
from sync.upkeep.paging import DEFAULT_LIMIT

log = logging.getLogger(__name__)
#: Going offline and coming back, on a logger of their own so a quiet front end (the demo, which logs
#: only warnings) can still show the one "back online" line.
link_log = logging.getLogger(__name__ + ".link")

#: A daemon gives up on a request sooner than an interactive sync: the probe takes over from there,
#: and the mirror shows "offline" within seconds of the network going.
DAEMON_RETRIES = RetryPolicy(attempts=4, max_delay=20.0, maximum=8.0)

#: The probe is itself the retry loop (with its own backoff): one request, no retries.
PROBE_RETRIES = RetryPolicy(attempts=1)

JOBS = ("pull", "outbox", "probe")


@dataclass
class DaemonConfig:
    pull_every: float = DEFAULT_PULL_EVERY
    pull_jitter: float = DEFAULT_PULL_EVERY / 10
    reconcile_every: float = DEFAULT_RECONCILE_EVERY
    outbox_every: float = DEFAULT_OUTBOX_EVERY
    probe_min: float = DEFAULT_PROBE_MIN
    probe_max: float = DEFAULT_PROBE_MAX
    page_size: int = DEFAULT_LIMIT
    files_budget_mb: int = DEFAULT_FILES_BUDGET_MB  # file content kept offline (sync.pull.files); 0: none
    creates_per_minute: float = DEFAULT_CREATES_PER_MINUTE  # the pace of creates (sync.replay.Pace); 0: unpaced


def _quiet_library_logs() -> None:
    """APScheduler logs every run at INFO and a skipped overlapping run (``max_instances``) or a late
    one at WARNING, httpx every request at INFO: the daemon's own lines say what happened, so only
    their warnings and errors are kept."""
    logging.getLogger("apscheduler").setLevel(logging.ERROR)
    for name in ("httpx", "httpcore"):
        logging.getLogger(name).setLevel(logging.WARNING)


class Daemon:
    """Owns the scheduler, one UpKeep client per job (clients are not shared across jobs) and the one
    UpKeep session they share.

    ``clock`` gives the time used for scheduling and for the times recorded in ``connectivity``
    (tests pass a fake one and run the jobs by hand on a paused scheduler).
    """

    def __init__(self, mirror: Mirror, credentials: Credentials, config: DaemonConfig | None = None, *,
                 clock: Callable[[], datetime] | None = None):
        self.mirror = mirror
        self.config = config or DaemonConfig()
        self.clock = clock or (lambda: datetime.now(UTC))
        self.session = UpKeepSession(credentials.session_token)
        self._clients = {job: UpKeepClient(credentials, policy=PROBE_RETRIES if job == "probe" else DAEMON_RETRIES,
                                           session=self.session)
                         for job in JOBS}
        self.stopping = threading.Event()
        self._reconcile_due = threading.Event()
        self._back_online: queue.SimpleQueue[datetime] = queue.SimpleQueue()  # probe -> outbox job
        self._probe_lock = threading.Lock()  # guards _probe_delay and the probe job's scheduling
        self._probe_delay = self.config.probe_min
        self.scheduler = BackgroundScheduler(
            executors={"default": ThreadPoolExecutor(len(JOBS) + 1)},
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600},
            timezone=UTC,
        )

    # --- lifecycle ------------------------------------------------------------------------------

    def start(self, *, paused: bool = False) -> None:
        c, now = self.config, self.clock()
        _quiet_library_logs()
        connectivity.record(self.mirror, heartbeat=True)
        self.scheduler.add_job(self._guarded(self.pull, "daemon pull"), "interval", seconds=c.pull_every,
                               jitter=c.pull_jitter or None, id="pull", next_run_time=now)
        self.scheduler.add_job(self.reconcile, "interval", seconds=c.reconcile_every, id="reconcile",
                               next_run_time=now + timedelta(seconds=c.reconcile_every))
        self.scheduler.add_job(self._guarded(self.flush, "daemon outbox"), "interval", seconds=c.outbox_every,
                               id="outbox", next_run_time=now + timedelta(seconds=min(1.0, c.outbox_every)))
        if not connectivity.is_online(self.mirror):
            self._schedule_probe(0)
        self.scheduler.start(paused=paused)
        log.info("daemon started: pull every %ss, outbox every %ss", c.pull_every, c.outbox_every)

    def stop(self) -> None:
        """Finish the current page or operation, stop every job, then log out of UpKeep."""
        self.stopping.set()
        if self.scheduler.running:
            self.scheduler.shutdown(wait=True)
        self._clients["probe"].log_out()  # the shared session: once, by whichever client
        for client in self._clients.values():
            client.close()
        log.info("daemon stopped")

    # --- jobs -----------------------------------------------------------------------------------

    def pull(self, full: bool | None = None) -> None:
        """The pull job: incremental, or the full pass when one is due (or ``full`` says so)."""
        if self.stopping.is_set() or not connectivity.is_online(self.mirror):
            return
        if full is None:
            full = self._reconcile_due.is_set()
        if full:
            self._reconcile_due.clear()
        c = self.config
        budget = c.files_budget_mb * MB
        outcome = pull_all(
            self.mirror, self._clients["pull"],
            PullOptions(page_size=c.page_size, full=full, should_stop=self.stopping.is_set),
            fieldwork=FieldworkOptions(page_size=c.page_size, full=full, content=budget > 0,
                                       content_budget_bytes=budget, should_stop=self.stopping.is_set),
            source="daemon pull", heartbeat=True, clock=self.clock, on_back_online=self._back_online_since,
            on_recorded=lambda o: self._pulled(o, full))
        if outcome.fieldwork_unreachable:
            self._offline(outcome.fieldwork_error or "UpKeep unreachable", went=outcome.fieldwork_went_offline)
        elif outcome.fieldwork_error:
            log.error("field work pull failed: %s", outcome.fieldwork_error)
        for r in outcome.fieldwork or ():
            if r.entity == "file_content":
                log.info("file content: %s offline, %s fetched (%.1f MB), %s left out by the budget",
                         r.stored_files, r.downloaded_files, r.downloaded_bytes / MB, len(r.skipped))
            elif r.error:
                log.warning("pull of %s: %s", r.entity, r.error)
            else:
                log.info("pulled %s: %s fetched, %s changed", r.entity, r.fetched, r.upserted)

    def _pulled(self, outcome: PullOutcome, full: bool) -> None:
        """The records are pulled and recorded: log them (before the field work starts)."""
        if full and outcome.status != OK:
            self._reconcile_due.set()  # the full pass did not get through: the next pull tries again
        if outcome.status == UNREACHABLE:
            self._offline(outcome.error or "UpKeep unreachable", went=outcome.changed)
            return
        for r in outcome.results:
            if r.fatal:
                (log.error if outcome.changed else log.debug)("pull of %s failed: %s", r.entity, r.error)
            elif r.error and not r.stops_run:
                log.warning("pull of %s: %s", r.entity, r.error)
            else:
                log.info("pulled %s: %s fetched, %s changed, %s deleted, %s rejected%s", r.entity, r.fetched,
                         r.upserted, r.tombstoned, r.rejected, f" ({r.error})" if r.error else "")

    def reconcile(self) -> None:
        """The reconcile job: a full pass is due; the pull job runs it now (never beside a pull)."""
        self._reconcile_due.set()
        self._run_now("pull")

    def flush(self) -> None:
        """The outbox job: replay what is waiting; after the probe saw UpKeep again, say so and pull."""
        if self.stopping.is_set():
            return
        if not connectivity.is_online(self.mirror):
            return  # a back-online event waits in the queue for a run that can report it
        back = None
        while not self._back_online.empty():
            back = self._back_online.get()
        outcome = flush_outbox(self.mirror, self._clients["outbox"], source="daemon outbox", only_waiting=True,
                               heartbeat=True, clock=self.clock, on_back_online=self._back_online_since,
                               should_stop=self.stopping.is_set, pace=self.config.creates_per_minute)
        if outcome.report is not None and outcome.report.next_turn is not None:
            self._next_turn(outcome.report.next_turn)
        if outcome.fatal:
            self._fatal_logged(outcome.error or "", outcome.fatal_new)
            return
        if outcome.unreachable:
            self._offline(outcome.error or "", went=outcome.went_offline)
            return
        if outcome.busy:
            log.info("outbox: %s", outcome.report)
            return
        if outcome.report is not None:
            log.info("outbox: %s", outcome.report)
        elif back is not None:  # nothing was waiting: the run still counts as the daemon's
            connectivity.succeeded(self.mirror, "daemon outbox", heartbeat=True, now=self.clock())
        if back is not None:
            away = spoken_duration((self.clock() - back).total_seconds())
            with self.mirror.session() as s:  # also what a flush under way when it came back delivered
                sent = delivered_since(s, back)
            link_log.info("back online after %s; %d write%s sent", away, sent, "" if sent == 1 else "s")
            self._run_now("pull")

    def _next_turn(self, turn: datetime) -> None:
        """Creates wait their turn (the pace): run the outbox job again then, if sooner than its interval."""
        job = self.scheduler.get_job("outbox")
        if job is not None and job.next_run_time is not None and turn < job.next_run_time and not self.stopping.is_set():
            with contextlib.suppress(LookupError):  # not scheduled (stopping): nothing to do
                self.scheduler.modify_job("outbox", next_run_time=turn)

    def probe(self) -> None:
        """While offline: one cheap request; when UpKeep answers, hand over to the outbox job."""
        if self.stopping.is_set():
            return
        try:
            self._clients["probe"].get_list(*PROBE)
        except RetriableError as exc:
            connectivity.mark_offline(self.mirror, f"probe: {exc}", source="daemon probe", now=self.clock())
            with self._probe_lock:
                self._probe_delay = min(self._probe_delay * 2, self.config.probe_max)
                delay = self._probe_delay
            log.info("UpKeep still unreachable; next probe in %.0fs", delay)
            self._schedule_probe(delay, replace=True)
            return
        except FatalError as exc:  # UpKeep answered, but the login is refused: reachable, nothing will work
            self._fatal("daemon probe", f"probe: {exc}")
        except UpKeepError as exc:  # UpKeep answered and refused this request (e.g. 403): it answers
            log.debug("probe answered: %s", exc)
            connectivity.succeeded(self.mirror, "daemon probe", now=self.clock())
        else:
            connectivity.succeeded(self.mirror, "daemon probe", now=self.clock())
        with self._probe_lock:
            self._probe_delay = self.config.probe_min
        self._answered()

    # --- helpers --------------------------------------------------------------------------------

    def _answered(self) -> None:
        """The probe saw UpKeep: record it online and, if it was offline, hand over (below)."""
        since = connectivity.mark_online(self.mirror, now=self.clock())
        if since is not None:
            self._back_online_since(since)

    def _back_online_since(self, since: datetime) -> None:
        """UpKeep answered again (the probe, a pull or a flush) after being offline since ``since``: hand
        over to the outbox job, which sends what waits, logs the one back-online line, then asks for a pull."""
        self._back_online.put(since)
        self._run_now("outbox")

    def _guarded(self, job: Callable[[], None], source: str) -> Callable[[], None]:
        """A job that never lets an exception reach APScheduler (which would log a traceback per run):
        an unexpected error is recorded as the job's fatal error and logged at ERROR once."""
        def run() -> None:
            try:
                job()
            except Exception as exc:
                self._fatal(source, f"{source.removeprefix('daemon ')}: unexpected error: {exc!r}", exc=exc)

        run.__name__ = getattr(job, "__name__", source)
        return run

    def _fatal(self, source: str, error: str, exc: BaseException | None = None) -> None:
        new = connectivity.record_fatal(self.mirror, error, source=source, now=self.clock())
        self._fatal_logged(error, new, exc)

    def _fatal_logged(self, error: str, new: bool, exc: BaseException | None = None) -> None:
        """A recorded fatal error: at ERROR when it is new, else at DEBUG."""
        if new:
            log.error("%s (the job goes on trying; this is logged again only if the error changes)", error,
                      exc_info=exc)
        else:
            log.debug("still failing: %s", error)

    def _offline(self, error: str, *, went: bool) -> None:
        """UpKeep did not answer (recorded by the sync service; ``went``: this took the mirror offline):
        say so once, and start probing."""
        if went:
            link_log.warning("UpKeep unreachable, working offline: %s", error)
        self._schedule_probe(None)

    def _schedule_probe(self, delay: float | None, *, replace: bool = False) -> None:
        """Schedule the next probe (``None``: the current backoff) unless one is already waiting."""
        if self.stopping.is_set():
            return
        with self._probe_lock:
            if not replace and self.scheduler.get_job("probe") is not None:
                return
            wait = self._probe_delay if delay is None else delay
            self.scheduler.add_job(self._guarded(self.probe, "daemon probe"), "date",
                                   run_date=self.clock() + timedelta(seconds=wait), id="probe",
                                   replace_existing=True)

    def _run_now(self, job_id: str) -> None:
        """Ask a job to run at once, in its own thread, instead of running its work here."""
        if self.stopping.is_set():
            return
        with contextlib.suppress(LookupError):  # not scheduled (stopping): nothing to do
            self.scheduler.modify_job(job_id, next_run_time=self.clock())
