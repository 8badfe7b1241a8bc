"""Run the emulator as a child process (own CPU, own GIL) and drive it over ``/_emulator``.

Benchmarks use this so the server's work does not compete with the client being measured; the
methods mirror :class:`~sync.emulator.emulator.Emulator`'s.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from typing import Any

import httpx

_READY = re.compile(r"API:\s+(http://127\.0\.0\.1:\d+)/api/v2")


class EmulatorProcess:
    """``python -m sync.emulator --port 0 <args>`` in a child process.

    ``options`` are the command's long options as keywords (``work_orders=1000``,
    ``changes_per_second=0.5``, ``fresh=True`` for flags).
    """

    def __init__(
        self, seed: int = 1, work_orders: int = 500, *, startup_timeout_s: float = 600.0, **options: Any
    ) -> None:
        self.args = [
            sys.executable,
            "-m",
            "sync.emulator",
            "--port",
            "0",
            "--seed",
            str(seed),
            "--work-orders",
            str(work_orders),
        ]
        for key, value in options.items():
            flag = "--" + key.replace("_", "-")
            if value is True:
                self.args.append(flag)
            elif value not in (None, False):
                self.args += [flag, str(value)]
        self.startup_timeout_s = startup_timeout_s
        self.proc: subprocess.Popen[str] | None = None
        self.base_url = ""
        self._http: httpx.Client | None = None

    def start(self) -> EmulatorProcess:
        self.proc = subprocess.Popen(self.args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        deadline = time.monotonic() + self.startup_timeout_s
        assert self.proc.stdout is not None
        while time.monotonic() < deadline:
            line = self.proc.stdout.readline()
            if not line:
                raise RuntimeError(f"emulator exited with code {self.proc.wait()} before it was ready")
            match = _READY.search(line)
            if match:
                self.base_url = match.group(1)
                self._http = httpx.Client(base_url=self.base_url + "/_emulator", timeout=120)
                return self
        self.stop()
        raise RuntimeError("emulator did not become ready in time")

    def stop(self) -> None:
        if self._http is not None:
            self._http.close()
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def __enter__(self) -> EmulatorProcess:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def api_url(self) -> str:
        return self.base_url + "/api/v2"

    def _call(self, method: str, path: str, body: dict | None = None) -> dict:
        assert self._http is not None, "start() first"
        response = self._http.request(method, path, json=body)
        data = response.json()
        if not data.get("success"):
            raise RuntimeError(f"emulator control {method} {path}: {data.get('message')}")
        return data

    def set_offline(self, offline: bool = True) -> None:
        self._call("POST", "/offline" if offline else "/online")

    def set_faults(self, **settings: Any) -> dict:
        return self._call("POST", "/faults", settings)["result"]

    def set_live_rate(self, changes_per_second: float) -> None:
        self._call("POST", "/live", {"changes_per_second": changes_per_second})

    def set_max_page_size(self, size: int) -> None:
        self._call("POST", "/paging", {"max_page_size": size})

    def mutate(self, count: int | None = None, **change: Any) -> list[dict]:
        body = dict(change)
        if count is not None:
            body["count"] = count
        return self._call("POST", "/mutate", body)["results"]

    def dump(self, entity: str) -> list[dict]:
        return self._call("GET", f"/dump/{entity}")["results"]

    def stats(self) -> dict:
        return self._call("GET", "/stats")["result"]

    def reset_stats(self) -> None:
        self._call("POST", "/stats/reset")

    def messages(self, work_order_id: str) -> list[dict]:
        return self._call("GET", f"/messages/{work_order_id}")["results"]

    def expire_sessions(self) -> int:
        return self._call("POST", "/sessions/expire")["expired"]

    def info(self) -> dict:
        return self._call("GET", "/info")["result"]
