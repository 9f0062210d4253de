"""A small client for a running Home Assistant: login, REST and websocket calls.

Used by the development tools only (bootstrap, screenshots). It logs in the way
the frontend does (login flow, then an authorization code for a token), so it
needs nothing but a username and a password.
"""

from __future__ import annotations

import asyncio
from itertools import count
import time
from typing import Any, Self

import aiohttp

DEFAULT_URL = "http://127.0.0.1:8123"
DEFAULT_USER = "dev"
DEFAULT_PASSWORD = "dev-password"  # the documented local dev login


class HAError(Exception):
    """Home Assistant answered something unexpected."""


async def wait_until_serving(
    session: aiohttp.ClientSession, url: str, wait_s: float = 180.0
) -> None:
    """Wait until Home Assistant answers its HTTP API (it starts in stages)."""
    deadline = time.monotonic() + wait_s
    while True:
        try:
            # Unauthenticated; HTTP serves once every integration has set up.
            async with session.get(f"{url}/auth/providers") as resp:
                if resp.status == 200:
                    return
        except aiohttp.ClientError:
            pass
        if time.monotonic() > deadline:
            raise HAError(f"Home Assistant did not answer at {url} in {wait_s:.0f} s")
        await asyncio.sleep(1.0)


class HAClient:
    """Authenticated access to one Home Assistant instance."""

    def __init__(self, session: aiohttp.ClientSession, url: str, token: str) -> None:
        """Wrap a session and an access token."""
        self._session = session
        self.url = url
        self._headers = {"Authorization": f"Bearer {token}"}
        self._ws: aiohttp.ClientWebSocketResponse | None = None
        self._ids = count(1)

    @classmethod
    async def login(
        cls, session: aiohttp.ClientSession, url: str, username: str, password: str
    ) -> Self:
        """Log in with the homeassistant auth provider and return a client."""
        client_id = f"{url}/"
        async with session.post(
            f"{url}/auth/login_flow",
            json={
                "client_id": client_id,
                "handler": ["homeassistant", None],
                "redirect_uri": f"{url}/?auth_callback=1",
            },
        ) as resp:
            flow = await _json(resp)
        async with session.post(
            f"{url}/auth/login_flow/{flow['flow_id']}",
            json={"username": username, "password": password, "client_id": client_id},
        ) as resp:
            result = await _json(resp)
        if result.get("type") != "create_entry":
            raise HAError(f"login refused for {username!r}: {result.get('errors')}")
        async with session.post(
            f"{url}/auth/token",
            data={
                "grant_type": "authorization_code",
                "code": result["result"],
                "client_id": client_id,
            },
        ) as resp:
            token = await _json(resp)
        return cls(session, url, str(token["access_token"]))

    async def get(self, path: str) -> Any:
        """GET a REST path and return its JSON."""
        async with self._session.get(f"{self.url}{path}", headers=self._headers) as r:
            return await _json(r)

    async def post(self, path: str, payload: dict[str, Any]) -> Any:
        """POST JSON to a REST path and return its JSON."""
        async with self._session.post(
            f"{self.url}{path}", json=payload, headers=self._headers
        ) as resp:
            return await _json(resp)

    async def delete(self, path: str) -> None:
        """DELETE a REST path (e.g. abandon a flow)."""
        async with self._session.delete(
            f"{self.url}{path}", headers=self._headers
        ) as resp:
            await _json(resp)

    async def ws(self, msg_type: str, **fields: Any) -> Any:
        """Send one websocket command and return its result.

        A connection the server closed meanwhile (idle while we waited) is
        opened again once.
        """
        try:
            return await self._ws_once(msg_type, **fields)
        except (aiohttp.ClientConnectionResetError, TypeError):
            await self.close()
            return await self._ws_once(msg_type, **fields)

    async def _ws_once(self, msg_type: str, **fields: Any) -> Any:
        if self._ws is None or self._ws.closed:
            self._ws = await self._session.ws_connect(f"{self.url}/api/websocket")
            await self._ws.receive_json()  # auth_required
            await self._ws.send_json(
                {"type": "auth", "access_token": self._headers["Authorization"][7:]}
            )
            reply = await self._ws.receive_json()
            if reply.get("type") != "auth_ok":
                raise HAError(f"websocket auth failed: {reply}")
        msg_id = next(self._ids)
        await self._ws.send_json({"id": msg_id, "type": msg_type, **fields})
        while True:
            reply = await self._ws.receive_json()
            if reply.get("id") != msg_id:
                continue
            if not reply.get("success"):
                raise HAError(f"{msg_type} failed: {reply.get('error')}")
            return reply.get("result")

    async def close(self) -> None:
        """Close the websocket, if one was opened."""
        if self._ws is not None:
            await self._ws.close()
            self._ws = None


async def _json(resp: aiohttp.ClientResponse) -> Any:
    if resp.status >= 400:
        raise HAError(
            f"{resp.method} {resp.url.path}: {resp.status} {await resp.text()}"
        )
    return await resp.json()
