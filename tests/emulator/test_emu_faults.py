"""Fault injection over real HTTP: latency, 5xx, 429 + Retry-After, drops, lost answers, offline."""

from __future__ import annotations

import time

import httpx
import pytest

from sync.emulator import FaultConfig


def test_rate_limit_answers_429_with_retry_after(own_api, emu):
    emu.set_faults(rate_limit_rate=1.0, retry_after_s=7)
    response = own_api.get("/work-orders")
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "7"
    assert response.json()["success"] is False and "Too Many Requests" in response.json()["message"]
    emu.set_faults()
    assert own_api.get("/work-orders").status_code == 200


@pytest.mark.parametrize(("setting", "status"), [("server_error_rate", 500), ("unavailable_rate", 503)])
def test_server_errors_have_error_envelopes_and_apply_nothing(own_api, emu, setting, status):
    count = len(emu.dump("work_orders"))
    emu.set_faults(**{setting: 1.0})
    response = own_api.post("/work-orders", json={"title": "never stored"})
    assert response.status_code == status
    assert response.json()["success"] is False and response.json()["message"]
    assert len(emu.dump("work_orders")) == count


def test_dropped_connection_does_not_apply_the_write(own_api, emu):
    count = len(emu.dump("work_orders"))
    emu.set_faults(drop_rate=1.0)
    with pytest.raises(httpx.TransportError):
        own_api.post("/work-orders", json={"title": "dropped before applying"})
    emu.set_faults()
    assert len(emu.dump("work_orders")) == count
    assert emu.stats.snapshot()["faults"] == {"drop": 1}


def test_lost_response_applies_the_write_then_drops(own_api, emu):
    emu.set_faults(lost_response_rate=1.0)
    with pytest.raises(httpx.TransportError):
        own_api.post("/work-orders", json={"title": "applied but unanswered"})
    emu.set_faults()
    created = [w for w in emu.dump("work_orders") if w["title"] == "applied but unanswered"]
    assert len(created) == 1
    found = own_api.get("/work-orders", params={"title": "applied but unanswered"}).json()["results"]
    assert [w["id"] for w in found] == [created[0]["id"]]


def test_latency_is_added(own_api, emu):
    emu.set_faults(latency_ms=250)
    began = time.perf_counter()
    assert own_api.get("/teams").status_code == 200
    assert time.perf_counter() - began >= 0.25
    emu.set_faults()
    began = time.perf_counter()
    own_api.get("/teams")
    assert time.perf_counter() - began < 0.25


def test_faults_can_target_methods(own_api, emu):
    emu.set_faults(server_error_rate=1.0, methods=["POST", "PATCH"])
    assert own_api.get("/work-orders").status_code == 200
    assert own_api.post("/work-orders", json={"title": "x"}).status_code == 500


def test_fault_draws_are_seeded_and_rates_are_honoured(own_api, emu):
    def outcomes():
        emu.set_faults(FaultConfig(server_error_rate=0.3, rate_limit_rate=0.2, seed=5))
        return [own_api.get("/teams").status_code for _ in range(60)]

    first = outcomes()
    assert first == outcomes()
    counts = {code: first.count(code) for code in set(first)}
    assert set(counts) == {200, 429, 500}
    assert 5 <= counts[500] <= 30 and 3 <= counts[429] <= 22


def test_rates_must_be_probabilities(emu):
    with pytest.raises(ValueError):
        emu.set_faults(drop_rate=1.5)
    response = httpx.post(f"{emu.control_url}/faults", json={"drop_rate": -0.1})
    assert response.status_code == 400
    assert httpx.post(f"{emu.control_url}/faults", json={"bogus": 1}).status_code == 400


def test_control_surface_is_never_faulted(emu):
    emu.set_faults(drop_rate=1.0)
    assert httpx.get(f"{emu.control_url}/stats").status_code == 200
    assert httpx.get(f"{emu.control_url}/faults").json()["result"]["drop_rate"] == 1.0


def test_faults_set_over_http_apply(own_api, emu):
    response = httpx.post(f"{emu.control_url}/faults", json={"unavailable_rate": 1.0})
    assert response.json()["result"]["unavailable_rate"] == 1.0
    assert own_api.get("/assets").status_code == 503
    httpx.post(f"{emu.control_url}/faults", json={})
    assert own_api.get("/assets").status_code == 200


def test_offline_switch_refuses_api_but_not_control(own_api, emu):
    assert httpx.post(f"{emu.control_url}/offline").json() == {"success": True, "offline": True}
    with pytest.raises(httpx.TransportError):
        own_api.get("/work-orders")
    with pytest.raises(httpx.TransportError):
        httpx.post(f"{emu.api_url}/auth", json={"email": "demo@upkeep.local", "password": "demo"})
    assert httpx.get(f"{emu.control_url}/info").json()["result"]["offline"] is True
    assert emu.stats.snapshot()["faults"]["offline"] == 2
    httpx.post(f"{emu.control_url}/online")
    assert own_api.get("/work-orders").status_code == 200


def test_offline_via_python_api(own_api, emu):
    emu.set_offline(True)
    with pytest.raises(httpx.TransportError):
        own_api.post("/work-orders", json={"title": "queued while offline"})
    emu.set_offline(False)
    assert all(w["title"] != "queued while offline" for w in emu.dump("work_orders"))
    assert own_api.get("/users").status_code == 200


def test_forbidden_entities_answer_403_to_every_get_of_theirs(own_api, emu):
    user = emu.dump("users")[0]["id"]
    meter = emu.dump("meters")[0]["id"]
    settings = httpx.post(f"{emu.control_url}/faults", json={"forbidden_entities": ["users", "readings"]})
    assert settings.json()["result"]["forbidden_entities"] == ["users", "meter_readings"]
    for path in ("/users", f"/users/{user}", f"/meters/{meter}/readings"):
        response = own_api.get(path, params={"limit": 1} if path == "/users" else None)
        assert response.status_code == 403, path
        assert response.json() == {"success": False,
                                   "message": "The object requested is hidden for administrators only."}
    assert own_api.get("/work-orders", params={"limit": 1}).status_code == 200
    assert own_api.get(f"/meters/{meter}").status_code == 200
    assert emu.stats.snapshot()["statuses"]["403"] == 3
    emu.set_faults()
    assert own_api.get("/users", params={"limit": 1}).status_code == 200


def test_forbidden_entities_must_be_known_entities(emu):
    response = httpx.post(f"{emu.control_url}/faults", json={"forbidden_entities": ["wizards"]})
    assert response.status_code == 400
    assert response.json()["message"] == "forbidden_entities: unknown entity 'wizards'"
    with pytest.raises(ValueError, match="a list of entity names"):
        FaultConfig(forbidden_entities="users")  # type: ignore[arg-type]
