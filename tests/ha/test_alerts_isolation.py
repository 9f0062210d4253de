"""One bad miner never stops the alerts of the others; an offline miner refuses nothing."""

from __future__ import annotations

from datetime import timedelta
import importlib
import logging
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import Event, HomeAssistant
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import async_fire_time_changed

from custom_components.home_miner_manager.agile.miner_plan import MinerRunState
from custom_components.home_miner_manager.alerts import AlertType
from custom_components.home_miner_manager.monitor.alerts import EVENT_ALERT
from hmm_sim import AxeOSSimulator
from hmm_sim.faults import Fault
from tests.plugins.simulators import FAST

from .conftest import BITAXE_UID, NERDQAXE_UID, HubFactory, miner_subentry

evaluate_module = importlib.import_module(
    "custom_components.home_miner_manager.alerts.evaluate"
)


def _alerts(hass: HomeAssistant) -> list[tuple[str, str, str]]:
    fired: list[tuple[str, str, str]] = []

    def _listen(event: Event) -> None:
        fired.append((event.data["miner"], event.data["type"], event.data["state"]))

    hass.bus.async_listen(EVENT_ALERT, _listen)
    return fired


async def _advance(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, minutes: float
) -> None:
    """Let time pass in 30 s steps (every poll and every evaluation runs)."""
    for _ in range(int(minutes * 2)):
        freezer.tick(timedelta(seconds=30))
        async_fire_time_changed(hass)
        await hass.async_block_till_done(wait_background_tasks=True)


class _Strategy:
    """The Agile strategy's view: every command to every miner fails."""

    def __init__(self, broken_for: str | None = None) -> None:
        self.run = MinerRunState(last_error="Desk is not answering")
        self.broken_for = broken_for

    def miner_state(self, coordinator: Any) -> MinerRunState:
        if coordinator.name == self.broken_for:
            raise KeyError(coordinator.miner_id)  # a bug of its own
        return self.run

    def plant(self, entry: Any) -> None:
        """Have the hub's strategy (the one the alerts hold) answer as this one."""
        entry.runtime_data.strategy.miner_state = self.miner_state


async def test_an_offline_miner_is_not_a_refusal(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    axeos_sim: AxeOSSimulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    entry = await setup_hub(
        [miner_subentry(axeos_sim, "bitaxe", title="Desk", unique_id=BITAXE_UID)]
    )
    _Strategy().plant(entry)
    fired = _alerts(hass)
    await axeos_sim.set_fault(Fault.REFUSED)
    # The strategy's commands fail every minute while the miner is gone.
    await _advance(hass, freezer, 8)
    assert fired == [("Desk", "miner_offline", "fired")]


async def test_a_failing_miner_stops_no_other_and_is_logged_once(  # noqa: PLR0917  (pytest fixtures)
    hass: HomeAssistant,
    setup_hub: HubFactory,
    axeos_sim: AxeOSSimulator,
    freezer: FrozenDateTimeFactory,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    async with AxeOSSimulator("nerdqaxe_pp", **FAST) as other:
        await setup_hub(
            [
                miner_subentry(axeos_sim, "bitaxe", title="Bad", unique_id=BITAXE_UID),
                miner_subentry(other, "nerdqaxe", title="Good", unique_id=NERDQAXE_UID),
            ]
        )

        # Planted: the low-hashrate check divides by zero for one miner.
        def broken(m: Any, cfg: Any, entry: Any) -> Any:
            if m.miner.name == "Bad":
                raise ZeroDivisionError("float division by zero")
            return None

        checks = tuple(
            (kind, broken if kind is AlertType.LOW_HASHRATE else check)
            for kind, check in evaluate_module.CHECKS
        )
        monkeypatch.setattr(evaluate_module, "CHECKS", checks)
        fired = _alerts(hass)
        await other.set_fault(Fault.REFUSED)
        with caplog.at_level(logging.INFO):
            await _advance(hass, freezer, 8)
        assert fired == [("Good", "miner_offline", "fired")]
        failed = [r for r in caplog.records if "low_hashrate alert of Bad" in r.message]
        # Eight evaluations, one warning (with the traceback).
        assert [r.levelname for r in failed] == ["WARNING"]
        assert failed[0].exc_info is not None
        monkeypatch.undo()
        caplog.clear()
        with caplog.at_level(logging.INFO):
            await _advance(hass, freezer, 1)
        assert "The low_hashrate alert of Bad works again" in caplog.text


async def test_a_miner_whose_state_cannot_be_read_stops_no_other(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    axeos_sim: AxeOSSimulator,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    async with AxeOSSimulator("nerdqaxe_pp", **FAST) as other:
        entry = await setup_hub(
            [
                miner_subentry(axeos_sim, "bitaxe", title="Bad", unique_id=BITAXE_UID),
                miner_subentry(other, "nerdqaxe", title="Good", unique_id=NERDQAXE_UID),
            ]
        )
        strategy = _Strategy(broken_for="Bad")
        strategy.run = MinerRunState()
        strategy.plant(entry)
        fired = _alerts(hass)
        await other.set_fault(Fault.REFUSED)
        await _advance(hass, freezer, 8)
        assert fired == [("Good", "miner_offline", "fired")]
        assert caplog.text.count("Alerts of Bad failed") == 1


async def test_a_clock_set_back_leaves_no_samples_in_the_future(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    axeos_sim: AxeOSSimulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    entry = await setup_hub(
        [miner_subentry(axeos_sim, "bitaxe", title="Desk", unique_id=BITAXE_UID)]
    )
    fired = _alerts(hass)
    await _advance(hass, freezer, 10)
    freezer.move_to(dt_util.utcnow() - timedelta(hours=2))
    # Polls run on the loop's monotonic clock and go on after the jump.
    (coordinator,) = entry.runtime_data.coordinators.values()
    for _ in range(3):
        freezer.tick(timedelta(seconds=30))
        await coordinator.async_refresh()
        await hass.async_block_till_done()
    entry.runtime_data.alerts.async_evaluate()
    await hass.async_block_till_done()
    (tracked,) = entry.runtime_data.alerts._polls.tracked.values()
    stamps = [sample.timestamp for sample in tracked.samples]
    now = dt_util.utcnow().replace(tzinfo=None)
    # In order and none after now: the evaluator bisects them by time.
    assert stamps == sorted(stamps)
    assert stamps[-1] <= now
    assert len(stamps) == 3  # only the polls since the jump
    assert fired == []


async def test_a_miner_whose_polling_is_paused_is_not_offline(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    axeos_sim: AxeOSSimulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    await setup_hub(
        [
            miner_subentry(
                axeos_sim, "bitaxe", title="Desk", unique_id=BITAXE_UID, enabled=False
            )
        ]
    )
    fired = _alerts(hass)
    await axeos_sim.set_fault(Fault.REFUSED)
    await _advance(hass, freezer, 8)
    assert fired == []  # paused on purpose (README), not offline
