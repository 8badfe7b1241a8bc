"""Per-field length limits on local writes: refused in mirror.writes before anything is queued."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from mirror import writes
from mirror.writes import LIMITS, InvalidWrite

HUGE = "x" * 10_000_000  # the 10 MB title of issue 11


def queued(mirror) -> int:
    with mirror.session() as s:
        return s.execute(text("SELECT count(*) FROM outbox")).scalar()


@pytest.mark.parametrize(("call", "field"), [
    (lambda m, wo: writes.create_work_order(m, title=HUGE), "title"),
    (lambda m, wo: writes.create_work_order(m, title="ok", description=HUGE), "description"),
    (lambda m, wo: writes.create_work_order(m, title="ok", category=HUGE), "category"),
    (lambda m, wo: writes.create_work_order(m, title="ok", asset_id=HUGE), "asset_id"),
    (lambda m, wo: writes.create_work_order(m, title="ok", due_date=HUGE), "due_date"),
    (lambda m, wo: writes.create_work_order(m, title="ok", priority=HUGE), "priority"),
    (lambda m, wo: writes.update_work_order(m, wo, title=HUGE), "title"),
    (lambda m, wo: writes.update_work_order(m, wo, status=HUGE), "status"),
    (lambda m, wo: writes.update_work_order(m, HUGE, title="ok"), "work_order_id"),
    (lambda m, wo: writes.add_work_order_message(m, wo, HUGE), "text"),
    (lambda m, wo: writes.record_parts_used(m, wo, {HUGE: 1}), "parts"),
    (lambda m, wo: writes.create_request(m, title=HUGE), "title"),
    (lambda m, wo: writes.add_meter_reading(m, HUGE, 1), "meter_id"),
    (lambda m, wo: writes.add_meter_reading(m, "M1", HUGE), "meter_id"),
    (lambda m, wo: writes.set_part_quantity(m, HUGE, 1), "part"),
])
def test_over_long_values_are_refused_before_anything_is_queued(mirror, call, field):
    work_order = writes.create_work_order(mirror, title="Existing").record_id
    with pytest.raises(InvalidWrite) as refused:
        call(mirror, work_order)
    assert refused.value.field == field
    assert len(str(refused.value)) < 200  # the refusal quotes a length, not the ten megabytes
    assert queued(mirror) == 1  # only the work order made above


def test_values_at_the_limit_are_accepted(mirror):
    op = writes.create_work_order(mirror, title="t" * LIMITS["title"], description="d" * LIMITS["description"])
    writes.add_work_order_message(mirror, op.record_id, "m" * LIMITS["text"])
    assert queued(mirror) == 2
