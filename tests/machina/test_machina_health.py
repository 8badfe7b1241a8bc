"""health_check: HEALTHY / DEGRADED / UNHEALTHY from the mirror's freshness, connectivity and queue.

The clock is fixed relative to the last pull, so the ages (and verdicts) are exact and do not depend
on how long the test takes.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from machina.connectors.base import ConnectorStatus
from sqlalchemy import text

from mirror import connectivity, writes
from mirror.db import open_mirror
from mirror.machina import MirrorConnector
from mirror.machina.health import Thresholds
from mirror.timestamps import parse_utc
from tests.support.machina_plant import run


def _last_pull(path):
    with open_mirror(path) as m, m.session() as s:
        stamps = s.execute(text("SELECT last_success_at FROM sync_cursors")).scalars().all()
    return max(parse_utc(t) for t in stamps)


def _health(path, now, **kw):
    async def go():
        conn = MirrorConnector(path, clock=lambda: now, **kw)
        await conn.connect()
        try:
            return await conn.health_check()
        finally:
            await conn.disconnect()

    return run(go())


def _daemon_seen(path, *, offline_since=None):
    with open_mirror(path) as m:
        connectivity.record(m, heartbeat=True)
        if offline_since is not None:
            connectivity.mark_offline(m, "ConnectError: [Errno 111] Connection refused")
            with m.write() as s:
                s.execute(text("UPDATE connectivity SET offline_since = :t"), {"t": offline_since})


def test_fresh_mirror_is_healthy_and_says_whether_a_daemon_saw_upkeep_online(db):
    now = _last_pull(db) + timedelta(minutes=2)
    health = _health(db, now)
    assert health.status == ConnectorStatus.HEALTHY, health.message
    ages = health.details["pull_age_seconds"]
    assert 120 <= ages["work_orders"] < 180 and ages["assets"] >= 120  # pulled within the sync before the last
    assert health.details["writes_waiting"] == 0 and health.details["connectivity"] == "unknown"
    _daemon_seen(db)
    health = _health(db, now)
    assert health.status == ConnectorStatus.HEALTHY
    assert health.details["connectivity"] == "online" and health.details["online"] is True


def test_offline_with_writes_waiting_is_degraded_with_the_figures(db):
    pulled = _last_pull(db)
    _daemon_seen(db, offline_since="2020-01-01T00:00:00.000Z")
    with open_mirror(db) as m, m.session() as s:
        wo = s.execute(text("SELECT id FROM work_orders LIMIT 1")).scalar()
    with open_mirror(db) as m:
        writes.update_work_order(m, wo, description="checked", now=pulled)
        writes.update_work_order(m, wo, status="onHold", now=pulled)
    now = pulled + timedelta(minutes=40)
    health = _health(db, now)
    assert health.status == ConnectorStatus.DEGRADED
    d = health.details
    assert d["connectivity"] == "offline" and d["online"] is False
    assert d["offline_since"] == "2020-01-01T00:00:00.000Z" and d["offline_seconds"] > 86400
    assert "Connection refused" in d["last_error"]
    assert d["writes_waiting"] == 2 and d["oldest_write_waiting_seconds"] == pytest.approx(2400, abs=1)
    assert d["pull_age_seconds"]["work_orders"] == pytest.approx(2400, abs=60)
    assert "UpKeep offline" in health.message and "2 local writes waiting" in health.message


def test_late_data_is_degraded_and_stale_data_unhealthy(db):
    pulled = _last_pull(db)
    assert _health(db, pulled + timedelta(minutes=20)).status == ConnectorStatus.DEGRADED
    stale = _health(db, pulled + timedelta(days=2))
    assert stale.status == ConnectorStatus.UNHEALTHY and "older than" in stale.message
    relaxed = _health(db, pulled + timedelta(days=2), thresholds=Thresholds(timedelta(days=3), timedelta(days=7)))
    assert relaxed.status == ConnectorStatus.HEALTHY


def test_failed_or_conflicting_writes_degrade(db):
    pulled = _last_pull(db)
    with open_mirror(db) as m:
        with m.session() as s:
            wo = s.execute(text("SELECT id FROM work_orders LIMIT 1")).scalar()
        writes.update_work_order(m, wo, description="x", now=pulled)
        with m.write() as s:
            s.execute(text("UPDATE outbox SET state = 'dead', last_error = '400: invalid field'"))
    health = _health(db, pulled + timedelta(minutes=1))
    assert health.status == ConnectorStatus.DEGRADED
    assert health.details["writes_failed"] == 1 and health.details["writes_waiting"] == 0


def test_a_mirror_never_synced_is_unhealthy(tmp_path):
    open_mirror(tmp_path / "empty.db").close()
    health = _health(tmp_path / "empty.db", parse_utc("2026-01-01T00:00:00Z"))
    assert health.status == ConnectorStatus.UNHEALTHY and "never pulled" in health.message
    assert health.details["pull_age_seconds"]["work_orders"] is None
