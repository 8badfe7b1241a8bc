"""The vocabulary is each value's one home: the mapping round-trips, and SQL that spells values out says the same."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest

import queries
from mirror.db import open_mirror
from mirror.vocabulary import (
    OPEN_STATES,
    OPEN_STATES_SQL,
    PRIORITY_FROM_UPKEEP,
    PRIORITY_TO_UPKEEP,
    STATUS_SPELLINGS,
    STATUS_TO_UPKEEP,
    STATUS_WORDS,
    STUCK_STATES,
    WAITING_STATES_SQL,
    OpState,
    UpKeepStatus,
    WorkOrderStatus,
    WorkOrderType,
    machina_status,
    work_order_type,
)
from sync.mapping import reverse

QUERIES_SQL = Path(queries.__file__).parent / "sql"


def test_the_one_mapping_round_trips():
    """UpKeep -> Machina -> UpKeep gives the value back (Machina has no "on hold": it reads as assigned),
    Machina -> UpKeep -> Machina too, and the writes and the replayer read every spelling alike."""
    for spelling, status in STATUS_SPELLINGS.items():
        assert reverse.upkeep_status(spelling) == status
    for number, name in PRIORITY_FROM_UPKEEP.items():
        assert PRIORITY_TO_UPKEEP[name.value] == number == reverse.upkeep_priority(name.value)
    for status in UpKeepStatus:
        for assigned in (True, False):
            for archived in (True, False):
                machina = machina_status(status, assigned=assigned, archived=archived)
                back = STATUS_TO_UPKEEP[machina.value]
                assert back == status or (status == UpKeepStatus.ON_HOLD and machina == WorkOrderStatus.ASSIGNED)
    for machina, upkeep in STATUS_TO_UPKEEP.items():
        assert machina_status(upkeep, assigned=machina == "assigned", archived=machina == "closed") == machina
    assert WorkOrderStatus.CANCELLED.value not in STATUS_TO_UPKEEP
    expected = {"Preventive": WorkOrderType.PREVENTIVE, "predictive": WorkOrderType.PREDICTIVE,
                "Condition based": WorkOrderType.PREDICTIVE, "Improvement": WorkOrderType.IMPROVEMENT,
                "Project": WorkOrderType.IMPROVEMENT, "Electrical": WorkOrderType.CORRECTIVE,
                None: WorkOrderType.CORRECTIVE}
    assert {category: work_order_type(category) for category in expected} == expected


def test_named_queries_spell_outbox_states_as_the_vocabulary():
    local_writes = (QUERIES_SQL / "local_writes.sql").read_text()
    assert f"o.state IN {OPEN_STATES_SQL}" in local_writes
    today = (QUERIES_SQL / "today.sql").read_text()
    assert f"o.state IN {WAITING_STATES_SQL}" in today
    assert "o.state IN (" + ", ".join(f"'{s}'" for s in STUCK_STATES) + ")" in today
    summary = (QUERIES_SQL / "local_writes_summary.sql").read_text()
    assert re.findall(r"\('(\w+)', \d+\)", summary) == [s.value for s in OPEN_STATES]


@pytest.mark.parametrize("path", sorted(QUERIES_SQL.glob("*.sql")), ids=lambda p: p.name)
def test_no_named_query_names_an_outbox_state_the_vocabulary_lacks(path):
    for group in re.findall(r"\bo\.state IN \(([^)]*)\)", path.read_text()):
        assert set(re.findall(r"'(\w+)'", group)) <= {s.value for s in OpState}, (path.name, group)


def test_the_work_order_view_says_statuses_as_the_pages_do(tmp_path):
    """``work_orders_detail`` (a migration's view) spells UpKeep's statuses as :data:`STATUS_WORDS`."""
    with open_mirror(tmp_path / "m.db"):
        pass
    conn = sqlite3.connect(tmp_path / "m.db")
    try:
        (view,) = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'work_orders_detail'").fetchone()
        case = re.search(r"CASE w\.upkeep_status (.*?) END AS status", view, re.S)
        assert case is not None
        body = case.group(1).replace("w.upkeep_status", ":s")
        words = {s.value: conn.execute(f"SELECT CASE :s {body} END", {"s": s.value}).fetchone()[0] for s in UpKeepStatus}
    finally:
        conn.close()
    assert words == STATUS_WORDS
