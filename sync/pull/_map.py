"""The pull's pure step: a fetched page -> its rows, as the values the upsert takes, and its rejects.

It runs where the page is fetched (a fetch thread) or in the mapping worker process
(:mod:`sync.pull._map_pool`), which imports this module and little else: no SQLite writes, no outbox,
nothing to hash. Saving the result is :mod:`sync.pull._save`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from mirror.references import part_skus
from mirror.store import row_values
from sync.mapping import MalformedObject, transform, upkeep_id

if TYPE_CHECKING:
    from mirror.db import Mirror

__all__ = ["Mapped", "log_rejects", "map_page"]

log = logging.getLogger("sync.pull._run")


@dataclass
class Mapped:
    """Fetched pages, mapped: what the writer saves in one transaction.

    Rows are kept as the upsert's values (:func:`mirror.store.row_values`), made where the page
    was mapped: compact (the raw object as JSON text, not a dict) and ready to write.
    """

    values: list[tuple] = field(default_factory=list)
    rejects: list[dict] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)  # every listed id, mapped or not (for reconciliation)
    fetched: int = 0
    resume_ms: int | None = None  # the listing's key after the last of these pages

    @property
    def row_ids(self) -> list[str]:
        """The ids of ``values``, in order (``id`` is every mirrored table's first column)."""
        return [row[0] for row in self.values]

    def extend(self, other: Mapped) -> None:
        self.values += other.values
        self.rejects += other.rejects
        self.ids += other.ids
        self.fetched += other.fetched
        self.resume_ms = other.resume_ms


def map_page(mirror: Mirror | None, entity: str, page: list[dict], skus: dict[str, str] | None = None, *,
             now: datetime | None = None, log_rejects: bool = True) -> Mapped:
    """The pure step: UpKeep objects -> rows (as values, ``synced_at`` = ``now``); an object that
    cannot be mapped becomes a reject (logged unless ``log_rejects`` is False: a worker process
    leaves that to the pull's, :func:`log_rejects`).

    Work orders name their parts by SKU: from ``skus`` (the pull reads them once per run), or
    else from ``mirror``.
    """
    if entity == "work_orders" and skus is None and mirror is not None:
        skus = part_skus(mirror.connection())
    out = Mapped(fetched=len(page), ids=[i for i in (upkeep_id(entity, o) for o in page) if i])
    rows = []
    for obj in page:
        try:
            rows.append(transform(entity, obj, part_skus=skus))
        except MalformedObject as exc:
            if log_rejects:
                log.warning("skipped %s", exc)
            out.rejects.append({"entity": entity, "upkeep_id": exc.upkeep_id or upkeep_id(entity, obj),
                                "field": exc.field, "reason": exc.reason, "raw": obj})
    out.values = row_values(entity, rows, now=now)
    return out


def log_rejects(mapped: Mapped) -> None:
    """Log a page's rejects as :func:`map_page` does, for pages mapped in another process."""
    for r in mapped.rejects:
        log.warning("skipped %s", MalformedObject(r["entity"], r["upkeep_id"], r["field"], r["reason"]))
