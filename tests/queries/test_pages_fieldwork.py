"""Field work on the technicians' pages, on a mirror pulled from the emulator: the work order's
checklist with its values, photos inline from the mirror, other files as downloads, the asset's files,
custom fields and downtime status -- and the file route serving content read-only."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
from datasette.utils import tilde_encode
from datasette.utils.testing import TestClient as DatasetteClient
from sqlalchemy import text

from mirror.db import open_mirror
from mirror.writes import attach_file, record_downtime, set_task_value
from queries.datasette import load_metadata, make_datasette
from sync.emulator import Emulator
from sync.pull import sync_entities
from sync.pull.fieldwork import FieldworkOptions, pull_fieldwork
from sync.pull.files import ContentFetcher
from tests.support.retries import FAST_PATIENT
from tests.support.upkeep import upkeep_client

MB = 1024 * 1024


def _digest(path: Path) -> str:
    return "".join(
        hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(path.parent.glob(path.name + "*"))
    )


@pytest.fixture(scope="module")
def pulled(tmp_path_factory):
    path = tmp_path_factory.mktemp("fieldwork") / "mirror.db"
    with Emulator(seed=3, work_orders=300) as emu:
        with open_mirror(path) as mirror, upkeep_client(emu, FAST_PATIENT) as client:
            # someone in UpKeep attaches a photo to an open work order
            open_wo = next(w for w in emu.dump("work_orders") if w["status"] == "open" and not w["files"])
            photo_id = next(f["id"] for f in emu.dump("files") if f["mimeType"] == "image/png")
            client.patch(f"/api/v2/work-orders/{open_wo['id']}", {"files": [photo_id], "formItems": [
                {"name": "Isolate & lock out", "type": "TASK"}, {"name": "Seal leak check", "type": "CHECKLIST"}]})
            sync_entities(mirror, client)
            fetcher = ContentFetcher(budget_bytes=30 * MB, policy=FAST_PATIENT)
            pull_fieldwork(mirror, client, FieldworkOptions(), content_fetcher=fetcher)
            fetcher.close()
        assets = emu.dump("assets")
        work_orders = emu.dump("work_orders")
        contents = {f["id"]: emu.file_bytes(f["id"]) for f in emu.dump("files")}
    ds = make_datasette(path, load_metadata())
    yield path, DatasetteClient(ds), assets, work_orders, contents
    for database in ds.databases.values():
        database.close()


def _stored(path: Path, where: str) -> list:
    with open_mirror(path) as m, m.session() as s:
        return s.execute(text(f"SELECT * FROM files WHERE {where}")).mappings().all()


def test_work_order_page_shows_its_checklist_in_order(pulled):
    path, client, _assets, work_orders, _ = pulled
    wo = next(w for w in work_orders if len(w["formItems"]) >= 4)
    page = client.get(f"/mirror/work_orders/{tilde_encode(wo['id'])}").text
    with open_mirror(path) as m, m.session() as s:
        items = s.execute(
            text("SELECT name, value FROM work_order_tasks WHERE work_order_id = :w ORDER BY position"),
            {"w": wo["id"]},
        ).all()
    assert "<h2>Checklist</h2>" in page
    positions = [page.index(f"</span> {name.replace('&', '&amp;')}") for name, _ in items]
    assert positions == sorted(positions)
    for name, value in items:
        assert re.search(rf">{re.escape(value or '—')}</span> {re.escape(name.replace('&', '&amp;'))}", page)


def test_photos_inline_and_files_as_downloads_served_from_the_mirror(pulled):
    path, client, _assets, work_orders, contents = pulled
    photo = _stored(
        path,
        "content_state = 'stored' AND is_image AND id IN "
        "(SELECT file_id FROM file_attachments WHERE record_type = 'work_order')",
    )[0]
    owner = next(w for w in work_orders if photo["id"] in w["files"])
    page = client.get(f"/mirror/work_orders/{tilde_encode(owner['id'])}").text
    assert f'<img src="/-/files/{tilde_encode(photo["id"])}"' in page
    before = _digest(path)
    served = client.get(f"/-/files/{tilde_encode(photo['id'])}")
    assert served.status == 200
    assert served.body == contents[photo["id"]]
    assert served.headers["content-type"] == photo["mime_type"]
    assert served.headers["content-disposition"].startswith("inline")
    document = _stored(path, "content_state = 'stored' AND NOT is_image")[0]
    got = client.get(f"/-/files/{tilde_encode(document['id'])}")
    assert got.body == contents[document["id"]] and got.headers["content-disposition"].startswith(
        "attachment"
    )
    skipped = _stored(path, "content_state = 'skipped'")[0]
    refused = client.get(f"/-/files/{tilde_encode(skipped['id'])}")
    assert refused.status == 404 and "left out by the files budget" in refused.text
    assert _digest(path) == before  # serving changed nothing


def test_asset_page_lists_files_custom_fields_and_downtime(pulled):
    path, client, assets, _wos, _ = pulled
    stored = {r["id"] for r in _stored(path, "content_state = 'stored'")}
    asset = next(a for a in assets if a["customFields"] and any(f in stored for f in a["files"]))
    page = client.get(f"/mirror/assets/{tilde_encode(asset['id'])}").text
    assert "<h2>Custom fields</h2>" in page
    for field in asset["customFields"]:
        value = next(v for v in field["fieldValue"].values() if v is not None)
        assert f"<dt>{field['name']}</dt><dd>{value}" in page.replace("&#39;", "'")
    for fid in asset["files"]:
        if fid in stored:
            assert f'href="/-/files/{tilde_encode(fid)}"' in page
    assert "<dt>Downtime status</dt><dd>available" in page


def test_local_writes_show_at_once(pulled, tmp_path):
    path, client, assets, _work_orders, _ = pulled
    photo = tmp_path / "broken seal.png"
    photo.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 100)
    with open_mirror(path) as m:
        with m.session() as s:
            task = s.execute(
                text(
                    "SELECT work_order_id, name FROM work_order_tasks WHERE type = 'TASK' "
                    "AND coalesce(value, '') != 'COMPLETE' ORDER BY id LIMIT 1"
                )
            ).one()
        attach_file(m, task.work_order_id, photo)
        set_task_value(m, task.work_order_id, task.name, "complete")
        record_downtime(m, assets[0]["id"], "Breakdown")
    page = client.get(f"/mirror/work_orders/{tilde_encode(task.work_order_id)}").text
    assert "broken seal.png" in page and "not yet in UpKeep" in page
    assert re.search(
        rf">COMPLETE</span> {re.escape(task.name.replace('&', '&amp;'))} <span class=\"badge "
        'badge-pending">pending',
        page,
    )
    local = _stored(path, "content_state = 'local'")[0]
    assert client.get(f"/-/files/{tilde_encode(local['id'])}").body == photo.read_bytes()
    asset_page = client.get(f"/mirror/assets/{tilde_encode(assets[0]['id'])}").text
    assert "Breakdown waiting to be sent" in asset_page
    waiting = client.get("/mirror/local_writes.json?_shape=objects").json["rows"]
    assert [(r["kind"], r["record_id"], r["state"]) for r in waiting] == [
        ("attach", task.work_order_id, "pending"), ("task_value", task.work_order_id, "pending"),
        ("downtime", assets[0]["id"], "pending")]
    assert waiting[2]["record_name"] == assets[0]["name"] and waiting[0]["record_name"]
