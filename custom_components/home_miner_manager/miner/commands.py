"""What a user (or an automation) asks of a miner, applied and audited.

Entities and actions call these; each one runs the driver command through the
error table (translated errors), writes an AuditLog row for success and for
failure, and keeps the Miner row in step.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any

from homeassistant.exceptions import ServiceValidationError
from homeassistant.util import dt as dt_util

from ..audit import async_actor, queue_audit
from ..const import (
    CONF_ENABLED,
    CONF_KEEP_USER,
    CONF_PASSWORD,
    CONF_PORT,
    CONF_URL,
    CONF_USER,
    DOMAIN,
)
from ..db.base import to_naive_utc
from ..db.miner_rows import update_miner
from ..devices.snapshot import PoolTarget
from ..errors import async_call_miner
from ..pools.url import parse_pool_url
from ..pools.worker import worker_user
from .pool_switch import PoolSwitchWatch

if TYPE_CHECKING:
    from collections.abc import Awaitable, Mapping

    from homeassistant.config_entries import ConfigSubentry

    from .coordinator import MinerCoordinator


def pool_target_data(data: Mapping[str, Any]) -> tuple[str, int, str, str]:
    """Return (host, port, user, password) of a pool subentry's data.

    What a miner is pointed at here, and what the pool checks and the
    ``pools`` rows read too.
    """
    return (
        str(data[CONF_URL]),
        int(data[CONF_PORT]),
        str(data[CONF_USER]),
        str(data.get(CONF_PASSWORD) or "x"),
    )


async def async_update_miner_row(coordinator: MinerCoordinator, **values: Any) -> None:
    """Update columns of the coordinator's Miner row (off the event loop)."""
    await coordinator.services.database.async_run(
        lambda session: update_miner(session, coordinator.miner_id, **values)
    )


async def async_set_polling_enabled(
    coordinator: MinerCoordinator, enabled: bool, *, user_id: str | None = None
) -> None:
    """Start or stop polling a miner; persist it in the subentry and Miner row."""
    if enabled == coordinator.polling_enabled:
        return
    coordinator.async_set_polling(enabled)
    queue_audit(
        coordinator.services.database,
        actor=await async_actor(coordinator.hass, user_id),
        action="miner_enabled" if enabled else "miner_disabled",
        resource_id=coordinator.miner_id,
        resource_name=coordinator.subentry.title,
        changes={CONF_ENABLED: {"old": not enabled, "new": enabled}},
    )
    coordinator.recorder.async_update_row(enabled=enabled)


async def async_set_mode(
    coordinator: MinerCoordinator, mode: str, *, user_id: str | None = None
) -> None:
    """Apply a mode on the device and record it."""
    if mode not in coordinator.driver.modes:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="unsupported_mode",
            translation_placeholders={
                "name": coordinator.subentry.title,
                "mode": mode,
                "modes": ", ".join(coordinator.driver.modes),
            },
        )
    await _async_audited(
        coordinator,
        "mode_changed",
        coordinator.driver.set_mode(mode),
        user_id,
        {"mode": mode},
    )
    coordinator.recorder.mark_mode(mode)
    # Neither the row nor a fresh poll is waited for: the strategy commands
    # a whole fleet at a slot boundary and each wait would add up.
    coordinator.recorder.async_update_row(
        current_mode=mode, last_mode_change=to_naive_utc(dt_util.utcnow())
    )
    coordinator.config_entry.async_create_background_task(
        coordinator.hass,
        coordinator.async_request_refresh(),
        f"{DOMAIN} refresh {coordinator.name}",
    )


async def async_restart(
    coordinator: MinerCoordinator, *, user_id: str | None = None
) -> None:
    """Restart the miner, then watch for it to come back."""
    await _async_audited(
        coordinator, "miner_restarted", coordinator.driver.restart(), user_id
    )
    coordinator.async_watch_restart()


async def async_switch_pool(
    coordinator: MinerCoordinator,
    pool: ConfigSubentry,
    *,
    user_id: str | None = None,
) -> None:
    """Point a miner at a configured pool, then check its polls show it.

    The worker is the pool user plus the miner's name (unless the pool keeps
    its user as entered, or the user already names a worker). A refusal (OTP,
    calibration, wrong web password) raises a translated error and changes
    nothing; a switch that never shows in the polls is reported by
    :class:`PoolSwitchWatch`.
    """
    host, port, user, password = pool_target_data(pool.data)
    target = PoolTarget(
        url=host,
        port=port,
        user=worker_user(
            user, coordinator.name, keep_user=bool(pool.data.get(CONF_KEEP_USER))
        ),
        password=password,
    )
    actor = await async_actor(coordinator.hass, user_id)
    await _async_audited(
        coordinator,
        "pool_switched",
        coordinator.driver.switch_pool(target),
        user_id,
        {"pool": pool.title},
    )
    if coordinator.pool_watch is not None:
        coordinator.pool_watch.cancel()
    coordinator.pool_watch = PoolSwitchWatch(
        coordinator.hass,
        coordinator,
        pool.title,
        parse_pool_url(host, port),
        user=target.user,
        actor=actor,
    )
    # Most firmware restarts to apply a pool: poll until it is back.
    coordinator.async_watch_restart()


async def _async_audited(
    coordinator: MinerCoordinator,
    action: str,
    command: Awaitable[None],
    user_id: str | None,
    changes: Mapping[str, Any] | None = None,
) -> None:
    """Run a driver command, audit it (success or failure), translate errors."""
    audit = partial(
        queue_audit,
        coordinator.services.database,
        actor=await async_actor(coordinator.hass, user_id),
        action=action,
        resource_id=coordinator.miner_id,
        resource_name=coordinator.subentry.title,
        changes=changes,
    )
    # A cancelled command (CancelledError is no Exception) is not audited.
    try:
        await async_call_miner(coordinator.subentry.title, command)
    except Exception as err:
        audit(status="failure", error_message=str(err.__cause__ or err))
        raise
    audit()
