"""A pool switch is confirmed by host, port and user, not host:port alone.

Pools for several coins may share one stratum server: a miner still logged in
with another pool's wallet on that server has not switched yet.
"""

from __future__ import annotations

from homeassistant.core import HomeAssistant
import pytest

from hmm_sim import AxeOSSimulator
from hmm_sim.stratum import StratumPoolSimulator
from tests.plugins.simulators import wait_until

from .conftest import HubFactory, miner_subentry
from .test_pools import POOL_USER, pool_sim, pool_subentry

__all__ = ["pool_sim"]  # the fixture, imported for this module's tests

BCH_USER = "qbchsharedserverwallet"


@pytest.mark.parametrize("axeos_sim", ["bitaxe_v2_15"], indirect=True)
async def test_switch_waits_for_the_pools_user(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    axeos_sim: AxeOSSimulator,
    pool_sim: StratumPoolSimulator,
) -> None:
    entry = await setup_hub(
        [
            miner_subentry(axeos_sim, axeos_sim.miner_type, title="Desk"),
            pool_subentry(pool_sim),
            pool_subentry(pool_sim, "Solo BCH", user=BCH_USER, coin="BCH"),
        ]
    )
    await hass.services.async_call(
        "select",
        "select_option",
        {"entity_id": "select.desk_pool", "option": "Solo BTC"},
        blocking=True,
    )
    (coordinator,) = entry.runtime_data.coordinators.values()
    device = axeos_sim.device
    await wait_until(lambda: device.active_pool_address == f"127.0.0.1:{pool_sim.port}")
    assert device.pools[device.primary]["User"] == f"{POOL_USER}.Desk"
    # The same server and port, but still the BCH pool's wallet: not switched.
    device.pools[device.primary]["User"] = f"{BCH_USER}.Desk"
    await coordinator.async_refresh()
    await hass.async_block_till_done()
    assert coordinator.pool_watch is not None
    device.pools[device.primary]["User"] = f"{POOL_USER}.Desk"
    await coordinator.async_refresh()
    await hass.async_block_till_done()
    assert coordinator.pool_watch is None
