"""The pace of creates UpKeep announces to people: at most one every ``60 / per_minute`` seconds.

Creating a work order or a request makes UpKeep send emails and Zapier triggers (the reference's
"Events After ... Created"), so a long offline queue must not land all at once. The pace is a
spacing between turns: a create (:data:`mirror.vocabulary.PACED_KINDS`) is claimed no sooner
than one interval after the previous one was first sent. The previous one is read from the outbox
(:func:`mirror.outbox.last_sent`), so the pace holds across flushes, processes and restarts.

A flush never waits for a turn: it sends the create whose turn has come (one per turn), leaves the
others pending and says when the next turn is (:attr:`ReplayReport.next_turn
<sync.replay.ReplayReport>`); the daemon runs its outbox job again then. Sleeping inside a flush
would hold the replayer lock, keep writes queued meanwhile (updates, messages) waiting behind
the sleeping job, and delay a stop by up to an interval.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class Pace:
    """``per_minute`` creates a minute, one per turn; 0 (or less): unpaced, every create at once."""

    per_minute: float = 0.0

    @property
    def paced(self) -> bool:
        return self.per_minute > 0

    @property
    def interval(self) -> timedelta:
        """Between two turns."""
        return timedelta(seconds=60.0 / self.per_minute) if self.paced else timedelta(0)

    def next_turn(self, last: datetime | None) -> datetime | None:
        """When a create may go after one first sent at ``last`` (None: none yet, at once)."""
        return last + self.interval if last is not None and self.paced else None

    def due(self, last: datetime | None, now: datetime) -> bool:
        """Whether a create's turn has come at ``now``."""
        turn = self.next_turn(last)
        return turn is None or now >= turn
