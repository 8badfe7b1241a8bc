"""The models of the mirrored entities, looked up by the names the registry (:mod:`mirror.entities`) gives."""

from __future__ import annotations

from sqlalchemy import Table

from mirror.entities import ENTITIES
from mirror.schema import core, fieldwork, plant
from mirror.schema._base import Mirrored

_MODULES = (core, plant, fieldwork)


def _model(name: str) -> type:
    return next(getattr(m, name) for m in _MODULES if hasattr(m, name))


#: Every mirrored table of the main pull, keyed by entity name, in the order a sync pulls them (referenced first).
MIRRORED: dict[str, type[Mirrored]] = {e.name: _model(e.model) for e in ENTITIES if e.pull == "main"}
#: The field-work entities pulled from list endpoints, in pull order.
FIELDWORK_MIRRORED: dict[str, type[Mirrored]] = {
    e.name: _model(e.model) for e in ENTITIES if e.mirrored and e.pull != "main"
}


def table_of(entity: str | type[Mirrored]) -> Table:
    """An entity's SQLAlchemy table (plain code that needs only its name: :func:`mirror.store.table_name`)."""
    model = MIRRORED[entity] if isinstance(entity, str) else entity
    return model.__table__  # type: ignore[attr-defined]  # set at runtime on table=True models
