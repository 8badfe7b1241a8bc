"""UpKeep <-> mirror mapping: pure functions on dicts, no I/O.

``transform(entity, obj)`` turns one UpKeep JSON object into the row the store upserts, or
raises :class:`MalformedObject` naming the entity, id and field. The reverse direction, for the
outbox, is in :mod:`sync.mapping.reverse`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from mirror.entities import ENTITIES
from sync.mapping import core, fieldwork, other
from sync.mapping.core import map_work_order
from sync.mapping.fields import MalformedObject
from sync.mapping.fieldwork import map_form_items

_MODULES = (core, other, fieldwork)


def _mapper(name: str) -> Callable[..., dict[str, Any]]:
    found: Callable[..., dict[str, Any]] = next(getattr(m, name) for m in _MODULES if hasattr(m, name))
    return found


#: Entity name -> mapper: the function the registry names (:attr:`mirror.entities.Entity.mapper`).
MAPPERS: dict[str, Callable[..., dict[str, Any]]] = {e.name: _mapper(e.mapper) for e in ENTITIES}


def transform(entity: str, obj: Any, *, part_skus: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Map one UpKeep object of ``entity`` to a row dict; raise MalformedObject if it cannot be."""
    if entity == "work_orders":
        return map_work_order(obj, part_skus)
    return MAPPERS[entity](obj)


def upkeep_id(entity: str, obj: Any) -> str | None:
    """The object's UpKeep id, if it has a usable one (PM items keep it in ``trigger``)."""
    if entity == "preventive_maintenance" and isinstance(obj, dict):
        obj = obj.get("trigger")
    value = obj.get("id") if isinstance(obj, dict) else None
    return value.strip() if isinstance(value, str) and value.strip() else None


__all__ = ["MAPPERS", "MalformedObject", "map_form_items", "transform", "upkeep_id"]
