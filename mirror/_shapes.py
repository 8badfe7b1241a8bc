"""What saving rows needs to know of each mirrored table, read from the schema's own source.

The pull writes through plain ``sqlite3`` (:mod:`mirror.sqlite`) and never imports SQLAlchemy or
the SQLModel models (:mod:`mirror.schema`), so it cannot ask the models for their tables. It reads
their source instead, once per process, with :mod:`ast`: each entity's table, the table's columns
in order with how a Python value is stored in each (``utc`` a datetime as UTC text, ``date`` a
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

__all__ = ["Column", "columns", "entity_tables"]

_SCHEMA = Path(__file__).parent / "schema"
#: The registries naming the mirrored tables, in pull order: the main pull's, then field work's.
_REGISTRIES = ("MIRRORED", "FIELDWORK_MIRRORED")
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
    entity: str | None
    fields: list[Column]


def entity_tables() -> dict[str, str]:
    """Mirrored entity (as the pull names it) -> its table, in pull order (main pull, then field work)."""
    classes, registries = _read()
    tables: dict[str, str] = {}
    for registry in _REGISTRIES:
        for name in registries[registry]:
            found = classes[name]
            assert found.entity is not None and found.table is not None, f"{name}: no entity or table"
            tables[found.entity] = found.table
    return tables


@cache
def columns(table: str) -> tuple[Column, ...]:
    """The table's columns in order (``KeyError`` for a table that is not a mirrored one)."""
    classes, registries = _read()
    for registry in _REGISTRIES:
        for name in registries[registry]:
            if classes[name].table == table:
                return tuple(_all_fields(classes, name))
    raise KeyError(table)


def _all_fields(classes: dict[str, _Class], name: str) -> list[Column]:
    found = classes[name]
    inherited = [c for base in found.bases if base in classes for c in _all_fields(classes, base)]
    return inherited + found.fields


@cache
def _read() -> tuple[dict[str, _Class], dict[str, list[str]]]:
    classes: dict[str, _Class] = {}
    registries: dict[str, list[str]] = {}
    for path in sorted(_SCHEMA.glob("*.py")):
        module = ast.parse(path.read_text(), filename=str(path))
        imported = {alias.asname or alias.name: node.module for node in module.body
                    if isinstance(node, ast.ImportFrom) and node.module for alias in node.names}
        for node in module.body:
            if isinstance(node, ast.ClassDef):
                classes[node.name] = _read_class(node, imported)
            elif isinstance(node, ast.AnnAssign | ast.Assign) and (target := _target(node)) in _REGISTRIES:
                registries[target] = _names_in_order(node.value)
    return classes, registries


def _target(node: ast.AnnAssign | ast.Assign) -> str | None:
    target = node.target if isinstance(node, ast.AnnAssign) else node.targets[0]
    return target.id if isinstance(target, ast.Name) else None


def _names_in_order(value: ast.expr | None) -> list[str]:
    """The class names a registry lists: the elements of the first tuple in its definition."""
    for node in ast.walk(value) if value is not None else ():
        if isinstance(node, ast.Tuple):
            return [e.id for e in node.elts if isinstance(e, ast.Name)]
    return []


def _read_class(node: ast.ClassDef, imported: dict[str, str]) -> _Class:
    found = _Class([b.id for b in node.bases if isinstance(b, ast.Name)], None, None, [])
    for item in node.body:
        if isinstance(item, ast.Assign) and _target(item) == "__tablename__":
            found.table = ast.literal_eval(item.value)
        elif isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name):
            if ast.unparse(item.annotation).startswith("ClassVar"):
                if item.target.id == "entity" and item.value is not None:
                    found.entity = ast.literal_eval(item.value)
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
