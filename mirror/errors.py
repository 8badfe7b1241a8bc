"""The mirror's errors that are not about one kind of operation.

``MirrorError`` is apart from :mod:`mirror.db` so that the modules :mod:`mirror.db` builds on
(:mod:`mirror.lock`) can raise it without importing the module that imports them.
"""

from __future__ import annotations

__all__ = ["MirrorError"]


class MirrorError(Exception):
    """The mirror file cannot be used as asked (newer schema, read-only and missing, ...)."""
