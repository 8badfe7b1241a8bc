"""The "Use with Machina" example (docs/machina.md) runs as written, offline after its first sync."""

from __future__ import annotations

import re
import subprocess
import sys

from tests.support.docs import doc


def test_the_use_with_machina_example_runs(tmp_path):
    section = doc("machina.md").split("# Use with Machina", 1)[1].split("\n## ", 1)[0]
    code = re.search(r"```python\n(.*?)```", section, re.DOTALL).group(1)
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stderr[-2000:]
    lines = [line for line in done.stdout.splitlines() if not re.match(r"\d{4}-\d\d-\d\d ", line)]
    assert re.search(r"^queued local-[0-9a-f]+ created$", "\n".join(lines), re.MULTILINE), lines
    assert re.search(r"^history: \d+ PM plans: [1-9]", "\n".join(lines), re.MULTILINE), lines
    assert lines[-1].startswith("healthy ") and lines[-1].endswith(" 1"), lines
    assert (tmp_path / "machina-example.db").is_file()
