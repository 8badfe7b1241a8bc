"""The UpKeep session against the emulator: renewed before ``expiresAt``, ended by ``DELETE /auth``.

A client that runs longer than its session logs in again before UpKeep would refuse the token
(no 401 at all), and ``upkeep-mirror sync`` logs out when it is done. No token reaches a log.
"""

from __future__ import annotations

import logging

from click.testing import CliRunner

from sync.cli import cli
from sync.emulator import Emulator
from tests.support.upkeep import upkeep_client
from tests.support.waiting import wait_for


def test_a_long_running_client_logs_in_again_before_the_session_expires(caplog):
    caplog.set_level(logging.DEBUG)
    tokens: set[str] = set()
    with Emulator(seed=3, work_orders=20, token_ttl_s=3) as emu, upkeep_client(emu) as client:

        def three_sessions() -> bool:
            client.get_list("/api/v2/work-orders", {"limit": 1})
            tokens.update(emu.sessions._tokens)
            return emu.stats.snapshot()["routes"]["POST /api/v2/auth"] >= 3

        wait_for(three_sessions, 30, "two renewals of a 3 s session")  # about 3 s: renewed every 1.5 s
        stats = emu.stats.snapshot()
    assert stats["statuses"].get("401", 0) == 0, stats["statuses"]
    assert len(tokens) >= 3
    assert not [r for r in caplog.records if any(t in r.getMessage() for t in tokens)]


def test_sync_logs_in_once_and_logs_out_when_done(tmp_path, emu):
    env = {"UPKEEP_EMAIL": emu.email, "UPKEEP_PASSWORD": emu.password}
    result = CliRunner().invoke(cli, ["sync", "--db", str(tmp_path / "m.db"), "--base-url", emu.base_url,
                                      "--files-budget", "0"], env=env)
    assert result.exit_code == 0, result.output
    routes = emu.stats.snapshot()["routes"]
    assert (routes.get("POST /api/v2/auth"), routes.get("DELETE /api/v2/auth")) == (1, 1), routes
    assert not emu.sessions._tokens, "the session is over on UpKeep's side too"


def test_sync_that_cannot_log_out_still_succeeds(tmp_path, emu, monkeypatch):
    def unreachable_at_logout(self, token):
        emu.set_offline(True)
        return original(self, token)

    from sync.upkeep._client import UpKeepClient

    original = UpKeepClient._delete_session
    monkeypatch.setattr(UpKeepClient, "_delete_session", unreachable_at_logout)
    env = {"UPKEEP_EMAIL": emu.email, "UPKEEP_PASSWORD": emu.password}
    result = CliRunner().invoke(cli, ["sync", "--db", str(tmp_path / "m.db"), "--base-url", emu.base_url,
                                      "--files-budget", "0"], env=env)
    assert result.exit_code == 0, result.output
    assert "logging out" not in result.output and "Traceback" not in result.output
