"""Hourly health scores through Home Assistant: rows, the sensor, restore, strategy-off."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from homeassistant.const import STATE_UNAVAILABLE, STATE_UNKNOWN
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)
from sqlalchemy import update
from sqlalchemy.orm import Session

from custom_components.home_miner_manager.const import DOMAIN
from custom_components.home_miner_manager.db.base import to_naive_utc
from custom_components.home_miner_manager.db.models import (
    Event,
    HealthScore,
    Miner,
    Telemetry,
)
from custom_components.home_miner_manager.monitor.health import HealthCoordinator
from hmm_sim import AxeOSSimulator
from hmm_sim.faults import Fault

from .conftest import BITAXE_UID, HubFactory, miner_subentry, rows

SENSOR = "sensor.bitaxe_health"


async def _hub(setup_hub: HubFactory, sim: AxeOSSimulator) -> MockConfigEntry:
    return await setup_hub(
        [miner_subentry(sim, "bitaxe", title="Bitaxe", unique_id=BITAXE_UID)]
    )


async def _seed_day(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    *,
    online: list[tuple[float, float]],
    events: list[tuple[float, list[str]]] = (),  # type: ignore[assignment]
) -> None:
    """Age the miner two days; add 30 s telemetry for each (from_h, to_h) ago span."""
    database = entry.runtime_data.database
    (coordinator,) = entry.runtime_data.coordinators.values()
    miner_id = coordinator.miner_id
    now = to_naive_utc(dt_util.utcnow())
    await database.async_flush()

    def _write(session: Session) -> None:
        session.execute(
            update(Miner)
            .where(Miner.id == miner_id)
            .values(created_at=now - timedelta(days=2))
        )
        # Only the seeded day counts (the simulator's own first poll aside).
        session.query(Telemetry).delete()
        for start_h, end_h in online:
            at = now - timedelta(hours=start_h)
            accepted = 0
            while at <= now - timedelta(hours=end_h):
                accepted += 10
                session.add(
                    Telemetry(
                        miner_id=miner_id,
                        timestamp=at,
                        hashrate=500.0,
                        temperature=55.0,
                        shares_accepted=accepted,
                        shares_rejected=0,
                        data={"mode": "standard"},
                    )
                )
                at += timedelta(seconds=30)
        for hours_ago, commands in events:
            session.add(
                Event(
                    timestamp=now - timedelta(hours=hours_ago),
                    event_type="strategy_action",
                    source="agile_strategy",
                    message="test",
                    data={"miner_id": miner_id, "commands": commands},
                )
            )

    await database.async_run(_write)


async def _score_via_timer(hass: HomeAssistant) -> None:
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(hours=1, seconds=1))
    await hass.async_block_till_done(wait_background_tasks=True)


async def test_online_all_day_scores_high(
    hass: HomeAssistant, setup_hub: HubFactory, axeos_sim: AxeOSSimulator
) -> None:
    entry = await _hub(setup_hub, axeos_sim)
    # Nothing scored yet: the sensor exists but has no value.
    assert hass.states.get(SENSOR).state == STATE_UNKNOWN  # type: ignore[union-attr]
    await _seed_day(hass, entry, online=[(23.99, 0)])
    await entry.runtime_data.health.async_score_all()
    await hass.async_block_till_done()

    state = hass.states.get(SENSOR)
    assert state is not None
    assert float(state.state) >= 95
    assert state.attributes["unit_of_measurement"] == "%"
    assert state.attributes["uptime"] >= 95
    assert state.attributes["temperature"] is not None
    assert state.attributes["hashrate_stability"] >= 95
    assert state.attributes["reject_rate"] == 100
    (row,) = await rows(hass, entry, HealthScore)
    assert row.overall_score == float(state.state)
    assert row.details is not None
    assert row.details["interval_s"] == 30.0


async def test_offline_half_the_day_first_and_hourly_timers(
    hass: HomeAssistant, setup_hub: HubFactory, axeos_sim: AxeOSSimulator
) -> None:
    """No recent score at start: one after 5 minutes, then one every hour."""
    entry = await _hub(setup_hub, axeos_sim)
    await _seed_day(hass, entry, online=[(11.99, 0)])
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(minutes=5, seconds=1))
    await hass.async_block_till_done(wait_background_tasks=True)
    scores = await rows(hass, entry, HealthScore)
    assert len(scores) == 1
    assert 45 <= scores[0].uptime_score <= 55
    assert float(hass.states.get(SENSOR).state) < 90  # type: ignore[union-attr]
    await _score_via_timer(hass)
    assert len(await rows(hass, entry, HealthScore)) == 2


async def test_recent_stored_score_waits_for_the_hour(
    hass: HomeAssistant, setup_hub: HubFactory, axeos_sim: AxeOSSimulator
) -> None:
    """A score from the last hour is shown; nothing is recomputed at start."""
    entry = await _hub(setup_hub, axeos_sim)
    await _seed_day(hass, entry, online=[(23.99, 0)])
    await entry.runtime_data.health.async_score_all()
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(minutes=6))
    await hass.async_block_till_done(wait_background_tasks=True)
    assert len(await rows(hass, entry, HealthScore)) == 1
    assert float(hass.states.get(SENSOR).state) >= 95  # type: ignore[union-attr]


async def test_strategy_off_hours_are_not_downtime(
    hass: HomeAssistant, setup_hub: HubFactory, axeos_sim: AxeOSSimulator
) -> None:
    entry = await _hub(setup_hub, axeos_sim)
    # Off by the strategy from 12 h ago until 0.5 h ago; online otherwise.
    await _seed_day(
        hass,
        entry,
        online=[(23.99, 12.0), (0.49, 0)],
        events=[(12.0, ["power_off"]), (0.5, ["power_on", "set_mode:eco"])],
    )
    await entry.runtime_data.health.async_score_all()
    (row,) = await rows(hass, entry, HealthScore)
    assert row.uptime_score >= 90


async def test_new_miner_is_not_scored(
    hass: HomeAssistant, setup_hub: HubFactory, axeos_sim: AxeOSSimulator
) -> None:
    """A miner added a minute ago has no history to judge: no row, no state."""
    entry = await _hub(setup_hub, axeos_sim)
    await entry.runtime_data.health.async_score_all()
    assert await rows(hass, entry, HealthScore) == []
    assert hass.states.get(SENSOR).state == STATE_UNKNOWN  # type: ignore[union-attr]


async def test_stored_score_restored_at_start(
    hass: HomeAssistant, setup_hub: HubFactory, axeos_sim: AxeOSSimulator
) -> None:
    entry = await _hub(setup_hub, axeos_sim)
    (coordinator,) = entry.runtime_data.coordinators.values()
    when: datetime = to_naive_utc(dt_util.utcnow())
    values: dict[str, Any] = {
        "overall_score": 81.5,
        "uptime_score": 90.0,
        "temperature_score": None,
        "hashrate_score": 70.0,
        "reject_rate_score": 80.0,
    }
    for offset, overall in ((2, 10.0), (1, 81.5)):
        entry.runtime_data.database.queue_insert(
            HealthScore,
            miner_id=coordinator.miner_id,
            timestamp=when - timedelta(hours=offset),
            **{**values, "overall_score": overall},
        )
    await entry.runtime_data.database.async_flush()
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)

    state = hass.states.get(SENSOR)
    assert state is not None
    assert state.state == "81.5"
    assert state.attributes["temperature"] is None
    assert state.attributes["hashrate_stability"] == 70.0

    # A stored score stays shown while the miner is down.
    await axeos_sim.set_fault(Fault.HTTP_500)
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=31))
    await hass.async_block_till_done(wait_background_tasks=True)
    assert hass.states.get("sensor.bitaxe_hashrate").state == STATE_UNAVAILABLE  # type: ignore[union-attr]
    assert hass.states.get(SENSOR).state == "81.5"  # type: ignore[union-attr]


async def test_scores_are_coordinator_data_built_without_runtime_data(
    hass: HomeAssistant, setup_hub: HubFactory, axeos_sim: AxeOSSimulator
) -> None:
    """The database and the miners are all scoring needs; listeners hear each round."""
    entry = await _hub(setup_hub, axeos_sim)
    await _seed_day(hass, entry, online=[(23.99, 0)])
    hub = entry.runtime_data
    (coordinator,) = hub.coordinators.values()
    bare = MockConfigEntry(domain=DOMAIN)  # no runtime data to lean on
    health = HealthCoordinator(hass, bare, hub.database, hub.coordinators)
    heard: list[float] = []
    health.async_add_listener(
        lambda: heard.append(health.data[coordinator.miner_id]["overall_score"])
    )
    await health.async_score_all()
    assert len(heard) == 1
    assert heard[0] >= 95
    assert health.scores is health.data
