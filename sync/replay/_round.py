"""One round of the outbox replay: the first ready operation of many records, sent in parallel.

``sync.replay._replayer`` runs the flush: it picks the ready operations (one per record), sends the ones
that may have been applied already one at a time (they need a look-up first), and hands the
others to a :class:`Round`. A round touches the mirror only from the flush's own thread (one
writer); its worker threads only speak HTTP, through one thread-safe client.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from typing import Any

from mirror import outbox
from mirror.entities import ENTITY
from mirror.outbox import OutboxOp
from mirror.vocabulary import CREATE_KINDS, UPDATE_KINDS, OpKind, OpState
from sync.crashpoints import crash_point
from sync.mapping import MalformedObject
from sync.replay._handlers import create_request
from sync.replay._match import changed_since, update_item_ids, without_marker
from sync.upkeep.endpoints import record_path
from sync.upkeep.errors import (
    FatalError,
    NetworkError,
    RateLimited,
    RejectedError,
    RetriableError,
    ServerError,
)

log = logging.getLogger("sync.replay._replayer")


class Unreachable(Exception):
    """UpKeep cannot be reached: the flush stops, everything stays queued."""


def unreachable(exc: RetriableError) -> bool:
    """Failures that concern UpKeep as a whole rather than this operation."""
    return isinstance(exc, NetworkError | RateLimited) or (isinstance(exc, ServerError) and exc.status == 503)


def describe(exc: BaseException) -> str:
    """Why an operation is parked (dead): UpKeep's refusal, or an answer the mirror could not map."""
    if isinstance(exc, RejectedError):
        return f"HTTP {exc.status}: {exc.message}" if exc.status else exc.message
    if isinstance(exc, MalformedObject):
        return f"UpKeep's answer could not be mapped: {exc}"
    return str(exc)


class _NotSent(Exception):
    """The round stopped (UpKeep unreachable) before this request left: the op goes back untouched."""


@dataclass
class _Send:
    op: OutboxOp
    how: str  # post | patch | action
    path: str
    body: dict[str, Any]
    claim: dict[str, Any] = field(default_factory=dict)  # payload keys committed with the claim


class Round:
    """The first ready operation of up to 100 records, none of them possibly applied yet, in parallel.

    1. Look: one listing per entity of what changed since the oldest base (``as_of_ms``), and a GET
       where that cannot tell (messages, updates without ``as_of_ms``), ``workers`` at a time.
    2. Decide and claim, in one transaction: conflicts and updates UpKeep already holds are
       settled; every other op is moved to ``sending`` (compare-and-set each), and committed before
       any request leaves.
    3. Send, ``workers`` at a time: records are distinct within a round, so a record's ops never
       run concurrently, and the next op of a record is only ready once this one is settled.
    4. Write every answer back in one transaction; failures go the single-op way (an ambiguous
       one is looked up before anything is sent again, as in :meth:`sync.replay._replayer._Replayer.replay`).
    """

    #: The kinds a round sends; others (field work) go the single-op way.
    KINDS = frozenset((*CREATE_KINDS, *UPDATE_KINDS, OpKind.MESSAGE))

    @classmethod
    def takes(cls, op: OutboxOp) -> bool:
        """Whether ``op`` can go in a round: a known kind, pending, and surely not applied yet."""
        return op.kind in cls.KINDS and op.state == OpState.PENDING and not op.ambiguous

    def __init__(self, replayer: Any, pool: ThreadPoolExecutor, ops: list[OutboxOp]) -> None:
        self.r, self.pool, self.ops = replayer, pool, ops
        self.abort: BaseException | None = None  # the failure that says UpKeep is unreachable
        self.failures: list[tuple[OutboxOp, BaseException]] = []

    def run(self) -> None:
        remotes = self._look()
        sends, settled = self._decide(remotes)
        claimed = self._claim(sends, settled)
        answers = self._send(claimed)
        self._write_back(answers)
        self._handle_failures()

    # 1. look ------------------------------------------------------------------------------------

    def _look(self) -> dict[int | None, dict[str, Any] | None]:
        """Per update or message seq: UpKeep's object now, or None when it is unchanged since ``as_of_ms``."""
        remotes: dict[int | None, dict[str, Any] | None] = {}
        listed: dict[str, list[OutboxOp]] = {}
        to_get: list[OutboxOp] = []
        for op in self.ops:
            if op.kind in UPDATE_KINDS and ENTITY[op.entity].change_filter and op.payload.get("as_of_ms"):
                listed.setdefault(op.entity, []).append(op)
            elif op.kind in UPDATE_KINDS or op.kind == OpKind.MESSAGE:
                to_get.append(op)
        listings = {
            self.pool.submit(changed_since, self.r.client, entity, min(o.payload["as_of_ms"] for o in ops),
                             {o.record_id for o in ops}): entity
            for entity, ops in listed.items()
        }
        gets = {self.pool.submit(self.r.client.get_one, self._path(op)): op for op in to_get}
        for future in as_completed(listings):
            ops = listed[listings[future]]
            try:
                found, complete = future.result()
            except (RetriableError, RejectedError) as exc:
                log.info("outbox: listing %s failed (%s); looking at each record", listings[future], exc)
                found, complete = {}, False
            for op in ops:
                if op.record_id in found:
                    remotes[op.seq] = found[op.record_id]
                elif complete:
                    remotes[op.seq] = None
                else:
                    gets[self.pool.submit(self.r.client.get_one, self._path(op))] = op
        for got, op in gets.items():
            try:
                remotes[op.seq] = got.result()
            except Exception as exc:  # handled below as the single-op path would
                self._failed(op, exc, claimed=False)
        return remotes

    def _path(self, op: OutboxOp) -> str:
        entity = "work_orders" if op.kind == OpKind.MESSAGE else op.entity
        return record_path(entity, op.record_id)

    # 2. decide and claim ------------------------------------------------------------------------

    def _decide(self, remotes: dict[int | None, dict[str, Any] | None]) -> tuple[list[_Send], list[tuple]]:
        sends: list[_Send] = []
        settled: list[tuple] = []  # ("conflict", op, conflicts, row) | ("done", op, row or None)
        failed = {op.seq for op, _ in self.failures}
        for op in self.ops:
            if op.seq in failed or self.abort is not None:
                continue
            if op.kind in CREATE_KINDS:
                path, body = create_request(op)
                sends.append(_Send(op, "post", path, body))
            elif op.kind == OpKind.MESSAGE:
                path = self._path(op)
                sends.append(_Send(op, "action", f"{path}/update-messages/", op.payload["fields"],
                                   {"updates_before": update_item_ids(remotes[op.seq] or {})}))
            elif op.kind in UPDATE_KINDS:
                obj = remotes[op.seq]
                try:  # unchanged since the base: UpKeep holds the base's values
                    row = dict((op.base or {}).get("columns", {})) if obj is None else self.r.row(op.entity, obj)
                except MalformedObject as exc:
                    self._failed(op, exc, claimed=False)
                    continue
                conflicts = outbox.find_conflicts(op, row, normalize=without_marker)
                if conflicts:
                    settled.append(("conflict", op, conflicts, row))
                elif outbox.already_applied(op, row, normalize=without_marker):
                    self.r.report.already_applied += 1
                    settled.append(("done", op, None if obj is None else row))
                else:
                    sends.append(_Send(op, "patch", self._path(op), op.payload["fields"]))
            else:
                self._failed(op, RejectedError(f"unknown operation kind {op.kind!r}"), claimed=False)
        return sends, settled

    def _claim(self, sends: list[_Send], settled: list[tuple]) -> list[_Send]:
        """One transaction: settle what needs no request, claim the rest; committed before any request."""
        if not sends and not settled:
            return []
        won: list[_Send] = []
        with self.r.mirror.write() as s:
            for item in settled:
                ok = (self.r.write_conflict(s, item[1], item[2], item[3]) if item[0] == "conflict"
                      else self.r.write_updated(s, item[1], item[2]))
                if not ok:
                    self._lost(item[1])
            for send in sends:
                if outbox.mark_sending(s, send.op, now=self.r.clock(), **send.claim):
                    won.append(send)
                else:
                    self._lost(send.op)
        for _ in won:
            crash_point("outbox:claimed")
        return won

    def _lost(self, op: OutboxOp) -> None:
        self.r.report.skipped += 1
        log.info("outbox %s: skipped, it changed since it was read", op.seq)

    # 3. send ------------------------------------------------------------------------------------

    def _request(self, send: _Send) -> dict[str, Any]:
        if self.abort is not None:
            raise _NotSent()
        client = self.r.client
        if send.how == "post":
            return client.post(send.path, send.body)
        if send.how == "patch":
            return client.patch(send.path, send.body)
        return client.post_action(send.path, send.body)

    def _send(self, claimed: list[_Send]) -> list[tuple[_Send, dict[str, Any]]]:
        answers = []
        futures = {self.pool.submit(self._request, send): send for send in claimed}
        for future in as_completed(futures):
            send = futures[future]
            try:
                answer = future.result()
            except Exception as exc:  # handled below as the single-op path would
                self._failed(send.op, exc, claimed=True)
                continue
            crash_point("outbox:answered")
            answers.append((send, answer))
        return answers

    # 4. write back ------------------------------------------------------------------------------

    def _write_back(self, answers: list[tuple[_Send, dict[str, Any]]]) -> None:
        rows = []
        for send, answer in answers:
            try:
                rows.append((send, None if send.how == "action" else self.r.row(send.op.entity, answer)))
            except MalformedObject as exc:
                self._failed(send.op, exc, claimed=True)
        if not rows:
            return
        with self.r.mirror.write() as s:
            for send, row in rows:
                op = send.op
                if send.how == "post":
                    ok = self.r.write_created(s, op, row)
                elif send.how == "patch":
                    ok = self.r.write_updated(s, op, row)
                else:
                    ok = self.r.write_message_done(s, op)
                if not ok:  # cannot happen while replayers hold the lock: say so loudly if it does
                    self.r.report.skipped += 1
                    log.error("outbox %s: sent, but the operation changed meanwhile; UpKeep's answer is not "
                              "recorded, the next pull brings it", op.seq)

    # failures -----------------------------------------------------------------------------------

    def _failed(self, op: OutboxOp, exc: BaseException, *, claimed: bool) -> None:
        """Note a failure. Once UpKeep is known unreachable, ops that were not sent go back untouched."""
        not_sent = isinstance(exc, _NotSent) or (
            self.abort is not None and isinstance(exc, RetriableError) and unreachable(exc) and not exc.ambiguous)
        if not_sent:
            if claimed:
                self._release(op)
            return
        if (isinstance(exc, RetriableError) and unreachable(exc) and not exc.ambiguous) or isinstance(
                exc, FatalError):
            self.abort = exc
        self.failures.append((op, exc))

    def _release(self, op: OutboxOp) -> None:
        with self.r.mirror.write() as s:
            if not outbox.mark_retry_later(s, op, op.last_error or "", next_attempt_at=None,
                                           ambiguous=False, now=self.r.clock()):
                self._lost(op)

    def _handle_failures(self) -> None:
        """Each failure as the single-op path handles it; then stop the flush if UpKeep is unreachable."""
        r, fatal, stop = self.r, None, None
        for op, exc in self.failures:
            r.op = op  # the snapshot the compare-and-sets below start from
            if isinstance(exc, RejectedError | MalformedObject):
                r.park(op.seq, describe(exc))
            elif isinstance(exc, RetriableError) and exc.ambiguous and stop is None:
                try:  # may have been applied: look it up before anything is sent again
                    r.replay(op.seq)
                except Unreachable as exc2:
                    stop = exc2
            elif isinstance(exc, RetriableError):
                r.defer(op.seq, exc, timer=not unreachable(exc))
                if unreachable(exc):
                    stop = stop or Unreachable(str(exc))
            elif isinstance(exc, FatalError):
                r.defer(op.seq, exc, timer=False)
                fatal = fatal or exc
            else:
                raise exc
        if fatal is not None:
            raise fatal
        if stop is not None:
            raise stop
