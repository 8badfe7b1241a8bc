"""An UpKeep client logged in to an emulated account, with fast retries."""

from __future__ import annotations

from sync.upkeep._client import Credentials, UpKeepClient
from sync.upkeep._retry import RetryPolicy
from tests.support.retries import FAST


def upkeep_client(emu, policy: RetryPolicy = FAST, **kwargs) -> UpKeepClient:
    """A client on ``emu``'s account (``kwargs`` go to :class:`UpKeepClient`)."""
    email, password = emu.credentials
    return UpKeepClient(Credentials(email=email, password=password, base_url=emu.base_url), policy=policy, **kwargs)
