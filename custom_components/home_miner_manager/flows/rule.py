"""The ``rule`` subentry flow: an automation rule, chosen by its trigger type.

First the trigger (a menu), then its settings with the rule's name, priority
and action type, then the action's settings. The rule runner
(``monitor/rules.py``) mirrors these subentries into ``automation_rules``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from homeassistant.config_entries import ConfigSubentryFlow, SubentryFlowResult
from homeassistant.helpers.selector import (
    BooleanSelector,
    EntitySelector,
    EntitySelectorConfig,
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    SelectOptionDict,
    TextSelector,
    TimeSelector,
)
import voluptuous as vol

from ..const import SUBENTRY_MINER, SUBENTRY_POOL
from ..devices.types import AVALON_MODES, AXEOS_MODES, MinerType
from .labels import async_option_label, dropdown, hub_price_unit

if TYPE_CHECKING:
    from ..data import HMMConfigEntry

TRIGGER_TYPES: Final = [
    "price_threshold",
    "time_window",
    "miner_offline",
    "miner_overheat",
    "pool_failure",
]
ACTION_TYPES: Final = [
    "apply_mode",
    "switch_pool",
    "alert",
    "log_event",
    "control_ha_entity",
]
PRICE_CONDITIONS: Final = ["below", "above", "between", "outside"]
# Which action fields each action needs.
ACTION_FIELDS: Final = {
    "apply_mode": ("miners", "mode"),
    "switch_pool": ("miners", "pool"),
    "alert": ("message",),
    "log_event": ("message",),
    "control_ha_entity": ("entity_id", "state"),
}


# The modes each miner type accepts (selector "mode" translates them).
MODES_BY_TYPE: Final[dict[str, tuple[str, ...]]] = {
    MinerType.BITAXE: AXEOS_MODES,
    MinerType.NERDQAXE: AXEOS_MODES,
    MinerType.AVALON_NANO: AVALON_MODES,
    MinerType.NMMINER: (),
}
# Agile prices run from about -20 to 100 p/kWh (the tariff's cap).
PRICE_MIN: Final = -100.0
PRICE_MAX: Final = 200.0
# Other tariffs' minor units: Amber's spikes reach thousands of cents, Nordic
# prices hundreds of öre, and currencies without a minor unit more still.
WIDE_PRICE_MIN: Final = -10000.0
WIDE_PRICE_MAX: Final = 100000.0
# Offered for a new rule when no price is known yet.
PRICE_DEFAULT: Final = 10.0


def _price_range(entry: object) -> tuple[float, float]:
    """Agile's range (Octopus, or no source yet), else the wide one."""
    prices = getattr(getattr(entry, "runtime_data", None), "prices", None)
    if getattr(prices, "kind", None) is None:
        return PRICE_MIN, PRICE_MAX
    return WIDE_PRICE_MIN, WIDE_PRICE_MAX


def modes_for(miner_type: object) -> tuple[str, ...]:
    """Return the modes a miner type accepts (none for unknown types)."""
    return MODES_BY_TYPE.get(str(miner_type), ())


def _number(
    unit: str | None = None,
    step: float = 1,
    *,
    minimum: float = 0,
    maximum: float = 10000,
) -> NumberSelector:
    config = NumberSelectorConfig(
        min=minimum, max=maximum, step=step, mode=NumberSelectorMode.BOX
    )
    if unit:
        config["unit_of_measurement"] = unit
    return NumberSelector(config)


class RuleSubentryFlow(ConfigSubentryFlow):
    """Add an automation rule."""

    _rule: dict[str, Any]
    # The stored rule while reconfiguring (its values prefill the forms).
    _stored: dict[str, Any] | None = None

    def _options(self, kind: str) -> list[SelectOptionDict]:
        entry: HMMConfigEntry = self._get_entry()
        return [
            SelectOptionDict(value=subentry_id, label=subentry.title)
            for subentry_id, subentry in entry.subentries.items()
            if subentry.subentry_type == kind
        ]

    async def async_step_user(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Choose the trigger type."""
        return self.async_show_menu(step_id="user", menu_options=TRIGGER_TYPES)

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Edit a rule: its trigger's form, then its action's, prefilled."""
        self._stored = dict(self._get_reconfigure_subentry().data)
        step = getattr(self, f"async_step_{self._stored['trigger_type']}")
        result: SubentryFlowResult = await step()
        return result

    def _prefilled(self, schema: vol.Schema, values: dict[str, Any]) -> vol.Schema:
        return self.add_suggested_values_to_schema(schema, values)

    def _trigger_form(
        self,
        step_id: str,
        fields: dict[Any, Any],
        user_input: dict[str, Any] | None,
        errors: dict[str, str] | None = None,
        placeholders: dict[str, str] | None = None,
    ) -> SubentryFlowResult | None:
        if user_input is not None and not errors:
            common = ("name", "priority", "enabled", "action_type")
            self._rule = {
                "name": str(user_input["name"]).strip(),
                "priority": int(user_input.get("priority", 0)),
                "enabled": bool(user_input.get("enabled", True)),
                "trigger_type": step_id,
                "trigger_config": {
                    k: v for k, v in user_input.items() if k not in common
                },
                "action_type": user_input["action_type"],
            }
            return None
        schema = {
            vol.Required("name"): TextSelector(),
            **fields,
            vol.Required("action_type"): dropdown(ACTION_TYPES, "rule_action"),
            vol.Required("priority", default=0): _number(minimum=-1000),
            vol.Required("enabled", default=True): BooleanSelector(),
        }
        stored = self._stored or {}
        values = {
            **(stored.get("trigger_config") or {}),
            **{
                k: stored[k]
                for k in ("name", "priority", "enabled", "action_type")
                if k in stored
            },
        }
        return self.async_show_form(
            step_id=step_id,
            data_schema=self._prefilled(vol.Schema(schema), values),
            errors=errors or {},
            description_placeholders=placeholders,
        )

    async def async_step_price_threshold(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Set up a price below/above/between/outside limits (once per slot)."""
        errors: dict[str, str] = {}
        if user_input is not None and user_input["condition"] in ("between", "outside"):
            high = user_input.get("threshold_high")
            if high is None or float(high) <= float(user_input["threshold"]):
                errors["threshold_high"] = "threshold_high_required"
        unit = hub_price_unit(self.hass, self._get_entry())
        low, high = _price_range(self._get_entry())
        price = _number(unit, 0.01, minimum=low, maximum=high)
        fields = {
            vol.Required("condition"): dropdown(PRICE_CONDITIONS, "price_condition"),
            # A number box without a default starts at its minimum: offer
            # today's price instead (a reconfigure shows the stored one).
            vol.Required("threshold", default=self._current_price()): price,
            vol.Optional("threshold_high"): price,
        }
        form = self._trigger_form(
            "price_threshold", fields, user_input, errors, {"price_unit": unit}
        )
        return form or await self.async_step_action()

    def _current_price(self) -> float:
        entry: HMMConfigEntry = self._get_entry()
        hub = getattr(entry, "runtime_data", None)
        prices = getattr(hub, "prices", None)
        slot = prices.current() if prices is not None else None
        if slot is None:
            return PRICE_DEFAULT
        low, high = _price_range(entry)
        return min(max(round(float(slot.price_pence), 1), low), high)

    async def async_step_time_window(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Set up a time window of the day (once per window)."""
        fields = {
            vol.Required("start"): TimeSelector(),
            vol.Required("end"): TimeSelector(),
        }
        form = self._trigger_form("time_window", fields, user_input)
        return form or await self.async_step_action()

    async def async_step_miner_offline(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Set up a miner not answering for some minutes (once per outage)."""
        fields = {
            vol.Optional("miners", default=[]): dropdown(
                self._options(SUBENTRY_MINER), multiple=True
            ),
            vol.Required("minutes", default=5): _number("min", maximum=10080),
        }
        form = self._trigger_form("miner_offline", fields, user_input)
        return form or await self.async_step_action()

    async def async_step_miner_overheat(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Set up a miner above a temperature (once per episode)."""
        fields = {
            vol.Optional("miners", default=[]): dropdown(
                self._options(SUBENTRY_MINER), multiple=True
            ),
            vol.Required("threshold_celsius", default=80): _number("°C", maximum=150),
        }
        form = self._trigger_form("miner_overheat", fields, user_input)
        return form or await self.async_step_action()

    async def async_step_pool_failure(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Set up a pool failing its checks (once per outage)."""
        fields = {
            vol.Optional("pools", default=[]): dropdown(
                self._options(SUBENTRY_POOL), multiple=True
            ),
        }
        form = self._trigger_form("pool_failure", fields, user_input)
        return form or await self.async_step_action()

    async def async_step_action(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Ask for the action's settings; then save the rule."""
        kind = self._rule["action_type"]
        needed = ACTION_FIELDS[kind]
        errors: dict[str, str] = {}
        if user_input is not None:
            config = {key: user_input.get(key) for key in needed}
            if any(config[key] in (None, "", []) for key in needed):
                errors["base"] = "action_incomplete"
            elif kind == "apply_mode" and not self._mode_fits(config):
                errors["mode"] = "mode_not_supported"
            elif self._stored is not None:
                return self.async_update_and_abort(
                    self._get_entry(),
                    self._get_reconfigure_subentry(),
                    title=self._rule["name"],
                    data={**self._rule, "action_config": config},
                )
            else:
                return self.async_create_entry(
                    title=self._rule["name"],
                    data={**self._rule, "action_config": config},
                )
        available: dict[str, Any] = {
            "miners": dropdown(self._options(SUBENTRY_MINER), multiple=True),
            "mode": dropdown(list(self._modes()), "mode"),
            "pool": dropdown(
                [o["label"] for o in self._options(SUBENTRY_POOL)] or [""]
            ),
            "message": TextSelector(),
            "entity_id": EntitySelector(
                EntitySelectorConfig(domain=["switch", "input_boolean", "light"])
            ),
            "state": dropdown(["on", "off"]),
        }
        schema = {vol.Required(key): available[key] for key in needed}
        stored = self._stored or {}
        previous = (
            stored.get("action_config") or {}
            if stored.get("action_type") == kind
            else {}
        )
        return self.async_show_form(
            step_id="action",
            data_schema=self._prefilled(vol.Schema(schema), previous),
            errors=errors,
            description_placeholders={
                "action": await async_option_label(self.hass, "rule_action", kind)
            },
        )

    def _miner_types(self) -> dict[str, str]:
        entry: HMMConfigEntry = self._get_entry()
        return {
            subentry_id: str(subentry.data.get("miner_type"))
            for subentry_id, subentry in entry.subentries.items()
            if subentry.subentry_type == SUBENTRY_MINER
        }

    def _modes(self) -> tuple[str, ...]:
        """Every mode of the hub's miner types (all modes before any miner)."""
        types = set(self._miner_types().values()) or set(MODES_BY_TYPE)
        # In the order of MODES_BY_TYPE, without duplicates.
        ordered = (m for t in MODES_BY_TYPE if t in types for m in modes_for(t))
        # Only NMMiners (no modes): offer all, the check below explains.
        return tuple(dict.fromkeys(ordered)) or (*AXEOS_MODES, *AVALON_MODES)

    def _mode_fits(self, config: dict[str, Any]) -> bool:
        """Whether every chosen miner accepts the mode."""
        types = self._miner_types()
        mode = str(config.get("mode"))
        return all(
            mode in modes_for(types.get(str(miner_id)))
            for miner_id in config.get("miners") or []
        )
