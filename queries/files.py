"""File content from the mirror in Datasette: ``/-/files/<file id>`` streams what ``file_chunks`` holds.

Images are served ``inline`` (the work-order and asset pages show photos with ``<img>``), other
files as downloads under their own name. Read-only like the rest: chunks are read one at a time
through Datasette's read-only connection, so a 100 MB manual never sits in memory. A file whose
content is not offline (skipped by the budget, not needed, not fetched yet) answers 404 with the
reason, in one sentence.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from datasette.utils import tilde_decode, tilde_encode
from datasette.utils.asgi import AsgiStream, Response

from mirror.file_content import NEXT_CHUNK_SQL

#: The route, as ``register_routes`` takes it.
ROUTE = r"/-/files/(?P<file_id>[^/]+)$"
DATABASE = "mirror"

_WHY_NOT = {
    "skipped": "it was left out by the files budget",
    "not_needed": "it is attached only to closed work orders, so it is not kept offline",
    "missing": "it has not been fetched yet (the next sync fetches it)",
    "partial": "it is still being fetched",
    "failed": "it could not be fetched",
}


def file_url(file_id: str) -> str:
    """Where a page links a file's content."""
    return f"/-/files/{tilde_encode(file_id)}"


def _disposition(filename: str, inline: bool) -> str:
    ascii_name = filename.encode("ascii", "replace").decode().replace('"', "'")
    kind = "inline" if inline else "attachment"
    return f"{kind}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"


async def serve_file(datasette: Any, request: Any) -> Any:
    file_id = tilde_decode(request.url_vars["file_id"])
    db = datasette.get_database(DATABASE)
    found = (await db.execute(
        "SELECT filename, mime_type, is_image, content_state, content_stored_bytes, content_note FROM files "
        "WHERE id = :i", {"i": file_id})).rows
    if not found:
        return Response.text(f"No file {file_id} in the mirror.", status=404)
    row = found[0]
    if row["content_state"] not in ("stored", "local"):
        why = _WHY_NOT.get(row["content_state"], "its content is not in the mirror")
        note = f" ({row['content_note']})" if row["content_note"] else ""
        return Response.text(f"{row['filename']} is not available offline: {why}{note}.", status=404)
    mime = row["mime_type"] or "application/octet-stream"

    async def stream(writer: Any) -> None:
        # Datasette's writer encodes text; bytes go straight to the ASGI channel it wraps.
        seq = -1
        while True:
            chunk = (await db.execute(NEXT_CHUNK_SQL, {"f": file_id, "s": seq})).rows
            if not chunk:
                return
            seq = chunk[0]["seq"]
            await writer.send({"type": "http.response.body", "body": bytes(chunk[0]["data"]), "more_body": True})

    headers = {
        "content-disposition": _disposition(row["filename"], bool(row["is_image"])),
        "content-length": str(row["content_stored_bytes"]),
        "cache-control": "private, max-age=3600",
        "x-content-type-options": "nosniff",
    }
    return AsgiStream(stream, headers=headers, content_type=mime)
