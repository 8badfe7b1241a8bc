"""Fault injection for ``/api/v2`` requests, each fault with its own rate, drawn from a seeded rng.

Per request, latency is decided first (its own draw), then at most one outcome from one uniform
draw against the cumulative rates, in this order: dropped connection before the request is
applied, 429 with ``Retry-After``, 503, 500, and "applied but the answer was lost" (the write is
committed, then the socket is closed without a response). If the rates add up to more than 1, the
later outcomes get what is left. The control surface is never faulted.

``forbidden_entities`` is no draw: every GET of those entities (their list and each object) is
answered 403, as UpKeep answers an account that may not see them ("403 Forbidden -- The object
requested is hidden for administrators only"), e.g. ``users`` for a technician's account.
"""

from __future__ import annotations

import random
import threading
from dataclasses import asdict, dataclass, fields
from typing import Literal

from sync.emulator.entities import resolve

Outcome = Literal["drop", "rate_limit", "unavailable", "server_error", "lost_response"]


@dataclass(frozen=True)
class FaultConfig:
    """Rates are probabilities in [0, 1]; ``methods`` limits faults to those HTTP methods."""

    latency_ms: int = 0
    latency_rate: float = 1.0
    drop_rate: float = 0.0
    rate_limit_rate: float = 0.0
    retry_after_s: int = 1
    unavailable_rate: float = 0.0
    server_error_rate: float = 0.0
    lost_response_rate: float = 0.0
    methods: tuple[str, ...] | None = None
    seed: int = 0
    forbidden_entities: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for f in fields(self):
            if f.name.endswith("_rate"):
                value = getattr(self, f.name)
                if not 0.0 <= value <= 1.0:
                    raise ValueError(f"{f.name} must be within [0, 1], not {value}")
        if self.latency_ms < 0 or self.retry_after_s < 0:
            raise ValueError("latency_ms and retry_after_s must not be negative")
        if self.methods is not None:
            object.__setattr__(self, "methods", tuple(m.upper() for m in self.methods))
        if isinstance(self.forbidden_entities, str):
            raise ValueError("forbidden_entities is a list of entity names")
        names = []
        for name in self.forbidden_entities:
            try:
                names.append(resolve(str(name)).name)
            except KeyError:
                raise ValueError(f"forbidden_entities: unknown entity {name!r}") from None
        object.__setattr__(self, "forbidden_entities", tuple(names))

    @classmethod
    def from_dict(cls, data: dict) -> FaultConfig:
        known = {f.name for f in fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown fault settings: {', '.join(sorted(unknown))}")
        if data.get("methods") is not None:
            data = {**data, "methods": tuple(data["methods"])}
        if isinstance(data.get("forbidden_entities"), list):
            data = {**data, "forbidden_entities": tuple(data["forbidden_entities"])}
        return cls(**data)

    def to_dict(self) -> dict:
        out = asdict(self)
        out["methods"] = list(self.methods) if self.methods is not None else None
        out["forbidden_entities"] = list(self.forbidden_entities)
        return out


@dataclass(frozen=True)
class Decision:
    latency_ms: int
    outcome: Outcome | None


class FaultInjector:
    """Draws one :class:`Decision` per request; thread-safe, reproducible for a sequential client."""

    _ORDER: tuple[tuple[str, Outcome], ...] = (
        ("drop_rate", "drop"),
        ("rate_limit_rate", "rate_limit"),
        ("unavailable_rate", "unavailable"),
        ("server_error_rate", "server_error"),
        ("lost_response_rate", "lost_response"),
    )

    def __init__(self, config: FaultConfig | None = None) -> None:
        self._lock = threading.Lock()
        self.configure(config or FaultConfig())

    @property
    def config(self) -> FaultConfig:
        return self._config

    def configure(self, config: FaultConfig) -> None:
        """Replace every setting at once and restart the rng from ``config.seed``."""
        with self._lock:
            self._config = config
            self._rng = random.Random(f"upkeep-emulator-faults:{config.seed}")

    def decide(self, method: str) -> Decision:
        with self._lock:
            cfg = self._config
            if cfg.methods is not None and method.upper() not in cfg.methods:
                return Decision(0, None)
            latency = cfg.latency_ms if cfg.latency_ms and self._rng.random() < cfg.latency_rate else 0
            roll = self._rng.random()
        edge = 0.0
        for attr, outcome in self._ORDER:
            edge += getattr(cfg, attr)
            if roll < edge:
                return Decision(latency, outcome)
        return Decision(latency, None)
