"""What the Assist tools answer, as plain dicts from plain data (no Home Assistant).

Only names the user chose (miners, pools), figures and states go out: never
a host, port, URL, pool user, wallet, password or token. Times are ISO 8601
in the zone the caller passes (Home Assistant's).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from ..devices.types import MinerType
from ..strategy.bands import MANAGED_EXTERNALLY
from ..strategy.describe import band_name
from ..strategy.reason import StrategyReason

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence
    from datetime import datetime, tzinfo

    from ..strategy.bands import Band
    from ..strategy.outlook import PlannedPeriod
    from ..strategy.reason import MinerReason

FAMILY: Final = {
    MinerType.BITAXE: "Bitaxe",
    MinerType.NERDQAXE: "NerdQAxe",
    MinerType.AVALON_NANO: "Avalon Nano",
    MinerType.NMMINER: "NMMiner",
}
STATUS_TEXT: Final = {
    "mining": "It is mining.",
    "idle": "It answers but is not hashing.",
    "connecting": "It has not answered yet since Home Assistant started.",
    "calibrating": "It is calibrating (auto-tuning) and not hashing yet.",
    "unreachable": "It does not answer (unreachable).",
    "refused": "It refuses the connection.",
    "polling_paused": "Polling is paused for it, so its state is not known.",
    "off_by_strategy": "It is switched off: the strategy turned its power off.",
}


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


def _iso(moment: datetime | None, zone: tzinfo) -> str | None:
    return None if moment is None else moment.astimezone(zone).isoformat()


# -- miners by name --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MinerLookup:
    """The miner a name given by the user means, or the answer saying why none."""

    name: str | None
    answer: dict[str, Any] | None = None


def find_miner(wanted: str, names: Iterable[str]) -> MinerLookup:
    """Match a miner name forgivingly: case-insensitive, else a unique prefix."""
    known = sorted(names, key=str.casefold)
    key = wanted.strip().strip("\"'").casefold()
    exact = [name for name in known if name.casefold() == key]
    if len(exact) == 1:
        return MinerLookup(exact[0])
    prefixed = [name for name in known if key and name.casefold().startswith(key)]
    if len(prefixed) == 1:
        return MinerLookup(prefixed[0])
    if len(prefixed) > 1:
        return MinerLookup(
            None,
            {
                "error": "ambiguous_miner",
                "message": f"Several miners match {wanted!r}: "
                f"{', '.join(prefixed)}. Which one?",
                "matching_miners": prefixed,
            },
        )
    return MinerLookup(
        None,
        {
            "error": "unknown_miner",
            "message": f"There is no miner called {wanted!r}. Known miners: "
            f"{', '.join(known) if known else 'none'}.",
            "known_miners": known,
        },
    )


# -- fleet status ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MinerFacts:
    """One miner as the tools show it (a pool by its configured name only)."""

    name: str
    miner_type: str
    status: str  # MinerStatus value
    status_reason: str | None = None  # why it does not answer (a key)
    hashrate_ghs: float | None = None
    temperature_c: float | None = None
    power_w: float | None = None
    mode: str | None = None
    pool: str | None = None
    health: float | None = None


def miner_status(facts: MinerFacts) -> dict[str, Any]:
    """One miner's line of the fleet answer."""
    answer: dict[str, Any] = {
        "name": facts.name,
        "type": FAMILY.get(facts.miner_type, facts.miner_type),  # type: ignore[call-overload]
        "status": facts.status,
        "hashrate_th_s": _round(
            None if facts.hashrate_ghs is None else facts.hashrate_ghs / 1000, 3
        ),
        "temperature_c": _round(facts.temperature_c, 1),
        "power_w": _round(facts.power_w, 1),
        "mode": facts.mode,
        "pool": facts.pool,
        "health_score": _round(facts.health, 1),
    }
    if facts.status_reason:
        answer["not_answering_because"] = facts.status_reason
    return answer


def fleet_answer(miners: Sequence[MinerFacts]) -> dict[str, Any]:
    """Every miner, and the fleet's totals."""
    lines = [miner_status(facts) for facts in sorted(miners, key=_by_name)]
    hashrate = sum(f.hashrate_ghs or 0.0 for f in miners if f.status == "mining")
    power = sum(f.power_w or 0.0 for f in miners if f.power_w is not None)
    return {
        "miners": lines,
        "totals": {
            "miners": len(lines),
            "mining": sum(1 for f in miners if f.status == "mining"),
            "hashrate_th_s": round(hashrate / 1000, 3),
            "power_w": round(power, 1),
        },
    }


def _by_name(facts: MinerFacts) -> str:
    return facts.name.casefold()


# -- the plan ----------------------------------------------------------------------


def band_action(band: Band | None) -> str:
    """Say what enrolled miners do in ``band``."""
    if band is None:
        return "no band for this price: enrolled miners are off"
    if band.is_off:
        return (
            "enrolled miners are switched off (without a power switch: "
            "their lowest mode)"
        )
    modes = []
    for miner_type in (MinerType.BITAXE, MinerType.NERDQAXE, MinerType.AVALON_NANO):
        mode = band.mode_for(miner_type)
        shown = "left as it is" if mode == MANAGED_EXTERNALLY else f"{mode} mode"
        modes.append(f"{FAMILY[miner_type]} {shown}")
    text = f"enrolled miners mine {band.target_coin} ({', '.join(modes)})"
    if band.champion:
        text += (
            "; champion band: only the most efficient miner runs, at its lowest mode"
        )
    return text


def period_line(period: PlannedPeriod, zone: tzinfo, price_unit: str) -> dict[str, Any]:
    """One planned period of the outlook."""
    return {
        "start": _iso(period.start, zone),
        "end": _iso(period.end, zone),
        "band": band_name(period.band, price_unit) or "none",
        "coin": period.band.target_coin if period.band is not None else "OFF",
        "what_miners_do": band_action(period.band),
        "price_min_p_kwh": round(period.min_price, 2),
        "price_max_p_kwh": round(period.max_price, 2),
        "price_mean_p_kwh": round(period.mean_price, 2),
    }


@dataclass(frozen=True, slots=True)
class PlanFacts:
    """The strategy's state and the known prices, for the outlook."""

    strategy_configured: bool
    strategy_enabled: bool
    enrolled: Sequence[str]  # names of enrolled miners
    band: Band | None = None
    decision_reason: str | None = None
    price_pence: float | None = None  # minor unit of the prices' currency
    price_unit: str = "p/kWh"
    hysteresis_slots: int = 2
    when_price_unknown: str = "off"


def plan_answer(
    facts: PlanFacts,
    periods: Sequence[PlannedPeriod],
    zone: tzinfo,
) -> dict[str, Any]:
    """Return the price outlook and what the strategy will do, period by period."""
    if not facts.strategy_configured:
        return {
            "strategy": "not_configured",
            "message": "No electricity price source is set up, so there is no "
            "price outlook or plan. Choose one in the hub's options.",
        }
    slots = [price for period in periods for price in period.prices]
    answer: dict[str, Any] = {
        "strategy": "on" if facts.strategy_enabled else "off",
        "enrolled_miners": sorted(facts.enrolled, key=str.casefold),
        "price_unit": facts.price_unit,
        "now": {
            "price_per_kwh": _round(facts.price_pence, 2),
            "band": band_name(facts.band, facts.price_unit) or "none",
            "decision_reason": facts.decision_reason,
        },
        "hysteresis_slots": facts.hysteresis_slots,
        "when_price_unknown": facts.when_price_unknown,
        "periods": [period_line(period, zone, facts.price_unit) for period in periods],
        "prices_known_until": _iso(periods[-1].end, zone) if periods else None,
    }
    if slots:
        answer["price_range_per_kwh"] = {
            "min": round(min(slots), 2),
            "max": round(max(slots), 2),
            "mean": round(sum(slots) / len(slots), 2),
        }
    if not facts.strategy_enabled:
        answer["note"] = (
            "The strategy is off: this is what it would do; miners are left as "
            "they are."
        )
    if not periods:
        answer["note"] = "No price is known for the current slot."
    return answer


# -- why is a miner on or off -------------------------------------------------------


def _why_text(name: str, why: MinerReason, price_unit: str) -> str:
    band = band_name(why.band, price_unit) or "none"
    price = (
        f"{why.price_pence:g} {price_unit}"
        if why.price_pence is not None
        else "unknown"
    )
    texts = {
        StrategyReason.STRATEGY_OFF: "The Agile strategy is off (or has no price "
        f"source), so it does not switch {name} on or off.",
        StrategyReason.NOT_ENROLLED: f"{name} is not enrolled in the strategy, so "
        "the strategy leaves it alone.",
        StrategyReason.PRICE_UNKNOWN: "The price of the current slot is not known "
        "yet, so the strategy follows its 'when the price is unknown' setting "
        f"(band now: {band}).",
        StrategyReason.MANAGED_EXTERNALLY: f"Band {band} leaves {name} as it is "
        "(managed externally).",
        StrategyReason.BENCHED: f"Band {band} is a champion band: only the most "
        f"efficient miner runs, and {name} is benched (off).",
        StrategyReason.RATE_LIMITED: f"{name} already had 6 changes in the last "
        "hour: the strategy's next change waits.",
        StrategyReason.WAITING: f"The price ({price}) is in a cheaper band, but the "
        f"strategy waits for {why.slots_to_wait} more cheaper slot(s) before "
        f"moving (hysteresis); it stays in band {band}.",
        StrategyReason.OFF_PRICE: f"The price ({price}) is in band {band}: the "
        f"strategy switches {name} off.",
        StrategyReason.MINING: f"The price ({price}) is in band {band}: {name} "
        f"mines {why.band.target_coin if why.band else '?'}.",
    }
    text = texts[why.reason]
    if why.at_lowest_mode:
        text += f" {name} has no power switch, so it runs at its lowest mode instead."
    if why.cannot_turn_off:
        text += f" {name} can be neither switched off nor turned down: it mines on."
    return text


def reason_answer(
    facts: MinerFacts, why: MinerReason, zone: tzinfo, price_unit: str = "p/kWh"
) -> dict[str, Any]:
    """Why a miner is on or off: the strategy's reason and the miner's own state."""
    text = (
        f"{_why_text(facts.name, why, price_unit)} {STATUS_TEXT.get(facts.status, '')}"
    )
    if why.changes_at is not None:
        target = band_name(why.target_band, price_unit) or "none"
        text += f" With the known prices the band changes to {target} at "
        text += f"{_iso(why.changes_at, zone)}."
    answer: dict[str, Any] = {
        "miner": facts.name,
        "status": facts.status,
        "mining": facts.status == "mining",
        "reason": why.reason.value,
        "explanation": text.strip(),
        "band": band_name(why.band, price_unit),
        "price_per_kwh": _round(why.price_pence, 2),
        "price_unit": price_unit,
        "target_band": band_name(why.target_band, price_unit),
        "changes_at": _iso(why.changes_at, zone),
    }
    if why.slots_to_wait is not None:
        answer["cheaper_slots_to_wait"] = why.slots_to_wait
    if facts.status_reason:
        answer["not_answering_because"] = facts.status_reason
    return answer


# -- energy cost and best shares -------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CostLine:
    """One miner's energy and cost over the period."""

    name: str
    kwh: float
    cost: float  # major unit of the prices' currency
    unpriced_kwh: float = 0.0


def cost_answer(
    lines: Sequence[CostLine],
    start: datetime,
    end: datetime,
    zone: tzinfo,
    currency: str = "GBP",
) -> dict[str, Any]:
    """Energy and cost per miner and in total over [start, end)."""
    unpriced = sum(line.unpriced_kwh for line in lines)
    answer: dict[str, Any] = {
        "from": _iso(start, zone),
        "to": _iso(end, zone),
        "currency": currency,
        "miners": [
            {
                "name": line.name,
                "energy_kwh": round(line.kwh, 3),
                "cost": round(line.cost, 4),
            }
            for line in sorted(lines, key=lambda line: line.name.casefold())
        ],
        "total": {
            "energy_kwh": round(sum(line.kwh for line in lines), 3),
            "cost": round(sum(line.cost for line in lines), 4),
        },
    }
    if unpriced > 0:
        answer["unpriced_energy_kwh"] = round(unpriced, 3)
        answer["note"] = (
            "Some energy fell in slots without a stored price and is not in the cost."
        )
    return answer


@dataclass(frozen=True, slots=True)
class ShareLine:
    """One best share (the pool by its configured name)."""

    miner: str
    coin: str
    pool: str
    difficulty: float
    network_difficulty: float | None
    block: bool
    timestamp: datetime


def leaderboard_answer(
    shares: Sequence[ShareLine], days: int, zone: tzinfo
) -> dict[str, Any]:
    """Return the best shares, best first, and how many of them solved a block."""
    return {
        "days": days,
        "shares": [
            {
                "rank": rank,
                "miner": share.miner,
                "coin": share.coin,
                "pool": share.pool,
                "difficulty": share.difficulty,
                "network_difficulty": share.network_difficulty,
                "block": share.block,
                "when": _iso(share.timestamp, zone),
            }
            for rank, share in enumerate(shares, start=1)
        ],
        "blocks_found": sum(1 for share in shares if share.block),
    }
