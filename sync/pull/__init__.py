"""UpKeep -> mirror: the run, fetching pages, mapping them (in a worker process for big listings), saving, field work, file content.

The public names: :func:`sync_entities` pulls the records (``PullOptions`` says how, one
``PullResult`` per entity); :func:`pull_fieldwork` the field work (checklists, file records,
file content: ``FieldworkOptions``, ``FieldworkResult``, ``ContentReport``).
"""

from sync.pull._run import PullOptions, PullResult, sync_entities
from sync.pull.fieldwork import FieldworkOptions, FieldworkResult, pull_fieldwork
from sync.pull.files import ContentFetcher, ContentReport

__all__ = [
    "ContentFetcher",
    "ContentReport",
    "FieldworkOptions",
    "FieldworkResult",
    "PullOptions",
    "PullResult",
    "pull_fieldwork",
    "sync_entities",
]
