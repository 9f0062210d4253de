"""Energy cost over a period: daily, hourly and raw telemetry, each counted once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from custom_components.home_miner_manager.db import Database
from custom_components.home_miner_manager.db.cost_rows import energy_cost
from custom_components.home_miner_manager.db.models import Telemetry
from custom_components.home_miner_manager.db.prices_rows import upsert_energy_prices
from custom_components.home_miner_manager.db.rollup_models import (
    TelemetryDaily,
    TelemetryHourly,
)
from custom_components.home_miner_manager.prices.slots import PriceSlot

from .conftest import add_miner

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
HALF = timedelta(minutes=30)
OLD_DAY = NOW.replace(hour=0) - timedelta(days=40)  # only its daily row is left
HOURLY_DAY = NOW.replace(hour=0) - timedelta(days=20)  # oldest hourly rows
YESTERDAY_10 = NOW - timedelta(days=1, hours=2)  # the newest rolled-up hour


def _slots(start: datetime, count: int, pence: float) -> list[PriceSlot]:
    return [
        PriceSlot(start + i * HALF, start + (i + 1) * HALF, pence) for i in range(count)
    ]


def _fill(session: Session, miner_id: int) -> None:
    session.add_all(
        [
            TelemetryDaily(miner_id=miner_id, period_start=OLD_DAY, energy_kwh=24.0),
            # Days also in hourly rows, and yesterday: never counted twice.
            TelemetryDaily(miner_id=miner_id, period_start=HOURLY_DAY, energy_kwh=99.0),
            TelemetryHourly(miner_id=miner_id, period_start=HOURLY_DAY, energy_kwh=1.0),
            # No stored price for this hour.
            TelemetryHourly(
                miner_id=miner_id,
                period_start=HOURLY_DAY + timedelta(hours=5),
                energy_kwh=0.5,
            ),
            TelemetryHourly(
                miner_id=miner_id, period_start=YESTERDAY_10, energy_kwh=1.0
            ),
        ]
    )
    # Raw samples: 1 kW from 10:00 to 12:00 yesterday; 10:00-11:00 is rolled up.
    session.add_all(
        Telemetry(
            miner_id=miner_id,
            timestamp=YESTERDAY_10 + timedelta(minutes=m),
            power_watts=1000.0,
        )
        for m in range(0, 125, 5)
    )
    upsert_energy_prices(session, "C", _slots(OLD_DAY, 48, 10.0))
    upsert_energy_prices(
        session,
        "C",
        [
            PriceSlot(HOURLY_DAY, HOURLY_DAY + HALF, 20.0),
            PriceSlot(HOURLY_DAY + HALF, HOURLY_DAY + 2 * HALF, 10.0),
        ],
    )
    upsert_energy_prices(session, "C", _slots(YESTERDAY_10, 2, 30.0))
    upsert_energy_prices(session, "C", _slots(YESTERDAY_10 + 2 * HALF, 6, 40.0))
    # Another region's price is never used.
    upsert_energy_prices(session, "A", _slots(YESTERDAY_10 + 2 * HALF, 6, 99.0))


def test_each_source_counted_once(database: Database) -> None:
    miner_id = add_miner(database)
    other = add_miner(database, "bitaxe-2")
    database.run(lambda s: _fill(s, miner_id))
    costs = database.run(lambda s: energy_cost(s, [miner_id, other], OLD_DAY, NOW, "C"))
    cost = costs[miner_id]
    raw_kwh = 70 / 60  # 11:00 to 12:00, and the last sample held 10 minutes
    assert cost.kwh == pytest_approx(24.0 + 1.0 + 0.5 + 1.0 + raw_kwh)
    assert cost.unpriced_kwh == pytest_approx(0.5)
    assert cost.cost == pytest_approx(
        24.0 * 0.10 + 1.0 * 0.15 + 1.0 * 0.30 + raw_kwh * 0.40
    )
    assert (costs[other].kwh, costs[other].cost) == (0.0, 0.0)
    # Today only: nothing (the raw samples are yesterday's).
    today = database.run(
        lambda s: energy_cost(s, [miner_id], NOW.replace(hour=0), NOW, "C")
    )
    assert today[miner_id].kwh == 0.0
    # Yesterday from 10:30: half of the rolled-up hour from raw samples.
    part = database.run(
        lambda s: energy_cost(
            s, [miner_id], YESTERDAY_10 + HALF, YESTERDAY_10 + 4 * HALF, "C"
        )
    )
    assert part[miner_id].kwh == pytest_approx(1.5)
    assert part[miner_id].cost == pytest_approx(0.5 * 0.30 + 1.0 * 0.40)


def pytest_approx(value: float) -> object:
    """Float comparison, a little slack for the databases' doubles."""
    import pytest  # noqa: PLC0415

    return pytest.approx(value, rel=1e-6, abs=1e-9)
