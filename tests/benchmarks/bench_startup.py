"""Start-up benchmark of the installed command (not part of the test run):

    .venv/bin/python tests/benchmarks/bench_startup.py [--repeat 5] [--work-orders 5000] [--baseline PROGRAM]

Reports, from one run on this machine, the median of ``--repeat`` runs of: a bare ``python -c pass``,
``upkeep-mirror --version``, ``upkeep-mirror sync --help``, and a no-change ``upkeep-mirror sync``
against the emulator (wall time and peak RSS of the process, from wait4's rusage); and which heavy
modules ``sync`` imports. ``--baseline`` names another install's ``upkeep-mirror`` (e.g. an older
commit's venv): its runs alternate with this one's, so machine load hits both alike, and the
ratios are printed. Exits 1 if a target of issue 12 is missed:
``--version`` <= 0.3 s more than ``python -c pass``, no Datasette/APScheduler (nor SQLAlchemy, SQLModel,
pydantic) in ``sync``, peak RSS <= 60 MB.
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


def run_once(command: list[str], env: dict[str, str] | None) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one run of ``command``."""
    began = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    _pid, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - began
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{command} failed: {proc.stderr.read().decode()[-500:] if proc.stderr else ''}")
    return wall, usage.ru_maxrss / 1024


def measure(commands: dict[str, list[str]], repeat: int, env: dict[str, str] | None = None
            ) -> dict[str, tuple[float, float]]:
    """Per name: median wall seconds and largest peak RSS over ``repeat`` runs, the commands alternating."""
    runs: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    for _ in range(repeat):
        for name, command in commands.items():
            runs[name].append(run_once(command, env))
    return {name: (statistics.median(w for w, _ in r), max(p for _, p in r)) for name, r in runs.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--work-orders", type=int, default=5000)
    parser.add_argument("--baseline", help="another install's upkeep-mirror, measured alternately")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-startup-"))
    programs = {"this": PROGRAM, **({"baseline": args.baseline} if args.baseline else {})}

    def each(*argv: str) -> dict[str, list[str]]:
        return {name: [program, *argv] for name, program in programs.items()}

    bare = measure({"python": [sys.executable, "-c", "pass"]}, args.repeat)["python"][0]
    version = measure(each("--version"), args.repeat)
    sync_help = measure(each("sync", "--help"), args.repeat)

    with EmulatorProcess(seed=1, work_orders=args.work_orders) as emu:
        env = {**os.environ, "UPKEEP_EMAIL": "demo@upkeep.local", "UPKEEP_PASSWORD": "demo",
               "XDG_CONFIG_HOME": str(work / "xdg")}
        syncs = {name: [program, "sync", "--db", str(work / f"{name}.db"), "--base-url", emu.base_url]
                 for name, program in programs.items()}
        measure(syncs, 1, env)  # the first, full sync
        no_change = measure(syncs, args.repeat, env)
        probe = ("import atexit, json, sys\n"
                 "atexit.register(lambda: print('MODULES=' + json.dumps(sorted(sys.modules))))\n"
                 f"from sync.cli import cli\ncli({syncs['this'][1:]!r})")
        out = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True).stdout
    loaded = json.loads(next(x for x in out.splitlines() if x.startswith("MODULES="))[8:])
    heavy = sorted({m.split(".")[0] for m in loaded
                    if m.split(".")[0] in ("datasette", "apscheduler", "uvicorn", "sqlalchemy", "sqlmodel", "pydantic")})

    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores; median of {args.repeat}")
    print(f"python -c pass                       {bare:6.3f} s")
    for name in programs:
        print(f"[{name}] upkeep-mirror --version       {version[name][0]:6.3f} s  (+{version[name][0] - bare:.3f} s)")
        print(f"[{name}] upkeep-mirror sync --help     {sync_help[name][0]:6.3f} s")
        print(f"[{name}] no-change sync ({args.work_orders:,} WOs)  {no_change[name][0]:6.3f} s  "
              f"peak RSS {no_change[name][1]:.1f} MB")
    if args.baseline:
        print(f"ratios this/baseline: --version {version['this'][0] / version['baseline'][0]:.2f}, "
              f"overhead over python {(version['this'][0] - bare) / (version['baseline'][0] - bare):.2f}, "
              f"sync --help {sync_help['this'][0] / sync_help['baseline'][0]:.2f}, "
              f"no-change sync {no_change['this'][0] / no_change['baseline'][0]:.2f}, "
              f"peak RSS {no_change['this'][1] / no_change['baseline'][1]:.2f}")
    print(f"targets: --version <= +{TARGET_VERSION_OVERHEAD_S} s over python; no-change sync peak RSS <= "
          f"{TARGET_SYNC_RSS_MB:.0f} MB; heavy modules imported by sync: {heavy or 'none'}")
    version_overhead, rss = version["this"][0] - bare, no_change["this"][1]
    missed = []
    if version_overhead > TARGET_VERSION_OVERHEAD_S:
        missed.append("--version overhead")
    if rss > TARGET_SYNC_RSS_MB:
        missed.append("sync peak RSS")
    if heavy:
        missed.append("sync imports " + ", ".join(heavy))
    if missed:
        raise SystemExit("missed: " + "; ".join(missed))


if __name__ == "__main__":
    main()
