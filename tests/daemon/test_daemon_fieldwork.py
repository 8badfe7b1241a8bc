"""The daemon's pull job keeps field work current: after the records, the checklists, file records and
file content (within the configured budget); a local tick is delivered by its outbox job."""

from __future__ import annotations

from sqlalchemy import text

from mirror.db import open_mirror
from mirror.writes import set_task_value
from sync.daemon import Daemon, DaemonConfig
from sync.emulator import Emulator
from sync.upkeep import Credentials, RetryPolicy
from tests.support.retries import FAST_TWO_TRIES

FAST = RetryPolicy(attempts=2, initial=0.01, maximum=0.02, jitter=0.0, max_delay=1.0)


def test_pull_job_brings_field_work_and_outbox_job_delivers_a_tick(tmp_path, monkeypatch):
    from sync import daemon as daemon_module

    monkeypatch.setattr(daemon_module, "DAEMON_RETRIES", FAST_TWO_TRIES)
    config = DaemonConfig(pull_every=60, pull_jitter=0, reconcile_every=3600, outbox_every=5, probe_min=5,
                          probe_max=20, files_budget_mb=3)
    with Emulator(seed=8, work_orders=150) as emu, open_mirror(tmp_path / "m.db") as mirror:
        wo = next(w for w in emu.dump("work_orders") if w["status"] == "open")
        emu.api.writes.patch_work_order(wo["id"], {"formItems": [{"name": "Grease bearings", "type": "TASK"}]},
                                        emu.plant.admin[0])
        email, password = emu.credentials
        daemon = Daemon(mirror, Credentials(email=email, password=password, base_url=emu.base_url), config)
        daemon.start(paused=True)
        try:
            daemon.pull()
            with mirror.session() as s:
                tasks = s.execute(text("SELECT name, value FROM work_order_tasks WHERE work_order_id = :w"),
                                  {"w": wo["id"]}).all()
                stored = s.execute(text("SELECT coalesce(sum(size_bytes), 0), count(*) FROM files "
                                        "WHERE content_state = 'stored'")).one()
                skipped = s.execute(text("SELECT count(*) FROM files WHERE content_state = 'skipped'")).scalar()
            assert [tuple(t) for t in tasks] == [("Grease bearings", "OPEN")]
            assert 0 < stored[0] <= 3 * 1024 * 1024 and stored[1] > 0 and skipped > 0
            set_task_value(mirror, wo["id"], "Grease bearings", "complete")
            daemon.flush()
            assert emu.form_items(wo["id"])[0]["value"] == "COMPLETE"
        finally:
            daemon.stop()
