"""Pull of field work, after the records: account settings, file records, checklists, file content.

1. **Settings lists** (form templates, asset downtime statuses, asset custom-field definitions): a
   few objects each, read whole every run (templates page with ``sort``, statuses with
   ``orderBy``, custom fields take no parameters at all); what a list no longer has is tombstoned.
2. **File records** (``/files``, paged with ``sort``, no date filter): newest first, stopping at the
   first page older than the cursor minus the skew (files do not change once made, and new ones
   arriving while paging push older ones down, never past the reader). A full run reads every page
   and tombstones what UpKeep no longer lists.
3. **Checklists**: a work order lists its ``formItems`` as bare ids, and only ``GET
   /work-orders/<id>?includes=formItems`` expands them (the list endpoint may not). So the items
   are read once per work order whose ``updatedAt`` differs from the one its stored checklist was
   read at -- a first sync reads every work order with a checklist, later runs only changed ones.
4. **File content** (:mod:`sync.pull.files`), politely, last, within the budget.

Each step commits as it goes (a page, a few checklists), so an interrupted run repeats little.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from mirror.db import Mirror
from mirror.entities import ENTITIES, Entity
from mirror.fieldwork_store import (
    drop_orphan_tasks,
    replace_tasks,
    sync_settings,
    tasks_to_refresh,
    tombstone_unlisted_files,
    upsert_files,
)
from mirror.rejects import record_rejects
from mirror.store import RUN_COUNTS, begin_run, end_run, get_cursor, save_cursor
from mirror.timestamps import parse_utc
from sync.mapping import MalformedObject, map_form_items, transform
from sync.pull._page_size import recall_page_size, record_page_size
from sync.settings import DEFAULT_FILES_BUDGET_MB, MB
from sync.upkeep import UpKeepClient
from sync.upkeep.endpoints import collection
from sync.upkeep.errors import FatalError, NotFound, RetriableError, UpKeepError
from sync.upkeep.paging import DEFAULT_LIMIT, DEFAULT_SKEW_MS, Pager, next_cursor

if TYPE_CHECKING:
    from sync.pull.files import ContentFetcher

log = logging.getLogger(__name__)

#: The settings lists, each read whole (:attr:`mirror.entities.Entity.sort`: how, if at all, it pages).
SETTINGS = tuple(e for e in ENTITIES if e.pull == "settings")


@dataclass
class FieldworkOptions:
    page_size: int = DEFAULT_LIMIT
    skew_ms: int = DEFAULT_SKEW_MS
    full: bool = False
    checklists_per_commit: int = 20
    content: bool = True
    content_budget_bytes: int = DEFAULT_FILES_BUDGET_MB * MB
    should_stop: Callable[[], bool] = field(default=lambda: False)


@dataclass
class FieldworkResult:
    """What one step did (also written to ``sync_runs`` under the step's entity name)."""

    entity: str
    fetched: int = 0
    upserted: int = 0
    tombstoned: int = 0
    rejected: int = 0
    requests: int = 0
    error: str | None = None
    seconds: float = 0.0


def pull_fieldwork(
    mirror: Mirror, client: UpKeepClient, options: FieldworkOptions | None = None, *, run_id: str | None = None,
    content_fetcher: ContentFetcher | None = None,
) -> list:
    """Run the four steps; return their results (the content step's is a ``ContentReport``)."""
    options = options or FieldworkOptions()
    run_id = run_id or uuid.uuid4().hex
    results: list = []
    recall_page_size(mirror, client)
    try:
        for setting in SETTINGS:
            def step(r: FieldworkResult, e: Entity = setting) -> None:
                _settings(mirror, client, r, e.name, e.path, e.sort, options, run_id)
            results.append(_recorded(mirror, run_id, setting.name, options, step))
        results.append(_recorded(mirror, run_id, "files", options,
                                 lambda r: _files(mirror, client, r, options, run_id)))
    finally:
        record_page_size(mirror, client)
    results.append(_recorded(mirror, run_id, "work_order_tasks", options,
                             lambda r: _checklists(mirror, client, r, options, run_id)))
    if options.content and not options.should_stop():
        from sync.pull.files import ContentFetcher

        fetcher = content_fetcher or ContentFetcher(budget_bytes=options.content_budget_bytes)
        try:
            results.append(fetcher.run(mirror, should_stop=options.should_stop))
        finally:
            if content_fetcher is None:
                fetcher.close()
    return results


def _recorded(mirror: Mirror, run_id: str, entity: str, options: FieldworkOptions,
              step: Callable[[FieldworkResult], None]) -> FieldworkResult:
    """Run one step, recording it in ``sync_runs``; network and auth failures propagate (the run
    stops, as the main pull's does), a refused request or a bad answer is recorded and skipped."""
    result = FieldworkResult(entity)
    started = datetime.now(UTC)
    clock = time.monotonic()
    try:
        step(result)
    except (FatalError, RetriableError) as exc:
        result.error = str(exc)
        raise
    except UpKeepError as exc:  # refused (400/403/404): recorded for this step; the others still run
        result.error = str(exc)
        log.warning("%s: %s", entity, exc)
    finally:
        result.seconds = time.monotonic() - clock
        with mirror.transaction() as conn:
            pk = begin_run(conn, run_id, entity, "full" if options.full else "incremental", started)
            end_run(conn, pk, {c: getattr(result, c, 0) for c in RUN_COUNTS}, result.error, datetime.now(UTC))
    return result


def _map(entity: str, objs: list, result: FieldworkResult) -> tuple[list[dict], list[dict], list[str]]:
    rows, rejects, seen = [], [], []
    for obj in objs:
        try:
            rows.append(transform(entity, obj))
            seen.append(rows[-1]["id"])
        except MalformedObject as exc:
            rejects.append({"entity": entity, "upkeep_id": exc.upkeep_id, "field": exc.field, "reason": exc.reason,
                            "raw": obj})
            if exc.upkeep_id:
                seen.append(exc.upkeep_id)
    result.fetched += len(objs)
    result.rejected += len(rejects)
    return rows, rejects, seen


def _settings(mirror: Mirror, client: UpKeepClient, result: FieldworkResult, entity: str, path: str,
              sort: str | None, options: FieldworkOptions, run_id: str) -> None:
    objs: list = []
    if sort is None:
        objs = client.get_list(path)
        result.requests += 1
    else:
        pager = Pager(limit=options.page_size, sizes=client.page_size)
        while True:
            page = client.get_list(path, {**pager.params(), sort: "createdAt ASC"})
            result.requests += 1
            objs += page
            if not pager.advance(len(page)):
                break
    rows, rejects, seen = _map(entity, objs, result)
    with mirror.transaction() as conn:
        # Rejected objects still count as listed: a malformed status is not a deleted one. A list
        # whose every object was unreadable (ids and all) tombstones nothing.
        written, gone = sync_settings(conn, entity, rows, complete=bool(seen) or not objs, listed=seen)
        record_rejects(conn, rejects, run_id=run_id)
    result.upserted += written
    result.tombstoned += gone


def _files(mirror: Mirror, client: UpKeepClient, result: FieldworkResult, options: FieldworkOptions,
           run_id: str) -> None:
    started_ms = int(time.time() * 1000)
    since = None if options.full else get_cursor(mirror.connection(), "files").cursor_ms
    pager, seen = Pager(limit=options.page_size, sizes=client.page_size), []
    while not options.should_stop():
        page = client.get_list(collection("files"), {**pager.params(), "sort": "createdAt DESC"})
        result.requests += 1
        rows, rejects, ids = _map("files", page, result)
        seen += ids
        with mirror.transaction() as conn:
            result.upserted += upsert_files(conn, rows)
            record_rejects(conn, rejects, run_id=run_id)
        oldest = min((r["upkeep_created_at"] for r in rows if r.get("upkeep_created_at")), default=None)
        if not pager.advance(len(page)):
            break
        if since is not None and oldest is not None and oldest.timestamp() * 1000 < since:
            break
    else:
        return
    with mirror.transaction() as conn:
        if options.full or since is None:
            result.tombstoned += tombstone_unlisted_files(conn, seen)
        cursor = get_cursor(conn, "files")
        cursor.cursor_ms = next_cursor(started_ms, options.skew_ms)
        cursor.last_success_at = datetime.now(UTC)
        if options.full or since is None:
            cursor.last_reconciled_at = cursor.last_success_at
        save_cursor(conn, cursor)


def _checklists(mirror: Mirror, client: UpKeepClient, result: FieldworkResult, options: FieldworkOptions,
                run_id: str) -> None:
    after = ""
    with mirror.transaction() as conn:
        drop_orphan_tasks(conn)
    while not options.should_stop():
        todo = tasks_to_refresh(mirror.connection(), limit=options.checklists_per_commit, after=after)
        if not todo:
            return
        fetched: list[tuple[str, str | None, Any, dict[str, Any] | None]] = []
        wo: dict[str, Any] | None  # None: UpKeep no longer has the work order
        for wo_id, updated in todo:
            try:
                wo = client.get_one(collection("work_order_tasks", work_order=wo_id), {"includes": "formItems"})
            except NotFound:
                fetched.append((wo_id, updated, None, None))
                continue
            finally:
                result.requests += 1
            result.fetched += 1
            fetched.append((wo_id, updated, wo.get("formItems"), wo))
        with mirror.transaction() as conn:
            rejects = []
            for wo_id, updated, items, wo in fetched:
                try:
                    rows = map_form_items(wo_id, items) if wo is not None else []
                except MalformedObject as exc:
                    rejects.append({"entity": "work_order_tasks", "upkeep_id": wo_id, "field": exc.field,
                                    "reason": exc.reason, "raw": wo})
                    rows = []
                # Stamped with the updatedAt the work-order row has, so it is not read again until
                # the work order changes (even if UpKeep's copy moved on meanwhile: the next pull
                # brings the work order, and then its checklist).
                result.upserted += replace_tasks(conn, wo_id, rows, upkeep_updated_at=_parse(updated))
            record_rejects(conn, rejects, run_id=run_id)
            result.rejected += len(rejects)
        after = todo[-1][0]


def _parse(value: object) -> datetime | None:
    return parse_utc(value) if isinstance(value, str) else None
