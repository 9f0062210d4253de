"""The Assist tools (read-only): gather the hub's runtime state, answer in dicts.

Each tool turns what the hub holds now (coordinators, the strategy coordinator,
prices, health scores) or reads from the database (off the event loop) into
the plain inputs of :mod:`.answers`. No tool changes anything.
"""

from __future__ import annotations

from abc import abstractmethod
from datetime import datetime, time, tzinfo
from functools import partial
from typing import TYPE_CHECKING, Any

from homeassistant.helpers import llm
from homeassistant.util import dt as dt_util
import voluptuous as vol

from ..const import (
    CONF_WHEN_PRICE_UNKNOWN,
    DEFAULT_WHEN_PRICE_UNKNOWN,
    POOL_COINS,
)
from ..db.cost_rows import energy_cost
from ..db.exceptions import DatabaseError
from ..db.share_rows import leaderboard
from ..prices.units import minor_per_major
from ..strategy.outlook import plan_periods
from .answers import (
    CostLine,
    PlanFacts,
    ShareLine,
    cost_answer,
    find_miner,
    fleet_answer,
    leaderboard_answer,
    miner_status,
    plan_answer,
    reason_answer,
)
from .facts import hysteresis, miner_facts, strategy_reason
from .periods import PERIODS, PeriodError, period_days

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant
    from homeassistant.util.json import JsonObjectType

    from ..data import HMMConfigEntry
    from ..miner.coordinator import MinerCoordinator

MINER = "miner"
# The error text may name the database server: it is not passed on.
DATABASE_UNAVAILABLE: dict[str, Any] = {
    "error": "database_unavailable",
    "message": "The miners' database cannot be read right now; try again later.",
}


class HubTool(llm.Tool):
    """A tool reading one hub entry; arguments are checked before answering."""

    def __init__(self, entry: HMMConfigEntry) -> None:
        """Answer from ``entry``'s runtime data."""
        self.entry = entry

    async def async_call(
        self,
        hass: HomeAssistant,
        tool_input: llm.ToolInput,
        llm_context: llm.LLMContext,
    ) -> JsonObjectType:
        """Check the arguments, then answer."""
        try:
            args = self.parameters(self.normalise(dict(tool_input.tool_args or {})))
        except vol.Invalid as err:
            return {"error": "invalid_arguments", "message": str(err)}
        return await self.async_answer(hass, args)

    def normalise(self, args: dict[str, Any]) -> dict[str, Any]:
        """Tidy what a model sends before the check (nothing by default)."""
        return args

    @abstractmethod
    async def async_answer(
        self, hass: HomeAssistant, args: dict[str, Any]
    ) -> dict[str, Any]:
        """Return the answer for checked ``args``."""
        raise NotImplementedError

    def find(self, wanted: str) -> tuple[MinerCoordinator | None, dict[str, Any]]:
        """Return the miner a name means, else the answer listing known names."""
        by_name = {c.name: c for c in self.entry.runtime_data.coordinators.values()}
        lookup = find_miner(wanted, by_name)
        if lookup.name is None:
            return None, lookup.answer or {}
        return by_name[lookup.name], {}


class FleetStatusTool(HubTool):
    """Every miner's state now (or one miner's)."""

    name = "get_miner_fleet_status"
    description = (
        "Status of the home crypto miners now: per miner its status, hashrate "
        "(TH/s), temperature, power (W), mode, pool name and health score "
        "(0-100), and fleet totals. Give 'miner' for one miner only."
    )
    parameters = vol.Schema({vol.Optional(MINER): str})

    async def async_answer(
        self, hass: HomeAssistant, args: dict[str, Any]
    ) -> dict[str, Any]:
        """Return the fleet, or the one miner asked for."""
        hub = self.entry.runtime_data
        if MINER in args:
            coordinator, answer = self.find(args[MINER])
            if coordinator is None:
                return answer
            return miner_status(miner_facts(hub, coordinator))
        return fleet_answer([miner_facts(hub, c) for c in hub.coordinators.values()])


class PricePlanTool(HubTool):
    """The price outlook and what the strategy will do, period by period."""

    name = "get_mining_price_plan"
    description = (
        "Electricity price outlook (per kWh in the tariff's price_unit, slot by "
        "slot) and "
        "the Agile strategy's plan: the price band in effect now and, for every "
        "upcoming period of known prices, its band and what enrolled miners "
        "will do (coin and mode, or off), hysteresis included."
    )

    async def async_answer(
        self, hass: HomeAssistant, args: dict[str, Any]
    ) -> dict[str, Any]:
        """Replay the known prices through the strategy's decision."""
        hub = self.entry.runtime_data
        runner = hub.strategy
        if not hub.prices.configured:
            return plan_answer(PlanFacts(False, False, ()), (), _zone())
        options = self.entry.options
        when_unknown = str(
            options.get(CONF_WHEN_PRICE_UNKNOWN, DEFAULT_WHEN_PRICE_UNKNOWN)
        )
        periods = plan_periods(
            hub.prices.slots,
            runner.bands,
            runner.state,
            dt_util.utcnow(),
            hysteresis_slots=hysteresis(self.entry),
            when_price_unknown=when_unknown,
        )
        decision = runner.decision
        facts = PlanFacts(
            strategy_configured=True,
            strategy_enabled=runner.enabled,
            enrolled=[
                c.name
                for c in hub.coordinators.values()
                if c.miner_id in runner.enrolled
            ],
            band=decision.band if decision else None,
            decision_reason=decision.reason.value if decision else None,
            price_pence=decision.price_pence if decision else None,
            price_unit=hub.prices.price_unit,
            hysteresis_slots=hysteresis(self.entry),
            when_price_unknown=when_unknown,
        )
        return plan_answer(facts, periods, _zone())


def _zone() -> tzinfo:
    return dt_util.get_default_time_zone()


class MinerReasonTool(HubTool):
    """Why one miner is on or off."""

    name = "explain_miner_state"
    description = (
        "Explain why a miner is on or off (mining or not): the Agile strategy's "
        "reason (strategy off, not enrolled, price band, waiting for cheaper "
        "slots, rate limited, benched by the champion, price unknown, managed "
        "externally), the miner's own state (unreachable, refused, off by "
        "strategy...) and when the band changes next."
    )
    parameters = vol.Schema({vol.Required(MINER): str})

    async def async_answer(
        self, hass: HomeAssistant, args: dict[str, Any]
    ) -> dict[str, Any]:
        """Answer for the miner named."""
        coordinator, answer = self.find(args[MINER])
        if coordinator is None:
            return answer
        hub = self.entry.runtime_data
        configured = hub.prices.configured
        why = strategy_reason(hub.strategy if configured else None, coordinator)
        unit = hub.prices.price_unit if configured else "p/kWh"
        return reason_answer(miner_facts(hub, coordinator), why, _zone(), unit)


class EnergyCostTool(HubTool):
    """Electricity cost per miner and in total over a period."""

    name = "get_mining_energy_cost"
    description = (
        "Electricity used (kWh) and its cost (in the answer's currency, at each "
        "slot's price) per "
        "miner and in total for today, yesterday, this_month, last_month or a "
        "range of days (start_date and end_date as YYYY-MM-DD, inclusive). "
        "Give 'miner' for one miner only."
    )
    parameters = vol.Schema(
        {
            vol.Optional("period", default="today"): vol.In(list(PERIODS)),
            vol.Optional("start_date"): str,
            vol.Optional("end_date"): str,
            vol.Optional(MINER): str,
        }
    )

    async def async_answer(
        self, hass: HomeAssistant, args: dict[str, Any]
    ) -> dict[str, Any]:
        """Read the period's telemetry and prices (in the database's executor)."""
        hub = self.entry.runtime_data
        coordinators = list(hub.coordinators.values())
        if MINER in args:
            coordinator, answer = self.find(args[MINER])
            if coordinator is None:
                return answer
            coordinators = [coordinator]
        now = dt_util.now()
        try:
            first, after = period_days(
                args["period"], now.date(), args.get("start_date"), args.get("end_date")
            )
        except PeriodError as err:
            return {"error": "invalid_period", "message": str(err)}
        zone = _zone()
        start = datetime.combine(first, time(), zone)
        end = min(datetime.combine(after, time(), zone), now)
        configured = hub.prices.configured
        region = hub.prices.region if configured else None
        currency = hub.prices.currency if configured else "GBP"
        ids = [c.miner_id for c in coordinators]
        try:
            await hub.database.async_flush()
            costs = await hub.database.async_run(
                partial(
                    energy_cost,
                    miner_ids=ids,
                    start=start,
                    end=end,
                    region=region,
                    minor_per_major=minor_per_major(currency),
                )
            )
        except DatabaseError:
            return dict(DATABASE_UNAVAILABLE)
        lines = [
            CostLine(c.name, cost.kwh, cost.cost, cost.unpriced_kwh)
            for c in coordinators
            if (cost := costs.get(c.miner_id)) is not None
        ]
        return cost_answer(lines, start, end, zone, currency)


class LeaderboardTool(HubTool):
    """The best shares the miners found."""

    name = "get_best_share_leaderboard"
    description = (
        "The best shares (highest difficulty) found by the miners, best first: "
        "miner, coin, pool name, difficulty, whether it solved a block, when."
    )
    parameters = vol.Schema(
        {
            vol.Optional("count", default=10): vol.All(
                vol.Coerce(int), vol.Range(min=1, max=50)
            ),
            # Upper-cased before the check (a "format" confuses some models).
            vol.Optional("coin"): vol.In([*POOL_COINS, "UNKNOWN"]),
            vol.Optional("days", default=90): vol.All(
                vol.Coerce(int), vol.Range(min=1, max=3650)
            ),
        }
    )

    def normalise(self, args: dict[str, Any]) -> dict[str, Any]:
        """Accept a coin in any case."""
        if isinstance(coin := args.get("coin"), str):
            args["coin"] = coin.strip().upper()
        return args

    async def async_answer(
        self, hass: HomeAssistant, args: dict[str, Any]
    ) -> dict[str, Any]:
        """Read the leaderboard (in the database's executor)."""
        database = self.entry.runtime_data.database
        try:
            entries = await database.async_run(
                partial(
                    leaderboard,
                    now=dt_util.utcnow(),
                    count=args["count"],
                    coin=args.get("coin"),
                    days=args["days"],
                )
            )
        except DatabaseError:
            return dict(DATABASE_UNAVAILABLE)
        shares = [
            ShareLine(
                miner=e.miner_name,
                coin=e.coin,
                pool=e.pool_name,
                difficulty=e.difficulty,
                network_difficulty=e.network_difficulty,
                block=e.was_block_solve,
                timestamp=dt_util.as_utc(e.timestamp),
            )
            for e in entries
        ]
        return leaderboard_answer(shares, args["days"], _zone())


TOOLS: tuple[type[HubTool], ...] = (
    FleetStatusTool,
    PricePlanTool,
    MinerReasonTool,
    EnergyCostTool,
    LeaderboardTool,
)
