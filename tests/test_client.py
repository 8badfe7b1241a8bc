"""UpKeepClient against respx-mocked UpKeep answers: auth, headers, envelopes, errors, retries, pacing."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

import httpx
import pytest
import respx

from sync.settings import Settings, load_settings
from sync.upkeep import API_VERSION, Credentials, RetryPolicy, UpKeepClient, UpKeepSession
from sync.upkeep._retry import parse_retry_after
from sync.upkeep._session import RENEW_BEFORE_EXPIRY
from sync.upkeep.errors import (
    AuthenticationFailed,
    BadRequest,
    ConfigurationError,
    MalformedResponse,
    NetworkError,
    NotFound,
    RejectedError,
    ServerError,
)

BASE = "https://upkeep.test"
EMAIL = "planner@plant.example"
PASSWORD = "hunter2-correct-horse"
ASSETS = "/api/v2/assets/"
WORK_ORDERS = "/api/v2/work-orders/"


def ok_list(*rows):
    return httpx.Response(200, json={"success": True, "results": list(rows)})


def ok_one(obj):
    return httpx.Response(200, json={"success": True, "result": obj})


def failure(status, message, headers=None):
    return httpx.Response(status, json={"success": False, "message": message}, headers=headers)


def login_ok(token):
    return ok_one({"sessionToken": token, "expiresAt": "2030-01-01T00:00:00.000Z"})


@pytest.fixture
def api():
    with respx.mock(base_url=BASE, assert_all_called=False) as router:
        router.delete("/api/v2/auth", name="logout").mock(
            return_value=httpx.Response(200, json={"success": True, "message": "session deleted"}))
        yield router


@pytest.fixture
def slept():
    return []


@pytest.fixture
def make_client(slept):
    clients = []

    def make(token=None, email=EMAIL, password=PASSWORD, **kwargs):
        creds = Credentials(session_token=token, email=email, password=password, base_url=BASE)
        kwargs.setdefault("policy", RetryPolicy(jitter=0))
        kwargs.setdefault("sleep", slept.append)
        client = UpKeepClient(creds, **kwargs)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


# --- headers, auth ------------------------------------------------------------------------------


def test_every_call_sends_version_and_session_token(api, make_client):
    route = api.get(ASSETS).mock(return_value=ok_list({"id": "a1"}))
    client = make_client(token="tok-given", email=None, password=None)
    assert client.get_list(ASSETS) == [{"id": "a1"}]
    request = route.calls.last.request
    assert request.headers["upkeep-version"] == API_VERSION == "2022-09-14"
    assert request.headers["Session-Token"] == "tok-given"


def test_login_is_lazy_and_happens_once(api, make_client):
    auth = api.post("/api/v2/auth").mock(return_value=login_ok("tok-1"))
    assets = api.get(ASSETS).mock(return_value=ok_list())
    client = make_client()
    assert auth.call_count == 0
    client.get_list(ASSETS)
    client.get_list(ASSETS)
    assert auth.call_count == 1
    assert json.loads(auth.calls.last.request.content) == {"email": EMAIL, "password": PASSWORD}
    assert "Session-Token" not in auth.calls.last.request.headers
    assert all(call.request.headers["Session-Token"] == "tok-1" for call in assets.calls)
    assert (client.stats.requests, client.stats.logins) == (3, 1)


def test_401_logs_in_again_once_and_repeats_the_call(api, make_client, slept):
    auth = api.post("/api/v2/auth").mock(side_effect=[login_ok("tok-old"), login_ok("tok-new")])
    assets = api.get(ASSETS).mock(side_effect=[failure(401, "session expired"), ok_list({"id": "a1"})])
    client = make_client()
    assert client.get_list(ASSETS) == [{"id": "a1"}]
    assert auth.call_count == 2
    assert [c.request.headers["Session-Token"] for c in assets.calls] == ["tok-old", "tok-new"]
    assert slept == []


def test_401_after_fresh_login_is_authentication_failed(api, make_client, slept):
    auth = api.post("/api/v2/auth").mock(side_effect=[login_ok("t1"), login_ok("t2")])
    assets = api.get(ASSETS).mock(return_value=failure(401, "unauthorized"))
    with pytest.raises(AuthenticationFailed, match="fresh login") as info:
        make_client().get_list(ASSETS)
    assert info.value.status == 401
    assert (auth.call_count, assets.call_count) == (2, 2)
    assert slept == []


def test_401_with_token_only_fails_without_login(api, make_client):
    auth = api.post("/api/v2/auth").mock(return_value=login_ok("never"))
    api.get(ASSETS).mock(return_value=failure(401, "unauthorized"))
    with pytest.raises(AuthenticationFailed, match="email and password"):
        make_client(token="tok-stale", email=None, password=None).get_list(ASSETS)
    assert auth.call_count == 0


def test_refused_login_is_authentication_failed_without_the_password(api, make_client):
    api.post("/api/v2/auth").mock(return_value=failure(400, f"wrong password {PASSWORD} for {EMAIL}"))
    with pytest.raises(AuthenticationFailed, match="login refused") as info:
        make_client().get_list(ASSETS)
    assert PASSWORD not in str(info.value) and EMAIL not in str(info.value)
    assert info.value.response is None  # its request would carry the password


def test_login_5xx_is_retried_and_never_keeps_the_request_with_the_password(api, make_client, slept):
    auth = api.post("/api/v2/auth").mock(return_value=failure(503, "maintenance"))
    with pytest.raises(ServerError) as info:
        make_client(policy=RetryPolicy(attempts=2, jitter=0)).get_list(ASSETS)
    assert auth.call_count == 2 and slept == [0.5]
    assert info.value.response is None and not info.value.ambiguous


def test_login_answer_without_token_is_malformed(api, make_client):
    api.post("/api/v2/auth").mock(return_value=ok_one({"expiresAt": "2030-01-01"}))
    with pytest.raises(MalformedResponse, match="sessionToken"):
        make_client().get_list(ASSETS)


# --- the session: shared, renewed before it expires, logged out --------------------------------


class Clocks:
    """A wall clock (``expiresAt`` is a date) and a monotonic one that move together."""

    def __init__(self) -> None:
        self.wall, self.mono = datetime(2026, 3, 2, 9, 0, tzinfo=UTC).timestamp(), 1000.0

    def advance(self, seconds: float) -> None:
        self.wall += seconds
        self.mono += seconds

    def expires_in(self, seconds: float) -> str:
        return datetime.fromtimestamp(self.wall + seconds, UTC).isoformat(timespec="milliseconds").replace(
            "+00:00", "Z")


def test_the_session_is_renewed_shortly_before_expires_at_not_after_a_401(api, make_client):
    clocks = Clocks()
    tokens = iter(range(1, 10))
    auth = api.post("/api/v2/auth").mock(side_effect=lambda request: ok_one(
        {"sessionToken": f"tok-{next(tokens)}", "expiresAt": clocks.expires_in(600)}))
    assets = api.get(ASSETS).mock(return_value=ok_list())
    session = UpKeepSession(wall=lambda: clocks.wall, clock=lambda: clocks.mono)
    client = make_client(session=session)
    client.get_list(ASSETS)
    clocks.advance(600 - RENEW_BEFORE_EXPIRY - 1)
    client.get_list(ASSETS)
    assert auth.call_count == 1
    clocks.advance(2)  # within the margin: a new login before the call, not a 401 after it
    client.get_list(ASSETS)
    assert auth.call_count == 2 and session.logins == 2
    assert [c.request.headers["Session-Token"] for c in assets.calls] == ["tok-1", "tok-1", "tok-2"]


def test_a_short_session_is_renewed_half_way_and_one_without_expires_at_only_on_a_401(api, make_client):
    clocks = Clocks()
    answers = iter([{"sessionToken": "tok-1", "expiresAt": clocks.expires_in(10)}, {"sessionToken": "tok-2"},
                    {"sessionToken": "tok-3"}])
    auth = api.post("/api/v2/auth").mock(side_effect=lambda request: ok_one(next(answers)))
    api.get(ASSETS).mock(return_value=ok_list())
    client = make_client(session=UpKeepSession(wall=lambda: clocks.wall, clock=lambda: clocks.mono))
    client.get_list(ASSETS)
    clocks.advance(4.9)
    client.get_list(ASSETS)
    assert auth.call_count == 1
    clocks.advance(0.2)  # past half of a 10 s session
    client.get_list(ASSETS)
    assert auth.call_count == 2
    clocks.advance(10_000)  # tok-2 came without expiresAt: kept until UpKeep refuses it
    client.get_list(ASSETS)
    assert auth.call_count == 2


def test_clients_sharing_a_session_log_in_once_and_the_owner_logs_out_once(api, make_client):
    auth = api.post("/api/v2/auth").mock(return_value=login_ok("tok-shared"))
    api.get(ASSETS).mock(return_value=ok_list())
    session = UpKeepSession()
    first, second = make_client(session=session), make_client(session=session)
    first.get_list(ASSETS)
    second.get_list(ASSETS)
    assert auth.call_count == 1 and first._http is not second._http  # one session, two connection pools
    second.close()
    assert api["logout"].call_count == 0  # a client does not end a session it does not own
    first.log_out()  # the owner's call, through whichever client is still open
    first.log_out()
    assert api["logout"].call_count == 1
    assert api["logout"].calls.last.request.headers["Session-Token"] == "tok-shared"


def test_close_logs_out_a_session_the_client_logged_in_for_but_never_a_given_token(api, make_client):
    api.post("/api/v2/auth").mock(return_value=login_ok("tok-1"))
    api.get(ASSETS).mock(return_value=ok_list())
    with make_client() as client:
        client.get_list(ASSETS)
    assert api["logout"].call_count == 1
    with make_client() as idle:
        assert idle.session.logins == 0  # never logged in: nothing to log out
    with make_client(token="tok-given", email=None, password=None) as given:
        given.get_list(ASSETS)
    assert api["logout"].call_count == 1


@pytest.mark.parametrize("answer", [httpx.ConnectError("refused"), failure(500, "oops"),
                                    failure(401, "invalid session token"),
                                    failure(400, "no session tok-secret-1 here")])
def test_a_failed_logout_is_logged_at_debug_and_never_raised(api, make_client, caplog, answer):
    caplog.set_level(logging.DEBUG)
    api.post("/api/v2/auth").mock(return_value=login_ok("tok-secret-1"))
    api.get(ASSETS).mock(return_value=ok_list())
    api["logout"].mock(side_effect=[answer])
    client = make_client()
    client.get_list(ASSETS)
    client.close()
    failed = [r for r in caplog.records if "logging out of UpKeep failed" in r.getMessage()]
    assert [r.levelno for r in failed] == [logging.DEBUG]
    assert not any("tok-secret-1" in r.getMessage() for r in caplog.records)


# --- envelopes ----------------------------------------------------------------------------------


def test_get_one_post_patch_delete_unwrap(api, make_client):
    api.get(WORK_ORDERS + "w1").mock(return_value=ok_one({"id": "w1"}))
    post = api.post(WORK_ORDERS).mock(return_value=ok_one({"id": "w2", "title": "Leak"}))
    patch = api.patch(WORK_ORDERS + "w2").mock(return_value=ok_one({"id": "w2", "status": "onHold"}))
    api.delete(WORK_ORDERS + "w2").mock(
        return_value=httpx.Response(200, json={"success": True, "message": "1 deleted"})
    )
    client = make_client(token="t", email=None, password=None)
    assert client.get_one(WORK_ORDERS + "w1") == {"id": "w1"}
    assert client.post(WORK_ORDERS, {"title": "Leak"}) == {"id": "w2", "title": "Leak"}
    assert json.loads(post.calls.last.request.content) == {"title": "Leak"}
    assert client.patch(WORK_ORDERS + "w2", {"status": "onHold"})["status"] == "onHold"
    assert json.loads(patch.calls.last.request.content) == {"status": "onHold"}
    assert client.delete(WORK_ORDERS + "w2") == {"success": True, "message": "1 deleted"}


def test_list_params_are_sent(api, make_client):
    route = api.get(WORK_ORDERS).mock(return_value=ok_list())
    make_client(token="t").get_list(WORK_ORDERS, {"offset": 100, "limit": 100, "orderBy": "updatedAt ASC"})
    assert dict(route.calls.last.request.url.params) == {
        "offset": "100",
        "limit": "100",
        "orderBy": "updatedAt ASC",
    }


def test_body_not_json_is_malformed_and_names_the_path(api, make_client, slept):
    route = api.get(ASSETS).mock(return_value=httpx.Response(200, text="<html>maintenance</html>"))
    with pytest.raises(MalformedResponse) as info:
        make_client(token="t").get_list(ASSETS)
    assert f"GET {ASSETS}" in str(info.value) and "not JSON" in str(info.value)
    assert route.call_count == 1 and slept == []


def test_missing_results_is_malformed_and_names_the_key(api, make_client):
    api.get(ASSETS).mock(return_value=ok_one({"id": "a1"}))
    with pytest.raises(MalformedResponse, match=r"GET /api/v2/assets/.*'results' list"):
        make_client(token="t").get_list(ASSETS)


def test_success_false_400_is_bad_request_with_upkeeps_message(api, make_client, slept):
    route = api.post(WORK_ORDERS).mock(return_value=failure(400, "title cannot be null"))
    with pytest.raises(BadRequest) as info:
        make_client(token="t").post(WORK_ORDERS, {"description": "no title"})
    assert info.value.message == "title cannot be null"
    assert info.value.status == 400
    assert str(info.value) == f"POST {WORK_ORDERS}: HTTP 400: title cannot be null"
    assert route.call_count == 1 and slept == []


def test_success_false_with_200_is_rejected_not_retried(api, make_client, slept):
    route = api.post("/api/v2/assets/downtime").mock(
        return_value=httpx.Response(200, json={"success": False, "message": "1 status update failed"})
    )
    with pytest.raises(RejectedError, match="1 status update failed"):
        make_client(token="t").post("/api/v2/assets/downtime", {"updates": []})
    assert route.call_count == 1 and slept == []


def test_404_is_not_found(api, make_client):
    api.get(ASSETS + "gone").mock(return_value=failure(404, "asset not found"))
    with pytest.raises(NotFound, match="asset not found"):
        make_client(token="t").get_one(ASSETS + "gone")


# --- retries ------------------------------------------------------------------------------------


def test_503_is_retried_then_succeeds(api, make_client, slept):
    route = api.get(ASSETS).mock(side_effect=[failure(503, "maintenance"), ok_list({"id": "a1"})])
    client = make_client(token="t")
    assert client.get_list(ASSETS) == [{"id": "a1"}]
    assert route.call_count == 2
    assert slept == [0.5]
    assert (client.stats.retries, client.stats.requests) == (1, 2)


def test_502_html_page_is_a_server_error_not_malformed(api, make_client):
    api.get(ASSETS).mock(return_value=httpx.Response(502, text="<html>Bad Gateway</html>"))
    with pytest.raises(ServerError, match="Bad Gateway"):
        make_client(token="t", policy=RetryPolicy(attempts=1)).get_list(ASSETS)


def test_429_waits_the_retry_after(api, make_client, slept):
    api.get(ASSETS).mock(side_effect=[failure(429, "slow down", {"Retry-After": "7"}), ok_list()])
    make_client(token="t").get_list(ASSETS)
    assert slept == [7.0]


def test_gives_up_after_attempts_with_the_last_error(api, make_client, slept):
    route = api.get(ASSETS).mock(return_value=failure(503, "maintenance"))
    client = make_client(token="t", policy=RetryPolicy(attempts=3, jitter=0))
    with pytest.raises(ServerError) as info:
        client.get_list(ASSETS)
    assert info.value.status == 503 and not info.value.ambiguous
    assert route.call_count == 3
    assert slept == [0.5, 1.0] and client.stats.retries == 2


def test_network_error_on_get_is_retried(api, make_client, slept):
    route = api.get(ASSETS).mock(side_effect=[httpx.ReadTimeout("timed out"), ok_list({"id": "a1"})])
    assert make_client(token="t").get_list(ASSETS) == [{"id": "a1"}]
    assert route.call_count == 2 and slept == [0.5]


@pytest.mark.parametrize(
    "failure_",
    [
        httpx.ReadTimeout("timed out"),
        httpx.RemoteProtocolError("Server disconnected without sending a response"),
    ],
)
def test_network_error_after_a_post_was_sent_is_ambiguous_and_not_retried(api, make_client, slept, failure_):
    route = api.post(WORK_ORDERS).mock(side_effect=[failure_, ok_one({"id": "dup"})])
    with pytest.raises(NetworkError) as info:
        make_client(token="t").post(WORK_ORDERS, {"title": "Leak"})
    assert info.value.ambiguous is True
    assert "may have been applied" in str(info.value)
    assert route.call_count == 1 and slept == []


def test_dropped_connection_on_a_delete_is_ambiguous(api, make_client, slept):
    route = api.delete(WORK_ORDERS + "w1").mock(side_effect=httpx.ReadError("connection reset"))
    with pytest.raises(NetworkError) as info:
        make_client(token="t").delete(WORK_ORDERS + "w1")
    assert info.value.ambiguous and route.call_count == 1


def test_connect_error_on_a_post_is_retried(api, make_client, slept):
    route = api.post(WORK_ORDERS).mock(side_effect=[httpx.ConnectError("refused"), ok_one({"id": "w1"})])
    assert make_client(token="t").post(WORK_ORDERS, {"title": "Leak"}) == {"id": "w1"}
    assert route.call_count == 2


def test_500_on_a_patch_is_ambiguous_and_not_retried(api, make_client, slept):
    route = api.patch(WORK_ORDERS + "w1").mock(return_value=failure(500, "internal"))
    with pytest.raises(ServerError) as info:
        make_client(token="t").patch(WORK_ORDERS + "w1", {"status": "complete"})
    assert info.value.ambiguous and route.call_count == 1 and slept == []


def test_503_and_429_on_a_post_are_retried(api, make_client, slept):
    route = api.post(WORK_ORDERS).mock(
        side_effect=[
            failure(503, "maintenance"),
            failure(429, "slow", {"Retry-After": "2"}),
            ok_one({"id": "w1"}),
        ]
    )
    assert make_client(token="t").post(WORK_ORDERS, {"title": "Leak"}) == {"id": "w1"}
    assert route.call_count == 3 and slept == [0.5, 2.0]


def test_401_on_a_post_logs_in_again_and_resends(api, make_client):
    api.post("/api/v2/auth").mock(side_effect=[login_ok("t1"), login_ok("t2")])
    route = api.post(WORK_ORDERS).mock(side_effect=[failure(401, "expired"), ok_one({"id": "w1"})])
    assert make_client().post(WORK_ORDERS, {"title": "Leak"}) == {"id": "w1"}
    assert route.call_count == 2


def test_network_error_during_login_before_a_post_is_not_ambiguous(api, make_client, slept):
    api.post("/api/v2/auth").mock(side_effect=[httpx.ReadTimeout("timed out"), login_ok("t1")])
    route = api.post(WORK_ORDERS).mock(return_value=ok_one({"id": "w1"}))
    assert make_client().post(WORK_ORDERS, {"title": "Leak"}) == {"id": "w1"}
    assert route.call_count == 1 and slept == [0.5]


# --- secrets ------------------------------------------------------------------------------------


def test_password_and_token_never_in_repr_errors_or_logs(api, make_client, caplog):
    caplog.set_level(logging.DEBUG)
    api.post("/api/v2/auth").mock(
        side_effect=[
            login_ok("tok-secret-1"),
            login_ok("tok-secret-2"),
            failure(401, f"bad password {PASSWORD}"),
        ]
    )
    api.get(ASSETS).mock(
        side_effect=[
            failure(401, "expired"),
            failure(503, "busy tok-secret-2"),
            ok_list(),
            failure(401, "expired"),
        ]
    )
    client = make_client()
    client.get_list(ASSETS)
    with pytest.raises(AuthenticationFailed) as info:
        client.get_list(ASSETS)
    texts = [
        repr(client),
        repr(client._credentials),
        str(client._credentials),
        str(info.value),
        repr(info.value),
    ]
    texts += [r.getMessage() for r in caplog.records]
    assert any("busy ***" in t for t in texts)  # the 503 was logged, token redacted
    for secret in (PASSWORD, "tok-secret-1", "tok-secret-2"):
        assert not any(secret in t for t in texts), secret


# --- rate limit ---------------------------------------------------------------------------------


class FakeTime:
    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_rate_limit_spaces_requests(api, make_client):
    fake = FakeTime()
    sent_at: list[float] = []
    api.get(ASSETS).mock(side_effect=lambda request: sent_at.append(fake.now) or ok_list())
    client = make_client(token="t", max_requests_per_second=2, sleep=fake.sleep, clock=fake.clock)
    for _ in range(3):
        client.get_list(ASSETS)
    assert sent_at == [100.0, 100.5, 101.0]
    fake.now += 5  # idle long enough: no wait
    client.get_list(ASSETS)
    assert fake.slept == [0.5, 0.5]


# --- configuration ------------------------------------------------------------------------------


def test_credentials_from_env():
    creds = Settings(env={"UPKEEP_EMAIL": EMAIL, "UPKEEP_PASSWORD": PASSWORD, "UPKEEP_BASE_URL": BASE}).credentials()
    assert (creds.email, creds.password, creds.base_url, creds.can_login) == (EMAIL, PASSWORD, BASE, True)
    assert Settings(env={"UPKEEP_SESSION_TOKEN": "t"}).credentials().base_url == "https://api.onupkeep.com"


@pytest.mark.parametrize(
    ("env", "match"),
    [
        ({}, "UPKEEP_SESSION_TOKEN"),
        ({"UPKEEP_EMAIL": EMAIL}, "UPKEEP_PASSWORD"),
        ({"UPKEEP_SESSION_TOKEN": "t", "UPKEEP_BASE_URL": "api.onupkeep.com"}, "http"),
    ],
)
def test_credentials_from_env_refuses_unusable(env, match):
    with pytest.raises(ConfigurationError, match=match) as info:
        Settings(env=env).credentials()
    assert EMAIL not in str(info.value)


def test_credentials_load_file_then_env_over_it(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text(f'[upkeep]\nemail = "{EMAIL}"\npassword = "{PASSWORD}"\nbase_url = "{BASE}"\n')
    creds = load_settings(path, {"UPKEEP_BASE_URL": "http://localhost:8080"}).credentials()
    assert (creds.email, creds.password, creds.base_url) == (EMAIL, PASSWORD, "http://localhost:8080")
    assert load_settings(path, {}).credentials().base_url == BASE


def test_credentials_bad_file(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('[upkeep]\npasword = "x"\n')
    with pytest.raises(ConfigurationError, match="pasword"):
        load_settings(path, {}).credentials()
    with pytest.raises(ConfigurationError, match="does not exist"):
        load_settings(tmp_path / "missing.toml", {}).credentials()


def test_parse_retry_after_forms():
    now = datetime(2024, 1, 1, 12, 0, 0, tzinfo=UTC)
    assert parse_retry_after("7") == 7.0
    assert parse_retry_after("Mon, 01 Jan 2024 12:00:30 GMT", now=now) == 30.0
    assert parse_retry_after("Mon, 01 Jan 2024 11:00:00 GMT", now=now) == 0.0
    assert parse_retry_after("soon") is None and parse_retry_after(None) is None


def test_context_manager_closes_the_connection_pool(make_client):
    with make_client(token="t") as client:
        pass
    assert client._http.is_closed


def test_upload_is_multipart_and_answers_under_data(api, make_client):
    record = {"id": "cfUb96FKU6", "filename": "seal.png", "url": "https://s3.example/seal.png",
              "mimeType": "image/png", "createdAt": "2022-11-18T12:06:27.017Z"}
    route = api.post("/api/v2/files").mock(return_value=httpx.Response(200, json={"success": True, "data": record}))
    assert make_client(token="t").upload("/api/v2/files", "seal.png", b"\x89PNG-bytes", "image/png") == record
    sent = route.calls.last.request
    assert sent.headers["content-type"].startswith("multipart/form-data; boundary=")
    assert sent.headers["session-token"] == "t"
    body = sent.content
    assert b'name="file"; filename="seal.png"' in body and b"\x89PNG-bytes" in body
    assert b'name="filename"\r\n\r\nseal.png' in body


def test_upload_without_data_is_a_malformed_answer(api, make_client):
    api.post("/api/v2/files").mock(return_value=httpx.Response(200, json={"success": True, "result": {}}))
    with pytest.raises(MalformedResponse, match="no 'data' object"):
        make_client(token="t").upload("/api/v2/files", "a.png", b"x", "image/png")


def test_post_rows_returns_per_row_answers_even_when_some_failed(api, make_client, slept):
    answer = {"success": False, "results": [{"assetId": "A", "row": 1, "errors": [{"message": "Invalid status"}]}]}
    route = api.post("/api/v2/assets/downtime").mock(return_value=httpx.Response(200, json=answer))
    rows = [{"assetId": "A", "status": "broken", "recordedOn": 1}]
    assert make_client(token="t").post_rows("/api/v2/assets/downtime", rows) == answer
    assert json.loads(route.calls.last.request.content) == rows
    assert slept == []
