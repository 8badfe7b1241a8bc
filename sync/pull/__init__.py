"""UpKeep -> mirror: the run, fetching pages, mapping them (in a worker process for big listings), saving, field work, file content.

The public names: :func:`sync_entities` pulls the records (``PullOptions`` says how, one
``PullResult`` per entity); :func:`pull_fieldwork` the field work (checklists, file records,
file content: ``FieldworkOptions``, ``FieldworkResult``, ``ContentReport``). Both start the
client from UpKeep's page size as earlier runs found it and record what they find
(:func:`recall_page_size`, :func:`record_page_size`; the outbox flush uses them too).

They are loaded on first use (PEP 562), so that the mapping worker process
(``python -m sync.pull._map_worker``), which imports only the mapping, does not pay for the HTTP
client and the rest of the pull when Python imports this package on the way to it.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sync.pull._page_size import recall_page_size, record_page_size
    from sync.pull._run import PullOptions, PullResult, sync_entities
    from sync.pull.fieldwork import FieldworkOptions, FieldworkResult, pull_fieldwork
    from sync.pull.files import ContentFetcher, ContentReport

_PUBLIC = {
    "PullOptions": "sync.pull._run",
    "PullResult": "sync.pull._run",
    "sync_entities": "sync.pull._run",
    "FieldworkOptions": "sync.pull.fieldwork",
    "FieldworkResult": "sync.pull.fieldwork",
    "pull_fieldwork": "sync.pull.fieldwork",
    "ContentFetcher": "sync.pull.files",
    "ContentReport": "sync.pull.files",
    "recall_page_size": "sync.pull._page_size",
    "record_page_size": "sync.pull._page_size",
}
__all__ = ["ContentFetcher", "ContentReport", "FieldworkOptions", "FieldworkResult", "PullOptions", "PullResult",
           "pull_fieldwork", "recall_page_size", "record_page_size", "sync_entities"]


def __getattr__(name: str) -> Any:
    if name in _PUBLIC:
        return getattr(importlib.import_module(_PUBLIC[name]), name)
    raise AttributeError(f"module 'sync.pull' has no attribute {name!r}")
