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
from importlib import resources
from typing import Any

from queries.named import NamedQuery, load

#: The name Datasette serves the mirror under, whatever its file is called: /mirror/<table>.
DATABASE = "mirror"

#: Charts (datasette-dashboards) name their named query with this key; merge adds "db" and "query".
CHART_QUERY_KEY = "named_query"


class MetadataError(ValueError):
    """metadata.json duplicates what the named queries own, or names a query that does not exist."""


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


def datasette_options() -> dict[str, Any]:
    """What ``Datasette(...)`` needs for the technicians' pages: templates, static files, the plugin.

    The plugin (:mod:`queries.web`) is registered with Datasette's plugin manager once per process;
    its hooks answer only for an instance built with these options (see :func:`queries.web.serves_mirror`).
    """
    from datasette.plugins import pm

    from queries import web

    if not pm.is_registered(web):
        pm.register(web, name=web.PLUGIN)
    return {
        "template_dir": web.TEMPLATE_DIR,
        "static_mounts": [(web.STATIC_MOUNT, str(resources.files("queries").joinpath("static")))],
    }

