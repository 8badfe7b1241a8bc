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
from collections.abc import Iterator
from pathlib import Path

from mirror.sqlite import AnyConnection, dbapi

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
