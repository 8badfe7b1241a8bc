"""``upkeep-mirror serve``: Datasette on the mirror, read-only, usable while a sync writes to it.

Wiring only. ``serve`` never changes the file it is given: it first checks, through a ``mode=ro``
connection, that the file is an up-to-date mirror (:func:`mirror.db.inspect_mirror`: no migration,
no journal-mode switch; anything else is refused in one sentence), then Datasette reads it through
``mode=ro`` connections too, which see every commit of a running sync and which SQLite itself
refuses to write through. No canned query may write (:func:`queries.datasette.load_metadata`).
How Datasette is set up (metadata, settings, templates...) lives in :mod:`queries.datasette`.

Binding anything but loopback exposes the plant's data to the network, so it requires a login
through the datasette-auth-passwords plugin (README: "Exposing the mirror on a LAN").
"""

from __future__ import annotations

import errno
import importlib.util
import ipaddress
import os
import socket
from pathlib import Path
from typing import Any

import click

from queries.datasette import DATABASE, MetadataError, load_metadata, make_datasette
from sync.cli.common import check_existing
from sync.settings import DEFAULT_HOST, DEFAULT_PORT

__all__ = ["LAN_USER", "PASSWORD_HASH_ENV", "is_loopback", "load_metadata", "make_datasette", "serve",
           "with_login"]

#: Environment variable holding the password hash (``datasette hash-password``) for LAN mode.
PASSWORD_HASH_ENV = "UPKEEP_MIRROR_PASSWORD_HASH"
#: The one account LAN mode knows; technicians log in at /-/login as this user.
LAN_USER = "technician"


def with_login(metadata: dict[str, Any]) -> dict[str, Any]:
    """``metadata`` requiring the LAN user's login for everything (datasette-auth-passwords)."""
    plugins = dict(metadata.get("plugins", {}))
    plugins["datasette-auth-passwords"] = {f"{LAN_USER}_password_hash": {"$env": PASSWORD_HASH_ENV}}
    return {**metadata, "plugins": plugins, "allow": {"id": LAN_USER}}


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _listen(host: str, port: int) -> socket.socket:
    """The listening socket, bound before anything is announced: a busy port is one sentence."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        reason = "the port is in use (is another serve or demo running?)" if exc.errno == errno.EADDRINUSE \
            else exc.strerror or str(exc)
        raise click.ClickException(f"cannot listen on {host}:{port}: {reason}") from None
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


@click.command()
@click.option("--db", "db", required=True, envvar="UPKEEP_MIRROR_DB",
              type=click.Path(dir_okay=False, path_type=Path),
              help="An existing mirror's SQLite file, as written by `upkeep-mirror sync` (never created, migrated "
              "or changed here). Env: UPKEEP_MIRROR_DB.")
@click.option("--host", default=DEFAULT_HOST, show_default=True,
              help="Address to listen on. Anything but loopback exposes the mirror to the network and "
              f"requires a login: install datasette-auth-passwords and set {PASSWORD_HASH_ENV}.")
@click.option("--port", default=DEFAULT_PORT, show_default=True, type=click.IntRange(1, 65535),
              help="TCP port to listen on.")
@click.option("--metadata", "metadata_path", default=None,
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Datasette metadata JSON (titles, descriptions, facets) to use instead of the project's "
              "metadata.json (shipped with the package). Canned queries are always added from queries/sql/.")
def serve(db: Path, host: str, port: int, metadata_path: Path | None) -> None:
    """Browse and query the mirror in Datasette, read-only, while syncs keep it fresh."""
    check_existing(db)
    from mirror.db import inspect_mirror
    from mirror.errors import MirrorUnusable

    try:
        inspect_mirror(db, current=True)
        metadata = load_metadata(metadata_path)
    except (MirrorUnusable, MetadataError) as exc:
        raise click.ClickException(str(exc)) from None
    if not is_loopback(host):
        if importlib.util.find_spec("datasette_auth_passwords") is None or not os.environ.get(PASSWORD_HASH_ENV):
            raise click.ClickException(
                f"Serving on {host} exposes the mirror to the network: install datasette-auth-passwords and set "
                f"{PASSWORD_HASH_ENV} to a hash from `datasette hash-password` (README: Exposing the mirror on a LAN)."
            )
        metadata = with_login(metadata)
    sock = _listen(host, port)
    import asyncio

    import uvicorn  # Datasette's own server; imported here so the other commands start fast

    ds = make_datasette(db, metadata)
    asyncio.run(ds.invoke_startup())
    click.echo(f"Serving {db} read-only at http://{host}:{port}/{DATABASE}", err=True)
    config = uvicorn.Config(ds.app(), log_level="warning", lifespan="on", workers=1)
    uvicorn.Server(config).run(sockets=[sock])
