"""Run `upkeep-mirror serve` for real in tests and benchmarks: a free port, the child, its readiness.

One place for what every browser, read-only and page-time check needs, so they all launch Datasette
the way a user does (``python -m sync.cli serve``) and wait on a condition, not a guess.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serving(db: Path, *, timeout: float = 60.0, stop_timeout: float = 10.0) -> Iterator[str]:
    """Serve ``db`` on a free port of 127.0.0.1; yield its base URL once it answers; stop it after."""
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "sync.cli", "serve", "--db", str(db), "--port", str(port)],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                if httpx.get(f"{base}/-/versions.json", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                output = server.stdout.read().decode() if server.stdout else ""
                raise AssertionError(f"serve did not start: {output}")
            time.sleep(0.2)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=stop_timeout)
