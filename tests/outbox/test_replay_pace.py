"""The pace of creates: a long offline queue of work orders and requests reaches UpKeep one per turn.

Each create makes UpKeep email people and fire Zapier triggers, so 200 creates queued offline go
at ``creates_per_minute`` (``sync.settings``), over real HTTP to the emulator, on a fake clock.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner
from sqlmodel import select

from mirror import writes
from mirror.outbox import OutboxOp
from mirror.schema import MeterRow, WorkOrderRow
from sync.cli import cli
from sync.cli import outbox as outbox_cli
from sync.replay import flush as replay_flush
from sync.replay._match import marker
from sync.settings import DEFAULT_CREATES_PER_MINUTE, Settings
from sync.upkeep.errors import ConfigurationError
from tests.support.retries import FAST

T0 = datetime(2030, 1, 7, 9, 12, tzinfo=UTC)
TURN = timedelta(seconds=60 / DEFAULT_CREATES_PER_MINUTE)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


def never_sleep(seconds: float) -> None:
    raise AssertionError(f"the pace must not sleep inside a flush ({seconds} s)")


def flush(mirror, client, clock, **kw):
    return replay_flush(mirror, client, **{"settle": 0.0, "policy": FAST, "clock": clock, "sleep": never_sleep,
                                           "pace": DEFAULT_CREATES_PER_MINUTE, **kw})


def some(mirror, model, n=1) -> list[str]:
    with mirror.session() as s:
        return [r.id for r in s.exec(select(model).where(model.deleted_at.is_(None)).order_by(model.id).limit(n))]


def created_on(emu, entity, op_id) -> list[dict]:
    """Objects of ``entity`` on the emulator that carry the marker of ``op_id``."""
    return [o for o in emu.dump(entity) if marker(op_id) in (o.get("description") or "")]


def posts(emu) -> int:
    routes = emu.stats.snapshot()["routes"]
    return routes.get("POST /api/v2/work-orders", 0) + routes.get("POST /api/v2/requests", 0)


def queue_creates(mirror, n: int) -> list:
    """``n`` creates queued offline: three work orders to one request."""
    return [writes.create_request(mirror, title=f"Request {i}", now=T0) if i % 4 == 3
            else writes.create_work_order(mirror, title=f"Work order {i}", now=T0) for i in range(n)]


def ops(mirror, **where) -> list[OutboxOp]:
    with mirror.session() as s:
        stmt = select(OutboxOp).where(*[getattr(OutboxOp, k) == v for k, v in where.items()])
        return list(s.exec(stmt.order_by(OutboxOp.seq)))


def test_200_queued_creates_go_one_per_turn_exactly_once(synced, emu, client):
    queued = queue_creates(synced, 200)
    clock = Clock()
    emu.stats.reset()

    report = flush(synced, client, clock)
    assert (report.created, posts(emu)) == (1, 1), report
    assert report.held_back >= 99 and report.next_turn == T0 + TURN
    assert len(ops(synced, state="pending")) == 199
    # The same moment again: the turn is taken, nothing more goes (the turn is read from the outbox).
    report = flush(synced, client, clock)
    assert (report.created, report.requests, posts(emu)) == (0, 0, 1), report
    clock.now += TURN / 2
    assert flush(synced, client, clock).created == 0

    rounds = 1
    while ops(synced, state="pending"):
        clock.now = T0 + rounds * TURN
        report = flush(synced, client, clock)
        assert report.created == 1 and not report.unreachable, report
        rounds += 1
        assert rounds <= 200
    assert rounds == 200 and posts(emu) == 200  # every create sent once, none twice
    assert flush(synced, client, clock).requests == 0
    for q in queued:
        entity = "requests" if q.kind == "request" else "work_orders"
        assert len(created_on(emu, entity, q.op_id)) == 1, q
    sent = [op.first_sent_at for op in ops(synced, state="done")]
    assert sorted(sent) == [T0 + i * TURN for i in range(200)]  # spaced by the pace, a minute's worth a minute
    assert sum(1 for moment in sent if moment < T0 + timedelta(minutes=1)) == DEFAULT_CREATES_PER_MINUTE


def test_other_writes_are_not_held_back_by_queued_creates(synced, emu, client):
    """Updates, messages and readings of other records go at once, even behind 150 queued creates; a
    record's own update still waits for its create."""
    existing = some(synced, WorkOrderRow, 3)
    (meter,) = some(synced, MeterRow)
    queue_creates(synced, 150)
    waiting = writes.create_work_order(synced, title="Created offline, then started", now=T0)
    behind = writes.update_work_order(synced, waiting.record_id, status="inProgress")
    for wo in existing:
        writes.update_work_order(synced, wo, title=f"Renamed {wo}")
    message = writes.add_work_order_message(synced, existing[0], "Checked on site")
    reading = writes.add_meter_reading(synced, meter, 12.5)
    clock = Clock()

    report = flush(synced, client, clock)
    assert (report.created, report.updated, report.messages) == (2, 3, 1), report  # one create and the reading
    assert {op.seq for op in ops(synced, state="done")} >= {message.seq, reading.seq}
    assert {emu.get("work_orders", wo)["title"] for wo in existing} == {f"Renamed {wo}" for wo in existing}
    assert [op.state for op in ops(synced, record_id=waiting.record_id)] == ["pending", "pending"]
    assert behind.seq > waiting.seq


def test_unpaced_sends_every_create_in_one_flush(synced, emu, client):
    queue_creates(synced, 60)
    emu.stats.reset()
    report = flush(synced, client, Clock(), pace=0)
    assert (report.created, report.held_back, posts(emu)) == (60, 0, 60), report
    assert not ops(synced, state="pending")


def test_a_stop_during_a_paced_flush_is_not_held_up(synced, emu, client):
    queue_creates(synced, 20)
    report = flush(synced, client, Clock(), should_stop=lambda: True)
    assert report.stopped and report.requests == 0


@pytest.fixture
def cli_env(synced, emu, monkeypatch):
    email, password = emu.credentials
    for key, value in {"UPKEEP_MIRROR_DB": str(synced.path), "UPKEEP_EMAIL": email, "UPKEEP_PASSWORD": password,
                       "UPKEEP_BASE_URL": emu.base_url, "XDG_CONFIG_HOME": "/nonexistent"}.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("UPKEEP_MIRROR_CREATES_PER_MINUTE", raising=False)
    monkeypatch.setattr(outbox_cli, "FLUSH_RETRIES", FAST)
    monkeypatch.setattr(outbox_cli, "SETTLE_SECONDS", 0.0)

    def invoke(*args: str) -> str:
        result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return result.output

    return invoke


def test_status_says_how_long_the_queue_takes_and_flush_sends_one_per_turn(cli_env, synced, emu):
    queue_creates(synced, 200)
    shown = cli_env("status")
    assert "Local writes: 200 waiting (oldest 2030-01-07" in shown
    assert "about 10 min to send at 20 creates per minute" in shown
    assert "about 5 min to send at 40 creates per minute" in cli_env("status", "--creates-per-minute", "40")

    emu.stats.reset()
    out = cli_env("outbox", "flush")
    assert out.startswith("1 delivered (1 created"), out
    assert "199 creates wait their turn, about 10 min to send at 20 creates per minute" in out
    assert posts(emu) == 1
    out = cli_env("outbox", "flush", "--creates-per-minute", "0")
    assert out.startswith("199 delivered (199 created"), out
    assert "Local writes: 0 waiting, 0 failed" in cli_env("status")


def test_the_pace_setting_flag_over_config_over_default(tmp_path):
    assert Settings().creates_per_minute() == DEFAULT_CREATES_PER_MINUTE == 20
    config = tmp_path / "config.toml"
    assert Settings(config, {"outbox": {"creates_per_minute": 6}}).creates_per_minute() == 6
    assert Settings(config, {"outbox": {"creates_per_minute": 6}}).creates_per_minute(0.0) == 0
    with pytest.raises(ConfigurationError, match=r"\[outbox\] creates_per_minute takes a number, 0 or more"):
        Settings(config, {"outbox": {"creates_per_minute": "fast"}}).creates_per_minute()


