"""The entity registry (mirror.entities) is the one declaration: every entry has its model, table, mapper,
pages and endpoint, and the lists the code uses are derived from it, not kept beside it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import mirror.schema
import mirror.store
import sync.replay._match
import sync.upkeep.endpoints
from mirror import _shapes
from mirror.entities import ENTITIES, ENTITY, PULLED
from mirror.schema import FIELDWORK_MIRRORED, MIRRORED, Mirrored
from mirror.vocabulary import OpKind
from queries import web
from sync.mapping import MAPPERS
from sync.mapping.schema import REFERENCE_TYPES
from sync.replay._handlers import HANDLERS
from sync.upkeep.endpoints import collection, record_path

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def objects(mirror) -> dict[str, str]:
    """Every table and view of a freshly migrated mirror -> its type."""
    return dict(mirror.connection().execute("SELECT name, type FROM sqlite_master WHERE type IN ('table', 'view')"))


@pytest.mark.parametrize("entity", ENTITIES, ids=lambda e: e.name)
def test_every_entity_has_its_model_table_mapper_and_pages(entity, objects):
    model = getattr(mirror.schema, entity.model)
    assert model.__tablename__ == entity.table
    assert issubclass(model, Mirrored) == entity.mirrored
    assert objects.get(entity.table) == "table", f"no migration creates {entity.table}"
    assert MAPPERS[entity.name].__name__ == entity.mapper
    assert entity.name in REFERENCE_TYPES, "the mapping knows the JSON types of every entity's fields"
    if entity.detail_view:
        assert objects.get(f"{entity.table}_detail") == "view"
    if entity.depends_on:
        assert ENTITIES.index(ENTITY[entity.depends_on]) < ENTITIES.index(entity), "referenced entities first"
    assert entity.path.startswith("/api/v2/")


def test_the_search_kinds_are_the_search_querys():
    search = (ROOT / "queries" / "sql" / "search.sql").read_text()
    for entity in ENTITIES:
        if entity.search_kind:
            assert f"'{entity.search_kind}'" in search


def test_every_write_kind_targets_one_entity_and_has_a_handler():
    targets = [kind for e in ENTITIES for kind in e.writes]
    assert sorted(targets) == sorted(OpKind), "each kind once"
    assert set(HANDLERS) == set(targets)


def test_the_old_lists_are_derived_from_the_registry():
    assert list(MIRRORED) == [e.name for e in ENTITIES if e.pull == "main"] == list(PULLED)
    assert list(FIELDWORK_MIRRORED) == [e.name for e in ENTITIES if e.mirrored and e.pull != "main"]
    assert all(MIRRORED[e].__name__ == ENTITY[e].model for e in MIRRORED)
    assert MAPPERS.keys() == {e.name for e in ENTITIES}
    assert _shapes.entity_tables() == {e.name: e.table for e in ENTITIES if e.mirrored}
    assert set(web.ENTITY_TABLES.values()) <= {e.table for e in ENTITIES}
    assert set(web.VIEW_TABLES) == {f"{e.table}_detail" for e in ENTITIES if e.detail_view}
    for gone in (sync.upkeep.endpoints, "SOURCES"), (sync.upkeep.endpoints, "DEPENDS_ON"), \
            (sync.replay._match, "PATHS"), (sync.replay._match, "LISTABLE"), (mirror.store, "mirrored_entities"):
        assert not hasattr(*gone), f"{gone[0].__name__}.{gone[1]}: derive it from mirror.entities"


def test_paths_built_from_the_registry():
    assert collection("meter_readings", meter="m1") == "/api/v2/meters/m1/readings"
    assert record_path("work_orders", "w1") == "/api/v2/work-orders/w1"
    assert record_path("users", "u1") == "/api/v2/users/u1"


def test_every_upkeep_path_the_engine_sends_comes_from_the_registry_or_the_catalogue():
    """No ``/api/v2`` literal in sync outside the endpoint catalogue (docstrings aside; the emulator keeps its own)."""
    allowed = {ROOT / "sync" / "upkeep" / "endpoints.py"}
    found = []
    for path in sorted((ROOT / "sync").rglob("*.py")):
        if path in allowed or "emulator" in path.parts:
            continue
        tree = ast.parse(path.read_text())
        docstrings = {id(node.value) for node in ast.walk(tree) if isinstance(node, ast.Expr)}
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings \
                    and "/api/v2" in node.value:
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not found, found
