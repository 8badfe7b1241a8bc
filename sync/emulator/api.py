"""UpKeep API v2 request handling, independent of the HTTP transport.

:meth:`Api.handle` maps (method, path, query, headers, body) to a :class:`Response`. Lists are
strict about their parameters (``invalid filter key: <name>``), page with ``offset``/``limit``
(default and maximum 100; a larger ``limit`` is clamped, as integrators report; the maximum is a
switch, ``max_page_size``, to play a server that serves fewer), and sort by
``orderBy`` = ``<field><sep><ASC|DESC>`` where the separator may be a space (``+`` in a URL), ``:``,
``,`` or ``.``; the field must be one the reference lists for that endpoint.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import parse_qsl

from sync.emulator import fieldwork_api as fw
from sync.emulator.auth import ApiError, Sessions
from sync.emulator.entities import BY_PATH, ENTITIES, IGNORED, PAGING, RANGE_OPS, EntitySpec
from sync.emulator.store import Store, dumps
from sync.emulator.values import iso
from sync.emulator.writes import Writes

API_PREFIX = "/api/v2"
#: The reference's words for 403: an object an account may not see (``FaultConfig.forbidden_entities``).
FORBIDDEN = "The object requested is hidden for administrators only."
_ORDER = re.compile(r"^\s*([A-Za-z]+)\s*(?:[\s:,.+]\s*)(asc|desc)\s*$", re.IGNORECASE)


@dataclass
class Response:
    status: int
    body: str
    headers: dict[str, str] = field(default_factory=dict)


def ok(result: object = None, *, message: str | None = None) -> Response:
    body: dict = {"success": True}
    if result is not None:
        body["result"] = result
    if message is not None:
        body["message"] = message
    return Response(200, dumps(body))


def error(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    return Response(status, dumps({"success": False, "message": message}), headers or {})


def _int_param(name: str, raw: str, minimum: int) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise ApiError(400, f"{name} must be an integer") from None
    if value < minimum:
        raise ApiError(400, f"{name} must be at least {minimum}")
    return value


def parse_order(spec: EntitySpec, raw: str | None) -> tuple[str, bool]:
    """(field, descending) from an ``orderBy`` value; default ``createdAt DESC``."""
    if raw is None:
        return "createdAt", True
    match = _ORDER.match(raw)
    if not match:
        raise ApiError(400, f"invalid orderBy: {raw!r} (expected '<field> ASC|DESC')")
    name, direction = match.group(1), match.group(2).upper()
    if name not in spec.order_fields:
        raise ApiError(400, f"invalid orderBy field: {name} (allowed: {', '.join(spec.order_fields)})")
    return name, direction == "DESC"


def _range(spec: EntitySpec, key: str) -> tuple[str, str] | None:
    for base in spec.range_filters:
        if key.startswith(base) and key[len(base) :] in RANGE_OPS:
            return base, RANGE_OPS[key[len(base) :]]
    return None


def parse_body(headers: dict[str, str], raw: bytes) -> dict:
    """A JSON object body, or a form body (as curl ``-d`` sends) read as a dict of strings."""
    if not raw.strip():
        return {}
    ctype = headers.get("content-type", "")
    if "application/x-www-form-urlencoded" in ctype:
        return dict(parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True))
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        if "json" in ctype:
            raise ApiError(400, "request body is not valid JSON") from None
        return dict(parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True))
    if not isinstance(body, dict):
        raise ApiError(400, "request body must be a JSON object")
    return body


class Api:
    """The emulated account: routes API v2 requests to reads over the store and to :class:`Writes`."""

    def __init__(
        self,
        store: Store,
        sessions: Sessions,
        writes: Writes,
        *,
        default_limit: int = 100,
        max_page_size: int = 100,
        forbidden: Callable[[str], bool] = lambda entity: False,
    ) -> None:
        """``forbidden(entity)``: whether this account may not read ``entity`` (its GETs answer 403)."""
        self.store = store
        self.forbidden = forbidden
        self.sessions = sessions
        self.writes = writes
        self.default_limit = default_limit
        self.max_page_size = max_page_size  # the most objects one list answer carries, whatever the limit

    def handle(self, method: str, path: str, query: str, headers: dict[str, str], raw: bytes) -> Response:
        """Answer one request; ``path`` starts with ``/api/v2`` and ``headers`` keys are lower-case."""
        try:
            return self._route(
                method, path[len(API_PREFIX) :], parse_qsl(query, keep_blank_values=True), headers, raw
            )
        except ApiError as exc:
            return error(exc.status, exc.message)

    def _route(
        self, method: str, path: str, params: list[tuple[str, str]], headers: dict[str, str], raw: bytes
    ) -> Response:
        parts = [p for p in path.split("/") if p]
        if parts == ["auth"]:
            return self._auth(method, headers, raw)
        session = self.sessions.check(headers.get("session-token"))
        user = session.user_id
        spec = BY_PATH.get(parts[0]) if parts else None
        if spec is None:
            raise ApiError(404, f"unknown endpoint: {API_PREFIX}{path}")
        readings = spec.name == "meters" and len(parts) == 3 and parts[2] == "readings"
        if method == "GET" and self.forbidden("meter_readings" if readings else spec.name):
            raise ApiError(403, FORBIDDEN)
        w = self.writes
        special = self._fieldwork(method, parts, params, headers, raw, user)
        if special is not None:
            return special
        if len(parts) == 1:
            if method == "GET":
                return self._list(spec, params)
            if method == "POST" and spec.name == "work_orders":
                return ok(w.create_work_order(parse_body(headers, raw), user))
            if method == "POST" and spec.name == "requests":
                return ok(w.create_request(parse_body(headers, raw), user))
        elif len(parts) == 2:
            obj_id = parts[1]
            if method == "GET":
                return self._get(spec, obj_id, params)
            if method == "PATCH" and spec.name == "work_orders":
                return ok(w.patch_work_order(obj_id, parse_body(headers, raw), user))
            if method == "PATCH" and spec.name == "parts":
                return ok(w.patch_part(obj_id, parse_body(headers, raw), user))
            if method == "DELETE" and spec.name == "work_orders":
                return ok(message=w.delete_work_order(obj_id))
        elif len(parts) == 3 and spec.name == "work_orders" and parts[2] == "update-messages":
            if method == "POST":
                return ok(message=w.add_message(parts[1], parse_body(headers, raw), user))
        elif len(parts) == 3 and spec.name == "meters" and parts[2] == "readings":
            if not self.store.exists(spec, parts[1]):
                raise ApiError(404, f"meter {parts[1]} not found")
            if method == "GET":
                return self._list(ENTITIES["meter_readings"], params, parent=parts[1])
            if method == "POST":
                return ok(w.add_reading(parts[1], parse_body(headers, raw), user))
        else:
            raise ApiError(404, f"unknown endpoint: {API_PREFIX}{path}")
        raise ApiError(405, f"method {method} not allowed on {API_PREFIX}{path}")

    def _fieldwork(
        self, method: str, parts: list[str], params: list[tuple[str, str]], headers: dict[str, str], raw: bytes,
        user: str,
    ) -> Response | None:
        """Files upload, downtime, custom-field definitions; None for every other request."""
        new_id = self.writes.new_id
        if parts == ["files"] and method == "POST":
            return Response(200, fw.data_body(fw.upload_file(self.store, headers, raw, new_id)))
        if parts == ["assets", "downtime"]:
            if method != "POST":
                raise ApiError(405, f"method {method} not allowed on {API_PREFIX}/assets/downtime")
            return Response(200, dumps(fw.record_downtime(self.store, raw, user, new_id)))
        if parts[0] == "custom-fields":
            if len(parts) < 2 or parts[1] != "assets":
                raise ApiError(404, f"unknown endpoint: {API_PREFIX}/{'/'.join(parts)}")
            if len(parts) == 2 and method == "GET":
                return Response(200, fw.custom_fields(self.store, params))
            if len(parts) == 3 and method == "GET":
                return self._get(ENTITIES["custom_fields_assets"], parts[2], params)
            raise ApiError(405, f"method {method} not allowed on {API_PREFIX}/{'/'.join(parts)}")
        return None

    def _auth(self, method: str, headers: dict[str, str], raw: bytes) -> Response:
        if method == "POST":
            body = parse_body(headers, raw)
            user = self.store.page(
                ENTITIES["users"], [("email", "=", self.sessions.email)], "createdAt", False, 0, 1
            )
            user_id = json.loads(user[0])["id"] if user else ""
            session = self.sessions.login(body.get("email"), body.get("password"), user_id)
            return ok({"sessionToken": session.token, "expiresAt": iso(session.expires_at)})
        if method == "DELETE":
            session = self.sessions.check(headers.get("session-token"))
            self.sessions.logout(session.token)
            return ok(message="session deleted")
        raise ApiError(405, f"method {method} not allowed on {API_PREFIX}/auth")

    def _get(self, spec: EntitySpec, obj_id: str, params: list[tuple[str, str]]) -> Response:
        for key, _ in params:
            if key not in IGNORED:
                raise ApiError(400, f"invalid filter key: {key}")
        includes = fw.check_includes(spec.name, "get", params)
        text = self.store.get_text(spec, obj_id)
        if text is None:
            raise ApiError(404, f"{spec.label} {obj_id} not found")
        if includes:
            text = dumps(fw.expand(self.store, spec.name, json.loads(text), includes))
        return Response(200, '{"success":true,"result":' + text + "}")

    def _list(self, spec: EntitySpec, params: list[tuple[str, str]], parent: str | None = None) -> Response:
        where: list[tuple[str, str, object]] = [(spec.parent, "=", parent)] if spec.parent else []
        values = dict(params)
        fw.check_includes(spec.name, "list", params)
        for key, value in params:
            if not spec.accepts(key):
                raise ApiError(400, f"invalid filter key: {key}")
            if key in PAGING or key in IGNORED:
                continue
            if key in spec.text_filters:
                where.append((key, "=", value))
                continue
            bounds = _range(spec, key)
            if bounds is None:
                raise ApiError(400, f"{key}: custom-field filters are not emulated")
            if not value.lstrip("-").isdigit():
                raise ApiError(400, f"{key} must be a unix timestamp in milliseconds")
            where.append((bounds[0], bounds[1], int(value)))
        offset = _int_param("offset", values["offset"], 0) if "offset" in values else 0
        limit = _int_param("limit", values["limit"], 1) if "limit" in values else self.default_limit
        order_field, descending = parse_order(spec, values.get(spec.sort_param))
        texts = self.store.page(spec, where, order_field, descending, offset, min(limit, self.max_page_size))
        return Response(200, '{"success":true,"results":[' + ",".join(texts) + "]}")
