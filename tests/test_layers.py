"""Where SQL may live: the mirror's storage is ``mirror``'s, ``sync`` only decides when to call it.

A module under ``sync/`` that needs the mirror's rows calls a small function of the ``mirror``
module that owns the table (issue 20). Exceptions: the emulator (an independent oracle with a
store of its own) and ``sync/pull/_save.py`` (the pull's batch save, around ``mirror.store``).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SYNC = ROOT / "sync"
ALLOWED = {SYNC / "pull" / "_save.py"}
#: SQL keywords as SQL is written here: in capitals (prose says "update", and the HTTP method is "DELETE").
SQL = re.compile(r"\b(SELECT|UPDATE|INSERT|DELETE FROM)\s")


def _engine_modules() -> list[Path]:
    return sorted(p for p in SYNC.rglob("*.py")
                  if (SYNC / "emulator") not in p.parents and p not in ALLOWED)


def _sql_literals(path: Path) -> list[str]:
    """String literals (f-strings' text parts included) that read as SQL; docstrings are prose."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
                  and node.body and isinstance(node.body[0], ast.Expr)
                  and isinstance(node.body[0].value, ast.Constant)}
    return [f"line {node.lineno}: {node.value[:80]!r}" for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings
            and SQL.search(node.value)]


def test_the_scan_finds_sql():
    """The scan itself works: the one module allowed SQL has it."""
    assert _sql_literals(SYNC / "pull" / "_save.py")


@pytest.mark.parametrize("path", _engine_modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_sql_outside_mirror(path: Path):
    assert _sql_literals(path) == [], f"{path.relative_to(ROOT)} runs SQL: move it into the mirror module that owns the table"


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    return names | {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}


@pytest.mark.parametrize("path", _engine_modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_sqlalchemy_outside_mirror(path: Path):
    """Queries built with SQLAlchemy are SQL too: they belong in ``mirror`` as well."""
    used = {name for name in _imports(path) if name.split(".")[0] in ("sqlalchemy", "sqlmodel")}
    assert used == set(), f"{path.relative_to(ROOT)} imports {sorted(used)}"


def _imported_modules(path: Path) -> set[str]:
    modules = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules.add(node.module)
        elif isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
    return modules


def test_tests_share_only_tests_support():
    """Shared test code lives in ``tests.support``: no test module (or benchmark) imports a test module,
    a conftest or a benchmark, so each fixture and helper is defined once and found by its name."""
    offenders = []
    for path in sorted((ROOT / "tests").rglob("*.py")):
        for module in _imported_modules(path):
            parts = module.split(".")
            if (parts[0] == "tests" and (parts[-1].startswith("test_") or parts[-1] == "conftest"
                                        or "benchmarks" in parts)) or parts[0] == "conftest" or parts[0].startswith("test_"):
                offenders.append(f"{path.relative_to(ROOT)} imports {module}")
    assert not offenders, offenders
