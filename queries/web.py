"""The Datasette plugin that turns the mirror's pages into a maintenance tool (registered by ``serve``).

- ``render_cell``: dates in the plant's time zone with relative wording, UpKeep's status words, every
  id and name a link to its page (work order, asset, part, location, person...), JSON behind a
  toggle, "not recorded" for a labour cost UpKeep does not give. HTML only: JSON and CSV keep the
  stored values.
- ``extra_template_vars``: the freshness banner on every page, the day's counts and the grouped
  queries on the start page, and the data of the work order and asset pages.
- ``extra_css_urls``: the stylesheet that makes the pages fit a phone; ``extra_js_urls``: a few lines
  that note on the page whether it is wider than the screen (what the browser tests check).
- ``prepare_jinja2_environment``: the same date and status wording as filters for the templates, and the
  lists' words: each column's heading (metadata.json ``plugins`` -> ``upkeep-mirror`` ->
  ``column_headings``), the columns a list shows (each fact once: :func:`shown_columns`), and "7 overdue
  work orders" for a count (``row_words``). The mirror's ``query-mirror.html``, ``table.html``,
  ``_table.html`` and ``_facet_results.html`` use them; the SQL column names, JSON and CSV stay as they are.
- ``register_routes``: ``/`` and ``/mirror`` render their pages themselves (Datasette's index and
  database views check every table first, which costs more than the whole page).
- ``asgi_wrapper``: the page of a record created here, asked for by the ``local-...`` id it had
  before UpKeep accepted it, redirects to the record under UpKeep's id (a kept link keeps working).

Everything here only reads; the templates live in ``queries/templates``, the stylesheet in
``queries/static`` (wired by :func:`queries.datasette.datasette_options`).
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, tzinfo
from importlib import resources
from typing import Any
from weakref import WeakKeyDictionary

from datasette import hookimpl
from datasette.utils import tilde_decode, tilde_encode
from datasette.utils.asgi import asgi_send_redirect
from markupsafe import Markup

from mirror.entities import ENTITIES
from queries import display, files, pages
from queries.named import load

#: The plugin's name: its settings live under metadata.json ``plugins`` -> this key.
PLUGIN = "upkeep-mirror"
#: The name Datasette serves the mirror under (as in :mod:`queries.datasette`).
DATABASE = "mirror"
#: The templates' folder: Datasette instances built with it are the mirror's (see :func:`serves_mirror`).
TEMPLATE_DIR = str(resources.files("queries").joinpath("templates"))
#: Where :func:`queries.datasette.datasette_options` mounts ``queries/static``.
STATIC_MOUNT = "-/upkeep-static"

#: Columns whose value is JSON people rarely need: shown behind a toggle.
JSON_COLUMNS = {"raw", "payload", "base", "remote", "metadata", "interval", "parts_used", "spare_parts",
                "compatible_assets", "children", "failure_modes", "aliases", "requested_skills", "tasks",
                "required_skills", "parts"}
#: Columns that are due dates: they read "3 days overdue", "due tomorrow".
DUE_COLUMNS = {"due_date", "next_due_date"}
#: Columns with a name, the column holding its id, and the table of its page.
NAME_LINKS = {
    "asset_name": ("asset_id", "assets"),
    "parent_name": ("parent_id", "assets"),
    "location_name": ("location_id", "locations"),
    "assigned_to_name": ("assigned_to", "users"),
    "completed_by_name": ("completed_by", "users"),
    "requested_by_name": ("requested_by", "users"),
    "team_name": ("team_id", "teams"),
    "vendor_name": ("vendor_id", "vendors"),
    "meter_name": ("meter_id", "meters"),
    "work_order_title": ("work_order_id", "work_orders"),
}
#: Id columns and the table of their page.
ID_LINKS = {
    "asset_id": "assets", "parent_id": "assets", "location_id": "locations", "assigned_to": "users",
    "completed_by": "users", "requested_by": "users", "team_id": "teams", "vendor_id": "vendors",
    "meter_id": "meters", "work_order_id": "work_orders", "last_purchase_order_id": "purchase_orders",
    "created_by": "users",
}
#: Columns a list leaves out when the column after them is on it: the same fact twice otherwise.
#: How late a due date is (the due date already reads "3 days overdue"); UpKeep's codes beside the
#: same in words; an opaque id beside the name that links to its page. JSON and CSV keep them all.
SAME_FACT: dict[str, tuple[str, ...]] = {
    "days_overdue": ("due_date",),
    "overdue": ("due_date",),
    "days_until_due": ("next_due_date", "due_date"),
    "upkeep_status": ("status",),
    "upkeep_priority": ("priority",),
    **{id_column: (name_column,) for name_column, (id_column, _table) in NAME_LINKS.items()},
    "id": ("work_order_no", "title", "name", "sku"),
}
#: Columns no list shows: the full-text search's row number, and an id with no name beside it.
NEVER_SHOWN = frozenset({"rowid", "last_purchase_order_id"})
#: A list of what, when metadata.json's ``row_words`` does not say.
ROW_WORDS = ("result", "results")
#: The table whose rows a view lists (its ``id`` column links there).
VIEW_TABLES = {f"{e.table}_detail": e.table for e in ENTITIES if e.detail_view}
#: Outbox entities (those local writes target) and search kinds -> table.
ENTITY_TABLES = {e.name: e.table for e in ENTITIES if e.writes} | {
    e.search_kind: e.table for e in ENTITIES if e.search_kind}
#: Tables local writes target -> their outbox entity.
TABLE_ENTITIES = {e.table: e.name for e in ENTITIES if e.writes}
#: A row page (HTML or JSON) asked for by a local id: ``/mirror/work_orders/local-...``.
LOCAL_ROW = re.compile(rf"^/{DATABASE}/(?P<table>\w+)/(?P<id>local-[0-9a-f]+)(?P<ext>\.json)?$")


def serves_mirror(datasette: Any) -> bool:
    """Whether ``datasette`` was built for the mirror (:func:`queries.datasette.datasette_options`).

    Plugins registered with Datasette's plugin manager apply to every instance in the process; the
    hooks below leave any other Datasette (a test's, another tool's) exactly as it was. (The route
    for ``/`` is registered before databases are added, so it checks the templates only.)
    """
    return getattr(datasette, "template_dir", None) == TEMPLATE_DIR and DATABASE in datasette.databases


#: ``datasette.urls.table`` per instance and table (it is called for most cells of a list).
_TABLE_URLS: WeakKeyDictionary[Any, dict[str, str]] = WeakKeyDictionary()


def row_url(datasette: Any, table: str, key: Any) -> str:
    urls = _TABLE_URLS.setdefault(datasette, {})
    prefix = urls.get(table)
    if prefix is None:
        prefix = urls[table] = datasette.urls.table(DATABASE, table)
    return f"{prefix}/{tilde_encode(str(key))}"


def _link(datasette: Any, table: str, key: Any, text: Any, css: str = "") -> Markup:
    klass = f' class="{css}"' if css else ""
    return Markup(f'<a href="{html.escape(row_url(datasette, table, key))}"{klass}>{html.escape(str(text))}</a>')


#: The plugin's settings per Datasette instance: metadata does not change while serving, and reading
#: them (Datasette merges the metadata and resolves secrets on each call) costs more than rendering a
#: cell; a list page asks for a column's heading several times per column.
_SETTINGS: WeakKeyDictionary[Any, dict[str, Any]] = WeakKeyDictionary()


def settings(datasette: Any) -> dict[str, Any]:
    found = _SETTINGS.get(datasette)
    if found is None:
        found = _SETTINGS[datasette] = datasette.plugin_config(PLUGIN) or {}
    return found


#: The plant's zone per Datasette instance (render_cell runs for every cell of a page).
_ZONES: WeakKeyDictionary[Any, tzinfo] = WeakKeyDictionary()


def timezone(datasette: Any) -> tzinfo:
    zone = _ZONES.get(datasette)
    if zone is None:
        zone = _ZONES[datasette] = display.plant_timezone(settings(datasette).get("timezone"))
    return zone


def shown_columns(columns: Any) -> list[str]:
    """The columns a list shows, in order: each fact once (see :data:`SAME_FACT`)."""
    present = set(columns)
    return [c for c in columns
            if c not in NEVER_SHOWN and not any(other in present for other in SAME_FACT.get(c, ()))]


def heading(datasette: Any, column: str) -> str:
    """A column's heading in words: metadata.json's ``column_headings``, else its name made readable."""
    headings = settings(datasette).get("column_headings", {})
    return str(headings.get(column) or column.replace("_", " ").strip().capitalize() or column)


def rows_in_words(datasette: Any, count: int, name: str | None, truncated: bool = False) -> str:
    """``7 overdue work orders`` for a list's count, in the words metadata.json's ``row_words`` gives."""
    one, many = settings(datasette).get("row_words", {}).get(name or "", ROW_WORDS)
    if not count:
        return f"No {many}"
    return f"{'More than ' if truncated else ''}{count:,} {one if count == 1 and not truncated else many}"


def _row_table(row: Any, table: str | None) -> str | None:
    """The table whose record this row is (for its ``id``), from the view or the query's columns."""
    if table:
        return VIEW_TABLES.get(table, table)
    keys = set(row.keys())
    if "kind" in keys and "id" in keys:
        return ENTITY_TABLES.get(row["kind"])
    if "work_order_no" in keys:
        return "work_orders"
    if "sku" in keys:
        return "spare_parts"
    if "work_order_title" in keys and "next_due_date" in keys:
        return "maintenance_plans"
    return None


def _when(value: str, column: str, row: Any, tz: Any, now: datetime) -> Markup | None:
    moment = display.parse_timestamp(value)
    if moment is None:
        return None
    done = "date_completed" in row.keys() and row["date_completed"]  # noqa: SIM118 (sqlite3.Row: "in" tests values)
    if column in DUE_COLUMNS and not done:
        hint = display.due(moment, now, tz)
        late = moment < now
    else:
        hint, late = display.relative(moment, now, tz), False
    return Markup(
        f'<time datetime="{html.escape(value)}" title="{html.escape(value)} (UTC)">'
        f"{display.when(moment, tz)}</time> "
        f'<span class="when{" late" if late else ""}">{html.escape(hint)}</span>'
    )


@hookimpl
def render_cell(
    row: Any, value: Any, column: str, table: str | None, database: str, datasette: Any
) -> Markup | None:
    if database != DATABASE or not serves_mirror(datasette):
        return None
    keys = row.keys()
    if value is None:
        if column in ("labor_cost", "labor_cost_total"):
            return Markup('<span class="muted">not recorded</span>')
        return None
    if column == "days_overdue" and isinstance(value, int | float):
        return Markup(f'<span class="when late">{display.days_overdue(value)}</span>')
    if column == "days_until_due" and isinstance(value, int | float):
        late = value < 0
        return Markup(f'<span class="when{" late" if late else ""}">{display.days_until(value)}</span>')
    if column in ("upkeep_status",) or (column == "status" and "kind" in keys):
        return Markup(f'<span class="status">{html.escape(display.status_words(value) or "")}</span>')
    if column == "status" and value in ("offline", "failing", "stale", "never synced", "dead", "conflict"):
        return Markup(f'<span class="badge badge-bad">{html.escape(value)}</span>')
    if column == "upkeep_online" and value in (0, 1):
        return Markup("yes") if value else Markup('<span class="badge badge-bad">no: offline</span>')
    if column == "active" and value in (0, 1) and table == "maintenance_plans_detail":
        return Markup("yes") if value else Markup('<span class="muted">paused</span>')
    if column == "overdue" and value in (0, 1) and "due_date" in keys:  # the flag, not backlog's count
        return Markup('<span class="when late">overdue</span>') if value else Markup("")
    if column == "local_state" and value != "synced":
        label = {"pending": "pending: not yet in UpKeep", "conflict": "conflict: a person must choose"}
        return Markup(f'<span class="badge badge-{html.escape(value)}">{html.escape(label.get(value, value))}</span>')
    if isinstance(value, str):
        if column in JSON_COLUMNS and value[:1] in "[{" and len(value) > 2:
            return Markup(f'<details class="json"><summary>JSON</summary><pre>{html.escape(value)}</pre></details>')
        tz = timezone(datasette)
        when = _when(value, column, row, tz, datetime.now(UTC))
        if when is not None:
            return when
    # links
    own = _row_table(row, table)
    if own and column in ("id", "title", "work_order_no", "name", "sku") and "id" in keys and row["id"]:
        return _link(datasette, own, row["id"], value, "id" if column == "id" else "")
    if column in NAME_LINKS:
        id_column, target = NAME_LINKS[column]
        if id_column in keys and row[id_column]:
            return _link(datasette, target, row[id_column], value)
    if column in ID_LINKS and isinstance(value, str):
        return _link(datasette, ID_LINKS[column], value, value, "id")
    if column == "record_id" and "entity" in keys and row["entity"] in ENTITY_TABLES:
        return _link(datasette, ENTITY_TABLES[row["entity"]], value, value, "id")
    if column == "record_name" and "entity" in keys and row["entity"] in ENTITY_TABLES and "record_id" in keys:
        return _link(datasette, ENTITY_TABLES[row["entity"]], row["record_id"], value)
    return None


@hookimpl
def extra_css_urls(datasette: Any) -> list[str]:
    return [f"/{STATIC_MOUNT}/mirror.css"] if serves_mirror(datasette) else []


@hookimpl
def extra_js_urls(datasette: Any) -> list[str]:
    return [f"/{STATIC_MOUNT}/mirror.js"] if serves_mirror(datasette) else []


@hookimpl
def prepare_jinja2_environment(env: Any, datasette: Any) -> None:
    def tz() -> tzinfo:
        return timezone(datasette)

    def when(value: Any) -> str:
        moment = display.parse_timestamp(value) if isinstance(value, str) else value
        return display.when(moment, tz()) if moment else ""

    def ago(value: Any) -> str:
        moment = display.parse_timestamp(value) if isinstance(value, str) else value
        return display.relative(moment, datetime.now(UTC), tz()) if moment else ""

    def due(value: Any) -> str:
        moment = display.parse_timestamp(value) if isinstance(value, str) else value
        return display.due(moment, datetime.now(UTC), tz()) if moment else ""

    def clock(value: Any) -> str:
        moment = display.parse_timestamp(value) if isinstance(value, str) else value
        return display.clock(moment, tz(), datetime.now(UTC)) if moment else ""

    def since(value: Any) -> str:
        moment = display.parse_timestamp(value) if isinstance(value, str) else value
        return display.span(datetime.now(UTC) - moment) if moment else ""

    def headings_in(text: Any, columns: Any) -> str:
        """Datasette's "sorted by created_at descending" with the columns' headings instead of names."""
        names = sorted((c for c in columns if c), key=len, reverse=True)
        if not text or not names:
            return str(text or "")
        pattern = re.compile(r"\b(" + "|".join(re.escape(n) for n in names) + r")\b")
        return pattern.sub(lambda m: heading(datasette, m.group(1)).lower(), str(text))

    env.filters.update({
        "heading": lambda column: heading(datasette, str(column)),
        "shown_columns": shown_columns,
        "rows_in_words": lambda count, name, truncated=False: rows_in_words(datasette, count, name, truncated),
        "headings_in": headings_in,
        "plant_when": when, "plant_ago": ago, "plant_due": due, "plant_clock": clock, "plant_since": since,
        "status_words": display.status_words,
        "tilde_encode": lambda v: tilde_encode(str(v)),
        "pretty_json": lambda v: json.dumps(json.loads(v), indent=2) if isinstance(v, str) else json.dumps(v),
    })


def query_groups(datasette: Any) -> list[dict[str, Any]]:
    """The named queries in the groups metadata.json gives them, each with its title and description."""
    named = load()
    groups = []
    for group in settings(datasette).get("query_groups", []):
        queries = [{"name": n, "title": named[n].title, "description": named[n].description,
                    "params": [p.name for p in named[n].params]} for n in group["queries"] if n in named]
        groups.append({"title": group["title"], "description": group.get("description", ""), "queries": queries})
    return groups


async def start_page(datasette: Any, request: Any) -> Any:
    """``/``: the start page for the day (index.html), without Datasette's per-table listing.

    Datasette's own index view counts and permission-checks every table of every database before
    rendering, which costs more than the whole start page; this route renders the same template
    with what it shows, after the same ``view-instance`` check (a login on a LAN still comes first).
    """
    from datasette.utils.asgi import Response

    await datasette.ensure_permissions(request.actor, ["view-instance"])
    html = await datasette.render_template(
        "index.html", {"metadata": datasette.metadata() or {}, "databases": []}, request=request,
        view_name="index")
    return Response.html(html)


async def database_page(datasette: Any, request: Any, send: Any) -> Any:
    """``/mirror``: the same counts, links and grouped queries, and every view one toggle away.

    Datasette's database view checks permissions table by table (each check copies the whole
    metadata): about 0.3 s at any size. Anything but the plain page (``?sql=``, ``?_show_hidden=1``)
    is still Datasette's own view.
    """
    from datasette.utils.asgi import Response
    from datasette.views.database import DatabaseView

    if request.args:
        request.scope["url_route"]["kwargs"]["format"] = None  # as Datasette's own route gives it
        return await DatabaseView.as_view(datasette)(request, send)
    await datasette.ensure_permissions(request.actor, [("view-database", DATABASE), "view-instance"])
    db = datasette.get_database(DATABASE)
    hidden = await db.hidden_table_names()
    context = {
        "database": DATABASE,
        "metadata": {key: datasette.metadata(key, database=DATABASE)
                     for key in ("title", "description_html", "source", "source_url", "license", "license_url",
                                 "about", "about_url")},
        "views": [{"name": v} for v in await db.view_names()],
        "hidden_count": len([t for t in await db.table_names() if t in hidden and not t.startswith("sqlite_")]),
        "show_hidden": False,
        "tables": [],
        "private": False,
        "allow_execute_sql": await datasette.permission_allowed(request.actor, "execute-sql", DATABASE,
                                                                default=True),
        "database_color": lambda _database: "ff0000",
    }
    html = await datasette.render_template("database.html", context, request=request, view_name="database")
    return Response.html(html)


@hookimpl
def register_routes(datasette: Any) -> list[tuple[str, Any]]:
    if getattr(datasette, "template_dir", None) != TEMPLATE_DIR:
        return []
    return [(r"^/$", start_page), (rf"^/(?P<database>{DATABASE})$", database_page),
            (r"^" + files.ROUTE, files.serve_file)]


@hookimpl
def asgi_wrapper(datasette: Any) -> Callable[[Any], Any]:
    """Redirect the page of a delivered ``local-...`` id to the record under UpKeep's id."""

    def wrap(app: Any) -> Any:
        async def redirect_delivered(scope: dict[str, Any], receive: Any, send: Any) -> None:
            found = LOCAL_ROW.match(scope.get("path") or "") if scope.get("type") == "http" else None
            if found and found["table"] in TABLE_ENTITIES and serves_mirror(datasette):
                db = datasette.get_database(DATABASE)
                server_id = await pages.delivered_id(db, TABLE_ENTITIES[found["table"]], found["id"])
                if server_id:
                    query = scope.get("query_string") or b""
                    location = (datasette.urls.table(DATABASE, found["table"]) + "/" + tilde_encode(server_id)
                                + (found["ext"] or "") + ("?" + query.decode("latin-1") if query else ""))
                    await asgi_send_redirect(send, location)
                    return
            await app(scope, receive, send)

        return redirect_delivered

    return wrap


@hookimpl
def extra_template_vars(
    template: str, database: str | None, table: str | None, columns: list[str] | None, view_name: str,
    request: Any, datasette: Any,
) -> Callable[[], Awaitable[dict[str, Any]]]:
    async def inner() -> dict[str, Any]:
        if not serves_mirror(datasette):
            return {}
        db = datasette.get_database(DATABASE)
        out: dict[str, Any] = {"freshness": await pages.freshness(db), "mirror_db": DATABASE}
        if template in ("index.html", "database.html"):
            out["today"] = await pages.today(db)
            out["query_groups"] = query_groups(datasette)
        if template.startswith("query") and request is not None:
            named = load().get(tilde_decode(request.url_vars.get("table") or ""))
            if named is not None:  # a canned query: each parameter's box says what to type
                out["param_descriptions"] = {p.name: p.description for p in named.params}
        if view_name == "row" and database == DATABASE and request is not None:
            key = request.url_vars.get("pks")
            key = tilde_decode(key) if key else None
            if table == "work_orders" and key:
                out["page"] = await pages.work_order(db, key)
            elif table == "assets" and key:
                out["page"] = await pages.asset(db, key)
        return out

    return inner
