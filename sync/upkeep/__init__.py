"""The UpKeep API v2: one client, its session, errors, retry and throttle, paging, and the endpoint catalogue.

Nothing here knows about the mirror file: the pull (:mod:`sync.pull`) and the replayer
(:mod:`sync.replay`) use it to talk to UpKeep. The public names are below; paging
(:mod:`sync.upkeep.paging`, :mod:`sync.upkeep.keyset`) and the catalogue
(:mod:`sync.upkeep.endpoints`) are public modules of their own.
"""

from sync.upkeep._client import API_VERSION, DEFAULT_BASE_URL, Credentials, UpKeepClient
from sync.upkeep._retry import RetryPolicy
from sync.upkeep._session import UpKeepSession
from sync.upkeep.errors import (
    AuthenticationFailed,
    BadRequest,
    ConfigurationError,
    FatalError,
    Forbidden,
    MalformedResponse,
    NetworkError,
    NotFound,
    RateLimited,
    RejectedError,
    RetriableError,
    ServerError,
    UpKeepError,
)

__all__ = [
    "API_VERSION",
    "DEFAULT_BASE_URL",
    "AuthenticationFailed",
    "BadRequest",
    "ConfigurationError",
    "Credentials",
    "FatalError",
    "Forbidden",
    "MalformedResponse",
    "NetworkError",
    "NotFound",
    "RateLimited",
    "RejectedError",
    "RetriableError",
    "RetryPolicy",
    "ServerError",
    "UpKeepClient",
    "UpKeepError",
    "UpKeepSession",
]
