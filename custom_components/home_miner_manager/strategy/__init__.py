"""Agile Solo strategy as pure functions over plain data (issue #9).

No Home Assistant, no database, no clock: prices, bands, state and ``now``
are arguments; results are frozen dataclasses with ``to_dict``/``from_dict``.

Modules:

* :mod:`.bands` — ``Band`` (an AgileStrategyBand row plus ``champion``),
  ``default_bands()``, ``validate_bands(bands) -> list[BandIssue]`` (error
  keys), ``BandTable`` / ``band_for(bands, price)``, ``by_price`` ("dearer" =
  higher price, never ``sort_order``), ``champion_band_ids`` /
  ``with_champions`` (champion lives in state_data), ``COINS``,
  ``BAND_MODES``, ``LOWEST_MODE``, ``MANAGED_EXTERNALLY``.
* :mod:`.decide` — ``decide(slots, bands, state, now, hysteresis_slots=2,
  when_price_unknown="off") -> Decision`` (band, changed, reason, counter,
  next_change, ``state`` to store); ``StrategyState``; ``Market`` +
  ``decide_at`` for loops.
* :mod:`.plan` — ``plan_fleet(band, miners, now, histories, champion) ->
  FleetPlan`` and ``plan_miner(...)``: ``Command(action, value)`` per
  ``MinerView``; rate limit ``MAX_CHANGES_PER_HOUR``.
* :mod:`.view` — ``MinerView``: what the plan knows about one miner.
* :mod:`.champion` — ``ChampionState``, ``choose_champion``,
  ``record_champion_result(state, ok)``.
* :mod:`.backtest` — ``run_backtest(slots, bands, miners) -> BacktestResult``.
* :mod:`.state_data` — ``pack_state_data`` / ``unpack_state_data``: the
  ``AgileStrategy.state_data`` layout.
* :mod:`.outlook` — ``plan_periods(slots, bands, state, now, ...) ->
  list[PlannedPeriod]``: the known slots replayed through ``decide_at``
  (hysteresis included), as periods of one band.
* :mod:`.calendar_plan` — ``plan_events(periods, miners, pools, champion,
  unit) -> list[PlanEvent]``: the outlook's periods as the ``strategy_plan``
  calendar's events (what each enrolled miner does, estimated cost).
* :mod:`.reason` — ``miner_reason(ReasonInput) -> MinerReason``: why the
  strategy has a miner where it is (``StrategyReason``: the
  ``strategy_reason`` sensor's keys).
"""

from __future__ import annotations

from .bands import Band, BandIssue, default_bands, validate_bands
from .decide import Decision, Reason, StrategyState, WhenPriceUnknown, decide
from .plan import Command, FleetPlan, MinerPlan, plan_fleet
from .view import MinerView

__all__ = [
    "Band",
    "BandIssue",
    "Command",
    "Decision",
    "FleetPlan",
    "MinerPlan",
    "MinerView",
    "Reason",
    "StrategyState",
    "WhenPriceUnknown",
    "decide",
    "default_bands",
    "plan_fleet",
    "validate_bands",
]
