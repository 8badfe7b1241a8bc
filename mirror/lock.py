"""One writer per mirror file: an OS lock on ``<mirror>.lock`` held by a sync or a daemon.

SQLite would serialise two writers anyway, but two syncs interleaving pages and cursors would
waste requests and make run records meaningless. The lock is ``flock``-based, so it is released
by the kernel when the holder dies, even by SIGKILL: no stale lock to clean up by hand.
"""

from __future__ import annotations

import fcntl
import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from mirror.errors import MirrorBusy, MirrorUnusable


@contextmanager
def writer_lock(db_path: str | Path, purpose: str) -> Iterator[None]:
    """Hold the mirror's writer lock for the block, or raise :class:`MirrorBusy` at once.

    A folder where the lock cannot be written is a :class:`~mirror.errors.MirrorUnusable` (one sentence).
    """
    path = Path(f"{db_path}.lock")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise MirrorUnusable(f"cannot write next to the mirror ({path}): {exc.strerror}.") from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise MirrorBusy(f"{db_path} is in use by {_holder(fd)}; wait for it to finish or stop it") from None
        os.ftruncate(fd, 0)
        os.write(fd, json.dumps({"pid": os.getpid(), "purpose": purpose, "since": time.time()}).encode())
        try:
            yield
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _holder(fd: int) -> str:
    try:
        info = json.loads(os.pread(fd, 4096, 0) or b"{}")
        since = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(info["since"]))
        return f"{info['purpose']} (pid {info['pid']}, since {since})"
    except (ValueError, KeyError, OSError):
        return "another upkeep-mirror process"
