"""Alerts fed by pools and by the strategy: pool_failure, strategy_error, off on purpose."""

from __future__ import annotations

from typing import Any

from homeassistant.core import Event, HomeAssistant

from custom_components.home_miner_manager.agile.miner_plan import MinerRunState
from custom_components.home_miner_manager.monitor.alerts import EVENT_ALERT
from hmm_sim import AxeOSSimulator
from hmm_sim.faults import Fault
from hmm_sim.stratum import PoolMode, StratumPoolSimulator

from .conftest import BITAXE_UID, HubFactory, miner_subentry
from .test_pools import _mine_on, pool_subentry


def _alerts(hass: HomeAssistant) -> list[tuple[str, str]]:
    fired: list[tuple[str, str]] = []

    def _listen(event: Event) -> None:
        fired.append((event.data["type"], event.data["state"]))

    hass.bus.async_listen(EVENT_ALERT, _listen)
    return fired


class _Strategy:
    """Stands in for the Agile strategy: what it says about each miner."""

    def __init__(self) -> None:
        self.run = MinerRunState()

    def miner_state(self, coordinator: Any) -> MinerRunState:
        return self.run


async def test_pool_failure_fired_and_cleared(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    axeos_sim: AxeOSSimulator,
    socket_enabled: None,
) -> None:
    async with StratumPoolSimulator() as main:
        _mine_on(axeos_sim, main.port)
        entry = await setup_hub(
            [
                miner_subentry(axeos_sim, "bitaxe", title="Desk", unique_id=BITAXE_UID),
                pool_subentry(main, name="Main"),
            ]
        )
        fired = _alerts(hass)
        hub = entry.runtime_data
        (pool,) = hub.pools.values()
        assert pool.miners()  # the miner is on it

        async def check_and_evaluate() -> None:
            await pool.async_refresh()
            await hass.async_block_till_done(wait_background_tasks=True)
            hub.alerts.async_evaluate()
            await hass.async_block_till_done()

        await check_and_evaluate()
        assert fired == []
        await main.set_mode(PoolMode.REFUSE)
        await check_and_evaluate()
        assert fired == [("pool_failure", "fired")]
        await main.set_mode(PoolMode.NORMAL)
        await check_and_evaluate()
        assert fired == [("pool_failure", "fired"), ("pool_failure", "cleared")]


async def test_strategy_refusals_and_off_on_purpose(
    hass: HomeAssistant, setup_hub: HubFactory, axeos_sim: AxeOSSimulator
) -> None:
    entry = await setup_hub(
        [miner_subentry(axeos_sim, "bitaxe", title="Desk", unique_id=BITAXE_UID)]
    )
    hub = entry.runtime_data
    strategy = _Strategy()
    # The alerts hold the hub's strategy: it answers as this one.
    hub.strategy.miner_state = strategy.miner_state  # type: ignore[method-assign]
    fired = _alerts(hass)

    def evaluate() -> None:
        hub.alerts.async_evaluate()

    strategy.run.last_error = "Desk refused the mode: calibrating"
    evaluate()
    evaluate()
    await hass.async_block_till_done()
    assert fired == []  # two refusals in a row
    evaluate()
    await hass.async_block_till_done()
    assert fired == [("strategy_error", "fired")]
    strategy.run.last_error = None
    evaluate()
    await hass.async_block_till_done()
    assert fired[1:] == [("strategy_error", "cleared")]

    # Switched off by the strategy: silent for ever, never "offline".
    strategy.run.off_by_strategy = True
    await axeos_sim.set_fault(Fault.REFUSED)
    (tracked,) = hub.alerts._polls.tracked.values()
    tracked.last_seen = tracked.since = tracked.since.replace(year=2000)
    evaluate()
    await hass.async_block_till_done()
    assert ("miner_offline", "fired") not in fired
    strategy.run.off_by_strategy = False
    evaluate()
    await hass.async_block_till_done()
    assert fired[-1] == ("miner_offline", "fired")


async def test_expected_offline_miner_is_not_offline(
    hass: HomeAssistant, setup_hub: HubFactory, axeos_sim: AxeOSSimulator
) -> None:
    """The coordinator's own off-by-strategy flag silences miner_offline too."""
    entry = await setup_hub(
        [miner_subentry(axeos_sim, "bitaxe", title="Desk", unique_id=BITAXE_UID)]
    )
    hub = entry.runtime_data
    (coordinator,) = hub.coordinators.values()
    fired = _alerts(hass)
    coordinator.async_set_expected_offline(True)
    await axeos_sim.set_fault(Fault.REFUSED)
    (tracked,) = hub.alerts._polls.tracked.values()
    tracked.last_seen = tracked.since = tracked.since.replace(year=2000)
    hub.alerts.async_evaluate()
    await hass.async_block_till_done()
    assert fired == []
    coordinator.async_set_expected_offline(False)
    hub.alerts.async_evaluate()
    await hass.async_block_till_done()
    assert fired == [("miner_offline", "fired")]


async def test_alert_state_is_the_coordinators_data(
    hass: HomeAssistant, setup_hub: HubFactory, axeos_sim: AxeOSSimulator
) -> None:
    """An alert that opens changes the data, and listeners hear of it."""
    entry = await setup_hub(
        [miner_subentry(axeos_sim, "bitaxe", title="Desk", unique_id=BITAXE_UID)]
    )
    alerts = entry.runtime_data.alerts
    assert alerts is not None
    (coordinator,) = entry.runtime_data.coordinators.values()
    heard: list[list[str]] = []
    alerts.async_add_listener(
        lambda: heard.append(sorted(alerts.data.get(str(coordinator.miner_id), {})))
    )
    await axeos_sim.set_fault(Fault.REFUSED)
    (tracked,) = alerts._polls.tracked.values()
    tracked.last_seen = tracked.since = tracked.since.replace(year=2000)
    alerts.async_evaluate()
    await hass.async_block_till_done()
    assert heard == [["miner_offline"]]
