"""Field types against the API reference: a value of a type the reference does not give a field is
quarantined (never stored as if valid), except where a listed leniency allows it."""

from __future__ import annotations

import copy
import json
import re
from collections import defaultdict
from datetime import UTC, datetime

import pytest

from mirror.store import row_values
from sync.mapping import MAPPERS, MalformedObject, transform
from sync.mapping.fields import Reader
from sync.mapping.schema import LENIENCIES, NUMBER, REFERENCE_TYPES, STRING, expected_types, json_type
from sync.pull._map import map_page
from tests.support.docs import doc
from tests.support.recorded import FIXTURES, recorded

MALFORMED = json.loads((FIXTURES / "malformed.json").read_text())

#: The mistyped objects of malformed.json and the reject each must become: (entity, id, field, reason).
MISTYPED = {
    "WoBad00010": ("work_orders", "title", "expected String, got Number 12345"),
    "WoBad00011": ("work_orders", "priority", "expected Number or String, got Boolean True"),
    "WoBad00012": ("work_orders", "respectivePartQuantityUsed[1]", "expected Number, got String '2'"),
    "WoBad00013": ("work_orders", "parts", "expected Array, got String 'PtFlt00001'"),
    "AsBad00010": ("assets", "name", "expected String, got Number 777"),
    "AsBad00011": ("assets", "location",
                   "expected String, got Object {'id': 'Lp4Xk9Vb2N', 'name': 'Boiler house'}"),
    "PtBad00010": ("parts", "quantity", "expected Number or String, got Array [5]"),
    "UsBad00010": ("users", "email", "expected String, got Boolean False"),
    "LoBad00010": ("locations", "latitude", "expected Number, got String '51.5'"),
    "MeBad00010": ("meters", "frequency", "expected Number, got String '7'"),
    "MrBad00010": ("meter_readings", "value", "expected Number, got String '12.5'"),
    "RqBad00010": ("requests", "title", "expected String, got Array ['Repair sink']"),
    "PoBad00010": ("purchase_orders", "purchaseOrderNumber", "expected Number, got String 'PO-100'"),
    "PmBad00010": ("preventive_maintenance", "workOrder", "expected Object, got String 'Grease bearings'"),
    "PmBad00011": ("preventive_maintenance", "trigger.isPaused", "expected Boolean or Number, got String 'yes'"),
}


def _id(entity: str, obj: dict) -> str | None:
    return (obj.get("trigger") or {}).get("id") if entity == "preventive_maintenance" else obj.get("id")


def _mistyped() -> list[tuple[str, dict]]:
    return [(e, o) for e, objs in MALFORMED.items() for o in objs if _id(e, o) in MISTYPED]


def test_every_mistyped_fixture_is_listed():
    assert sorted(_id(e, o) for e, o in _mistyped()) == sorted(MISTYPED)


@pytest.mark.parametrize(("entity", "obj"), _mistyped(), ids=lambda v: v if isinstance(v, str) else _id("", v) or
                         v["trigger"]["id"])
def test_page_with_a_mistyped_object_lands_except_that_object_which_becomes_one_reject(mirror, entity, obj):
    """A page of the recorded objects with one mistyped object: every other row lands as mapped; the
    mistyped one becomes exactly this reject row (entity, id, field naming the path, expected and got type)."""
    good = recorded(entity)
    page = [*good[:2], obj, *good[2:]]
    now = datetime(2026, 3, 1, tzinfo=UTC)
    mapped = map_page(mirror, entity, page, now=now)
    rows = [transform(entity, o) for o in good]
    assert mapped.values == row_values(entity, rows, now=now)
    assert mapped.row_ids == [row["id"] for row in rows]
    expected_entity, field, reason = MISTYPED[_id(entity, obj)]
    assert mapped.rejects == [
        {"entity": expected_entity, "upkeep_id": _id(entity, obj), "field": field, "reason": reason, "raw": obj}]


# A sample of every JSON type; for a field, the first sample of a type it does not accept is planted.
_SAMPLES = (12345, "text", True, [1], {"a": 1})


def _plant(obj: dict, path: str, value):
    """Set ``path`` (``a.b``, ``a[]``, ``a[].b``) in ``obj`` to ``value``; return the concrete path."""
    steps, target, where = path.split("."), obj, []
    for i, step in enumerate(steps):
        last = i == len(steps) - 1
        key = step.removesuffix("[]")
        where.append(key)
        if step.endswith("[]"):
            target[key] = [value] if last else [{}]
            where[-1] += "[0]"
            target = target[key][0]
        elif last:
            target[key] = value
        else:
            if not isinstance(target.get(key), dict):
                target[key] = {}
            target = target[key]
    return ".".join(where)


def _declared():
    for entity, table in REFERENCE_TYPES.items():
        for path in table:
            if path.split(".")[-1] != "id":  # a bad id is "missing or empty id", tested with malformed.json
                yield entity, path


@pytest.mark.parametrize(("entity", "path"), list(_declared()))
def test_every_declared_field_is_checked(entity, path):
    accepted = expected_types(entity)[path]
    wrong = next(v for v in _SAMPLES if json_type(v) not in accepted)
    obj = copy.deepcopy(recorded(entity)[1])
    where = _plant(obj, path, wrong)
    with pytest.raises(MalformedObject) as info:
        transform(entity, obj)
    assert (info.value.field, info.value.reason) == (
        where, f"expected {' or '.join(accepted)}, got {json_type(wrong)} {wrong!r}")


def _lenient_sample(entity: str, path: str, lenient_type: str):
    """A value of the reference's type for ``path``, and the same value in the lenient type."""
    obj = recorded(entity)[1]
    value = obj
    for step in path.split("."):
        value = value.get(step) if isinstance(value, dict) else None
    reference_type = REFERENCE_TYPES[entity][path]
    if reference_type == NUMBER and lenient_type == STRING:
        value = 2 if value is None else value
        return value, str(value)
    if reference_type == STRING and lenient_type == NUMBER:  # a timestamp as Unix milliseconds
        return "2024-03-05T10:00:00.000Z", int(datetime.fromisoformat("2024-03-05T10:00:00+00:00").timestamp() * 1000)
    if lenient_type == NUMBER:  # a flag as 0/1
        return True, 1
    raise AssertionError(f"no sample for {entity}.{path}: {reference_type} -> {lenient_type}")


@pytest.mark.parametrize("leniency", LENIENCIES, ids=lambda v: f"{v.entity}.{'+'.join(v.fields)}")
def test_each_leniency_maps_exactly_like_the_reference_type(leniency):
    for path in leniency.fields:
        as_reference, as_lenient = _lenient_sample(leniency.entity, path, leniency.also)
        rows = []
        for value in (as_reference, as_lenient):
            obj = copy.deepcopy(recorded(leniency.entity)[1])
            _plant(obj, path, value)
            rows.append({k: v for k, v in transform(leniency.entity, obj).items() if k != "raw"})
        assert rows[0] == rows[1], f"{leniency.entity}.{path}: {as_lenient!r} maps unlike {as_reference!r}"


def test_every_field_the_mapping_reads_is_declared(monkeypatch):
    """Run every mapper over every recorded object while recording which fields it reads."""
    read: dict[str, set[str]] = defaultdict(set)

    class Recording(dict):
        def __init__(self, data, sink):
            super().__init__(data)
            self.sink = sink

        def get(self, key, default=None):
            self.sink(key)
            return super().get(key, default)

        def __getitem__(self, key):
            self.sink(key)
            return super().__getitem__(key)

    original = Reader.__init__

    def recording_init(self, entity, obj, **kwargs):
        at = kwargs.get("at", "")
        if isinstance(obj, dict):
            obj = Recording(obj, lambda key: read[entity].add(f"{at}.{key}" if at else key))
        original(self, entity, obj, **kwargs)

    monkeypatch.setattr(Reader, "__init__", recording_init)
    for entity in MAPPERS:
        for obj in recorded(entity):
            transform(entity, obj)
    assert set(read) == set(MAPPERS)
    for entity, fields in read.items():
        undeclared = fields - set(REFERENCE_TYPES[entity])
        assert not undeclared, f"{entity} reads fields with no declared type: {sorted(undeclared)}"


def test_readme_lists_exactly_the_leniencies():
    section = doc("schema.md").split("### Leniencies", 1)[1].split("\n#", 1)[0]
    rows = [[c.strip() for c in line.strip().strip("|").split("|")] for line in section.splitlines()
            if line.startswith("|") and not re.match(r"^\|\s*-", line)][1:]  # without the header
    documented = {(r[0].strip("`"), tuple(f.strip("` ") for f in r[1].split(",")), r[2]) for r in rows}
    assert documented == {(x.entity, x.fields, x.also) for x in LENIENCIES}
