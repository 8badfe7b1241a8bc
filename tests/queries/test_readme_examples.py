"""The docs' Python examples (moved from the README: named queries, the schema, Machina) run as
written, on a real mirror file, and do what they say."""

from __future__ import annotations

import contextlib
import io
import re
import sqlite3

import pytest

from tests.support.docs import doc

#: The pages holding the Python examples that were the README's, in the README's old order.
EXAMPLE_PAGES = ("serving.md", "schema.md", "machina.md")
README = "\n".join(doc(page) for page in EXAMPLE_PAGES)


def python_examples() -> list[str]:
    return re.findall(r"```python\n(.*?)```", README, re.DOTALL)


def copy_mirror(source, target) -> None:
    """A consistent copy of a live mirror file (SQLite's backup API)."""
    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()


@pytest.fixture
def in_a_folder_with_mirrors(served_plant, tmp_path, monkeypatch):
    """The examples open "mirror.db" and "plant.db" in the current folder: both are the test plant."""
    for name in set(re.findall(r'open_mirror\("([^"]+)"\)', README)):
        copy_mirror(served_plant.path, tmp_path / name)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_the_readme_has_python_examples():
    assert len(python_examples()) >= 2


@pytest.mark.parametrize("index", range(len(python_examples())))
def test_each_python_example_runs(in_a_folder_with_mirrors, index):
    pytest.importorskip("machina", reason="the Machina example needs the machina extra")
    code = python_examples()[index]
    namespace: dict = {"__name__": "__readme__"}
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, f"docs python example {index + 1}", "exec"), namespace)
    printed = [line for line in out.getvalue().splitlines() if line.strip()]
    if "print(" in code:
        assert printed, "the example prints nothing on the test plant"
    if "agent_input" in namespace:
        from machina.domain import WorkOrder

        assert namespace["agent_input"] and all(isinstance(w, WorkOrder) for w in namespace["agent_input"])
