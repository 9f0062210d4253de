"""No Assist tool answer, nor the API's prompt, carries a secret or an address."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from functools import partial
import json
import re
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlsplit

from homeassistant.core import HomeAssistant
from homeassistant.helpers import llm
import pytest

from custom_components.home_miner_manager.db.alert_rows import add_channel
from custom_components.home_miner_manager.db.models import Telemetry
from hmm_sim import CgminerSimulator, Fleet
from tests.plugins.simulators import AVALON_WEB_PASSWORD

from .conftest import HubFactory, closed_port, miner_subentry
from .test_assist import (
    NOW,
    POOL_PASSWORD,
    WALLET,
    add_share,
    call,
    fleet_hub,
    llm_context,
)

TELEGRAM_TOKEN = "123456:AAFakeTokenPart_0123456789abcdef"


@pytest.fixture
def db_url(postgres_url: str) -> str:
    """The hub on PostgreSQL: its URL carries a password, a host and a port."""
    return postgres_url


@pytest.mark.freeze_time(NOW)
async def test_no_secret_or_address_in_any_answer(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    sim_fleet: Callable[..., Awaitable[Fleet]],
    avalon_sim: CgminerSimulator,
    db_url: str,
) -> None:
    # A miner that does not answer: its reason is given, never its address.
    dead_port = closed_port()
    gone = SimpleNamespace(host="127.0.0.1", port=dead_port)
    entry = await fleet_hub(
        hass,
        setup_hub,
        sim_fleet,
        avalon_sim,
        miner_subentry(gone, "bitaxe", title="Shed Bitaxe", unique_id="mac:4"),  # type: ignore[arg-type]
    )
    hub = entry.runtime_data
    assert len(hub.coordinators) == 4
    await hub.database.async_run(
        partial(
            add_channel,
            channel_type="telegram",
            config={"name": "Phone", "bot_token": TELEGRAM_TOKEN, "chat_id": "42"},
            enabled=True,
        )
    )
    runner = hub.strategy
    assert runner is not None
    for coordinator in hub.coordinators.values():
        await runner.async_set_enrolled(coordinator, True, None)
        hub.database.queue_insert(
            Telemetry,
            miner_id=coordinator.miner_id,
            timestamp=datetime(2026, 3, 10, 1, tzinfo=UTC),
            power_watts=12.0,
            pool_in_use=f"stratum+tcp://127.0.0.1:{dead_port}",
        )
    await runner.async_set_enabled(True, None)
    await hass.async_block_till_done(wait_background_tasks=True)
    garage = next(c for c in hub.coordinators.values() if c.name == "Garage Bitaxe")
    await add_share(hub, garage, 1e9, datetime(2026, 3, 10, 2, tzinfo=UTC))

    answers: list[Any] = [
        await call(hass, "get_miner_fleet_status"),
        await call(hass, "get_mining_price_plan"),
        await call(hass, "get_best_share_leaderboard", count=50),
    ]
    for period in ("today", "yesterday", "this_month", "last_month"):
        answers.append(await call(hass, "get_mining_energy_cost", period=period))  # noqa: PERF401
    for name in ("garage", "loft", "avalon", "shed", "nobody"):
        answers.append(await call(hass, "explain_miner_state", miner=name))
        answers.append(await call(hass, "get_miner_fleet_status", miner=name))
        answers.append(await call(hass, "get_mining_energy_cost", miner=name))
    api = await llm.async_get_api(hass, "home_miner_manager", llm_context())
    text = "\n".join(
        [
            *(json.dumps(answer) for answer in answers),
            api.api_prompt,
            *(f"{tool.name} {tool.description}" for tool in api.tools),
        ]
    )
    assert "Shed Bitaxe" in text
    assert "unreachable" in text or "refused" in text
    # Every secret and address the hub holds.
    url = urlsplit(db_url)
    assert url.password
    secrets = [
        POOL_PASSWORD,
        WALLET,
        AVALON_WEB_PASSWORD,
        TELEGRAM_TOKEN,
        url.password,
        db_url,
        "127.0.0.1",
        "stratum",
        "public-pool",
    ]
    for secret in secrets:
        assert secret not in text, secret
    ports = {dead_port, url.port}
    for subentry in entry.subentries.values():
        if port := subentry.data.get("port"):
            ports.add(int(port))
    for port in ports:
        assert not re.search(rf"(?<![\d.]){port}(?![\d.])", text), port
