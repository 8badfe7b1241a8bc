"""Pull: bring the mirror level with UpKeep, page by page, a few pages per transaction.

For each entity: walk its listing with a :class:`~sync.upkeep.keyset.KeysetPager`, map each object
(:mod:`sync.mapping`), and write the rows, their rejects and the advanced resume point in one
transaction. A crash at any point leaves the file consistent and the resume point at the last
pages written, so the next run resumes there.

Incremental runs list ``updatedAt >= cursor`` oldest change first. After a complete run the
cursor becomes the run's start minus a skew (:func:`sync.upkeep.paging.next_cursor`), never the newest
row seen, so rows changed during the run come again. Reconciliation (``full``) lists every object
by ``createdAt``, upserts what changed and tombstones what UpKeep no longer has: UpKeep has no
deletion feed. Preventive-maintenance triggers have no date filters, so every run lists them
all (they are few) and reconciles them on the way.

The first sync of an entity also lists by ``createdAt`` (which never changes, so rows updated
meanwhile cannot slip past the key); its cursor becomes the scan's start minus the skew once the
whole listing is written.

Requests go out in parallel (:mod:`sync.pull._fetch`): entities are listed at the same time, and a big
listing read by ``createdAt`` is cut after its first page into windows, each paged with its own
keyset. A first sync saves each window's key with its pages (``sync_windows``), so a crash
resumes every window where it stopped. The pages of a listing that big are mapped in a worker
process (:mod:`sync.pull._map_pool`), the others in the fetch threads (:mod:`sync.pull._save`). One
thread writes: the one that called :func:`sync_entities`. A big first listing into a (nearly)
empty table is bulk-loaded (:mod:`mirror.bulk`): indexes and full-text index built once at the end.

Where entities are listed: the registry (:mod:`mirror.entities`); mapping and saving a batch: :mod:`sync.pull._save`.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from mirror import bulk, pull_state
from mirror.db import Mirror
from mirror.entities import PULLED, Entity
from mirror.references import meter_ids, part_skus
from mirror.rejects import forget_unlisted_rejects
from mirror.store import RUN_COUNTS, begin_run, end_run, get_cursor, save_cursor, table_name
from sync.pull._fetch import End, Failed, Fetcher, Item, Page, Split, Stream
from sync.pull._map import Mapped, log_rejects, map_page
from sync.pull._memory import limit_malloc_arenas
from sync.pull._page_size import recall_page_size, record_page_size
from sync.pull._save import save_batch, tombstone_unseen
from sync.upkeep import UpKeepClient
from sync.upkeep.endpoints import FullListing, paths
from sync.upkeep.errors import AuthenticationFailed, ConfigurationError, RetriableError, UpKeepError
from sync.upkeep.keyset import KeysetPager, to_ms, value_ms
from sync.upkeep.paging import DEFAULT_LIMIT, DEFAULT_SKEW_MS, next_cursor

if TYPE_CHECKING:
    from sync.pull._map_pool import Answer, MapPool

__all__ = ["PullOptions", "PullResult", "Stopped", "sync_entities"]



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
    fatal: bool = False  # credentials or configuration refused: nothing will work until someone fixes it
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
    # Requests in flight at once, across all entities; None: the client's connection cap.
    parallel: int | None = None
    # Windows a big createdAt listing is cut into after its first page (1: not cut).
    windows: int = 8
    # Bulk-load a big first listing into a table with at most this many rows (None: never).
    bulk_max_rows: int | None = 1000
    # Rows per transaction while bulk-loading: fewer, bigger commits rewrite the primary key's
    # pages less often (mirror.bulk.LOADING); a crash still repeats at most this many rows.
    bulk_batch_rows: int = 1000
    # Processes mapping the pages of listings big enough to be cut into windows (0: none, the
    # fetch threads map every page); see sync.pull._map_pool.
    map_workers: int = 1
    # Fetched pages that may wait for the writer: enough that fetching and the mapping worker go
    # on while the writer commits (each page's mapping waits pickled, ~0.2 MB per 100 rows).
    pages_ahead: int = 16


class Stopped(Exception):
    """The pull was asked to stop; the last pages written are committed, the rest comes next run."""


#: A window of a split listing gets about this many pages at least.
_PAGES_PER_WINDOW = 5

#: Test hook: called with (step, table) at each step of a bulk load, after its transaction.
on_bulk_step: Callable[[str, str], None] | None = None


def sync_entities(
    mirror: Mirror, client: UpKeepClient, entities: list[str] | None = None, options: PullOptions | None = None
) -> list[PullResult]:
    """Pull the given entities (all, in reference order, by default); one result per entity tried.

    The first entity goes alone until its first page arrives (so a wrong password or an
    unreachable UpKeep is one failure, not thirteen); then the others start, each as soon as the
    entity it depends on is written. A fatal or network failure stops the run (the other entities
    would fail the same way); a rejected request or a malformed response is recorded for its
    entity and the run goes on.
    """
    options = options or PullOptions()
    wanted = list(entities or PULLED)
    run = _Run(mirror, client, options, [PULLED[e] for e in PULLED if e in wanted])
    run.go()
    return [run.results[e] for e in PULLED if e in run.results]


def _classify(result: PullResult, exc: BaseException) -> None:
    """A failure becomes the result's ``error`` (and ``stops_run`` when the next entity would fail alike)."""
    if isinstance(exc, Stopped):
        result.error, result.stops_run = "stopped before the end; the next run continues from here", True
    elif isinstance(exc, RetriableError):
        result.error, result.stops_run, result.unreachable = str(exc), True, True
    elif isinstance(exc, AuthenticationFailed | ConfigurationError):
        result.error, result.stops_run, result.fatal = str(exc), True, True  # the next entity would fail alike
    elif isinstance(exc, UpKeepError):  # a rejected request or malformed answer concerns this listing only
        result.error = str(exc)
    else:
        raise exc


@dataclass(eq=False)
class _Entity:
    """The writer's view of one entity being pulled."""

    source: Entity
    result: PullResult
    run_pk: int
    started: datetime
    reconcile: bool
    scan_started_ms: int  # the cursor after a complete run starts from here (minus the skew)
    windows_saved: bool = False  # a first sync: each window's key is saved with its pages
    bulk: bool = False  # being bulk-loaded (mirror.bulk)
    part_skus: dict[str, str] | None = None
    streams: set[Stream] = field(default_factory=set)
    batch: Mapped | None = None
    keys: dict[Stream, int | None] = field(default_factory=dict)  # window keys of the batch's pages
    ended: list[Stream] = field(default_factory=list)  # windows whose last page is in the batch

    @property
    def entity(self) -> str:
        return self.source.name


class _Run:
    """One sync run: starts entities, feeds the fetcher, writes what it fetches, finishes entities."""

    def __init__(self, mirror: Mirror, client: UpKeepClient, options: PullOptions, sources: list[Entity]):
        self.mirror, self.client, self.options = mirror, client, options
        self.run_id = uuid.uuid4().hex[:12]
        self.waiting = list(sources)
        self.active: dict[str, _Entity] = {}
        self.results: dict[str, PullResult] = {}
        self.done: set[str] = set()
        self.probing = True  # the first entity goes alone until its first page arrives
        self.stop_error: PullResult | None = None
        self.buffered = 0
        self.pool: MapPool | None = None  # started at the first listing big enough to be cut into windows
        self.pooled: set[str] = set()  # entities whose pages the pool maps

    def go(self) -> None:
        limit_malloc_arenas()  # before the fetch threads start: see sync.pull._memory
        with self.mirror.transaction() as conn:  # a bulk load a crash left unfinished: indexes back first
            bulk.restore(conn)
        recall_page_size(self.mirror, self.client)
        workers = self.options.parallel or self.client.max_connections
        self.fetcher = Fetcher(self.client, workers, self._map_page, self._split, ahead=self.options.pages_ahead)
        try:
            self._start_ready()
            while self.active:
                item = self.fetcher.get()
                state = self.active.get(item.stream.entity)
                if state is None:
                    continue  # an entity already finished (failed): its late items are dropped
                try:
                    self._handle(state, item)
                except (UpKeepError, Stopped) as exc:
                    self._fail(state, exc)
        finally:
            self.fetcher.close()
            if self.pool is not None:
                self.pool.close()
            for state in list(self.active.values()):  # an unexpected error: record what happened
                state.result.error = state.result.error or "interrupted by an internal error"
                self._finish(state)
            record_page_size(self.mirror, self.client)

    # --- starting ----------------------------------------------------------------------------

    def _start_ready(self) -> None:
        for source in list(self.waiting):
            if self.stop_error is not None:
                return
            if source not in self.waiting:
                continue  # started meanwhile: _start -> _finish (nothing left to fetch) -> _start_ready
            if self.probing and (self.active or self.done):
                return
            dependency = source.depends_on
            if dependency in self.active or any(w.name == dependency for w in self.waiting if w is not source):
                continue
            self.waiting.remove(source)
            self._start(source)

    def _start(self, source: Entity) -> None:
        options = self.options
        reconcile = options.full or not source.change_filter
        result = PullResult(source.name, "full" if reconcile else "incremental")
        started = datetime.now(UTC)
        self.results[source.name] = result
        with self.mirror.transaction() as conn:
            run_pk = begin_run(conn, self.run_id, source.name, result.mode, started)
            result.sync_run_id, result.run_id = run_pk, self.run_id
            if reconcile:
                pull_state.forget_pass(conn, source.name)
            cursor_ms = get_cursor(conn, source.name).cursor_ms
            windows = pull_state.load_windows(conn, source.name)
            state = _Entity(source, result, run_pk, started, reconcile, to_ms(started))
            streams = self._plan(conn, state, cursor_ms, windows)
        if source.name == "work_orders":
            state.part_skus = part_skus(self.mirror.connection())
        self.active[source.name] = state
        state.streams.update(streams)
        if not streams:
            self._finish(state)
            return
        for stream in streams:
            self.fetcher.add(stream)

    def _plan(self, conn: Any, state: _Entity, cursor_ms: int | None, windows: list[pull_state.Window]) -> list[Stream]:
        """The entity's streams: resumed windows, a fresh scan, an incremental listing, or one per meter."""
        source, limit, sizes = state.source, self.options.page_size, self.client.page_size
        entity = source.name
        if not source.change_filter:
            return [Stream(entity, source.path, FullListing(limit, sizes))]
        if source.per_meter:
            since = None if state.reconcile else cursor_ms
            field_name = "createdAt" if state.reconcile else "updatedAt"
            changed_since = None if since is None else datetime.fromtimestamp(since / 1000, tz=UTC)
            meters = meter_ids(conn, changed_since=changed_since)
            return [Stream(entity, path, KeysetPager(field=field_name, since_ms=since, limit=limit, sizes=sizes))
                    for path in paths(source, meters)]
        if state.reconcile:
            return [Stream(entity, source.path, KeysetPager(field="createdAt", limit=limit, sizes=sizes),
                           splittable=True)]
        if cursor_ms is not None:
            return [Stream(entity, source.path, KeysetPager(field="updatedAt", since_ms=cursor_ms, limit=limit,
                                                            sizes=sizes))]
        # A first sync: a createdAt scan whose windows are saved as they advance.
        state.windows_saved = True
        if windows:  # resume what a crash interrupted
            state.scan_started_ms = windows[0].scan_started_ms
            return [Stream(entity, source.path, KeysetPager(field="createdAt", since_ms=w.key_ms if w.key_ms is not None
                                                            else w.lo_ms, until_ms=w.hi_ms, limit=limit, sizes=sizes),
                           window=w.idx)
                    for w in windows if not w.done]
        pull_state.save_first_window(conn, entity, state.scan_started_ms)
        return [Stream(entity, source.path, KeysetPager(field="createdAt", limit=limit, sizes=sizes), window=0,
                       splittable=True)]

    # --- in the fetch workers ----------------------------------------------------------------

    def _map_page(self, stream: Stream, page: list[dict]) -> Mapped | Answer:
        pool = self.pool
        if stream.entity in self.pooled and pool is not None:
            future = pool.submit(stream.entity, page)
            if future is not None:
                return future  # the writer waits for it when it comes to this page
        state = self.active.get(stream.entity)
        return map_page(None, stream.entity, page, state.part_skus if state else None)

    def _split(self, stream: Stream, page: list[dict]) -> list[Stream]:
        """Cut a createdAt scan after its first (full) page into windows up to now, the last one open.

        As many windows as ``options.windows``, but about five pages each at least (estimated
        from how much time the first page spans): each window ends on a short page of its own, so
        a small listing cut too finely would cost more requests than it saves.
        """
        lo, hi = stream.pager.since_ms, to_ms(datetime.now(UTC))
        first = value_ms(page[0], "createdAt") if page else None
        if lo is None or first is None:
            return []
        pages = (hi - first) / max(lo - first, 1)  # the listing's length in first pages, roughly
        count = min(self.options.windows, int(pages // _PAGES_PER_WINDOW))
        if count < 2 or hi - lo < count:
            return []
        bounds = [lo + (hi - lo) * i // count for i in range(1, count)]
        stream.pager.until_ms = bounds[0]
        ends = [*bounds[1:], None]
        stream.hi_ms = bounds[0]
        return [Stream(stream.entity, stream.path,
                       KeysetPager(field="createdAt", since_ms=b, until_ms=e, limit=stream.pager.limit,
                                   sizes=stream.pager.sizes),
                       window=(i + 1) if stream.window is not None else None, lo_ms=b, hi_ms=e)
                for i, (b, e) in enumerate(zip(bounds, ends, strict=True))]

    # --- in the writer -----------------------------------------------------------------------

    def _handle(self, state: _Entity, item: Item) -> None:
        if isinstance(item, Failed):
            raise item.error  # UpKeep's errors are this entity's failure; anything else is a bug
        if isinstance(item, Page):
            if self.probing:
                self.probing = False
                self._start_ready()
            if item.first and item.more and item.stream.splittable and (state.windows_saved or state.reconcile):
                self._maybe_bulk(state)
            state.result.requests += 1 + item.retries
            state.result.retries += item.retries
            mapped = item.mapped
            if not isinstance(mapped, Mapped):  # sync.pull._map_pool.Answer: mapped in the worker
                mapped = mapped.mapped()
                log_rejects(mapped)
            if state.batch is None:
                state.batch = Mapped()
            state.batch.extend(mapped)
            state.batch.resume_ms = item.key_ms
            if item.stream.window is not None:
                state.keys[item.stream] = item.key_ms
            self.buffered += len(mapped.values) + len(mapped.ids)
            if len(state.batch.values) >= self._batch_rows(state):
                self._write(state)
            elif self.buffered >= 2 * max(self._batch_rows(s) for s in self.active.values()):
                for other in list(self.active.values()):
                    self._write(other)
        elif isinstance(item, Split):
            self._save_split(state, item)
        elif isinstance(item, End):
            state.streams.discard(item.stream)
            if item.stream.window is not None and not item.cancelled:
                state.ended.append(item.stream)
            if not state.streams:
                self._finish(state)

    def _save_split(self, state: _Entity, split: Split) -> None:
        """Save the new windows (a first sync resumes each from its own key); a listing this big has
        its pages mapped in another process from now on."""
        state.streams.update(split.windows)
        if self.options.map_workers > 0:
            if self.pool is None:
                from sync.pull._map_pool import MapPool

                self.pool = MapPool(self.mirror.path, self.options.map_workers)
            self.pooled.add(state.entity)
        if not state.windows_saved:
            return
        with self.mirror.transaction() as conn:
            pull_state.save_split(conn, state.entity, split.stream.window, split.stream.hi_ms,  # type: ignore[arg-type]  # a first sync's streams have a window
                                  [(w.window, w.lo_ms, w.hi_ms) for w in split.windows], state.scan_started_ms)  # type: ignore[misc]  # same

    def _batch_rows(self, state: _Entity) -> int:
        return self.options.bulk_batch_rows if state.bulk else self.options.batch_rows

    def _maybe_bulk(self, state: _Entity) -> None:
        """A big listing by ``createdAt``: bulk-load a first sync into a (nearly) empty table, and a
        reconciliation (``--full``) into an empty one (a new mirror); a reconciliation of a table
        with rows is a plain upsert (it lists about as many rows as the table holds)."""
        table = table_name(state.entity)
        bulk_max = self.options.bulk_max_rows
        if bulk_max is None:
            return
        with self.mirror.transaction() as conn:
            rows = pull_state.rows_up_to(conn, table, bulk_max + 1)
            began = rows <= (bulk_max if state.windows_saved else 0) and bulk.begin(conn, table)
        if began:
            state.bulk = True
            bulk.tune(self.mirror.connection(), loading=True)
            if on_bulk_step:
                on_bulk_step("begun", table)

    def _write(self, state: _Entity, *, stoppable: bool = True) -> None:
        """Save the entity's buffered pages in one transaction, with the resume point after them."""
        if state.batch is None:
            return
        if stoppable and self.options.should_stop():
            raise Stopped()
        batch, state.batch = state.batch, None
        self.buffered -= len(batch.values) + len(batch.ids)
        keys, state.keys = state.keys, {}
        ended, state.ended = state.ended, []
        upserted, rejected = save_batch(self.mirror, state.entity, batch, run_id=state.result.run_id,
                                        sync_run_id=state.result.sync_run_id,
                                        mark=lambda conn: self._mark(conn, state, batch, keys, ended))
        state.result.upserted += upserted
        state.result.rejected += rejected
        state.result.fetched += batch.fetched
        if on_bulk_step and batch.values:
            on_bulk_step("batch", table_name(state.entity))
        if self.options.on_page:
            self.options.on_page(state.result)

    def _mark(self, conn: Any, state: _Entity, batch: Mapped, keys: dict[Stream, int | None],
              ended: list[Stream]) -> None:
        """Record, in the batch's transaction, the resume point after it.

        For a first sync, each window's key (and which windows are complete); for an incremental
        listing, the entity's cursor, capped like the final cursor; for a reconciliation, the ids
        seen (its tombstoning needs every one).
        """
        source, entity = state.source, state.entity
        if state.reconcile:
            if batch.ids:
                pull_state.record_seen(conn, entity, batch.ids)
        elif state.windows_saved:
            if keys:
                pull_state.save_keys(conn, entity, [(w.window, k) for w, k in keys.items()])  # type: ignore[misc]  # a first sync's streams have a window
            if ended:
                pull_state.mark_windows_done(conn, entity, [w.window for w in ended])  # type: ignore[misc]  # a first sync's streams have a window
        elif source.change_filter and not source.per_meter:
            cursor = get_cursor(conn, entity)
            cursor.cursor_ms = min(batch.resume_ms or 0, next_cursor(state.scan_started_ms, self.options.skew_ms))
            save_cursor(conn, cursor)

    def _fail(self, state: _Entity, exc: BaseException) -> None:
        _classify(state.result, exc)
        self.fetcher.cancel(state.entity)
        self._finish(state)
        if state.result.stops_run:
            self.stop_error = state.result
            self.waiting.clear()
            for other in list(self.active.values()):
                self.fetcher.cancel(other.entity)
                other.result.error = f"not finished: the run stopped ({state.entity}: {state.result.error})"
                other.result.stops_run, other.result.unreachable = True, state.result.unreachable
                self._finish(other)

    def _finish(self, state: _Entity) -> None:
        """Write what is buffered; after a complete listing also tombstone, advance the cursor, end a bulk load."""
        result, source, entity = state.result, state.source, state.entity
        self.active.pop(entity, None)
        try:
            self._write(state, stoppable=False)  # pages already fetched are good rows: keep them
            complete = not result.error
            table = table_name(entity)
            if state.bulk and not any(other.bulk for other in self.active.values()):
                bulk.tune(self.mirror.connection(), loading=False)  # building indexes: the usual cache
            with self.mirror.transaction() as conn:
                if complete:
                    if state.reconcile:
                        result.tombstoned += tombstone_unseen(conn, entity, state.started)
                        forget_unlisted_rejects(conn, entity, state.started)  # gone from UpKeep: no longer a reject
                    cursor = get_cursor(conn, entity)
                    if source.change_filter:
                        cursor.cursor_ms = next_cursor(state.scan_started_ms, self.options.skew_ms)
                    cursor.last_success_at = datetime.now(UTC)
                    if state.reconcile:
                        cursor.last_reconciled_at = state.started
                    save_cursor(conn, cursor)
                    pull_state.drop_windows(conn, entity)
                # A failed listing resumes without a bulk load: the file keeps all its indexes meanwhile.
                finished_bulk = bulk.finish(conn, table)
            if finished_bulk and on_bulk_step:
                on_bulk_step("finished", table)
        except (UpKeepError, Stopped) as exc:
            _classify(result, exc)
        finally:
            result.finished = not result.error
            result.seconds = (datetime.now(UTC) - state.started).total_seconds()
            with self.mirror.transaction() as conn:
                end_run(conn, state.run_pk, {c: getattr(result, c) for c in RUN_COUNTS}, result.error,
                        datetime.now(UTC))
            self.done.add(entity)
        self.probing = False
        if self.stop_error is None and not result.stops_run:
            self._start_ready()
        elif result.stops_run and self.stop_error is None:
            self.stop_error = result
            self.waiting.clear()
