"""Query plans of the named queries: which steps read the whole ``work_orders`` table.

"Every canned query a technician runs often is served by an index" is checked here, by the tests
on a small mirror (without ANALYZE statistics SQLite's plans do not depend on table sizes) and by
the benchmark at a million work orders.
"""

from __future__ import annotations

import re
import sqlite3

from queries.named import NamedQuery

#: A partial index holds open work orders only: reading one is not a scan of the table.
_PARTIAL = re.compile(r"USING (COVERING )?INDEX ix_work_orders_open_")
_ALIAS = re.compile(r"\bwork_orders\b\s+(?:AS\s+)?(\w+)", re.IGNORECASE)
_NOT_ALIASES = {"where", "join", "left", "inner", "cross", "on", "indexed", "group", "order", "limit", "as"}

#: Values that make every parameter valid, for EXPLAIN.
EXAMPLE_VALUES = {"days": "7", "weeks": "8"}


def plan(con: sqlite3.Connection, query: NamedQuery) -> list[str]:
    """The EXPLAIN QUERY PLAN steps of ``query`` (the connection needs ``escape_fts`` for search)."""
    params = {p: EXAMPLE_VALUES.get(p, "x") for p in query.param_names}
    return [row[3] for row in con.execute("EXPLAIN QUERY PLAN " + query.sql, params)]


def work_order_scans(steps: list[str], sql: str) -> list[str]:
    """The plan steps that scan ``work_orders`` (under any alias of it in ``sql``) in full."""
    aliases = {"work_orders"} | {a for a in _ALIAS.findall(sql) if a.lower() not in _NOT_ALIASES}
    return [s for s in steps if s.split(" ")[0] == "SCAN" and s.split(" ")[1] in aliases and not _PARTIAL.search(s)]
