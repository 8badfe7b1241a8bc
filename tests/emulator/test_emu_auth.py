"""Auth: session tokens from POST /auth, 401 without one, expiry, re-login, logout."""

from __future__ import annotations

import re
import time
from datetime import datetime

import httpx

from sync.emulator import Emulator
from tests.support.emulator import login


def test_login_with_json_body_returns_token_and_expiry(shared_emu):
    response = httpx.post(
        f"{shared_emu.api_url}/auth", json={"email": "demo@upkeep.local", "password": "demo"}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["success"] is True
    assert body["result"]["sessionToken"].startswith("r:")
    assert body["result"]["expiresAt"].endswith("Z")


def test_login_with_form_body_and_trailing_slash(shared_emu):
    response = httpx.post(
        f"{shared_emu.api_url}/auth/", data={"email": "demo@upkeep.local", "password": "demo"}
    )
    assert response.status_code == 200
    assert response.json()["result"]["sessionToken"]


def test_wrong_password_is_401_envelope(shared_emu):
    response = httpx.post(
        f"{shared_emu.api_url}/auth", json={"email": "demo@upkeep.local", "password": "nope"}
    )
    assert response.status_code == 401
    assert response.json() == {"success": False, "message": "invalid email or password"}


def test_missing_password_is_400(shared_emu):
    response = httpx.post(f"{shared_emu.api_url}/auth", json={"email": "demo@upkeep.local"})
    assert response.status_code == 400
    assert response.json() == {"success": False, "message": "password cannot be null"}


def test_call_without_token_is_401(shared_emu):
    response = httpx.get(f"{shared_emu.api_url}/work-orders")
    assert response.status_code == 401
    assert response.json() == {"success": False, "message": "missing Session-Token header"}


def test_call_with_unknown_token_is_401(shared_emu):
    response = httpx.get(f"{shared_emu.api_url}/assets", headers={"Session-Token": "r:forged"})
    assert response.status_code == 401
    assert response.json()["success"] is False


def test_expired_token_is_401_and_relogin_works():
    with Emulator(seed=3, work_orders=20, token_ttl_s=0.3) as emu:
        token = login(emu.api_url)
        headers = {"Session-Token": token}
        assert httpx.get(f"{emu.api_url}/users", headers=headers).status_code == 200
        time.sleep(0.4)
        expired = httpx.get(f"{emu.api_url}/users", headers=headers)
        assert expired.status_code == 401
        assert expired.json() == {"success": False, "message": "session token expired"}
        fresh = {"Session-Token": login(emu.api_url)}
        assert httpx.get(f"{emu.api_url}/users", headers=fresh).status_code == 200


def test_expire_sessions_control_invalidates_live_tokens(emu):
    headers = {"Session-Token": login(emu.api_url)}
    assert httpx.post(f"{emu.control_url}/sessions/expire").json()["expired"] >= 1
    assert httpx.get(f"{emu.api_url}/users", headers=headers).status_code == 401


def test_logout_invalidates_token(emu):
    headers = {"Session-Token": login(emu.api_url)}
    response = httpx.delete(f"{emu.api_url}/auth", headers=headers)
    assert response.json() == {"success": True, "message": "session deleted"}
    assert httpx.get(f"{emu.api_url}/users", headers=headers).status_code == 401


def test_configured_credentials_replace_the_default():
    with Emulator(seed=3, work_orders=10, email="ops@plant.example", password="s3cret") as emu:
        assert (
            httpx.post(
                f"{emu.api_url}/auth", json={"email": "demo@upkeep.local", "password": "demo"}
            ).status_code
            == 401
        )
        token = login(emu.api_url, "ops@plant.example", "s3cret")
        users = httpx.get(
            f"{emu.api_url}/users", params={"email": "ops@plant.example"}, headers={"Session-Token": token}
        )
        assert [u["accountType"] for u in users.json()["results"]] == ["ADMIN"]


def test_expires_at_has_the_reference_shape_and_is_the_token_lifetime_ahead():
    with Emulator(seed=3, work_orders=10, token_ttl_s=90) as emu:
        before = time.time()
        answer = httpx.post(f"{emu.api_url}/auth", json={"email": emu.email, "password": emu.password}).json()
        after = time.time()
    expires = answer["result"]["expiresAt"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", expires)  # "2018-12-31T00:00:00.000Z"
    at = datetime.fromisoformat(expires.replace("Z", "+00:00")).timestamp()
    assert before + 90 - 0.01 <= at <= after + 90 + 0.01
