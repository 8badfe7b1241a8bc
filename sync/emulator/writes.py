"""The write endpoints the mirror's outbox replays, validated the way the reference describes.

Create bodies reject unknown fields with ``<field> not in schema``; PATCH bodies reject fields the
reference does not list as editable with ``<field> is not allowed to be set!``; required fields
answer ``<field> cannot be null``. Every write stamps ``updatedAt`` with the wall clock (a create
also stamps ``createdAt``), and a work order created with parts decreases their stock as UpKeep's
default ``decreaseInventory: auto`` does.
"""

from __future__ import annotations

from typing import Any

from sync.emulator import fieldwork_api as fw
from sync.emulator.auth import ApiError
from sync.emulator.entities import ENTITIES, EntitySpec
from sync.emulator.validation import (
    FILE_FIELDS,
    PART_CATEGORIES,
    PART_PATCH_FIELDS,
    READING_FIELDS,
    REQUEST_CREATE_FIELDS,
    WO_CATEGORY_SET,
    WO_CREATE_FIELDS,
    WO_PATCH_FIELDS,
    WO_STATUSES,
    BodyChecks,
    category,
    ms_date,
    num_text,
    number,
    priority,
)
from sync.emulator.values import iso, now_ms, parse_ms


class Writes(BodyChecks):
    """Applies validated writes to the store; each method returns the ``result`` object or message."""

    # -- work orders ----------------------------------------------------------------------------

    def _apply_wo_fields(self, wo: dict, body: dict, user_id: str, now: int) -> None:
        """Validate and apply the create/PATCH fields shared by both endpoints, in place."""
        if "title" in body and (body["title"] is None or str(body["title"]).strip() == ""):
            raise ApiError(400, "title cannot be null")
        for key in ("title", "description"):
            if key in body:
                wo[key] = None if body[key] is None else str(body[key])
        if "priority" in body:
            wo["priority"] = None if body["priority"] is None else str(priority(body["priority"]))
        if "category" in body:
            wo["category"] = category(body["category"], WO_CATEGORY_SET, "work order")
        for key in ("startDate", "dueDate"):
            if key in body:
                wo[key] = ms_date(key, body[key])
        for key, entity in (("asset", "assets"), ("location", "locations"), ("assignedToUser", "users")):
            if key in body:
                wo[key] = self.ref(key, body[key], entity)
        if "assignedToUser" in body:
            wo["assignedToUsername"] = self.email(wo["assignedToUser"])
            wo["assignedByUser"], wo["assignedByUsername"] = user_id, self.email(user_id)
        for key in FILE_FIELDS:
            if key in body:
                wo[key] = fw.file_ref(self.store, body[key])
        if "files" in body:
            wo["files"] = fw.check_files(self.store, body["files"] or [])
        if "additionalUsers" in body:
            values = body["additionalUsers"] or []
            if not isinstance(values, list):
                raise ApiError(400, "additionalUsers must be an array")
            for uid in values:
                self.ref("additionalUsers", uid, "users")
            wo["additionalUsers"] = list(values)
        if "formItems" in body:
            # A work order's items live in their own table; the work order lists their ids. The
            # whole list is replaced: items not sent are gone (see fieldwork_api).
            items = fw.check_form_items(self.store, body["formItems"] or [], self.new_id)
            self.store.set_form_items(wo["id"], items)
            wo["formItems"] = [i["id"] for i in items]
        if "estimatedDurationInHours" in body:
            value = body["estimatedDurationInHours"]
            wo["estimatedDurationInHours"] = (
                None if value is None else number("estimatedDurationInHours", value)
            )
        for key in ("time", "cost"):
            if key in body:
                wo[key] = None if body[key] is None else num_text(number(key, body[key]))
        if body.get("customWOStatusId") is not None:
            raise ApiError(400, f"customWOStatusId not found: {body['customWOStatusId']}")
        if "parts" in body or "respectivePartQuantityUsed" in body:
            self._apply_parts(wo, body, now)

    def _apply_parts(self, wo: dict, body: dict, now: int) -> None:
        parts = body.get("parts", wo.get("parts")) or []
        qty = body.get("respectivePartQuantityUsed", [1] * len(parts)) or []
        if not isinstance(parts, list) or not isinstance(qty, list) or len(parts) != len(qty):
            raise ApiError(400, "parts and respectivePartQuantityUsed must be arrays of equal length")
        qty = [number("respectivePartQuantityUsed", q) for q in qty]
        spec = ENTITIES["parts"]
        stock = [self._require_ref_part(spec, pid) for pid in parts]
        if body.get("decreaseInventory", "auto") not in ("auto", "manual"):
            raise ApiError(400, "decreaseInventory must be auto or manual")
        if body.get("decreaseInventory", "auto") == "auto":
            before = dict(
                zip(wo.get("parts") or [], wo.get("respectivePartQuantityUsed") or [], strict=False)
            )
            for part, q in zip(stock, qty, strict=True):
                delta = q - float(before.get(part["id"], 0))
                if delta:
                    part["quantity"] = num_text(float(part.get("quantity") or 0) - delta)
                    part["updatedAt"] = iso(now)
                    self.store.put(spec, part)
        wo["parts"], wo["respectivePartQuantityUsed"] = (
            list(parts),
            [int(q) if q == int(q) else q for q in qty],
        )

    def _require_ref_part(self, spec: EntitySpec, pid: Any) -> dict:
        part = self.store.get(spec, pid) if isinstance(pid, str) else None
        if part is None:
            raise ApiError(400, f"parts not found: {pid}")
        return part

    def create_work_order(self, body: dict, user_id: str) -> dict:
        self.check_fields(body, WO_CREATE_FIELDS, create=True)
        if body.get("title") is None or str(body["title"]).strip() == "":
            raise ApiError(400, "title cannot be null")
        spec = ENTITIES["work_orders"]
        with self.store.lock:
            now = now_ms()
            seq = self.store.next_number("workOrderNo")
            wo: dict[str, Any] = {
                "id": self.new_id(),
                "workOrderNo": f"{seq:03d}",
                "title": None,
                "description": None,
                "status": "open",
                "category": None,
                "priority": "0",
                "startDate": None,
                "dueDate": None,
                "dateCompleted": None,
                "completedByUser": None,
                "assignedToUser": None,
                "assignedToUsername": None,
                "assignedByUser": user_id,
                "assignedByUsername": self.email(user_id),
                "asset": None,
                "location": None,
                "team": None,
                "estimatedDurationInHours": None,
                "time": "0",
                "cost": "0",
                "parts": [],
                "respectivePartQuantityUsed": [],
                "additionalUsers": [],
                "archivedStatus": "0",
                "requiresSignature": 0,
                "files": [],
                "formItems": [],
                "publicRequesterEmail": None,
                "customWOStatus": None,
                "createdAt": iso(now),
                "updatedAt": iso(now),
            }
            self._apply_wo_fields(wo, body, user_id, now)
            self.store.put(spec, wo)
        # The reference's create example answers priority as a number; lists and gets give a string.
        answer = fw.expand(self.store, "work_orders", dict(wo), ["formItems"])
        return {**answer, "priority": int(wo["priority"]) if wo["priority"] is not None else None}

    def patch_work_order(self, wo_id: str, body: dict, user_id: str) -> dict:
        self.check_fields(body, WO_PATCH_FIELDS, create=False)
        spec = ENTITIES["work_orders"]
        with self.store.lock:
            wo = self.require(spec, wo_id)
            now = now_ms()
            if "status" in body:
                status = body["status"]
                if status is None:
                    raise ApiError(400, "status cannot be null")
                if status not in WO_STATUSES:
                    raise ApiError(400, f"status must be one of {', '.join(WO_STATUSES)}")
                if status == "complete" and wo.get("status") != "complete":
                    wo["dateCompleted"], wo["completedByUser"] = iso(now), user_id
                elif status != "complete":
                    wo["dateCompleted"], wo["completedByUser"] = None, None
                wo["status"] = status
            if "archivedStatus" in body:
                if str(body["archivedStatus"]) not in ("0", "1"):
                    raise ApiError(400, "archivedStatus must be 0 or 1")
                wo["archivedStatus"] = str(body["archivedStatus"])
            if "additionalCosts" in body:
                costs = body["additionalCosts"] or []
                if not isinstance(costs, list):
                    raise ApiError(400, "additionalCosts must be an array")
                wo["additionalCosts"] = [
                    {"id": c.get("id") or self.new_id(), **c}
                    for c in costs
                    if isinstance(c, dict) and not c.get("deleteAdditionalCostItem")
                ]
            self._apply_wo_fields(wo, body, user_id, now)
            wo["updatedAt"] = iso(now)
            self.store.put(spec, wo)
        # The reference's PATCH answer shows the items expanded.
        return fw.expand(self.store, "work_orders", dict(wo), ["formItems"])

    def delete_work_order(self, wo_id: str) -> str:
        spec = ENTITIES["work_orders"]
        if not self.store.delete(spec, wo_id):
            raise ApiError(404, f"{spec.label} {wo_id} not found")
        return "1 work order deleted"

    def add_message(self, wo_id: str, body: dict, user_id: str) -> str:
        self.check_fields(body, frozenset(("text",)), create=True)
        text = body.get("text")
        if text is None or str(text).strip() == "":
            raise ApiError(400, "text cannot be null")
        spec = ENTITIES["work_orders"]
        with self.store.lock:
            wo = self.require(spec, wo_id)
            now = now_ms()
            message = {
                "id": self.new_id(),
                "workOrder": wo_id,
                "text": str(text),
                "createdByUser": user_id,
                "createdAt": iso(now),
            }
            self.store.add_message(wo_id, message)
            wo["arrayOfUpdateItems"] = [*(wo.get("arrayOfUpdateItems") or []), message["id"]]
            wo["updatedAt"] = iso(now)
            self.store.put(spec, wo)
        return "1 message Added"

    # -- requests, readings, parts --------------------------------------------------------------

    def create_request(self, body: dict, user_id: str) -> dict:
        self.check_fields(body, REQUEST_CREATE_FIELDS, create=True)
        if body.get("title") is None or str(body["title"]).strip() == "":
            raise ApiError(400, "title cannot be null")
        with self.store.lock:
            now = now_ms()
            assignee = self.ref("assignedToUser", body.get("assignedToUser"), "users")
            request = {
                "id": self.new_id(),
                "title": str(body["title"]),
                "description": body.get("description"),
                "location": self.ref("location", body.get("location"), "locations"),
                "asset": self.ref("asset", body.get("asset"), "assets"),
                "team": self.ref("team", body.get("team"), "teams"),
                "category": category(body.get("category"), WO_CATEGORY_SET, "request"),
                "assignedToUser": assignee,
                "assignedToUsername": self.email(assignee),
                "status": "open",
                "priority": priority(body["priority"]) if body.get("priority") is not None else 0,
                "requestedByUser": user_id,
                "publicRequesterEmail": None,
                "dueDate": ms_date("dueDate", body.get("dueDate")),
                "createdAt": iso(now),
                "updatedAt": iso(now),
            }
            self.store.put(ENTITIES["requests"], request)
        return request

    def add_reading(self, meter_id: str, body: dict, user_id: str) -> dict:
        self.check_fields(body, READING_FIELDS, create=True)
        if body.get("value") is None or body.get("value") == "":
            raise ApiError(400, "value cannot be null")
        value = number("value", body["value"])
        meters = ENTITIES["meters"]
        with self.store.lock:
            meter = self.require(meters, meter_id)
            now = now_ms()
            at = now if body.get("date") is None else parse_ms(body["date"])
            if at is None:
                raise ApiError(400, "date must be an ISO 8601 timestamp or unix time in milliseconds")
            reading = {
                "id": self.new_id(),
                "date": iso(at),
                "meter": meter_id,
                "value": int(value) if value == int(value) else value,
                "createdByUser": user_id,
                "createdAt": iso(now),
                "updatedAt": iso(now),
            }
            self.store.put(ENTITIES["meter_readings"], reading)
            meter.update(lastReading=reading["id"], updatedAt=iso(now))
            self.store.put(meters, meter)
        return reading

    def patch_part(self, part_id: str, body: dict, user_id: str) -> dict:
        self.check_fields(body, PART_PATCH_FIELDS, create=False)
        spec = ENTITIES["parts"]
        with self.store.lock:
            part = self.require(spec, part_id)
            if "name" in body and (body["name"] is None or str(body["name"]).strip() == ""):
                raise ApiError(400, "name cannot be null")
            for key in ("cost", "quantity", "minimumQuantity"):
                if key in body:
                    value = None if body[key] is None else number(key, body[key])
                    if value is not None and key != "cost" and value < 0:
                        raise ApiError(400, f"{key} must not be negative")
                    part[key] = (
                        None if value is None else (f"{value:.2f}" if key == "cost" else num_text(value))
                    )
            for key in ("name", "description", "partId", "partNumber", "serial", "area", "details"):
                if key in body:
                    part[key] = None if body[key] is None else str(body[key])
            if "category" in body:
                part["category"] = category(body["category"], PART_CATEGORIES, "part")
            if "location" in body:
                part["location"] = self.ref("location", body["location"], "locations")
            if body.get("customFieldsPart"):
                fields = body["customFieldsPart"]
                if not isinstance(fields, list):
                    raise ApiError(400, "customFieldsPart must be an array")
                now_iso = iso(now_ms())
                part["customFieldsPart"] = [
                    *(part.get("customFieldsPart") or []),
                    *(
                        {
                            "id": self.new_id(),
                            "name": f.get("name"),
                            "value": f.get("value"),
                            "unit": f.get("unit"),
                            "partInventory": part_id,
                            "user": user_id,
                            "createdAt": now_iso,
                            "updatedAt": now_iso,
                        }
                        for f in fields
                        if isinstance(f, dict)
                    ),
                ]
            part["updatedAt"] = iso(now_ms())
            self.store.put(spec, part)
        return part
