"""The README's first command, run verbatim: the demo comes up and Datasette serves its data."""

from __future__ import annotations

import os
import signal
import subprocess
import time

import httpx

from tests.support.docs import ROOT, quick_start
from tests.support.serving import free_port


def test_readme_demo_command_serves_the_plant_in_datasette(tmp_path):
    port = free_port()
    env = {**os.environ, "UPKEEP_MIRROR_DEMO_PORT": str(port), "UPKEEP_MIRROR_DEMO_DIR": str(tmp_path / "demo")}
    proc = subprocess.Popen(["bash", "-c", quick_start()[0]], cwd=ROOT, env=env, start_new_session=True,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    started, rows = time.monotonic(), None
    try:
        while time.monotonic() - started < 180 and proc.poll() is None:
            try:
                answer = httpx.get(f"http://127.0.0.1:{port}/mirror/overdue_work_orders.json?_shape=array", timeout=5)
                if answer.status_code == 200:
                    rows = answer.json()
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        assert rows, f"Datasette did not serve the demo within 180 s:\n{_output(proc)}"
        assert all(r["id"] and r["title"] for r in rows)
        counts = httpx.get(f"http://127.0.0.1:{port}/mirror.json?sql=select+count(*)+as+n+from+work_orders"
                           "&_shape=array", timeout=5).json()
        assert counts[0]["n"] >= 5000
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
    out = _output(proc)
    assert "Four things to try" in out and "Stopped." in out, out


def _output(proc: subprocess.Popen) -> str:
    try:
        out, _ = proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, _ = proc.communicate()
    return out
