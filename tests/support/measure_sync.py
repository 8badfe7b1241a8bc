"""Run one sync in a child process and report its time, peak RSS and requests as JSON.

Used by the memory test (``tests/pull/test_memory.py``) and ``tests/benchmarks/bench_pull.py``: the child holds
only the sync, so its peak RSS is the sync's own (the emulator runs in another process);
``worker_rss_mb`` is the peak of the process that maps a big listing's pages (0: none started) and
``combined_rss_mb`` the peak of the two together.

    python tests/support/measure_sync.py DB BASE_URL [--full] [--floor]

``--floor`` instead runs the plain loop the sync is compared with, written the way a user would
without this project: one ``httpx.Client``, a login, then every entity's listing page by page,
one request at a time, limit 100, each body JSON-decoded (``response.json()``) and dropped. It
uses nothing of ``sync`` or ``mirror``, so making the sync faster cannot move the floor.
"""

from __future__ import annotations

import contextlib
import json
import resource
import subprocess
import sys
import threading
import time

#: Every list endpoint the pull reads, as the pull reads it (meter readings: one listing per meter).
_LISTINGS = [
    "/api/v2/users/", "/api/v2/teams/", "/api/v2/locations", "/api/v2/vendors/", "/api/v2/customers/",
    "/api/v2/assets", "/api/v2/parts", "/api/v2/meters/", "/api/v2/meters/{meter}/readings",
    "/api/v2/preventive-maintenance", "/api/v2/work-orders", "/api/v2/requests", "/api/v2/purchase-orders/",
]


class _CombinedRSS(threading.Thread):
    """Samples this process's RSS and its children's (the mapping worker) every 20 ms.

    ``children`` is the children's peak (their own ``ru_maxrss`` would count the image of this
    process they were forked from), ``peak`` the largest sum seen at one moment: the memory the
    sync's processes held together.
    """

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peak = self.children = 0.0
        self.running = True

    def run(self) -> None:
        import psutil

        me = psutil.Process()
        while self.running:
            mine, theirs = me.memory_info().rss, 0
            for child in me.children(recursive=True):
                with contextlib.suppress(psutil.Error):
                    theirs += child.memory_info().rss
            self.children = max(self.children, theirs / 2**20)
            self.peak = max(self.peak, (mine + theirs) / 2**20)
            time.sleep(0.02)


def main(argv: list[str]) -> None:
    db, base_url = argv[0], argv[1]
    sampler = _CombinedRSS()
    sampler.start()
    started = time.perf_counter()
    if "--floor" in argv:
        fetched, requests = _floor(base_url)
    else:
        from mirror.db import open_mirror
        from sync.pull import PullOptions, sync_entities
        from sync.upkeep import Credentials, UpKeepClient

        creds = Credentials(email="demo@upkeep.local", password="demo", base_url=base_url)
        with UpKeepClient(creds) as client, open_mirror(db) as mirror:
            results = sync_entities(mirror, client, options=PullOptions(full="--full" in argv))
            requests = client.stats.requests
        assert not any(r.error for r in results), [r.error for r in results if r.error]
        fetched = sum(r.fetched for r in results)
    print(json.dumps({
        "seconds": time.perf_counter() - started,
        "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        # The sync's mapping worker (sync.pull._map_pool), if it started one: its peak, and the largest
        # sum of the two processes seen at one moment (sampled every 20 ms).
        "worker_rss_mb": sampler.children,
        "combined_rss_mb": sampler.peak,
        "fetched": fetched,
        "requests": requests,
    }))


def _floor(base_url: str) -> tuple[int, int]:
    """Page through every listing with plain httpx, one request at a time; decode, count, drop."""
    import httpx

    with httpx.Client(base_url=base_url, timeout=60, headers={"upkeep-version": "2022-09-14"}) as http:
        token = http.post("/api/v2/auth", json={"email": "demo@upkeep.local", "password": "demo"})
        http.headers["Session-Token"] = token.json()["result"]["sessionToken"]
        fetched, requests, meters = 0, 1, []
        for listing in _LISTINGS:
            paths = [listing.format(meter=m) for m in meters] if "{meter}" in listing else [listing]
            for path in paths:
                offset = 0
                while True:
                    response = http.get(path, params={"offset": offset, "limit": 100, "orderBy": "createdAt ASC"})
                    requests += 1
                    response.raise_for_status()
                    page = response.json()["results"]
                    fetched += len(page)
                    offset += len(page)
                    if listing == "/api/v2/meters/":
                        meters += [m["id"] for m in page]
                    if len(page) < 100:
                        break
    return fetched, requests


def run(db, base_url: str, *flags: str) -> dict:
    """Run this script in a child process; return its JSON report."""
    out = subprocess.run([sys.executable, __file__, str(db), base_url, *flags],
                         check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parents[2]))
    main(sys.argv[1:])
