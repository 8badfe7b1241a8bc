"""Every exception the mirror raises on purpose, under one root, each named for what the caller can do.

Each carries one sentence a person can act on (the CLI prints it as it is)::

    MirrorError                  anything the mirror refuses or cannot do
    ├── MirrorUnusable           the file cannot be used as asked (missing, damaged, not a mirror,
    │                            a schema too old or too new, a folder that cannot be written):
    │                            give another path, sync first, or upgrade upkeep-mirror
    ├── MirrorBusy               another process holds the mirror's writer lock: wait, or stop it
    │                            (also a RuntimeError)
    ├── InvalidWrite             a local write refused before anything was written: fix ``field``
    │                            and write again (also a ValueError)
    ├── OutboxActionRefused      a retry, discard or resolve that does not apply to that operation
    │                            (unknown seq, wrong state): look at ``outbox list`` (also a ValueError)
    └── MachinaNotInstalled      ``machina-ai`` is missing: install the ``machina`` extra
                                 (also an ImportError)

Catch :class:`MirrorError` for all of them. The Machina connector (:mod:`mirror.machina.connector`)
turns them into Machina's own ``ConnectorError``, as Machina's connector contract asks.
"""

from __future__ import annotations

__all__ = [
    "InvalidWrite",
    "MachinaNotInstalled",
    "MirrorBusy",
    "MirrorError",
    "MirrorUnusable",
    "OutboxActionRefused",
]

#: What :class:`MachinaNotInstalled` says.
_MACHINA_INSTALL_HINT = "machina-ai is not installed: pip install 'upkeep-mirror[machina]'"


class MirrorError(Exception):
    """The root: anything the mirror refuses or cannot do, said in one sentence."""


class MirrorUnusable(MirrorError):
    """The mirror file cannot be used as asked (missing, damaged, newer schema, unwritable folder, ...)."""


class MirrorBusy(MirrorError, RuntimeError):
    """Another process holds the writer lock of this mirror."""


class InvalidWrite(MirrorError, ValueError):
    """The write was refused before anything was written; fix ``field`` and try again."""

    def __init__(self, field: str, reason: str):
        self.field, self.reason = field, reason
        super().__init__(f"{field}: {reason}")


class OutboxActionRefused(MirrorError, ValueError):
    """A retry, discard or resolve that does not apply to that operation (wrong state, unknown seq)."""


class MachinaNotInstalled(MirrorError, ImportError):
    """machina-ai is an optional extra and is missing."""

    def __init__(self) -> None:
        super().__init__(_MACHINA_INSTALL_HINT)
