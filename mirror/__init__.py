"""The local store: SQLModel entities in the Machina schema, the engine, schema versions, the outbox.

This package knows nothing of HTTP; it never imports ``sync`` or ``queries``.
"""
