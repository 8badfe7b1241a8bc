"""Session tokens: ``POST /auth`` issues one, every other call must send it as ``Session-Token``.

Tokens expire after a configurable lifetime so a client's re-login path can be exercised in a
test without waiting an hour; :meth:`Sessions.expire_all` does the same instantly.
"""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass

from sync.emulator.values import now_ms


class ApiError(Exception):
    """An API failure answered as ``{"success": false, "message": ...}`` with ``status``."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class Session:
    token: str
    user_id: str
    expires_at: int


class Sessions:
    """The account's one set of credentials and the tokens issued for it."""

    def __init__(self, email: str, password: str, ttl_s: float) -> None:
        self.email = email
        self.password = password
        self.ttl_ms = int(ttl_s * 1000)
        self._tokens: dict[str, Session] = {}
        self._lock = threading.Lock()

    def login(self, email: object, password: object, user_id: str) -> Session:
        if not email or not password:
            raise ApiError(400, f"{'email' if not email else 'password'} cannot be null")
        if email != self.email or password != self.password:
            raise ApiError(401, "invalid email or password")
        session = Session("r:" + secrets.token_hex(16), user_id, now_ms() + self.ttl_ms)
        with self._lock:
            self._tokens[session.token] = session
        return session

    def check(self, token: str | None) -> Session:
        """The live session for ``token``; 401 when it is missing, unknown, logged out or expired."""
        if not token:
            raise ApiError(401, "missing Session-Token header")
        with self._lock:
            session = self._tokens.get(token)
            if session is None:
                raise ApiError(401, "invalid session token")
            if session.expires_at <= now_ms():
                del self._tokens[token]
                raise ApiError(401, "session token expired")
        return session

    def logout(self, token: str) -> None:
        with self._lock:
            self._tokens.pop(token, None)

    def expire_all(self) -> int:
        with self._lock:
            count = len(self._tokens)
            self._tokens.clear()
        return count
