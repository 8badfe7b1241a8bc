"""What the wheel carries: every file read at run time, the one metadata.json, py.typed, a public surface.

The wheel itself is built, installed outside the checkout and exercised by .ci/wheel-smoke; these
fast checks catch the usual way that breaks: a new data file that no package-data glob covers.
"""

from __future__ import annotations

import fnmatch
import tomllib
from importlib import resources
from pathlib import Path

import pytest

import mirror
import queries

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
PACKAGE_DATA: dict[str, list[str]] = PYPROJECT["tool"]["setuptools"]["package-data"]


def shipped(package: str, relative: str) -> bool:
    """Whether a file (path relative to its top-level package) matches one of the package's globs."""
    for pattern in PACKAGE_DATA.get(package, []):
        if fnmatch.fnmatch(relative, pattern) or (
            "/**/" in pattern and fnmatch.fnmatch(relative, pattern.replace("/**/", "/"))
        ):
            return True
    return False


@pytest.mark.parametrize("package", ["mirror", "queries", "sync"])
def test_every_data_file_is_package_data(package):
    folder = ROOT / package
    data = [p.relative_to(folder).as_posix() for p in folder.rglob("*")
            if p.is_file() and p.suffix not in (".py", ".pyc") and "__pycache__" not in p.parts]
    missing = [f for f in data if not shipped(package, f)]
    assert not missing, f"{package}: not in [tool.setuptools.package-data], so not in the wheel: {missing}"
    assert "py.typed" in data


def test_future_templates_and_static_files_are_covered():
    for relative in ("templates/index.html", "templates/pages/asset.html", "static/app.css", "static/js/x.js"):
        assert shipped("queries", relative), relative


def test_the_packaged_metadata_is_the_top_level_file():
    packaged = resources.files("queries").joinpath("metadata.json").read_bytes()
    assert packaged == (ROOT / "metadata.json").read_bytes(), "queries/metadata.json must mirror metadata.json"
    assert (ROOT / "queries" / "metadata.json").is_symlink()  # one file to edit, not two to keep equal


def test_sources_the_program_reads_come_from_the_package():
    assert resources.files("mirror.sql").joinpath("0001_initial.sql").is_file()
    assert any(p.name.endswith(".sql") for p in resources.files("queries").joinpath("sql").iterdir())


@pytest.mark.parametrize("package", [mirror, queries])
def test_public_names_resolve(package):
    assert package.__all__, package.__name__
    for name in package.__all__:
        assert getattr(package, name) is not None, f"{package.__name__}.{name}"


def test_the_public_surface_has_what_users_import():
    assert {"open_mirror", "to_machina", "create_work_order", "update_work_order", "add_work_order_message",
            "record_parts_used", "create_request", "add_meter_reading", "set_part_quantity",
            "InvalidWrite"} <= set(mirror.__all__)
    assert {"open_work_orders_for_asset", "overdue_work_orders", "my_open_work_orders"} <= set(queries.__all__)


def test_the_demo_folder_is_not_committed_by_mistake():
    ignored = (ROOT / ".gitignore").read_text().splitlines()
    assert "upkeep-demo/" in ignored  # `upkeep-mirror demo` keeps its plant and mirror there
