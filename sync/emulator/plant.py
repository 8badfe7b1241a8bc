"""The physical plant: locations, people, vendors, customers, assets, parts, meters and readings.

Generators yield API payloads one at a time and record just enough of each object in a
:class:`Plant` (ids, names, categories) for the work-order generators and the live change stream
to refer to. Everything is drawn from the rng passed in, and times are laid out relative to the
plant's epoch, never to the wall clock.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field

from sync.emulator import vocab
from sync.emulator.values import DAY_MS, HOUR_MS, iso, new_id

HISTORY_DAYS = 3 * 365


@dataclass
class Plant:
    """What later generators need to know about the plant: ids with a little context each."""

    epoch: int
    admin: tuple[str, str] = ("", "")
    techs: list[tuple[str, str]] = field(default_factory=list)  # (id, email)
    planners: list[tuple[str, str]] = field(default_factory=list)
    teams: list[str] = field(default_factory=list)
    site: str = ""
    buildings: list[str] = field(default_factory=list)
    areas: list[str] = field(default_factory=list)
    storeroom: str = ""
    vendors: list[str] = field(default_factory=list)
    customers: list[str] = field(default_factory=list)
    assets: list[tuple[str, str, str, str]] = field(default_factory=list)  # (id, name, category, location)
    parts: list[tuple[str, float]] = field(default_factory=list)  # (id, unit cost)

    @property
    def history_start(self) -> int:
        return self.epoch - HISTORY_DAYS * DAY_MS

    @property
    def people(self) -> list[tuple[str, str]]:
        return [self.admin, *self.planners, *self.techs]


def _stamps(rng: random.Random, plant: Plant, created: int, churn: float = 0.5) -> dict:
    """createdAt and an updatedAt somewhere between creation and the epoch."""
    updated = created if rng.random() > churn else rng.randint(created, plant.epoch - 1)
    return {"createdAt": iso(created), "updatedAt": iso(updated)}


def _phone(rng: random.Random) -> str:
    return f"+1 951-{rng.randint(200, 999)}-{rng.randint(1000, 9999)}"


def users(rng: random.Random, plant: Plant, count: int, email: str) -> Iterator[dict]:
    """One admin (the login user), a few planners, and technicians."""
    planners = max(2, count // 6)
    for i in range(count):
        uid = new_id(rng)
        first, last = rng.choice(vocab.FIRST_NAMES), rng.choice(vocab.LAST_NAMES)
        if i == 0:
            kind, title, mail = "ADMIN", "Maintenance Manager", email
            plant.admin = (uid, mail)
        else:
            mail = f"{first}.{last}{i}@riverside-plant.example".lower()
            if i <= planners:
                kind, title = "ADMIN", rng.choice(vocab.PLANNER_TITLES)
                plant.planners.append((uid, mail))
            else:
                kind, title = (
                    rng.choice(("TECH", "TECH", "TECH", "LIMITED_TECH")),
                    rng.choice(vocab.TECH_TITLES),
                )
                plant.techs.append((uid, mail))
        created = plant.history_start - rng.randint(60, 500) * DAY_MS - rng.randint(0, DAY_MS)
        yield {
            "id": uid,
            "accountType": kind,
            "email": mail,
            "firstName": first,
            "lastName": last,
            "phoneNumber": _phone(rng),
            "userStatus": rng.choice(("on call", "available", "off shift")),
            "jobTitle": title,
            "isLocationBased": False,
            "dateOfLastLogin": iso(plant.epoch - rng.randint(0, 30 * DAY_MS)),
            **_stamps(rng, plant, created),
        }


def teams(rng: random.Random, plant: Plant, count: int) -> Iterator[dict]:
    for i in range(count):
        name, description = vocab.TEAMS[i % len(vocab.TEAMS)]
        if i >= len(vocab.TEAMS):
            name = f"{name} {i // len(vocab.TEAMS) + 1}"
        tid = new_id(rng)
        plant.teams.append(tid)
        created = plant.history_start - rng.randint(30, 400) * DAY_MS
        yield {"id": tid, "name": name, "description": description, **_stamps(rng, plant, created)}


def locations(rng: random.Random, plant: Plant, buildings: int) -> Iterator[dict]:
    """A site, its buildings, the areas inside them, and the storeroom where parts are kept."""
    name, address, lon, lat = vocab.SITE
    created = plant.history_start - 600 * DAY_MS

    def make(loc_name: str, parent: str | None, when: int) -> dict:
        lid = new_id(rng)
        return {
            "id": lid,
            "createdByUser": plant.admin[0],
            "createdByUsername": plant.admin[1],
            "name": loc_name,
            "address": address,
            "longitude": round(lon + rng.uniform(-0.002, 0.002), 6),
            "latitude": round(lat + rng.uniform(-0.002, 0.002), 6),
            "hideMap": "0",
            "parentLocation": parent,
            **_stamps(rng, plant, when, churn=0.2),
        }

    site = make(name, None, created)
    plant.site = site["id"]
    yield site
    for b in range(buildings):
        building = make(vocab.BUILDINGS[b], plant.site, created + (b + 1) * HOUR_MS)
        plant.buildings.append(building["id"])
        yield building
        for area in rng.sample(vocab.AREAS, rng.randint(3, 5)):
            loc = make(f"{vocab.BUILDINGS[b]} / {area}", building["id"], created + (b + 1) * HOUR_MS + 60_000)
            plant.areas.append(loc["id"])
            yield loc
    store = make(vocab.STOREROOM, plant.site, created + DAY_MS)
    plant.storeroom = store["id"]
    yield store


def vendors(rng: random.Random, plant: Plant, count: int) -> Iterator[dict]:
    for i in range(count):
        base = vocab.VENDORS[i % len(vocab.VENDORS)]
        name = base if i < len(vocab.VENDORS) else f"{base} ({i // len(vocab.VENDORS) + 1})"
        slug = "".join(ch for ch in base.lower() if ch.isalnum())
        vid = new_id(rng)
        plant.vendors.append(vid)
        created = plant.history_start - rng.randint(10, 500) * DAY_MS
        yield {
            "id": vid,
            "businessName": name,
            "email": f"service@{slug}.example",
            "description": f"{base} - parts and field service",
            "businessAddress": f"{rng.randint(10, 9999)} Commerce Way, Ontario, CA",
            "phoneNumber": _phone(rng),
            "website": f"www.{slug}.example",
            "type": rng.choice(vocab.VENDOR_TYPES),
            "mainPointOfContact": f"{rng.choice(vocab.FIRST_NAMES)} {rng.choice(vocab.LAST_NAMES)}",
            "customFieldsVendor": [],
            **_stamps(rng, plant, created),
        }


def customers(rng: random.Random, plant: Plant, count: int) -> Iterator[dict]:
    for i in range(count):
        base = vocab.CUSTOMERS[i % len(vocab.CUSTOMERS)]
        name = base if i < len(vocab.CUSTOMERS) else f"{base} {i // len(vocab.CUSTOMERS) + 1}"
        slug = "".join(ch for ch in base.lower() if ch.isalnum())
        cid = new_id(rng)
        plant.customers.append(cid)
        created = plant.history_start + rng.randint(0, HISTORY_DAYS - 1) * DAY_MS
        contact = f"{rng.choice(vocab.FIRST_NAMES)} {rng.choice(vocab.LAST_NAMES)}"
        yield {
            "id": cid,
            "name": name,
            "email": f"maintenance@{slug}.example",
            "description": f"Toll-manufacturing customer ({contact})",
            "address": f"{rng.randint(10, 999)} Market Street, Riverside, CA",
            "phoneNumber": _phone(rng),
            "website": f"www.{slug}.example",
            "type": rng.choice(("Contract", "Daily-User", "Internal")),
            "billingName": contact,
            "billingAddressLine1": f"{rng.randint(1, 99)} {name} Plaza",
            "billingAddressLine2": "Accounts Payable",
            "billingAddressLine3": "CA",
            "customFieldsCustomer": [],
            **_stamps(rng, plant, created),
        }


def assets(rng: random.Random, plant: Plant, count: int) -> Iterator[dict]:
    """Systems at the top, equipment under them, drive motors under equipment; ~5% of assets carry
    the zone-less timestamps the reference shows for assets."""
    kinds = list(vocab.ASSET_KINDS)
    depth: list[int] = []
    systems = min(len(vocab.SYSTEMS), max(2, count // 15))
    for i in range(count):
        aid = new_id(rng)
        category = rng.choice(kinds)
        nouns, prefix, models, _ = vocab.ASSET_KINDS[category]
        parent, level = None, 0
        if i < systems:
            name, location = vocab.SYSTEMS[i], rng.choice(plant.buildings)
        else:
            name = f"{rng.choice(nouns)} {prefix}-{100 + i}"
            location = rng.choice(plant.areas)
            roll = rng.random()
            if roll < 0.5:
                pick = rng.randrange(systems)
            elif roll < 0.7 and i > systems:
                pick = rng.randrange(systems, i)
            else:
                pick = None
            if pick is not None and depth[pick] < 2:
                parent, level = plant.assets[pick][0], depth[pick] + 1
                location = plant.assets[pick][3] if rng.random() < 0.8 else location
        depth.append(level)
        plant.assets.append((aid, name, category, location))
        created = (
            plant.history_start - rng.randint(30, 400) * DAY_MS
            if rng.random() < 0.85
            else plant.history_start + rng.randint(0, HISTORY_DAYS - 30) * DAY_MS
        ) + rng.randint(0, DAY_MS)
        updated = rng.randint(created, plant.epoch - 1) if rng.random() < 0.6 else created
        zoneless = rng.random() < 0.05
        owner = rng.choice(plant.people)
        assignee = rng.choice(plant.techs) if rng.random() < 0.4 else None
        in_service = created - rng.randint(0, 90) * DAY_MS
        price = rng.randrange(800, 250_000, 50)
        serial = f"{rng.randint(10**10, 10**11 - 1)}"
        yield {
            "id": aid,
            "name": name,
            "serial": serial,
            "serialNumber": f"SN-{rng.randint(100000, 999999)}",
            "barcode": serial,
            "model": rng.choice(models),
            "additionalInformation": None,
            "notes": None,
            "purchaseDate": iso(in_service - 30 * DAY_MS),
            "placedInServiceDate": iso(in_service),
            "warrantyExpiration": iso(in_service + rng.choice((1, 2, 3, 5)) * 365 * DAY_MS),
            "purchasePrice": price,
            "residualValue": price // 10,
            "usefulLife": {"quantity": rng.choice((5, 10, 15, 20)), "units": "years"},
            "location": location,
            "status": "inactive" if rng.random() < 0.07 else "active",
            "description": f"{name} ({category.lower()})",
            "category": category,
            "manufacturerVendor": rng.choice(plant.vendors) if rng.random() < 0.8 else None,
            "parentAsset": parent,
            "assignedToUser": assignee[0] if assignee else None,
            "assignedToUsername": assignee[1] if assignee else None,
            "createdByUser": owner[0],
            "createdByUsername": owner[1],
            "availabilityStatus": "available",
            "downtimeStatus": "available",
            "availabilityTrackingOn": False,
            "files": [],
            "customFields": [],
            "createdAt": iso(created, z=not zoneless),
            "updatedAt": iso(updated, z=not zoneless),
        }


def parts(rng: random.Random, plant: Plant, count: int) -> Iterator[dict]:
    """Storeroom stock; about 15% sit at or below their reorder level (``minimumQuantity``)."""
    for i in range(count):
        name, category, prefix, base_cost = vocab.PARTS[i % len(vocab.PARTS)]
        if i >= len(vocab.PARTS):
            name = f"{name} (variant {i // len(vocab.PARTS) + 1})"
        cost = round(base_cost * rng.uniform(0.85, 1.25), 2)
        minimum = rng.randint(2, 20)
        quantity = (
            rng.randint(0, minimum) if rng.random() < 0.15 else rng.randint(minimum + 1, minimum * 4 + 5)
        )
        pid = new_id(rng)
        plant.parts.append((pid, cost))
        created = plant.history_start - rng.randint(0, 300) * DAY_MS + rng.randint(0, DAY_MS)
        owner = rng.choice([plant.admin, *plant.planners])
        yield {
            "id": pid,
            "name": name,
            "description": f"{category} stock item {prefix}-{1000 + i}",
            "cost": f"{cost:.2f}",
            "quantity": str(quantity),
            "minimumQuantity": str(minimum),
            "serial": f"{rng.randint(10**7, 10**8 - 1)}",
            "partId": None,
            "partName": f"{prefix}-{1000 + i}",
            "area": f"Bin {rng.choice('ABCDEFG')}-{rng.randint(1, 40):02d}",
            "details": None,
            "category": category,
            "location": plant.storeroom,
            "createdByUser": owner[0],
            "customFieldsPart": [],
            **_stamps(rng, plant, created, churn=0.7),
        }


def meters_and_readings(
    rng: random.Random, plant: Plant, count: int, per_meter: int
) -> Iterator[tuple[str, dict]]:
    """Meters on assets, each with a series of readings ending shortly before the epoch; yields
    ("meters" | "meter_readings", payload)."""
    for _ in range(count):
        aid, name, category, location = rng.choice(plant.assets)
        meter_name, units, low, high = vocab.ASSET_KINDS[category][3]
        frequency = rng.choice((1, 7, 7, 30))
        mid = new_id(rng)
        owner = rng.choice([plant.admin, *plant.planners])
        first = plant.epoch - (per_meter + 1) * frequency * DAY_MS
        created = first - rng.randint(DAY_MS, 400 * DAY_MS)
        value = rng.uniform(low, high) if units != "hours" else low
        last_id, last_at = None, first
        for n in range(per_meter):
            at = first + n * frequency * DAY_MS + rng.randint(0, 8 * HOUR_MS)
            value = value + rng.uniform(20, 24 * frequency) if units == "hours" else rng.uniform(low, high)
            last_id, last_at = new_id(rng), at
            yield (
                "meter_readings",
                {
                    "id": last_id,
                    "date": iso(at),
                    "meter": mid,
                    "value": round(value, 2),
                    "createdByUser": rng.choice(plant.techs)[0],
                    "createdAt": iso(at + 60_000),
                    "updatedAt": iso(at + 60_000),
                },
            )
        yield (
            "meters",
            {
                "id": mid,
                "name": f"{meter_name} - {name}",
                "units": units,
                "frequency": frequency,
                "createdByUser": owner[0],
                "location": location,
                "asset": aid,
                "lastReading": last_id,
                "createdAt": iso(created),
                "updatedAt": iso(last_at + 60_000),
            },
        )
