"""Action ``home_miner_manager.simulate_strategy`` (response only).

Replays stored prices (default: the last 7 days) or given ones through the
same decision as the live strategy (``strategy.backtest``), with the current
bands and options, for the enrolled miners' recorded power per mode.

Slots keep their length (stored ones as the source had them: 15, 30 or 60
minutes; given numbers ``slot_minutes`` each, 30 by default; given items up
to their ``end`` or the next item's start). Prices are the hub's minor unit
per kWh; costs are in the prices' currency (``currency`` in the response).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Final

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import (
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    SupportsResponse,
    callback,
)
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import config_validation as cv
from homeassistant.util import dt as dt_util
import voluptuous as vol

from ..const import (
    CONF_HYSTERESIS_SLOTS,
    CONF_WHEN_PRICE_UNKNOWN,
    DEFAULT_HYSTERESIS_SLOTS,
    DEFAULT_WHEN_PRICE_UNKNOWN,
    DOMAIN,
)
from ..db.prices_rows import load_energy_prices
from ..db.strategy_rows import mode_power
from ..devices.types import AVALON_MODES, AXEOS_MODES, MinerType
from ..prices.octopus_entity import parse_time
from ..prices.slots import SLOT_LENGTH, PriceSlot
from ..prices.units import minor_per_major
from ..strategy.backtest import BacktestMiner, MinerResult, run_backtest
from ..strategy.describe import band_name

if TYPE_CHECKING:
    from ..agile.coordinator import StrategyCoordinator
    from ..data import HMMConfigEntry
    from ..miner.coordinator import MinerCoordinator

SERVICE_SIMULATE: Final = "simulate_strategy"
DEFAULT_PERIOD: Final = timedelta(days=7)
# Typical draw of each mode against the one measured, when a mode has no
# recorded power yet (AxeOS eco/standard/turbo/oc; Avalon low/med/high).
MODE_RATIOS: Final = {
    "eco": 0.75, "standard": 1.0, "turbo": 1.25, "oc": 1.5,
    "low": 0.6, "med": 1.0, "high": 1.4,
}  # fmt: skip
_PRICE_ITEM = vol.Any(
    vol.Coerce(float),
    vol.Schema(
        {
            vol.Required("start"): cv.string,
            vol.Optional("end"): cv.string,
            vol.Required("price"): vol.Coerce(float),
        }
    ),
)
SLOT_MINUTES: Final = (15, 30, 60)
SCHEMA: Final = vol.Schema(
    {
        vol.Optional("start"): cv.datetime,
        vol.Optional("end"): cv.datetime,
        vol.Optional("prices"): vol.All(cv.ensure_list, [_PRICE_ITEM]),
        vol.Optional("slot_minutes", default=30): vol.All(
            vol.Coerce(int), vol.In(SLOT_MINUTES)
        ),
    }
)


def _runner(hass: HomeAssistant) -> tuple[HMMConfigEntry, StrategyCoordinator]:
    for entry in hass.config_entries.async_entries(DOMAIN):
        if (
            entry.state is ConfigEntryState.LOADED
            and entry.runtime_data.prices.configured
        ):
            return entry, entry.runtime_data.strategy
    raise ServiceValidationError(
        translation_domain=DOMAIN, translation_key="simulate_no_prices"
    )


def _aware(moment: datetime) -> datetime:
    return dt_util.as_utc(
        moment
        if moment.tzinfo
        else moment.replace(tzinfo=dt_util.get_default_time_zone())
    )


def given_slots(
    items: list[Any], start: datetime, length: timedelta = SLOT_LENGTH
) -> list[PriceSlot]:
    """Slots from numbers (one per ``length`` from ``start``) or {start, price}.

    An item without ``end`` lasts until the next item's start (15-minute or
    hourly lists), the last one as long as the one before it.
    """
    begun: list[tuple[datetime, datetime | None, float]] = []
    for index, item in enumerate(items):
        if isinstance(item, dict):
            begin = parse_time(item["start"])
            if begin is None:
                continue
            end = parse_time(item["end"]) if "end" in item else None
            begun.append((begin, end, float(item["price"])))
        else:
            begin = start + index * length
            begun.append((begin, begin + length, float(item)))
    begun.sort(key=lambda b: b[0])
    slots: list[PriceSlot] = []
    for index, (begin, given_end, price) in enumerate(begun):
        end = given_end
        if end is None and index + 1 < len(begun):
            end = begun[index + 1][0]
        if end is None or end <= begin:
            end = begin + (slots[-1].end - slots[-1].start if slots else length)
        slots.append(PriceSlot(begin, end, price))
    return slots


def _modes(miner_type: str) -> tuple[str, ...]:
    if miner_type == MinerType.AVALON_NANO:
        return AVALON_MODES
    if miner_type == MinerType.NMMINER:
        return ("fixed",)
    return AXEOS_MODES


def backtest_miner(
    coordinator: MinerCoordinator, recorded: dict[str, float], has_switch: bool
) -> BacktestMiner | None:
    """Return a miner's draw per mode: recorded where known, else scaled."""
    miner_type = str(coordinator.miner_type)
    modes = _modes(miner_type)
    known = dict(recorded)
    if not known and coordinator.power_watts is not None:
        mode = coordinator.data.mode if coordinator.data is not None else None
        known[mode if mode in modes else modes[0]] = float(coordinator.power_watts)
    if not known:
        return None
    base_mode, base_w = next(iter(known.items()))
    base = base_w / MODE_RATIOS.get(base_mode, 1.0)
    power = {m: known.get(m, base * MODE_RATIOS.get(m, 1.0)) for m in modes}
    return BacktestMiner(
        name=coordinator.subentry.title,
        miner_type=miner_type,
        power_w=power,
        has_power_switch=has_switch,
    )


async def _async_simulate(call: ServiceCall) -> ServiceResponse:
    entry, runner = _runner(call.hass)
    length = timedelta(minutes=int(call.data.get("slot_minutes", 30)))
    if "prices" in call.data:  # given prices: from the start, one per slot
        start = _aware(call.data.get("start") or dt_util.start_of_local_day())
        given = given_slots(call.data["prices"], start, length)
        last = max((slot.end for slot in given), default=start)
        end = _aware(call.data.get("end") or last)
    else:
        end = _aware(call.data.get("end") or dt_util.utcnow())
        start = _aware(call.data.get("start") or end - DEFAULT_PERIOD)
    if end <= start:
        raise ServiceValidationError(
            translation_domain=DOMAIN, translation_key="simulate_invalid_period"
        )
    database = entry.runtime_data.database
    if "prices" in call.data:
        slots = [s for s in given if s.end > start and s.start < end]
    else:
        region = runner.prices.region
        slots = await database.async_run(
            lambda s: load_energy_prices(s, region, start, end)
        )
    if not slots:
        raise ServiceValidationError(
            translation_domain=DOMAIN, translation_key="simulate_no_prices"
        )
    enrolled = [
        c
        for c in entry.runtime_data.coordinators.values()
        if c.miner_id in runner.enrolled
    ]
    since = dt_util.utcnow() - timedelta(days=30)
    recorded = await database.async_run(
        lambda s: mode_power(s, [c.miner_id for c in enrolled], since)
    )
    miners = [
        m
        for c in enrolled
        if (
            m := backtest_miner(
                c, recorded.get(c.miner_id, {}), runner.has_power_switch(c)
            )
        )
    ]
    options = entry.options
    result = run_backtest(
        slots,
        runner.bands,
        miners,
        hysteresis_slots=int(
            options.get(CONF_HYSTERESIS_SLOTS, DEFAULT_HYSTERESIS_SLOTS)
        ),
        when_price_unknown=str(
            options.get(CONF_WHEN_PRICE_UNKNOWN, DEFAULT_WHEN_PRICE_UNKNOWN)
        ),
        minor_per_major=minor_per_major(runner.prices.currency),
    )
    by_id = {band.id: band for band in runner.bands}
    ordered = sorted(slots, key=lambda s: s.start)
    return {
        "slots": [
            {
                "start": slot.start.isoformat(),
                "price": slot.price_pence,
                "band": (
                    band_name(by_id.get(band_id), runner.prices.price_unit)
                    if band_id is not None
                    else None
                ),
            }
            for slot, band_id in zip(ordered, result.slot_band_ids, strict=False)
        ],
        "band_switches": result.band_switches,
        "currency": runner.prices.currency,
        "price_unit": runner.prices.price_unit,
        "miners": [
            {
                "name": m.name,
                "kwh": round(m.kwh, 4),
                "cost": round(m.cost, 4),
                "always_on_kwh": round(m.always_on_kwh, 4),
                "always_on_cost": round(m.always_on_cost, 4),
                "saving": round(m.saving, 4),
                "switches": m.switches,
                "hours_on": round(m.hours_on, 2),
                **_gbp_keys(runner.prices.currency, m),
            }
            for m in result.miners
        ],
    }


def _gbp_keys(currency: str, miner: MinerResult) -> dict[str, float]:
    """Return the response's first key names, kept for pound prices.

    Automations written before other tariffs read ``cost_gbp`` and friends;
    they stay for GBP, where they are still true.
    """
    if currency != "GBP":
        return {}
    return {
        "cost_gbp": round(miner.cost, 4),
        "always_on_cost_gbp": round(miner.always_on_cost, 4),
        "saving_gbp": round(miner.saving, 4),
    }


@callback
def async_setup_strategy_services(hass: HomeAssistant) -> None:
    """Register ``simulate_strategy`` (from ``async_setup``)."""
    hass.services.async_register(
        DOMAIN,
        SERVICE_SIMULATE,
        _async_simulate,
        schema=SCHEMA,
        supports_response=SupportsResponse.ONLY,
    )
