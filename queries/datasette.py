"""Datasette's view of the named queries: canned queries and chart data, built from ``queries/sql/``.

``metadata.json`` holds what people write by hand (titles, descriptions of tables and columns,
facets, labels, search, the charts' look) and never a query's SQL. :func:`merge` adds the canned
queries, and the SQL of every chart, from the named queries when ``upkeep-mirror serve`` starts, so
Datasette, the charts and the Python functions run the very same text. ``tests/queries`` fails if
metadata.json grows a second copy of any of it.
"""

from __future__ import annotations

import copy
import html
import json
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from queries.named import NamedQuery, load

if TYPE_CHECKING:  # Datasette costs half a second to import: only serve pays for it
    from datasette.app import Datasette

#: The name Datasette serves the mirror under, whatever its file is called: /mirror/<table>.
DATABASE = "mirror"

#: Charts (datasette-dashboards) name their named query with this key; merge adds "db" and "query".
CHART_QUERY_KEY = "named_query"


#: metadata.json inside the package. In a checkout ``queries/metadata.json`` is a symlink to the
#: top-level metadata.json (the one file people edit); a wheel carries its content as package data.
METADATA_RESOURCE = "metadata.json"

SETTINGS = {
    # Datasette's default, said out loud: an ad-hoc query must not hold a worker for long on a plant
    # PC, and every named query answers well within it at a million work orders (README figures).
    "sql_time_limit_ms": 1000,
    # Column suggestions cost a query per column: slow on a million work orders, and little used.
    "suggest_facets": False,
    "default_allow_sql": True,
}


class MetadataError(ValueError):
    """metadata.json duplicates what the named queries own, names a query that does not exist, or is unreadable."""


def read_metadata(path: Path | None = None) -> dict[str, Any]:
    """The metadata as written by hand: ``path``, or the copy shipped in this package."""
    try:
        if path is None:
            text = resources.files("queries").joinpath(METADATA_RESOURCE).read_text(encoding="utf-8")
        else:
            text = Path(path).read_text(encoding="utf-8")
        metadata = json.loads(text)
    except (OSError, UnicodeDecodeError) as exc:
        raise MetadataError(f"cannot read {path or METADATA_RESOURCE}: {exc}") from None
    except json.JSONDecodeError as exc:
        raise MetadataError(f"{path or METADATA_RESOURCE} is not valid JSON: {exc}") from None
    if not isinstance(metadata, dict):
        raise MetadataError(f"{path or METADATA_RESOURCE} must hold a JSON object")
    return metadata


def load_metadata(path: Path | None = None) -> dict[str, Any]:
    """metadata.json (``path`` or the shipped one) merged with the named queries, checked read-only."""
    metadata = merge(read_metadata(path))
    # SQLite's own counter table (the outbox's AUTOINCREMENT) is no business of a technician's.
    metadata["databases"][DATABASE].setdefault("tables", {}).setdefault("sqlite_sequence", {})["hidden"] = True
    writing = [n for n, q in metadata["databases"][DATABASE]["queries"].items() if q.get("write")]
    if writing:
        raise MetadataError(f"canned queries must not write, but {', '.join(writing)} would")
    return metadata


def datasette_options(metadata: dict[str, Any]) -> dict[str, Any]:
    """Keyword arguments for ``Datasette(...)``: the one place that says how the mirror is served:
    metadata, settings, the technicians' templates and static files, and the plugin that shapes them.

    The plugin (:mod:`queries.web`) is registered with Datasette's plugin manager once per process;
    its hooks answer only for an instance built with these options (see :func:`queries.web.serves_mirror`).
    """
    from datasette.plugins import pm

    from queries import web

    if not pm.is_registered(web):
        pm.register(web, name=web.PLUGIN)
    return {
        "metadata": metadata,
        "settings": SETTINGS,
        "template_dir": web.TEMPLATE_DIR,
        "static_mounts": [(web.STATIC_MOUNT, str(resources.files("queries").joinpath("static")))],
    }


def make_datasette(db: Path, metadata: dict[str, Any] | None = None) -> Datasette:
    """A Datasette serving ``db`` as /mirror through read-only (``mode=ro``) connections.

    Mutable, not immutable: ``mode=ro`` connections see every commit of a sync running beside it,
    and SQLite itself refuses to write through them.
    """
    from datasette.app import Datasette
    from datasette.database import Database

    ds = Datasette([], **datasette_options(load_metadata() if metadata is None else metadata))
    ds.remove_database("_memory")
    ds.add_database(Database(ds, path=str(db), is_mutable=True), name=DATABASE)
    return ds


def canned_query(query: NamedQuery) -> dict[str, Any]:
    """One Datasette canned query: read-only, parameters in the header's order and explained."""
    described = html.escape(query.description)
    if query.params:
        items = "".join(
            f"<li><strong>{html.escape(p.name)}</strong>: {html.escape(p.description)}</li>" for p in query.params
        )
        described += f"</p><p>Parameters:</p><ul>{items}</ul><p>"
    return {
        "sql": query.sql,
        "title": query.title,
        "description": query.description,  # the link's tooltip on the database page
        "description_html": f"<p>{described}</p>",
        "params": list(query.param_names),
        "hide_sql": True,
        "write": False,
    }


def canned_queries() -> dict[str, dict[str, Any]]:
    return {name: canned_query(query) for name, query in load().items()}


def merge(metadata: dict[str, Any]) -> dict[str, Any]:
    """``metadata`` (as read from metadata.json) with the canned queries and chart SQL filled in."""
    try:
        return _merge(metadata)
    except (AttributeError, TypeError) as exc:  # a list or a string where Datasette expects an object
        raise MetadataError(f"metadata.json does not have Datasette's shape ({exc})") from None


def _merge(metadata: dict[str, Any]) -> dict[str, Any]:
    merged = copy.deepcopy(metadata)
    database = merged.setdefault("databases", {}).setdefault(DATABASE, {})
    if "queries" in database:
        raise MetadataError("metadata.json must not define queries: they come from queries/sql/*.sql")
    database["queries"] = canned_queries()
    named = load()
    dashboards = merged.get("plugins", {}).get("datasette-dashboards", {})
    for slug, dashboard in dashboards.items():
        for chart_slug, chart in dashboard.get("charts", {}).items():
            if "query" in chart or "db" in chart:
                raise MetadataError(f"chart {slug}/{chart_slug} must name a {CHART_QUERY_KEY}, not carry SQL")
            name = chart.get(CHART_QUERY_KEY)
            if name not in named:
                raise MetadataError(f"chart {slug}/{chart_slug} names unknown query {name!r}")
            chart["db"], chart["query"] = DATABASE, named[name].sql
    return merged
