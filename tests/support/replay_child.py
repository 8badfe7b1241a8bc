"""A replayer in its own process, for the crash test: flush until nothing is pending, then exit 0.

Usage: python tests/support/replay_child.py MIRROR BASE_URL EMAIL PASSWORD. Prints "ready" once the mirror is
open and the client logged in, so the parent can time its SIGKILL to land mid-replay.
"""

from __future__ import annotations

import sys

from mirror.db import open_mirror
from mirror.outbox import counts
from sync.replay import flush
from sync.upkeep import Credentials, UpKeepClient
from tests.support.retries import FAST


def main(path: str, base_url: str, email: str, password: str) -> int:
    policy = FAST
    with open_mirror(path) as mirror, UpKeepClient(
        Credentials(email=email, password=password, base_url=base_url), policy=policy
    ) as client:
        client.get_list("/api/v2/users/", {"limit": 1})
        print("ready", flush=True)
        for _ in range(50):
            flush(mirror, client, policy=policy, settle=0.1, redelivery_base=0.0)
            with mirror.session() as s:
                left = counts(s)
            if not left.get("pending") and not left.get("sending"):
                return 0
    return 1


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:5]))
