"""The sync's use cases: pull everything, flush the outbox. The CLI and the daemon both call them.

Each use case runs its work and records in the mirror's ``connectivity`` row what that work says
about UpKeep (:mod:`mirror.connectivity` keeps the row; here is decided when to record what), and
returns an outcome saying what happened. The callers only present it: ``upkeep-mirror sync`` and
``outbox flush`` turn it into their output and exit code, the daemon into its log lines and its
scheduling (going offline starts the probe, a full pass that did not get through is due again).

``source`` names the caller in the row (``sync``, ``outbox flush``, ``daemon pull``, ``daemon
outbox``): a success clears a standing fatal error of the same kind of job only.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from mirror import connectivity
from mirror.db import Mirror
from sync.pull import (
    FieldworkOptions,
    PullOptions,
    PullResult,
    pull_fieldwork,
    recall_page_size,
    record_page_size,
    sync_entities,
)
from sync.upkeep import FatalError, RetriableError, UpKeepClient

if TYPE_CHECKING:  # the replayer (and the ORM it needs) is loaded only by a flush: `sync` never loads it
    from sync.replay import ReplayReport

OK, PARTIAL = "ok", "partial"
UNREACHABLE, FATAL = connectivity.UNREACHABLE, connectivity.FATAL


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass
class PullOutcome:
    """What :func:`pull_all` did.

    ``status``: ``ok`` (every entity finished), ``partial`` (stopped, or some listing refused:
    UpKeep answered), ``unreachable`` (recorded offline) or ``fatal`` (recorded as a standing
    error); ``error`` is the sentence recorded for the last two. ``changed``: this run took the
    mirror offline, or its fatal error is a new one (say it once). ``fieldwork``: the field-work
    steps' results, ``None`` when they did not run; ``fieldwork_error``: why they stopped
    (``fieldwork_unreachable``: UpKeep out of reach, recorded offline; ``fieldwork_went_offline``:
    this was the moment the mirror went offline).
    """

    results: list[PullResult]
    status: str
    error: str | None = None
    changed: bool = False
    fieldwork: list[Any] | None = None
    fieldwork_error: str | None = None
    fieldwork_unreachable: bool = False
    fieldwork_went_offline: bool = False

    @property
    def failed(self) -> list[PullResult]:
        return [r for r in self.results if r.error]


@dataclass
class FlushOutcome:
    """What :func:`flush_outbox` did.

    ``report`` is the replayer's (``None``: nothing was waiting, nothing ran). ``unreachable``:
    UpKeep could not be reached (recorded offline; ``went_offline``: at this moment); ``fatal``:
    the flush stopped on a setup problem (recorded; ``fatal_new``: not the error already standing);
    ``error``: the sentence recorded for either, ``reason``: the failure's own sentence.
    ``waiting``: operations found waiting (counted only with ``only_waiting``).
    """

    report: ReplayReport | None = None
    went_offline: bool = False
    fatal: bool = False
    fatal_new: bool = False
    error: str | None = None
    reason: str | None = None
    waiting: int = 0

    @property
    def busy(self) -> bool:
        """Another replayer was running on this mirror: nothing was sent, nothing recorded."""
        return self.report is not None and self.report.busy

    @property
    def unreachable(self) -> bool:
        """The replayer stopped because UpKeep could not be reached (recorded offline)."""
        return self.report is not None and self.report.unreachable


def pull_all(mirror: Mirror, client: UpKeepClient, options: PullOptions, *, source: str,
             entities: Sequence[str] | None = None, fieldwork: FieldworkOptions | None = None,
             heartbeat: bool = False, clock: Callable[[], datetime] = _now,
             on_back_online: Callable[[datetime], None] | None = None,
             on_recorded: Callable[[PullOutcome], None] | None = None) -> PullOutcome:
    """Pull the records, record what the pull says about UpKeep, then pull the field work.

    Field work (checklists, files, file content; ``fieldwork`` says how) follows only a complete
    pull of every entity (``entities`` None) that was not asked to stop. ``on_back_online`` is
    called with the moment the mirror went offline when this pull is the first to see UpKeep
    again, before the field work (the daemon hands over to its outbox job at once);
    ``on_recorded`` with the records' outcome, before the field work (to report it at once).
    """
    results = sync_entities(mirror, client, list(entities) if entities else None, options)
    outcome = _record_pull(mirror, results, source=source, heartbeat=heartbeat, now=clock(),
                           on_back_online=on_back_online)
    if on_recorded is not None:
        on_recorded(outcome)
    if fieldwork is not None and entities is None and outcome.status == OK and not options.should_stop():
        try:
            outcome.fieldwork = pull_fieldwork(mirror, client, fieldwork)
        except RetriableError as exc:
            outcome.fieldwork_error, outcome.fieldwork_unreachable = str(exc), True
            outcome.fieldwork_went_offline = connectivity.mark_offline(mirror, str(exc), source=source, now=clock())
        except FatalError as exc:
            outcome.fieldwork_error = str(exc)
    return outcome


def _record_pull(mirror: Mirror, results: list[PullResult], *, source: str, heartbeat: bool, now: datetime,
                 on_back_online: Callable[[datetime], None] | None) -> PullOutcome:
    """Record what a pull's results say about UpKeep: offline, a fatal error, or online and stamped."""
    prefix = "sync" if source == "sync" else "pull"
    failed = next((r for r in results if r.unreachable), None)
    if failed is None:  # UpKeep answered
        since = connectivity.mark_online(mirror, now=now)
        if since is not None and on_back_online is not None:
            on_back_online(since)
        failed = next((r for r in results if r.fatal), None)
    if failed is not None:
        error = f"{prefix} of {failed.entity}: {failed.error}"
        kind, recorder = ((UNREACHABLE, connectivity.mark_offline) if failed.unreachable
                          else (FATAL, connectivity.record_fatal))
        changed = recorder(mirror, error, source=source, now=now)
        if heartbeat:
            connectivity.record(mirror, heartbeat=True)
        return PullOutcome(results, kind, error, changed)
    finished = bool(results) and all(r.finished for r in results)
    connectivity.succeeded(mirror, source, pulled=finished, heartbeat=heartbeat, now=now)
    return PullOutcome(results, OK if finished else PARTIAL)


def flush_outbox(mirror: Mirror, client: UpKeepClient, *, source: str, only_waiting: bool = False,
                 heartbeat: bool = False, clock: Callable[[], datetime] | None = None,
                 on_back_online: Callable[[datetime], None] | None = None, **replay: Any) -> FlushOutcome:
    """Replay the outbox to UpKeep and record what that says about UpKeep.

    ``only_waiting``: do nothing (and record nothing) when no operation is pending or sending.
    ``replay``: the replayer's options (``policy``, ``settle``, ``should_stop``...). A fatal error
    is recorded and returned, not raised. A flush that got through is recorded as a success
    (online, the flush stamped, a standing outbox error cleared); ``on_back_online`` as in
    :func:`pull_all`.
    """
    from mirror.outbox import queue_length
    from sync.replay import flush

    outcome = FlushOutcome()
    if only_waiting:
        with mirror.session() as s:
            outcome.waiting = queue_length(s)  # pending or sending, queued by whichever process
        if not outcome.waiting:
            return outcome
    if clock is not None:
        replay["clock"] = clock
    now = clock or _now
    prefix = source.removeprefix("daemon ")
    recall_page_size(mirror, client)  # the look-ups after lost answers page like the pull
    try:
        report = outcome.report = flush(mirror, client, **replay)
    except FatalError as exc:
        outcome.fatal, outcome.reason, outcome.error = True, str(exc), f"{prefix}: {exc}"
        outcome.fatal_new = connectivity.record_fatal(mirror, outcome.error, source=source, now=now())
        return outcome
    if report.busy:
        return outcome
    record_page_size(mirror, client)
    if report.unreachable:
        outcome.reason = report.last_error or "UpKeep unreachable"
        outcome.error = f"{prefix}: {outcome.reason}"
        outcome.went_offline = connectivity.mark_offline(mirror, outcome.error, source=source, now=now())
        return outcome
    since = connectivity.mark_online(mirror, now=now())
    if since is not None and on_back_online is not None:
        on_back_online(since)
    connectivity.succeeded(mirror, source, flushed=True, heartbeat=heartbeat, now=now())
    return outcome
