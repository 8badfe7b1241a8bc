"""Benchmark: the calls an agent makes, Machina's UpKeepConnector (live) vs MirrorConnector (the mirror).

    .venv/bin/python tests/benchmarks/bench_machina.py [--work-orders 5000] [--repeat 5]

The emulator runs in its own process on 127.0.0.1 (so its work does not share this process's
CPU); a mirror is synced from it first. Each call is timed ``repeat`` times; medians are printed,
with the ratio live / mirror measured in the same run. Machina's ``read_maintenance_plans`` raises
on the reference's payloads, so it is timed for the mirror only.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import httpx
from machina.connectors.cmms.upkeep import UpKeepConnector

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from mirror.db import open_mirror
from mirror.machina import MirrorConnector
from sync.emulator.emulator import DEFAULT_EMAIL, DEFAULT_PASSWORD
from sync.emulator.process import EmulatorProcess
from sync.pull import sync_entities
from sync.upkeep import Credentials, UpKeepClient


async def _time(call, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        await call()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


async def bench(base_url: str, db: Path, repeat: int) -> None:
    token = httpx.post(f"{base_url}/api/v2/auth", json={"email": DEFAULT_EMAIL, "password": DEFAULT_PASSWORD}
                       ).json()["result"]["sessionToken"]
    live, mirror = UpKeepConnector(url=base_url, api_key=token), MirrorConnector(db)
    await live.connect()
    await mirror.connect()
    orders = await mirror.read_work_orders()
    asset = Counter(w.asset_id for w in orders if w.asset_id).most_common(1)[0][0]
    calls = {
        "read_assets()": lambda c: c.read_assets(),
        "read_work_orders()": lambda c: c.read_work_orders(),
        "read_work_orders(asset_id=)": lambda c: c.read_work_orders(asset_id=asset),
        "get_work_order(id)": lambda c: c.get_work_order(orders[0].id),
        "read_maintenance_history(asset)": lambda c: c.read_maintenance_history(asset),
        "read_spare_parts()": lambda c: c.read_spare_parts(),
    }
    print(f"{'call':<34}{'UpKeepConnector (live)':>24}{'MirrorConnector':>18}{'ratio':>8}")
    for name, call in calls.items():
        t_live = await _time(lambda call=call: call(live), repeat)
        t_mirror = await _time(lambda call=call: call(mirror), repeat)
        print(f"{name:<34}{t_live * 1000:>21.1f} ms{t_mirror * 1000:>15.1f} ms{t_live / t_mirror:>7.1f}x")
    t_plans = await _time(mirror.read_maintenance_plans, repeat)
    print(f"{'read_maintenance_plans()':<34}{'raises':>24}{t_plans * 1000:>15.1f} ms")
    await mirror.disconnect()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work-orders", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, EmulatorProcess(seed=3, work_orders=args.work_orders) as emu:
        db = Path(tmp) / "bench.db"
        creds = Credentials(email=DEFAULT_EMAIL, password=DEFAULT_PASSWORD, base_url=emu.base_url)
        with open_mirror(db) as m, UpKeepClient(creds) as client:
            sync_entities(m, client)
        print(f"{args.work_orders} work orders, medians of {args.repeat}")
        asyncio.run(bench(emu.base_url, db, args.repeat))


if __name__ == "__main__":
    main()
