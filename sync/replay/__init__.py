"""Outbox -> UpKeep: the replayer, its parallel rounds, matching a lost answer, one handler per operation kind.

The public names: :func:`flush` sends what is ready and returns a :class:`ReplayReport`;
:func:`lock_path` is the lock one replayer per mirror holds; :data:`HANDLERS` maps each operation
kind to its handler, which sees the replayer as a :class:`ReplayContext`; :class:`Pace` spaces the
creates UpKeep announces to people.
"""

from sync.replay._context import ReplayContext
from sync.replay._handlers import HANDLERS, Handler
from sync.replay._pace import Pace
from sync.replay._replayer import ReplayReport, flush, lock_path

__all__ = ["HANDLERS", "Handler", "Pace", "ReplayContext", "ReplayReport", "flush", "lock_path"]
