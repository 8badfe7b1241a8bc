"""UpKeep -> mirror: the run, fetching pages, mapping them (in a worker process for big listings), saving, field work, file content.

The public names are loaded on first use (PEP 562), so that the mapping worker process
(``python -m sync.pull._map_worker``), which imports only the mapping, does not pay for the HTTP
client and the rest of the pull when Python imports this package on the way to it.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sync.pull._run import sync_entities

_PUBLIC = {"sync_entities": "sync.pull._run"}
__all__ = sorted(_PUBLIC)


def __getattr__(name: str) -> Any:
    if name in _PUBLIC:
        return getattr(importlib.import_module(_PUBLIC[name]), name)
    raise AttributeError(f"module 'sync.pull' has no attribute {name!r}")
