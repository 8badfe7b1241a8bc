"""The check every pull test ends with: the mirror holds exactly what UpKeep holds."""

from __future__ import annotations

import json

from sqlalchemy import text

from mirror.db import Mirror
from mirror.entities import PULLED as SOURCES
from mirror.schema import table_of


def upstream_id(entity: str, obj: dict) -> str:
    return obj["trigger"]["id"] if entity == "preventive_maintenance" else obj["id"]


def assert_converged(mirror: Mirror, emu, entities=None) -> None:
    """Every mirrored table equals UpKeep: same live ids, same objects (hence same mapped values)."""
    for entity in entities or SOURCES:
        upstream = {upstream_id(entity, o): o for o in emu.dump(entity)}
        table = table_of(entity).name
        with mirror.session() as s:
            rows = dict(s.execute(text(f"SELECT id, raw FROM {table} WHERE deleted_at IS NULL")).all())
            total, distinct = s.execute(text(f"SELECT count(*), count(DISTINCT id) FROM {table}")).one()
        assert total == distinct
        missing, extra = upstream.keys() - rows.keys(), rows.keys() - upstream.keys()
        assert not missing and not extra, f"{entity}: {len(missing)} missing, {len(extra)} not deleted"
        stale = [i for i, obj in upstream.items() if json.loads(rows[i]) != obj]
        assert not stale, f"{entity}: {len(stale)} rows differ from UpKeep, e.g. {stale[:3]}"
