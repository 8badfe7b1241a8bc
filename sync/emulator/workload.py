"""The work done on the plant: work orders, preventive-maintenance triggers, requests, purchase orders.

:func:`make_work_order` is shared by the seeder (history) and the live change stream (new work
arriving now), so both produce the same shapes: ``priority`` as a string, references as id strings
or null, status one of open/onHold/inProgress/complete, costs and times as strings.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

from sync.emulator import vocab
from sync.emulator.plant import HISTORY_DAYS, Plant
from sync.emulator.values import DAY_MS, HOUR_MS, iso, new_id

STATUSES = ("open", "onHold", "inProgress", "complete")
_STATUS_BY_AGE = (  # (minimum age in days, weights over STATUSES)
    (45, (3, 2, 1, 94)),
    (7, (15, 7, 8, 70)),
    (0, (45, 10, 20, 25)),
)
_PRIORITY_WEIGHTS = {"Preventive": (40, 45, 13, 2), "Safety": (0, 10, 50, 40), "Inspection": (35, 45, 18, 2)}
_PRIORITY_DEFAULT = (10, 35, 40, 15)
PM_SCHEDULES = (  # (rrfreq, rrinterval, scheduleType, days per step, weight)
    ("DAILY", 1, "EVERY_N_DAYS", 1, 4),
    ("WEEKLY", 1, "EVERY_N_WEEKS", 7, 20),
    ("WEEKLY", 2, "EVERY_N_WEEKS", 14, 10),
    ("MONTHLY", 1, "EVERY_N_MONTHS", 30, 30),
    ("MONTHLY", 3, "EVERY_N_MONTHS", 91, 16),
    ("MONTHLY", 6, "EVERY_N_MONTHS", 182, 10),
    ("YEARLY", 1, "EVERY_N_YEARS", 365, 10),
)


def _job(rng: random.Random, plant: Plant, category: str) -> tuple[str, str, str | None, str]:
    """(title, description, asset id or None, location id) for a job of ``category``."""
    if plant.assets and rng.random() < 0.88:
        aid, name, kind, location = rng.choice(plant.assets)
        if category == "Preventive":
            task = rng.choice(vocab.PM_TASKS)
            return (
                f"{task} {name}",
                f"Scheduled preventive maintenance: {task.lower()} {name}; check vibration, "
                "leaks, lubrication and guards, and record readings.",
                aid,
                location,
            )
        title, text = rng.choice(vocab.JOBS[kind])
        return title.format(a=name), text.format(a=name), aid, location
    location = rng.choice(plant.areas) if plant.areas else plant.site
    title, text = rng.choice(vocab.GENERAL_JOBS)
    return title.format(l="the area"), text.format(l="the area"), None, location


def make_work_order(
    rng: random.Random, plant: Plant, created: int, number: int, now: int, status: str | None = None
) -> dict:
    """One work order created at ``created`` and last touched no later than ``now``, with a status
    mix by age (unless ``status`` is given): old ones mostly complete, recent ones open, on hold or
    in progress (many of them overdue)."""
    category = rng.choices(vocab.WO_CATEGORIES, vocab.WO_CATEGORY_WEIGHTS)[0]
    title, description, asset, location = _job(rng, plant, category)
    age_days = (now - created) // DAY_MS
    weights = next(w for min_age, w in _STATUS_BY_AGE if age_days >= min_age)
    status = status or rng.choices(STATUSES, weights)[0]
    priority = rng.choices("0123", _PRIORITY_WEIGHTS.get(category, _PRIORITY_DEFAULT))[0]
    assignee = rng.choice(plant.techs) if plant.techs and rng.random() < 0.88 else None
    assigner = rng.choice([plant.admin, *plant.planners])
    due = created + (7 if category == "Preventive" else rng.randint(1, 14)) * DAY_MS
    wo: dict[str, Any] = {
        "id": new_id(rng),
        "workOrderNo": f"{number:03d}",
        "title": title,
        "description": description,
        "status": status,
        "category": category,
        "priority": priority,
        "startDate": iso(created),
        "dueDate": iso(due),
        "dateCompleted": None,
        "completedByUser": None,
        "assignedToUser": assignee[0] if assignee else None,
        "assignedToUsername": assignee[1] if assignee else None,
        "assignedByUser": assigner[0],
        "assignedByUsername": assigner[1],
        "asset": asset,
        "location": location,
        "team": rng.choice(plant.teams) if plant.teams and rng.random() < 0.6 else None,
        "estimatedDurationInHours": rng.choice((1, 2, 2, 4, 8)),
        "time": "0",
        "cost": "0",
        "parts": [],
        "respectivePartQuantityUsed": [],
        "additionalUsers": [rng.choice(plant.techs)[0]] if plant.techs and rng.random() < 0.1 else [],
        "archivedStatus": "0",
        "requiresSignature": 0,
        "files": [],
        "formItems": [],
        "publicRequesterEmail": "operator@riverside-plant.example" if rng.random() < 0.03 else None,
        "customWOStatus": None,
        "createdAt": iso(created),
    }
    updated = created if rng.random() < 0.5 else rng.randint(created, max(created, now - 1))
    if status == "complete":
        done = min(created + rng.randint(HOUR_MS, max(HOUR_MS, due - created + 10 * DAY_MS)), now - 1)
        done = max(done, created)
        hours = round(rng.uniform(0.5, 12), 1)
        cost = hours * 45.0
        if plant.parts and rng.random() < 0.35:
            used = rng.sample(plant.parts, rng.randint(1, min(3, len(plant.parts))))
            qty = [rng.randint(1, 4) for _ in used]
            wo["parts"], wo["respectivePartQuantityUsed"] = [p for p, _ in used], qty
            cost += sum(c * q for (_, c), q in zip(used, qty, strict=True))
        wo.update(
            dateCompleted=iso(done),
            completedByUser=wo["assignedToUser"] or rng.choice(plant.techs)[0],
            time=f"{hours:g}",
            cost=f"{cost:.2f}",
        )
        updated = min(done + rng.randint(0, 2 * HOUR_MS), max(now - 1, done))
    wo["updatedAt"] = iso(max(updated, created))
    return wo


def work_orders(rng: random.Random, plant: Plant, count: int) -> Iterator[dict]:
    """Work orders spread evenly over the three years before the epoch, in creation order. About 3%
    share the previous one's createdAt (batch-created), and old completed ones archived in one bulk
    action share one updatedAt: equal timestamps that paging must tie-break."""
    start, span = plant.history_start, HISTORY_DAYS * DAY_MS
    archive_at = plant.epoch - 180 * DAY_MS
    created = start
    for i in range(count):
        if not (i and rng.random() < 0.03):
            created = start + int((i + rng.random()) * span / count)
        wo = make_work_order(rng, plant, created, i + 1, plant.epoch)
        if wo["status"] == "complete" and created < archive_at - 365 * DAY_MS and rng.random() < 0.05:
            wo["archivedStatus"], wo["updatedAt"] = "1", iso(archive_at)
        yield wo


def pm_triggers(rng: random.Random, plant: Plant, count: int) -> Iterator[dict]:
    """PM triggers on assets; ``nextDueDate`` falls within one interval after the epoch, so monthly
    ones are mostly due in the next 7-30 days."""
    weights = [s[4] for s in PM_SCHEDULES]
    for _ in range(count):
        freq, interval, schedule, step_days, _ = rng.choices(PM_SCHEDULES, weights)[0]
        aid, name, _, location = rng.choice(plant.assets)
        created = plant.history_start + rng.randint(-100, HISTORY_DAYS - 30) * DAY_MS + rng.randint(0, DAY_MS)
        updated = created if rng.random() < 0.6 else rng.randint(created, plant.epoch - 1)
        next_due = plant.epoch + rng.randint(HOUR_MS, step_days * DAY_MS)
        owner = rng.choice([plant.admin, *plant.planners])
        used = rng.choice(plant.parts) if plant.parts and rng.random() < 0.3 else None
        assignee = rng.choice(plant.techs) if rng.random() < 0.7 else None
        task = rng.choice(vocab.PM_TASKS)
        yield {
            "trigger": {
                "id": new_id(rng),
                "name": f"{freq.title()} {task.lower()} - {name}",
                "createFirstWO": 1,
                "scheduleType": schedule,
                "isNextOccurrenceBasedOnCompletion": None,
                "rrfreq": freq,
                "rrdtstart": iso(created + DAY_MS),
                "rruntil": None,
                "rrinterval": interval,
                "rrtzid": "America/Los_Angeles",
                "rrbyweekday": [rng.choice(("MO", "TU", "WE", "TH", "FR"))] if freq == "WEEKLY" else None,
                "cadenceInterval": interval,
                "cadenceFreq": freq,
                "cadenceType": "manual",
                "nextTriggerDate": iso(next_due - min(3, step_days) * DAY_MS),
                "rdates": None,
                "exdates": None,
                "scheduleHasEnded": False,
                "createdBy": owner[0],
                "createdAt": iso(created),
                "updatedAt": iso(updated),
                "isPaused": rng.random() < 0.05,
                "isArchived": None,
                "archivedAt": None,
                "archivedBy": None,
            },
            "workOrder": {
                "title": f"{task} {name}",
                "priority": rng.choice((0, 1, 1, 2)),
                "category": rng.choice(("Preventive", "Preventive", "Preventive", "Inspection", "Safety")),
                "asset": aid,
                "location": location,
                "assignedToUser": assignee[0] if assignee else None,
                "additionalUsers": None,
                "parts": [used[0]] if used else None,
                "respectivePartQuantityUsed": [rng.randint(1, 2)] if used else None,
                "duration": rng.choice((1, 2, 4)),
                "lastDueDate": iso(next_due - step_days * DAY_MS),
                "nextDueDate": iso(next_due),
            },
        }


def requests(rng: random.Random, plant: Plant, count: int) -> Iterator[dict]:
    span = HISTORY_DAYS * DAY_MS
    for i in range(count):
        created = plant.history_start + int((i + rng.random()) * span / count)
        aid, name, _, location = rng.choice(plant.assets)
        title = rng.choice(vocab.REQUEST_TITLES).format(a=name, l="the area")
        with_asset = "{a}" in title or rng.random() < 0.3
        assignee = rng.choice(plant.techs) if rng.random() < 0.4 else None
        by_portal = rng.random() < 0.2
        age = plant.epoch - created
        status = (
            "open"
            if age < 14 * DAY_MS and rng.random() < 0.7
            else rng.choice(("approved", "approved", "cancelled"))
        )
        yield {
            "id": new_id(rng),
            "title": title,
            "description": f"Reported by operations: {title.lower()}.",
            "location": location,
            "asset": aid if with_asset else None,
            "team": rng.choice(plant.teams) if rng.random() < 0.3 else None,
            "category": rng.choice(("Reactive", "Electrical", "Safety", "Damage")),
            "assignedToUser": assignee[0] if assignee else None,
            "assignedToUsername": assignee[1] if assignee else None,
            "status": status,
            "priority": rng.choice((0, 1, 1, 2, 3)),
            "requestedByUser": None if by_portal else rng.choice(plant.people)[0],
            "publicRequesterEmail": f"operator{rng.randint(1, 40)}@riverside-plant.example"
            if by_portal
            else None,
            "dueDate": iso(created + rng.randint(1, 10) * DAY_MS),
            "createdAt": iso(created),
            "updatedAt": iso(
                created
                if status == "open"
                else min(created + rng.randint(HOUR_MS, 5 * DAY_MS), plant.epoch - 1)
            ),
        }


def purchase_orders(rng: random.Random, plant: Plant, count: int) -> Iterator[dict]:
    span = HISTORY_DAYS * DAY_MS
    for i in range(count):
        created = plant.history_start + int((i + rng.random()) * span / count)
        recent = plant.epoch - created < 30 * DAY_MS
        status = rng.choices(
            ("awaiting", "approved", "declined", "fulfilled"), (50, 30, 5, 15) if recent else (3, 7, 5, 85)
        )[0]
        lines = rng.sample(plant.parts, rng.randint(1, min(3, len(plant.parts))))
        qty = [rng.randint(2, 20) for _ in lines]
        approver = rng.choice([plant.admin, *plant.planners])
        decided = min(created + rng.randint(HOUR_MS, 3 * DAY_MS), plant.epoch - 1)
        fulfilled = min(decided + rng.randint(DAY_MS, 14 * DAY_MS), plant.epoch - 1)
        last = {"awaiting": created, "approved": decided, "declined": decided, "fulfilled": fulfilled}[status]
        yield {
            "id": new_id(rng),
            "createdByUser": rng.choice(plant.people)[0],
            "title": f"Restock {len(lines)} storeroom item(s)",
            "description": "Reorder of parts at or below minimum quantity",
            "status": status,
            "poDate": iso(created // DAY_MS * DAY_MS),
            "dueDate": iso((created // DAY_MS + 14) * DAY_MS),
            "vendor": rng.choice(plant.vendors),
            "parts": [p for p, _ in lines],
            "partQuantities": qty,
            "partsPendingQuantities": {}
            if status == "fulfilled"
            else {p: q for (p, _), q in zip(lines, qty, strict=True)},
            "partialFulfillHistory": [],
            "totalQuantity": sum(qty),
            "totalCost": round(sum(c * q for (_, c), q in zip(lines, qty, strict=True)), 2),
            "tax": 0,
            "shippingCost": rng.choice((0, 25, 60)),
            "otherCost": 0,
            "requisitioner": plant.admin[1],
            "shippingMethod": rng.choice(("Ground", "Express")),
            "terms": "Net 30",
            "notes": None,
            "companyName": vocab.SITE[0],
            "companyStreet": vocab.SITE[1],
            "purchaseOrderNumber": i + 1,
            "category": rng.choice(vocab.PO_CATEGORIES),
            "approvedAt": iso(decided) if status in ("approved", "fulfilled") else None,
            "approvedByUser": approver[0] if status in ("approved", "fulfilled") else None,
            "declinedAt": iso(decided) if status == "declined" else None,
            "declinedByUser": approver[0] if status == "declined" else None,
            "fulfilledAt": iso(fulfilled) if status == "fulfilled" else None,
            "fulfilledByUser": approver[0] if status == "fulfilled" else None,
            "customFieldsPO": [],
            "createdAt": iso(created),
            "updatedAt": iso(last),
        }
