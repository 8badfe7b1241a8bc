"""The replay's look-ups page like the pull (issue 25): UpKeep serving fewer objects per request than
asked neither hides the record a lost answer created nor passes a cut listing off as complete.

Against the emulator capped at 5 objects per answer, over real HTTP.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from mirror.outbox import OutboxOp
from mirror.vocabulary import OpKind
from sync.emulator import Emulator
from sync.replay._match import changed_since, find_created, with_marker
from sync.upkeep.endpoints import collection
from tests.support.upkeep import upkeep_client

OP_ID = "0123456789abcdef0123456789abcdef"


def _op(title: str, sent: datetime) -> OutboxOp:
    return OutboxOp(op_id=OP_ID, entity="work_orders", record_id="local-1", kind=OpKind.CREATE,
                    created_at=sent, updated_at=sent, first_sent_at=sent, payload={"fields": {"title": title}})


def test_the_record_a_lost_answer_created_is_found_past_a_short_first_page():
    with Emulator(seed=4, work_orders=20, max_page_size=5) as emu, upkeep_client(emu) as client:
        sent = datetime.now(UTC) - timedelta(seconds=1)
        ours = client.post(collection("work_orders"), {"title": "Replace seal",
                                                       "description": with_marker("leaking", OP_ID)})
        for i in range(12):  # others' work orders with the same title, listed first (newest first)
            client.post(collection("work_orders"), {"title": "Replace seal", "description": f"someone else {i}"})
        emu.stats.reset()
        found = find_created(client, _op("Replace seal", sent), now=datetime.now(UTC))
        assert found is not None and found["id"] == ours["id"]  # the 13th: on the third page of 5
        assert emu.stats.snapshot()["routes"]["GET /api/v2/work-orders"] == 3
        assert client.page_size.cap == 5


def test_a_listing_cut_by_the_page_size_is_not_taken_for_complete():
    with Emulator(seed=4, work_orders=20, max_page_size=5) as emu, upkeep_client(emu) as client:
        since = int((datetime.now(UTC) - timedelta(seconds=1)).timestamp() * 1000)
        ids = [emu.mutate(op="update", entity="work_orders", id=w["id"], fields={"title": f"changed {i}"})[0]["id"]
               for i, w in enumerate(emu.dump("work_orders")[:8])]
        found, complete = changed_since(client, "work_orders", since, set(ids))
        assert len(found) == 5 and not complete  # the other three changed too: the caller GETs them
        client.page_size.restore(100, None, None)  # a server known to serve 100: 5 of 100 is the end
        assert changed_since(client, "work_orders", since, set(ids))[1]
