"""Start-up benchmark of the installed command (not part of the test run):

    .venv/bin/python tests/benchmarks/bench_startup.py [--repeat 5] [--work-orders 5000]

Reports, from one run on this machine, the median of ``--repeat`` runs of: a bare ``python -c pass``,
``upkeep-mirror --version``, ``upkeep-mirror sync --help``, and a no-change ``upkeep-mirror sync``
against the emulator (wall time and peak RSS of the process, from wait4's rusage); and which heavy
modules ``sync`` imports. Exits 1 if a target of issue 12 is missed:
``--version`` <= 0.3 s more than ``python -c pass``, no Datasette/APScheduler in ``sync``, peak RSS <= 60 MB.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from sync.emulator import EmulatorProcess

PROGRAM = str(Path(sys.executable).parent / "upkeep-mirror")
TARGET_VERSION_OVERHEAD_S = 0.3
TARGET_SYNC_RSS_MB = 60.0


def measure(command: list[str], repeat: int, env: dict[str, str] | None = None) -> tuple[float, float]:
    """Median wall seconds and the largest peak RSS (MB) over ``repeat`` runs of ``command``."""
    walls, peaks = [], []
    for _ in range(repeat):
        began = time.perf_counter()
        proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
        _pid, status, usage = os.wait4(proc.pid, 0)
        walls.append(time.perf_counter() - began)
        peaks.append(usage.ru_maxrss / 1024)
        if os.waitstatus_to_exitcode(status) != 0:
            raise SystemExit(f"{command} failed: {proc.stderr.read().decode()[-500:] if proc.stderr else ''}")
    return statistics.median(walls), max(peaks)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--work-orders", type=int, default=5000)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-startup-"))
    bare, _ = measure([sys.executable, "-c", "pass"], args.repeat)
    version, _ = measure([PROGRAM, "--version"], args.repeat)
    sync_help, _ = measure([PROGRAM, "sync", "--help"], args.repeat)

    with EmulatorProcess(seed=1, work_orders=args.work_orders) as emu:
        email, password = "demo@upkeep.local", "demo"
        env = {**os.environ, "UPKEEP_EMAIL": email, "UPKEEP_PASSWORD": password,
               "XDG_CONFIG_HOME": str(work / "xdg")}
        sync = [PROGRAM, "sync", "--db", str(work / "m.db"), "--base-url", emu.base_url]
        measure(sync, 1, env)  # the first, full sync
        no_change, rss = measure(sync, args.repeat, env)
        probe = ("import atexit, json, sys\n"
                 "atexit.register(lambda: print('MODULES=' + json.dumps(sorted(sys.modules))))\n"
                 f"from sync.cli import cli\ncli({sync[1:]!r})")
        out = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True).stdout
    loaded = json.loads(next(x for x in out.splitlines() if x.startswith("MODULES="))[8:])
    heavy = sorted({m.split(".")[0] for m in loaded if m.split(".")[0] in ("datasette", "apscheduler", "uvicorn")})

    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores; median of {args.repeat}")
    print(f"python -c pass                 {bare:6.3f} s")
    print(f"upkeep-mirror --version        {version:6.3f} s  (+{version - bare:.3f} s; target <= "
          f"+{TARGET_VERSION_OVERHEAD_S} s)")
    print(f"upkeep-mirror sync --help      {sync_help:6.3f} s")
    print(f"no-change sync ({args.work_orders:,} WOs)   {no_change:6.3f} s  peak RSS {rss:.1f} MB "
          f"(target <= {TARGET_SYNC_RSS_MB:.0f} MB)")
    print(f"heavy modules imported by sync: {heavy or 'none'}")
    missed = []
    if version - bare > TARGET_VERSION_OVERHEAD_S:
        missed.append("--version overhead")
    if rss > TARGET_SYNC_RSS_MB:
        missed.append("sync peak RSS")
    if heavy:
        missed.append("sync imports " + ", ".join(heavy))
    if missed:
        raise SystemExit("missed: " + "; ".join(missed))


if __name__ == "__main__":
    main()
