"""``UpKeepSession``: one UpKeep login (session token and expiry) shared by the clients of one process.

Each client keeps its own HTTP client and connection pool; what they share is this small holder,
so a daemon whose jobs each have a client logs in once, not once per job. One thread logs in at a
time (a lock); a thread that finds the token already renewed uses it. The token is renewed
shortly before the ``expiresAt`` ``POST /auth`` answered (:data:`RENEW_BEFORE_EXPIRY`), so a
long-running process does not wait for a 401; a 401 still leads to one fresh login (the client's
fallback). Ending the session (``DELETE /auth``) is the client's :meth:`UpKeepClient.log_out
<sync.upkeep.UpKeepClient.log_out>`: a session this holder logged in for, never a token given in
the credentials (it belongs to whoever made it). The token never reaches a log or a repr.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime
from email.utils import parsedate_to_datetime

from .errors import AuthenticationFailed

__all__ = ["RENEW_BEFORE_EXPIRY", "Login", "UpKeepSession"]

log = logging.getLogger(__name__)

#: Log in again this many seconds before the session's ``expiresAt``, or half-way through a session
#: shorter than twice that. Also the slack for a clock a little behind UpKeep's.
RENEW_BEFORE_EXPIRY = 60.0


class Login:
    """What ``POST /auth`` answered: the token, its ``expiresAt`` text and the answer's ``Date`` header."""

    __slots__ = ("date", "expires_at", "token")

    def __init__(self, token: str, expires_at: object = None, date: str | None = None) -> None:
        self.token, self.expires_at, self.date = token, expires_at, date

    def __repr__(self) -> str:
        return f"Login(token='***', expires_at={self.expires_at!r})"


class UpKeepSession:
    """The token and when to renew it; ``given_token``: a token from the credentials (never logged out).

    ``wall`` is the wall clock (``expiresAt`` is a date), ``clock`` a monotonic one for the renewal
    deadline; tests inject fakes.
    """

    def __init__(self, given_token: str | None = None, *, wall: Callable[[], float] = time.time,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._token = given_token
        self._given = given_token
        self._renew_at: float | None = None  # on ``clock``; None: no expiry known (a 401 renews it)
        self._lock = threading.Lock()
        self._wall, self._clock = wall, clock
        self.logins = 0

    def __repr__(self) -> str:
        state = "logged in" if self.logged_in else "given token" if self._token else "no token"
        return f"<UpKeepSession {state}, {self.logins} login(s)>"

    @property
    def logged_in(self) -> bool:
        """Whether the current token is one this session logged in for (so it may log it out)."""
        return self._token is not None and self._token != self._given

    def secrets(self) -> tuple[str, ...]:
        """The tokens to keep out of texts (the current one and the given one)."""
        return tuple(t for t in (self._token, self._given) if t)

    def token(self, login: Callable[[], Login] | None, *, refused: str | None = None) -> str:
        """A token to send: the current one, unless UpKeep ``refused`` it (401) or it is about to expire;
        then ``login`` (None: no email and password) gets a new one, in one thread at a time."""
        token = self._token
        if token is not None and token != refused and not self._due():
            return token
        if login is None:
            if token is None:
                raise AuthenticationFailed("no session token and no email and password to log in with")
            return token  # a given token alone: send it; a 401 is final
        with self._lock:
            token = self._token
            if token is not None and token != refused and not self._due():
                return token  # another thread renewed it meanwhile
            if refused is not None and token == refused:
                log.info("UpKeep refused the session (HTTP 401); logging in again")
            elif token is not None:
                log.debug("the UpKeep session expires soon; logging in again")
            self._token, self._renew_at = None, None
            answer = login()
            self._token = answer.token
            self._renew_at = self._renewal(answer)
            self.logins += 1
            return answer.token

    def end(self, log_out: Callable[[str], None]) -> bool:
        """Forget the token; if this session logged in for it, ``log_out(token)`` first (once).
        True when it did log out; ``log_out``'s failure is the caller's to report."""
        with self._lock:
            token = self._token if self.logged_in else None
            self._token, self._renew_at = self._given, None
        if token is None:
            return False
        log_out(token)
        return True

    def _due(self) -> bool:
        return self._renew_at is not None and self._clock() >= self._renew_at

    def _renewal(self, answer: Login) -> float | None:
        """When to log in again: :data:`RENEW_BEFORE_EXPIRY` before ``expiresAt`` (at most half the
        lifetime). The lifetime is reckoned on this machine's clock and, when UpKeep sent a ``Date``,
        on UpKeep's too, the shorter kept (a clock behind UpKeep's must not make a session look
        longer). None (renew on a 401 only) when the answer has no usable ``expiresAt``."""
        expires = _epoch(answer.expires_at)
        if expires is None:
            log.debug("the login answer has no usable expiresAt; the session is renewed on a 401 only")
            return None
        lifetime = expires - self._wall()
        server_now = _http_date(answer.date)
        if server_now is not None:
            lifetime = min(lifetime, expires - server_now)
        if lifetime <= 0:
            log.debug("the session's expiresAt is already past on this clock; it is renewed on a 401 only")
            return None
        return self._clock() + lifetime - min(RENEW_BEFORE_EXPIRY, lifetime / 2)


def _epoch(value: object) -> float | None:
    """Seconds since the epoch of an ISO 8601 date (``2018-12-31T00:00:00.000Z``), or None."""
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment.timestamp() if moment.tzinfo is not None else None


def _http_date(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError, IndexError):
        return None
