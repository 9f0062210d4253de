"""Pools through Home Assistant: rows, health, devices, switching, shares, failover."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from datetime import timedelta
import json
import logging
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigSubentryData
from homeassistant.const import STATE_OFF, STATE_ON
from homeassistant.core import Event, HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import device_registry as dr, issue_registry as ir
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import async_fire_time_changed
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)

from custom_components.home_miner_manager.const import DOMAIN, SUBENTRY_POOL
from custom_components.home_miner_manager.db.models import (
    AuditLog,
    BlockFound,
    Event as EventRow,
    HighDiffShare,
    Pool,
    PoolHealth,
)
from custom_components.home_miner_manager.pools.high_shares import block_chance
from hmm_sim import AxeOSSimulator, CgminerSimulator, NMMinerSimulator
from hmm_sim.stratum import PoolMode, StratumPoolSimulator
from tests.plugins.simulators import wait_until

from .conftest import BITAXE_UID, HubFactory, add_subentry, miner_subentry, rows

POOL_USER = "bc1qpooltestwallet"
POOL_PASSWORD = "pool-secret-4412"


@pytest.fixture
async def pool_sim(socket_enabled: None) -> AsyncGenerator[StratumPoolSimulator]:
    """A stratum pool that takes any worker of :data:`POOL_USER`."""
    async with StratumPoolSimulator() as sim:
        yield sim


def pool_subentry(
    sim: StratumPoolSimulator, name: str = "Solo BTC", **extra: Any
) -> ConfigSubentryData:
    """A pool subentry as the pool flow stores it."""
    data: dict[str, Any] = {
        "name": name,
        "url": "127.0.0.1",
        "port": sim.port,
        "user": POOL_USER,
        "password": POOL_PASSWORD,
        "coin": "BTC",
        "priority": 0,
        "enabled": True,
        "keep_user": False,
        **extra,
    }
    return ConfigSubentryData(
        data=data,
        subentry_type=SUBENTRY_POOL,
        title=name,
        unique_id=f"127.0.0.1:{sim.port}:{POOL_USER}:{name}",
    )


def _pool_id(entry: Any, name: str) -> str:
    return next(sid for sid, sub in entry.subentries.items() if sub.title == name)


async def _tick(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, **delta: float
) -> None:
    freezer.tick(timedelta(**delta))
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)


async def test_pool_row_device_and_health(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    pool_sim: StratumPoolSimulator,
    device_registry: dr.DeviceRegistry,
) -> None:
    entry = await setup_hub([pool_subentry(pool_sim)])
    (pool,) = entry.runtime_data.pools.values()
    (row,) = await rows(hass, entry, Pool)
    assert (row.url, row.port, row.user, row.enabled) == (
        "127.0.0.1",
        pool_sim.port,
        POOL_USER,
        True,
    )
    assert entry.subentries[pool.subentry.subentry_id].data["pool_id"] == row.id
    device = device_registry.async_get_device(
        identifiers={(DOMAIN, f"pool_{pool.subentry.subentry_id}")}
    )
    assert device is not None
    assert device.entry_type is dr.DeviceEntryType.SERVICE
    hub_device = device_registry.async_get_device(
        identifiers={(DOMAIN, entry.entry_id)}
    )
    assert device.via_device_id == hub_device.id  # type: ignore[union-attr]
    assert hass.states.get("binary_sensor.solo_btc_reachable").state == STATE_ON  # type: ignore[union-attr]
    response = float(hass.states.get("sensor.solo_btc_response_time").state)  # type: ignore[union-attr]
    assert response >= 0
    # Reachable, fast, no shares yet: 40 + 30 + 30.
    assert hass.states.get("sensor.solo_btc_health_score").state == "100.0"  # type: ignore[union-attr]
    assert hass.states.get("sensor.solo_btc_miners_on_this_pool").state == "0"  # type: ignore[union-attr]
    (check,) = await rows(hass, entry, PoolHealth)
    assert check.is_reachable
    assert check.pool_id == row.id
    assert check.luck_percentage is None  # no real figures, no made-up luck
    # A real stratum exchange: subscribe, then authorize with the pool's user.
    methods = [r["method"] for r in pool_sim.requests_log]
    assert methods == ["mining.subscribe", "mining.authorize"]


async def test_unreachable_pool_is_data_not_unavailable(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    pool_sim: StratumPoolSimulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    entry = await setup_hub([pool_subentry(pool_sim)])
    await pool_sim.set_mode(PoolMode.REFUSE)
    await _tick(hass, freezer, minutes=5)
    reachable = hass.states.get("binary_sensor.solo_btc_reachable")
    assert reachable is not None
    assert reachable.state == STATE_OFF
    assert hass.states.get("sensor.solo_btc_response_time").state == "unknown"  # type: ignore[union-attr]
    # Unreachable: 0 + 0 + 30 (no shares) - 10 for the failed check.
    assert hass.states.get("sensor.solo_btc_health_score").state == "20.0"  # type: ignore[union-attr]
    checks = await rows(hass, entry, PoolHealth)
    assert [c.is_reachable for c in checks] == [True, False]
    assert checks[-1].error_message
    assert POOL_PASSWORD not in checks[-1].error_message
    assert POOL_USER not in checks[-1].error_message
    # Back at the next check.
    await pool_sim.set_mode(PoolMode.NORMAL)
    await _tick(hass, freezer, minutes=5)
    assert hass.states.get("binary_sensor.solo_btc_reachable").state == STATE_ON  # type: ignore[union-attr]


async def test_pool_select_follows_pools_added_and_removed(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    axeos_sim: AxeOSSimulator,
    pool_sim: StratumPoolSimulator,
) -> None:
    bitaxe = miner_subentry(axeos_sim, "bitaxe", title="Desk", unique_id=BITAXE_UID)
    entry = await setup_hub([bitaxe, pool_subentry(pool_sim)])

    def options() -> list[str]:
        return hass.states.get("select.desk_pool").attributes["options"]  # type: ignore[no-any-return,union-attr]

    assert "Solo BTC" in options()
    assert "Second" not in options()
    add_subentry(hass, entry, pool_subentry(pool_sim, name="Second"))
    await hass.async_block_till_done(wait_background_tasks=True)
    assert "Second" in options()
    hass.config_entries.async_remove_subentry(entry, _pool_id(entry, "Second"))
    await hass.async_block_till_done(wait_background_tasks=True)
    assert "Second" not in options()


@pytest.mark.parametrize(
    "axeos_sim", ["bitaxe_v2_9", "bitaxe_v2_15", "nerdqaxe_pp"], indirect=True
)
async def test_select_switches_axeos_pool(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    axeos_sim: AxeOSSimulator,
    pool_sim: StratumPoolSimulator,
    issue_registry: ir.IssueRegistry,
) -> None:
    """Flat keys (<= v2.14), the pools array (v2.15) and NerdQAxe all switch."""
    entry = await setup_hub(
        [
            miner_subentry(axeos_sim, axeos_sim.miner_type, title="Desk"),
            pool_subentry(pool_sim),
        ]
    )
    select = hass.states.get("select.desk_pool")
    assert select is not None
    assert "Solo BTC" in select.attributes["options"]
    assert select.state not in ("Solo BTC", "unavailable")  # still on its own pool
    await hass.services.async_call(
        "select",
        "select_option",
        {"entity_id": "select.desk_pool", "option": "Solo BTC"},
        blocking=True,
    )
    (coordinator,) = entry.runtime_data.coordinators.values()
    # Applied live (NerdQAxe) or after the restart that follows the PATCH.
    await wait_until(
        lambda: axeos_sim.device.active_pool_address == f"127.0.0.1:{pool_sim.port}"
    )
    await coordinator.async_refresh()
    await hass.async_block_till_done(wait_background_tasks=True)
    # The worker is the pool user plus the miner's name.
    assert (
        axeos_sim.device.pools[axeos_sim.device.primary]["User"] == f"{POOL_USER}.Desk"
    )
    assert hass.states.get("select.desk_pool").state == "Solo BTC"  # type: ignore[union-attr]
    await _settle(hass)  # pool entities follow the miners once a second
    assert hass.states.get("sensor.solo_btc_miners_on_this_pool").state == "1"  # type: ignore[union-attr]
    assert coordinator.pool_watch is None  # seen in the polls: done
    events = [e.event_type for e in await rows(hass, entry, EventRow)]
    assert events == ["pool_changed"]
    audit = [(a.action, a.status) for a in await rows(hass, entry, AuditLog)]
    assert ("pool_switched", "success") in audit
    assert not issue_registry.issues


async def test_avalon_switch_needs_web_password(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    avalon_sim: CgminerSimulator,
    pool_sim: StratumPoolSimulator,
) -> None:
    """Avalon: setpool with the web password, then a reboot; a wrong one changes nothing."""
    from tests.plugins.simulators import AVALON_WEB_PASSWORD  # noqa: PLC0415

    entry = await setup_hub(
        [
            miner_subentry(
                avalon_sim, "avalon_nano", title="Nano", web_password="wrong-one"
            ),
            pool_subentry(pool_sim),
        ]
    )
    before = avalon_sim.device.pools[0]["url"]
    with pytest.raises(Exception) as refused:  # noqa: PT011  (translated HA error)
        await hass.services.async_call(
            DOMAIN,
            "switch_pool",
            {"device_id": _device_id(hass, "Nano"), "pool": "solo btc"},
            blocking=True,
        )
    assert refused.value.translation_key in {"auth_failed", "refused"}  # type: ignore[attr-defined]
    assert avalon_sim.device.pools[0]["url"] == before
    audit = await rows(hass, entry, AuditLog)
    assert [(a.action, a.status) for a in audit] == [("pool_switched", "failure")]
    assert "wrong-one" not in json.dumps([a.error_message for a in audit])

    (sub_id,) = [s for s, sub in entry.subentries.items() if sub.title == "Nano"]
    hass.config_entries.async_update_subentry(
        entry,
        entry.subentries[sub_id],
        data={**entry.subentries[sub_id].data, "web_password": AVALON_WEB_PASSWORD},
    )
    await hass.async_block_till_done(wait_background_tasks=True)
    await hass.services.async_call(
        DOMAIN,
        "switch_pool",
        {"device_id": _device_id(hass, "Nano"), "pool": "Solo BTC"},
        blocking=True,
    )
    coordinator = entry.runtime_data.coordinators[sub_id]
    await wait_until(
        lambda: f":{pool_sim.port}" in str(avalon_sim.device.pools[0]["url"])
    )
    # setpool, then a reboot: poll until the miner is back on the new pool.
    for _ in range(100):
        await coordinator.async_refresh()
        if coordinator.available and str(pool_sim.port) in str(
            coordinator.data.pool_in_use
        ):
            break
        await asyncio.sleep(0.05)
    assert str(pool_sim.port) in str(coordinator.data.pool_in_use)


def _device_id(hass: HomeAssistant, name: str) -> str:
    registry = dr.async_get(hass)
    for device in registry.devices.values():
        if device.name == name:
            return device.id
    raise AssertionError(name)


async def test_unknown_pool_name_is_refused(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    axeos_sim: AxeOSSimulator,
    pool_sim: StratumPoolSimulator,
) -> None:
    await setup_hub(
        [
            miner_subentry(axeos_sim, "bitaxe", title="Desk", unique_id=BITAXE_UID),
            pool_subentry(pool_sim),
            pool_subentry(pool_sim, name="Off pool", enabled=False),
        ]
    )
    for name in ("Nope", "Off pool"):  # unknown, and disabled
        with pytest.raises(ServiceValidationError) as err:
            await hass.services.async_call(
                DOMAIN,
                "switch_pool",
                {"device_id": _device_id(hass, "Desk"), "pool": name},
                blocking=True,
            )
        assert err.value.translation_key == "unknown_pool"
        assert err.value.translation_placeholders == {"pool": name, "pools": "Solo BTC"}
    assert "Off pool" not in hass.states.get("select.desk_pool").attributes["options"]  # type: ignore[union-attr]


async def test_switch_not_seen_in_polls_raises_issue(  # noqa: PLR0917  (pytest fixtures)
    hass: HomeAssistant,
    setup_hub: HubFactory,
    axeos_sim: AxeOSSimulator,
    pool_sim: StratumPoolSimulator,
    freezer: FrozenDateTimeFactory,
    issue_registry: ir.IssueRegistry,
) -> None:
    entry = await setup_hub(
        [
            miner_subentry(axeos_sim, "bitaxe", title="Desk", unique_id=BITAXE_UID),
            pool_subentry(pool_sim),
        ]
    )
    (coordinator,) = entry.runtime_data.coordinators.values()
    # The miner accepts the settings but keeps mining where it was (a firmware
    # that ignores them): simulate by not applying the PATCH's pool.
    axeos_sim.device.patch = lambda body: None  # type: ignore[method-assign]
    await hass.services.async_call(
        DOMAIN,
        "switch_pool",
        {"device_id": _device_id(hass, "Desk"), "pool": "Solo BTC"},
        blocking=True,
    )
    assert coordinator.pool_watch is not None
    for _ in range(4):
        await _tick(hass, freezer, seconds=50)
    assert coordinator.pool_watch is None
    issue = issue_registry.async_get_issue(
        DOMAIN, f"pool_switch_failed_{coordinator.subentry.subentry_id}"
    )
    assert issue is not None
    assert issue.translation_placeholders == {
        "name": "Desk",
        "pool": "Solo BTC",
        "minutes": "3",
    }
    audit = [(a.action, a.status) for a in await rows(hass, entry, AuditLog)]
    assert ("pool_switch_verified", "failure") in audit
    events = [e.event_type for e in await rows(hass, entry, EventRow)]
    assert events == ["pool_switch_failed"]
    # Removing the miner takes its issue with it.
    hass.config_entries.async_remove_subentry(entry, coordinator.subentry.subentry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert (
        issue_registry.async_get_issue(
            DOMAIN, f"pool_switch_failed_{coordinator.subentry.subentry_id}"
        )
        is None
    )


async def test_best_share_rises_block_and_leaderboard(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    axeos_sim: AxeOSSimulator,
    pool_sim: StratumPoolSimulator,
) -> None:
    """Session best rising → a row; a reboot's reset is no new best; a block."""
    counters = axeos_sim.device.counters
    counters.pool_difficulty = 1e-6  # random shares stay tiny
    counters.best_session = 1_000_000.0
    _mine_on(axeos_sim, pool_sim.port)
    entry = await setup_hub(
        [
            miner_subentry(axeos_sim, "bitaxe", title="Desk", unique_id=BITAXE_UID),
            pool_subentry(pool_sim),
        ]
    )
    (coordinator,) = entry.runtime_data.coordinators.values()
    blocks: list[Event] = []
    hass.bus.async_listen(f"{DOMAIN}_block_found", blocks.append)

    async def poll() -> None:
        await coordinator.async_refresh()
        await hass.async_block_till_done(wait_background_tasks=True)

    assert await rows(hass, entry, HighDiffShare) == []  # the first is the baseline
    counters.best_session = 4_290_000.0
    await poll()
    counters.best_session = 4_290_000.0  # the same again: no row
    await poll()
    counters.best_session = 10.0  # reboot / new session: a lower baseline
    await poll()
    counters.best_session = 5000.0  # rises, but only above the new baseline
    await poll()
    shares = await rows(hass, entry, HighDiffShare)
    assert [(s.difficulty, s.coin, s.pool_name) for s in shares] == [
        (4_290_000.0, "BTC", "Solo BTC"),
        (5000.0, "BTC", "Solo BTC"),
    ]
    assert not blocks
    # Past the network difficulty the miner reports: a block.
    counters.best_session = 2e14
    await poll()
    (block,) = await rows(hass, entry, BlockFound)
    assert (block.coin, block.pool_name, block.difficulty) == ("BTC", "Solo BTC", 2e14)
    assert len(blocks) == 1
    assert blocks[0].data["miner"] == "Desk"
    assert blocks[0].data["network_difficulty"] == 126271255279307
    assert any(e.event_type == "block_found" for e in await rows(hass, entry, EventRow))
    (pool_row,) = await rows(hass, entry, Pool)
    assert pool_row.best_share == 2e14
    assert pool_row.network_difficulty == 126271255279307
    # The hub's best share sensor and the leaderboard.
    await _settle(hass)
    best = hass.states.get("sensor.home_miner_manager_best_share")
    assert best is not None
    assert float(best.state) == 2e14
    assert best.attributes["miner"] == "Desk"
    response = await hass.services.async_call(
        DOMAIN, "get_leaderboard", {"count": 2}, blocking=True, return_response=True
    )
    assert [s["difficulty"] for s in response["shares"]] == [2e14, 4_290_000.0]  # type: ignore[index,union-attr]
    assert response["shares"][0]["block"] is True  # type: ignore[index,call-overload]
    response = await hass.services.async_call(
        DOMAIN, "get_leaderboard", {"coin": "DGB"}, blocking=True, return_response=True
    )
    assert response == {"shares": []}


async def test_unknown_pool_share_is_not_guessed_btc(
    hass: HomeAssistant, setup_hub: HubFactory, axeos_sim: AxeOSSimulator
) -> None:
    counters = axeos_sim.device.counters
    counters.pool_difficulty = 1e-6
    counters.best_session = 10.0
    entry = await setup_hub(
        [miner_subentry(axeos_sim, "bitaxe", title="Desk", unique_id=BITAXE_UID)]
    )
    (coordinator,) = entry.runtime_data.coordinators.values()
    counters.best_session = 1e6
    await coordinator.async_refresh()
    await hass.async_block_till_done(wait_background_tasks=True)
    (share,) = await rows(hass, entry, HighDiffShare)
    assert (share.coin, share.pool_name) == ("UNKNOWN", "Unknown Pool")


def _mine_on(sim: AxeOSSimulator, port: int) -> None:
    """Configure the simulated Bitaxe's primary pool and reboot onto it."""
    sim.device.pools[sim.device.primary].update(
        URL="127.0.0.1", Port=port, User=f"{POOL_USER}.Desk"
    )
    best = sim.device.counters.best_session
    sim.device.boot()
    sim.device.counters.best_session = best


async def _settle(hass: HomeAssistant) -> None:
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=2))
    await hass.async_block_till_done()


async def test_failover_and_back(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    axeos_sim: AxeOSSimulator,
    socket_enabled: None,
) -> None:
    async with (
        StratumPoolSimulator() as main,
        StratumPoolSimulator() as backup,
    ):
        _mine_on(axeos_sim, main.port)
        entry = await setup_hub(
            [
                miner_subentry(axeos_sim, "bitaxe", title="Desk", unique_id=BITAXE_UID),
                pool_subentry(backup, name="Backup"),
            ]
        )
        backup_id = _pool_id(entry, "Backup")
        hass.config_entries.async_add_subentry(
            entry,
            _subentry(pool_subentry(main, name="Main", failover_to=backup_id)),
        )
        await hass.async_block_till_done(wait_background_tasks=True)
        (coordinator,) = entry.runtime_data.coordinators.values()
        pool = entry.runtime_data.pools[_pool_id(entry, "Main")]
        assert hass.states.get("select.desk_pool").state == "Main"  # type: ignore[union-attr]

        async def check() -> None:
            await pool.async_refresh()
            await hass.async_block_till_done(wait_background_tasks=True)

        await main.set_mode(PoolMode.REFUSE)
        await check()  # one failed check (after the first good one): stay
        assert axeos_sim.device.active_pool_address.endswith(f":{main.port}")
        await check()  # two in a row: fail over
        await wait_until(
            lambda: axeos_sim.device.active_pool_address.endswith(f":{backup.port}")
        )
        assert pool.failover.failed_over == [coordinator.subentry.subentry_id]

        await main.set_mode(PoolMode.NORMAL)
        await check()  # reachable again, but not yet for 15 minutes
        assert axeos_sim.device.active_pool_address.endswith(f":{backup.port}")
        # The checks since it came back, as if 15 minutes had gone by.
        now = dt_util.utcnow()
        back = [at for at, ok in pool.checks if ok][-1]
        shifted = [(at - timedelta(minutes=16), ok) for at, ok in pool.checks]
        pool.checks.clear()
        pool.checks.extend(shifted)
        assert back <= now
        await check()
        await wait_until(
            lambda: axeos_sim.device.active_pool_address.endswith(f":{main.port}")
        )
        assert pool.failover.failed_over == []
        events = [e.event_type for e in await rows(hass, entry, EventRow)]
        assert events.count("pool_failover") == 1
        assert events.count("pool_failback") == 1
        audit = [(a.action, a.user) for a in await rows(hass, entry, AuditLog)]
        assert audit.count(("pool_failover", "system")) == 1
        assert audit.count(("pool_failback", "system")) == 1


def _subentry(data: ConfigSubentryData) -> Any:
    from types import MappingProxyType  # noqa: PLC0415

    from homeassistant.config_entries import ConfigSubentry  # noqa: PLC0415

    return ConfigSubentry(
        data=MappingProxyType(dict(data["data"])),
        subentry_type=data["subentry_type"],
        title=data["title"],
        unique_id=data["unique_id"],
    )


async def test_added_and_removed_pools_are_audited_and_kept(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    pool_sim: StratumPoolSimulator,
    hass_client: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    assert await async_setup_component(hass, "diagnostics", {})
    entry = await setup_hub()
    hass.config_entries.async_add_subentry(entry, _subentry(pool_subentry(pool_sim)))
    await hass.async_block_till_done(wait_background_tasks=True)
    sub_id = _pool_id(entry, "Solo BTC")
    hass.config_entries.async_update_subentry(
        entry,
        entry.subentries[sub_id],
        title="Solo",
        data={
            **entry.subentries[sub_id].data,
            "name": "Solo",
            "password": "new-pass-9",
        },
    )
    await hass.async_block_till_done(wait_background_tasks=True)
    diag = await get_diagnostics_for_config_entry(hass, hass_client, entry)
    hass.config_entries.async_remove_subentry(entry, sub_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    (row,) = await rows(hass, entry, Pool)
    assert row.enabled is False  # history stays
    assert row.name == "Solo"
    audit = await rows(hass, entry, AuditLog)
    assert [a.action for a in audit] == ["pool_added", "pool_updated", "pool_removed"]
    assert audit[1].changes["password"] == "changed"  # type: ignore[index]
    text = json.dumps([a.changes for a in audit]) + json.dumps(diag, default=str)
    states = json.dumps(
        [dict(s.attributes) | {"s": s.state} for s in hass.states.async_all()],
        default=str,
    )
    for secret in (POOL_PASSWORD, "new-pass-9"):
        assert secret not in text
        assert secret not in states
        assert secret not in caplog.text


async def test_pool_options_and_network_difficulty_from_stats(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    avalon_sim: CgminerSimulator,
    pool_sim: StratumPoolSimulator,
    socket_enabled: None,
) -> None:
    """An Avalon reports no network difficulty: the stats server gives it."""
    from hmm_sim.pool_stats import PoolStatsSimulator  # noqa: PLC0415

    counters = avalon_sim.device.counters
    counters.pool_difficulty = 1e-6
    counters.best_session = 100.0
    avalon_sim.device.pools[0]["url"] = f"stratum+tcp://127.0.0.1:{pool_sim.port}"
    # The pool's user too: host:port alone is not the pool (issue 13 §3).
    avalon_sim.device.pools[0]["user"] = f"{POOL_USER}.Nano"
    async with PoolStatsSimulator(difficulties={"btc": 5e9}) as stats:
        entry = await setup_hub(
            [
                miner_subentry(avalon_sim, "avalon_nano", title="Nano"),
                pool_subentry(pool_sim),
            ]
        )
        result = await hass.config_entries.options.async_init(entry.entry_id)
        result = await hass.config_entries.options.async_configure(
            result["flow_id"], {"next_step_id": "pools"}
        )
        assert result["step_id"] == "pools"
        result = await hass.config_entries.options.async_configure(
            result["flow_id"],
            {"pool_check_minutes": 2, "pool_stats_url": stats.base_url()},
        )
        await hass.async_block_till_done(wait_background_tasks=True)
        assert entry.options["pool_check_minutes"] == 2
        (pool,) = entry.runtime_data.pools.values()
        assert pool.update_interval == timedelta(minutes=2)
        # A check reads the chain's difficulty from the statistics server.
        await pool.async_refresh()
        await hass.async_block_till_done(wait_background_tasks=True)
        assert stats.hits("btc", "stats") == 1
        (pool_row,) = await rows(hass, entry, Pool)
        assert pool_row.network_difficulty == 5e9
        assert pool.data.network_difficulty == 5e9

        (coordinator,) = entry.runtime_data.coordinators.values()
        counters.best_session = 6e9  # above the stats server's 5e9: a block
        await coordinator.async_refresh()
        await hass.async_block_till_done(wait_background_tasks=True)
        assert stats.hits("btc", "stats") == 1  # cached since the check
        (share,) = await rows(hass, entry, HighDiffShare)
        assert (share.coin, share.network_difficulty, share.was_block_solve) == (
            "BTC",
            5e9,
            True,
        )
        # The difficulty is cached: the next poll's chance uses it, no request.
        await coordinator.async_refresh()
        chance = hass.states.get("sensor.nano_chance_of_a_block_today")
        assert chance is not None
        assert float(chance.state) > 0
        # Two significant digits: more only made every poll a new state.
        odds = block_chance(coordinator.data.hashrate_ghs * 1e9, 5e9)
        assert odds is not None
        assert float(chance.state) == float(f"{odds * 100:.2g}")
        assert float(chance.state) != odds * 100  # rounded, not the raw figure
        assert stats.hits("btc", "stats") == 1


async def test_nmminer_v2_switch(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    nmminer_sim: NMMinerSimulator,
    pool_sim: StratumPoolSimulator,
) -> None:
    """NMMiner v2: the pool over HTTP, then a restart; the worker carries its name."""
    entry = await setup_hub(
        [
            miner_subentry(nmminer_sim, "nmminer", title="Lotto 1"),
            pool_subentry(pool_sim),
        ]
    )
    await hass.services.async_call(
        "select",
        "select_option",
        {"entity_id": "select.lotto_1_pool", "option": "Solo BTC"},
        blocking=True,
    )
    await wait_until(lambda: nmminer_sim.device.pool == f"127.0.0.1:{pool_sim.port}")
    assert nmminer_sim.device.active["PrimaryAddress"] == f"{POOL_USER}.Lotto_1"
    assert nmminer_sim.device.active["PrimaryPassword"] == POOL_PASSWORD
    (coordinator,) = entry.runtime_data.coordinators.values()
    for _ in range(100):
        await coordinator.async_refresh()
        if coordinator.available:
            break
        await asyncio.sleep(0.05)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert hass.states.get("select.lotto_1_pool").state == "Solo BTC"  # type: ignore[union-attr]
    assert coordinator.pool_watch is None
