"""The measurements one poll changes share that poll's context (one cause).

Home Assistant links a new context to the first event fired in it, a reference
cycle only the garbage collector frees: one context per poll instead of one
per state write keeps that work to one cycle a poll (issue 15). Entities the
logbook shows (status, selects, the switch) keep contexts of their own.
"""

from __future__ import annotations

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import EVENT_STATE_CHANGED, STATE_UNAVAILABLE
from homeassistant.core import Event, EventStateChangedData, HomeAssistant, callback

from hmm_sim import AxeOSSimulator, Fault

from .conftest import HubFactory
from .test_entities import add_axeos, poll, state, sync_sim_clock


class Changes:
    """The Bitaxe's state changes, split into measurements and the others."""

    def __init__(self, hass: HomeAssistant) -> None:
        self.measurements: list[tuple[str, str]] = []  # (entity_id, context id)
        self.others: list[tuple[str, str]] = []
        hass.bus.async_listen(EVENT_STATE_CHANGED, self._changed)

    @callback
    def _changed(self, event: Event[EventStateChangedData]) -> None:
        new = event.data["new_state"]
        if new is None or "bitaxe" not in new.entity_id:
            return
        kind = self.measurements if "state_class" in new.attributes else self.others
        kind.append((new.entity_id, new.context.id))

    def take(self) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
        taken = (self.measurements, self.others)
        self.measurements, self.others = [], []
        return taken


async def test_a_polls_measurements_share_one_context(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    setup_hub: HubFactory,
    axeos_sim: AxeOSSimulator,
) -> None:
    """Each poll: one context for every measurement it changed, a new one next poll."""
    sync_sim_clock(axeos_sim)
    await add_axeos(setup_hub, axeos_sim)
    changes = Changes(hass)
    contexts: list[str] = []
    for _ in range(2):
        await poll(hass, freezer)
        measurements, _ = changes.take()
        assert len({entity_id for entity_id, _ in measurements}) >= 2
        (context,) = {context for _, context in measurements}
        contexts.append(context)
    assert contexts[0] != contexts[1]


async def test_logbook_entities_keep_their_own_context(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    setup_hub: HubFactory,
    axeos_sim: AxeOSSimulator,
) -> None:
    """A failed poll: measurements go unavailable in one context; the status,
    the selects and the switch each change in a context of their own."""
    sync_sim_clock(axeos_sim)
    await add_axeos(setup_hub, axeos_sim)
    changes = Changes(hass)
    await axeos_sim.set_fault(Fault.HTTP_500)
    await poll(hass, freezer)
    measurements, others = changes.take()
    assert state(hass, "sensor.bitaxe_hashrate") == STATE_UNAVAILABLE
    (shared,) = {context for _, context in measurements}
    assert "sensor.bitaxe_status" in {entity_id for entity_id, _ in others}
    other_contexts = [context for _, context in others]
    assert len(others) >= 2
    assert shared not in other_contexts
    assert len(set(other_contexts)) == len(other_contexts)
