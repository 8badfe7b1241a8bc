"""Field work in the emulator: files (list, get, multipart upload, content at the url), form
templates, work-order form items (``includes`` where the reference allows it), downtime statuses,
``POST /assets/downtime``, asset custom fields -- strict parameters and faults as everywhere else."""

from __future__ import annotations

import httpx
import pytest

from sync.emulator import Emulator


def _png_signature(data: bytes) -> bool:
    return data.startswith(b"\x89PNG\r\n\x1a\n")


def test_files_page_with_sort_not_order_by(api):
    first = api.get("/files", params={"limit": 5, "offset": 0, "sort": "createdAt ASC"})
    assert first.status_code == 200, first.text
    rows = first.json()["results"]
    assert len(rows) == 5
    assert [r["createdAt"] for r in rows] == sorted(r["createdAt"] for r in rows)
    assert set(rows[0]) == {"id", "filename", "url", "mimeType", "createdAt"}
    newest = api.get("/files", params={"limit": 5}).json()["results"]  # default createdAt DESC
    assert newest[0]["createdAt"] >= newest[-1]["createdAt"]
    refused = api.get("/files", params={"orderBy": "createdAt ASC"})
    assert refused.status_code == 400
    assert refused.json()["message"] == "invalid filter key: orderBy"
    assert api.get("/files", params={"updatedAtGreaterThan": 1}).status_code == 400


def test_file_content_is_served_at_its_url_with_ranges(api, shared_emu: Emulator):
    photo = next(f for f in shared_emu.dump("files") if f["mimeType"] == "image/png")
    record = api.get(f"/files/{photo['id']}").json()["result"]
    assert record["url"].startswith(shared_emu.base_url + "/_content/")
    whole = httpx.get(record["url"])  # no session token: a pre-signed storage URL
    assert whole.status_code == 200
    assert _png_signature(whole.content)
    assert whole.headers["content-type"] == "image/png"
    assert whole.content == shared_emu.file_bytes(photo["id"])
    head = httpx.head(record["url"])
    assert int(head.headers["content-length"]) == len(whole.content)
    part = httpx.get(record["url"], headers={"Range": "bytes=100-"})
    assert part.status_code == 206
    assert part.content == whole.content[100:]
    assert part.headers["content-range"] == f"bytes 100-{len(whole.content) - 1}/{len(whole.content)}"


def test_form_templates_page_with_sort(api):
    rows = api.get("/form-templates", params={"sort": "updatedAt DESC", "limit": 10}).json()["results"]
    assert rows and all("Name" in r and r["formItems"] for r in rows)
    one = api.get(f"/form-templates/{rows[0]['id']}").json()["result"]
    assert one == rows[0]
    assert api.get("/form-templates", params={"name": "x"}).status_code == 400


def test_work_order_items_expand_only_where_the_reference_allows(api, shared_emu: Emulator):
    wo = next(w for w in shared_emu.dump("work_orders") if w["formItems"])
    assert all(isinstance(i, str) for i in wo["formItems"])
    bare = api.get(f"/work-orders/{wo['id']}").json()["result"]
    assert bare["formItems"] == wo["formItems"]
    for params in (
        {"includes": "formItems,files"},
        [("includes", "formItems"), ("includes", "files")],
        [("includes[]", "formItems"), ("includes[]", "files")],
    ):
        full = api.get(f"/work-orders/{wo['id']}", params=params).json()["result"]
        assert [i["id"] for i in full["formItems"]] == wo["formItems"]
        assert all({"id", "name", "type", "value"} <= set(i) for i in full["formItems"])
    listed = api.get("/work-orders", params={"includes": "formItems"})
    assert listed.status_code == 400
    assert "invalid includes: formItems" in listed.json()["message"]
    assert api.get("/work-orders", params={"includes": "asset"}).status_code == 200


def test_asset_files_and_custom_fields(api, shared_emu: Emulator):
    asset = next(a for a in shared_emu.dump("assets") if a["files"] and a["customFields"])
    full = api.get(f"/assets/{asset['id']}", params={"includes": "files"}).json()["result"]
    assert [f["id"] for f in full["files"]] == asset["files"]
    defs = api.get("/custom-fields/assets").json()["results"]
    assert {c["id"] for c in asset["customFields"]} <= {d["id"] for d in defs}
    assert {d["type"] for d in defs} == {
        "number",
        "dropdown",
        "date",
        "currency",
        "singleLineText",
        "multiLineText",
    }
    assert (
        api.get("/custom-fields/assets", params={"limit": 10}).json()["message"]
        == "invalid filter key: limit"
    )
    assert api.get(f"/custom-fields/assets/{defs[0]['id']}").json()["result"] == defs[0]


def test_downtime_statuses_list_like_other_lists(api):
    rows = api.get("/asset-downtime-statuses", params={"orderBy": "createdAt ASC"}).json()["results"]
    assert [r["name"] for r in rows][:2] == ["Under Maintenance", "Waiting for Parts"]
    named = api.get("/asset-downtime-statuses", params={"name": "Breakdown"}).json()["results"]
    assert [r["name"] for r in named] == ["Breakdown"]
    assert api.get("/asset-downtime-statuses", params={"sort": "createdAt ASC"}).status_code == 400


def test_upload_answers_under_data_and_serves_the_bytes(own_api, emu: Emulator):
    payload = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 10
    answer = own_api.post(
        "/files", files={"file": ("seal.png", payload, "image/png")}, data={"filename": "pump seal"}
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert "result" not in body and body["success"] is True
    data = body["data"]
    assert data["filename"] == "pump seal.png" and data["mimeType"] == "image/png"
    assert httpx.get(data["url"]).content == payload
    assert emu.get("files", data["id"])["filename"] == "pump seal.png"


@pytest.mark.parametrize(
    ("files", "data", "message"),
    [
        ({"file": ("a.png", b"x", "image/png")}, {}, "filename cannot be null"),
        (None, {"filename": "a"}, "a file upload must be sent as multipart/form-data"),
        ({"file": ("a.png", b"x", "image/png")}, {"filename": "a", "asset": "x"}, "asset not in schema"),
    ],
)
def test_bad_uploads_are_refused(own_api, emu, files, data, message):
    before = len(emu.dump("files"))
    answer = own_api.post("/files", files=files, data=data)
    assert answer.status_code == 400
    assert answer.json()["message"] == message
    assert len(emu.dump("files")) == before


def test_downtime_takes_an_array_and_reports_per_row(own_api, emu: Emulator):
    asset, other = emu.dump("assets")[:2]
    status = emu.dump("asset_downtime_statuses")[0]
    answer = own_api.post(
        "/assets/downtime",
        json=[
            {
                "assetId": asset["id"],
                "status": "not-available",
                "recordedOn": "2026-01-02T08:00:00Z",
                "statusCategory": status["id"],
            },
            {"assetId": other["id"], "status": "available", "recordedOn": "not a date"},
        ],
    )
    body = answer.json()
    assert body["success"] is False
    ok, bad = body["results"]
    assert ok["row"] == 1 and ok["newAssetActivityUpdateId"]
    assert bad["errors"][0]["slug"] == "invalid-recorded-on"
    assert emu.get("assets", asset["id"])["downtimeStatus"] == status["id"]
    assert emu.get("assets", asset["id"])["updatedAt"] > asset["updatedAt"]
    assert emu.get("assets", other["id"]) == other
    [event] = emu.downtime_events(asset["id"])
    assert event["id"] == ok["newAssetActivityUpdateId"]
    assert own_api.post("/assets/downtime", json={"assetId": asset["id"]}).status_code == 400
    assert own_api.get("/assets/downtime").status_code == 405


def test_patch_replaces_the_whole_item_list(own_api, emu: Emulator):
    wo = next(w for w in emu.dump("work_orders") if len(w["formItems"]) >= 3)
    items = own_api.get(f"/work-orders/{wo['id']}", params={"includes": "formItems"}).json()["result"][
        "formItems"
    ]
    task = next(i for i in items if i["type"] == "TASK")
    sent = [dict(i, value="COMPLETE") if i is task else i for i in items[:-1]]
    answer = own_api.patch(f"/work-orders/{wo['id']}", json={"formItems": sent})
    assert answer.status_code == 200, answer.text
    assert [i["id"] for i in answer.json()["result"]["formItems"]] == [i["id"] for i in sent]
    stored = emu.form_items(wo["id"])
    assert len(stored) == len(items) - 1  # the item not sent back is gone
    assert next(i for i in stored if i["id"] == task["id"])["value"] == "COMPLETE"
    bad = own_api.patch(f"/work-orders/{wo['id']}", json={"formItems": [dict(task, value="DONE")]})
    assert bad.status_code == 400 and "formItems[0].value" in bad.json()["message"]
    assert len(emu.form_items(wo["id"])) == len(items) - 1


def test_patch_files_needs_existing_files_and_sets_images(own_api, emu: Emulator):
    wo = emu.dump("work_orders")[0]
    photo = next(f for f in emu.dump("files") if f["mimeType"] == "image/png")
    assert own_api.patch(f"/work-orders/{wo['id']}", json={"files": ["nope"]}).status_code == 400
    answer = own_api.patch(f"/work-orders/{wo['id']}", json={"files": [photo["id"]], "image": photo["id"]})
    assert answer.status_code == 200, answer.text
    stored = emu.get("work_orders", wo["id"])
    assert stored["files"] == [photo["id"]]
    assert stored["image"]["name"] == photo["filename"]


def test_lost_answers_apply_uploads_and_downtime(own_api, emu: Emulator):
    emu.set_faults(lost_response_rate=1.0, methods=["POST"])
    before = len(emu.dump("files"))
    with pytest.raises(httpx.TransportError):
        own_api.post("/files", files={"file": ("x.png", b"abc", "image/png")}, data={"filename": "lost"})
    asset = emu.dump("assets")[0]
    with pytest.raises(httpx.TransportError):
        own_api.post(
            "/assets/downtime",
            json=[{"assetId": asset["id"], "status": "not-available", "recordedOn": 1767340800000}],
        )
    emu.set_faults()
    assert len(emu.dump("files")) == before + 1
    assert emu.get("assets", asset["id"])["downtimeStatus"] == "not-available"


def test_content_downloads_are_faulted_too(emu: Emulator):
    photo = next(f for f in emu.dump("files") if f["mimeType"] == "image/png")
    url = f"{emu.base_url}/_content/{photo['id']}/{photo['filename']}"
    emu.set_faults(lost_response_rate=1.0)
    with pytest.raises(httpx.TransportError):
        httpx.get(url)
    emu.set_offline(True)
    emu.set_faults()
    with pytest.raises(httpx.TransportError):
        httpx.get(url)
    emu.set_offline(False)
    assert httpx.get(url).content == emu.file_bytes(photo["id"])
