"""Timestamps as the mirror stores them (plain functions: no SQLAlchemy, so the pull path stays light).

Timestamps are stored as ISO-8601 UTC text with millisecond precision and a ``Z``
(``2024-03-01T08:15:00.000Z``), the shape UpKeep itself sends. Text keeps the file readable
in Datasette, sorts correctly, and compares with SQLite's own clock written the same way:
``strftime('%Y-%m-%dT%H:%M:%fZ', 'now')``. Python always gets timezone-aware UTC back.
"""

from __future__ import annotations

from datetime import UTC, datetime

#: The SQL expression for "now" in the stored timestamp format, for named queries.
SQL_NOW = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"


class StoredUTC(datetime):
    """A UTC datetime parsed from text already in the stored form, keeping that text.

    UpKeep sends timestamps exactly as they are stored (``2024-03-01T08:15:00.000Z``); the mapping
    parses them (it validates and compares them) and the store writes them back as text.
    Keeping the text lets :func:`format_utc` skip re-rendering it, which was a measurable part
    of a large pull. It is an ordinary aware datetime in every other respect.
    """

    stored: str


def format_utc(value: datetime) -> str:
    """Render an aware (or UTC-naive) datetime in the stored text form."""
    # Arithmetic and replace() on a StoredUTC make new StoredUTC objects without the text.
    stored = value.__dict__.get("stored") if type(value) is StoredUTC else None
    if stored is not None:
        return stored
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat(timespec="milliseconds")[:-6] + "Z"  # drop "+00:00"


def parse_utc(text: str) -> datetime:
    """Parse ISO-8601 with or without ``Z``/offset; a naive value is taken as UTC."""
    if len(text) == 24 and text[23] == "Z" and text[19] == "." and text[10] == "T":
        kept = StoredUTC.fromisoformat(text)  # already the stored form: keep the text (see StoredUTC)
        kept.stored = text
        return kept
    value = datetime.fromisoformat(text.strip())
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def spoken_duration(seconds: float) -> str:
    """A duration as people say it in a status line: ``45 s``, ``12 min``, ``2.5 h``."""
    if seconds < 90:
        return f"{max(seconds, 0):.0f} s"
    if seconds < 90 * 60:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"
