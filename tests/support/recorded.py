"""The recorded UpKeep payloads under ``tests/fixtures/upkeep``, shaped like the API reference's examples."""

from __future__ import annotations

import json
from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "upkeep"


def recorded(resource: str) -> list[dict]:
    """The ``results`` of a recorded list response, shaped like the API reference's examples."""
    return json.loads((FIXTURES / f"{resource}.json").read_text())["results"]


def recorded_by_id(resource: str) -> dict[str, dict]:
    items = recorded(resource)
    return {(o.get("trigger") or o)["id"]: o for o in items}
