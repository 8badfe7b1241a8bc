"""Browser tests skip, saying why, on a machine without Chromium; UPKEEP_MIRROR_BROWSER=1 makes them required."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_browser_tests(**env: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k != "UPKEEP_MIRROR_BROWSER"}
    environment.update(PATH="/nonexistent", **env)  # no chromium anywhere on PATH
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rs",
                           "tests/queries/test_browser.py"], cwd=ROOT, env=environment, capture_output=True,
                          text=True, timeout=300)


def test_without_chromium_the_browser_tests_skip_with_the_reason():
    done = run_browser_tests()
    assert done.returncode == 0, done.stdout + done.stderr
    summary = done.stdout.strip().splitlines()[-1]
    # Every browser test skipped (however many there are), none passed or failed, and the reason shows.
    assert re.match(r"^\d+ skipped in ", summary), done.stdout
    assert "no headless Chromium on PATH" in done.stdout, done.stdout


def test_ci_makes_a_missing_chromium_a_failure():
    done = run_browser_tests(UPKEEP_MIRROR_BROWSER="1")
    assert done.returncode != 0, done.stdout
    assert "UPKEEP_MIRROR_BROWSER=1 requires the browser tests" in done.stdout, done.stdout
    assert "skipped" not in done.stdout.splitlines()[-1]
