"""The emulator's state: one SQLite file, one table per entity.

Each table keeps the id, ``createdAt``/``updatedAt`` (and the other date filters) as integer ms,
one text column per equality filter, and the payload exactly as the API returns it, so a list page
is a single indexed query whose JSON texts are joined without being parsed. One connection is
shared by all server threads behind a lock: the emulator favours simple, serialised semantics over
read concurrency.
"""

from __future__ import annotations

import json
import random
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path

from sync.emulator.entities import ENTITIES, EntitySpec

BATCH = 5000


def dumps(payload: dict) -> str:
    """Compact JSON, the form payloads are stored and served in."""
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False)


def _q(name: str) -> str:
    return f'"{name}"'


class Store:
    """SQLite-backed tables of UpKeep objects, plus the small bookkeeping tables the emulator needs."""

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        self.lock = threading.RLock()
        self.db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        # A throwaway emulator state: durability is not worth the fsyncs.
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=OFF")
        self.db.execute("PRAGMA cache_size=-16000")
        self._columns = {
            spec.name: ("id", *spec.time_columns, *spec.text_columns, "payload") for spec in ENTITIES.values()
        }

    def close(self) -> None:
        with self.lock:
            self.db.close()

    # -- schema ---------------------------------------------------------------------------------

    def create_schema(self) -> None:
        """Drop and recreate every table (indexes come later, after the bulk load)."""
        with self.lock:
            for spec in ENTITIES.values():
                cols = [f"{_q(c)} INTEGER" for c in spec.time_columns]
                cols += [f"{_q(c)} TEXT" for c in spec.text_columns]
                self.db.execute(f"DROP TABLE IF EXISTS {spec.name}")
                self.db.execute(
                    f"CREATE TABLE {spec.name} "
                    f"(id TEXT PRIMARY KEY, {', '.join(cols)}, payload TEXT NOT NULL)"
                )
            self.db.execute("DROP TABLE IF EXISTS messages")
            self.db.execute(
                "CREATE TABLE messages (seq INTEGER PRIMARY KEY, id TEXT, workOrder TEXT, payload TEXT)"
            )
            self.db.execute("CREATE INDEX ix_messages_wo ON messages(workOrder, seq)")
            # Field work: a work order's form items (its payload lists their ids), file content (size
            # and mime of every file; data only for uploads, seeded content is generated), and the
            # downtime events POST /assets/downtime recorded (the API cannot list them back).
            for table, ddl in (
                ("form_items", "id TEXT PRIMARY KEY, workOrder TEXT, pos INTEGER, payload TEXT"),
                ("file_content", "id TEXT PRIMARY KEY, size INTEGER NOT NULL, mime TEXT, data BLOB"),
                ("downtime_events", "seq INTEGER PRIMARY KEY, id TEXT, asset TEXT, payload TEXT"),
            ):
                self.db.execute(f"DROP TABLE IF EXISTS {table}")
                self.db.execute(f"CREATE TABLE {table} ({ddl})")
            self.db.execute("CREATE INDEX ix_form_items_wo ON form_items(workOrder, pos)")
            self.db.execute("DROP TABLE IF EXISTS meta")
            self.db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)")

    def create_indexes(self) -> None:
        """Indexes for paging (every sort field, tie-broken by id) and the hot equality filters."""
        with self.lock:
            for spec in ENTITIES.values():
                lead = (spec.parent,) if spec.parent else ()
                for col in spec.order_fields:
                    cols = ", ".join(_q(c) for c in (*lead, col, "id"))
                    self.db.execute(f"CREATE INDEX IF NOT EXISTS ix_{spec.name}_{col} ON {spec.name}({cols})")
                for col in spec.indexed:
                    self.db.execute(
                        f"CREATE INDEX IF NOT EXISTS ix_{spec.name}_{col} "
                        f"ON {spec.name}({_q(col)}, createdAt)"
                    )
            self.db.execute("ANALYZE")

    # -- meta -----------------------------------------------------------------------------------

    def meta(self, key: str) -> str | None:
        with self.lock:
            try:
                row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
            except sqlite3.OperationalError:
                return None
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        with self.lock:
            self.db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (key, value))

    def next_number(self, name: str) -> int:
        """The next value of a persistent counter (e.g. ``workOrderNo``), never reused after deletes."""
        with self.lock:
            value = int(self.meta(name) or 0) + 1
            self.set_meta(name, str(value))
        return value

    # -- writes ---------------------------------------------------------------------------------

    def _insert_sql(self, spec: EntitySpec, verb: str = "INSERT") -> str:
        cols = self._columns[spec.name]
        return f"{verb} INTO {spec.name} ({', '.join(map(_q, cols))}) VALUES ({', '.join('?' * len(cols))})"

    def insert_many(self, spec: EntitySpec, payloads: Iterable[dict]) -> int:
        """Bulk-insert payloads in batches of :data:`BATCH`, never holding more than one batch."""
        sql = self._insert_sql(spec)
        count = 0
        batch: list[tuple] = []
        with self.lock:
            for payload in payloads:
                batch.append((*spec.row(payload), dumps(payload)))
                if len(batch) >= BATCH:
                    self._write_batch(sql, batch)
                    count += len(batch)
                    batch = []
            if batch:
                self._write_batch(sql, batch)
                count += len(batch)
        return count

    def _write_batch(self, sql: str, batch: list[tuple]) -> None:
        self.db.execute("BEGIN")
        self.db.executemany(sql, batch)
        self.db.execute("COMMIT")

    def put_many(self, spec: EntitySpec, payloads: list[dict]) -> None:
        """Insert or replace many objects in one transaction."""
        sql = self._insert_sql(spec, "INSERT OR REPLACE")
        with self.lock:
            self._write_batch(sql, [(*spec.row(p), dumps(p)) for p in payloads])

    def put(self, spec: EntitySpec, payload: dict, *, key: str | None = None) -> None:
        """Insert or replace one object (columns are re-extracted from the payload). ``key`` stores
        it under that row id whatever its own ``id`` says (or lacks): an injected malformed object."""
        if key is None:
            row = spec.row(payload)
        else:
            keyed = json.loads(dumps(payload))
            spec.stamps(keyed)["id"] = key
            row = spec.row(keyed)
        with self.lock:
            self.db.execute(self._insert_sql(spec, "INSERT OR REPLACE"), (*row, dumps(payload)))

    def delete(self, spec: EntitySpec, obj_id: str) -> bool:
        with self.lock:
            cur = self.db.execute(f"DELETE FROM {spec.name} WHERE id = ?", (obj_id,))
            if spec.name == "work_orders":
                self.db.execute("DELETE FROM messages WHERE workOrder = ?", (obj_id,))
                self.db.execute("DELETE FROM form_items WHERE workOrder = ?", (obj_id,))
        return cur.rowcount > 0

    # -- reads ----------------------------------------------------------------------------------

    def get_text(self, spec: EntitySpec, obj_id: str) -> str | None:
        with self.lock:
            row = self.db.execute(f"SELECT payload FROM {spec.name} WHERE id = ?", (obj_id,)).fetchone()
        return row[0] if row else None

    def get(self, spec: EntitySpec, obj_id: str) -> dict | None:
        text = self.get_text(spec, obj_id)
        return json.loads(text) if text is not None else None

    def is_foreign(self) -> bool:
        """True if the file holds tables but was not made by the emulator (never overwrite those)."""
        with self.lock:
            names = {r[0] for r in self.db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        return bool(names) and "meta" not in names

    def exists(self, spec: EntitySpec, obj_id: str) -> bool:
        with self.lock:
            return (
                self.db.execute(f"SELECT 1 FROM {spec.name} WHERE id = ?", (obj_id,)).fetchone() is not None
            )

    def count(self, spec: EntitySpec) -> int:
        with self.lock:
            return self.db.execute(f"SELECT count(*) FROM {spec.name}").fetchone()[0]

    def page(
        self,
        spec: EntitySpec,
        where: list[tuple[str, str, object]],
        order_field: str,
        descending: bool,
        offset: int,
        limit: int,
    ) -> list[str]:
        """JSON texts of one page: ``where`` is (column, operator, value) triples ANDed together;
        rows with equal sort values are ordered by id in the same direction, so pages are stable."""
        clauses = [f"{_q(col)} {op} ?" for col, op, _ in where]
        direction = "DESC" if descending else "ASC"
        sql = f"SELECT payload FROM {spec.name}"
        if clauses:
            sql += " WHERE " + " AND ".join(clauses)
        sql += f" ORDER BY {_q(order_field)} {direction}, id {direction} LIMIT ? OFFSET ?"
        with self.lock:
            rows = self.db.execute(sql, (*[v for _, _, v in where], limit, offset)).fetchall()
        return [r[0] for r in rows]

    def iter_payloads(self, spec: EntitySpec) -> Iterator[str]:
        """Every stored JSON text of an entity in id order, fetched in batches."""
        last = ""
        while True:
            with self.lock:
                rows = self.db.execute(
                    f"SELECT id, payload FROM {spec.name} WHERE id > ? ORDER BY id LIMIT ?", (last, BATCH)
                ).fetchall()
            if not rows:
                return
            last = rows[-1][0]
            yield from (r[1] for r in rows)

    def column_values(self, spec: EntitySpec, columns: str) -> list[tuple]:
        """Selected raw columns of every row (for rebuilding the plant context from a reused state)."""
        with self.lock:
            return self.db.execute(f"SELECT {columns} FROM {spec.name} ORDER BY id").fetchall()

    def random_id(self, spec: EntitySpec, rng: random.Random) -> str | None:
        """A pseudo-random existing id, O(log n) even at a million rows (rowid probe)."""
        with self.lock:
            top = self.db.execute(f"SELECT max(rowid) FROM {spec.name}").fetchone()[0]
            if top is None:
                return None
            probe = rng.randint(1, top)
            row = self.db.execute(
                f"SELECT id FROM {spec.name} WHERE rowid >= ? ORDER BY rowid LIMIT 1", (probe,)
            ).fetchone()
        return row[0] if row else None

    # -- field work: form items, file content, downtime events ---------------------------------

    def form_items(self, wo_id: str, ids: list[str] | None = None) -> list[dict]:
        """A work order's form items in order (only ``ids``, in their order, when given)."""
        with self.lock:
            rows = self.db.execute(
                "SELECT id, payload FROM form_items WHERE workOrder = ? ORDER BY pos", (wo_id,)
            ).fetchall()
        found = {r[0]: json.loads(r[1]) for r in rows}
        order = ids if ids is not None else [r[0] for r in rows]
        return [found[i] for i in order if i in found]

    def set_form_items(self, wo_id: str, items: list[dict]) -> None:
        with self.lock:
            self.db.execute("DELETE FROM form_items WHERE workOrder = ?", (wo_id,))
            self.db.executemany(
                "INSERT OR REPLACE INTO form_items(id, workOrder, pos, payload) VALUES (?, ?, ?, ?)",
                [(i["id"], wo_id, pos, dumps(i)) for pos, i in enumerate(items)],
            )

    def add_generated_files(self, rows: list[tuple[str, int, str]]) -> None:
        with self.lock:
            self._write_batch("INSERT INTO file_content(id, size, mime) VALUES (?, ?, ?)", rows)

    def add_uploaded_file(self, file_id: str, mime: str, data: bytes) -> None:
        with self.lock:
            self.db.execute(
                "INSERT INTO file_content(id, size, mime, data) VALUES (?, ?, ?, ?)",
                (file_id, len(data), mime, data),
            )

    def file_content(self, file_id: str) -> tuple[int, str, bytes | None] | None:
        """(size, mime, stored bytes or None when generated) of a file, None if unknown."""
        with self.lock:
            row = self.db.execute("SELECT size, mime, data FROM file_content WHERE id = ?", (file_id,)).fetchone()
        return (row[0], row[1], row[2]) if row else None

    def add_downtime_event(self, event: dict) -> None:
        with self.lock:
            self.db.execute(
                "INSERT INTO downtime_events(id, asset, payload) VALUES (?, ?, ?)",
                (event["id"], event["assetId"], dumps(event)),
            )

    def downtime_events(self, asset_id: str | None = None) -> list[dict]:
        with self.lock:
            rows = self.db.execute(
                "SELECT payload FROM downtime_events WHERE ? IS NULL OR asset = ? ORDER BY seq", (asset_id, asset_id)
            ).fetchall()
        return [json.loads(r[0]) for r in rows]

    # -- work-order messages --------------------------------------------------------------------

    def add_message(self, wo_id: str, message: dict) -> None:
        with self.lock:
            self.db.execute(
                "INSERT INTO messages(id, workOrder, payload) VALUES (?, ?, ?)",
                (message["id"], wo_id, dumps(message)),
            )

    def messages(self, wo_id: str) -> list[dict]:
        with self.lock:
            rows = self.db.execute(
                "SELECT payload FROM messages WHERE workOrder = ? ORDER BY seq", (wo_id,)
            ).fetchall()
        return [json.loads(r[0]) for r in rows]
