"""Schema conformance: mirror rows convert into machina-ai's own models without losing values."""

from __future__ import annotations

import pytest
from machina import domain
from sqlmodel import select

from mirror import enums
from mirror.machina import machina_fields, to_machina
from mirror.models import AssetRow, MaintenancePlanRow, SparePartRow, WorkOrderRow
from mirror.store import upsert_rows
from sync.mapping import transform
from tests.conftest import recorded


@pytest.mark.parametrize(
    ("ours", "theirs"),
    [
        (enums.AssetType, domain.AssetType),
        (enums.Criticality, domain.Criticality),
        (enums.WorkOrderType, domain.WorkOrderType),
        (enums.Priority, domain.Priority),
        (enums.WorkOrderStatus, domain.WorkOrderStatus),
        (enums.FailureImpact, domain.FailureImpact),
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
