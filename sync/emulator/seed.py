"""Deterministic seeding of the emulator's state, and reuse of a state file seeded earlier.

Each entity draws from its own rng, named after the seed and the entity, so the same
(seed, work_orders, epoch, email) always yields byte-identical data, ids included.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from dataclasses import dataclass

from sync.emulator import plant as plant_gen
from sync.emulator import vocab, workload
from sync.emulator.entities import ENTITIES
from sync.emulator.fieldwork import seed_fieldwork
from sync.emulator.plant import Plant
from sync.emulator.store import Store


@dataclass(frozen=True)
class Scale:
    """Counts of every entity, derived from the number of work orders (with sane minimums)."""

    work_orders: int

    def _between(self, value: int, low: int, high: int) -> int:
        return max(low, min(high, value))

    @property
    def users(self) -> int:
        return self._between(8 + self.work_orders // 2500, 8, 400)

    @property
    def teams(self) -> int:
        return self._between(self.users // 6, 3, 40)

    @property
    def buildings(self) -> int:
        return self._between(3 + self.work_orders // 100_000, 3, len(vocab.BUILDINGS))

    @property
    def assets(self) -> int:
        return self._between(self.work_orders // 20, 30, 50_000)

    @property
    def parts(self) -> int:
        return self._between(self.work_orders // 50, 40, 20_000)

    @property
    def vendors(self) -> int:
        return self._between(self.work_orders // 2500, 6, 400)

    @property
    def customers(self) -> int:
        return self._between(self.work_orders // 5000, 3, 200)

    @property
    def pm_triggers(self) -> int:
        return self._between(self.assets // 3, 10, 10_000)

    @property
    def meters(self) -> int:
        return self._between(self.assets // 8, 5, 5_000)

    readings_per_meter = 24

    @property
    def requests(self) -> int:
        return max(10, self.work_orders // 20)

    @property
    def purchase_orders(self) -> int:
        return max(6, self.work_orders // 100)


def rng_for(seed: int, stream: str) -> random.Random:
    """The rng of one named stream of one seed (string seeding is stable across processes)."""
    return random.Random(f"upkeep-emulator:{seed}:{stream}")


def fingerprint(*, seed: int, work_orders: int, epoch: int, email: str) -> str:
    """What a state file must have been seeded with to be reused as is."""
    return json.dumps(
        {"seed": seed, "work_orders": work_orders, "epoch": epoch, "email": email, "version": 2}
    )


def seed_store(store: Store, *, seed: int, work_orders: int, epoch: int, email: str) -> Plant:
    """Create the schema and fill it; returns the plant context. Memory stays O(assets + parts)."""
    scale = Scale(work_orders)
    plant = Plant(epoch=epoch)
    store.create_schema()
    put = store.insert_many
    put(ENTITIES["users"], plant_gen.users(rng_for(seed, "users"), plant, scale.users, email))
    put(ENTITIES["teams"], plant_gen.teams(rng_for(seed, "teams"), plant, scale.teams))
    put(ENTITIES["locations"], plant_gen.locations(rng_for(seed, "locations"), plant, scale.buildings))
    put(ENTITIES["vendors"], plant_gen.vendors(rng_for(seed, "vendors"), plant, scale.vendors))
    put(ENTITIES["customers"], plant_gen.customers(rng_for(seed, "customers"), plant, scale.customers))
    put(ENTITIES["assets"], plant_gen.assets(rng_for(seed, "assets"), plant, scale.assets))
    put(ENTITIES["parts"], plant_gen.parts(rng_for(seed, "parts"), plant, scale.parts))

    meters: list[dict] = []

    def readings() -> Iterator[dict]:
        series = plant_gen.meters_and_readings(
            rng_for(seed, "meters"), plant, scale.meters, scale.readings_per_meter
        )
        for kind, payload in series:
            if kind == "meters":
                meters.append(payload)
            else:
                yield payload

    put(ENTITIES["meter_readings"], readings())
    put(ENTITIES["meters"], meters)
    put(
        ENTITIES["preventive_maintenance"],
        workload.pm_triggers(rng_for(seed, "pm"), plant, scale.pm_triggers),
    )
    put(ENTITIES["work_orders"], workload.work_orders(rng_for(seed, "work_orders"), plant, work_orders))
    put(ENTITIES["requests"], workload.requests(rng_for(seed, "requests"), plant, scale.requests))
    put(
        ENTITIES["purchase_orders"],
        workload.purchase_orders(rng_for(seed, "pos"), plant, scale.purchase_orders),
    )
    seed_fieldwork(store, plant, lambda stream: rng_for(seed, stream))
    store.create_indexes()
    store.set_meta("workOrderNo", str(work_orders))
    store.set_meta("fingerprint", fingerprint(seed=seed, work_orders=work_orders, epoch=epoch, email=email))
    return plant


def load_plant(store: Store, epoch: int, email: str) -> Plant:
    """Rebuild the plant context from a state file (after restarts, and as live changes see it)."""
    plant = Plant(epoch=epoch)
    for uid, kind, mail in store.column_values(ENTITIES["users"], "id, accountType, email"):
        if mail == email:
            plant.admin = (uid, mail)
        elif kind == "ADMIN":
            plant.planners.append((uid, mail))
        elif kind in ("TECH", "LIMITED_TECH"):
            plant.techs.append((uid, mail))
    plant.teams = [r[0] for r in store.column_values(ENTITIES["teams"], "id")]
    rows = store.column_values(ENTITIES["locations"], "id, parentLocation, name")
    plant.site = next((lid for lid, parent, _ in rows if parent is None), "")
    for lid, parent, name in rows:
        if parent is None:
            continue
        if name == vocab.STOREROOM:
            plant.storeroom = lid
        else:
            (plant.buildings if parent == plant.site else plant.areas).append(lid)
    plant.vendors = [r[0] for r in store.column_values(ENTITIES["vendors"], "id")]
    plant.customers = [r[0] for r in store.column_values(ENTITIES["customers"], "id")]
    plant.assets = store.column_values(ENTITIES["assets"], "id, name, category, location")
    plant.parts = [
        (pid, float(cost or 0))
        for pid, cost in store.column_values(ENTITIES["parts"], "id, json_extract(payload, '$.cost')")
    ]
    return plant
