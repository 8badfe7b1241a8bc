"""The local store: SQLModel entities in the Machina schema, the engine, schema versions, the outbox.

This package knows nothing of HTTP; it never imports ``sync`` or ``queries``.

The public surface is :data:`__all__`: open a mirror, make local writes (queued for UpKeep), and
hand rows to Machina. Names are imported on first use, so ``import mirror`` stays cheap.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mirror.db import Mirror, inspect_mirror, open_mirror
    from mirror.errors import InvalidWrite, MirrorBusy, MirrorError, MirrorUnusable, OutboxActionRefused
    from mirror.machina import to_machina
    from mirror.writes import (
        LIMITS,
        UNSET,
        Queued,
        add_meter_reading,
        add_work_order_message,
        create_request,
        create_work_order,
        record_parts_used,
        set_part_quantity,
        update_work_order,
    )

_HOME = {
    "Mirror": "mirror.db", "inspect_mirror": "mirror.db", "open_mirror": "mirror.db",
    **{name: "mirror.errors" for name in (
        "InvalidWrite", "MirrorBusy", "MirrorError", "MirrorUnusable", "OutboxActionRefused",
    )},
    "to_machina": "mirror.machina",
    **{name: "mirror.writes" for name in (
        "LIMITS", "UNSET", "Queued", "add_meter_reading", "add_work_order_message",
        "create_request", "create_work_order", "record_parts_used", "set_part_quantity", "update_work_order",
    )},
}

__all__ = [
    "LIMITS",
    "UNSET",
    "InvalidWrite",
    "Mirror",
    "MirrorBusy",
    "MirrorError",
    "MirrorUnusable",
    "OutboxActionRefused",
    "Queued",
    "add_meter_reading",
    "add_work_order_message",
    "create_request",
    "create_work_order",
    "inspect_mirror",
    "open_mirror",
    "record_parts_used",
    "set_part_quantity",
    "to_machina",
    "update_work_order",
]


def __getattr__(name: str) -> Any:
    if name in _HOME:
        return getattr(importlib.import_module(_HOME[name]), name)
    raise AttributeError(f"module 'mirror' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
