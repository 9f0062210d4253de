"""Per-miner commands, the rate limit and champion bands (strategy/plan.py, champion.py)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from custom_components.home_miner_manager.devices.types import MinerType
from custom_components.home_miner_manager.strategy.bands import MANAGED_EXTERNALLY
from custom_components.home_miner_manager.strategy.champion import (
    MAX_FAILURES,
    ChampionState,
    choose_champion,
    record_champion_result,
)
from custom_components.home_miner_manager.strategy.plan import (
    MAX_CHANGES_PER_HOUR,
    Action,
    Command,
    PlanReason,
    plan_fleet,
    plan_miner,
)
from custom_components.home_miner_manager.strategy.view import MinerView

from .support import BANDS, BCH, OFF

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
BY_ID = {b.id: b for b in BANDS}
OFF_BAND, BCH_BAND = BY_ID[OFF], BY_ID[BCH]
ON = Command(Action.POWER_ON)
OFF_CMD = Command(Action.POWER_OFF)


def _miner(miner_type: str = MinerType.BITAXE, **kwargs: object) -> MinerView:
    defaults: dict[str, object] = {
        "miner_id": 1,
        "miner_type": miner_type,
        "has_power_switch": True,
        "powered": True,
        "mode": "standard",
        "pool_coin": "DGB",
    }
    defaults.update(kwargs)
    return MinerView(**defaults)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("miner", "commands", "reason"),
    [
        (_miner(powered=True), (OFF_CMD,), PlanReason.OFF),
        (_miner(powered=None), (OFF_CMD,), PlanReason.OFF),
        (_miner(powered=False), (), PlanReason.OFF),
        (
            _miner(has_power_switch=False),
            (Command(Action.SET_MODE, "eco"),),
            PlanReason.OFF,
        ),
        (_miner(has_power_switch=False, mode="eco"), (), PlanReason.OFF),
        (
            _miner(MinerType.AVALON_NANO, has_power_switch=False, mode="high"),
            (Command(Action.SET_MODE, "low"),),
            PlanReason.OFF,
        ),
        (
            _miner(MinerType.NMMINER, has_power_switch=False),
            (),
            PlanReason.CANNOT_TURN_OFF,
        ),
        (_miner(MinerType.NMMINER), (OFF_CMD,), PlanReason.OFF),
        (_miner(enrolled=False), (), PlanReason.NOT_ENROLLED),
        (_miner(managed_externally=True), (), PlanReason.MANAGED_EXTERNALLY),
    ],
)
def test_off_band(
    miner: MinerView, commands: tuple[Command, ...], reason: PlanReason
) -> None:
    for band in (OFF_BAND, None):  # None: off because the price is unknown
        plan = plan_miner(band, miner, NOW)
        assert (plan.commands, plan.reason) == (commands, reason)


@pytest.mark.parametrize(
    ("miner", "commands"),
    [
        (
            _miner(powered=False, mode="eco"),
            (ON, Command(Action.SET_POOL, "BCH"), Command(Action.SET_MODE, "oc")),
        ),
        (
            _miner(MinerType.NERDQAXE, powered=None),
            (ON, Command(Action.SET_POOL, "BCH")),  # nerdqaxe: standard already
        ),
        (
            _miner(MinerType.AVALON_NANO, has_power_switch=False, mode="low"),
            (Command(Action.SET_POOL, "BCH"), Command(Action.SET_MODE, "high")),
        ),
        (_miner(MinerType.NMMINER, mode=None), (Command(Action.SET_POOL, "BCH"),)),
        (_miner(pool_coin="BCH", mode="oc"), ()),
    ],
)
def test_active_band(miner: MinerView, commands: tuple[Command, ...]) -> None:
    plan = plan_miner(BCH_BAND, miner, NOW)
    assert plan.commands == commands
    assert plan.reason is (PlanReason.APPLY if commands else PlanReason.IN_PLACE)


def test_band_mode_managed_externally_leaves_that_type_alone() -> None:
    band = replace(BCH_BAND, bitaxe_mode=MANAGED_EXTERNALLY)
    assert plan_miner(band, _miner(), NOW).reason is PlanReason.MANAGED_EXTERNALLY
    assert plan_miner(band, _miner(), NOW).commands == ()
    avalon = plan_miner(band, _miner(MinerType.AVALON_NANO, mode="low"), NOW)
    assert Command(Action.SET_MODE, "high") in avalon.commands


def test_rate_limit_six_changes_per_hour() -> None:
    miner = _miner(powered=False)
    recent = [NOW - timedelta(minutes=m) for m in (1, 10, 20, 30, 40)]
    assert plan_miner(BCH_BAND, miner, NOW, recent).reason is PlanReason.APPLY
    sixth = [*recent, NOW - timedelta(minutes=59)]
    assert len(sixth) == MAX_CHANGES_PER_HOUR
    limited = plan_miner(BCH_BAND, miner, NOW, sixth)
    assert limited.reason is PlanReason.RATE_LIMITED
    assert limited.commands == ()
    assert limited.deferred[0] == ON
    # A change exactly an hour old has left the window.
    aged = [*recent, NOW - timedelta(hours=1)]
    assert plan_miner(BCH_BAND, miner, NOW, aged).commands
    # Switching off is never held back, and nothing to do is not limited.
    off = plan_miner(OFF_BAND, _miner(), NOW, sixth)
    assert off.reason is PlanReason.OFF
    assert off.commands
    assert plan_miner(OFF_BAND, _miner(), NOW, [*sixth, *recent]).commands
    in_place = _miner(pool_coin="BCH", mode="oc")
    assert plan_miner(BCH_BAND, in_place, NOW, sixth).reason is PlanReason.IN_PLACE


def _fleet() -> list[MinerView]:
    return [
        _miner(miner_id=1, efficiency_j_th=20.0),
        _miner(MinerType.AVALON_NANO, miner_id=2, efficiency_j_th=15.0, mode="med"),
        _miner(miner_id=3, efficiency_j_th=None, has_power_switch=False),
        _miner(miner_id=4, efficiency_j_th=1.0, enrolled=False),
        _miner(miner_id=5, efficiency_j_th=2.0, managed_externally=True),
    ]


def test_champion_band_runs_only_the_most_efficient() -> None:
    band = replace(BCH_BAND, champion=True)
    fleet = plan_fleet(band, _fleet(), NOW)
    assert fleet.champion.miner_id == 2
    assert fleet.champion.band_id == BCH
    plans = {p.miner_id: p for p in fleet.plans}
    assert plans[2].reason is PlanReason.CHAMPION
    assert plans[2].commands == (
        Command(Action.SET_POOL, "BCH"),
        Command(Action.SET_MODE, "low"),
    )
    assert plans[1].reason is PlanReason.BENCHED
    assert plans[1].commands == (OFF_CMD,)
    assert plans[3].commands == (Command(Action.SET_MODE, "eco"),)  # no switch: lowest
    assert plans[4].reason is PlanReason.NOT_ENROLLED
    assert plans[5].reason is PlanReason.MANAGED_EXTERNALLY


def test_champion_is_kept_for_the_spell_and_reset_outside() -> None:
    band = replace(BCH_BAND, champion=True)
    first = plan_fleet(band, _fleet(), NOW).champion
    better = [
        replace(m, efficiency_j_th=10.0) if m.miner_id == 1 else m for m in _fleet()
    ]
    assert plan_fleet(band, better, NOW, champion=first).champion.miner_id == 2
    outside = plan_fleet(BCH_BAND, better, NOW, champion=first)
    assert outside.champion == ChampionState()
    assert {p.reason for p in outside.plans} >= {PlanReason.APPLY}
    assert (
        plan_fleet(band, better, NOW, champion=outside.champion).champion.miner_id == 1
    )


def test_three_failures_promote_the_next() -> None:
    band = replace(BCH_BAND, champion=True)
    champion = plan_fleet(band, _fleet(), NOW).champion
    for _ in range(MAX_FAILURES - 1):
        champion = record_champion_result(champion, ok=False)
    assert champion.miner_id == 2
    champion = record_champion_result(champion, ok=True)
    assert champion.failures == 0
    for _ in range(MAX_FAILURES):
        champion = record_champion_result(champion, ok=False)
    assert champion.miner_id is None
    assert champion.demoted == (2,)
    promoted = plan_fleet(band, _fleet(), NOW, champion=champion)
    assert promoted.champion.miner_id == 1
    assert {p.miner_id: p.reason for p in promoted.plans}[1] is PlanReason.CHAMPION


def test_when_everyone_failed_start_over() -> None:
    champion = ChampionState(band_id=BCH, demoted=(1, 2, 3))
    chosen = choose_champion(BCH, _fleet(), champion)
    assert chosen.miner_id == 2
    assert chosen.demoted == ()
    assert choose_champion(BCH, [], ChampionState()).miner_id is None
    assert record_champion_result(ChampionState(), ok=False) == ChampionState()


def test_champion_state_round_trip() -> None:
    champion = ChampionState(band_id=4, miner_id=2, failures=1, demoted=(7, 9))
    assert ChampionState.from_dict(champion.to_dict()) == champion
    assert ChampionState.from_dict("junk") == ChampionState()
    damaged = ChampionState.from_dict(
        {"miner_id": "2", "failures": -1, "demoted": [1, "x"]}
    )
    assert damaged == ChampionState(demoted=(1,))
