"""Raw HTTP on the emulator, for its own tests: log in, a logged-in ``httpx`` client, fetch every page of a list."""

from __future__ import annotations

import httpx

from sync.emulator import DEFAULT_EMAIL, DEFAULT_PASSWORD, Emulator

VERSION = {"upkeep-version": "2022-09-14"}


def login(api_url: str, email: str = DEFAULT_EMAIL, password: str = DEFAULT_PASSWORD) -> str:
    response = httpx.post(f"{api_url}/auth", json={"email": email, "password": password})
    assert response.status_code == 200, response.text
    return response.json()["result"]["sessionToken"]


def api_client(emu: Emulator) -> httpx.Client:
    """A client logged in to ``emu`` that sends the session token and API version on every call."""
    return httpx.Client(
        base_url=emu.api_url, headers={**VERSION, "Session-Token": login(emu.api_url)}, timeout=10
    )


def fetch_all(client: httpx.Client, path: str, params: dict | None = None, page: int = 100) -> list[dict]:
    """Every object of a list endpoint, paged oldest-first by offset (the account must not change)."""
    out: list[dict] = []
    while True:
        response = client.get(
            path, params={**(params or {}), "offset": len(out), "limit": page, "orderBy": "createdAt ASC"}
        )
        assert response.status_code == 200, response.text
        batch = response.json()["results"]
        out += batch
        if len(batch) < page:
            return out
