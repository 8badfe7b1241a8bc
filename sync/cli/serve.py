"""``upkeep-mirror serve``: Datasette on the mirror, read-only, usable while a sync writes to it.

Wiring only. The mirror is opened once through :func:`mirror.db.open_mirror` (so it is migrated
and in WAL mode), then Datasette serves it as a *mutable* database: Datasette then reads through
``mode=ro`` connections, which see every commit of the sync (``--immutable`` would not) and which
SQLite itself refuses to write through. No canned query may write (``queries.datasette`` marks
them all read-only and this module refuses metadata that says otherwise).

Binding anything but loopback exposes the plant's data to the network, so it requires a login
through the datasette-auth-passwords plugin (README: "Exposing the mirror on a LAN").
"""

from __future__ import annotations

import asyncio
import importlib.util
import ipaddress
import json
import os
from pathlib import Path
from typing import Any

import click
from datasette.app import Datasette
from datasette.database import Database

from mirror.db import MirrorError, open_mirror
from queries.datasette import DATABASE, merge

#: The project's metadata.json (titles, descriptions, facets, search, charts; no SQL).
METADATA_PATH = Path(__file__).resolve().parents[2] / "metadata.json"

#: Environment variable holding the password hash (``datasette hash-password``) for LAN mode.
PASSWORD_HASH_ENV = "UPKEEP_MIRROR_PASSWORD_HASH"
#: The one account LAN mode knows; technicians log in at /-/login as this user.
LAN_USER = "technician"

SETTINGS = {
    # Datasette's default, said out loud: an ad-hoc query must not hold a worker for long on a plant
    # PC, and every named query answers well within it at a million work orders (README figures).
    "sql_time_limit_ms": 1000,
    # Column suggestions cost a query per column: slow on a million work orders, and little used.
    "suggest_facets": False,
    "default_allow_sql": True,
}


def load_metadata(path: Path = METADATA_PATH) -> dict[str, Any]:
    """metadata.json merged with the named queries (canned queries and chart SQL)."""
    metadata = merge(json.loads(path.read_text(encoding="utf-8")))
    # SQLite's own counter table (the outbox's AUTOINCREMENT) is no business of a technician's.
    metadata["databases"][DATABASE].setdefault("tables", {}).setdefault("sqlite_sequence", {})["hidden"] = True
    writing = [n for n, q in metadata["databases"][DATABASE]["queries"].items() if q.get("write")]
    if writing:
        raise click.ClickException(f"Canned queries must not write, but {', '.join(writing)} would.")
    return metadata


def with_login(metadata: dict[str, Any]) -> dict[str, Any]:
    """``metadata`` requiring the LAN user's login for everything (datasette-auth-passwords)."""
    plugins = dict(metadata.get("plugins", {}))
    plugins["datasette-auth-passwords"] = {f"{LAN_USER}_password_hash": {"$env": PASSWORD_HASH_ENV}}
    return {**metadata, "plugins": plugins, "allow": {"id": LAN_USER}}


def make_datasette(db: Path, metadata: dict[str, Any]) -> Datasette:
    """A Datasette serving ``db`` as /mirror, read-only, with ``metadata``."""
    ds = Datasette([], metadata=metadata, settings=SETTINGS)
    ds.remove_database("_memory")
    ds.add_database(Database(ds, path=str(db), is_mutable=True), name=DATABASE)
    return ds


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@click.command()
@click.option("--db", "db", required=True, envvar="UPKEEP_MIRROR_DB",
              type=click.Path(dir_okay=False, path_type=Path),
              help="The mirror's SQLite file, as written by `upkeep-mirror sync`. Env: UPKEEP_MIRROR_DB.")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on. Anything but loopback exposes the mirror to the network and "
              f"requires a login: install datasette-auth-passwords and set {PASSWORD_HASH_ENV}.")
@click.option("--port", default=8001, show_default=True, type=click.IntRange(1, 65535),
              help="TCP port to listen on.")
@click.option("--metadata", "metadata_path", default=METADATA_PATH, show_default=False,
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Datasette metadata JSON (titles, descriptions, facets); default: the project's metadata.json. "
              "Canned queries are always added from queries/sql/.")
def serve(db: Path, host: str, port: int, metadata_path: Path) -> None:
    """Browse and query the mirror in Datasette, read-only, while syncs keep it fresh."""
    if not db.exists():
        raise click.ClickException(f"There is no mirror at {db}; run `upkeep-mirror sync --db {db}` first.")
    try:
        open_mirror(db).close()  # migrate to the schema the named queries expect; WAL for live reads
    except MirrorError as exc:
        raise click.ClickException(str(exc)) from None
    metadata = load_metadata(metadata_path)
    if not is_loopback(host):
        if importlib.util.find_spec("datasette_auth_passwords") is None or not os.environ.get(PASSWORD_HASH_ENV):
            raise click.ClickException(
                f"Serving on {host} exposes the mirror to the network: install datasette-auth-passwords and set "
                f"{PASSWORD_HASH_ENV} to a hash from `datasette hash-password` (README: Exposing the mirror on a LAN)."
            )
        metadata = with_login(metadata)
    ds = make_datasette(db, metadata)
    asyncio.run(ds.invoke_startup())
    click.echo(f"Serving {db} read-only at http://{host}:{port}/{DATABASE}", err=True)

    import uvicorn  # Datasette's own server; imported here so the other commands start fast

    uvicorn.run(ds.app(), host=host, port=port, log_level="warning", lifespan="on", workers=1)
