"""The `serve` command: clear refusals, loopback by default, and a login before anything on a LAN."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from datasette.utils.testing import TestClient as DatasetteClient

from sync.cli import cli
from sync.cli.serve import LAN_USER, PASSWORD_HASH_ENV, is_loopback, load_metadata, make_datasette, with_login


def test_help_and_defaults():
    result = CliRunner().invoke(cli, ["serve", "--help"])
    assert result.exit_code == 0
    text = " ".join(result.output.split())
    assert "[default: 127.0.0.1]" in text and "[default: 8001; 1<=x<=65535]" in text
    for option in ("--db", "--host", "--port", "--metadata"):
        assert option in result.output


def test_a_missing_mirror_is_one_sentence(tmp_path):
    result = CliRunner().invoke(cli, ["serve", "--db", str(tmp_path / "nope.db")])
    assert result.exit_code == 1
    assert "There is no mirror at" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "nope.db").exists()


def test_a_network_address_without_a_login_is_refused(served_plant, monkeypatch):
    monkeypatch.delenv(PASSWORD_HASH_ENV, raising=False)
    result = CliRunner().invoke(cli, ["serve", "--db", str(served_plant.path), "--host", "0.0.0.0"])
    assert result.exit_code == 1
    assert "exposes the mirror to the network" in result.output and PASSWORD_HASH_ENV in result.output


def test_loopback_detection():
    assert is_loopback("127.0.0.1") and is_loopback("localhost") and is_loopback("::1") and is_loopback("127.0.0.2")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.20") and not is_loopback("plant-pc")


def test_lan_mode_requires_a_login_for_everything(served_plant, monkeypatch):
    pytest.importorskip("datasette_auth_passwords", reason="LAN mode needs the datasette-auth-passwords plugin")
    from datasette_auth_passwords.utils import hash_password

    monkeypatch.setenv(PASSWORD_HASH_ENV, hash_password("correct horse"))
    ds = make_datasette(served_plant.path, with_login(load_metadata()))
    client = DatasetteClient(ds)
    for path in ("/", "/mirror", "/mirror/work_orders_detail.json", "/mirror/overdue_work_orders.json",
                 "/mirror.json?sql=select+1", "/-/dashboards/maintenance-trends?weeks=4"):
        assert client.get(path).status == 403, path
    wrong = client.post("/-/login", {"username": LAN_USER, "password": "guess"}, csrftoken_from=True)
    assert "ds_actor" not in wrong.cookies
    login = client.post("/-/login", {"username": LAN_USER, "password": "correct horse"}, csrftoken_from=True)
    assert login.status == 302
    cookies = {"ds_actor": login.cookies["ds_actor"]}
    assert client.get("/mirror/overdue_work_orders.json", cookies=cookies).status == 200
    assert client.get("/mirror.json?sql=delete+from+teams", cookies=cookies).status == 400  # still read-only
