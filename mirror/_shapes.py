"""What saving rows needs to know of each mirrored table, read from the schema's own source.

The pull writes through plain ``sqlite3`` (:mod:`mirror.sqlite`) and never imports SQLAlchemy or
the SQLModel models (:mod:`mirror.schema`), so it cannot ask the models for their columns. It reads
their source instead, once per process, with :mod:`ast`: for each mirrored entity of the registry
(:mod:`mirror.entities`, which names its table and model), the table's columns in order with how a Python value is stored in each (``utc`` a datetime as UTC text, ``date`` a
date as ``YYYY-MM-DD``, ``json`` JSON text, ``bool`` 0/1, ``""`` as it is), and the value a column
takes when a row leaves it out.

Why not SQLite's own description of the file (``PRAGMA table_xinfo``): it cannot tell a timestamp
from a date or from plain text (all ``VARCHAR``), the defaults are the models' and not the SQL's,
and the mapping worker builds rows with no mirror open. ``tests/test_store.py`` proves this
description equals the one SQLAlchemy gives for the models.

The source is read as the models declare their columns (:mod:`mirror.schema._base`): ``name:
type = default``, ``Field(default=..., default_factory=list|dict, sa_type=..., sa_column_kwargs=
{"name": ...})``, ``ts()`` (a UTC timestamp) and ``ref()`` (a reference), each class after the
columns of the class it extends.
"""

from __future__ import annotations

import ast
import importlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from mirror.entities import ENTITIES

__all__ = ["Column", "columns", "entity_tables"]

_SCHEMA = Path(__file__).parent / "schema"
#: Column type (``sa_type=``) -> storage kind.
_KINDS = {"UTCDateTime": "utc", "ISODate": "date", "JSON": "json"}
_FACTORIES = {"list": list, "dict": dict}
_REQUIRED = object()


@dataclass(frozen=True)
class Column:
    """One column of a mirrored table."""

    name: str
    kind: str  # "", "utc", "date", "json" or "bool"
    default: Any  # the models' default (a fresh list or dict for a factory); None: NULL or required


@dataclass
class _Class:
    bases: list[str]
    table: str | None
    fields: list[Column]


def entity_tables() -> dict[str, str]:
    """Mirrored entity (as the pull names it) -> its table, in pull order (main pull, then field work)."""
    return {e.name: e.table for e in ENTITIES if e.mirrored}


@cache
def columns(table: str) -> tuple[Column, ...]:
    """The table's columns in order (``KeyError`` for a table that is not a mirrored one)."""
    classes = _read()
    for entity in ENTITIES:
        if entity.mirrored and entity.table == table:
            assert classes[entity.model].table == table, f"{entity.model}: not the table {table}"
            found = tuple(_all_fields(classes, entity.model))
            assert found[0].name == "id", f"{table}: mirror.store's row tuples start with the id"
            return found
    raise KeyError(table)


def _all_fields(classes: dict[str, _Class], name: str) -> list[Column]:
    found = classes[name]
    inherited = [c for base in found.bases if base in classes for c in _all_fields(classes, base)]
    return inherited + found.fields


@cache
def _read() -> dict[str, _Class]:
    classes: dict[str, _Class] = {}
    for path in sorted(_SCHEMA.glob("*.py")):
        module = ast.parse(path.read_text(), filename=str(path))
        imported = {alias.asname or alias.name: node.module for node in module.body
                    if isinstance(node, ast.ImportFrom) and node.module for alias in node.names}
        for node in module.body:
            if isinstance(node, ast.ClassDef):
                classes[node.name] = _read_class(node, imported)
    return classes


def _target(node: ast.AnnAssign | ast.Assign) -> str | None:
    target = node.target if isinstance(node, ast.AnnAssign) else node.targets[0]
    return target.id if isinstance(target, ast.Name) else None


def _read_class(node: ast.ClassDef, imported: dict[str, str]) -> _Class:
    found = _Class([b.id for b in node.bases if isinstance(b, ast.Name)], None, [])
    for item in node.body:
        if isinstance(item, ast.Assign) and _target(item) == "__tablename__":
            found.table = ast.literal_eval(item.value)
        elif isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name):
            if ast.unparse(item.annotation).startswith("ClassVar"):
                continue
            found.fields.append(_read_column(item.target.id, item.annotation, item.value, imported))
    return found


def _read_column(name: str, annotation: ast.expr, value: ast.expr | None, imported: dict[str, str]) -> Column:
    kind = "bool" if ast.unparse(annotation) == "bool" else ""
    default: Any = _REQUIRED
    if isinstance(value, ast.Call) and isinstance(value.func, ast.Name):
        keywords = {k.arg: k.value for k in value.keywords}
        if value.func.id in ("ts", "ref"):
            kind, default = ("utc" if value.func.id == "ts" else kind), None
        if "sa_type" in keywords:
            kind = _KINDS.get(ast.unparse(keywords["sa_type"]), kind)
        if "default" in keywords:
            default = _evaluate(keywords["default"], imported)
        elif "default_factory" in keywords:
            default = _FACTORIES[ast.unparse(keywords["default_factory"])]()
        renamed = keywords.get("sa_column_kwargs")
        if isinstance(renamed, ast.Dict):
            name = ast.literal_eval(renamed).get("name", name)
    elif value is not None:
        default = _evaluate(value, imported)
    return Column(name, kind, None if default is _REQUIRED else default)


def _evaluate(node: ast.expr, imported: dict[str, str]) -> Any:
    """A default's value: a literal, or a dotted name from the module's imports (``LocalState.SYNCED.value``)."""
    try:
        return ast.literal_eval(node)
    except ValueError:
        pass
    path = []
    while isinstance(node, ast.Attribute):
        path.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name) or node.id not in imported:
        raise ValueError(f"mirror.schema: a default the pull cannot read: {ast.unparse(node)}")
    value = getattr(importlib.import_module(imported[node.id]), node.id)
    for attr in reversed(path):
        value = getattr(value, attr)
    return value
