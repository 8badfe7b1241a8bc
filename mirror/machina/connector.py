"""``MirrorConnector``: a Machina CMMS connector answered from the mirror file, with no network.

It has the methods and keyword arguments of Machina's ``UpKeepConnector`` (so an agent or
``MachinaRuntime`` uses it in its place) and declares its capabilities for Machina's discovery.
Reads come from the mirror's core tables through :func:`mirror.machina.to_machina`, so they carry
the reference-faithful mapping (UpKeep's real statuses, assignees, parents, SKUs, PM plans).
Writes go through :mod:`mirror.writes`: validated, applied to the mirror at once and queued in the
outbox in one transaction; the daemon's replayer delivers them when UpKeep is reachable. Each
returns the local record (a created work order has a ``local-...`` id until UpKeep assigns one).
That id keeps working after delivery: every method taking an id takes the ``local-...`` one too
and answers with (or changes) the delivered record, under UpKeep's id
(:func:`mirror.outbox.resolve_id`).
Writes are ``@sandbox_aware``: in Machina's sandbox mode they raise ``SandboxViolationError``
and queue nothing. ``health_check`` reports freshness, connectivity and the queue
(:mod:`mirror.machina.health`).

This module imports ``machina-ai`` at the top; ``mirror.machina`` loads it only when
``MirrorConnector`` is asked for.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar

from machina.connectors.base import ConnectorHealth, ConnectorStatus, sandbox_aware
from machina.connectors.capabilities import Capability
from machina.domain.asset import Asset
from machina.domain.maintenance_plan import MaintenancePlan
from machina.domain.spare_part import SparePart
from machina.domain.work_order import WorkOrder, WorkOrderStatus, WorkOrderType
from machina.exceptions import ConnectorError
from sqlalchemy import ColumnElement, func, or_
from sqlmodel import col, select

from mirror import writes
from mirror.db import Mirror, open_mirror
from mirror.errors import MirrorUnusable
from mirror.machina.convert import machina_columns, rows_to_machina, to_machina
from mirror.machina.health import Thresholds, assess
from mirror.outbox import resolve_id
from mirror.schema import MIRRORED, AssetRow, MaintenancePlanRow, SparePartRow, WorkOrderRow
from mirror.vocabulary import STATUS_SPELLINGS, UpKeepStatus, work_order_type

_TITLE_MAX = 100
_ENTITY = {model: entity for entity, model in MIRRORED.items()}


class MirrorConnector:
    """Machina connector over an upkeep-mirror file.

    Args:
        db_path: The mirror file (made by ``upkeep-mirror sync``); it must exist.
        thresholds: When ``health_check`` calls the data late (degraded) or stale (unhealthy).
        clock: Current time, for ``health_check`` (tests pass a fixed one).
    """

    capabilities: ClassVar[frozenset[Capability]] = frozenset({
        Capability.READ_ASSETS,
        Capability.READ_WORK_ORDERS,
        Capability.GET_WORK_ORDER,
        Capability.CREATE_WORK_ORDER,
        Capability.UPDATE_WORK_ORDER,
        Capability.CLOSE_WORK_ORDER,
        Capability.READ_SPARE_PARTS,
        Capability.READ_MAINTENANCE_PLANS,
        Capability.READ_MAINTENANCE_HISTORY,
    })  # not CANCEL_WORK_ORDER: UpKeep has no cancelled status

    def __init__(self, db_path: str | Path, *, thresholds: Thresholds | None = None,
                 clock: Callable[[], datetime] | None = None) -> None:
        self.db_path = Path(db_path)
        self.thresholds = thresholds or Thresholds()
        self._clock = clock or (lambda: datetime.now(UTC))
        self._mirror: Mirror | None = None

    # -- lifecycle -------------------------------------------------------------------------------

    async def connect(self) -> None:
        """Open the mirror file (upgrading its schema in place, as every writing command does)."""
        if self._mirror is not None:
            return
        if not self.db_path.is_file():
            raise ConnectorError(f"no mirror at {self.db_path}; run `upkeep-mirror sync --db {self.db_path}` first")
        try:
            self._mirror = await asyncio.to_thread(open_mirror, self.db_path)
        except MirrorUnusable as exc:
            raise ConnectorError(str(exc)) from exc

    async def disconnect(self) -> None:
        if self._mirror is not None:
            self._mirror.close()
            self._mirror = None

    async def health_check(self) -> ConnectorHealth:
        """HEALTHY / DEGRADED / UNHEALTHY from freshness, connectivity and the outbox (no network)."""
        if self._mirror is None:
            return ConnectorHealth(status=ConnectorStatus.UNHEALTHY, message="Not connected",
                                   details={"mirror": str(self.db_path)})
        health = await asyncio.to_thread(assess, self._mirror, now=self._clock(), thresholds=self.thresholds)
        return ConnectorHealth(status=ConnectorStatus(health.status), message=health.message, details=health.details)

    # -- reads -----------------------------------------------------------------------------------

    async def read_assets(self) -> list[Asset]:
        """Every asset UpKeep has (tombstoned ones left out)."""
        return await self._all(AssetRow, lambda q: q.order_by(AssetRow.name))

    async def get_asset(self, asset_id: str) -> Asset | None:
        return await self._one(AssetRow, asset_id)

    async def read_work_orders(self, *, asset_id: str = "", status: WorkOrderStatus | str = "") -> list[WorkOrder]:
        """Work orders, optionally of one asset and in one status.

        ``status`` is a Machina status (``WorkOrderStatus`` or its value, e.g. ``"in_progress"``)
        or an UpKeep one (``open``, ``onHold``, ``inProgress``, ``complete``; also the spellings
        Machina's connector uses, ``"on hold"``, ``"in progress"``).
        """
        where: list[ColumnElement[bool]] = [col(WorkOrderRow.asset_id) == asset_id] if asset_id else []
        if status:
            where.append(_status_filter(status))
        return await self._all(WorkOrderRow, lambda q: q.where(*where).order_by(col(WorkOrderRow.created_at).desc(),
                                                                                WorkOrderRow.id))

    async def get_work_order(self, work_order_id: str) -> WorkOrder | None:
        """The work order, or None; a ``local-...`` id UpKeep has since accepted gives the delivered record."""
        return await self._one(WorkOrderRow, work_order_id)

    async def read_spare_parts(self, *, asset_id: str = "", sku: str = "") -> list[SparePart]:
        """Parts, optionally by SKU, or those used on an asset's work orders.

        UpKeep's parts carry no asset-compatibility list, so ``asset_id`` selects the parts listed
        as compatible (none from UpKeep) or used on any work order of that asset.
        """
        where: list[ColumnElement[bool]] = [col(SparePartRow.sku) == sku] if sku else []
        if asset_id:
            used = await asyncio.to_thread(self._parts_used_on, asset_id)
            where.append(or_(col(SparePartRow.id).in_(used),
                             func.instr(func.json(SparePartRow.compatible_assets), f'"{asset_id}"') > 0))
        return await self._all(SparePartRow, lambda q: q.where(*where).order_by(SparePartRow.name, SparePartRow.id))

    async def read_maintenance_plans(self, *, asset_id: str = "") -> list[MaintenancePlan]:
        """Preventive-maintenance plans (one per UpKeep PM trigger), optionally of one asset."""
        where = [col(MaintenancePlanRow.asset_id) == asset_id] if asset_id else []
        return await self._all(MaintenancePlanRow, lambda q: q.where(*where).order_by(MaintenancePlanRow.name,
                                                                                      MaintenancePlanRow.id))

    async def read_maintenance_history(self, asset_id: str) -> list[WorkOrder]:
        """The asset's completed work orders (UpKeep ``complete``), newest first."""
        return await self.read_work_orders(asset_id=asset_id, status="complete")

    # -- writes (through the outbox) -------------------------------------------------------------

    @sandbox_aware
    async def create_work_order(self, work_order: WorkOrder) -> WorkOrder:
        """Queue a new work order; return it as the mirror now shows it (id ``local-...``).

        UpKeep needs a title: ``metadata["title"]``, else the description's first line. Machina
        fields UpKeep has no place for (failure mode, cause, impact, skills, spare parts,
        estimated hours) are written as labelled lines of the description, so nothing is lost.
        ``metadata`` may also give ``category``, ``location_id`` and ``due_date``; the category
        otherwise follows the type (an account category naming it, e.g. "Preventive").
        """
        mirror = self._require()
        meta = work_order.metadata or {}
        if work_order.status not in (WorkOrderStatus.CREATED, WorkOrderStatus.ASSIGNED):
            raise ConnectorError(f"UpKeep creates work orders open; create it, then set status "
                                 f"{work_order.status.value!r} with update_work_order")
        if work_order.status == WorkOrderStatus.ASSIGNED and not work_order.assigned_to:
            raise ConnectorError("status 'assigned' needs assigned_to (UpKeep has no assigned status: "
                                 "a work order is assigned when it has an assignee)")
        description = _full_description(work_order)
        title = str(meta.get("title") or "").strip() or _first_line(work_order.description)

        def write() -> str:
            category = meta.get("category") or _category_for(mirror, work_order.type)
            queued = writes.create_work_order(
                mirror, title=title, description=description, priority=work_order.priority.value,
                category=category, asset_id=work_order.asset_id or None,
                location_id=meta.get("location_id"), assigned_to=work_order.assigned_to,
                due_date=meta.get("due_date"),
            )
            return queued.record_id

        record_id = await self._write(write)
        return await self._one_or_fail(record_id)

    @sandbox_aware
    async def update_work_order(
        self, work_order_id: str, *, status: WorkOrderStatus | str | None = None, assigned_to: str | None = None,
        description: str | None = None,
    ) -> WorkOrder:
        """Queue changes to a work order; return it as the mirror now shows it.

        ``work_order_id`` may be the ``local-...`` id ``create_work_order`` returned, also after
        UpKeep accepted the work order: the change is then queued for (and returned with) UpKeep's id.

        ``status`` as in :meth:`read_work_orders`; ``cancelled`` is refused (UpKeep has none),
        ``closed`` completes it in UpKeep. ``assigned_to`` is a user id or email. Setting values
        the work order already has queues nothing and returns it unchanged.
        """
        mirror = self._require()
        changes: dict[str, Any] = {}
        if status is not None:
            changes["status"] = _upkeep_status(status)
        if assigned_to is not None:
            changes["assigned_to"] = assigned_to
        if description is not None:
            changes["description"] = description
        if not changes:
            raise ConnectorError("update_work_order requires at least one field to update")
        if status is not None and _machina_value(status) == WorkOrderStatus.ASSIGNED.value and not assigned_to:
            current = await self._one(WorkOrderRow, work_order_id)
            if current is not None and not current.assigned_to:
                raise ConnectorError("status 'assigned' needs assigned_to (UpKeep has no assigned status: "
                                     "a work order is assigned when it has an assignee)")

        def write() -> None:
            try:
                writes.update_work_order(mirror, work_order_id, **changes)
            except writes.InvalidWrite as exc:
                if "nothing to change" not in exc.reason:
                    raise

        await self._write(write)
        return await self._one_or_fail(work_order_id)

    @sandbox_aware
    async def close_work_order(self, work_order_id: str) -> WorkOrder:
        """Complete the work order in UpKeep (shown ``completed``; ``closed`` once archived in UpKeep)."""
        return await self.update_work_order(work_order_id, status=WorkOrderStatus.CLOSED)

    async def cancel_work_order(self, work_order_id: str) -> WorkOrder:
        """Refused: UpKeep has no cancelled status (Machina's connector would put it on hold)."""
        raise ConnectorError(f"cannot cancel work order {work_order_id}: UpKeep has no cancelled status; "
                             "put it on hold or complete it with update_work_order")

    # -- helpers ---------------------------------------------------------------------------------

    def _require(self) -> Mirror:
        if self._mirror is None:
            raise ConnectorError("Not connected — call connect() first")
        return self._mirror

    async def _all(self, model: Any, refine: Callable[[Any], Any]) -> list[Any]:
        """Live rows of ``model`` (``refine`` adds filters and order), as Machina models."""
        mirror = self._require()
        stmt = refine(select(*machina_columns(model)).where(model.deleted_at.is_(None)))

        def run() -> list[Any]:
            with mirror.session() as s:
                return rows_to_machina(model, s.execute(stmt).mappings())

        return await asyncio.to_thread(run)

    async def _one(self, model: type, record_id: str) -> Any:
        mirror = self._require()

        def run() -> Any:
            with mirror.session() as s:
                row = s.get(model, resolve_id(s, _ENTITY[model], record_id))
                return None if row is None or row.deleted_at is not None else to_machina(row)

        return await asyncio.to_thread(run)

    async def _one_or_fail(self, record_id: str) -> WorkOrder:
        found = await self._one(WorkOrderRow, record_id)
        if found is None:
            raise ConnectorError(f"work order {record_id} not found in the mirror after the write")
        return found

    async def _write(self, fn: Callable[[], Any]) -> Any:
        try:
            return await asyncio.to_thread(fn)
        except writes.InvalidWrite as exc:
            raise ConnectorError(f"refused, nothing queued: {exc}") from exc

    def _parts_used_on(self, asset_id: str) -> list[str]:
        with self._require().session() as s:
            lists = s.exec(select(WorkOrderRow.parts_used).where(
                col(WorkOrderRow.asset_id) == asset_id, col(WorkOrderRow.deleted_at).is_(None)))
            return sorted({p["part_id"] for used in lists for p in used or []})


def _machina_value(status: WorkOrderStatus | str) -> str:
    return status.value if isinstance(status, WorkOrderStatus) else str(status).strip().lower()


def _status_filter(status: WorkOrderStatus | str) -> ColumnElement[bool]:
    value = _machina_value(status)
    if value in {s.value for s in WorkOrderStatus}:
        return col(WorkOrderRow.status) == value
    if value in STATUS_SPELLINGS:
        return col(WorkOrderRow.upkeep_status) == STATUS_SPELLINGS[value]
    raise ConnectorError(f"unknown work order status {status!r}; use a Machina status "
                         f"({', '.join(s.value for s in WorkOrderStatus)}) or UpKeep's "
                         f"({', '.join(s.value for s in UpKeepStatus)})")


def _upkeep_status(status: WorkOrderStatus | str) -> str:
    value = _machina_value(status)
    if value == WorkOrderStatus.CANCELLED.value:
        raise ConnectorError("cannot cancel: UpKeep has no cancelled status; put it on hold or complete it")
    return value if value in STATUS_SPELLINGS else str(status)  # the write API names a bad one


def _first_line(text: str) -> str:
    line = next((part.strip() for part in text.splitlines() if part.strip()), "")
    return line if len(line) <= _TITLE_MAX else line[: _TITLE_MAX - 1].rstrip() + "…"


def _full_description(wo: WorkOrder) -> str:
    extra = [
        ("Failure mode", wo.failure_mode),
        ("Failure cause", wo.failure_cause),
        ("Failure impact", wo.failure_impact.value if wo.failure_impact else None),
        ("Skills", ", ".join(wo.requested_skills) if wo.requested_skills else None),
        ("Spare parts", ", ".join(f"{p.sku} x {p.qty}" for p in wo.spare_parts) if wo.spare_parts else None),
        ("Estimated hours", f"{wo.estimated_duration_hours:g}" if wo.estimated_duration_hours is not None else None),
    ]
    lines = [f"{label}: {value}" for label, value in extra if value]
    return "\n".join([wo.description, *lines]) if lines else wo.description


def _category_for(mirror: Mirror, kind: WorkOrderType) -> str | None:
    """The account's most used work-order category that reads as ``kind`` (None for corrective)."""
    if kind == WorkOrderType.CORRECTIVE:
        return None
    with mirror.session() as s:
        seen = s.exec(select(WorkOrderRow.category, func.count()).where(col(WorkOrderRow.category).is_not(None))
                      .group_by(WorkOrderRow.category).order_by(func.count().desc())).all()
    return next((c for c, _n in seen if work_order_type(c) == kind.value), kind.value.capitalize())
