"""The mirror for Machina agents: rows as ``machina.domain`` models, and a Machina connector.

- :func:`to_machina` / :func:`machina_fields` (:mod:`mirror.machina.convert`): one core row as
  Machina's ``Asset``, ``WorkOrder``, ``SparePart`` or ``MaintenancePlan``, with every UpKeep
  field Machina does not model kept in ``metadata``.
- :class:`MirrorConnector` (:mod:`mirror.machina.connector`): Machina's ``BaseConnector`` over a
  mirror file, a drop-in for Machina's ``UpKeepConnector`` that needs no network.
- :func:`mirror.machina.health.assess`: the freshness / connectivity / queue verdict behind
  ``MirrorConnector.health_check``.

``machina-ai`` is an optional extra (``pip install 'upkeep-mirror[machina]'``): importing this
package does not need it; converting a row or asking for ``MirrorConnector`` without it raises
:class:`MachinaNotInstalled` (an ``ImportError``) with the install command.
"""

from __future__ import annotations

from typing import Any

from mirror.errors import MachinaNotInstalled
from mirror.machina.convert import full_metadata, machina_fields, to_machina

__all__ = ["MachinaNotInstalled", "MirrorConnector", "full_metadata", "machina_fields", "to_machina"]


def __getattr__(name: str) -> Any:
    if name == "MirrorConnector":
        try:
            import machina  # noqa: F401
        except ImportError as exc:
            raise MachinaNotInstalled() from exc
        from mirror.machina.connector import MirrorConnector

        return MirrorConnector
    raise AttributeError(f"module 'mirror.machina' has no attribute {name!r}")
