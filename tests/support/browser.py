"""Headless Chromium for the browser tests: a page's DOM after load, at desktop and phone widths, with
screenshots kept under ``artifacts/screenshots/`` (or ``$UPKEEP_MIRROR_SCREENSHOTS``) for a person to
look at; CI keeps them as artifacts. The binary comes from the ``chromium_path`` fixture
(tests/conftest.py), which skips or fails without one."""

from __future__ import annotations

import os
import re
import subprocess
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = Path(os.environ.get("UPKEEP_MIRROR_SCREENSHOTS") or ROOT / "artifacts" / "screenshots")
WIDTHS = {"desktop": (1400, 1000), "phone": (390, 844)}


@dataclass(frozen=True)
class Browser:
    binary: str

    def chromium(self, profile: Path, *args: str, budget_ms: int = 0) -> str:
        command = [self.binary, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                   "--disable-quic", "--disable-background-networking", "--disable-component-update",
                   "--disable-sync", "--no-first-run", "--hide-scrollbars", f"--user-data-dir={profile}", *args]
        if budget_ms:
            command.insert(1, f"--virtual-time-budget={budget_ms}")
        done = subprocess.run(command, check=False, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr[-2000:]
        return done.stdout

    def render(self, tmp_path: Path, url: str, shot: str, budget_ms: int = 0) -> dict[str, str]:
        """The page's DOM after load at each width, with a screenshot saved as <shot>-<width>.png."""
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)

        def one(kind: str) -> str:
            width, height = WIDTHS[kind]
            target = SCREENSHOTS / f"{shot}-{width}.png"
            target.unlink(missing_ok=True)
            dom = self.chromium(tmp_path / f"profile-{kind}", f"--screenshot={target}",
                                f"--window-size={width},{height}", "--dump-dom", url, budget_ms=budget_ms)
            assert target.exists() and target.stat().st_size > 10_000, f"no screenshot of {url} at {width} px"
            return dom

        with ThreadPoolExecutor(2) as pool:
            doms = dict(zip(WIDTHS, pool.map(one, WIDTHS), strict=True))
        for kind, dom in doms.items():
            overflow = re.search(r'data-overflow-px="(\d+)"', dom)
            assert overflow, f"{url}: mirror.js did not run at {kind} width"
            assert int(overflow.group(1)) == 0, f"{url} is {overflow.group(1)} px wider than the {kind} screen"
        return doms
