"""Energy cost over 15- and 60-minute price slots, in the prices' major unit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.orm import Session

from custom_components.home_miner_manager.db import Database
from custom_components.home_miner_manager.db.cost_rows import energy_cost
from custom_components.home_miner_manager.db.models import Telemetry
from custom_components.home_miner_manager.db.prices_rows import upsert_energy_prices
from custom_components.home_miner_manager.prices.slots import PriceSlot

from .conftest import add_miner

T0 = datetime(2026, 12, 4, 10, 0, tzinfo=UTC)
Q = timedelta(minutes=15)


def _one_kilowatt(session: Session, miner_id: int, minutes: int) -> None:
    """1 kW sampled every 5 minutes from T0 for ``minutes`` (and one more sample)."""
    session.add_all(
        Telemetry(
            miner_id=miner_id, timestamp=T0 + timedelta(minutes=m), power_watts=1000.0
        )
        for m in range(0, minutes + 1, 5)
    )


def test_quarter_hours_each_at_their_own_price(database: Database) -> None:
    """Half an hour at 1 kW across two quarter-hours at 10 and 30 c/kWh."""
    miner_id = add_miner(database)

    def fill(session: Session) -> None:
        _one_kilowatt(session, miner_id, 30)
        upsert_energy_prices(
            session,
            "Q",
            [PriceSlot(T0, T0 + Q, 10.0), PriceSlot(T0 + Q, T0 + 2 * Q, 30.0)],
        )

    database.run(fill)
    cost = database.run(lambda s: energy_cost(s, [miner_id], T0, T0 + 2 * Q, "Q"))[
        miner_id
    ]
    assert cost.kwh == pytest.approx(0.5)
    # Euros: 0.25 kWh x 0.10 + 0.25 kWh x 0.30 (not the whole half hour at 10 c).
    assert cost.cost == pytest.approx(0.25 * 0.10 + 0.25 * 0.30)
    assert cost.unpriced_kwh == 0.0


def test_hourly_slot_and_a_currency_without_minor_unit(database: Database) -> None:
    """An hour at 1 kW in one 60-minute slot of 30 JPY/kWh: 30 yen."""
    miner_id = add_miner(database)

    def fill(session: Session) -> None:
        _one_kilowatt(session, miner_id, 60)
        upsert_energy_prices(session, "X", [PriceSlot(T0, T0 + 4 * Q, 30.0)])

    database.run(fill)
    cost = database.run(
        lambda s: energy_cost(s, [miner_id], T0, T0 + 4 * Q, "X", minor_per_major=1)
    )[miner_id]
    assert cost.kwh == pytest.approx(1.0)
    assert cost.cost == pytest.approx(30.0)
