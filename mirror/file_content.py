"""File content in the mirror file: chunks of at most 1 MiB in ``file_chunks``, next to ``files``.

Why in SQLite and in chunks (the README's "Files offline" says the same for users):

- **One file.** The mirror is one SQLite file that people copy, back up and open read-only in
  Datasette; content beside it on disk would be a second thing to keep consistent and to serve.
- **Crash-consistent for free.** A chunk and the file's ``content_stored_bytes`` are written in
  one transaction, so after a kill the stored prefix is exactly what the row says, and a download
  resumes from there with an HTTP ``Range`` request. A half-written file on disk would need its own
  journal.
- **Bounded memory.** Reading or writing never holds more than one chunk, even for a 600 MB scan.
- **Read-only serving.** Datasette reads the chunks through the same ``mode=ro`` connection it uses
  for everything else (``queries`` streams them as a download), so serving stays byte-identical.

The cost is a larger mirror file; deleting content leaves free pages until ``VACUUM``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

from mirror.sqlite import AnyConnection, dbapi
from mirror.vocabulary import UNFINISHED_STATUSES_SQL

#: Chunk size of stored content: bounds memory per write and is the unit a download resumes from.
CHUNK_BYTES = 1024 * 1024


def append_chunk(conn: AnyConnection, file_id: str, data: bytes) -> int:
    """Store the next chunk of a file's content (in the caller's transaction); return bytes stored."""
    conn = dbapi(conn)
    row = conn.execute(
        "SELECT coalesce(max(seq), -1) + 1, coalesce(sum(length(data)), 0) FROM file_chunks WHERE file_id = :f",
        {"f": file_id},
    ).fetchone()
    conn.execute(
        "INSERT INTO file_chunks (file_id, seq, data) VALUES (:f, :s, :d)",
        {"f": file_id, "s": row[0], "d": data},
    )
    return int(row[1]) + len(data)


def stored_bytes(conn: AnyConnection, file_id: str) -> int:
    return int(dbapi(conn).execute(
        "SELECT coalesce(sum(length(data)), 0) FROM file_chunks WHERE file_id = :f", {"f": file_id}
    ).fetchone()[0])


def drop_content(conn: AnyConnection, file_id: str) -> None:
    dbapi(conn).execute("DELETE FROM file_chunks WHERE file_id = :f", {"f": file_id})


#: One chunk after ``seq``: the statement every reader of content uses (also through plain sqlite3).
NEXT_CHUNK_SQL = "SELECT seq, data FROM file_chunks WHERE file_id = :f AND seq > :s ORDER BY seq LIMIT 1"


def iter_content(connection: AnyConnection, file_id: str) -> Iterator[bytes]:
    """A file's content chunk by chunk (a plain connection, or a SQLAlchemy session or connection), one
    chunk in memory."""
    conn, seq = dbapi(connection), -1
    while True:
        row = conn.execute(NEXT_CHUNK_SQL, {"f": file_id, "s": seq}).fetchone()
        if row is None:
            return
        seq = row[0]
        yield bytes(row[1])


def sha256_of(connection: AnyConnection, file_id: str) -> str:
    digest = hashlib.sha256()
    for chunk in iter_content(connection, file_id):
        digest.update(chunk)
    return digest.hexdigest()


def store_local_file(conn: AnyConnection, file_id: str, path: Path) -> tuple[int, str]:
    """Copy a local file into the mirror under ``file_id`` chunk by chunk; (size, sha256)."""
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK_BYTES):
            digest.update(chunk)
            size = append_chunk(conn, file_id, chunk)
    return size, digest.hexdigest()


def rename_content(conn: AnyConnection, old: str, new: str) -> None:
    """A local file got its UpKeep id: move its content and row to the new id."""
    dbapi(conn).execute("UPDATE file_chunks SET file_id = :n WHERE file_id = :o", {"n": new, "o": old})


# --- which files to keep offline, and their content's state (for sync.pull.files) ---------------------

_SLOTS_ASSET = "(SELECT 'image' AS slot UNION ALL SELECT 'purchaseReceipt' UNION ALL SELECT 'warrantyFile')"
_SLOTS_WO = ("(SELECT 'image' AS slot UNION ALL SELECT 'image2' UNION ALL SELECT 'image3' UNION ALL "
             "SELECT 'image4' UNION ALL SELECT 'image5' UNION ALL SELECT 'signatureImage')")
#: Files needed offline (see sync.pull.files); open work orders are read through their index.
NEEDED_SQL = f"""
WITH ids(file_id) AS (
    SELECT j.value FROM assets a, json_each(a.raw, '$.files') j WHERE a.deleted_at IS NULL AND j.type = 'text'
    UNION SELECT j.value FROM work_orders w, json_each(w.raw, '$.files') j
    WHERE w.deleted_at IS NULL AND NOT w.archived AND w.upkeep_status IN {UNFINISHED_STATUSES_SQL} AND j.type = 'text'
), urls(url) AS (
    SELECT json_extract(a.raw, '$.' || s.slot || '.url') FROM assets a, {_SLOTS_ASSET} s
    WHERE a.deleted_at IS NULL AND json_type(a.raw, '$.' || s.slot) = 'object'
    UNION SELECT json_extract(w.raw, '$.' || s.slot || '.url') FROM work_orders w, {_SLOTS_WO} s
    WHERE w.deleted_at IS NULL AND NOT w.archived AND w.upkeep_status IN {UNFINISHED_STATUSES_SQL}
      AND json_type(w.raw, '$.' || s.slot) = 'object'
)
SELECT id FROM files WHERE deleted_at IS NULL AND url IS NOT NULL AND content_state != 'local'
  AND (id IN (SELECT file_id FROM ids) OR url IN (SELECT url FROM urls WHERE url IS NOT NULL))
"""


class NeededFile(NamedTuple):
    """A file whose content is needed offline, and how much of it is stored."""

    id: str
    filename: str | None
    url: str
    size_bytes: int | None
    content_state: str
    content_stored_bytes: int


def mark_needed(conn: Any) -> list[NeededFile]:
    """The files needed offline now (:data:`NEEDED_SQL`); files no longer needed that were waiting
    become ``not_needed``, and needed ones that were ``not_needed`` become ``missing`` again."""
    ids = json.dumps(sorted({row[0] for row in conn.execute(NEEDED_SQL)}))
    conn.execute("UPDATE files SET content_state = 'not_needed', content_note = NULL "
                 "WHERE content_state IN ('missing', 'skipped') AND id NOT IN "
                 "(SELECT value FROM json_each(:ids))", {"ids": ids})
    conn.execute("UPDATE files SET content_state = 'missing' WHERE content_state = 'not_needed' "
                 "AND id IN (SELECT value FROM json_each(:ids))", {"ids": ids})
    return [NeededFile(*row) for row in conn.execute(
        "SELECT id, filename, url, size_bytes, content_state, content_stored_bytes FROM files "
        "WHERE id IN (SELECT value FROM json_each(:ids))", {"ids": ids})]


def stored_total(conn: Any) -> int:
    """Bytes of content stored for complete files."""
    return conn.execute(
        "SELECT coalesce(sum(content_stored_bytes), 0) FROM files WHERE content_state = 'stored'").fetchone()[0]


def set_size(conn: Any, file_id: str, size: int) -> None:
    conn.execute("UPDATE files SET size_bytes = :n WHERE id = :i", {"n": size, "i": file_id})


def set_content_state(conn: Any, file_id: str, state: str, note: str | None) -> None:
    """``failed`` or ``skipped``, with why."""
    conn.execute("UPDATE files SET content_state = :st, content_note = :n WHERE id = :i",
                 {"st": state, "n": note, "i": file_id})


def append_partial(conn: Any, file_id: str, data: bytes) -> int:
    """The next chunk of a download, and the file marked ``partial``; returns bytes stored."""
    stored = append_chunk(conn, file_id, data)
    conn.execute("UPDATE files SET content_stored_bytes = :n, content_state = 'partial' WHERE id = :i",
                 {"n": stored, "i": file_id})
    return stored


def mark_stored(conn: Any, file_id: str, size: int, fetched_at: str) -> None:
    """The download is complete: ``stored``, with its SHA-256."""
    conn.execute("UPDATE files SET content_state = 'stored', content_sha256 = :h, content_note = NULL, "
                 "content_fetched_at = :t, size_bytes = :n WHERE id = :i",
                 {"h": sha256_of(conn, file_id), "t": fetched_at, "n": size, "i": file_id})
