"""The exceptions the UpKeep client raises, grouped by what the caller can do about them.

::

    UpKeepError                   base: .message, .status, .response, .method, .path
    ├── RetriableError            transient; the retry policy retries it unless .ambiguous
    │   ├── RateLimited           429; .retry_after seconds (None when UpKeep sent no Retry-After)
    │   ├── ServerError           5xx
    │   └── NetworkError          no answer: connect/read error, timeout, dropped connection
    ├── FatalError                retrying the same call cannot help: fix the setup, then run again
    │   ├── AuthenticationFailed  login refused, or 401 again right after logging in again
    │   ├── ConfigurationError    no usable credentials, bad base URL or config file
    │   └── MalformedResponse     body not JSON, or not the documented envelope
    └── RejectedError             UpKeep refused this very request: permanent for it (dead-letter)
        ├── BadRequest            400, with UpKeep's message ("title cannot be null", ...)
        ├── Forbidden             403
        └── NotFound              404

``RetriableError.ambiguous`` is True when the failed request was a write that UpKeep may have
applied although no success came back (the request went out and the answer was lost, or a 5xx
other than 503). The policy never retries an ambiguous failure, because UpKeep has no idempotency
keys: the outbox replayer looks for the effect before sending again.

No exception text ever contains a password or session token; the client redacts them from
UpKeep's messages before raising.
"""

from __future__ import annotations

from typing import TypedDict, Unpack

import httpx

__all__ = [
    "AuthenticationFailed",
    "BadRequest",
    "ConfigurationError",
    "FatalError",
    "Forbidden",
    "MalformedResponse",
    "NetworkError",
    "NotFound",
    "RateLimited",
    "RejectedError",
    "RetriableError",
    "ServerError",
    "UpKeepError",
    "error_for_status",
]


class _Context(TypedDict, total=False):
    """The keyword arguments every :class:`UpKeepError` takes besides its message."""

    status: int | None
    response: httpx.Response | None
    method: str | None
    path: str | None


class UpKeepError(Exception):
    """Base of everything the client raises.

    ``message`` is UpKeep's own message when it sent one (else ours); ``str(exc)`` adds the
    method, path and status, e.g. ``POST /api/v2/work-orders: HTTP 400: title cannot be null``.
    ``response`` is the ``httpx.Response`` when there was one worth keeping, else None.
    """

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        response: httpx.Response | None = None,
        method: str | None = None,
        path: str | None = None,
    ) -> None:
        self.message = message
        self.response = response
        self.status = (
            status if status is not None else (response.status_code if response is not None else None)
        )
        self.method = method
        self.path = path
        super().__init__(self._describe())

    def _describe(self) -> str:
        parts = []
        if self.path:
            parts.append(f"{self.method} {self.path}" if self.method else self.path)
        if self.status is not None:
            parts.append(f"HTTP {self.status}")
        parts.append(self.message)
        return ": ".join(parts)


class RetriableError(UpKeepError):
    """Transient failure (network, 429, 5xx): the same call may well succeed later."""

    def __init__(self, message: str, *, ambiguous: bool = False, **kwargs: Unpack[_Context]) -> None:
        self.ambiguous = ambiguous
        super().__init__(message, **kwargs)

    def _describe(self) -> str:
        text = super()._describe()
        return text + " (the request may have been applied)" if self.ambiguous else text


class RateLimited(RetriableError):
    """Raised on 429; ``retry_after`` is the server's Retry-After in seconds, or None."""

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: Unpack[_Context]) -> None:
        self.retry_after = retry_after
        super().__init__(message, **kwargs)

    def _describe(self) -> str:
        text = super()._describe()
        return text if self.retry_after is None else f"{text} (Retry-After: {self.retry_after:g}s)"


class ServerError(RetriableError):
    """Raised on a 5xx answer; ambiguous for a write unless it was 503 (UpKeep: offline for maintenance)."""


class NetworkError(RetriableError):
    """Raised when no answer came: connection refused, DNS failure, timeout, connection dropped."""


class FatalError(UpKeepError):
    """Retrying the same call cannot succeed until someone fixes the setup."""


class AuthenticationFailed(FatalError):
    """Raised when the login is refused, or a call gets 401 again right after logging in again."""


class ConfigurationError(FatalError):
    """Raised when credentials are missing or incomplete, or the base URL or config file is unusable."""


class MalformedResponse(FatalError):
    """Raised when a success answer is not JSON or lacks the documented ``results``/``result``."""


class RejectedError(UpKeepError):
    """UpKeep understood and refused this request; sending it again will not help (dead-letter it)."""


class BadRequest(RejectedError):
    """Raised on 400; ``message`` is UpKeep's reason, e.g. ``invalid filter key: foo``."""


class Forbidden(RejectedError):
    """Raised on 403: the account may not see or change this object."""


class NotFound(RejectedError):
    """Raised on 404: the object (or endpoint) does not exist."""


def error_for_status(
    status: int,
    message: str,
    *,
    method: str | None = None,
    path: str | None = None,
    response: httpx.Response | None = None,
    retry_after: float | None = None,
    ambiguous: bool = False,
) -> UpKeepError:
    """The exception for an HTTP error status (or a ``success: false`` body with any status).

    ``ambiguous`` applies to 5xx only: a 429 is a refusal before any work, so never ambiguous.
    """
    where: _Context = {"status": status, "response": response, "method": method, "path": path}
    if status == 429:
        return RateLimited(message, retry_after=retry_after, **where)
    if status >= 500:
        return ServerError(message, ambiguous=ambiguous, **where)
    if status == 401:
        return AuthenticationFailed(message, **where)
    if status == 400:
        return BadRequest(message, **where)
    if status == 403:
        return Forbidden(message, **where)
    if status == 404:
        return NotFound(message, **where)
    return RejectedError(message, **where)
