"""What it costs SQLite to bulk-load the work orders of a first sync, and which settings make it cheaper.

A first sync bulk-loads ``work_orders``: ``mirror.bulk.begin`` drops the plain secondary indexes
and the full-text triggers, the pull upserts the rows a batch per transaction with multi-row
``INSERT ... ON CONFLICT(id) DO UPDATE ... WHERE`` statements, and ``mirror.bulk.finish``
re-creates the indexes and rebuilds the FTS5 index. This script does exactly that with the
stdlib ``sqlite3`` module (no SQLAlchemy in the measured process) on the rows of an existing
mirror, in the order a first sync inserts them (``upkeep_created_at``), and varies one setting at
a time: rows per transaction, ``cache_size``, ``wal_autocheckpoint``, rows per statement, the
finish step's ``temp_store`` and ``cache_size``, keeping the two ``*_cover`` indexes during the
load; then combinations (``txn=5000 ckpt=10000 c=-8000`` is the recommended one, "rec"), and the
load with every index and trigger in place (run once: it is slow).

Each variant runs ``--repeat`` times, each in a child process of its own that copies a freshly
migrated, empty mirror (made once with ``open_mirror``), so the child's peak RSS is SQLite's
plus a bare interpreter's. The child reads its input from a copy of the rows (made once) one
statement's worth at a time, so the rows themselves do not inflate its memory; the ``read
only`` line is that reading alone, to subtract. Every variant keeps the pull's guarantees: WAL
journal, ``synchronous=NORMAL``, one ``BEGIN IMMEDIATE`` transaction per batch, the upsert
statement of ``mirror.store``.

Columns: ``load`` (upserts and commits), ``finish`` (indexes + FTS ``rebuild``, one transaction),
``ckpt`` (the final ``wal_checkpoint(TRUNCATE)``, only when autocheckpoint is off), ``total``
(all three; seconds, median of the runs); ``rss`` the child's peak RSS (VmHWM, MB, median),
``rss@load`` the peak RSS sampled before ``finish`` began; ``write`` the MB the child passed to
``write()`` (/proc/self/io wchar: WAL frames, checkpoint copies and temporary files), ``wal``
the WAL's size at its largest, when it is never checkpointed.

    python tests/benchmarks/bench_writer.py                       # every variant, 3 runs each
    python tests/benchmarks/bench_writer.py --only base,txn=5000  # some variants
    python tests/benchmarks/bench_writer.py --list                # the variants' names
    python tests/benchmarks/bench_writer.py --source /tmp/p-sync.db --rows 100000 --repeat 3

``--source`` is a mirror holding the work orders to load (read only; default /tmp/p-sync.db).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from mirror.sqlite import configure  # noqa: E402 - after the path above
from mirror.store import _chunk_sizes  # noqa: E402

#: The settings of a variant; each variant changes some of these.
BASE = {
    "txn": 500,  # rows per transaction (PullOptions.batch_rows)
    "stmt": 16,  # rows per multi-row statement (mirror.store._ROWS_PER_STATEMENT); 1: executemany
    "cache": -2000,  # PRAGMA cache_size during the load (SQLite's default)
    "ckpt": 1000,  # PRAGMA wal_autocheckpoint; 0: off, one wal_checkpoint(TRUNCATE) at the end
    "finish_temp": "FILE",  # temp_store while building indexes (what bulk.finish asks for)
    "finish_cache": None,  # PRAGMA cache_size during finish (None: as during the load)
    "keep": [],  # secondary indexes kept during the load instead of re-created
    "bulk": True,  # False: load with every index and trigger in place, no finish
    "threads": 0,  # PRAGMA threads (sorter helper threads for CREATE INDEX)
    "read_only": False,  # only read the input: the reading's own cost
}

COVER = ["ix_work_orders_completed_cover", "ix_work_orders_created_cover"]

VARIANTS: dict[str, dict] = {
    "read only": {"read_only": True},
    "base": {},
    "txn=2000": {"txn": 2000},
    "txn=5000": {"txn": 5000},
    "txn=20000": {"txn": 20000},
    "cache=-8000": {"cache": -8000},
    "cache=-16000": {"cache": -16000},
    "cache=-32000": {"cache": -32000},
    "ckpt=10000": {"ckpt": 10000},
    "ckpt=off": {"ckpt": 0},
    "stmt=64": {"stmt": 64},
    "stmt=1 (executemany)": {"stmt": 1},
    "finish temp=MEMORY": {"finish_temp": "MEMORY"},
    "finish cache=-16000": {"finish_cache": -16000},
    "finish cache=-64000": {"finish_cache": -64000},
    "finish threads=1": {"threads": 1},
    "keep cover indexes": {"keep": COVER},
    "txn=5000 ckpt=10000": {"txn": 5000, "ckpt": 10000},
    "txn=5000 ckpt=off": {"txn": 5000, "ckpt": 0},
    "txn=5000 cache=-8000": {"txn": 5000, "cache": -8000},
    "txn=5000 ckpt=10000 c=-8000": {"txn": 5000, "ckpt": 10000, "cache": -8000},  # "rec": recommended
    "txn=5000 ckpt=10000 c=-16000": {"txn": 5000, "ckpt": 10000, "cache": -16000},
    "txn=2000 ckpt=10000 c=-8000": {"txn": 2000, "ckpt": 10000, "cache": -8000},
    "rec + stmt=64": {"txn": 5000, "ckpt": 10000, "cache": -8000, "stmt": 64},
    "rec + keep cover": {"txn": 5000, "ckpt": 10000, "cache": -8000, "keep": COVER},
    "all indexes (no bulk)": {"bulk": False},
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", default="/tmp/p-sync.db", help="a mirror holding the work orders (read only)")
    parser.add_argument("--rows", type=int, default=100_000, help="how many work orders to load")
    parser.add_argument("--repeat", type=int, default=3, help="runs per variant (the table shows medians)")
    parser.add_argument("--only", help="comma-separated variant names (see --list)")
    parser.add_argument("--once", default="all indexes (no bulk)",
                        help="comma-separated variants run only once (slow ones)")
    parser.add_argument("--work", default=None, help="folder for the input copy and the mirrors (default: a temp dir)")
    parser.add_argument("--list", action="store_true", help="print the variants' names and settings")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(_load(json.loads(args.child))))
        return
    if args.list:
        for name, changes in VARIANTS.items():
            print(f"{name:28} {changes}")
        return
    names = list(VARIANTS) if not args.only else [n.strip() for n in args.only.split(",")]
    unknown = [n for n in names if n not in VARIANTS]
    if unknown:
        parser.error(f"unknown variants {unknown}; --list shows them")
    once = {n.strip() for n in args.once.split(",")}
    work = Path(args.work or tempfile.mkdtemp(prefix="bench-writer-"))
    work.mkdir(parents=True, exist_ok=True)
    rows_db, template, statement = _prepare(Path(args.source), work, args.rows)
    print(f"# {args.rows} work orders from {args.source}; SQLite {sqlite3.sqlite_version}; "
          f"load average {os.getloadavg()[0]:.2f} at start", flush=True)
    header = (f"{'variant':28} {'load':>6} {'commit':>6} {'finish':>6} {'ckpt':>5} {'total':>6} "
              f"{'rss':>5} {'rss@load':>8} {'write':>6} {'w@load':>6} {'wal':>5}")
    print(header)
    print("-" * len(header), flush=True)
    for name in names:
        settings = {**BASE, **VARIANTS[name], "rows_db": str(rows_db), "template": str(template),
                    "mirror": str(work / "mirror.db"), "statement": statement, "rows": args.rows}
        runs = [_run_child(settings) for _ in range(1 if name in once else args.repeat)]
        med = {k: statistics.median(r[k] for r in runs) for k in runs[0] if isinstance(runs[0][k], (int, float))}
        print(f"{name:28} {med['load']:6.2f} {med['commit']:6.2f} {med['finish']:6.2f} {med['ckpt']:5.2f} {med['total']:6.2f} "
              f"{med['maxrss_mb']:5.0f} {med['rss_load_mb']:8.0f} {med['write_mb']:6.0f} {med['write_load_mb']:6.0f} "
              + (f"{med['wal_mb']:5.0f}" if med['wal_mb'] else f"{'':5}")
              + ("   (1 run)" if len(runs) == 1 else ""), flush=True)
    print(f"# load average {os.getloadavg()[0]:.2f} at end")
    if not args.work:
        shutil.rmtree(work, ignore_errors=True)


def _prepare(source: Path, work: Path, rows: int) -> tuple[Path, Path, dict]:
    """Once: the input rows in insertion order, an empty migrated mirror, the upsert statement."""
    from mirror import store
    from mirror.db import open_mirror

    sql, columns = store._upsert_statement("work_orders", False)
    template = work / "template.db"
    if not template.exists():
        open_mirror(template).close()
        conn = sqlite3.connect(template)
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.close()
    rows_db = work / f"rows-{rows}.db"
    if not rows_db.exists():
        if not source.exists():
            raise SystemExit(f"{source} does not exist: give --source a mirror holding work orders")
        partial = rows_db.with_suffix(".part")
        partial.unlink(missing_ok=True)
        out = sqlite3.connect(partial)
        out.execute(f"ATTACH DATABASE '{source.resolve().as_uri()}?mode=ro' AS src")
        quoted = ", ".join(f'"{c}"' for c in columns)
        out.execute(f"CREATE TABLE rows AS SELECT {quoted} FROM src.work_orders "
                    f"ORDER BY upkeep_created_at, id LIMIT {rows}")
        out.commit()
        out.close()
        partial.rename(rows_db)
    return rows_db, template, {"sql": sql, "columns": columns}


def _run_child(settings: dict) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", json.dumps(settings)],
                         check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


# --- the child: only sqlite3 and the standard library from here on -------------------------------

def _rss_mb() -> float:
    with open("/proc/self/status") as status:
        return int(re.search(r"VmRSS:\s+(\d+)", status.read()).group(1)) / 1024


def _hwm_mb() -> float:
    """Peak RSS of this program (VmHWM: unlike ru_maxrss, not inherited from the parent that forked it)."""
    with open("/proc/self/status") as status:
        return int(re.search(r"VmHWM:\s+(\d+)", status.read()).group(1)) / 1024


def _wchar() -> int:
    with open("/proc/self/io") as io:
        return int(re.search(r"wchar:\s+(\d+)", io.read()).group(1))


class _Sampler(threading.Thread):
    """The process's RSS every 20 ms: the peak before ``finish`` (ru_maxrss gives the overall one)."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peak = 0.0
        self.running = True

    def run(self) -> None:
        while self.running:
            self.peak = max(self.peak, _rss_mb())
            time.sleep(0.02)


def _begin_bulk(conn: sqlite3.Connection, keep: list[str]) -> list[tuple[str, str, str]]:
    """As ``mirror.bulk.begin`` for work_orders, keeping the indexes named in ``keep``."""
    conn.execute("BEGIN IMMEDIATE")
    objects = [(n, "index", s) for n, s in conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'work_orders' AND sql IS NOT NULL")
        if not s.lstrip().upper().startswith("CREATE UNIQUE") and " WHERE " not in " ".join(s.upper().split())
        and n not in keep]
    objects += [(n, "trigger", s) for n, s in conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'work_orders'")
        if n.startswith("work_orders_fts_")]
    for name, kind, sql in objects:
        conn.execute(f'DROP {kind.upper()} "{name}"')
        conn.execute("INSERT INTO bulk_loads (name, tbl, kind, definition) VALUES (?, 'work_orders', ?, ?)",
                     (name, kind, sql))
    conn.execute("INSERT INTO work_orders_fts (work_orders_fts) VALUES ('delete-all')")
    conn.execute("INSERT INTO bulk_loads (name, tbl, kind, definition) "
                 "VALUES ('work_orders_fts', 'work_orders', 'fts', NULL)")
    conn.execute("COMMIT")
    return objects


def _load(s: dict) -> dict:
    mirror = Path(s["mirror"])
    for suffix in ("", "-wal", "-shm"):
        Path(f"{mirror}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(s["template"], mirror)
    source = sqlite3.connect(f"{Path(s['rows_db']).resolve().as_uri()}?mode=ro", uri=True)
    quoted = ", ".join(f'"{c}"' for c in s["statement"]["columns"])
    rows = source.execute(f"SELECT {quoted} FROM rows ORDER BY rowid")
    sampler = _Sampler()
    sampler.start()
    conn = sqlite3.connect(mirror, isolation_level=None)
    configure(conn)
    conn.execute(f"PRAGMA cache_size = {s['cache']}")
    conn.execute(f"PRAGMA wal_autocheckpoint = {s['ckpt']}")
    conn.execute(f"PRAGMA threads = {s['threads']}")
    dropped = _begin_bulk(conn, s["keep"]) if s["bulk"] else []

    sql, width = s["statement"]["sql"], len(s["statement"]["columns"])
    one = "(" + ", ".join("?" * width) + ")"
    statements: dict[int, str] = {}
    wal = Path(f"{mirror}-wal")
    wal_peak = 0
    wchar0 = _wchar()
    started = time.perf_counter()
    left = s["rows"]
    in_commit = 0.0
    while left:
        batch = min(s["txn"], left)
        left -= batch
        if s["read_only"]:
            for _ in range(0, batch, 16):
                rows.fetchmany(16)
            continue
        conn.execute("BEGIN IMMEDIATE")
        if s["stmt"] == 1:
            conn.executemany(sql.replace("{values}", one), rows.fetchmany(batch))
        else:
            for size in _chunk_sizes(batch, s["stmt"]):
                text = statements.get(size) or statements.setdefault(size, sql.replace("{values}", ", ".join([one] * size)))
                conn.execute(text, [v for row in rows.fetchmany(size) for v in row])
        committing = time.perf_counter()
        conn.execute("COMMIT")
        in_commit += time.perf_counter() - committing
        if not s["ckpt"]:
            wal_peak = max(wal_peak, wal.stat().st_size)
    loaded = time.perf_counter()
    rss_load = max(sampler.peak, _rss_mb())
    write_load = _wchar() - wchar0

    if dropped:
        if s["finish_cache"] is not None:
            conn.execute(f"PRAGMA cache_size = {s['finish_cache']}")
        conn.execute(f"PRAGMA temp_store = {s['finish_temp']}")
        conn.execute("BEGIN IMMEDIATE")
        for _name, _kind, definition in dropped:
            conn.execute(definition)
        conn.execute("INSERT INTO work_orders_fts (work_orders_fts) VALUES ('rebuild')")
        conn.execute("DELETE FROM bulk_loads WHERE tbl = 'work_orders'")
        conn.execute("COMMIT")
    finished = time.perf_counter()
    if not s["ckpt"] and not s["read_only"]:
        wal_peak = max(wal_peak, wal.stat().st_size)
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    done = time.perf_counter()
    sampler.running = False
    count = conn.execute("SELECT count(*) FROM work_orders").fetchone()[0]
    if not s["read_only"]:
        assert count == s["rows"], (count, s["rows"])
        if dropped:
            hits = conn.execute("SELECT count(*) FROM work_orders_fts WHERE work_orders_fts MATCH 'replace'").fetchone()[0]
            assert hits > 0, "the full-text index was not rebuilt"
    write_mb = (_wchar() - wchar0) / 2**20
    conn.close()
    source.close()
    return {
        "load": loaded - started, "finish": finished - loaded, "ckpt": done - finished, "total": done - started,
        "maxrss_mb": _hwm_mb(), "rss_load_mb": rss_load,
        "write_mb": write_mb, "write_load_mb": write_load / 2**20, "commit": in_commit, "wal_mb": wal_peak / 2**20,
    }


if __name__ == "__main__":
    main()
