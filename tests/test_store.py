"""The mirror file: schema versions and migrations, bulk upserts, tombstones, SQLite settings."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

import pytest
from sqlalchemy import create_engine, inspect, text
from sqlmodel import SQLModel, select

import mirror.outbox  # noqa: F401  (registers the outbox tables)
from mirror.db import open_mirror
from mirror.errors import MirrorError
from mirror.migrations import LATEST, MIGRATIONS, migrate
from mirror.rejects import record_rejects
from mirror.schema import MIRRORED, WorkOrderRow
from mirror.store import get_cursor, save_cursor, tombstone, upsert_rows
from sync.mapping import transform
from tests.support.recorded import recorded


def _schema(engine) -> dict:
    insp = inspect(engine)
    return {
        t: (
            sorted((c["name"], str(c["type"]), c["nullable"]) for c in insp.get_columns(t)),
            sorted(tuple(i["column_names"]) for i in insp.get_indexes(t)),
            sorted((tuple(f["constrained_columns"]), f["referred_table"]) for f in insp.get_foreign_keys(t)),
        )
        for t in insp.get_table_names()
    }


def test_migrations_build_exactly_the_models(tmp_path):
    """A model change without a migration (or the reverse) fails here."""
    models = create_engine(f"sqlite:///{tmp_path / 'models.db'}")
    SQLModel.metadata.create_all(models)
    with open_mirror(tmp_path / "migrated.db") as m:
        migrated = _schema(m.engine)
    expected = _schema(models)
    # Migration-only indexes (for named queries) are allowed beyond what the models declare.
    for table, (columns, indexes, fks) in expected.items():
        assert table in migrated, f"table {table} has no migration"
        assert migrated[table][0] == columns, f"columns of {table} differ from the model"
        assert set(indexes) <= set(migrated[table][1]), f"indexes of {table} missing"
        assert migrated[table][2] == fks
    assert set(migrated) - set(expected) <= {"schema_versions"} | _extra_tables(migrated)


def _extra_tables(schema: dict) -> set[str]:
    # FTS shadow tables and the like, created by migrations on purpose; and the pull's own
    # bookkeeping, read and written in plain SQL only (mirror.bulk, sync.pull._run).
    return {t for t in schema if "_fts" in t} | {"bulk_loads", "sync_windows", "upkeep_page_size"}


def test_open_creates_latest_schema_with_wal_and_reopens(tmp_path):
    path = tmp_path / "m.db"
    with open_mirror(path) as m:
        assert m.schema_version() == LATEST
    with open_mirror(path) as m:
        assert m.schema_version() == LATEST
    con = sqlite3.connect(path)
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    versions = [r[0] for r in con.execute("SELECT version FROM schema_versions ORDER BY version")]
    assert versions == [m.version for m in MIGRATIONS]


def test_older_mirror_upgrades_in_place_keeping_its_rows(tmp_path):
    path = tmp_path / "old.db"
    engine = create_engine(f"sqlite:///{path}", connect_args={"isolation_level": None})

    with engine.connect() as conn:
        migrate(conn, target=1)  # a file as version 1 left it
    with engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO assets (id, raw, local_state, name, type, manufacturer, model, serial_number, "
            "criticality, children, failure_modes, aliases, metadata, description, barcode) VALUES "
            "('A1', '{}', 'synced', 'Pump 1', 'rotating_equipment', '', '', '', 'C', '[]', '[]', '[]', '{}', '', '')"
        ))
    engine.dispose()
    with open_mirror(path) as m:
        assert m.schema_version() == LATEST
        with m.session() as s:
            assert s.execute(text("SELECT name FROM assets_detail WHERE id = 'A1'")).scalar_one() == "Pump 1"


def test_newer_schema_is_refused(tmp_path):
    path = tmp_path / "m.db"
    open_mirror(path).close()
    con = sqlite3.connect(path)
    con.execute("INSERT INTO schema_versions VALUES (?, 'from the future', '2099-01-01T00:00:00.000Z')", (LATEST + 1,))
    con.commit()
    with pytest.raises(MirrorError, match="newer"):
        open_mirror(path)


def test_readonly_refuses_a_missing_path_and_creates_nothing(tmp_path):
    path = tmp_path / "sub" / "m.db"
    with pytest.raises(MirrorError, match="There is no mirror at"):
        open_mirror(path, readonly=True)
    assert list(tmp_path.iterdir()) == []


def test_readonly_refuses_an_empty_or_foreign_file(tmp_path):
    empty, foreign = tmp_path / "empty.db", tmp_path / "other.db"
    empty.touch()
    sqlite3.connect(foreign).execute("CREATE TABLE t (x)")
    with pytest.raises(MirrorError, match="holds no mirror yet"):
        open_mirror(empty, readonly=True)
    with pytest.raises(MirrorError, match="not an upkeep-mirror mirror"):
        open_mirror(foreign, readonly=True)
    assert empty.stat().st_size == 0


def test_readonly_refuses_an_older_or_newer_schema_leaving_the_file_byte_identical(tmp_path):
    older = tmp_path / "old.db"
    conn = sqlite3.connect(older, isolation_level=None)
    migrate(conn, target=LATEST - 1)
    conn.close()
    before = older.read_bytes()
    with pytest.raises(MirrorError, match="older than this upkeep-mirror's"):
        open_mirror(older, readonly=True)
    assert older.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["old.db"]

    newer = tmp_path / "new.db"
    open_mirror(newer).close()
    conn = sqlite3.connect(newer)
    conn.execute("INSERT INTO schema_versions VALUES (?, 'from the future', '2099-01-01T00:00:00.000Z')", (LATEST + 1,))
    conn.commit()
    conn.close()
    before = newer.read_bytes()
    with pytest.raises(MirrorError, match="newer"):
        open_mirror(newer, readonly=True)
    assert newer.read_bytes() == before


def test_readonly_reads_while_a_writer_holds_a_write_transaction(tmp_path):
    path = tmp_path / "m.db"
    with open_mirror(path) as writer:
        upsert_rows(writer.connection(), "teams", [{"id": "T1", "raw": {"n": 1}, "name": "Day shift"}])
        with writer.transaction() as conn, open_mirror(path, readonly=True) as reader:
            upsert_rows(conn, "teams", [{"id": "T2", "raw": {"n": 2}, "name": "Night shift"}])
            assert [r[0] for r in reader.connection().execute("SELECT name FROM teams")] == ["Day shift"]
            with reader.session() as s:
                assert s.execute(text("SELECT count(*) FROM teams")).scalar_one() == 1
            with pytest.raises(sqlite3.OperationalError, match="readonly"):
                reader.connection().execute("DELETE FROM teams")
        with open_mirror(path, readonly=True) as reader:
            assert reader.connection().execute("SELECT count(*) FROM teams").fetchone()[0] == 2


@pytest.mark.parametrize("entity", sorted(MIRRORED))
def test_recorded_page_upserts_once_and_reads_back(mirror, entity):
    rows = [transform(entity, o) for o in recorded(entity)]
    with mirror.write() as s:
        assert upsert_rows(s, entity, rows) == len(rows)
    with mirror.write() as s:  # the same page again: one row each, nothing changed
        assert upsert_rows(s, entity, rows) == 0
    model = MIRRORED[entity]
    with mirror.session() as s:
        stored = {r.id: r for r in s.exec(select(model))}
    assert set(stored) == {r["id"] for r in rows}
    for row in rows:
        got = stored[row["id"]]
        for key, value in row.items():
            attr = "metadata_" if key == "metadata" else key
            assert getattr(got, attr) == value, f"{entity}.{key} of {row['id']}"
        assert got.local_state == "synced" and got.deleted_at is None and got.synced_at is not None


def test_changed_object_updates_and_tombstone_revives(mirror):
    obj = recorded("work_orders")[1]
    with mirror.write() as s:
        upsert_rows(s, "work_orders", [transform("work_orders", obj)])
    changed = {**obj, "status": "complete", "updatedAt": "2024-04-01T00:00:00.000Z"}
    with mirror.write() as s:
        assert upsert_rows(s, "work_orders", [transform("work_orders", changed)]) == 1
        assert tombstone(s, "work_orders", [obj["id"]]) == 1
        assert tombstone(s, "work_orders", [obj["id"]]) == 0  # already tombstoned
    with mirror.session() as s:
        row = s.get(WorkOrderRow, obj["id"])
        assert row.upkeep_status == "complete" and row.deleted_at is not None
        assert s.execute(text("SELECT count(*) FROM work_orders_detail WHERE id = :i"), {"i": obj["id"]}).scalar() == 0
    with mirror.write() as s:  # UpKeep has it again: revived
        assert upsert_rows(s, "work_orders", [transform("work_orders", changed)]) == 1
    with mirror.session() as s:
        assert s.get(WorkOrderRow, obj["id"]).deleted_at is None


def test_upsert_keeps_local_state(mirror):
    row = transform("work_orders", recorded("work_orders")[0])
    with mirror.write() as s:
        upsert_rows(s, "work_orders", [row])
        s.execute(text("UPDATE work_orders SET local_state = 'pending'"))
    with mirror.write() as s:
        upsert_rows(s, "work_orders", [row], force=True)
    with mirror.session() as s:
        assert s.get(WorkOrderRow, row["id"]).local_state == "pending"


def test_write_rolls_back_as_a_whole(mirror):
    rows = [transform("assets", o) for o in recorded("assets")]
    with pytest.raises(RuntimeError), mirror.write() as s:
        upsert_rows(s, "assets", rows)
        cursor = get_cursor(s, "assets")
        cursor.cursor_ms = 123
        save_cursor(s, cursor)
        raise RuntimeError("crash between page and commit")
    with mirror.session() as s:
        assert s.execute(text("SELECT count(*) FROM assets")).scalar() == 0
        assert get_cursor(s, "assets").cursor_ms is None


def test_cursor_and_rejects_are_kept(mirror):
    with mirror.write() as s:
        cursor = get_cursor(s, "work_orders")
        cursor.cursor_ms, cursor.last_success_at = 1700000000000, datetime.now(UTC)
        save_cursor(s, cursor)
        record_rejects(s, [{"entity": "work_orders", "upkeep_id": "W1", "field": "priority",
                            "reason": "expected 0..3", "raw": {"id": "W1", "priority": "urgent"}}], run_id="r1")
    with mirror.session() as s:
        assert get_cursor(s, "work_orders").cursor_ms == 1700000000000
        reject = s.execute(text("SELECT entity, upkeep_id, field, raw, run_id FROM rejects")).one()
        assert reject[:3] == ("work_orders", "W1", "priority") and '"urgent"' in reject[3] and reject[4] == "r1"


def test_plain_table_description_matches_the_models():
    """What the pull reads of each table from the schema's source, without SQLAlchemy
    (:mod:`mirror._shapes`), is what SQLAlchemy says of the models: tables, columns in order,
    storage kinds, defaults."""
    from sqlalchemy import JSON, Boolean

    from mirror import _shapes
    from mirror.schema import FIELDWORK_MIRRORED, ISODate, UTCDateTime

    def kind(column_type) -> str:
        for sa_type, name in ((UTCDateTime, "utc"), (ISODate, "date"), (JSON, "json"), (Boolean, "bool")):
            if isinstance(column_type, sa_type):
                return name
        return ""

    def default(model, column):
        field = model.model_fields.get(column.name) or model.model_fields.get(column.name + "_")
        if field is None or field.is_required():
            return None
        return field.default_factory() if field.default_factory else field.default

    models = {**MIRRORED, **FIELDWORK_MIRRORED}
    assert _shapes.entity_tables() == {e: m.__tablename__ for e, m in models.items()}
    assert list(_shapes.entity_tables()) == list(models)
    for model in models.values():
        expected = [(c.name, kind(c.type), default(model, c)) for c in model.__table__.c]
        assert [(c.name, c.kind, c.default) for c in _shapes.columns(model.__tablename__)] == expected
