"""What an operation kind's handler may use of the replayer: :class:`ReplayContext`.

A handler (:data:`sync.replay._handlers.HANDLERS`) sends one operation and writes UpKeep's answer
back; the replayer keeps the bookkeeping that makes that exactly once in effect: ``claim`` commits
``sending`` before a request leaves, ``check`` turns a lost compare-and-set into a skip, ``settle``
waits before looking for what an unanswered attempt did. A handler never calls anything else of
the replayer.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from mirror.db import Mirror
    from mirror.outbox import OutboxOp
    from sync.replay._replayer import ReplayReport
    from sync.upkeep import UpKeepClient


class ReplayContext(Protocol):
    """The replayer as its handlers see it (one operation in hand at a time)."""

    mirror: Mirror
    client: UpKeepClient
    report: ReplayReport
    clock: Callable[[], datetime]
    #: Whether the operation in hand was moved to ``sending`` (and may have been sent) by this attempt.
    claimed: bool

    def claim(self, op: OutboxOp, **payload: Any) -> None:
        """Compare-and-set ``op`` to ``sending`` (``payload`` merged in), committed before the request."""

    def settle(self, op: OutboxOp) -> None:
        """Wait until an unanswered attempt has had time to land before looking for its effect."""

    def check(self, won: bool, op: OutboxOp, *, sent: bool = False) -> None:
        """After a compare-and-set: a lost one aborts the transaction and the operation."""

    def row(self, entity: str, obj: dict[str, Any]) -> dict[str, Any]:
        """UpKeep's object as the mirror's row."""

    def created(self, op: OutboxOp, obj: dict[str, Any]) -> None:
        """Write back the record UpKeep created for ``op`` (one transaction, marks it done)."""

    def updated(self, op: OutboxOp, row: dict[str, Any] | None) -> None:
        """Write back UpKeep's record after an update (one transaction, marks it done)."""

    def message_done(self, op: OutboxOp) -> None:
        """Mark a posted message done."""

    def write_conflict(self, s: Any, op: OutboxOp, conflicts: dict[str, Any], remote_row: dict[str, Any]) -> bool:
        """Record a conflict inside the caller's transaction; False if ``op`` was stale."""
