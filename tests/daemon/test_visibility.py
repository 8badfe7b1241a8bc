"""Every failure visible where people look: ``connectivity``, ``upkeep-mirror status`` and the log.

The daemon's jobs run by hand here, on a paused scheduler and a fake clock: the tests see what each
job records and schedules (the probe hands over to the outbox job, which hands over to the pull
job) without waiting for a timer. ``sync`` runs through the CLI as a person would run it.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import text

from mirror import connectivity, writes
from mirror.db import open_mirror
from sync import daemon as daemon_module
from sync import replay
from sync.cli import cli
from sync.daemon import Daemon, DaemonConfig
from sync.pull import sync_entities
from sync.upkeep import Credentials, UpKeepClient
from tests.support.retries import FAST_TWO_TRIES

CONFIG = DaemonConfig(pull_every=60, pull_jitter=0, reconcile_every=3600, outbox_every=5, probe_min=5, probe_max=20)


class FakeClock:
    def __init__(self) -> None:
        self.now = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def emu_account() -> dict[str, int]:
    """``emu`` (tests/conftest.py) here."""
    return {"seed": 8, "work_orders": 30}


@pytest.fixture(autouse=True)
def fast_retries(monkeypatch):
    monkeypatch.setattr(daemon_module, "DAEMON_RETRIES", FAST_TWO_TRIES)
    monkeypatch.setattr("sync.upkeep._client.RetryPolicy", lambda: FAST_TWO_TRIES)  # the CLI's clients


def _creds(emu, password: str | None = None) -> Credentials:
    email, real = emu.credentials
    return Credentials(email=email, password=password or real, base_url=emu.base_url)


@pytest.fixture
def mirror(tmp_path, emu):
    with open_mirror(tmp_path / "m.db") as m:
        with UpKeepClient(_creds(emu), policy=FAST_TWO_TRIES) as client:
            assert all(r.finished for r in sync_entities(m, client))
        yield m


@pytest.fixture
def clock():
    return FakeClock()


def _daemon(mirror, emu, clock, password: str | None = None) -> Daemon:
    daemon = Daemon(mirror, _creds(emu, password), CONFIG, clock=clock)
    daemon.start(paused=True)  # jobs run only when the test calls them
    return daemon


def _next_run(daemon: Daemon, job: str) -> datetime | None:
    found = daemon.scheduler.get_job(job)
    return found.next_run_time if found else None


def _status(db) -> str:
    result = CliRunner().invoke(cli, ["status", "--db", str(db)])
    assert result.exit_code == 0, result.output
    return result.output


def _lines(caplog, needle: str, level: int | None = None) -> list[logging.LogRecord]:
    return [r for r in caplog.records if needle in r.getMessage() and (level is None or r.levelno == level)]


def test_probe_hands_over_to_the_outbox_job_which_says_back_online_once(mirror, emu, clock, caplog):
    caplog.set_level(logging.INFO)
    daemon = _daemon(mirror, emu, clock)
    try:
        queued = writes.create_work_order(mirror, title="Vibration on fan F-2")
        emu.set_offline(True)
        offline_at = clock.now
        daemon.flush()
        row = connectivity.current(mirror)
        assert (row.online, row.offline_since, row.last_error_kind, row.last_error_source) == (
            False, offline_at, "unreachable", "daemon outbox")
        assert _next_run(daemon, "probe") == offline_at + timedelta(seconds=5)
        assert len(_lines(caplog, "working offline", logging.WARNING)) == 1

        clock.advance(minutes=6)
        daemon.probe()  # still offline: the next probe backs off, 5 -> 10 s
        assert _next_run(daemon, "probe") == clock.now + timedelta(seconds=10)
        assert "OFFLINE since 2026-03-02 09:00:00Z" in _status(mirror.path)

        emu.set_offline(False)
        clock.advance(minutes=6)
        posts = emu.stats.snapshot()["routes"].get("POST /api/v2/work-orders", 0)
        daemon.probe()
        # The probe flushed nothing and pulled nothing itself: it asked the outbox job to run now.
        assert connectivity.is_online(mirror)
        assert emu.stats.snapshot()["routes"].get("POST /api/v2/work-orders", 0) == posts
        with mirror.session() as s:
            assert s.execute(text("SELECT state FROM outbox WHERE seq = :s"), {"s": queued.seq}).scalar() == "pending"
        assert _next_run(daemon, "outbox") == clock.now
        assert not _lines(caplog, "back online")

        daemon.flush()  # the outbox job: sends, says so once, then asks the pull job to run now
        back = _lines(caplog, "back online")
        assert [r.getMessage() for r in back] == ["back online after 12 min; 1 write sent"]
        assert back[0].levelno == logging.INFO
        assert _next_run(daemon, "pull") == clock.now
        daemon.flush()
        assert len(_lines(caplog, "back online")) == 1
        assert "UpKeep: online" in _status(mirror.path)
    finally:
        daemon.stop()


def test_a_fatal_outbox_error_is_recorded_shown_and_logged_once_at_error(mirror, emu, clock, caplog):
    writes.create_work_order(mirror, title="Oil leak at gearbox G-1")
    daemon = _daemon(mirror, emu, clock, password="not-the-password")
    try:
        for _ in range(3):
            daemon.flush()
            clock.advance(seconds=5)
    finally:
        daemon.stop()
    row = connectivity.current(mirror)
    assert row.fatal_source == "daemon outbox" and row.fatal_error.startswith("outbox: ") and "401" in row.fatal_error
    assert row.last_error_kind == "fatal" and row.fatal_since == datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    shown = _status(mirror.path)
    assert "FAILING since 2026-03-02 09:00:00Z: outbox: " in shown and "(daemon outbox)" in shown
    assert "not-the-password" not in shown
    errors = [r for r in caplog.records if r.levelno == logging.ERROR and r.name == "sync.daemon"]
    assert len(errors) == 1 and "401" in errors[0].getMessage()


def test_a_fatal_pull_error_is_logged_at_error_and_recorded(mirror, emu, clock, caplog):
    caplog.set_level(logging.DEBUG, logger="sync.daemon")
    daemon = _daemon(mirror, emu, clock, password="not-the-password")
    try:
        daemon.pull()
        daemon.pull()
    finally:
        daemon.stop()
    row = connectivity.current(mirror)
    assert row.fatal_source == "daemon pull" and row.fatal_error.startswith("pull of users: ")
    assert row.online, "UpKeep answered (it refused the login): not offline"
    failed = [r for r in caplog.records if "pull of users failed" in r.getMessage()]
    assert [r.levelno for r in failed] == [logging.ERROR, logging.DEBUG]


def test_a_probe_answered_403_means_upkeep_answers_and_records_no_error(mirror, emu, clock, caplog):
    """Whatever the account may not read, the probe's question is only "does UpKeep answer?"."""
    emu.set_faults(forbidden_entities=["users", "work_orders"])
    daemon = _daemon(mirror, emu, clock)
    try:
        emu.set_offline(True)
        daemon.flush()
        daemon.probe()
        assert not connectivity.is_online(mirror)
        emu.set_offline(False)
        clock.advance(seconds=10)
        daemon.probe()
    finally:
        daemon.stop()
    row = connectivity.current(mirror)
    assert (row.online, row.fatal_error) == (True, None)
    assert emu.stats.snapshot()["statuses"].get("403") == 1
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert "FAILING" not in _status(mirror.path)


def test_a_refused_login_at_the_probe_stands_until_any_job_works_again(mirror, emu, clock):
    """The probe runs only while offline: once the password is fixed and the daemon restarted, a pull
    that works clears what the probe recorded (else ``status`` said FAILING for ever)."""
    daemon = _daemon(mirror, emu, clock, password="not-the-password")
    try:
        daemon.probe()
    finally:
        daemon.stop()
    row = connectivity.current(mirror)
    assert row.fatal_source == "daemon probe" and "401" in row.fatal_error and row.online
    daemon = _daemon(mirror, emu, clock)
    try:
        daemon.pull()
    finally:
        daemon.stop()
    assert connectivity.current(mirror).fatal_error is None
    assert "FAILING" not in _status(mirror.path)


def test_an_unexpected_error_in_a_job_is_recorded_not_raised_into_the_scheduler(mirror, emu, clock, caplog,
                                                                                 monkeypatch):
    writes.create_work_order(mirror, title="Replace filter")

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(replay, "flush", broken)
    daemon = _daemon(mirror, emu, clock)
    try:
        job = daemon.scheduler.get_job("outbox").func
        job()
        job()  # the scheduler's wrapper: nothing escapes to APScheduler
    finally:
        daemon.stop()
    row = connectivity.current(mirror)
    assert row.fatal_source == "daemon outbox" and "disk full" in row.fatal_error
    assert len([r for r in caplog.records if r.levelno == logging.ERROR and "disk full" in r.getMessage()]) == 1


def test_pull_and_reconcile_are_one_job_with_their_own_client(mirror, emu, clock):
    daemon = _daemon(mirror, emu, clock)
    try:
        clients = daemon._clients
        assert len({id(clients[j]) for j in ("pull", "outbox", "probe")}) == 3
        clock.advance(minutes=1)
        daemon.reconcile()  # does no pulling itself
        assert _next_run(daemon, "pull") == clock.now
        with mirror.session() as s:
            runs_before = s.execute(text("SELECT count(*) FROM sync_runs")).scalar()
        daemon.pull()  # the pull job runs the full pass that is due
        daemon.pull()  # and then incremental ones again
        with mirror.session() as s:
            runs = s.execute(text("SELECT run_id, group_concat(DISTINCT mode) FROM sync_runs WHERE id > :n "
                                  "AND entity = 'work_orders' GROUP BY run_id ORDER BY min(id)"),
                             {"n": runs_before}).all()
        assert [mode for _, mode in runs] == ["full", "incremental"]
    finally:
        daemon.stop()


def test_a_sync_that_cannot_reach_upkeep_leaves_status_offline_with_the_error(tmp_path, emu):
    db = tmp_path / "m.db"
    env = {"UPKEEP_EMAIL": emu.credentials[0], "UPKEEP_PASSWORD": emu.credentials[1], "UPKEEP_BASE_URL": emu.base_url}
    assert CliRunner().invoke(cli, ["sync", "--db", str(db)], env=env).exit_code == 0
    assert "UpKeep: online" in _status(db)
    emu.set_offline(True)
    failed = CliRunner().invoke(cli, ["sync", "--db", str(db)], env=env)
    assert failed.exit_code == 1 and "Traceback" not in failed.output
    shown = _status(db)
    assert "UpKeep: OFFLINE since" in shown and "(last error: sync of users: " in shown
    with open_mirror(db) as m:
        row = connectivity.current(m)
    assert (row.online, row.last_error_kind, row.last_error_source) == (False, "unreachable", "sync")
    emu.set_offline(False)
    assert CliRunner().invoke(cli, ["sync", "--db", str(db)], env=env).exit_code == 0
    assert _status(db).startswith("UpKeep: online")


def test_a_sync_refused_by_upkeep_shows_failing_until_a_sync_succeeds(tmp_path, emu):
    db = tmp_path / "m.db"
    env = {"UPKEEP_EMAIL": emu.credentials[0], "UPKEEP_PASSWORD": "wrong", "UPKEEP_BASE_URL": emu.base_url}
    assert CliRunner().invoke(cli, ["sync", "--db", str(db)], env=env).exit_code == 1
    shown = _status(db)
    assert "UpKeep: online; FAILING since" in shown and ": sync of users: " in shown and "(sync)" in shown
    assert "wrong" not in shown.replace("went wrong", "")
    env["UPKEEP_PASSWORD"] = emu.credentials[1]
    assert CliRunner().invoke(cli, ["sync", "--db", str(db)], env=env).exit_code == 0
    assert "FAILING" not in _status(db)


def _written_offline_then_back(mirror, emu, clock, caplog, title: str, *, minutes: int):
    """A daemon that saw UpKeep go away with a write queued; UpKeep is back, ``minutes`` later."""
    caplog.set_level(logging.INFO)
    daemon = _daemon(mirror, emu, clock)
    try:
        writes.create_work_order(mirror, title=title)
        emu.set_offline(True)
        daemon.flush()  # noticed: offline since now
        emu.set_offline(False)
    except BaseException:
        daemon.stop()
        raise
    clock.advance(minutes=minutes)
    return daemon


def test_back_online_counts_writes_a_flush_under_way_delivered(mirror, emu, clock, caplog):
    """A flush that started before the cut was noticed may be the one that gets the write through."""
    daemon = _written_offline_then_back(mirror, emu, clock, caplog, "Belt slipping on C-4", minutes=3)
    try:
        with UpKeepClient(_creds(emu), policy=FAST_TWO_TRIES) as client:  # the flush that was under way
            assert replay.flush(mirror, client, clock=clock, settle=0.0).created == 1
        clock.advance(seconds=30)
        daemon.probe()
        daemon.flush()  # finds nothing left to send
    finally:
        daemon.stop()
    assert [r.getMessage() for r in _lines(caplog, "back online")] == ["back online after 4 min; 1 write sent"]


def test_a_pull_that_sees_upkeep_again_also_brings_the_back_online_line(mirror, emu, clock, caplog, monkeypatch):
    """A pull under way when the cut was noticed may be the first to get an answer: it hands over too."""
    daemon = _written_offline_then_back(mirror, emu, clock, caplog, "Guard missing on press P-1", minutes=2)
    try:
        checks = iter([True])  # the pull started before the cut was recorded
        real = connectivity.is_online
        monkeypatch.setattr(connectivity, "is_online", lambda m: next(checks, None) or real(m))
        daemon.pull()
        assert connectivity.is_online(mirror) and _next_run(daemon, "outbox") == clock.now
        daemon.flush()
    finally:
        daemon.stop()
    assert [r.getMessage() for r in _lines(caplog, "back online")] == ["back online after 2 min; 1 write sent"]
