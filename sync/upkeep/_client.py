"""``UpKeepClient``: one connection-reusing session with the UpKeep API v2, for the pull and the outbox.

Every call sends ``upkeep-version: 2022-09-14`` (so the account's default version cannot change
field shapes under the mirror) and ``Session-Token``. The token is given, or obtained lazily by
logging in with email and password on the first call, and kept in an ``UpKeepSession``
(``sync.upkeep._session``): the client's own, or one shared with other clients (the daemon's jobs
share one, so a daemon logs in once). The session is renewed shortly before its ``expiresAt``;
a 401 still logs in again once and repeats the call; a second 401 raises ``AuthenticationFailed``.
:meth:`UpKeepClient.close` of a client with its own session ends it (``DELETE /auth``, UpKeep's
Log Out) if it logged in; a shared session is ended by its owner through :meth:`UpKeepClient.log_out`.
Credentials and tokens never reach logs, reprs or exception texts.

Each call goes through ``RetryPolicy`` (``sync.upkeep._retry``). The rule for writes (POST, PATCH,
DELETE), since UpKeep has no idempotency keys: a write is retried only when the failure proves it
was not applied: connect error or connect timeout (nothing was sent), 429, 503 (UpKeep: offline
for maintenance), or a 401 answered by a fresh login. After a read timeout, a dropped connection
or another 5xx, UpKeep may have applied it, so the client raises the error with
``ambiguous=True`` and the caller (the outbox replayer) decides. GETs and the login are retried
on every ``RetriableError``.

One client may serve several threads at once (the pull's fetch workers share one): they
share its connection pool, capped at ``max_connections``, its throttle (``sync.upkeep._throttle``:
``max_requests_per_second`` across all threads, and a 429 slowing all of them) and its session
(one login at a time; a thread that finds the token already renewed does not log in again), and
what is known of UpKeep's page size (``page_size``, :class:`sync.upkeep.paging.PageSize`).
Work that runs apart (the daemon's jobs) gets a client each, with its own pool, and shares one
``UpKeepSession`` (one login) through the ``session`` argument instead.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Self

import httpx
import orjson

from ._retry import RetryPolicy, parse_retry_after
from ._session import Login, UpKeepSession
from ._throttle import Throttle
from .endpoints import AUTH
from .errors import (
    AuthenticationFailed,
    ConfigurationError,
    MalformedResponse,
    NetworkError,
    error_for_status,
)
from .paging import PageSize

__all__ = ["API_VERSION", "DEFAULT_BASE_URL", "ClientStats", "Credentials", "UpKeepClient"]

log = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://api.onupkeep.com"
API_VERSION = "2022-09-14"
DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=10.0)
#: Connections open at once: the most requests one client (all its threads) has in flight.
DEFAULT_MAX_CONNECTIONS = 8
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
#: Logging out at exit: one try, and quick, so a stop with the network down is not held up.
LOGOUT_TIMEOUT = httpx.Timeout(5.0, connect=2.0)
# Failures that happen before any byte of the request leaves: safe to retry even for a write.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


@dataclass(frozen=True, repr=False)
class Credentials:
    """How to reach and authenticate with UpKeep: a session token, or email and password, or both.

    With email and password the client can log in again when a session expires; with a token
    alone a 401 is final. The repr shows only which values are set. Where they come from (flags,
    environment, config file) is :mod:`sync.settings`'s business, not the client's.
    """

    session_token: str | None = None
    email: str | None = None
    password: str | None = None
    base_url: str = DEFAULT_BASE_URL

    def __post_init__(self) -> None:
        if bool(self.email) != bool(self.password):
            raise ConfigurationError(
                "UpKeep email and password go together: set both (UPKEEP_EMAIL and UPKEEP_PASSWORD, "
                "or email and password in the config file)"
            )
        if not self.session_token and not self.email:
            raise ConfigurationError(
                "no UpKeep credentials: set UPKEEP_SESSION_TOKEN, or UPKEEP_EMAIL and UPKEEP_PASSWORD "
                "(in the environment or the [upkeep] table of the config file)"
            )
        try:
            url = httpx.URL(self.base_url)
        except httpx.InvalidURL:
            url = None
        if url is None or url.scheme not in ("http", "https") or not url.host:
            raise ConfigurationError(
                "the UpKeep base URL (UPKEEP_BASE_URL / base_url) must be an http(s) URL"
            )

    @property
    def can_login(self) -> bool:
        return bool(self.email and self.password)

    def __repr__(self) -> str:
        def shown(value: str | None) -> str:
            return "'***'" if value else "None"

        return (
            f"Credentials(base_url={self.base_url!r}, session_token={shown(self.session_token)}, "
            f"email={shown(self.email)}, password={shown(self.password)})"
        )


@dataclass
class ClientStats:
    """Counters a sync run records: HTTP requests sent (logins included), retries, logins."""

    requests: int = 0
    retries: int = 0
    logins: int = 0


class UpKeepClient:
    """The UpKeep API v2 over one ``httpx.Client``: one page or object per call, unwrapped from its envelope.

    ``sleep`` serves both the retry waits and the throttle, ``clock`` the throttle; tests
    inject fakes. ``transport`` lets a test or the demo talk to an in-process emulator.
    ``session``: an :class:`~sync.upkeep.UpKeepSession` shared with other clients of the same
    credentials (its owner logs it out); by default the client has its own and logs it out on
    :meth:`close`.
    """

    def __init__(
        self,
        credentials: Credentials,
        *,
        policy: RetryPolicy | None = None,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        max_requests_per_second: float | None = None,
        max_connections: int = DEFAULT_MAX_CONNECTIONS,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        transport: httpx.BaseTransport | None = None,
        session: UpKeepSession | None = None,
    ) -> None:
        self._credentials = credentials
        self._owns_session = session is None
        self.session = session or UpKeepSession(credentials.session_token)
        self._policy = policy or RetryPolicy()
        self._sleep = sleep
        if max_connections < 1:
            raise ValueError("max_connections must be at least 1")
        self.max_connections = max_connections
        self.throttle = Throttle(max_requests_per_second, clock, sleep)
        self.stats = ClientStats()
        #: UpKeep's page size as found so far, shared by every listing paged with this client.
        self.page_size = PageSize()
        self._stats_lock = threading.Lock()
        self._local = threading.local()
        self._http = httpx.Client(
            base_url=credentials.base_url,
            timeout=timeout,
            transport=transport,
            limits=httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_connections),
            headers={
                "upkeep-version": API_VERSION,
                "Accept": "application/json",
                "User-Agent": "upkeep-mirror",
            },
        )

    def __repr__(self) -> str:
        auth = "email+password" if self._credentials.can_login else "session token"
        return f"<UpKeepClient {self._credentials.base_url} auth={auth}>"

    def get_list(self, path: str, params: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        """One page of a list endpoint: its ``results``. Paging is the caller's (``sync.upkeep.paging``)."""
        return self._unwrap(self._call("GET", path, params=params), "results", list, "GET", path)

    def get_one(self, path: str, params: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """One object: its ``result``."""
        return self._unwrap(self._call("GET", path, params=params), "result", dict, "GET", path)

    def post(self, path: str, json: Mapping[str, Any]) -> dict[str, Any]:
        """Create; returns the created object (``result``), with its server id and timestamps."""
        return self._unwrap(self._call("POST", path, json=json), "result", dict, "POST", path)

    def post_action(self, path: str, json: Mapping[str, Any]) -> dict[str, Any]:
        """POST to an action endpoint (e.g. update-messages) that answers ``{"success", "message"}``."""
        return self._call("POST", path, json=json)

    def patch(self, path: str, json: Mapping[str, Any]) -> dict[str, Any]:
        """Update the given fields; returns the updated object (``result``)."""
        return self._unwrap(self._call("PATCH", path, json=json), "result", dict, "PATCH", path)

    def delete(self, path: str) -> dict[str, Any]:
        """Delete; returns the whole answer, e.g. ``{"success": true, "message": "1 asset deleted"}``."""
        return self._call("DELETE", path)

    def close(self) -> None:
        """Log out (if this client's own session logged in), then close the connections."""
        if self._owns_session:
            self.log_out()
        self._http.close()

    def log_out(self) -> None:
        """End the session (``DELETE /auth``) if it is one a login made; a failure is logged at DEBUG
        and never raised (the session then expires on UpKeep's side)."""
        try:
            self.session.end(self._delete_session)
        except Exception as exc:  # whatever it is, logging out is a courtesy: it never fails the caller
            log.debug("logging out of UpKeep failed: %s", self._redact(str(exc)))

    def _delete_session(self, token: str) -> None:
        with self._stats_lock:
            self.stats.requests += 1
        try:
            response = self._http.request("DELETE", AUTH, headers={"Session-Token": token}, timeout=LOGOUT_TIMEOUT)
        except httpx.TransportError as exc:
            raise NetworkError(f"no answer ({type(exc).__name__})", method="DELETE", path=AUTH) from exc
        log.debug("DELETE %s -> HTTP %d", AUTH, response.status_code)
        if response.status_code >= 400:
            message = self._redact(_message(_json(response)) or "refused").replace(token, "***")
            raise error_for_status(response.status_code, message, method="DELETE", path=AUTH)
        log.info("logged out of UpKeep")

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def upload(self, path: str, filename: str, content: bytes, mime: str) -> dict[str, Any]:
        """Upload a file as multipart/form-data (``file`` and ``filename``, as "Upload/Create a File"
        says); returns the new file record, which UpKeep answers under ``data``, not ``result``."""
        body = self._call("POST", path, body={"files": {"file": (filename, content, mime)},
                                              "data": {"filename": filename}})
        return self._unwrap(body, "data", dict, "POST", path)

    def post_rows(self, path: str, rows: list[dict[str, Any]]) -> dict[str, Any]:
        """POST a JSON array to an endpoint that answers per row (``POST /assets/downtime``): the whole
        answer, also when ``success`` is false -- its ``results`` say which rows failed and why."""
        return self._call("POST", path, json=rows, per_row=True)

    def _call(self, method: str, path: str, *, params: Any = None, json: Any = None, body: Any = None,
              per_row: bool = False) -> dict[str, Any]:
        """``body``: other request content for httpx (``files``/``data`` of a multipart upload);
        ``per_row``: an answer with ``success: false`` and per-row ``results`` is returned, not raised."""
        retrying = self._policy.retrying(sleep=self._sleep, on_retry=self._count_retry)
        return retrying(self._attempt, method, path, params, json, body, per_row)

    def _count_retry(self, exc: BaseException, wait: float) -> None:
        with self._stats_lock:
            self.stats.retries += 1
        self._local.retries = self.thread_retries() + 1

    def thread_retries(self) -> int:
        """Retries made by the calling thread so far (the pull attributes them to its entities)."""
        return getattr(self._local, "retries", 0)

    def _attempt(self, method: str, path: str, params: Any, json: Any, body: Any = None,
                 per_row: bool = False) -> dict[str, Any]:
        response, token = self._send_in_session(method, path, params, json, body, refused=None)
        can_login = self._credentials.can_login
        if response.status_code == 401 and can_login:
            response, _ = self._send_in_session(method, path, params, json, body, refused=token)
        if response.status_code == 401:
            why = (
                "refused again right after a fresh login; check that the account has API access"
                if can_login
                else "session token refused; configure an email and password so the mirror can log in again"
            )
            raise AuthenticationFailed(why, status=401, method=method, path=path)
        return self._parse(method, path, response, per_row=per_row)

    def _send_in_session(self, method: str, path: str, params: Any, json: Any, body: Any, *,
                         refused: str | None) -> tuple[httpx.Response, str]:
        """Wait for the throttle, then take the session's token (so a long wait cannot outlast it:
        the session logs in first if ``refused`` or about to expire) and send; returns the token sent."""
        self.throttle.wait()
        token = self.session.token(self._login if self._credentials.can_login else None, refused=refused)
        return self._send(method, path, params=params, json=json, body=body, token=token, throttled=True), token

    def _login(self) -> Login:
        """``POST /auth`` (called by the session, which keeps what it answers)."""
        creds = self._credentials
        payload = {"email": creds.email, "password": creds.password}
        response = self._send("POST", AUTH, json=payload, login=True)
        status = response.status_code
        if 400 <= status < 500 and status != 429:
            reason = self._redact(_message(_json(response)) or response.reason_phrase)
            # No response attached: its request carries the password.
            raise AuthenticationFailed(
                f"login refused: {reason}", status=status, method="POST", path=AUTH
            )
        body = self._parse("POST", AUTH, response, login=True)
        result = body.get("result")
        result = result if isinstance(result, dict) else {}
        token = result.get("sessionToken")
        if not isinstance(token, str) or not token:
            raise MalformedResponse(
                "the login answer has no result.sessionToken", status=status, method="POST", path=AUTH
            )
        with self._stats_lock:
            self.stats.logins += 1
        log.info("logged in to UpKeep at %s", creds.base_url)
        return Login(token, result.get("expiresAt"), response.headers.get("Date"))

    def _send(
        self, method: str, path: str, *, params: Any = None, json: Any = None, login: bool = False, body: Any = None,
        token: str | None = None, throttled: bool = False,
    ) -> httpx.Response:
        if not throttled:
            self.throttle.wait()
        headers = {} if login else {"Session-Token": token or ""}
        with self._stats_lock:
            self.stats.requests += 1
        try:
            response = self._http.request(method, path, params=params, json=json, headers=headers, **(body or {}))
        except httpx.UnsupportedProtocol as exc:
            raise ConfigurationError(f"unusable UpKeep URL: {exc}", method=method, path=path) from exc
        except httpx.TransportError as exc:
            sent = not isinstance(exc, _NOT_SENT)
            ambiguous = sent and method not in SAFE_METHODS and not login
            detail = self._redact(str(exc)) or "no detail"
            raise NetworkError(
                f"no answer ({type(exc).__name__}: {detail})", ambiguous=ambiguous, method=method, path=path
            ) from exc
        log.debug("%s %s -> HTTP %d", method, path, response.status_code)
        if response.status_code == 429:
            self.throttle.rate_limited(parse_retry_after(response.headers.get("Retry-After")))
        else:
            self.throttle.succeeded()
        return response

    def _parse(
        self, method: str, path: str, response: httpx.Response, *, login: bool = False, per_row: bool = False
    ) -> dict[str, Any]:
        status = response.status_code
        body = _json(response)
        refused = isinstance(body, dict) and body.get("success") is False and not (per_row and "results" in body)
        if status >= 400 or refused:
            message = self._redact(_message(body) or response.reason_phrase or "no message")
            raise error_for_status(
                status,
                message,
                method=method,
                path=path,
                response=None if login else response,
                retry_after=parse_retry_after(response.headers.get("Retry-After")),
                ambiguous=method not in SAFE_METHODS and not login and status != 503,
            )
        if not isinstance(body, dict):
            kind = "not JSON" if body is None else f"JSON {type(body).__name__}, not an object"
            ctype = response.headers.get("content-type", "none")
            detail = f"the answer is {kind} (content-type {ctype}, {len(response.content)} bytes)"
            raise MalformedResponse(detail, status=status, method=method, path=path)
        return body

    def _unwrap(self, body: dict[str, Any], key: str, kind: type, method: str, path: str) -> Any:
        value = body.get(key)
        if not isinstance(value, kind):
            keys = ", ".join(sorted(map(str, body))) or "none"
            wanted = f"{key!r} {'list' if kind is list else 'object'}"
            raise MalformedResponse(f"the answer has no {wanted} (keys: {keys})", method=method, path=path)
        return value

    def _redact(self, text: str) -> str:
        """``text`` without the password, email or session tokens, should UpKeep echo them."""
        creds = self._credentials
        for secret in (creds.password, *self.session.secrets(), creds.email):
            if secret and len(secret) >= 4:
                text = text.replace(secret, "***")
        return text


def _json(response: httpx.Response) -> Any:
    """The body, decoded with orjson: a page of 100 work orders decodes several times faster than with ``json``."""
    try:
        return orjson.loads(response.content)
    except orjson.JSONDecodeError:
        return None


def _message(body: Any) -> str | None:
    """UpKeep's ``message`` from an error answer, if it sent one."""
    message = body.get("message") if isinstance(body, dict) else None
    return message if isinstance(message, str) and message else None
