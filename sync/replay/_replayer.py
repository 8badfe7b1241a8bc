"""Replay the outbox to UpKeep: per record in seq order, exactly once in effect, never dropping a write.

``flush(mirror, client)`` sends every operation that is ready (``mirror.outbox.ready_ops``: the
first open operation of its record, due now) and writes UpKeep's answer back into the mirror in
the same transaction that marks the operation done. The daemon calls it every few seconds and
at once when UpKeep is reachable again; ``upkeep-mirror outbox flush`` calls it by hand.

- Order: a record's operations go one at a time in seq order; a record whose first open
  operation is dead, in conflict or waiting for its retry time is skipped, others go on.
- Parallel: a flush works in rounds (``sync.replay._round``): the first ready operation of up to
  100 records, ``workers`` requests in flight at once through one thread-safe client. Records
  are distinct within a round and a record's next operation is ready only once this one is
  settled, so a record's operations never overlap. The mirror has one writer: the flush's own
  thread; the worker threads only speak HTTP.
- Transient failures (network, 429, 5xx): the client retries what is safe to retry; when that is
  exhausted the operation goes back to ``pending`` with ``next_attempt_at`` (a re-armed timer).
  A failure that says UpKeep is unreachable (no connection, 429, 503) ends the flush with
  ``report.unreachable`` so the daemon can go offline; nothing is dropped.
- Permanent failures (400, 403, 404): ``dead`` with UpKeep's message.
- Pace (``pace``, :mod:`sync.replay._pace`): creates UpKeep announces to people (work orders,
  requests) go one per turn, at most ``pace.per_minute`` a minute; a create whose turn has not
  come stays pending for a later flush (``report.held_back``, ``report.next_turn``), and the
  flush goes on with the other records' operations. A record's later operations wait for its
  create as always.
- One replayer at a time per mirror, across processes and threads: ``flush`` holds the lock file
  ``<mirror>.outbox.lock`` while it runs; a second ``flush`` returns at once with ``report.busy``.
  An operation found in ``sending`` therefore belongs to a replayer that died, never to one
  still waiting for its answer.
- Every state change is a compare-and-set on the state and attempt count this replayer read
  (:func:`mirror.outbox._queue._transition`): only the replayer that claimed an operation (``pending`` ->
  ``sending``) sends it; one that finds it changed meanwhile logs that and skips it, and never
  overwrites (an operation delivered by someone else is never turned back into ``pending``).
- Exactly-once: ``sending`` is committed before each request leaves (a round's claims in one
  transaction, its answers in another); after a lost answer (ambiguous failure) or a crash the
  replayer looks for the record it may have created before sending again, one operation at a
  time (see ``sync.replay._match`` for the matching rule).
- Conflicts: before a PATCH the replayer looks at UpKeep's record (for a round's updates, one
  listing of what changed since their ``as_of_ms``, else a GET); if UpKeep changed a field the
  operation sets since the operation's base, it stops in ``conflict`` with both values. Other
  remote changes are left alone: the PATCH carries only the operation's fields (the merge).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from tenacity import Retrying, retry_if_exception

from mirror import outbox
from mirror.db import Mirror
from mirror.lock import MirrorBusy, writer_lock
from mirror.outbox import OutboxOp
from mirror.references import part_skus
from mirror.store import upsert_rows
from mirror.vocabulary import PACED_KINDS, WAITING_STATES, OpState
from sync.crashpoints import crash_point
from sync.mapping import MalformedObject, transform
from sync.replay._handlers import HANDLERS
from sync.replay._pace import Pace
from sync.replay._round import Round, Unreachable, describe, unreachable
from sync.upkeep import RetryPolicy, UpKeepClient
from sync.upkeep.errors import FatalError, RejectedError, RetriableError

log = logging.getLogger(__name__)


@dataclass
class ReplayReport:
    """What one flush did. ``unreachable``: it stopped because UpKeep could not be reached."""

    done: int = 0  # operations UpKeep accepted (or already had)
    created: int = 0
    updated: int = 0
    messages: int = 0
    found_after_loss: int = 0  # creates found on UpKeep after a lost answer, not sent again
    already_applied: int = 0  # updates UpKeep already held, not sent again
    conflicts: int = 0
    dead: int = 0
    deferred: int = 0  # transient failures left pending for a later attempt
    skipped: int = 0  # found changed since read (another replayer or a person): left alone
    requests: int = 0
    busy: bool = False  # another replayer was running on this mirror: this flush did nothing
    unreachable: bool = False
    stopped: bool = False
    held_back: int = 0  # creates whose turn (the pace) had not come: left pending for a later flush
    next_turn: datetime | None = None  # with held_back: when the next create may go
    seconds: float = 0.0
    last_error: str | None = None
    remapped: dict[str, str] = field(default_factory=dict)  # local id -> UpKeep id

    def __str__(self) -> str:
        if self.busy:
            return f"not run: {self.last_error}"
        text = (f"{self.done} delivered ({self.created} created, {self.updated} updated, "
                f"{self.messages} messages), "
                f"{self.conflicts} conflicts, {self.dead} dead, {self.deferred} deferred, "
                + (f"{self.skipped} skipped (changed meanwhile), " if self.skipped else "")
                + f"{self.requests} requests in {self.seconds:.1f}s")
        if self.held_back:
            text += f"; creates wait their turn (paced), next at {self.next_turn:%H:%M:%S}"
        if self.unreachable:
            text += f"; stopped, UpKeep unreachable: {self.last_error}"
        return text


def flush(
    mirror: Mirror,
    client: UpKeepClient,
    *,
    policy: RetryPolicy | None = None,
    should_stop: Callable[[], bool] | None = None,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], datetime] = outbox.utcnow,
    redelivery_base: float = 5.0,
    redelivery_max: float = 900.0,
    settle: float = 5.0,
    workers: int = 4,
    pace: Pace | float | None = None,
) -> ReplayReport:
    """Send every ready operation now; return what happened. Raises only ``FatalError`` (setup problems).

    ``policy`` paces the re-sends after ambiguous failures (each preceded by a look-up); the
    client's own policy retries the rest. A deferred operation is due again after
    ``redelivery_base * 3**(n-1)`` seconds (n = its attempts), at most ``redelivery_max``.
    ``settle``: before looking for what an unanswered attempt created, wait until that many
    seconds have passed since it was sent, so a request UpKeep was still processing has landed.
    ``workers``: requests in flight at once (records in parallel; 1 sends one at a time).
    ``pace``: creates per minute (a :class:`~sync.replay._pace.Pace` or a number; None or 0:
    unpaced, the library's default; the commands pass the setting, ``sync.settings``). A create
    whose turn has not come is left pending; the flush does not wait for it.
    """
    if workers < 1:
        raise ValueError("workers must be at least 1")
    pace = pace if isinstance(pace, Pace) else Pace(float(pace or 0))
    replayer = _Replayer(mirror, client, policy=policy or RetryPolicy(), sleep=sleep, clock=clock,
                         redelivery=(redelivery_base, redelivery_max), settle=settle, workers=workers, pace=pace)
    return replayer.run(should_stop or (lambda: False))


class _LostRace(Exception):
    """The operation is no longer as this replayer read it: someone else has it; leave it alone."""


def lock_path(mirror: Mirror) -> str:
    """The lock a replayer holds (``<mirror>.outbox.lock``); see :func:`mirror.lock.writer_lock`."""
    return f"{mirror.path}.outbox"


def _is_ambiguous(exc: BaseException) -> bool:
    return isinstance(exc, RetriableError) and exc.ambiguous


class _Replayer:
    """One flush. Its public methods are the :class:`~sync.replay._context.ReplayContext` the
    handlers use, and what a :class:`~sync.replay._round.Round` calls for its settled operations
    and failures (``park``, ``defer``, ``replay``, the ``write_*`` write-backs)."""

    def __init__(self, mirror: Mirror, client: UpKeepClient, *, policy: RetryPolicy,
                 sleep: Callable[[float], None], clock: Callable[[], datetime],
                 redelivery: tuple[float, float], settle: float, workers: int = 4,
                 pace: Pace | None = None) -> None:
        self.mirror, self.client, self.policy = mirror, client, policy
        self.workers = workers
        self.pace = pace or Pace()
        self.last_turn: datetime | None = None  # when the latest paced create was sent (read at the start)
        self.sleep, self.clock, self.settle_seconds = sleep, clock, settle
        self.base, self.cap = redelivery
        self.report = ReplayReport()
        self.op: OutboxOp | None = None  # the operation in hand, as last read or written by this replayer
        self.claimed = False  # whether this replayer moved self.op to sending (and may have sent it)

    def run(self, should_stop: Callable[[], bool]) -> ReplayReport:
        with ExitStack() as held:
            try:
                held.enter_context(writer_lock(lock_path(self.mirror), "outbox replay"))
            except MirrorBusy as exc:
                self.report.busy, self.report.last_error = True, str(exc)
                return self.report
            return self.run_unlocked(should_stop)

    def run_unlocked(self, should_stop: Callable[[], bool]) -> ReplayReport:
        """The flush itself; callers hold the replayer lock (tests race two replayers without it)."""
        started, requests_before = time.monotonic(), self.client.stats.requests
        seen: set[int] = set()
        if self.pace.paced:
            with self.mirror.session() as s:
                self.last_turn = outbox.last_sent(s, PACED_KINDS)
        try:
            with ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="outbox") as pool:
                while not self.report.stopped:
                    # Once a create had to wait its turn, the creates are left out of the batches.
                    held = PACED_KINDS if self.report.held_back else ()
                    with self.mirror.session() as s:
                        found = [op for op in outbox.ready_ops(s, now=self.clock(), limit=100, exclude_kinds=held)
                                 if op.seq is not None and op.seq not in seen]
                    if not found:
                        break
                    batch = [op.seq for op in self._paced(found) if op.seq is not None]  # creates in turn, the rest
                    # Each op as it is now: the snapshot its compare-and-sets start from.
                    ready = [op for op in map(self._load, batch)
                             if op is not None and op.state in WAITING_STATES]
                    if should_stop():
                        self.report.stopped = True
                        break
                    seen.update(op.seq for op in found if op.seq is not None)
                    # An op that may have been applied already goes the careful way, one at a time, and
                    # so do the kinds a round does not know (field work: sync.replay._fieldwork).
                    fresh = [op for op in ready if Round.takes(op)]
                    for op in ready:
                        if not Round.takes(op):
                            if should_stop():
                                self.report.stopped = True
                                break
                            self.replay(op.seq)  # type: ignore[arg-type]  # ops read back have a seq
                    if fresh and not self.report.stopped:
                        Round(self, pool, fresh).run()
        except Unreachable as exc:
            self.report.unreachable, self.report.last_error = True, str(exc)
        finally:
            self.report.requests = self.client.stats.requests - requests_before
            self.report.seconds = time.monotonic() - started
        return self.report

    def _paced(self, ready: list[OutboxOp]) -> list[OutboxOp]:
        """``ready`` without the creates whose turn has not come (counted in ``report.held_back``)."""
        if not self.pace.paced:
            return ready
        kept = []
        for op in ready:
            if op.kind not in PACED_KINDS:
                kept.append(op)
            elif self.pace.due(self.last_turn, now := self.clock()):
                self.last_turn = now  # this create takes the turn
                kept.append(op)
            else:
                self.report.held_back += 1
        if self.report.held_back:
            self.report.next_turn = self.pace.next_turn(self.last_turn)
        return kept

    # --- one operation ---------------------------------------------------------------------------

    def replay(self, seq: int) -> None:
        retrying = Retrying(stop=self.policy.stop(), wait=self.policy.wait(), sleep=self.sleep, reraise=True,
                            retry=retry_if_exception(_is_ambiguous))
        self.op = None
        try:
            retrying(self._deliver, seq)
        except _LostRace as exc:
            self.report.skipped += 1
            log.info("outbox %s: skipped, %s", seq, exc)
        except (RejectedError, MalformedObject) as exc:
            self.park(seq, describe(exc))
        except RetriableError as exc:
            self.defer(seq, exc, timer=not unreachable(exc))
            if unreachable(exc):
                raise Unreachable(str(exc)) from exc
        except FatalError as exc:
            self.defer(seq, exc, timer=False)
            raise

    def _deliver(self, seq: int) -> None:
        """One attempt, safe to repeat: looks before re-sending anything that may have been applied."""
        op = self.op = self._load(seq)
        self.claimed = False
        if op is None or op.state not in WAITING_STATES:
            return  # discarded or settled meanwhile (by a person, or another process)
        handler = HANDLERS.get(op.kind)
        if handler is None:
            raise RejectedError(f"unknown operation kind {op.kind!r}")
        handler(self, op, op.ambiguous or op.state == OpState.SENDING)

    def settle(self, op: OutboxOp) -> None:
        """Wait until ``settle`` seconds after the last attempt (its ``updated_at``) before looking."""
        waited = (self.clock() - op.updated_at).total_seconds()
        if waited < self.settle_seconds:
            self.sleep(self.settle_seconds - max(waited, 0.0))

    # --- bookkeeping, each one transaction ------------------------------------------------------

    def _load(self, seq: int) -> OutboxOp | None:
        with self.mirror.session() as s:
            op = s.get(OutboxOp, seq)
            if op is not None:
                s.expunge(op)
            return op

    def claim(self, op: OutboxOp, **payload: Any) -> None:
        """Take ``op`` for one attempt (compare-and-set to ``sending``), committed before the request leaves.

        A crash mid-request leaves the op in ``sending``. Raises ``_LostRace`` (nothing is sent)
        when the op changed since it was read.
        """
        with self.mirror.write() as s:
            self.check(outbox.mark_sending(s, op, now=self.clock(), **payload), op)
        self.claimed = True
        crash_point("outbox:claimed")

    def check(self, won: bool, op: OutboxOp, *, sent: bool = False) -> None:
        """After a compare-and-set: a lost one aborts the transaction and the operation."""
        if won:
            return
        with self.mirror.session() as s:
            now = s.get(OutboxOp, op.seq)
            state = f"{now.state}, attempt {now.attempts}" if now else "deleted"
        if sent:  # cannot happen while replayers hold the lock: say so loudly if it does
            log.error("outbox %s: sent, but the operation changed meanwhile (%s); UpKeep's answer is not "
                      "recorded, the next pull brings it", op.seq, state)
        raise _LostRace(f"it changed since it was read ({op.state}, attempt {op.attempts} -> {state})")

    def row(self, entity: str, obj: dict[str, Any]) -> dict[str, Any]:
        if entity != "work_orders":
            return transform(entity, obj)
        ids = [p for p in obj.get("parts") or [] if isinstance(p, str)]
        with self.mirror.session() as s:
            skus = part_skus(s, ids)
        return transform(entity, obj, part_skus=skus)

    def created(self, op: OutboxOp, obj: dict[str, Any]) -> None:
        row = self.row(op.entity, obj)
        with self.mirror.write() as s:
            self.check(self.write_created(s, op, row), op, sent=self.claimed)

    def updated(self, op: OutboxOp, row: dict[str, Any] | None) -> None:
        with self.mirror.write() as s:
            self.check(self.write_updated(s, op, row), op, sent=self.claimed)

    def message_done(self, op: OutboxOp) -> None:
        with self.mirror.write() as s:
            self.check(self.write_message_done(s, op), op, sent=self.claimed)

    # The write-backs, inside the caller's transaction; False (nothing written) if ``op`` was stale.

    def write_created(self, s: Any, op: OutboxOp, row: dict[str, Any]) -> bool:
        """UpKeep's record replaces the local one: its id everywhere, its values, open ops on top."""
        local = op.record_id
        if not outbox.mark_done(s, op, server_id=row["id"], now=self.clock()):
            return False
        outbox.remap_id(s, op.entity, local, row["id"])
        upsert_rows(s, op.entity, [row], force=True)
        outbox.reapply_pending(s, op.entity, [row["id"]])
        outbox.refresh_local_state(s, op.entity, row["id"])
        self.report.remapped[local] = row["id"]
        self.report.done += 1
        self.report.created += 1
        return True

    def write_updated(self, s: Any, op: OutboxOp, row: dict[str, Any] | None) -> bool:
        """Done; UpKeep's record (when known: None if it is unchanged) replaces the row, open ops on top."""
        if not outbox.mark_done(s, op, now=self.clock()):
            return False
        if row is not None:
            upsert_rows(s, op.entity, [row], force=True)
            outbox.reapply_pending(s, op.entity, [op.record_id])
        outbox.refresh_local_state(s, op.entity, op.record_id)
        self.report.done += 1
        self.report.updated += 1
        return True

    def write_message_done(self, s: Any, op: OutboxOp) -> bool:
        if not outbox.mark_done(s, op, now=self.clock()):
            return False
        self.report.done += 1
        self.report.messages += 1
        return True

    def write_conflict(self, s: Any, op: OutboxOp, conflicts: dict[str, Any], remote_row: dict[str, Any]) -> bool:
        if not outbox.mark_conflict(s, op, conflicts, now=self.clock()):
            return False
        upsert_rows(s, op.entity, [remote_row], force=True)
        outbox.reapply_pending(s, op.entity, [op.record_id])
        self.report.conflicts += 1
        return True

    def _current(self, seq: int) -> OutboxOp | None:
        """The op as this replayer last saw it (read or written), for the failure paths."""
        return self.op if self.op is not None and self.op.seq == seq else self._load(seq)

    def park(self, seq: int, reason: str) -> None:
        op = self._current(seq)
        with self.mirror.write() as s:
            won = op is not None and outbox.mark_dead(s, op, reason, now=self.clock())
        if not won:
            self.report.skipped += 1
            log.info("outbox %s: not parked (%s), it changed meanwhile", seq, reason)
            return
        self.report.dead += 1
        self.report.last_error = reason
        log.warning("outbox %s: dead: %s", seq, reason)

    def defer(self, seq: int, exc: BaseException, *, timer: bool) -> None:
        op = self._current(seq)
        self.report.last_error = str(exc)
        if op is None:
            return
        ambiguous = bool(op.ambiguous or op.state == OpState.SENDING or _is_ambiguous(exc))
        now = self.clock()
        delay = min(self.base * 3 ** max(op.attempts - 1, 0), self.cap)
        due = now + timedelta(seconds=delay) if timer else None
        with self.mirror.write() as s:
            won = outbox.mark_retry_later(s, op, str(exc), next_attempt_at=due, ambiguous=ambiguous, now=now)
        if not won:  # delivered, settled or discarded by someone else meanwhile: never back to pending
            self.report.skipped += 1
            log.info("outbox %s: not deferred (%s), it changed meanwhile", seq, exc)
            return
        self.report.deferred += 1
        log.info("outbox %s: will retry%s: %s", seq, f" at {due:%H:%M:%S}" if due else "", exc)
