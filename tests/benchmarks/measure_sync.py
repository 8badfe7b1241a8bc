"""Run one sync in a child process and report its time, peak RSS and requests as JSON.

Used by the memory test (``tests/pull/test_memory.py``) and ``bench_pull.py``: the child holds
only the sync, so its peak RSS is the sync's own (the emulator runs in another process).

    python tests/benchmarks/measure_sync.py DB BASE_URL [--full] [--floor]

``--floor`` instead runs the plain loop the sync is compared with: fetch the same keyset pages
of work orders and JSON-decode them, nothing else.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time


def main(argv: list[str]) -> None:
    db, base_url = argv[0], argv[1]
    from sync.client import Credentials, UpKeepClient

    creds = Credentials(email="demo@upkeep.local", password="demo", base_url=base_url)
    started = time.perf_counter()
    with UpKeepClient(creds) as client:
        if "--floor" in argv:
            fetched = _floor(client)
        else:
            from mirror.db import open_mirror
            from sync.pull import PullOptions, sync_entities

            with open_mirror(db) as mirror:
                results = sync_entities(mirror, client, options=PullOptions(full="--full" in argv))
            assert not any(r.error for r in results), [r.error for r in results if r.error]
            fetched = sum(r.fetched for r in results)
        requests = client.stats.requests
    print(json.dumps({
        "seconds": time.perf_counter() - started,
        "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "fetched": fetched,
        "requests": requests,
    }))


def _floor(client) -> int:
    """Every entity's listing, same pages and parameters as the pull, decoded and dropped."""
    from sync.keyset import KeysetPager
    from sync.pull import SOURCES, FullListing

    fetched = 0
    meters = [m["id"] for m in _all(client, "/api/v2/meters/")]
    for source in SOURCES.values():
        paths = [source.path.format(meter=m) for m in meters] if source.per_meter else [source.path]
        for path in paths:
            pager = KeysetPager(limit=100) if source.change_filter else FullListing(100)
            while True:
                page = client.get_list(path, pager.params())
                fetched += len(page)
                if not pager.advance(page):
                    break
    return fetched


def _all(client, path):
    from sync.keyset import KeysetPager

    pager, out = KeysetPager(limit=100), []
    while True:
        page = client.get_list(path, pager.params())
        out += page
        if not pager.advance(page):
            return out


def run(db, base_url: str, *flags: str) -> dict:
    """Run this script in a child process; return its JSON report."""
    out = subprocess.run([sys.executable, __file__, str(db), base_url, *flags],
                         check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parents[2]))
    main(sys.argv[1:])
