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
        if not (path == API_PREFIX or path.startswith(API_PREFIX + "/")):
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
        response = app.api.handle(method, path, url.query, headers, raw)
        if outcome == "lost_response":
            self._drop()
            return
        self._send(response, count=True)

    def _send(self, response: Response, count: bool = False) -> None:
        if count:
            self.server.app.stats.status(response.status)
        body = response.body.encode("utf-8")
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
