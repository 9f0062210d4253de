"""Subentry flow: add or reconfigure one miner of the hub."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from homeassistant.config_entries import (
    ConfigEntryState,
    ConfigSubentry,
    ConfigSubentryFlow,
    SubentryFlowResult,
)
from homeassistant.helpers.selector import (
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
)
import voluptuous as vol

from ..audit import async_actor, audit_changes, queue_audit
from ..const import (
    CONF_ENABLED,
    CONF_HOST,
    CONF_MANUAL_POWER_WATTS,
    CONF_MINER_ID,
    CONF_MINER_TYPE,
    CONF_NAME,
    CONF_NMMINER_BROADCAST,
    CONF_PORT,
    CONF_POWER_SWITCH,
    CONF_WEB_PASSWORD,
    LOGGER,
    MINER_TYPE_AUTO,
    SUBENTRY_MINER,
)
from ..devices.types import MinerType
from ..errors import UNKNOWN
from .discovery import async_withdraw_offers
from .miner_form import (
    TYPE_OPTIONS,
    clean,
    common_fields,
    host_error,
    own_switches,
    password_field,
    power_field,
    power_switch_error,
)
from .probe import ProbeError, ProbeResult, async_probe

if TYPE_CHECKING:
    from ..data import HMMConfigEntry


class MinerSubentryFlow(ConfigSubentryFlow):
    """Add a miner (probing it first) or change how it is reached."""

    def __init__(self) -> None:
        """Start empty."""
        self._pending: dict[str, Any] = {}
        self._probe: ProbeResult | None = None

    def _hub(self) -> HMMConfigEntry | None:
        entry: HMMConfigEntry = self._get_entry()
        return entry if entry.state is ConfigEntryState.LOADED else None

    def _other_miners(self, exclude: str | None = None) -> list[ConfigSubentry]:
        return [
            subentry
            for subentry in self._get_entry().subentries.values()
            if subentry.subentry_type == SUBENTRY_MINER
            and subentry.subentry_id != exclude
        ]

    def _duplicate(
        self,
        probe: ProbeResult,
        host: str,
        port: int | None,
        exclude: str | None = None,
    ) -> ConfigSubentry | None:
        """Return the configured miner this device (or address) already is."""
        for subentry in self._other_miners(exclude):
            if probe.unique_id is not None and subentry.unique_id == probe.unique_id:
                return subentry
            if (subentry.data.get(CONF_HOST), subentry.data.get(CONF_PORT)) == (
                host,
                port,
            ):
                return subentry
        return None

    def _abort_duplicate(self, known: ConfigSubentry) -> SubentryFlowResult:
        return self.async_abort(
            reason="already_configured",
            description_placeholders={"name": known.title},
        )

    async def _async_check(
        self, hub: HMMConfigEntry, data: dict[str, Any], miner_type: MinerType | None
    ) -> tuple[ProbeResult | None, dict[str, str]]:
        """Validate the host and connect; return (probe, form errors)."""
        if (key := host_error(data.get(CONF_HOST, ""))) is not None:
            return None, {CONF_HOST: key}
        if key := power_switch_error(self.hass, data.get(CONF_POWER_SWITCH)):
            return None, {CONF_POWER_SWITCH: key}
        try:
            probe = await async_probe(
                self.hass,
                hub,
                miner_type,
                data[CONF_HOST],
                data.get(CONF_PORT),
                web_password=data.get(CONF_WEB_PASSWORD),
            )
        except ProbeError as err:
            return None, {"base": err.key}
        except Exception:  # noqa: BLE001  (shown as "unknown", never a traceback)
            LOGGER.exception("Unexpected error while probing a miner")
            return None, {"base": UNKNOWN}
        return probe, {}

    # -- add ---------------------------------------------------------------------

    async def async_step_user(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Ask where the miner is and what it is."""
        if (hub := self._hub()) is None:
            return self.async_abort(reason="hub_not_loaded")
        errors: dict[str, str] = {}
        if user_input is not None:
            data = clean(user_input)
            chosen = data.pop(CONF_MINER_TYPE)
            miner_type = None if chosen == MINER_TYPE_AUTO else MinerType(chosen)
            probe, errors = await self._async_check(hub, data, miner_type)
            if probe is not None:
                if known := self._duplicate(
                    probe, data[CONF_HOST], data.get(CONF_PORT)
                ):
                    return self._abort_duplicate(known)
                self._pending = data
                self._probe = probe
                if probe.miner_type is MinerType.AVALON_NANO:
                    return await self.async_step_avalon()
                return await self.async_step_power()
        # The type first: the default port depends on it.
        schema = {
            vol.Required(
                CONF_MINER_TYPE,
                default=(user_input or {}).get(CONF_MINER_TYPE, MINER_TYPE_AUTO),
            ): SelectSelector(
                SelectSelectorConfig(
                    options=TYPE_OPTIONS,
                    translation_key=CONF_MINER_TYPE,
                    mode=SelectSelectorMode.DROPDOWN,
                )
            ),
            **common_fields(user_input or {}, own_switches(self.hass, hub.entry_id)),
        }
        return self.async_show_form(
            step_id="user", data_schema=vol.Schema(schema), errors=errors
        )

    async def async_step_avalon(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Avalon only: the web password (needed to change pools)."""
        hub = self._hub()
        if hub is None:
            return self.async_abort(reason="hub_not_loaded")
        if user_input is None:
            return self.async_show_form(
                step_id="avalon", data_schema=vol.Schema(password_field())
            )
        self._pending.update(clean(user_input))
        return await self.async_step_power()

    async def async_step_power(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Miners that do not report their power: an optional estimate."""
        hub = self._hub()
        probe = self._probe
        if hub is None or probe is None:
            return self.async_abort(reason="hub_not_loaded")
        if probe.snapshot.power_watts is None and user_input is None:
            return self.async_show_form(
                step_id="power",
                data_schema=vol.Schema(power_field({})),
                description_placeholders={"name": self._pending[CONF_NAME]},
            )
        self._pending.update(clean(user_input or {}))
        return await self._async_create(hub)

    async def _async_create(self, hub: HMMConfigEntry) -> SubentryFlowResult:
        probe = self._probe
        assert probe is not None
        data = {
            **self._pending,
            CONF_MINER_TYPE: probe.miner_type.value,
            CONF_ENABLED: True,
        }
        if probe.broadcast:
            data[CONF_NMMINER_BROADCAST] = True
        # The hub writes the miner's row (and audits it) when it sees the subentry.
        async_withdraw_offers(self.hass, data[CONF_HOST], probe.unique_id)
        return self.async_create_entry(
            title=data[CONF_NAME], data=data, unique_id=probe.unique_id
        )

    # -- reconfigure -------------------------------------------------------------

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Change name, address, power estimate, interval or password."""
        if (hub := self._hub()) is None:
            return self.async_abort(reason="hub_not_loaded")
        subentry = self._get_reconfigure_subentry()
        miner_type = MinerType(subentry.data[CONF_MINER_TYPE])
        errors: dict[str, str] = {}
        if user_input is not None:
            data = clean(user_input)
            # An empty password field keeps the stored password.
            if CONF_WEB_PASSWORD not in data and CONF_WEB_PASSWORD in subentry.data:
                data[CONF_WEB_PASSWORD] = subentry.data[CONF_WEB_PASSWORD]
            probe, errors = await self._async_check(hub, data, miner_type)
            if probe is not None:
                # Another configured miner answers there: say which.
                if known := self._duplicate(
                    probe, data[CONF_HOST], data.get(CONF_PORT), subentry.subentry_id
                ):
                    return self.async_abort(
                        reason="address_of_other_miner",
                        description_placeholders={"name": known.title},
                    )
                if (
                    subentry.unique_id is not None
                    and probe.unique_id is not None
                    and probe.unique_id != subentry.unique_id
                ):
                    return self.async_abort(reason="unique_id_mismatch")
                return await self._async_save_reconfigure(hub, subentry, data)
        defaults = {**subentry.data, CONF_NAME: subentry.title, **(user_input or {})}
        schema = common_fields(defaults, own_switches(self.hass, hub.entry_id))
        if self._needs_power_estimate(hub, subentry):
            schema.update(power_field(defaults))
        if miner_type is MinerType.AVALON_NANO:
            schema.update(password_field())
        return self.async_show_form(
            step_id="reconfigure", data_schema=vol.Schema(schema), errors=errors
        )

    @staticmethod
    def _needs_power_estimate(hub: HMMConfigEntry, subentry: ConfigSubentry) -> bool:
        """Offer the estimate unless the miner reports its own power."""
        if CONF_MANUAL_POWER_WATTS in subentry.data:
            return True  # keep it editable (and removable)
        coordinator = hub.runtime_data.coordinators.get(subentry.subentry_id)
        snapshot = coordinator.data if coordinator is not None else None
        return snapshot is None or snapshot.power_watts is None

    async def _async_save_reconfigure(
        self, hub: HMMConfigEntry, subentry: ConfigSubentry, data: dict[str, Any]
    ) -> SubentryFlowResult:
        kept = {
            key: value
            for key, value in subentry.data.items()
            # The form's optional fields: absent from the input means cleared.
            if key
            not in (
                CONF_PORT,
                CONF_MANUAL_POWER_WATTS,
                CONF_WEB_PASSWORD,
                CONF_POWER_SWITCH,
            )
        }
        new_data = {**kept, **data}
        changes = audit_changes({**subentry.data, CONF_NAME: subentry.title}, new_data)
        if new_data.get(CONF_WEB_PASSWORD) != subentry.data.get(CONF_WEB_PASSWORD):
            changes[CONF_WEB_PASSWORD] = "changed"  # never the value itself
        queue_audit(
            hub.runtime_data.database,
            actor=await async_actor(self.hass),
            action="miner_reconfigured",
            resource_id=subentry.data.get(CONF_MINER_ID),
            resource_name=data[CONF_NAME],
            changes=changes,
        )
        return self.async_update_and_abort(
            self._get_entry(), subentry, title=data[CONF_NAME], data=new_data
        )
