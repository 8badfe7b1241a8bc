"""Shared fixtures: recorded UpKeep payloads and fresh mirror files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mirror.db import open_mirror

FIXTURES = Path(__file__).parent / "fixtures" / "upkeep"


def recorded(resource: str) -> list[dict]:
    """The ``results`` of a recorded list response, shaped like the API reference's examples."""
    return json.loads((FIXTURES / f"{resource}.json").read_text())["results"]


def recorded_by_id(resource: str) -> dict[str, dict]:
    items = recorded(resource)
    return {(o.get("trigger") or o)["id"]: o for o in items}


@pytest.fixture
def mirror(tmp_path):
    with open_mirror(tmp_path / "mirror.db") as m:
        yield m
