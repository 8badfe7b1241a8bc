"""What every table shares: the column types for the stored text forms, and the mirrored-row columns.

The text forms themselves (and why text) are in :mod:`mirror.timestamps`, which the pull uses
without loading SQLAlchemy. :class:`Mirrored` holds the bookkeeping columns every mirrored table
has: the UpKeep id as its stable key, UpKeep's timestamps, the raw JSON object, when it was last
synced, a tombstone and the local state.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Dialect
from sqlalchemy.types import String, TypeDecorator
from sqlmodel import Field, SQLModel

from mirror.timestamps import format_utc, parse_utc
from mirror.vocabulary import LocalState


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime stored as sortable ISO-8601 text."""

    impl = String
    cache_ok = True

    def process_bind_param(self, value: datetime | str | None, dialect: Dialect) -> str | None:
        if value is None or isinstance(value, str):
            return value
        return format_utc(value)

    def process_result_value(self, value: str | None, dialect: Dialect) -> datetime | None:
        return None if value is None else parse_utc(value)


class ISODate(TypeDecorator[date]):
    """A calendar date stored as ``YYYY-MM-DD`` text."""

    impl = String
    cache_ok = True

    def process_bind_param(self, value: date | str | None, dialect: Dialect) -> str | None:
        if value is None or isinstance(value, str):
            return value
        return value.isoformat()

    def process_result_value(self, value: str | None, dialect: Dialect) -> date | None:
        return None if value is None else date.fromisoformat(value)


def ref(table: str, **kw: Any) -> Any:
    """A reference to another record: its UpKeep id, a foreign key (not enforced), indexed."""
    return Field(default=None, foreign_key=f"{table}.id", index=True, **kw)


def ts(**kw: Any) -> Any:
    """An optional UTC timestamp column."""
    return Field(default=None, sa_type=UTCDateTime, **kw)


class Mirrored(SQLModel):
    """Bookkeeping columns shared by every mirrored table (its entity's name: :mod:`mirror.entities`)."""

    id: str = Field(primary_key=True, description="UpKeep id (stable key)")
    upkeep_created_at: datetime | None = ts(description="UpKeep createdAt")
    upkeep_updated_at: datetime | None = ts(index=True, description="UpKeep updatedAt")
    raw: dict[str, Any] = Field(default_factory=dict, sa_type=JSON, description="UpKeep's JSON object")
    synced_at: datetime | None = ts(description="When this row was last written by a sync")
    deleted_at: datetime | None = ts(description="Tombstone: when UpKeep was found not to have it")
    local_state: str = Field(default=LocalState.SYNCED.value, index=True)
