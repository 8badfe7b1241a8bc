"""UpKeep's page size as found, between runs: a client starts from what the mirror recorded, and what
it finds is recorded again (:class:`sync.upkeep.paging.PageSize`; the row: :mod:`mirror.pull_state`).

So only the first runs on a mirror pay for finding it (a confirming request where a short page may
or may not be the last), and ``upkeep-mirror status`` can say when UpKeep serves fewer than asked.
"""

from __future__ import annotations

from mirror import pull_state
from mirror.db import Mirror
from sync.upkeep import UpKeepClient


def recall_page_size(mirror: Mirror, client: UpKeepClient) -> None:
    """Start ``client`` from what earlier runs on ``mirror`` found of UpKeep's page size."""
    found = pull_state.load_page_size(mirror.connection())
    if found is not None:
        client.page_size.restore(found.served, found.cap, found.asked)


def record_page_size(mirror: Mirror, client: UpKeepClient) -> None:
    """Record what ``client`` found of UpKeep's page size, if it found anything new."""
    sizes = client.page_size
    if not sizes.changed:
        return
    with mirror.transaction() as conn:
        pull_state.save_page_size(conn, sizes.served, sizes.cap, sizes.asked)
    sizes.changed = False
