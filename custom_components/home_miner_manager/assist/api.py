"""The ``home_miner_manager`` LLM API: registered while the hub entry is loaded.

A conversation agent offers it under "Control Home Assistant" (Settings →
Voice assistants). Its prompt names the miners so the model can match what
the user says; nothing else about them (no address, no pool user).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from homeassistant.core import callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import llm

from ..const import DOMAIN, HUB_DEVICE_NAME, LOGGER
from .tools import TOOLS

if TYPE_CHECKING:
    from homeassistant.core import CALLBACK_TYPE, HomeAssistant

    from ..data import HMMConfigEntry

API_ID: Final = DOMAIN
API_NAME: Final = HUB_DEVICE_NAME
PROMPT: Final = (
    "Home Miner Manager answers questions about the user's home crypto miners "
    "(Bitaxe, NerdQAxe, Avalon Nano, NMMiner): their status now, the "
    "electricity price outlook and the Agile strategy's plan, why a miner is "
    "on or off, the electricity cost of a period and the best-share "
    "leaderboard. The tools only read; they change nothing. Prices are per kWh "
    "in the price_unit each answer gives, costs in its currency, times in the "
    "home's time zone. A miner may "
    "be named by the start of its name."
)


@dataclass(slots=True, kw_only=True)
class MinerManagerAPI(llm.API):
    """Read-only tools over one hub entry."""

    entry: HMMConfigEntry

    async def async_get_api_instance(
        self, llm_context: llm.LLMContext
    ) -> llm.APIInstance:
        """Return the tools, and a prompt naming the miners."""
        names = sorted(
            (c.name for c in self.entry.runtime_data.coordinators.values()),
            key=str.casefold,
        )
        prompt = f"{PROMPT} Miners: {', '.join(names) if names else 'none yet'}."
        return llm.APIInstance(
            self, prompt, llm_context, [tool(self.entry) for tool in TOOLS]
        )


@callback
def async_register_llm_api(hass: HomeAssistant, entry: HMMConfigEntry) -> CALLBACK_TYPE:
    """Register the API; return what unregisters it (the entry's unload)."""
    try:
        return llm.async_register_api(
            hass, MinerManagerAPI(hass=hass, id=API_ID, name=API_NAME, entry=entry)
        )
    except HomeAssistantError:
        # Only one hub is allowed; never fail a set-up over the Assist tools.
        LOGGER.warning("The Home Miner Manager Assist API is already registered")
        return lambda: None
