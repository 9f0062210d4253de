"""The pool subentry form: its fields, cleaning and stored shape (no flow logic)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from homeassistant.helpers.selector import (
    BooleanSelector,
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    SelectOptionDict,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)
import voluptuous as vol

from ..const import (
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
    POOL_COINS,
)
from ..pools.url import PoolConfigError, parse_pool_url
from .labels import dropdown

if TYPE_CHECKING:
    from collections.abc import Mapping

    from homeassistant.config_entries import ConfigSubentry

    from ..devices.snapshot import PoolTarget

DEFAULT_PORT: Final = 3333  # ckpool, public-pool and most solo pools
NO_PASSWORD: Final = "x"  # noqa: S105  (stratum's conventional "no password")
MAX_NAME_LEN: Final = 100  # pools.name column
MAX_PRIORITY: Final = 100
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
FORM_KEYS: Final = frozenset(
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


def stored_unique_id(subentry: ConfigSubentry) -> str | None:
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


def form_fields(
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
            dropdown(
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
        ] = dropdown(failover)
    fields[
        vol.Required(CONF_KEEP_USER, default=defaults.get(CONF_KEEP_USER, False))
    ] = BooleanSelector()
    return fields


def clean(user_input: Mapping[str, Any]) -> dict[str, Any]:
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


def scrub(text: str, secret: str) -> str:
    """Belt and braces: the stratum check already keeps secrets out of messages."""
    return text.replace(secret, "***") if secret and secret != NO_PASSWORD else text


def pool_data(data: dict[str, Any], target: PoolTarget) -> dict[str, Any]:
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
