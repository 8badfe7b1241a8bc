"""Changes to the account while it is being mirrored: a seeded stream, or one change on demand.

Random changes mimic a busy maintenance department: work orders change status, priority,
assignee or title, new ones are raised, some are deleted (really removed: UpKeep has no deletion
feed), and assets and parts are edited. Each change stamps ``updatedAt`` with the wall clock (or
an explicit ``at`` in ms, to stage equal timestamps).
"""

from __future__ import annotations

import random
import threading
from typing import Any

from sync.emulator import vocab
from sync.emulator.entities import ENTITIES, resolve
from sync.emulator.plant import Plant
from sync.emulator.store import Store
from sync.emulator.values import iso, new_id, now_ms
from sync.emulator.workload import STATUSES, make_work_order

_KINDS = (("wo_update", 55), ("wo_create", 15), ("wo_delete", 10), ("asset_update", 12), ("part_update", 8))


class Mutator:
    """Applies changes to the store; every method returns what it did as ``{op, entity, id}``."""

    def __init__(self, store: Store, plant: Plant, rng: random.Random) -> None:
        self.store = store
        self.plant = plant
        self.rng = rng

    def random_changes(self, count: int, at: int | None = None) -> list[dict]:
        """``count`` seeded changes in the live mix (work orders mostly, some assets and parts)."""
        done = []
        with self.store.lock:
            for _ in range(count):
                kind = self.rng.choices([k for k, _ in _KINDS], [w for _, w in _KINDS])[0]
                change = getattr(self, f"_{kind}")(at or now_ms())
                if change:
                    done.append(change)
        return done

    def _wo_update(self, at: int) -> dict | None:
        spec = ENTITIES["work_orders"]
        wo_id = self.store.random_id(spec, self.rng)
        if wo_id is None:
            return None
        wo = self.store.get(spec, wo_id)
        assert wo is not None  # random_id picked it under the same (held) lock
        what = self.rng.choice(("status", "status", "priority", "assignedToUser", "title"))
        if what == "status":
            status = self.rng.choice([s for s in STATUSES if s != wo["status"]])
            done = status == "complete"
            wo.update(
                status=status,
                dateCompleted=iso(at) if done else None,
                completedByUser=(wo.get("assignedToUser") or self.plant.admin[0]) if done else None,
            )
        elif what == "priority":
            wo["priority"] = self.rng.choice([p for p in "0123" if p != wo.get("priority")])
        elif what == "assignedToUser":
            tech = self.rng.choice(self.plant.techs) if self.plant.techs else (None, None)
            wo.update(assignedToUser=tech[0], assignedToUsername=tech[1])
        else:
            wo["title"] = (
                f"{wo['title'].split(' [', 1)[0]} [{self.rng.choice(('revised', 'follow-up', 'recheck'))}]"
            )
        wo["updatedAt"] = iso(at)
        self.store.put(spec, wo)
        return {"op": "update", "entity": spec.name, "id": wo_id, "fields": [what]}

    def _wo_create(self, at: int) -> dict:
        spec = ENTITIES["work_orders"]
        wo = make_work_order(
            self.rng, self.plant, at, self.store.next_number("workOrderNo"), at, status="open"
        )
        wo["createdAt"] = wo["updatedAt"] = iso(at)
        self.store.put(spec, wo)
        return {"op": "create", "entity": spec.name, "id": wo["id"]}

    def _wo_delete(self, at: int) -> dict | None:
        spec = ENTITIES["work_orders"]
        wo_id = self.store.random_id(spec, self.rng)
        if wo_id is None:
            return None
        self.store.delete(spec, wo_id)
        return {"op": "delete", "entity": spec.name, "id": wo_id}

    def _asset_update(self, at: int) -> dict | None:
        spec = ENTITIES["assets"]
        asset_id = self.store.random_id(spec, self.rng)
        if asset_id is None:
            return None
        asset = self.store.get(spec, asset_id)
        assert asset is not None  # random_id picked it under the same (held) lock
        what = self.rng.choice(("status", "location", "assignedToUser"))
        if what == "status":
            asset["status"] = "inactive" if asset.get("status") == "active" else "active"
        elif what == "location" and self.plant.areas:
            asset["location"] = self.rng.choice(self.plant.areas)
        elif self.plant.techs:
            tech = self.rng.choice(self.plant.techs)
            asset.update(assignedToUser=tech[0], assignedToUsername=tech[1])
        asset["updatedAt"] = iso(at)
        self.store.put(spec, asset)
        return {"op": "update", "entity": spec.name, "id": asset_id, "fields": [what]}

    def _part_update(self, at: int) -> dict | None:
        spec = ENTITIES["parts"]
        part_id = self.store.random_id(spec, self.rng)
        if part_id is None:
            return None
        part = self.store.get(spec, part_id)
        assert part is not None  # random_id picked it under the same (held) lock
        quantity = int(float(part.get("quantity") or 0))
        quantity = (
            quantity + self.rng.randint(5, 20)
            if self.rng.random() < 0.3
            else max(0, quantity - self.rng.randint(1, 3))
        )
        part.update(quantity=str(quantity), updatedAt=iso(at))
        self.store.put(spec, part)
        return {"op": "update", "entity": spec.name, "id": part_id, "fields": ["quantity"]}

    def apply(
        self,
        op: str,
        entity: str,
        obj_id: str | None = None,
        fields: dict[str, Any] | None = None,
        at: int | None = None,
    ) -> dict:
        """One specific change. ``update`` merges ``fields`` (one level deep for nested objects such
        as a PM item's ``trigger``); ``create`` builds a full work order for ``work_orders`` and
        otherwise stores ``fields`` as the object; ``delete`` removes the row; ``inject`` stores
        ``fields`` exactly as given (missing ``createdAt``/``updatedAt`` stamped) under the row id
        ``obj_id`` (or a new one), so a malformed object, even one without a usable ``id``, is
        listed like any other until deleted by that row id. Random changes leave injected objects
        alone only if none of their entity's rows are picked: inject with live changes off. Raises
        KeyError for an unknown entity or id, ValueError for a bad op."""
        spec = resolve(entity)
        stamp = at or now_ms()
        fields = dict(fields or {})
        with self.store.lock:
            if op == "delete":
                if not obj_id or not self.store.delete(spec, obj_id):
                    raise KeyError(f"{spec.label} {obj_id} not found")
                if spec.name == "assets":
                    self.plant.assets = [a for a in self.plant.assets if a[0] != obj_id]
                return {"op": op, "entity": spec.name, "id": obj_id}
            if op == "inject":
                key = obj_id or f"injected-{new_id(self.rng)}"
                stamped = spec.stamps(fields)
                stamped.setdefault("createdAt", iso(stamp))
                stamped.setdefault("updatedAt", iso(stamp))
                self.store.put(spec, fields, key=key)
                return {"op": op, "entity": spec.name, "id": key}
            if op == "update":
                payload = self.store.get(spec, obj_id) if obj_id else None
                if payload is None:
                    raise KeyError(f"{spec.label} {obj_id} not found")
                for key, value in fields.items():
                    if isinstance(value, dict) and isinstance(payload.get(key), dict):
                        payload[key] = {**payload[key], **value}
                    else:
                        payload[key] = value
                if "updatedAt" not in fields:
                    spec.stamps(payload)["updatedAt"] = iso(stamp)
            elif op == "create":
                payload = self._new(spec, fields, stamp)
            else:
                raise ValueError(f"op must be update, create, delete or inject, not {op!r}")
            self.store.put(spec, payload)
        return {"op": op, "entity": spec.name, "id": spec.stamps(payload)["id"]}

    def _new(self, spec: Any, fields: dict[str, Any], stamp: int) -> dict:
        if spec.name == "work_orders":
            base = make_work_order(
                self.rng, self.plant, stamp, self.store.next_number("workOrderNo"), stamp, status="open"
            )
            base["createdAt"] = base["updatedAt"] = iso(stamp)
            return {**base, **fields}
        if spec.name == "preventive_maintenance":
            trigger = {
                "id": new_id(self.rng),
                "createdAt": iso(stamp),
                "updatedAt": iso(stamp),
                **fields.get("trigger", {}),
            }
            return {"trigger": trigger, "workOrder": fields.get("workOrder", {"title": vocab.PM_TASKS[0]})}
        if spec.parent and not fields.get(spec.parent):
            raise ValueError(f"creating a {spec.label} needs its {spec.parent!r} field")
        return {"id": new_id(self.rng), "createdAt": iso(stamp), "updatedAt": iso(stamp), **fields}


class LiveStream:
    """A background thread applying ``rate`` random changes per second until stopped."""

    def __init__(self, mutator: Mutator) -> None:
        self.mutator = mutator
        self.rate = 0.0
        self.applied = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def set_rate(self, changes_per_second: float) -> None:
        """Start, retune or (with 0) stop the stream."""
        if changes_per_second < 0:
            raise ValueError("changes_per_second must not be negative")
        self.rate = changes_per_second
        if changes_per_second == 0:
            self.stop()
        elif self._thread is None or not self._thread.is_alive():
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="upkeep-emulator-live", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def _run(self) -> None:
        while self.rate > 0 and not self._stop.wait(1.0 / self.rate):
            try:
                self.applied += len(self.mutator.random_changes(1))
            except Exception:
                if self._stop.is_set():
                    return
                raise
