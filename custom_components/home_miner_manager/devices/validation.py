"""Checks on values we place in device commands.

Pool hosts, users and passwords come from user input. Before any of them is
put in a request they must be printable ASCII of sane length; the cgminer
checks additionally forbid the characters that delimit its commands (``,``
between parameters, ``|`` between command and parameter). A failed check raises
:class:`InvalidCommandValueError` and nothing is sent. Messages never contain
the offending value (it may be a password).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Final

from .exceptions import InvalidCommandValueError
from .parsing import strip_scheme

if TYPE_CHECKING:
    from .snapshot import PoolTarget

MAX_HOST_LEN: Final = 253
MAX_USER_LEN: Final = 200
MAX_PASSWORD_LEN: Final = 128

_HOST_RE: Final = re.compile(
    r"[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\]"
)
_CGMINER_FORBIDDEN: Final = frozenset(",|\\")


def check_text(
    name: str, value: object, max_len: int, *, allow_empty: bool = False
) -> str:
    """Return ``value`` if it is printable ASCII within ``max_len`` characters."""
    if type(value) is not str:
        raise InvalidCommandValueError(f"{name} must be text")
    text: str = value
    if not text and not allow_empty:
        raise InvalidCommandValueError(f"{name} is empty")
    if len(text) > max_len:
        raise InvalidCommandValueError(f"{name} is longer than {max_len} characters")
    if not text.isascii() or not text.isprintable():
        raise InvalidCommandValueError(
            f"{name} contains control or non-ASCII characters"
        )
    return text


def check_cgminer_text(
    name: str, value: object, max_len: int, *, allow_empty: bool = False
) -> str:
    """Like :func:`check_text`, also refusing cgminer delimiters."""
    text = check_text(name, value, max_len, allow_empty=allow_empty)
    if not _CGMINER_FORBIDDEN.isdisjoint(text):
        raise InvalidCommandValueError(
            f"{name} contains a character cgminer cannot carry (, | \\)"
        )
    return text


def check_pool(pool: PoolTarget) -> tuple[str, int, str, str]:
    """Validate a pool target; return (host without scheme, port, user, password)."""
    raw_host = check_text("pool host", pool.url, MAX_HOST_LEN + 32)
    host = strip_scheme(raw_host.strip())
    if ":" in host and not host.startswith("["):
        # "host:port" typed into the host field: accept only if it matches the port.
        host, _, port_text = host.rpartition(":")
        if port_text != str(pool.port):
            raise InvalidCommandValueError("pool host must not carry its own port")
    if len(host) > MAX_HOST_LEN or not _HOST_RE.fullmatch(host):
        raise InvalidCommandValueError("pool host is not a valid host name")
    port = pool.port
    if type(port) is not int or not 1 <= port <= 65535:
        raise InvalidCommandValueError("pool port must be 1-65535")
    user = check_text("pool user", pool.user, MAX_USER_LEN)
    if " " in user:
        raise InvalidCommandValueError("pool user must not contain spaces")
    password = check_text(
        "pool password", pool.password, MAX_PASSWORD_LEN, allow_empty=True
    )
    return host, port, user, password


def check_cgminer_pool(pool: PoolTarget) -> tuple[str, int, str, str]:
    """Validate a pool target for ``setpool`` (cgminer delimiters refused too)."""
    host, port, user, password = check_pool(pool)
    check_cgminer_text("pool user", user, MAX_USER_LEN)
    check_cgminer_text("pool password", password, MAX_PASSWORD_LEN, allow_empty=True)
    return host, port, user, password
