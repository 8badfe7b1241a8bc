"""Pull: bring the mirror level with UpKeep, page by page, each page in one transaction.

For each entity: walk its listing with a :class:`~sync.keyset.KeysetPager`, map each object
(:mod:`sync.mapping`), and write the page's rows, its rejects and the advanced cursor in one
transaction. A crash at any point leaves the file consistent and the cursor at the last page
written, so the next run resumes there.

Incremental runs list ``updatedAt >= cursor`` oldest change first. After a complete run the
cursor becomes the run's start minus a skew (:func:`sync.paging.next_cursor`), never the newest
row seen, so rows changed during the run come again. Reconciliation (``full``) lists every object
by ``createdAt``, upserts what changed and tombstones what UpKeep no longer has: UpKeep has no
deletion feed. Preventive-maintenance triggers have no date filters, so every run lists them
all (they are few) and reconciles them on the way.

Pages are written a few at a time (``batch_rows``) to keep commits few. Fetching runs one page ahead in a background thread, so the HTTP round trip of page n+1
overlaps the mapping and writing of page n; memory stays O(page).
"""

from __future__ import annotations

import contextlib
import logging
import queue
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import text

from mirror.bookkeeping import SyncRun
from mirror.columns import format_utc
from mirror.db import Mirror
from mirror.models import MIRRORED
from mirror.outbox import reapply_pending
from mirror.rejects import clear_rejects, forget_unlisted_rejects, record_rejects
from mirror.store import get_cursor, save_cursor, table_of, upsert_rows
from sync.client import UpKeepClient
from sync.errors import AuthenticationFailed, ConfigurationError, RetriableError, UpKeepError
from sync.keyset import KeysetPager, to_ms
from sync.mapping import MalformedObject, transform, upkeep_id
from sync.paging import DEFAULT_LIMIT, DEFAULT_SKEW_MS, Pager, next_cursor

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Source:
    """Where an entity is listed, and which filters its listing takes (per the API reference)."""

    entity: str
    path: str
    change_filter: bool = True  # createdAt*/updatedAt* filters exist
    per_meter: bool = False  # listed under /meters/<id>/readings


SOURCES: dict[str, Source] = {
    s.entity: s
    for s in (
        Source("users", "/api/v2/users/"),
        Source("teams", "/api/v2/teams/"),
        Source("locations", "/api/v2/locations"),
        Source("vendors", "/api/v2/vendors/"),
        Source("customers", "/api/v2/customers/"),
        Source("assets", "/api/v2/assets"),
        Source("parts", "/api/v2/parts"),
        Source("meters", "/api/v2/meters/"),
        Source("meter_readings", "/api/v2/meters/{meter}/readings", per_meter=True),
        Source("preventive_maintenance", "/api/v2/preventive-maintenance", change_filter=False),
        Source("work_orders", "/api/v2/work-orders"),
        Source("requests", "/api/v2/requests"),
        Source("purchase_orders", "/api/v2/purchase-orders/"),
    )
}
assert list(SOURCES) == list(MIRRORED), "pull order must follow mirror.models.MIRRORED"


@dataclass
class PullResult:
    """What one entity's pull did; also written to ``sync_runs``."""

    entity: str
    mode: str
    fetched: int = 0
    upserted: int = 0
    tombstoned: int = 0
    rejected: int = 0
    requests: int = 0
    retries: int = 0
    error: str | None = None
    seconds: float = 0.0
    finished: bool = False
    stops_run: bool = False  # auth, network or a stop request: the entities after it are not tried
    unreachable: bool = False  # network, 5xx or 429 still failing after retries: UpKeep is out of reach
    run_id: str | None = None  # the sync this pull belongs to, and its ``sync_runs`` row (for rejects)
    sync_run_id: int | None = None


@dataclass
class PullOptions:
    page_size: int = DEFAULT_LIMIT
    skew_ms: int = DEFAULT_SKEW_MS
    full: bool = False
    # Rows written per transaction: a few pages, so commits (and full-text index flushes) are few,
    # while a crash still repeats at most this many rows.
    batch_rows: int = 500
    on_page: Callable[[PullResult], None] | None = None  # progress callback
    should_stop: Callable[[], bool] = field(default=lambda: False)  # graceful stop between pages


class Stopped(Exception):
    """The pull was asked to stop; the last page written is committed, the rest comes next run."""


def sync_entities(
    mirror: Mirror, client: UpKeepClient, entities: list[str] | None = None, options: PullOptions | None = None
) -> list[PullResult]:
    """Pull the given entities (all, in reference order, by default); one result per entity.

    A fatal or network failure stops the run (the next entity would fail the same way); a
    rejected request or a malformed response is recorded for its entity and the run goes on.
    """
    options = options or PullOptions()
    run_id = uuid.uuid4().hex[:12]
    results = []
    for entity in entities or list(SOURCES):
        result = pull_entity(mirror, client, SOURCES[entity], run_id=run_id, options=options)
        results.append(result)
        if result.stops_run:
            break
    return results


def pull_entity(mirror: Mirror, client: UpKeepClient, source: Source, *, run_id: str, options: PullOptions) -> PullResult:
    """Pull one entity and record the run in ``sync_runs``, whatever happens.

    Failures become the result's ``error`` (and ``stops_run`` when the next entity would fail
    alike); the rows already written stay, and the cursor resumes after them.
    """
    reconcile = options.full or not source.change_filter
    result = PullResult(source.entity, "full" if reconcile else "incremental")
    started = datetime.now(UTC)
    before = (client.stats.requests, client.stats.retries)
    with mirror.write() as s:
        run = SyncRun(run_id=run_id, entity=source.entity, mode=result.mode, started_at=started)
        s.add(run)
        s.flush()
        run_pk = result.sync_run_id = run.id
        result.run_id = run_id
        if reconcile:
            s.execute(text("DELETE FROM reconcile_seen WHERE entity = :e"), {"e": source.entity})
    try:
        _pull(mirror, client, source, result, reconcile, started, options)
        result.finished = True
    except Stopped:
        result.error, result.stops_run = "stopped before the end; the next run continues from here", True
    except RetriableError as exc:
        result.error, result.stops_run, result.unreachable = str(exc), True, True
    except (AuthenticationFailed, ConfigurationError) as exc:
        result.error, result.stops_run = str(exc), True  # the next entity would fail the same way
    except UpKeepError as exc:  # a rejected request or malformed answer concerns this listing only
        result.error = str(exc)
    finally:
        result.requests = client.stats.requests - before[0]
        result.retries = client.stats.retries - before[1]
        result.seconds = (datetime.now(UTC) - started).total_seconds()
        with mirror.write() as s:
            run = s.get(SyncRun, run_pk)
            for name in ("fetched", "upserted", "tombstoned", "rejected", "requests", "retries", "error"):
                setattr(run, name, getattr(result, name))
            run.finished_at = datetime.now(UTC)
    return result


def _pull(mirror, client, source, result, reconcile, started, options) -> None:
    run_started_ms = to_ms(started)
    with mirror.session() as s:
        since = None if reconcile else get_cursor(s, source.entity).cursor_ms
    field_name = "createdAt" if reconcile else "updatedAt"
    for path in _paths(mirror, source, None if reconcile else since):
        pager = (KeysetPager(field=field_name, since_ms=since, limit=options.page_size) if source.change_filter
                 else FullListing(options.page_size))
        batch = _Mapped()
        for mapped in _prefetch(client, path, pager, lambda page: _map_page(mirror, source.entity, page)):
            batch.extend(mapped)
            if len(batch.rows) >= options.batch_rows:
                _write_batch(mirror, source, batch, result, reconcile, run_started_ms, options)
                batch = _Mapped()
        if batch.fetched:
            _write_batch(mirror, source, batch, result, reconcile, run_started_ms, options)
    with mirror.write() as s:
        if reconcile:
            result.tombstoned += _tombstone_unseen(s, source.entity, started)
            forget_unlisted_rejects(s, source.entity, started)  # gone from UpKeep: no longer a reject
        cursor = get_cursor(s, source.entity)
        if source.change_filter:
            cursor.cursor_ms = next_cursor(run_started_ms, options.skew_ms)
        cursor.last_success_at = datetime.now(UTC)
        if reconcile:
            cursor.last_reconciled_at = started
        save_cursor(s, cursor)


@dataclass
class _Mapped:
    """Fetched pages, mapped: what the writer saves in one transaction."""

    rows: list[dict] = field(default_factory=list)
    rejects: list[dict] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)  # every listed id, mapped or not (for reconciliation)
    fetched: int = 0
    resume_ms: int | None = None  # the listing's key after the last of these pages

    def extend(self, other: _Mapped) -> None:
        self.rows += other.rows
        self.rejects += other.rejects
        self.ids += other.ids
        self.fetched += other.fetched
        self.resume_ms = other.resume_ms


def _paths(mirror: Mirror, source: Source, since_ms: int | None) -> Iterator[str]:
    """The listings to read: one, or for meter readings one per meter.

    Incrementally, only meters changed since the last readings pull are listed: a new reading
    changes its meter's ``lastReading`` and so its ``updatedAt``. The full pass lists them all.
    """
    if not source.per_meter:
        yield source.path
        return
    sql = "SELECT id FROM meters WHERE deleted_at IS NULL"
    params = {}
    if since_ms is not None:
        sql += " AND upkeep_updated_at >= :since"
        params["since"] = format_utc(datetime.fromtimestamp(since_ms / 1000, tz=UTC))
    with mirror.session() as s:
        meters = list(s.execute(text(sql + " ORDER BY id"), params).scalars())
    for meter in meters:
        yield source.path.format(meter=meter)


class FullListing:
    """A listing with no date filters (PM triggers): :class:`sync.paging.Pager`'s offset paging, read whole."""

    since_ms = None  # no key: there is nothing to resume from but the start

    def __init__(self, limit: int):
        self.pager = Pager(limit=limit)

    def params(self) -> dict[str, int]:
        return self.pager.params()

    def advance(self, page: list) -> bool:
        return self.pager.advance(len(page))


def _prefetch(client: UpKeepClient, path: str, pager: KeysetPager | FullListing,
              map_page: Callable[[list[dict]], _Mapped]) -> Iterator[_Mapped]:
    """Fetch and map pages in a background thread, one page ahead of the writer.

    Mapping here overlaps with the writer's SQLite work, which releases the GIL. The listing's
    key travels with its page: by the time a page is written the pager is already a page further,
    and saving *its* key as the resume point would skip the page not yet written. Errors
    surface in the consumer.
    """
    pages: queue.Queue = queue.Queue(maxsize=2)
    done = threading.Event()

    def fetch() -> None:
        try:
            while not done.is_set():
                page = client.get_list(path, pager.params())
                more = pager.advance(page)
                mapped = map_page(page)
                mapped.resume_ms = pager.since_ms
                pages.put(mapped)
                if not more:
                    break
            pages.put(None)
        except BaseException as exc:
            pages.put(exc)

    worker = threading.Thread(target=fetch, name=f"fetch {path}", daemon=True)
    worker.start()
    try:
        while (item := pages.get()) is not None:
            if isinstance(item, BaseException):
                raise item
            if item.fetched:
                yield item
    finally:
        done.set()
        while worker.is_alive():  # unblock a fetcher waiting to put, then let it finish
            with contextlib.suppress(queue.Empty):
                pages.get(timeout=0.05)


def _map_page(mirror: Mirror, entity: str, page: list[dict]) -> _Mapped:
    """The pure step: UpKeep objects -> rows; an object that cannot be mapped becomes a reject."""
    part_skus = _part_skus(mirror, page) if entity == "work_orders" else None
    out = _Mapped(fetched=len(page), ids=[i for i in (upkeep_id(entity, o) for o in page) if i])
    for obj in page:
        try:
            out.rows.append(transform(entity, obj, part_skus=part_skus))
        except MalformedObject as exc:
            log.warning("skipped %s", exc)
            out.rejects.append({"entity": entity, "upkeep_id": exc.upkeep_id or upkeep_id(entity, obj),
                                "field": exc.field, "reason": exc.reason,
                                "raw": obj})
    return out


def _write_batch(mirror, source, batch: _Mapped, result, reconcile, run_started_ms, options) -> None:
    """Save mapped pages in one transaction, with the resume point after the last of them."""
    if options.should_stop():
        raise Stopped()
    entity = source.entity
    with mirror.write() as s:
        result.upserted += upsert_rows(s, entity, batch.rows)
        result.rejected += record_rejects(s, batch.rejects, run_id=result.run_id, sync_run_id=result.sync_run_id)
        clear_rejects(s, entity, [r["id"] for r in batch.rows])  # mapped cleanly now: no longer a reject
        reapply_pending(s, entity, [r["id"] for r in batch.rows])  # pending local writes stay on top
        if reconcile:
            s.execute(text("INSERT OR IGNORE INTO reconcile_seen (entity, id) VALUES (:e, :i)"),
                      [{"e": entity, "i": i} for i in batch.ids])
        elif source.change_filter and not source.per_meter:
            # Resume point: everything before the key has been written. Capped like the final cursor.
            cursor = get_cursor(s, entity)
            cursor.cursor_ms = min(batch.resume_ms or 0, next_cursor(run_started_ms, options.skew_ms))
            save_cursor(s, cursor)
    result.fetched += batch.fetched
    if options.on_page:
        options.on_page(result)


def _part_skus(mirror: Mirror, page: list[dict]) -> dict[str, str]:
    """SKUs of the parts a page of work orders uses, so Machina's spare_parts name parts by SKU."""
    ids = {p for obj in page if isinstance(obj, dict) for p in (obj.get("parts") or []) if isinstance(p, str)}
    if not ids:
        return {}
    table = table_of("parts")
    with mirror.session() as s:
        return dict(s.execute(table.select().with_only_columns(table.c.id, table.c.sku).where(table.c.id.in_(ids))).all())


def _tombstone_unseen(session, entity: str, started: datetime) -> int:
    """Rows UpKeep did not list in this reconciliation: tombstoned (kept for history).

    Rows that appeared after the pass began (created on UpKeep, or written back by the outbox
    meanwhile) may sit behind the listing's key: they are left for the next pass.
    """
    table = table_of(entity).name
    stamp = format_utc(started)
    count = session.execute(
        text(
            f"UPDATE {table} SET deleted_at = :now WHERE deleted_at IS NULL AND id NOT LIKE 'local-%' "
            f"AND (upkeep_created_at IS NULL OR upkeep_created_at < :started) "
            f"AND (synced_at IS NULL OR synced_at < :started) "
            f"AND id NOT IN (SELECT id FROM reconcile_seen WHERE entity = :e)"
        ),
        {"now": format_utc(datetime.now(UTC)), "started": stamp, "e": entity},
    ).rowcount
    session.execute(text("DELETE FROM reconcile_seen WHERE entity = :e"), {"e": entity})
    return count
