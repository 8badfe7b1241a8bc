"""Everything that speaks to UpKeep: client, mapping, pull, outbox replay, scheduler, emulator, CLI.

The public names are the sync service's use cases (:mod:`sync.service`): :func:`pull_all` and
:func:`flush_outbox`, with their outcomes :class:`PullOutcome` and :class:`FlushOutcome`. They are
loaded on first use, so that importing a part of ``sync`` (the emulator, the CLI's command
listing) does not load the engine.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sync.service import FlushOutcome, PullOutcome, flush_outbox, pull_all

__all__ = ["FlushOutcome", "PullOutcome", "flush_outbox", "pull_all"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        return getattr(importlib.import_module("sync.service"), name)
    raise AttributeError(f"module 'sync' has no attribute {name!r}")
