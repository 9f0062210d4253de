"""Subentry flow: add or reconfigure one mining pool of the hub.

The pool is checked the way a miner meets it (stratum subscribe + authorize).
A pool that does not answer right now may still be saved after a confirmation
step, because pools go down. The flow only creates or updates the subentry:
the hub writes the ``pools`` row and the audit trail when it sees it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from homeassistant.config_entries import (
    SOURCE_RECONFIGURE,
    ConfigEntryState,
    ConfigSubentry,
    ConfigSubentryFlow,
    SubentryFlowResult,
)
from homeassistant.helpers.selector import SelectOptionDict
import voluptuous as vol

from ..const import (
    CONF_NAME,
    CONF_PASSWORD,
    CONF_PORT,
    CONF_URL,
    CONF_USER,
    LOGGER,
    SUBENTRY_POOL,
)
from ..pools.stratum import (
    CAUSE_CLOSED,
    CAUSE_DNS,
    CAUSE_NETWORK,
    CAUSE_REFUSED,
    CAUSE_TIMEOUT,
    DEFAULT_TIMEOUT,
    ERROR_AUTH_FAILED,
    ERROR_CANNOT_CONNECT,
    check_stratum,
)
from ..pools.url import PoolConfigError, parse_pool
from .pool_form import (
    COIN_LABELS,
    FORM_KEYS,
    MAX_NAME_LEN,
    NO_PASSWORD,
    clean,
    form_fields,
    pool_data,
    pool_unique_id,
    scrub,
    stored_unique_id,
)

if TYPE_CHECKING:
    from collections.abc import Mapping

    from ..devices.snapshot import PoolTarget

__all__ = ["COIN_LABELS", "PoolSubentryFlow", "pool_unique_id"]

STRATUM_TIMEOUT_S: Final = DEFAULT_TIMEOUT
# One menu step per cause of a failed connection: each is worded for people
# (the technical reason goes to the debug log only).
UNREACHABLE_STEPS: Final = {
    CAUSE_TIMEOUT: "unreachable_timeout",
    CAUSE_REFUSED: "unreachable_refused",
    CAUSE_DNS: "unreachable_dns",
    CAUSE_CLOSED: "unreachable_closed",
    CAUSE_NETWORK: "unreachable_network",
}
UNREACHABLE_MENU: Final = ["save_anyway", "back"]


class PoolSubentryFlow(ConfigSubentryFlow):
    """Add a pool (checking it over stratum first) or change it."""

    def __init__(self) -> None:
        """Start empty."""
        self._pending: dict[str, Any] | None = None
        # What the form held when the check failed ("back" shows it again).
        self._typed: dict[str, Any] = {}
        self._cause = CAUSE_NETWORK

    def _hub_loaded(self) -> bool:
        return self._get_entry().state is ConfigEntryState.LOADED

    def _editing(self) -> ConfigSubentry | None:
        return (
            self._get_reconfigure_subentry()
            if self.source == SOURCE_RECONFIGURE
            else None
        )

    def _other_pools(self, exclude: str | None) -> list[ConfigSubentry]:
        return sorted(
            (
                subentry
                for subentry in self._get_entry().subentries.values()
                if subentry.subentry_type == SUBENTRY_POOL
                and subentry.subentry_id != exclude
            ),
            key=lambda subentry: subentry.title.casefold(),
        )

    def _failover_options(self, exclude: str | None) -> list[SelectOptionDict]:
        """List the other pools by name (a pool never fails over to itself)."""
        return [
            SelectOptionDict(value=subentry.subentry_id, label=subentry.title)
            for subentry in self._other_pools(exclude)
        ]

    def _duplicate(self, unique_id: str, exclude: str | None) -> ConfigSubentry | None:
        for subentry in self._other_pools(exclude):
            if unique_id in (subentry.unique_id, stored_unique_id(subentry)):
                return subentry
        return None

    def _name_error(self, name: str, exclude: str | None) -> str | None:
        if not name:
            return "name_required"
        if len(name) > MAX_NAME_LEN:
            return "name_too_long"
        # Miners switch pools by name (select, switch_pool): names must be unique.
        folded = name.casefold()
        if any(s.title.casefold() == folded for s in self._other_pools(exclude)):
            return "name_in_use"
        return None

    # -- steps -------------------------------------------------------------------

    async def async_step_user(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Ask for the pool and check it."""
        return await self._async_form("user", user_input, None)

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Change the pool; an empty password keeps the stored one."""
        return await self._async_form(
            "reconfigure", user_input, self._get_reconfigure_subentry()
        )

    async def async_step_save_anyway(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Save a pool that did not answer (pools go down; it is checked again)."""
        if self._pending is None:
            return self.async_abort(reason="hub_not_loaded")
        return self._async_finish(self._pending)

    async def async_step_back(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Show the pool's form again, as it was filled in."""
        self._pending = None
        subentry = self._editing()
        return await self._async_form(
            "user" if subentry is None else "reconfigure", None, subentry
        )

    async def async_step_unreachable(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Offer "save anyway" or "back", worded for why the pool did not answer."""
        if self._pending is None:
            return self.async_abort(reason="hub_not_loaded")
        data = self._pending
        return self.async_show_menu(
            step_id=UNREACHABLE_STEPS.get(
                self._cause, UNREACHABLE_STEPS[CAUSE_NETWORK]
            ),
            menu_options=UNREACHABLE_MENU,
            description_placeholders={
                "name": data[CONF_NAME],
                "host": data[CONF_URL],
                "port": str(data[CONF_PORT]),
                "timeout": f"{STRATUM_TIMEOUT_S:g}",
            },
        )

    # The menu's step ids (Home Assistant checks that a shown step exists).
    async_step_unreachable_timeout = async_step_unreachable
    async_step_unreachable_refused = async_step_unreachable
    async_step_unreachable_dns = async_step_unreachable
    async_step_unreachable_closed = async_step_unreachable
    async_step_unreachable_network = async_step_unreachable

    # -- helpers -----------------------------------------------------------------

    async def _async_form(
        self,
        step_id: str,
        user_input: dict[str, Any] | None,
        subentry: ConfigSubentry | None,
    ) -> SubentryFlowResult:
        if not self._hub_loaded():
            return self.async_abort(reason="hub_not_loaded")
        exclude = subentry.subentry_id if subentry is not None else None
        errors: dict[str, str] = {}
        placeholders = {"reason": ""}
        if user_input is not None:
            data = clean(user_input)
            if CONF_PASSWORD not in data:
                # Empty: the one typed before going back, else keep the stored
                # password, or stratum's "x" for a new pool.
                stored = subentry.data.get(CONF_PASSWORD) if subentry else None
                typed = self._typed.get(CONF_PASSWORD)
                data[CONF_PASSWORD] = typed or stored or NO_PASSWORD
            # Never shown back, kept for "back".
            self._typed = dict(user_input)
            self._typed[CONF_PASSWORD] = data[CONF_PASSWORD]
            try:
                target = parse_pool(
                    data.get(CONF_URL, ""),
                    data.get(CONF_PORT),
                    data.get(CONF_USER, ""),
                    data[CONF_PASSWORD],
                )
            except PoolConfigError as err:
                errors[err.field] = err.key
            else:
                data = pool_data(data, target)
                if known := self._duplicate(_unique_id(data), exclude):
                    return self._abort_duplicate(known)
                if name_error := self._name_error(data[CONF_NAME], exclude):
                    errors[CONF_NAME] = name_error
                elif result := await self._async_check(
                    data, target, errors, placeholders
                ):
                    return result
        defaults: dict[str, Any] = {}
        if subentry is not None:
            defaults = {**subentry.data, CONF_NAME: subentry.title}
        # The password field is never filled in (it would be sent to the browser).
        shown = user_input or self._typed
        defaults.update({k: v for k, v in shown.items() if k != CONF_PASSWORD})
        return self.async_show_form(
            step_id=step_id,
            data_schema=vol.Schema(
                form_fields(defaults, self._failover_options(exclude))
            ),
            errors=errors,
            description_placeholders=placeholders,
        )

    async def _async_check(
        self,
        data: dict[str, Any],
        target: PoolTarget,
        errors: dict[str, str],
        placeholders: dict[str, str],
    ) -> SubentryFlowResult | None:
        """Run the stratum check; save, ask to confirm, or (None) show the errors."""
        check = await check_stratum(target, timeout=STRATUM_TIMEOUT_S)
        if check.error is None and check.authorized:
            return self._async_finish(data)
        reason = scrub(check.message or "", target.password)
        # Host and port only: the user is a wallet address, the password a secret.
        LOGGER.debug(
            "Pool %s:%s failed its check: %s (%s)",
            target.url,
            target.port,
            check.error,
            reason,
        )
        if check.error == ERROR_CANNOT_CONNECT:
            self._pending = data
            self._cause = check.cause or CAUSE_NETWORK
            return await self.async_step_unreachable()
        errors["base"] = check.error or ERROR_AUTH_FAILED
        placeholders["reason"] = reason
        return None

    def _abort_duplicate(self, known: ConfigSubentry) -> SubentryFlowResult:
        return self.async_abort(
            reason="already_configured",
            description_placeholders={"name": known.title},
        )

    def _async_finish(self, data: dict[str, Any]) -> SubentryFlowResult:
        subentry = self._editing()
        exclude = subentry.subentry_id if subentry is not None else None
        unique_id = _unique_id(data)
        # Again at the end: another flow may have saved this pool meanwhile.
        if known := self._duplicate(unique_id, exclude):
            return self._abort_duplicate(known)
        if subentry is None:
            return self.async_create_entry(
                title=data[CONF_NAME], data=data, unique_id=unique_id
            )
        kept = {k: v for k, v in subentry.data.items() if k not in FORM_KEYS}
        return self.async_update_and_abort(
            self._get_entry(),
            subentry,
            title=data[CONF_NAME],
            data={**kept, **data},
            unique_id=unique_id,
        )


def _unique_id(data: Mapping[str, Any]) -> str:
    return pool_unique_id(data[CONF_URL], data[CONF_PORT], data[CONF_USER])
