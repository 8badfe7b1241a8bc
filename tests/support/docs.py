"""The project's prose as the tests read it: the README (the front door) and the MkDocs pages."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()
DOCS = ROOT / "docs"


def doc(name: str) -> str:
    """The text of one page of the MkDocs site, ``docs/<name>``."""
    return (DOCS / name).read_text()


def quick_start() -> list[str]:
    """The README's Quick start commands, one per non-blank line."""
    section = README.split("## Quick start", 1)[1]
    match = re.search(r"```bash\n(.*?)```", section, re.DOTALL)
    assert match, "the README's Quick start has no bash block"
    return [line for line in match.group(1).splitlines() if line.strip()]
