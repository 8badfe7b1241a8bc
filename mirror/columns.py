"""Column types shared by every mirrored table: SQLAlchemy's view of the stored text forms.

The text forms themselves (and why text) are in :mod:`mirror.timestamps`, which the pull uses
without loading SQLAlchemy.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.types import String, TypeDecorator

from mirror.timestamps import format_utc, parse_utc


class UTCDateTime(TypeDecorator):
    """A timezone-aware UTC datetime stored as sortable ISO-8601 text."""

    impl = String
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None or isinstance(value, str):
            return value
        return format_utc(value)

    def process_result_value(self, value, dialect):
        return None if value is None else parse_utc(value)


class ISODate(TypeDecorator):
    """A calendar date stored as ``YYYY-MM-DD`` text."""

    impl = String
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None or isinstance(value, str):
            return value
        return value.isoformat()

    def process_result_value(self, value, dialect):
        return None if value is None else date.fromisoformat(value)
