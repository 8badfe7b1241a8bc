"""Pull of field work against the emulator over HTTP: settings lists, file records, checklists (one
GET with includes=formItems per changed work order), and file content within a budget."""

from __future__ import annotations

import hashlib
import json

import pytest
from sqlalchemy import text

from mirror.db import open_mirror
from mirror.file_content import iter_content
from sync.emulator import Emulator
from sync.pull import sync_entities
from sync.pull.fieldwork import FieldworkOptions, pull_fieldwork
from sync.pull.files import ContentFetcher
from tests.support.retries import FAST_PATIENT
from tests.support.upkeep import upkeep_client

MB = 1024 * 1024


@pytest.fixture
def small_emu():
    with Emulator(seed=3, work_orders=300) as emulator:
        yield emulator


def _first_sync(tmp_path, emu, budget: int):
    mirror = open_mirror(tmp_path / "m.db")
    client = upkeep_client(emu, FAST_PATIENT)
    sync_entities(mirror, client)
    fetcher = ContentFetcher(budget_bytes=budget, policy=FAST_PATIENT)
    results = pull_fieldwork(mirror, client, FieldworkOptions(content_budget_bytes=budget), content_fetcher=fetcher)
    return mirror, client, fetcher, results


def _needed(emu) -> dict[str, int]:
    """File id -> size of every file attached to an asset or an open, unarchived work order."""
    ids = set()
    urls = set()
    for asset in emu.dump("assets"):
        ids.update(asset["files"])
        if isinstance(asset.get("image"), dict):
            urls.add(asset["image"]["url"])
    for wo in emu.dump("work_orders"):
        if wo["status"] != "complete" and wo.get("archivedStatus") != "1":
            ids.update(wo["files"])
            if isinstance(wo.get("image"), dict):
                urls.add(wo["image"]["url"])
    return {f["id"]: emu.store.file_content(f["id"])[0] for f in emu.dump("files")
            if f["id"] in ids or f["url"] in urls}


def test_first_sync_mirrors_field_work_and_fetches_content_within_budget(tmp_path, small_emu):
    emu = small_emu
    needed = _needed(emu)
    budget = 8 * MB
    mirror, client, fetcher, results = _first_sync(tmp_path, emu, budget)
    try:
        with mirror.session() as s:
            for entity, table in (("form_templates", "form_templates"),
                                  ("asset_downtime_statuses", "asset_downtime_statuses"),
                                  ("custom_fields_assets", "custom_field_definitions"), ("files", "files")):
                upstream = {o["id"]: o for o in emu.dump(entity)}
                rows = dict(s.execute(text(f"SELECT id, raw FROM {table} WHERE deleted_at IS NULL")).all())
                assert {i: json.loads(r) for i, r in rows.items()} == upstream, entity
            # every checklist, item by item, in order
            with_items = [w for w in emu.dump("work_orders") if w["formItems"]]
            assert with_items
            for wo in with_items:
                items = emu.form_items(wo["id"])
                got = s.execute(text("SELECT id, name, value, type FROM work_order_tasks WHERE work_order_id = :w "
                                     "ORDER BY position"), {"w": wo["id"]}).all()
                assert [r.id for r in got] == [i["id"] for i in items]
                for row, item in zip(got, items, strict=True):
                    expected = item["value"]
                    shown = None if expected is None else (f"{float(expected):g}" if row.type in ("NUMBER", "METER")
                                                            else expected)
                    assert (row.name, row.value) == (item["name"], shown)
            # content: the smallest needed files up to the budget, the largest skipped and listed
            ordered = sorted(needed.items(), key=lambda kv: (kv[1], kv[0]))
            fits, total = [], 0
            for fid, size in ordered:
                if total + size <= budget:
                    fits.append(fid)
                    total += size
            stored = dict(s.execute(text("SELECT id, content_sha256 FROM files WHERE content_state = 'stored'")).all())
            assert set(stored) == set(fits)
            skipped = dict(s.execute(text("SELECT id, content_note FROM files WHERE content_state = 'skipped'")).all())
            assert set(skipped) == set(needed) - set(fits)
            assert all("over the files budget" in n for n in skipped.values())
            for fid in fits[:5]:
                content = b"".join(iter_content(s, fid))
                assert content == emu.file_bytes(fid)
                assert stored[fid] == hashlib.sha256(content).hexdigest()
            not_needed = set(s.execute(text("SELECT id FROM files WHERE content_state = 'not_needed'")).scalars())
            assert not_needed == {f["id"] for f in emu.dump("files")} - set(needed)
        report = results[-1]
        assert report.downloaded_files == len(fits) and report.downloaded_bytes == total
        assert sorted(f for f, _, _ in report.skipped) == sorted(set(needed) - set(fits))
        # a second run fetches nothing again and reads no checklist
        emu.stats.reset()
        again = pull_fieldwork(mirror, client, FieldworkOptions(content_budget_bytes=budget), content_fetcher=fetcher)
        assert again[-1].downloaded_files == 0
        assert next(r for r in again if r.entity == "work_order_tasks").requests == 0
    finally:
        fetcher.close()
        client.close()
        mirror.close()


def test_a_changed_checklist_is_read_again_and_a_removed_one_goes(tmp_path, small_emu):
    emu = small_emu
    mirror, client, fetcher, _ = _first_sync(tmp_path, emu, 0)
    try:
        wo = next(w for w in emu.dump("work_orders") if len(w["formItems"]) >= 2)
        other = next(w for w in emu.dump("work_orders") if w["formItems"] and w["id"] != wo["id"])
        items = emu.form_items(wo["id"])
        task = next(i for i in items if i["type"] == "TASK")
        with upkeep_client(emu, FAST_PATIENT) as c:
            c.patch(f"/api/v2/work-orders/{wo['id']}",
                    {"formItems": [dict(i, value="COMPLETE") if i is task else i for i in items]})
            c.patch(f"/api/v2/work-orders/{other['id']}", {"formItems": []})
        sync_entities(mirror, client)
        results = pull_fieldwork(mirror, client, FieldworkOptions(content=False))
        assert next(r for r in results if r.entity == "work_order_tasks").requests == 1
        with mirror.session() as s:
            value = s.execute(text("SELECT value FROM work_order_tasks WHERE id = :i"), {"i": task["id"]}).scalar()
            gone = s.execute(text("SELECT count(*) FROM work_order_tasks WHERE work_order_id = :w"),
                             {"w": other["id"]}).scalar()
        assert (value, gone) == ("COMPLETE", 0)
    finally:
        fetcher.close()
        client.close()
        mirror.close()


def test_content_download_resumes_after_an_interruption(tmp_path, small_emu):
    emu = small_emu
    mirror = open_mirror(tmp_path / "m.db")
    client = upkeep_client(emu, FAST_PATIENT)
    sync_entities(mirror, client)
    pull_fieldwork(mirror, client, FieldworkOptions(content=False))
    calls = []

    class Interrupted(Exception):
        pass

    def stop_after_two_chunks(file_id, stored):
        calls.append((file_id, stored))
        if len(calls) == 2:
            raise Interrupted

    small_chunks = ContentFetcher(budget_bytes=3 * MB, policy=FAST_PATIENT, chunk_bytes=64 * 1024,
                                  on_chunk=stop_after_two_chunks)
    try:
        with pytest.raises(Interrupted):
            small_chunks.run(mirror)
        file_id = calls[-1][0]
        with mirror.session() as s:
            state, stored = s.execute(text("SELECT content_state, content_stored_bytes FROM files WHERE id = :i"),
                                      {"i": file_id}).one()
        assert state == "partial" and stored == calls[-1][1] > 0
        emu.stats.reset()
        resumed = ContentFetcher(budget_bytes=3 * MB, policy=FAST_PATIENT)
        report = resumed.run(mirror)
        resumed.close()
        assert report.failed == []
        with mirror.session() as s:
            assert b"".join(iter_content(s, file_id)) == emu.file_bytes(file_id)
            assert s.execute(text("SELECT content_state FROM files WHERE id = :i"), {"i": file_id}).scalar() == "stored"
    finally:
        small_chunks.close()
        client.close()
        mirror.close()


def test_content_survives_dropped_connections(tmp_path, small_emu):
    emu = small_emu
    mirror = open_mirror(tmp_path / "m.db")
    client = upkeep_client(emu, FAST_PATIENT)
    sync_entities(mirror, client)
    pull_fieldwork(mirror, client, FieldworkOptions(content=False))
    emu.set_faults(lost_response_rate=0.3, server_error_rate=0.1, seed=4)
    fetcher = ContentFetcher(budget_bytes=4 * MB, policy=FAST_PATIENT, chunk_bytes=128 * 1024)
    try:
        report = fetcher.run(mirror)
        emu.set_faults()
        assert report.failed == [] and report.downloaded_files > 0
        with mirror.session() as s:
            for fid in s.execute(text("SELECT id FROM files WHERE content_state = 'stored'")).scalars():
                assert b"".join(iter_content(s, fid)) == emu.file_bytes(fid)
    finally:
        fetcher.close()
        client.close()
        mirror.close()
