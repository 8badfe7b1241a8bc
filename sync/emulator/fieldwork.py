"""Seeding of what a technician meets at the machine: checklists, files, downtime statuses, custom fields.

Runs after the main seed, from its own rng streams, so the other entities stay byte-identical to
what they were before this existed. It decorates existing objects in place (their ``updatedAt``
unchanged, as if the decoration had always been there):

- **asset custom fields** (definitions under ``/custom-fields/assets``) with values on most assets,
  and custom fields on locations, parts and purchase orders (``name``/``value``/``unit`` lists);
- **asset downtime statuses** (the account's custom ones);
- **form templates** (checklists) and, on recent preventive and inspection work orders, their
  ``formItems`` (kept in the ``form_items`` table; the work order holds the ids, as lists show them);
- **files**: equipment manuals and wiring diagrams (PDF) and nameplate photos (PNG) on assets, photos
  of the job on recent reactive work orders, one very large "3D scan" on the first system, so a
  default 500 MB budget has something to skip. Content is generated (see ``content.py``).
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable

from sync.emulator.content import content_url
from sync.emulator.entities import ENTITIES
from sync.emulator.plant import Plant
from sync.emulator.store import Store, dumps
from sync.emulator.values import DAY_MS, iso, new_id, parse_ms

CUSTOM_FIELDS = (  # (name, type, decimalPrecision, options)
    ("Rated power (kW)", "number", 1, None),
    ("Criticality class", "dropdown", None, ["A", "B", "C"]),
    ("Last overhaul", "date", None, None),
    ("Replacement value", "currency", 2, None),
    ("Asset tag", "singleLineText", None, None),
    ("Lockout points", "multiLineText", None, None),
)
DOWNTIME_STATUSES = ("Under Maintenance", "Waiting for Parts", "Breakdown", "Planned Shutdown")
FORM_TEMPLATES = (
    (
        "Pump PM checklist",
        "Monthly preventive maintenance of centrifugal pumps.",
        [
            ("Isolate and lock out the pump", "TASK", None),
            ("Mechanical seal leak check", "CHECKLIST", None),
            ("Bearing temperature (degC)", "NUMBER", None),
            ("Vibration reading", "METER", None),
            ("Coupling condition", "MULTIPLE_CHOICE", ["Good", "Worn", "Replace"]),
            ("Remarks", "TEXT", None),
        ],
    ),
    (
        "Daily Rounds",
        "These tasks and checks should be performed every day at the end of each shift.",
        [
            ("Check, close, and lock windows", "TASK", None),
            ("Guards in place", "CHECKLIST", None),
            ("Shift", "MULTIPLE_CHOICE", ["1st", "2nd", "3rd"]),
            ("Inspected by", "TEXT", None),
        ],
    ),
    (
        "Electrical inspection",
        "Quarterly inspection of motors and panels.",
        [
            ("Thermal scan of terminals", "CHECKLIST", None),
            ("Insulation resistance (MOhm)", "NUMBER", None),
            ("Tighten terminal screws", "TASK", None),
            ("Panel condition", "MULTIPLE_CHOICE", ["OK", "Dusty", "Damaged"]),
        ],
    ),
)
TASK_VALUES = ("OPEN", "ON_HOLD", "IN_PROGRESS", "COMPLETE")
CHECK_VALUES = ("PASS", "FLAG", "FAIL")
CHECKLIST_WINDOW_DAYS = 90
KB, MB = 1024, 1024 * 1024


def _file(rng: random.Random, created: int, filename: str, mime: str, size: int) -> dict:
    fid = new_id(rng)
    # The reference's file object has no size: the emulator keeps it in file_content (see Store).
    return {
        "id": fid,
        "filename": filename,
        "url": content_url(fid, filename),
        "mimeType": mime,
        "createdAt": iso(created),
        "_size": size,
    }


def seed_fieldwork(store: Store, plant: Plant, rng_for: Callable[[str], random.Random]) -> None:
    """Add the field-work objects to a freshly seeded store (deterministic from ``rng_for``)."""
    rng = rng_for("fieldwork")
    admin = plant.admin[0]
    base = plant.history_start - 400 * DAY_MS
    defs = []
    for i, (name, kind, precision, options) in enumerate(CUSTOM_FIELDS):
        defs.append(
            {
                "id": new_id(rng),
                "name": name,
                "type": kind,
                "options": options,
                "decimalPrecision": precision,
                "createdAt": iso(base + i * DAY_MS),
                "updatedAt": None,
                "createdByUser": admin,
            }
        )
    store.insert_many(ENTITIES["custom_fields_assets"], defs)
    store.insert_many(
        ENTITIES["asset_downtime_statuses"],
        (
            {
                "id": new_id(rng),
                "name": name,
                "createdAt": iso(base + i * DAY_MS),
                "updatedAt": iso(base + i * DAY_MS),
            }
            for i, name in enumerate(DOWNTIME_STATUSES)
        ),
    )
    meters = store.column_values(ENTITIES["meters"], "id, asset")
    templates = []
    for i, (name, description, items) in enumerate(FORM_TEMPLATES):
        templates.append(
            {
                "Name": name,
                "userCreated": admin,
                "description": description,
                "createdAt": iso(base + i * DAY_MS),
                "updatedAt": iso(base + (i + 30) * DAY_MS),
                "id": new_id(rng),
                "formItems": [
                    {
                        "name": n,
                        "type": "METER_READING" if t == "METER" else t,
                        **({"options": o} if o else {}),
                        **({"meter": meters[i % len(meters)][0]} if t == "METER" and meters else {}),
                    }
                    for n, t, o in items
                ],
            }
        )
    store.insert_many(ENTITIES["form_templates"], templates)
    files: list[dict] = []
    _decorate_assets(store, plant, rng_for("fieldwork:assets"), defs, files)
    _decorate_work_orders(store, plant, rng_for("fieldwork:work_orders"), templates, meters, files)
    _decorate_named_fields(store, rng_for("fieldwork:named"), admin)
    store.add_generated_files([(f["id"], f.pop("_size"), f["mimeType"]) for f in files])
    store.insert_many(ENTITIES["files"], files)


def _value_of(rng: random.Random, definition: dict, asset: dict) -> dict:
    kind = definition["type"]
    value: dict = {
        "singleLineTextValue": None,
        "multiLineTextValue": None,
        "numberValue": None,
        "dateValue": None,
        "currencyValue": None,
        "dropdownValue": None,
    }
    if kind == "number":
        value["numberValue"] = round(rng.uniform(0.5, 250), 1)
    elif kind == "dropdown":
        value["dropdownValue"] = rng.choice(definition["options"])
    elif kind == "date":
        created = parse_ms(asset["createdAt"])
        assert created is not None  # the seed's own timestamp
        value["dateValue"] = iso(created + rng.randint(30, 900) * DAY_MS)
    elif kind == "currency":
        value["currencyValue"] = round(float(asset.get("purchasePrice") or 1000) * rng.uniform(0.9, 1.6), 2)
    elif kind == "singleLineText":
        value["singleLineTextValue"] = f"RV-{rng.randint(1000, 9999)}"
    else:
        value["multiLineTextValue"] = "Main disconnect in MCC room\nLocal isolator at the machine"
    return {
        **value,
        "createdBy": definition["createdByUser"],
        "createdAt": asset["createdAt"],
        "updatedAt": None,
    }


def _decorate_assets(
    store: Store, plant: Plant, rng: random.Random, defs: list[dict], files: list[dict]
) -> None:
    spec = ENTITIES["assets"]
    out = []
    for i, text in enumerate(store.iter_payloads(spec)):
        asset = json.loads(text)
        created = parse_ms(asset["createdAt"])
        assert created is not None  # the seed's own timestamp
        chosen = [d for d in defs if rng.random() < 0.7]
        asset["customFields"] = [
            {
                **{
                    k: d[k]
                    for k in (
                        "id",
                        "name",
                        "type",
                        "decimalPrecision",
                        "options",
                        "createdByUser",
                        "createdAt",
                        "updatedAt",
                    )
                },
                "fieldValue": _value_of(rng, d, asset),
            }
            for d in chosen
        ]
        ids = []
        slug = asset["name"].replace(" ", "_").replace("/", "-")
        if rng.random() < 0.45:
            f = _file(rng, created, f"{slug}_manual.pdf", "application/pdf", rng.randint(200 * KB, 1500 * KB))
            files.append(f)
            ids.append(f["id"])
        if rng.random() < 0.2:
            f = _file(rng, created, f"{slug}_wiring.pdf", "application/pdf", rng.randint(100 * KB, 1 * MB))
            files.append(f)
            ids.append(f["id"])
        if rng.random() < 0.35:
            f = _file(rng, created, f"{slug}_nameplate.png", "image/png", rng.randint(60 * KB, 500 * KB))
            files.append(f)
            asset["image"] = {"name": f["filename"], "url": f["url"]}
        if i == 0:
            f = _file(rng, created, f"{slug}_3d_scan.zip", "application/zip", 600 * MB)
            files.append(f)
            ids.append(f["id"])
        asset["files"] = ids
        out.append(asset)
    store.put_many(spec, out)


def _decorate_work_orders(
    store: Store, plant: Plant, rng: random.Random, templates: list[dict], meters: list, files: list[dict]
) -> None:
    spec = ENTITIES["work_orders"]
    since = plant.epoch - CHECKLIST_WINDOW_DAYS * DAY_MS
    meter_of = {asset: mid for mid, asset in meters}
    decorated = []
    with store.lock:
        rows = store.db.execute(
            "SELECT payload FROM work_orders WHERE createdAt >= ? ORDER BY createdAt, id", (since,)
        ).fetchall()
    items_rows = []
    for (text,) in rows:
        wo = json.loads(text)
        created = parse_ms(wo["createdAt"])
        assert created is not None  # the seed's own timestamp
        changed = False
        if wo["category"] in ("Preventive", "Inspection") and rng.random() < 0.8:
            template = rng.choice(templates)
            ids = []
            for pos, item in enumerate(template["formItems"]):
                kind = "METER" if item["type"] == "METER_READING" else item["type"]
                obj = {"id": new_id(rng), "name": item["name"], "type": kind, "value": None}
                if "options" in item:
                    obj["options"] = list(item["options"])
                if kind == "METER":
                    obj["meter"] = meter_of.get(wo.get("asset")) or item.get("meter")
                done = wo["status"] == "complete" or rng.random() < 0.2
                obj["value"] = _item_value(rng, obj, done)
                items_rows.append((obj["id"], wo["id"], pos, dumps(obj)))
                ids.append(obj["id"])
            wo["formItems"] = ids
            changed = True
        if wo["category"] in ("Reactive", "Damage", "Electrical") and rng.random() < 0.4:
            photos = []
            for n in range(rng.randint(1, 3)):
                f = _file(
                    rng,
                    created + (n + 1) * 60_000,
                    f"IMG_{rng.randint(1000, 9999)}.png",
                    "image/png",
                    rng.randint(150 * KB, 2 * MB),
                )
                files.append(f)
                photos.append(f)
            wo["files"] = [f["id"] for f in photos]
            wo["image"] = {"__type": "File", "name": photos[0]["filename"], "url": photos[0]["url"]}
            changed = True
        if changed:
            decorated.append(wo)
    store.put_many(spec, decorated)
    with store.lock:
        store.db.execute("BEGIN")
        store.db.executemany(
            "INSERT INTO form_items(id, workOrder, pos, payload) VALUES (?, ?, ?, ?)", items_rows
        )
        store.db.execute("COMMIT")


def _item_value(rng: random.Random, item: dict, done: bool) -> object:
    kind = item["type"]
    if kind == "TASK":
        return "COMPLETE" if done else rng.choice(("OPEN", "OPEN", "IN_PROGRESS"))
    if not done:
        return None
    if kind == "CHECKLIST":
        return rng.choices(CHECK_VALUES, (85, 10, 5))[0]
    if kind == "NUMBER":
        return round(rng.uniform(20, 80), 1)
    if kind == "METER":
        return round(rng.uniform(1, 12), 2)
    if kind == "MULTIPLE_CHOICE":
        return rng.choice(item["options"])
    return rng.choice(("All fine", "Slight noise from the drive end", "Re-greased"))


def _decorate_named_fields(store: Store, rng: random.Random, admin: str) -> None:
    """name/value/unit custom fields on locations, parts and purchase orders."""
    plans = (
        ("locations", "customFieldsLocation", "location", (("Fire zone", None), ("Floor area", "m2"))),
        ("parts", "customFieldsPart", "partInventory", (("Shelf life", "months"), ("Hazard class", None))),
        ("purchase_orders", "customFieldsPO", "purchaseOrder", (("SAPPONumber", None),)),
    )
    for entity, key, owner, fields in plans:
        spec = ENTITIES[entity]
        out = []
        for text in store.iter_payloads(spec):
            obj = json.loads(text)
            values = []
            for name, unit in fields:
                if rng.random() < 0.5:
                    continue
                value = {
                    "Fire zone": lambda: rng.choice(("FZ-1", "FZ-2", "FZ-3")),
                    "Floor area": lambda: str(rng.randint(40, 2400)),
                    "Shelf life": lambda: str(rng.choice((6, 12, 24, 60))),
                    "Hazard class": lambda: rng.choice(("none", "flammable", "corrosive")),
                    "SAPPONumber": lambda: f"110-{rng.randint(100, 999)}",
                }[name]()
                values.append(
                    {
                        "id": new_id(rng),
                        "name": name,
                        "value": value,
                        **({"unit": unit} if unit else {}),
                        owner: obj["id"],
                        "user": admin,
                        "createdAt": obj["createdAt"],
                        "updatedAt": obj["createdAt"],
                    }
                )
            if values:
                obj[key] = values
                out.append(obj)
        store.put_many(spec, out)
