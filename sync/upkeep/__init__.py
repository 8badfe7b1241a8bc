"""The UpKeep API v2: one client, its errors, retry and throttle, paging, and the endpoint catalogue.

Nothing here knows about the mirror file: the pull (:mod:`sync.pull`) and the replayer
(:mod:`sync.replay`) use it to talk to UpKeep.
"""

from sync.upkeep._client import Credentials, UpKeepClient

__all__ = ["Credentials", "UpKeepClient"]
