"""Pool URL fields: parse and validate what the user typed; match ``pool_in_use``.

A pool is entered as a host (``solo.ckpool.org``) or a URL
(``stratum+tcp://solo.ckpool.org:3333``) plus a port, user and password. Those
values end up in cgminer ``setpool`` commands, AxeOS settings and stratum JSON,
so characters that delimit any of them are refused here, with a stable key the
config flow can translate. Nothing here echoes the values themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Final, Protocol

from ..devices.exceptions import (
    InvalidCommandValueError,
)
from ..devices.snapshot import PoolTarget
from ..devices.validation import (
    MAX_PASSWORD_LEN,
    MAX_USER_LEN,
    check_cgminer_pool,
    check_pool,
)

if TYPE_CHECKING:
    from collections.abc import Iterable

# Schemes meaning "stratum V1 over plain TCP"; TLS pools cannot be checked or
# configured through the drivers' PoolTarget, so they are refused.
STRATUM_SCHEMES: Final = frozenset({"stratum+tcp", "stratum", "tcp"})
# ``,`` and ``|`` delimit cgminer commands, ``"`` and ``\`` break hand-built JSON.
FORBIDDEN_CHARACTERS: Final = frozenset(',|"\\')

ERROR_INVALID_CHARACTERS: Final = "invalid_characters"
ERROR_INVALID_HOST: Final = "invalid_host"
ERROR_INVALID_PORT: Final = "invalid_port"
ERROR_UNSUPPORTED_SCHEME: Final = "unsupported_scheme"
ERROR_USER_REQUIRED: Final = "user_required"


class PoolConfigError(ValueError):
    """A pool field is unusable.

    ``key`` is one of the ``ERROR_*`` keys (a translation key for the flow) and
    ``field`` names the form field (``url``, ``port``, ``user``, ``password``).
    The message never contains the offending value.
    """

    def __init__(self, key: str, field: str) -> None:
        """Keep the key and the field beside a generic message."""
        super().__init__(f"pool {field}: {key}")
        self.key = key
        self.field = field


@dataclass(frozen=True, slots=True)
class PoolAddress:
    """A stratum endpoint: lower-case host (IPv6 in brackets) and port."""

    host: str
    port: int

    def __str__(self) -> str:
        """``host:port``."""
        return f"{self.host}:{self.port}"


class PoolLike(Protocol):
    """Anything with a pool ``url`` field and ``port`` (Pool rows, PoolTarget)."""

    @property
    def url(self) -> str:
        """Host or stratum URL."""

    @property
    def port(self) -> int:
        """Port (a port inside ``url`` wins)."""


def _check_characters(field: str, value: str) -> None:
    if (
        not value.isascii()
        or not value.isprintable()  # NUL, tabs, newlines, other controls
        or not FORBIDDEN_CHARACTERS.isdisjoint(value)
    ):
        raise PoolConfigError(ERROR_INVALID_CHARACTERS, field)


def _check_host(host: str, port: int) -> None:
    """Apply the drivers' host rule (one rule for flows and ``switch_pool``)."""
    try:
        check_pool(PoolTarget(url=host, port=port, user="x"))
    except InvalidCommandValueError as err:
        raise PoolConfigError(ERROR_INVALID_HOST, "url") from err


def _port_number(value: object) -> int | None:
    """Return an int port (int, integral float from HA number fields, digits)."""
    if type(value) is int:
        number: int = value
    elif type(value) is float and value.is_integer():
        number = int(value)
    elif type(value) is str and value.strip().isdigit() and len(value.strip()) <= 5:
        number = int(value.strip())
    else:
        return None
    return number if 1 <= number <= 65535 else None


def _split(text: str) -> tuple[str | None, str, str | None]:
    """Split ``[scheme://]host[:port][/]`` into (scheme, host, port text)."""
    scheme: str | None = None
    head, sep, rest = text.partition("://")
    if sep:
        scheme, text = head.lower(), rest
    text = text.rstrip("/")
    if text.startswith("["):  # [IPv6]:port
        end = text.find("]")
        if end < 0:
            return scheme, text, None
        host, after = text[: end + 1], text[end + 1 :]
        if not after:
            return scheme, host, None
        if not after.startswith(":"):
            return scheme, text, None
        return scheme, host, after[1:]
    if text.count(":") == 1:
        host, _, port_text = text.partition(":")
        return scheme, host, port_text
    return scheme, text, None


def parse_pool_url(url: str, port: object = None) -> PoolAddress:
    """Parse the URL field into host and port; a port in the URL wins over ``port``.

    Raises :class:`PoolConfigError` (``invalid_characters``, ``invalid_host``,
    ``invalid_port``, ``unsupported_scheme``).
    """
    text = url.strip()
    _check_characters("url", text)
    scheme, host, port_text = _split(text)
    if scheme is not None and scheme not in STRATUM_SCHEMES:
        raise PoolConfigError(ERROR_UNSUPPORTED_SCHEME, "url")
    if port_text is not None:
        number = _port_number(port_text)
        if number is None:
            raise PoolConfigError(ERROR_INVALID_PORT, "url")
    else:
        number = _port_number(port)
        if number is None:
            raise PoolConfigError(ERROR_INVALID_PORT, "port")
    host = host.lower().rstrip(".")
    _check_host(host, number)
    return PoolAddress(host, number)


def parse_pool(
    url: str,
    port: object,
    user: str,
    password: str = "x",  # noqa: S107 (stratum's conventional "no password")
) -> PoolTarget:
    """Validate a whole pool entry and return the target the drivers accept.

    The user is stripped and must not be empty or contain spaces. The drivers'
    own check (:func:`check_cgminer_pool`) is the last gate, so a pool accepted
    here is never refused by ``switch_pool`` later.
    """
    address = parse_pool_url(url, port)
    user = user.strip()
    if not user:
        raise PoolConfigError(ERROR_USER_REQUIRED, "user")
    _check_characters("user", user)
    if " " in user or len(user) > MAX_USER_LEN:
        raise PoolConfigError(ERROR_INVALID_CHARACTERS, "user")
    _check_characters("password", password)
    if len(password) > MAX_PASSWORD_LEN:
        raise PoolConfigError(ERROR_INVALID_CHARACTERS, "password")
    target = PoolTarget(
        url=address.host, port=address.port, user=user, password=password
    )
    try:
        check_cgminer_pool(target)
    except InvalidCommandValueError as err:
        # Characters, port and lengths were checked above: only the host is left.
        raise PoolConfigError(ERROR_INVALID_HOST, "url") from err
    return target


# Every miner poll matches its pool_in_use against the configured pools several
# times (pool select, pool switch check, pool sensors): a farm has a handful of
# distinct strings, so each is parsed once. Bounded; PoolAddress is immutable.
@lru_cache(maxsize=512)
def pool_in_use_address(pool_in_use: str | None) -> PoolAddress | None:
    """Parse a miner's ``pool_in_use`` leniently; None without a usable host:port.

    Accepts ``stratum+tcp://host:port``, ``host:port``, any case, a trailing
    slash. A value without a port cannot be matched exactly, so it gives None.
    """
    if not pool_in_use:
        return None
    _, host, port_text = _split(pool_in_use.strip())
    if port_text is None:
        return None
    number = _port_number(port_text)
    host = host.lower().rstrip(".")
    if number is None or not host:
        return None
    return PoolAddress(host, number)


def pool_address(pool: PoolLike) -> PoolAddress | None:
    """Return a configured pool's address (``url`` may carry a scheme and port)."""
    return _configured_address(pool.url, pool.port)


@lru_cache(maxsize=512)
def _configured_address(url: str, port: int) -> PoolAddress | None:
    """Parse a configured pool once (matched against every miner's polls)."""
    try:
        return parse_pool_url(url, port)
    except PoolConfigError:
        return None


def matches_pool_in_use(pool_in_use: str | None, pool: PoolLike) -> bool:
    """Tell whether ``pool_in_use`` names exactly this pool's host and port.

    Upstream's substring test (``pool_in_use LIKE %url%``) matched
    ``pool.example.com`` against ``eu.pool.example.com`` and ignored ports.
    """
    in_use = pool_in_use_address(pool_in_use)
    return in_use is not None and in_use == pool_address(pool)


def find_pool_in_use[P: PoolLike](
    pool_in_use: str | None, pools: Iterable[P]
) -> P | None:
    """Return the first of ``pools`` whose host:port is ``pool_in_use``, else None."""
    in_use = pool_in_use_address(pool_in_use)
    if in_use is None:
        return None
    for pool in pools:
        if pool_address(pool) == in_use:
            return pool
    return None
