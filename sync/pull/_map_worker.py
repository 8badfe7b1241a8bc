"""The mapping worker process of :mod:`sync.pull._map_pool`: ``python -m sync.pull._map_worker <mirror uri>``.

It reads pages on stdin and answers on stdout, in order, one length-prefixed pickle each, until
its input ends (the pull closed it, or died). It imports the mapping and little else, to stay
small: no HTTP, no SQLAlchemy, no outbox.
"""

from __future__ import annotations

import pickle
import sqlite3
import struct
import sys
from typing import IO, Any

import orjson

from mirror.references import part_skus
from sync.pull._map import map_page

__all__ = ["receive", "send", "serve"]

_HEADER = struct.Struct(">I")


def send(stream: IO[bytes] | None, message: Any) -> None:
    assert stream is not None  # the pipe of a process started with stdin=PIPE
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_HEADER.pack(len(data)) + data)
    stream.flush()


def receive(stream: IO[bytes] | None) -> Any | None:
    """The next message, or None at the end of the stream."""
    assert stream is not None  # the pipe of a process started with stdout=PIPE
    header = stream.read(_HEADER.size)
    if len(header) < _HEADER.size:
        return None
    (size,) = _HEADER.unpack(header)
    data = stream.read(size)
    return pickle.loads(data) if len(data) == size else None


def serve(uri: str) -> None:
    """The worker: map each page sent on stdin, answer on stdout, until stdin ends."""
    source, sink = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing else may write into the answers
    skus: dict[str, str] | None = None
    while (message := receive(source)) is not None:
        entity, body = message
        try:
            if entity == "work_orders" and skus is None:
                conn = sqlite3.connect(uri, uri=True)
                try:
                    skus = part_skus(conn)
                finally:
                    conn.close()
            mapped = map_page(None, entity, orjson.loads(body), skus, log_rejects=False)
            answer: tuple[bool, bytes | str] = (True, pickle.dumps(mapped, protocol=pickle.HIGHEST_PROTOCOL))  # unpickled by the writer
        except Exception as exc:  # said back: the pull decides (a bug, not UpKeep's data: rejects are mapped)
            answer = (False, f"{type(exc).__name__}: {exc}")
        try:
            send(sink, answer)
        except BrokenPipeError:
            return


if __name__ == "__main__":
    serve(sys.argv[1])
