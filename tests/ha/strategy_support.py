"""Stand-ins for the Octopus Energy integration's entities, and strategy helpers.

Entity ids and attributes are exactly the integration's (v18):
``event.octopus_energy_electricity_{serial}_{mpan}_current_day_rates`` with
``rates`` (``start``/``end`` local datetimes, ``value_inc_vat`` GBP/kWh),
``tariff_code`` and the day's min/max/average.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.switch import SwitchEntity
from homeassistant.config_entries import ConfigSubentryData
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
    setup_test_component_platform,
)

from custom_components.home_miner_manager.const import (
    CONF_PRICE_ENTITY,
    CONF_PRICE_SOURCE,
    DOMAIN,
)
from hmm_sim.base import Simulator

from .conftest import BITAXE_UID, HubFactory, closed_port, miner_subentry
from .test_entities import sync_sim_clock

UK = ZoneInfo("Europe/London")
STEM = "octopus_energy_electricity_21l1234567_1200012345678"
CURRENT_DAY = f"event.{STEM}_current_day_rates"
NEXT_DAY = f"event.{STEM}_next_day_rates"
CURRENT_RATE = f"sensor.{STEM}_current_rate"
TARIFF = "E-1R-AGILE-24-10-01-C"
SLOT = timedelta(minutes=30)


def entity_options(**extra: Any) -> dict[str, Any]:
    """Hub options with the Octopus entity as the price source."""
    return {
        CONF_PRICE_SOURCE: "octopus_entity",
        CONF_PRICE_ENTITY: CURRENT_DAY,
        **extra,
    }


def uk_midnight(moment: datetime | None = None, days: int = 0) -> datetime:
    """Midnight (UK) of ``moment``'s UK day plus ``days``, as a UK-local datetime."""
    local = (moment or dt_util.utcnow()).astimezone(UK)
    day = local.date() + timedelta(days=days)
    return datetime(day.year, day.month, day.day, tzinfo=UK)


def rate_items(
    start: datetime, prices_pence: Sequence[float], *, iso: bool = False
) -> list[dict[str, Any]]:
    """``rates`` items from ``start`` (UK), one per price, as the integration has them."""
    items = []
    for i, pence in enumerate(prices_pence):
        begin = (start.astimezone(dt_util.UTC) + i * SLOT).astimezone(UK)
        end = (begin.astimezone(dt_util.UTC) + SLOT).astimezone(UK)
        items.append(
            {
                "start": begin.isoformat() if iso else begin,
                "end": end.isoformat() if iso else end,
                "value_inc_vat": round(pence / 100, 6),
                "is_capped": False,
            }
        )
    return items


def day_attributes(items: list[dict[str, Any]], tariff: str = TARIFF) -> dict[str, Any]:
    """The event entity's attributes for these rate items."""
    values = [item["value_inc_vat"] for item in items]
    return {
        "rates": items,
        "min_rate": min(values) if values else None,
        "max_rate": max(values) if values else None,
        "average_rate": sum(values) / len(values) if values else None,
        "mpan": "1200012345678",
        "serial_number": "21L1234567",
        "tariff_code": tariff,
    }


def set_day(
    hass: HomeAssistant,
    prices_pence: Sequence[float],
    *,
    start: datetime | None = None,
    iso: bool = False,
    entity_id: str = CURRENT_DAY,
) -> None:
    """Publish a day of rates (from today's UK midnight unless ``start``)."""
    items = rate_items(start or uk_midnight(), prices_pence, iso=iso)
    hass.states.async_set(
        entity_id, dt_util.utcnow().isoformat(), day_attributes(items)
    )


def flat_day(pence: float, slots: int = 48) -> list[float]:
    """One price all day."""
    return [pence] * slots


def slot_index(moment: datetime | None = None) -> int:
    """Index of the slot holding ``moment`` in its UK day."""
    moment = moment or dt_util.utcnow()
    return int((moment - uk_midnight(moment).astimezone(dt_util.UTC)) / SLOT)


class SmartPlug(SwitchEntity):
    """The smart plug a miner hangs on: off stops its simulator, on starts it again."""

    _attr_should_poll = False

    def __init__(self, name: str, sim: Simulator) -> None:
        """Start on (the miner runs)."""
        self._attr_name = name
        self._attr_is_on = True
        self.sim = sim
        self.calls: list[str] = []

    async def async_turn_on(self, **kwargs: Any) -> None:
        """Power the miner."""
        self.calls.append("on")
        await self.sim.start()  # same port, same settings
        self._attr_is_on = True
        self.async_write_ha_state()

    async def async_turn_off(self, **kwargs: Any) -> None:
        """Cut the miner's power."""
        self.calls.append("off")
        await self.sim.stop()
        self._attr_is_on = False
        self.async_write_ha_state()


async def add_plugs(hass: HomeAssistant, *plugs: SmartPlug) -> None:
    """Load the ``switch`` component with these plugs (before the hub)."""
    setup_test_component_platform(hass, "switch", list(plugs))
    assert await async_setup_component(
        hass, "switch", {"switch": [{"platform": "test"}]}
    )
    await hass.async_block_till_done()


def pool_subentry(
    coin: str, port: int, *, priority: int = 0, enabled: bool = True
) -> ConfigSubentryData:
    """A pool subentry as the pools flow stores it (nothing listens there)."""
    return ConfigSubentryData(
        data={
            "name": f"{coin} pool {port}",
            "url": "127.0.0.1",
            "port": port,
            "user": "bc1qexampleaddress",
            "password": "x",
            "coin": coin,
            "priority": priority,
            "enabled": enabled,
        },
        subentry_type="pool",
        title=f"{coin} pool {port}",
        unique_id=f"127.0.0.1:{port}:bc1qexampleaddress",
    )


def entity_id(hass: HomeAssistant, domain: str, unique_id: str) -> str:
    """The entity id registered for a unique id of this integration."""
    found = er.async_get(hass).async_get_entity_id(domain, DOMAIN, unique_id)
    assert found is not None, unique_id
    return found


HUB_ID = "01HMMHUBENTRY0000000000000"


def plugged_bitaxe(sim: Simulator) -> ConfigSubentryData:
    """The Bitaxe simulator's subentry, on its smart plug ``switch.bitaxe_plug``."""
    return miner_subentry(
        sim,
        "bitaxe",
        title="Bitaxe",
        unique_id=BITAXE_UID,
        power_switch="switch.bitaxe_plug",
    )


async def plugged_hub_with(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    sim: Simulator,
    plug: SmartPlug,
    pools: Iterable[ConfigSubentryData],
    **options: Any,
) -> MockConfigEntry:
    """The hub with the Bitaxe on ``plug`` and ``pools``; the Octopus entity's prices."""
    await add_plugs(hass, plug)
    sync_sim_clock(sim)
    return await setup_hub(
        [plugged_bitaxe(sim), *pools], options=entity_options(**options)
    )


async def two_plugged_bitaxes(
    hass: HomeAssistant, setup_hub: HubFactory, first: Simulator, second: Simulator
) -> tuple[MockConfigEntry, list[SmartPlug]]:
    """The hub with Bitaxes "One" and "Two", each on its own plug, and coin pools."""
    plugs = [SmartPlug("Plug one", first), SmartPlug("Plug two", second)]
    await add_plugs(hass, *plugs)
    entry = await setup_hub(
        [
            *(
                miner_subentry(
                    sim,
                    "bitaxe",
                    title=title,
                    unique_id=f"mac:{title.lower()}",
                    power_switch=f"switch.plug_{title.lower()}",
                )
                for sim, title in ((first, "One"), (second, "Two"))
            ),
            *(pool_subentry(coin, closed_port()) for coin in ("DGB", "BCH", "BTC")),
        ],
        options=entity_options(),
    )
    return entry, plugs


async def set_switch(hass: HomeAssistant, unique_id: str, on: bool = True) -> None:
    """Turn one of the integration's switches on or off, and let it act."""
    await hass.services.async_call(
        "switch",
        "turn_on" if on else "turn_off",
        {"entity_id": entity_id(hass, "switch", unique_id)},
        blocking=True,
    )
    await hass.async_block_till_done(wait_background_tasks=True)


async def start_strategy(hass: HomeAssistant) -> None:
    """Enrol the Bitaxe, then switch the strategy on."""
    await set_switch(hass, f"{BITAXE_UID}_strategy_enrolled")
    await set_switch(hass, f"{HUB_ID}_agile_strategy")


async def move_to(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, when: str
) -> None:
    """Move the clock to ``when`` and let the timers due run."""
    freezer.move_to(dt_util.parse_datetime(when))
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)
