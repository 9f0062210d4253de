"""What one successful poll leaves in the database: a Telemetry row."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from datetime import datetime

    from .db import Database
    from .devices.snapshot import MinerSnapshot

# Keys a driver might put in ``extras`` that must never reach the database.
_SECRET_MARKERS = ("pass", "secret", "token", "cookie", "otp_code")


@lru_cache(maxsize=512)
def _storable_key(key: str) -> bool:
    # Drivers use a small set of keys: decide once per key, not per poll
    # (bounded, in case a device ever supplies key names of its own).
    return not any(marker in key.lower() for marker in _SECRET_MARKERS)


def telemetry_extras(snapshot: MinerSnapshot) -> dict[str, Any]:
    """Return the JSON ``data`` stored beside a Telemetry row (no secrets)."""
    extras: dict[str, Any] = {
        key: value
        for key, value in snapshot.extras.items()
        if isinstance(value, str | int | float | bool | None) and _storable_key(key)
    }
    extras.update(
        mode=snapshot.mode,
        best_difficulty=snapshot.best_difficulty,
        session_best_difficulty=snapshot.session_best_difficulty,
        uptime_seconds=snapshot.uptime_seconds,
        firmware_version=snapshot.firmware_version,
        model=snapshot.model,
        hashrate_ghs=snapshot.hashrate_ghs,
    )
    return extras


def queue_snapshot(
    database: Database,
    miner_id: int,
    snapshot: MinerSnapshot,
    *,
    when: datetime,
    manual_power_watts: int | None,
) -> None:
    """Queue one Telemetry row; power falls back to the user's estimate."""
    power = snapshot.power_watts
    if power is None and manual_power_watts is not None:
        power = float(manual_power_watts)
    database.queue_telemetry(
        miner_id,
        when,
        hashrate=snapshot.hashrate,
        hashrate_unit=snapshot.hashrate_unit,
        temperature=snapshot.temperature,
        power_watts=power,
        shares_accepted=snapshot.shares_accepted,
        shares_rejected=snapshot.shares_rejected,
        pool_in_use=snapshot.pool_in_use,
        data=telemetry_extras(snapshot),
    )
