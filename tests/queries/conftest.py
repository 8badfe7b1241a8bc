"""Fixtures for the read side: a known mirror, Datasette on it in-process, and both ways to query it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from datasette.utils.testing import TestClient

from mirror.db import Mirror, open_mirror
from mirror.timestamps import format_utc
from queries.datasette import load_metadata, make_datasette
from queries.functions import FUNCTIONS
from tests.support.queries_plant import Clock, load_base, load_bookkeeping, load_scenario, now


@dataclass
class Served:
    """One mirror file, open for Python and served by Datasette (in-process, no socket)."""

    path: Path
    mirror: Mirror
    client: TestClient
    clock: Clock

    def canned(self, name: str, **params: Any) -> list[dict[str, Any]]:
        """Rows of a canned query through Datasette's JSON API (asserting it answered 200)."""
        query = urlencode({**params, "_shape": "objects"})
        response = self.client.get(f"/mirror/{name}.json?{query}")
        assert response.status == 200, response.text
        return response.json["rows"]

    def python(self, name: str, **params: Any) -> list[Any]:
        """Rows of the same query through its Python function."""
        with self.mirror.session() as s:
            return FUNCTIONS[name](s, **params)

    def both(self, name: str, **params: Any) -> list[dict[str, Any]]:
        """Rows through Datasette, after checking the Python function returns the same ones."""
        served = self.canned(name, **{k: ("" if v is None else v) for k, v in params.items()})
        assert_same_rows(name, served, self.python(name, **params))
        return served


def assert_same_rows(name: str, served: list[dict], typed: list[Any]) -> None:
    """Datasette's JSON rows equal the typed rows, column by column (floats to 0.02: "now" moves)."""
    assert len(served) == len(typed), f"{name}: Datasette {len(served)} rows, Python {len(typed)}"
    for i, (row, model) in enumerate(zip(served, typed, strict=True)):
        python_row = model.model_dump()
        assert list(row) == list(python_row), f"{name}: columns differ"
        for column, value in row.items():
            expected = _as_sql(python_row[column])
            if isinstance(value, str) and isinstance(expected, dict | list):
                value = json.loads(value)
            if isinstance(value, float) and isinstance(expected, float):
                assert abs(value - expected) <= 0.02, f"{name} row {i} {column}: {value} != {expected}"
            else:
                assert value == expected, f"{name} row {i} {column}: {value!r} != {expected!r}"


def _as_sql(value: Any) -> Any:
    if isinstance(value, datetime):
        return format_utc(value)
    if isinstance(value, bool):
        return int(value)
    return value


def _serve(path: Path, clock: Clock) -> Iterator[Served]:
    mirror = open_mirror(path)
    ds = make_datasette(path, load_metadata())
    try:
        yield Served(path, mirror, TestClient(ds), clock)
    finally:
        for database in ds.databases.values():
            database.close()
        mirror.close()


@pytest.fixture(scope="session")
def served_plant(tmp_path_factory) -> Iterator[Served]:
    """The base data plus the scenario, served. Tests must not change it (see ``scratch``)."""
    path = tmp_path_factory.mktemp("plant") / "mirror.db"
    clock = now()
    with open_mirror(path) as m:
        load_base(m)
        load_scenario(m, clock)
    yield from _serve(path, clock)


@pytest.fixture
def scratch(tmp_path) -> Iterator[Served]:
    """Like ``served_plant`` but a file of the test's own, which it may change."""
    path = tmp_path / "mirror.db"
    clock = now()
    with open_mirror(path) as m:
        load_base(m)
        load_scenario(m, clock)
    yield from _serve(path, clock)


@pytest.fixture(scope="session")
def bookkeeping(tmp_path_factory) -> Iterator[Served]:
    """The scenario without base data, plus sync runs, cursors, connectivity and local writes with a known story."""
    path = tmp_path_factory.mktemp("bookkeeping") / "mirror.db"
    clock = now()
    with open_mirror(path) as m:
        load_scenario(m, clock)
        load_bookkeeping(m, clock)
    yield from _serve(path, clock)
