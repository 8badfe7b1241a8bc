"""`run --serve`: the daemon starts Datasette through the shared launcher and stops it on SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import httpx

from sync.emulator import Emulator
from tests.support.serving import free_port


def wait_for(condition, what: str, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.2)


def answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def test_run_with_serve_serves_the_mirror_and_stops_both_on_sigterm(tmp_path):
    port = free_port()
    with Emulator(seed=4, work_orders=50) as emu:
        email, password = emu.credentials
        env = {**os.environ, "UPKEEP_EMAIL": email, "UPKEEP_PASSWORD": password, "XDG_CONFIG_HOME": str(tmp_path)}
        daemon = subprocess.Popen(
            [sys.executable, "-m", "sync.cli", "run", "--db", str(tmp_path / "m.db"), "--base-url", emu.base_url,
             "--serve", "--port", str(port), "--pull-every", "60"],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        try:
            url = f"http://127.0.0.1:{port}/mirror/work_orders_detail.json?_shape=array&_size=100"
            wait_for(lambda: answers(url) and len(httpx.get(url, timeout=5).json()) > 0, "Datasette with rows")
            daemon.send_signal(signal.SIGTERM)
            assert daemon.wait(timeout=60) == 0, daemon.stdout.read() if daemon.stdout else ""
            wait_for(lambda: not answers(f"http://127.0.0.1:{port}/-/versions.json"), "Datasette to stop")
        finally:
            if daemon.poll() is None:
                daemon.kill()
                daemon.wait()
