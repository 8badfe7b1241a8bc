"""Schema conformance: mirror rows convert into machina-ai's own models without losing values."""

from __future__ import annotations

import subprocess
import sys

import pytest
from machina import domain
from sqlmodel import select

from mirror import vocabulary
from mirror.machina import machina_fields, to_machina
from mirror.schema import AssetRow, MaintenancePlanRow, SparePartRow, WorkOrderRow
from mirror.store import upsert_rows
from sync.mapping import transform
from tests.support.recorded import recorded


@pytest.mark.parametrize(
    ("ours", "theirs"),
    [
        (vocabulary.AssetType, domain.AssetType),
        (vocabulary.Criticality, domain.Criticality),
        (vocabulary.WorkOrderType, domain.WorkOrderType),
        (vocabulary.Priority, domain.Priority),
        (vocabulary.WorkOrderStatus, domain.WorkOrderStatus),
        (vocabulary.FailureImpact, domain.FailureImpact),
    ],
)
def test_enum_values_are_machinas(ours, theirs):
    assert [e.value for e in ours] == [e.value for e in theirs]


@pytest.mark.parametrize(
    ("entity", "model", "machina_model"),
    [
        ("assets", AssetRow, domain.Asset),
        ("work_orders", WorkOrderRow, domain.WorkOrder),
        ("parts", SparePartRow, domain.SparePart),
        ("preventive_maintenance", MaintenancePlanRow, domain.MaintenancePlan),
    ],
)
def test_stored_rows_convert_to_machina_without_loss(mirror, entity, model, machina_model):
    with mirror.write() as s:
        upsert_rows(s, entity, [transform(entity, o) for o in recorded(entity)])
    with mirror.session() as s:
        rows = list(s.exec(select(model)))
    assert len(rows) == len(recorded(entity))
    for row in rows:
        converted = to_machina(row)
        assert isinstance(converted, machina_model)
        dumped = converted.model_dump(mode="python")
        for name, value in machina_fields(row).items():
            got = dumped[name]
            if name == "interval":
                assert got == value
            elif hasattr(got, "value"):
                assert got.value == value, f"{entity}.{name}"
            else:
                assert got == value, f"{entity}.{name} of {row.id}: {got!r} != {value!r}"


def test_machina_spare_part_keeps_the_sku_not_the_record_id(mirror):
    with mirror.write() as s:
        upsert_rows(s, "parts", [transform("parts", o) for o in recorded("parts")])
    with mirror.session() as s:
        part = s.get(SparePartRow, "1YHUWGVgdC")
    assert to_machina(part).sku == "40161502"


@pytest.mark.parametrize(
    ("entity", "model", "parse"),
    [("assets", AssetRow, "parse_asset"), ("work_orders", WorkOrderRow, "parse_work_order"),
     ("parts", SparePartRow, "parse_spare_part")],
)
def test_metadata_keeps_everything_machinas_own_mapper_keeps(mirror, entity, model, parse):
    """Machina's UpKeep mapper puts every key it does not map into metadata; so does to_machina,
    except keys the mirror carries in a proper field (Machina's mapper misses them)."""
    from machina.connectors.cmms.mappers import upkeep as machina_mapper

    from mirror.machina.convert import CARRIED

    with mirror.write() as s:
        upsert_rows(s, entity, [transform(entity, o) for o in recorded(entity)])
    with mirror.session() as s:
        rows = {r.id: r for r in s.exec(select(model))}
    for obj in recorded(entity):
        theirs = getattr(machina_mapper, parse)(obj).metadata
        ours = to_machina(rows[obj["id"]]).metadata
        assert set(theirs) - set(ours) <= CARRIED[model]
        assert all(ours[k] == v for k, v in theirs.items() if k in ours)
        unmodelled = set(obj) - CARRIED[model]
        assert unmodelled <= set(ours), f"{entity} {obj['id']}: lost {unmodelled - set(ours)}"
        assert ours["local_state"] == "synced"


def test_machina_is_optional_and_its_absence_is_one_clear_error():
    code = (
        "import sys; sys.modules['machina'] = None\n"
        "import mirror.machina\n"
        "try:\n"
        "    mirror.machina.MirrorConnector\n"
        "except ImportError as exc:\n"
        "    print(type(exc).__name__, exc)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "MachinaNotInstalled machina-ai is not installed: pip install 'upkeep-mirror[machina]'"


@pytest.mark.parametrize(
    ("entity", "model"),
    [("assets", AssetRow), ("work_orders", WorkOrderRow), ("parts", SparePartRow),
     ("preventive_maintenance", MaintenancePlanRow)],
)
def test_the_fast_conversion_of_selected_columns_equals_to_machina(mirror, entity, model):
    from sqlalchemy import select as core_select

    from mirror.machina.convert import machina_columns, rows_to_machina

    with mirror.write() as s:
        upsert_rows(s, entity, [transform(entity, o) for o in recorded(entity)])
    with mirror.session() as s:
        slow = {m.id if hasattr(m, "id") else m.sku: m for m in (to_machina(r) for r in s.exec(select(model)))}
        fast = rows_to_machina(model, s.execute(core_select(*machina_columns(model))).mappings())
    assert len(fast) == len(slow) == len(recorded(entity))
    for got in fast:
        assert got == slow[got.id if hasattr(got, "id") else got.sku]
