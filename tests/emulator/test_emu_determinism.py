"""Same seed, same account (ids included); different seed, different account; state files reused."""

from __future__ import annotations

import json
import sqlite3

import pytest

from sync.emulator import Emulator
from sync.emulator.entities import ENTITIES


def _everything(emu: Emulator) -> dict:
    # File URLs carry the serving port, which differs between two emulators: compare without it.
    return {name: [json.loads(t.replace(emu.base_url, "http://emulator")) for t in emu.dump_json(name)]
            for name in ENTITIES}


def test_same_seed_gives_identical_dumps():
    with Emulator(seed=5, work_orders=150) as a, Emulator(seed=5, work_orders=150) as b:
        assert _everything(a) == _everything(b)


def test_different_seed_gives_different_data():
    with Emulator(seed=5, work_orders=150) as a, Emulator(seed=6, work_orders=150) as b:
        da, db = _everything(a), _everything(b)
        for name in ("users", "assets", "work_orders", "parts"):
            assert {o["id"] for o in da[name]} != {o["id"] for o in db[name]}


def test_same_seed_gives_same_random_changes():
    with Emulator(seed=5, work_orders=150) as a, Emulator(seed=5, work_orders=150) as b:
        assert [(c["op"], c["entity"], c["id"]) for c in a.mutate(20, at=1767225700000)] == [
            (c["op"], c["entity"], c["id"]) for c in b.mutate(20, at=1767225700000)
        ]
        assert _everything(a)["work_orders"] == _everything(b)["work_orders"]


def test_epoch_moves_the_whole_history():
    with Emulator(seed=5, work_orders=50, epoch="2025-01-01T00:00:00Z") as a:
        assert max(w["createdAt"] for w in a.dump("work_orders")) < "2025-01-01"


def test_state_file_is_reused_and_survives_restarts(tmp_path):
    path = tmp_path / "account.db"
    with Emulator(seed=5, work_orders=80, state=path) as first:
        assert not first.reused
        [created] = first.mutate(op="create", entity="work_orders", fields={"title": "from run one"})
        snapshot = _everything(first)
    with Emulator(seed=5, work_orders=80, state=path) as second:
        assert second.reused
        assert _everything(second) == snapshot
        [again] = second.mutate(op="create", entity="work_orders", fields={"title": "from run two"})
        assert again["id"] != created["id"]
        assert {"from run one", "from run two"} <= {w["title"] for w in second.dump("work_orders")}
    with Emulator(seed=5, work_orders=80, state=path, fresh=True) as third:
        assert not third.reused
        assert "from run one" not in {w["title"] for w in third.dump("work_orders")}
    with Emulator(seed=5, work_orders=90, state=path) as other_scale:
        assert not other_scale.reused and len(other_scale.dump("work_orders")) == 90


def test_refuses_to_overwrite_a_file_it_did_not_make(tmp_path):
    path = tmp_path / "mirror.db"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE work_orders (id TEXT)")
    db.execute("INSERT INTO work_orders VALUES ('keep-me')")
    db.commit()
    db.close()
    with pytest.raises(ValueError, match="not an emulator state file"):
        Emulator(seed=1, work_orders=10, state=path)
    assert sqlite3.connect(path).execute("SELECT id FROM work_orders").fetchall() == [("keep-me",)]


def test_epoch_in_the_future_is_refused():
    with pytest.raises(ValueError, match="future"):
        Emulator(seed=1, work_orders=10, epoch="2999-01-01T00:00:00Z")
