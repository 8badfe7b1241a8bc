"""The control surface under ``/_emulator`` (JSON, no auth, never faulted).

=======  ==========================  ==========================================================
GET      /info                       seed, scale, URLs, credentials, row counts, offline, faults
POST     /offline, /online           take the API off the network / bring it back
GET      /faults                     current fault settings
POST     /faults                     replace the fault settings (body: FaultConfig fields;
                                     ``forbidden_entities``: entities whose GETs answer 403)
POST     /mutate                     ``{"count": N}`` random live changes, or one change:
                                     ``{"op", "entity", "id", "fields", "at"}``; op ``inject``
                                     lists ``fields`` verbatim (a malformed object, id or not)
POST     /live                       ``{"changes_per_second": x}`` start/retune/stop the stream
GET      /paging                     the page-size switch: ``{"max_page_size": n}``
POST     /paging                     ``{"max_page_size": n}``: serve at most n objects per list
                                     answer (a larger ``limit`` is clamped)
GET      /dump/<entity>              every object of an entity as the API returns it, by id
GET      /stats                      request counts (per route, path, status, fault, version)
POST     /stats/reset                zero the counts
GET      /messages/<workOrderId>     messages posted to a work order
GET      /form-items/<workOrderId>   a work order's form items (checklist), in order
GET      /downtime[/<assetId>]       downtime events recorded through POST /assets/downtime
POST     /sessions/expire            expire every session token now
=======  ==========================  ==========================================================
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from sync.emulator.api import Response, error
from sync.emulator.faults import FaultConfig
from sync.emulator.store import dumps

if TYPE_CHECKING:
    from sync.emulator.emulator import Emulator


def _ok(payload: dict) -> Response:
    return Response(200, dumps({"success": True, **payload}))


class Control:
    def __init__(self, emulator: Emulator) -> None:
        self.emu = emulator

    def handle(self, method: str, path: str, query: str, raw: bytes) -> Response:
        parts = [p for p in path.split("/") if p]
        try:
            body = json.loads(raw) if raw.strip() else {}
            if not isinstance(body, dict):
                raise ValueError("body must be a JSON object")
            return self._route(method, parts, body)
        except KeyError as exc:
            return error(404, str(exc.args[0]) if exc.args else "not found")
        except (ValueError, TypeError) as exc:
            return error(400, str(exc))

    def _route(self, method: str, parts: list[str], body: dict) -> Response:
        emu = self.emu
        head = parts[0] if parts else "info"
        key = (method, head, len(parts))
        if key in (("GET", "info", 1), ("GET", "info", 0)):
            return _ok({"result": emu.info()})
        if key in (("POST", "offline", 1), ("POST", "online", 1)):
            emu.set_offline(head == "offline")
            return _ok({"offline": emu.offline})
        if key == ("GET", "faults", 1):
            return _ok({"result": emu.faults.config.to_dict()})
        if key == ("POST", "faults", 1):
            emu.set_faults(FaultConfig.from_dict(body))
            return _ok({"result": emu.faults.config.to_dict()})
        if key == ("POST", "mutate", 1):
            return _ok({"results": emu.mutate(**body)})
        if key == ("POST", "live", 1):
            emu.set_live_rate(float(body.get("changes_per_second", 0)))
            return _ok({"changes_per_second": emu.live.rate})
        if key == ("GET", "paging", 1):
            return _ok({"result": {"max_page_size": emu.max_page_size}})
        if key == ("POST", "paging", 1):
            emu.set_max_page_size(body.get("max_page_size"))  # type: ignore[arg-type]  # checked there
            return _ok({"result": {"max_page_size": emu.max_page_size}})
        if key == ("GET", "dump", 2):
            texts = list(emu.dump_json(parts[1]))
            return Response(200, '{"success":true,"results":[' + ",".join(texts) + "]}")
        if key == ("GET", "stats", 1):
            return _ok({"result": emu.stats.snapshot()})
        if key == ("POST", "stats", 2) and parts[1] == "reset":
            emu.stats.reset()
            return _ok({})
        if key == ("GET", "messages", 2):
            return _ok({"results": emu.messages(parts[1])})
        if key == ("GET", "form-items", 2):
            return _ok({"results": emu.form_items(parts[1])})
        if key in (("GET", "downtime", 1), ("GET", "downtime", 2)):
            return _ok({"results": emu.downtime_events(parts[1] if len(parts) == 2 else None)})
        if key == ("POST", "sessions", 2) and parts[1] == "expire":
            return _ok({"expired": emu.sessions.expire_all()})
        return error(404, f"unknown control endpoint: {method} /_emulator/{'/'.join(parts)}")
