"""File content for the emulated UpKeep: generated for seeded files, stored for uploaded ones.

UpKeep keeps file content on S3 and gives each file record a ``url``; the emulator serves that
content under ``/_content/<file id>/<filename>`` (outside ``/api/v2``: no session token, as a
pre-signed S3 URL needs none). Seeded files are not stored: their bytes are a pure function of
(file id, size, mime type), generated block by block, so a 600 MB "3D scan" costs nothing until
someone asks for a byte range of it. Every generated file starts with a valid header (a real
PNG image for ``image/png``, a PDF header for ``application/pdf``), so browsers render photos.
"""

from __future__ import annotations

import random
import struct
import zlib
from collections.abc import Iterator

BLOCK = 64 * 1024
#: what a stored URL starts with; replaced by the emulator's own base URL when answering
URL_BASE = "@@EMULATOR@@"
CONTENT_PREFIX = "/_content"


def content_url(file_id: str, filename: str) -> str:
    """The url field of a file record (the placeholder is replaced when served)."""
    from urllib.parse import quote

    return f"{URL_BASE}{CONTENT_PREFIX}/{file_id}/{quote(filename)}"


def _png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A valid, small, single-colour PNG with a diagonal stripe (so it is visibly an image)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = bytearray()
    for y in range(height):
        rows.append(0)
        for x in range(width):
            rows += bytes((40, 40, 40)) if abs(x - y * width // height) < 3 else bytes(rgb)
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(bytes(rows)))
        + chunk(b"IEND", b"")
    )


def header_for(file_id: str, mime: str) -> bytes:
    """The leading bytes of a generated file: a real image or document header."""
    rng = random.Random(f"content-header:{file_id}")
    if mime == "image/png":
        return _png(96, 72, (rng.randint(80, 230), rng.randint(80, 230), rng.randint(80, 230)))
    if mime == "application/pdf":
        return b"%PDF-1.4\n% upkeep-emulator generated document " + file_id.encode() + b"\n"
    return b""


def generated_range(
    file_id: str, size: int, mime: str, start: int = 0, end: int | None = None
) -> Iterator[bytes]:
    """Bytes ``[start, end)`` of a generated file, in blocks of at most :data:`BLOCK`."""
    end = size if end is None else min(end, size)
    head = header_for(file_id, mime)
    pos = start
    while pos < end:
        if pos < len(head):
            piece = head[pos : min(end, len(head))]
        else:
            block = (pos - len(head)) // BLOCK
            data = random.Random(f"content:{file_id}:{block}").randbytes(BLOCK)
            offset = (pos - len(head)) % BLOCK
            piece = data[offset : offset + (end - pos)]
        yield piece
        pos += len(piece)
