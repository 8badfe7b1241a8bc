"""Request accounting, so a test can count the calls a sync made and the faults it met.

Counts are kept per route (``GET /api/v2/work-orders/{id}``), per exact path, per response status
and per injected outcome, plus the ``upkeep-version`` header values seen (``(none)`` when absent).
"""

from __future__ import annotations

import threading
from collections import Counter

from sync.emulator.api import API_PREFIX


def route_of(path: str) -> str:
    """The route template of a concrete API path: the id segment becomes ``{id}``."""
    parts = [p for p in path[len(API_PREFIX) :].split("/") if p]
    if len(parts) >= 2 and parts[0] != "auth":
        parts[1] = "{id}"
    return API_PREFIX + "/" + "/".join(parts)


class Stats:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self._routes: Counter[str] = Counter()
            self._paths: Counter[str] = Counter()
            self._statuses: Counter[str] = Counter()
            self._outcomes: Counter[str] = Counter()
            self._versions: Counter[str] = Counter()

    def request(self, method: str, path: str, version: str | None) -> None:
        with self._lock:
            self._routes[f"{method} {route_of(path)}"] += 1
            self._paths[f"{method} {path.rstrip('/') or '/'}"] += 1
            self._versions[version or "(none)"] += 1

    def status(self, code: int) -> None:
        with self._lock:
            self._statuses[str(code)] += 1

    def outcome(self, name: str) -> None:
        with self._lock:
            self._outcomes[name] += 1

    def snapshot(self) -> dict:
        with self._lock:
            return {
                "total": sum(self._routes.values()),
                "routes": dict(self._routes),
                "paths": dict(self._paths),
                "statuses": dict(self._statuses),
                "faults": dict(self._outcomes),
                "versions": dict(self._versions),
            }
