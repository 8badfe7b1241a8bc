"""The ``upkeep-mirror emulator`` command and running the emulator as a separate process."""

from __future__ import annotations

import re
import signal
import subprocess
import sys

import httpx
from click.testing import CliRunner

from sync.cli import cli
from sync.emulator import EmulatorProcess
from sync.emulator.command import emulator
from tests.support.emulator import login


def test_help_documents_every_option():
    result = CliRunner().invoke(cli, ["emulator", "--help"])
    assert result.exit_code == 0
    for param in emulator.params:
        if param.name != "help":
            assert param.help, f"--{param.name} has no help text"
            assert f"--{param.name.replace('_', '-')}" in result.output


def test_bad_option_is_a_clear_usage_error():
    result = CliRunner().invoke(cli, ["emulator", "--error-rate", "2"])
    assert result.exit_code == 2 and "error-rate" in result.output


def test_bad_epoch_is_one_sentence_not_a_traceback():
    result = CliRunner().invoke(cli, ["emulator", "--epoch", "soon", "--work-orders", "5"])
    assert result.exit_code == 1 and "epoch must be" in result.output and "Traceback" not in result.output


def test_process_serves_api_and_control_and_stops_cleanly():
    with EmulatorProcess(
        seed=2, work_orders=60, rate_limit_rate=1.0, retry_after=3, fault_methods="PATCH", max_page_size=40
    ) as proc:
        token = login(proc.api_url)
        headers = {"Session-Token": token}
        assert len(httpx.get(f"{proc.api_url}/work-orders", headers=headers).json()["results"]) == 40
        assert proc.info()["maxPageSize"] == 40
        wo = proc.dump("work_orders")[0]
        patched = httpx.patch(
            f"{proc.api_url}/work-orders/{wo['id']}", headers=headers, json={"status": "open"}
        )
        assert patched.status_code == 429 and patched.headers["Retry-After"] == "3"
        proc.set_faults()
        assert proc.mutate(3) and proc.stats()["routes"]["GET /api/v2/work-orders"] == 1
        proc.set_max_page_size(100)
        assert len(httpx.get(f"{proc.api_url}/work-orders", headers=headers).json()["results"]) == 60
        proc.set_offline(True)
        try:
            httpx.get(f"{proc.api_url}/users", headers=headers)
            raise AssertionError("offline API answered")
        except httpx.TransportError:
            pass
        proc.set_offline(False)
        assert proc.info()["counts"]["work_orders"] >= 57
    assert proc.proc.returncode == 0


def test_cli_prints_url_and_credentials_and_exits_on_ctrl_c():
    child = subprocess.Popen(
        [sys.executable, "-m", "sync.emulator", "--port", "0", "--work-orders", "30", "--seed", "4"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        lines = [child.stdout.readline() for _ in range(5)]
        text = "".join(lines)
        url = re.search(r"API:\s+(http://127\.0\.0\.1:\d+/api/v2)", text).group(1)
        assert "demo@upkeep.local / demo" in text and "Ready." in text
        assert httpx.get(url + "/users").status_code == 401
        child.send_signal(signal.SIGINT)
        out, _ = child.communicate(timeout=15)
        assert child.returncode == 0 and "Emulator stopped." in out
    finally:
        if child.poll() is None:
            child.kill()
