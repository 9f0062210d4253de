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
from homeassistant.helpers.selector import (
    BooleanSelector,
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    SelectOptionDict,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)
import voluptuous as vol

from .const import (
    CONF_COIN,
    CONF_ENABLED,
    CONF_FAILOVER_TO,
    CONF_KEEP_USER,
    CONF_NAME,
    CONF_PASSWORD,
    CONF_PORT,
    CONF_PRIORITY,
    CONF_URL,
    CONF_USER,
    LOGGER,
    POOL_COINS,
    SUBENTRY_POOL,
)
from .pools.stratum import (
    DEFAULT_TIMEOUT,
    ERROR_AUTH_FAILED,
    ERROR_CANNOT_CONNECT,
    check_stratum,
)
from .pools.url import PoolConfigError, parse_pool, parse_pool_url

if TYPE_CHECKING:
    from collections.abc import Mapping

    from .devices.snapshot import PoolTarget

DEFAULT_PORT: Final = 3333  # ckpool, public-pool and most solo pools
NO_PASSWORD: Final = "x"  # noqa: S105  (stratum's conventional "no password")
MAX_NAME_LEN: Final = 100  # pools.name column
MAX_PRIORITY: Final = 100
STRATUM_TIMEOUT_S: Final = DEFAULT_TIMEOUT
# Tickers are the stored values (the contract); hassfest only allows lower-case
# translation keys, so the labels are given here instead of translated.
COIN_LABELS: Final = {
    "BTC": "Bitcoin (BTC)",
    "BCH": "Bitcoin Cash (BCH)",
    "DGB": "DigiByte (DGB)",
    "BC2": "Bitcoin II (BC2)",
    "BTC_POOLED": "Bitcoin, shared pool (BTC_POOLED)",
}
# Keys the form owns; anything else in a subentry (the hub's pool_id) is kept.
_FORM_KEYS: Final = frozenset(
    {
        CONF_NAME,
        CONF_URL,
        CONF_PORT,
        CONF_USER,
        CONF_PASSWORD,
        CONF_COIN,
        CONF_PRIORITY,
        CONF_ENABLED,
        CONF_FAILOVER_TO,
        CONF_KEEP_USER,
    }
)


def pool_unique_id(host: str, port: int, user: str) -> str:
    """Identity of a pool login: lower-case host, port and user as entered."""
    return f"{host.lower()}:{port}:{user}"


def _stored_unique_id(subentry: ConfigSubentry) -> str | None:
    """Identity of a configured pool, from its data (its unique_id may be unset)."""
    try:
        address = parse_pool_url(
            str(subentry.data.get(CONF_URL, "")), subentry.data.get(CONF_PORT)
        )
    except PoolConfigError:
        return subentry.unique_id
    user = str(subentry.data.get(CONF_USER, "")).strip()
    return pool_unique_id(address.host, address.port, user)


def _number(low: int, high: int) -> NumberSelector:
    return NumberSelector(
        NumberSelectorConfig(min=low, max=high, step=1, mode=NumberSelectorMode.BOX)
    )


def _select(options: list[SelectOptionDict]) -> SelectSelector:
    return SelectSelector(
        SelectSelectorConfig(options=options, mode=SelectSelectorMode.DROPDOWN)
    )


def _fields(
    defaults: Mapping[str, Any], failover: list[SelectOptionDict]
) -> dict[Any, Any]:
    """Build the form of both steps; the password is never sent back."""
    fields: dict[Any, Any] = {
        vol.Required(
            CONF_NAME, default=defaults.get(CONF_NAME, vol.UNDEFINED)
        ): TextSelector(),
        vol.Required(
            CONF_URL, default=defaults.get(CONF_URL, vol.UNDEFINED)
        ): TextSelector(),
        vol.Required(CONF_PORT, default=defaults.get(CONF_PORT, DEFAULT_PORT)): _number(
            1, 65535
        ),
        vol.Required(
            CONF_USER, default=defaults.get(CONF_USER, vol.UNDEFINED)
        ): TextSelector(),
        vol.Optional(CONF_PASSWORD): TextSelector(
            TextSelectorConfig(type=TextSelectorType.PASSWORD)
        ),
        vol.Required(CONF_COIN, default=defaults.get(CONF_COIN, POOL_COINS[0])): (
            _select(
                [SelectOptionDict(value=c, label=COIN_LABELS[c]) for c in POOL_COINS]
            )
        ),
        vol.Required(CONF_PRIORITY, default=defaults.get(CONF_PRIORITY, 0)): _number(
            0, MAX_PRIORITY
        ),
        vol.Required(
            CONF_ENABLED, default=defaults.get(CONF_ENABLED, True)
        ): BooleanSelector(),
    }
    if failover:
        # A suggestion, not a default: clearing it must mean "no failover", and a
        # stale id (pool removed since) must not be forced back into the input.
        chosen = defaults.get(CONF_FAILOVER_TO)
        known = chosen in {option["value"] for option in failover}
        fields[
            vol.Optional(
                CONF_FAILOVER_TO,
                description={"suggested_value": chosen if known else None},
            )
        ] = _select(failover)
    fields[
        vol.Required(CONF_KEEP_USER, default=defaults.get(CONF_KEEP_USER, False))
    ] = BooleanSelector()
    return fields


def _clean(user_input: Mapping[str, Any]) -> dict[str, Any]:
    """Strip text (not the password), turn selector floats into ints, drop empties."""
    data: dict[str, Any] = {}
    for key, raw in user_input.items():
        value = raw.strip() if isinstance(raw, str) and key != CONF_PASSWORD else raw
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if value in ("", None):
            continue
        data[key] = value
    return data


def _scrub(text: str, secret: str) -> str:
    """Belt and braces: the stratum check already keeps secrets out of messages."""
    return text.replace(secret, "***") if secret and secret != NO_PASSWORD else text


class PoolSubentryFlow(ConfigSubentryFlow):
    """Add a pool (checking it over stratum first) or change it."""

    def __init__(self) -> None:
        """Start empty."""
        self._pending: dict[str, Any] | None = None
        self._reason = ""

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
            if unique_id in (subentry.unique_id, _stored_unique_id(subentry)):
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

    async def async_step_unreachable(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Save a pool that did not answer, once the user confirms."""
        if self._pending is None:
            return self.async_abort(reason="hub_not_loaded")
        if user_input is None:
            return self.async_show_form(
                step_id="unreachable",
                data_schema=vol.Schema({}),
                description_placeholders={
                    "name": self._pending[CONF_NAME],
                    "reason": self._reason,
                },
            )
        return self._async_finish(self._pending)

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
            data = _clean(user_input)
            if CONF_PASSWORD not in data:
                # Empty: keep the stored password, or stratum's "x" for a new pool.
                stored = subentry.data.get(CONF_PASSWORD) if subentry else None
                data[CONF_PASSWORD] = stored or NO_PASSWORD
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
                data = self._pool_data(data, target)
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
        defaults.update(user_input or {})
        return self.async_show_form(
            step_id=step_id,
            data_schema=vol.Schema(_fields(defaults, self._failover_options(exclude))),
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
        reason = _scrub(check.message or "", target.password)
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
            self._reason = reason
            return await self.async_step_unreachable()
        errors["base"] = check.error or ERROR_AUTH_FAILED
        placeholders["reason"] = reason
        return None

    @staticmethod
    def _pool_data(data: dict[str, Any], target: PoolTarget) -> dict[str, Any]:
        """Return what is stored: the bare host, typed values."""
        pool: dict[str, Any] = {
            CONF_NAME: str(data.get(CONF_NAME, "")),
            CONF_URL: target.url,
            CONF_PORT: target.port,
            CONF_USER: target.user,
            CONF_PASSWORD: target.password,
            CONF_COIN: data.get(CONF_COIN, POOL_COINS[0]),
            CONF_PRIORITY: int(data.get(CONF_PRIORITY, 0)),
            CONF_ENABLED: bool(data.get(CONF_ENABLED, True)),
            CONF_KEEP_USER: bool(data.get(CONF_KEEP_USER, False)),
        }
        if failover := data.get(CONF_FAILOVER_TO):
            pool[CONF_FAILOVER_TO] = failover
        return pool

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
        kept = {k: v for k, v in subentry.data.items() if k not in _FORM_KEYS}
        return self.async_update_and_abort(
            self._get_entry(),
            subentry,
            title=data[CONF_NAME],
            data={**kept, **data},
            unique_id=unique_id,
        )


def _unique_id(data: Mapping[str, Any]) -> str:
    return pool_unique_id(data[CONF_URL], data[CONF_PORT], data[CONF_USER])
