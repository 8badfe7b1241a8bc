"""How UpKeep spells ids and times, in one place for seeding, writes and filters.

UpKeep ids are 10-character alphanumeric strings; payload timestamps are ISO-8601 (usually with
milliseconds and ``Z``, sometimes without ``Z``); filters and write bodies use unix milliseconds.
"""

from __future__ import annotations

import random
import string
import time
from datetime import UTC, datetime, timedelta

ALPHABET = string.ascii_letters + string.digits

#: The fixed instant seeded data is laid out relative to, so one seed gives one data set forever.
DEFAULT_EPOCH = "2026-01-01T00:00:00Z"

_UNIX = datetime(1970, 1, 1)
_ONE_MS = timedelta(milliseconds=1)
DAY_MS = 86_400_000
HOUR_MS = 3_600_000


def new_id(rng: random.Random) -> str:
    """A fresh UpKeep-style id drawn from ``rng`` (deterministic for a seeded rng)."""
    return "".join(rng.choices(ALPHABET, k=10))


def iso(ms: int, *, z: bool = True) -> str:
    """Render unix milliseconds as UpKeep does: ``2017-12-06T19:23:09.162Z``; ``z=False`` mimics the
    reference's asset examples (``2017-11-16T15:01:01``), which carry neither millis nor zone."""
    dt = _UNIX + timedelta(milliseconds=ms)
    if not z:
        return dt.isoformat(timespec="seconds")
    return dt.isoformat(timespec="milliseconds") + "Z"


def parse_ms(value: object) -> int | None:
    """Unix milliseconds from an ISO string (zone-less means UTC) or a number; None if unparseable."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return int(value)
    if not isinstance(value, str) or not value:
        return None
    if value[-1].isdigit() and value.lstrip("-").isdigit():
        return int(value)
    try:
        dt = datetime.fromisoformat(value)
    except ValueError:
        return None
    if dt.tzinfo is not None:
        dt = dt.astimezone(UTC).replace(tzinfo=None)
    return (dt - _UNIX) // _ONE_MS


def resolve_epoch(epoch: str | datetime | None) -> int:
    """The seeding epoch in ms: an ISO string or datetime, ``"today"`` (this UTC midnight), or None
    for :data:`DEFAULT_EPOCH`. It must not lie in the future, or writes made now would sort before
    seeded rows."""
    if epoch is None:
        epoch = DEFAULT_EPOCH
    if isinstance(epoch, datetime):
        dt = epoch if epoch.tzinfo else epoch.replace(tzinfo=UTC)
        ms = int(dt.timestamp() * 1000)
    elif epoch == "today":
        ms = now_ms() // DAY_MS * DAY_MS
    else:
        parsed = parse_ms(epoch)
        if parsed is None:
            raise ValueError(f"epoch must be an ISO-8601 time or 'today', not {epoch!r}")
        ms = parsed
    if ms > now_ms():
        raise ValueError(f"epoch {iso(ms)} is in the future")
    return ms


def now_ms() -> int:
    """Wall-clock unix milliseconds: what every write and live change stamps into ``updatedAt``."""
    return time.time_ns() // 1_000_000
