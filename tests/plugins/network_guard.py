"""Pytest plugin: every test fails that tries to reach past 127.0.0.1 / ::1.

pytest-homeassistant-custom-component only raises inside ``connect`` (which
the code under test may swallow as "unreachable"), and never sees name
lookups: aiohttp resolves through c-ares, which sends its own DNS queries.
Here each way out is wrapped for every test (HA or not): a socket
``connect``/``connect_ex``/``sendto``, ``socket.getaddrinfo`` and aiohttp's
resolvers. An attempt is refused with an ``OSError`` (so the code takes its
ordinary "cannot connect" path), recorded, and the test fails at teardown
naming it. A test that checks the guard itself empties
``outside_network_attempts`` after asserting on it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
import contextlib
import errno
import functools
import ipaddress
import socket
from typing import Any

import aiohttp.resolver
import pytest

_LOOPBACK_NAMES = frozenset({"127.0.0.1", "::1", "localhost"})
# Resolving these is binding a listening socket, not reaching anything.
_BIND_ALL = frozenset({"", "0.0.0.0", "::"})


def is_loopback(host: object) -> bool:
    """Return True for 127.0.0.1, ::1 (any spelling) and "localhost"."""
    if isinstance(host, bytes):
        host = host.decode(errors="replace")
    name = str(host).strip("[]").lower()
    if name in _LOOPBACK_NAMES:
        return True
    try:
        address = ipaddress.ip_address(name.partition("%")[0])
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return address in (ipaddress.ip_address("127.0.0.1"), ipaddress.ip_address("::1"))


def _inet_host(address: object) -> object | None:
    """The host of an AF_INET/AF_INET6 address tuple (None: a unix socket path)."""
    if isinstance(address, tuple) and address:
        return address[0]
    return None


class _OutsideNetworkError(OSError):
    """What a test gets instead of a connection outside 127.0.0.1."""

    def __init__(self, what: str) -> None:
        super().__init__(
            errno.ENETUNREACH, f"tests reach only 127.0.0.1 and ::1, not {what}"
        )


@pytest.fixture(autouse=True)
def outside_network_attempts(
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[list[str]]:
    """Refuse and record every attempt to reach a non-loopback address."""
    attempts: list[str] = []

    def refuse(what: str) -> _OutsideNetworkError:
        attempts.append(what)
        return _OutsideNetworkError(what)

    # The real class: pytest-socket may have put a subclass in its place for
    # this test (``socket_enabled`` puts the real one back).
    real_socket = next(
        cls
        for cls in socket.socket.__mro__
        if cls.__module__ == "socket" and cls.__name__ == "socket"
    )

    def guard_socket_method(name: str, address_index: int) -> None:
        # Wraps whatever is installed now (pytest-socket's own guard included).
        original: Callable[..., Any] = getattr(real_socket, name)

        @functools.wraps(original)
        def guarded(sock: socket.socket, *args: Any) -> Any:
            index = address_index if name != "sendto" or len(args) < 3 else 2
            host = _inet_host(args[index]) if len(args) > index else None
            if host is not None and not is_loopback(host):
                raise refuse(f"{name} {args[index]!r}")
            return original(sock, *args)

        monkeypatch.setattr(real_socket, name, guarded)

    guard_socket_method("connect", 0)
    guard_socket_method("connect_ex", 0)
    guard_socket_method("sendto", 1)

    real_getaddrinfo = socket.getaddrinfo

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host is not None and host not in _BIND_ALL and not is_loopback(host):
            raise refuse(f"name lookup {host!r}")
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)

    resolvers: list[type[Any]] = [
        aiohttp.resolver.ThreadedResolver,
        aiohttp.resolver.AsyncResolver,
    ]
    with contextlib.suppress(ImportError):  # Home Assistant's mDNS-aware ones
        from aiohttp_asyncmdnsresolver import _impl  # noqa: PLC0415

        resolvers += [_impl.AsyncMDNSResolver, _impl.AsyncDualMDNSResolver]
    for resolver in resolvers:
        if "resolve" not in vars(resolver):
            continue
        real_resolve = vars(resolver)["resolve"]

        async def resolve(
            self: Any, host: str, *args: Any, _real: Any = real_resolve, **kwargs: Any
        ) -> Any:
            if not is_loopback(host):
                raise refuse(f"name lookup {host!r}")
            return await _real(self, host, *args, **kwargs)

        monkeypatch.setattr(resolver, "resolve", resolve)

    yield attempts
    if attempts:
        pytest.fail(
            "The test tried to reach past 127.0.0.1 / ::1: " + "; ".join(attempts),
            pytrace=False,
        )
