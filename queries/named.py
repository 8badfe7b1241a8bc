"""The named queries: one ``.sql`` file each in ``queries/sql/``, the single source of their SQL.

Datasette serves them as canned queries (:mod:`queries.datasette`) and Python runs them through
typed functions (:mod:`queries.functions`); both bind the same text with SQLite's own named
parameters, so the two cannot disagree about what a query means.

A file starts with a header of ``--`` lines, then the SQL::

    -- title: Open work orders for an asset
    -- description: Work orders on one asset that are not done yet, most urgent first.
    -- param asset: The asset's name (any case) or UpKeep id.
    -- frequent: yes

``param`` lines name every ``:parameter`` of the SQL, in the order a form shows them; a parameter
left empty (Datasette sends ``''``, Python ``None``) takes the default written in the SQL.
``frequent: yes`` marks the queries technicians run all day: each must be served by an index
(the plan tests and the benchmark hold them to it).

A file may name one of :data:`CONSTANTS` as ``{{NAME}}`` (in its header or SQL); it is filled in
when the file is loaded, so a threshold the mirror defines once (``sync_health``'s stale, from
:mod:`mirror.freshness`) is not written again in SQL.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

from mirror.freshness import STALE_AFTER

_HEADER = re.compile(r"^--\s*(title|description|param\s+\w+|frequent)\s*:\s*(.*)$")
_STRING_LITERAL = re.compile(r"'(?:[^']|'')*'")
_PARAMETER = re.compile(r"(?<![:\w]):([A-Za-z_]\w*)")
_COMMENT = re.compile(r"--[^\n]*")
_CONSTANT = re.compile(r"\{\{(\w+)\}\}")

#: The values a query file may name as ``{{NAME}}``.
CONSTANTS = {
    "STALE_AFTER_SECONDS": f"{STALE_AFTER.total_seconds():.0f}",
    "STALE_AFTER_MINUTES": f"{STALE_AFTER.total_seconds() / 60:.0f}",
}


class QueryFileError(ValueError):
    """A file in queries/sql/ breaks the header format or names parameters its SQL does not use."""


@dataclass(frozen=True)
class Param:
    name: str
    description: str


@dataclass(frozen=True)
class NamedQuery:
    name: str
    title: str
    description: str
    params: tuple[Param, ...]
    sql: str
    frequent: bool

    @property
    def param_names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.params)


def parse(name: str, text: str) -> NamedQuery:
    """One query file: the header fields, and the SQL below the header."""
    fields: dict[str, str] = {}
    params: list[Param] = []
    text = _constants_filled(name, text)
    lines = text.splitlines()
    body_start = len(lines)
    for i, line in enumerate(lines):
        if not line.startswith("--"):
            body_start = i
            break
        match = _HEADER.match(line)
        if not match:
            raise QueryFileError(f"{name}.sql line {i + 1}: expected '-- title|description|param NAME|frequent: ...'")
        key, value = match.group(1), match.group(2).strip()
        if key.startswith("param"):
            params.append(Param(key.split()[1], value))
        else:
            fields[key] = value
    sql = "\n".join(lines[body_start:]).strip().removesuffix(";").strip()
    for required in ("title", "description"):
        if not fields.get(required):
            raise QueryFileError(f"{name}.sql has no '-- {required}:' line")
    used = sql_parameters(sql)
    declared = [p.name for p in params]
    if sorted(set(declared)) != used or len(declared) != len(set(declared)):
        raise QueryFileError(f"{name}.sql declares parameters {declared} but its SQL uses {used}")
    return NamedQuery(
        name=name,
        title=fields["title"],
        description=fields["description"],
        params=tuple(params),
        sql=sql,
        frequent=fields.get("frequent", "no").lower() in ("yes", "true"),
    )


def _constants_filled(name: str, text: str) -> str:
    def value(match: re.Match[str]) -> str:
        if match.group(1) not in CONSTANTS:
            raise QueryFileError(f"{name}.sql names {{{{{match.group(1)}}}}}, which is not one of {sorted(CONSTANTS)}")
        return CONSTANTS[match.group(1)]

    return _CONSTANT.sub(value, text)


def sql_parameters(sql: str) -> list[str]:
    """The distinct ``:name`` parameters of a statement (string literals are not looked into)."""
    return sorted(set(_PARAMETER.findall(_COMMENT.sub("", _STRING_LITERAL.sub("''", sql)))))


@cache
def load() -> dict[str, NamedQuery]:
    """Every named query shipped in ``queries/sql/``, by name (the file name without ``.sql``)."""
    folder = resources.files("queries").joinpath("sql")
    out = {}
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".sql"):
            name = entry.name.removesuffix(".sql")
            out[name] = parse(name, entry.read_text(encoding="utf-8"))
    return out


def get(name: str) -> NamedQuery:
    return load()[name]
