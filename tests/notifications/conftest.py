"""Fake Telegram/Discord servers on 127.0.0.1 and a client session; no ``hass``."""

from __future__ import annotations

from collections.abc import AsyncGenerator

import aiohttp
import pytest

from hmm_sim.notify_servers import FakeDiscordServer, FakeTelegramServer
from tests.notifications.common import BOT_TOKEN, WEBHOOK_ID, WEBHOOK_TOKEN


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations() -> None:
    """Override the suite-wide fixture so no ``hass`` is started here."""


@pytest.fixture
async def telegram(socket_enabled: None) -> AsyncGenerator[FakeTelegramServer]:
    """A fake Bot API that accepts only BOT_TOKEN and quotes URLs in errors."""
    async with FakeTelegramServer(
        valid_token=BOT_TOKEN, echo_path_in_errors=True, hang_s=3600
    ) as server:
        yield server


@pytest.fixture
async def discord(socket_enabled: None) -> AsyncGenerator[FakeDiscordServer]:
    """A fake Discord API that quotes URLs in errors."""
    async with FakeDiscordServer(echo_path_in_errors=True, hang_s=3600) as server:
        yield server


@pytest.fixture
def webhook_url(discord: FakeDiscordServer) -> str:
    """A webhook URL on the fake Discord server."""
    return discord.webhook_url(WEBHOOK_ID, WEBHOOK_TOKEN)


@pytest.fixture
async def session(socket_enabled: None) -> AsyncGenerator[aiohttp.ClientSession]:
    """A client session, closed after the test."""
    async with aiohttp.ClientSession() as client:
        yield client
