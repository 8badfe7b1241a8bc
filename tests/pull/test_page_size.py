"""UpKeep serving fewer objects per request than asked (issue 25): every listing is still read to
its end, the page size is found once, said once, recorded, and used from the start next time.

Against the emulator's ``max_page_size`` switch over real HTTP. Without it, a short page ended
every listing: a first sync of 1,200 work orders from a server capped at 50 kept 50.
"""

from __future__ import annotations

import json
import logging

from click.testing import CliRunner
from sqlalchemy import text

from mirror.db import open_mirror
from mirror.entities import PULLED as SOURCES
from sync.cli import cli
from sync.emulator import Emulator
from sync.pull import FieldworkOptions, PullOptions, sync_entities
from sync.service import OK, pull_all
from tests.support.pull import assert_converged
from tests.support.upkeep import upkeep_client

SAID = "UpKeep serves at most 50 objects per request (asked for 100); using 50"


def _said(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING and "serves at most" in r.getMessage()]


def _requests(emu) -> int:
    return sum(emu.stats.snapshot()["routes"].values())


def _fieldwork_equal(mirror, emu) -> None:
    with mirror.session() as s:
        for entity, table in (("form_templates", "form_templates"), ("asset_downtime_statuses", "asset_downtime_statuses"),
                              ("custom_fields_assets", "custom_field_definitions"), ("files", "files")):
            rows = dict(s.execute(text(f"SELECT id, raw FROM {table} WHERE deleted_at IS NULL")).all())
            assert {i: json.loads(r) for i, r in rows.items()} == {o["id"]: o for o in emu.dump(entity)}, entity


def test_a_server_serving_50_per_request_is_mirrored_whole_said_once_and_paged_by_50_next_time(tmp_path, caplog):
    db = tmp_path / "m.db"
    with Emulator(seed=21, work_orders=1200, max_page_size=50) as emu:
        assert len(emu.dump("work_orders")) == 1200 and len(emu.dump("files")) > 50
        with open_mirror(db) as mirror, upkeep_client(emu) as client, caplog.at_level(logging.WARNING):
            outcome = pull_all(mirror, client, PullOptions(), source="sync", fieldwork=FieldworkOptions(content=False))
            assert outcome.status == OK and all(r.finished for r in outcome.results)
            assert all(r.error is None for r in outcome.fieldwork or [None])
            assert_converged(mirror, emu)  # all 1,200 work orders, and every other entity whole
            _fieldwork_equal(mirror, emu)
        assert _said(caplog) == [SAID]  # once, however many listings and threads met it
        status = CliRunner().invoke(cli, ["status", "--db", str(db)])
        assert status.exit_code == 0
        assert "Page size: 50 (UpKeep serves at most 50 objects per request; asked for 100" in status.output

        # The next run (a new process: a new client) starts from 50: 30 changed work orders are one
        # page, surely the last, and no listing confirms anything.
        for wo in emu.dump("work_orders")[:30]:
            emu.mutate(op="update", entity="work_orders", id=wo["id"], fields={"title": wo["title"] + " (checked)"})
        caplog.clear()
        emu.stats.reset()
        with open_mirror(db) as mirror, upkeep_client(emu) as client, caplog.at_level(logging.WARNING):
            results = sync_entities(mirror, client)
            assert all(r.finished for r in results) and client.page_size.checks == 0
            assert_converged(mirror, emu)
        routes = emu.stats.snapshot()["routes"]
        assert routes.pop("DELETE /api/v2/auth") == 1  # the client logs out when it is closed
        assert routes["GET /api/v2/work-orders"] == 1
        assert sum(routes.values()) == len(SOURCES)  # one listing each but meter readings, and one login
        assert _said(caplog) == []


def test_without_a_cap_the_only_extra_requests_are_the_counted_confirmations_of_a_new_mirror(tmp_path):
    with Emulator(seed=5, work_orders=600) as emu:
        # What the pull did before: a short page was the end (as if UpKeep were known to serve 100).
        with open_mirror(tmp_path / "before.db") as mirror, upkeep_client(emu) as client:
            client.page_size.restore(100, None, None)
            emu.stats.reset()
            assert all(r.finished for r in sync_entities(mirror, client))
            before = _requests(emu)
            assert client.page_size.checks == 0  # full pages: nothing to confirm
        with open_mirror(tmp_path / "m.db") as mirror, upkeep_client(emu) as client:
            emu.stats.reset()
            results = sync_entities(mirror, client)
            assert all(r.finished for r in results)
            assert_converged(mirror, emu)
            checks = client.page_size.checks
            # At most one empty confirming request per listing that ended before UpKeep served a full page.
            assert _requests(emu) == before + checks
            assert checks <= sum(1 for e in SOURCES if 0 < len(emu.dump(e)) < 100)
            assert sum(r.requests for r in results) == _requests(emu) - 1  # the login is nobody's
            assert client.page_size.cap is None and client.page_size.served == 100
        # The mirror remembers UpKeep served 100: the next run (a new client) confirms nothing, as before.
        with open_mirror(tmp_path / "m.db") as mirror, upkeep_client(emu) as client:
            emu.stats.reset()
            sync_entities(mirror, client)
            assert _requests(emu) == len(SOURCES)  # one listing each but meter readings, and one login
        status = CliRunner().invoke(cli, ["status", "--db", str(tmp_path / "m.db")])
        assert status.exit_code == 0 and "Page size" not in status.output


def test_a_tiny_page_size_reads_every_list_whole_settings_files_and_pm_triggers_included(mirror):
    with Emulator(seed=8, work_orders=150, max_page_size=3) as emu, upkeep_client(emu) as client:
        assert len(emu.dump("preventive_maintenance")) > 3 and len(emu.dump("asset_downtime_statuses")) > 3
        outcome = pull_all(mirror, client, PullOptions(), source="sync", fieldwork=FieldworkOptions(content=False))
        assert outcome.status == OK and all(r.error is None for r in outcome.fieldwork or [None])
        assert_converged(mirror, emu)
        _fieldwork_equal(mirror, emu)
        assert client.page_size.cap == 3
