"""The HTTP transport: a threaded stdlib server bound to 127.0.0.1, with connection-level faults.

Requests under ``/api/v2`` go through the offline switch and the fault injector before reaching
:class:`~sync.emulator.api.Api`; requests under ``/_emulator`` go to the control surface, which is
never faulted and stays reachable while the API is offline. Dropping a connection is done at the
socket, without writing a byte: a FIN for faults (the client sees the server disconnect without a
response), a reset while offline (the client sees the connection refused or reset).
"""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from sync.emulator.api import API_PREFIX, Response, error
from sync.emulator.content import CONTENT_PREFIX, URL_BASE, generated_range

if TYPE_CHECKING:
    from sync.emulator.emulator import Emulator

CONTROL_PREFIX = "/_emulator"
_MESSAGES = {  # the reference's own wording for these codes
    429: "Too Many Requests -- You're requesting too many objects! Slow down!",
    500: "Internal Server Error -- We had a problem with our server. Try again later.",
    503: "Service Unavailable -- We're temporarily offline for maintenance. Please try again later.",
}


class EmulatorHTTPServer(ThreadingHTTPServer):
    """Tracks open connections so :meth:`close_all` can end keep-alive sockets on stop."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, port: int, app: Emulator) -> None:
        self.app = app
        self.connections: set[socket.socket] = set()
        self.conn_lock = threading.Lock()
        super().__init__(("127.0.0.1", port), Handler)

    def close_all(self) -> None:
        with self.conn_lock:
            conns = list(self.connections)
        for conn in conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: EmulatorHTTPServer
    server_version = "UpKeepEmulator/1"

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in two writes; without this, delayed ACKs add ~40 ms per call.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with self.server.conn_lock:
            self.server.connections.add(self.connection)

    def finish(self) -> None:
        with self.server.conn_lock:
            self.server.connections.discard(self.connection)
        with contextlib.suppress(OSError):
            super().finish()

    def log_message(self, format: str, *args: object) -> None:
        if self.server.app.verbose:
            super().log_message(format, *args)

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_PATCH(self) -> None:
        self._dispatch("PATCH")

    def do_PUT(self) -> None:
        self._dispatch("PUT")

    def do_DELETE(self) -> None:
        self._dispatch("DELETE")

    def do_HEAD(self) -> None:
        self._dispatch("HEAD")

    def _body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _dispatch(self, method: str) -> None:
        app = self.server.app
        url = urlsplit(self.path)
        path = url.path
        if path == CONTROL_PREFIX or path.startswith(CONTROL_PREFIX + "/"):
            self._send(app.control.handle(method, path[len(CONTROL_PREFIX) :], url.query, self._body()))
            return
        is_content = path.startswith(CONTENT_PREFIX + "/")
        if not (path == API_PREFIX or path.startswith(API_PREFIX + "/") or is_content):
            self._body()
            self._send(error(404, f"unknown endpoint: {path}"))
            return
        if app.offline:
            app.stats.outcome("offline")
            self._drop(reset=True)
            return
        decision = app.faults.decide(method)
        raw = self._body()
        headers = {k.lower(): v for k, v in self.headers.items()}
        app.stats.request(method, path, headers.get("upkeep-version"))
        if decision.latency_ms:
            time.sleep(decision.latency_ms / 1000)
        outcome = decision.outcome
        if outcome:
            app.stats.outcome(outcome)
        if outcome == "drop":
            self._drop()
            return
        if outcome == "rate_limit":
            retry = str(app.faults.config.retry_after_s)
            self._send(error(429, _MESSAGES[429], {"Retry-After": retry}), count=True)
            return
        if outcome in ("unavailable", "server_error"):
            code = 503 if outcome == "unavailable" else 500
            self._send(error(code, _MESSAGES[code]), count=True)
            return
        if is_content:
            self._content(method, path, headers, drop_after=outcome == "lost_response")
            return
        response = app.api.handle(method, path, url.query, headers, raw)
        if outcome == "lost_response":
            self._drop()
            return
        self._send(response, count=True)

    def _content(self, method: str, path: str, headers: dict[str, str], drop_after: bool) -> None:
        """File content at a record's ``url``: GET (with ``Range: bytes=a-[b]``) and HEAD. A lost
        answer here is a connection dropped half-way through the body."""
        pieces = path[len(CONTENT_PREFIX) + 1 :].split("/")
        found = self.server.app.store.file_content(pieces[0]) if method in ("GET", "HEAD") else None
        if found is None:
            self._send(error(404 if method in ("GET", "HEAD") else 405, "no such file"), count=True)
            return
        size, mime, data = found
        start, end, status = 0, size, 200
        spec = headers.get("range", "")
        if spec.startswith("bytes="):
            first, _, last = spec[6:].partition("-")
            if first.isdigit():
                start = int(first)
                end = min(size, int(last) + 1) if last.isdigit() else size
                status = 206
            if start >= size and size:
                self.send_response(416)
                self.send_header("Content-Range", f"bytes */{size}")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
        self.server.app.stats.status(status)
        self.send_response(status)
        self.send_header("Content-Type", mime or "application/octet-stream")
        self.send_header("Content-Length", str(end - start))
        self.send_header("Accept-Ranges", "bytes")
        if status == 206:
            self.send_header("Content-Range", f"bytes {start}-{end - 1}/{size}")
        self.end_headers()
        if method == "HEAD":
            return
        chunks = iter((data[start:end],)) if data is not None else generated_range(pieces[0], size, mime, start, end)
        sent = 0
        for chunk in chunks:
            if drop_after and sent >= (end - start) // 2:
                self._drop()
                return
            try:
                self.wfile.write(chunk)
            except OSError:
                return
            sent += len(chunk)
        if drop_after:
            self._drop()

    def _send(self, response: Response, count: bool = False) -> None:
        if count:
            self.server.app.stats.status(response.status)
        text = response.body
        if URL_BASE in text:
            text = text.replace(URL_BASE, f"http://127.0.0.1:{self.server.server_address[1]}")
        body = text.encode("utf-8")
        self.send_response(response.status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        for key, value in response.headers.items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)

    def _drop(self, reset: bool = False) -> None:
        """Close the socket without answering; ``reset`` sends RST instead of FIN."""
        self.close_connection = True
        try:
            if reset:
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                self.connection.close()
            else:
                self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
