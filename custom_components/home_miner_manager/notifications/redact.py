"""Keep bot tokens and webhook URLs out of every error text and log line.

aiohttp puts the request URL into some exception messages, and a server may
quote it back in an error body: both carry the secret. Every text that leaves
a sender goes through :func:`redact` with the channel's secrets.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING
from urllib.parse import quote, urlsplit

if TYPE_CHECKING:
    from collections.abc import Iterable

MASK = "***"
# Shorter fragments (a webhook id, a bot id) are not secret on their own and
# masking them would mangle ordinary text.
MIN_FRAGMENT = 8
_HEX = re.compile(r"%[0-9A-F]{2}")


def secret_variants(secret: str) -> set[str]:
    """Return every form in which ``secret`` (a token or URL) may show up.

    The secret itself, its percent-encoded forms and, for URLs, the URL
    without scheme, its path and the path's last segments (the webhook
    token); for a bot token ``<bot id>:<key>`` the key too.
    """
    secret = secret.strip()
    if not secret:
        return set()
    found = {secret}
    fragments: set[str] = set()
    if "://" in secret:
        parts = urlsplit(secret)
        fragments.add(secret.split("://", 1)[1])
        path = parts.path.rstrip("/")
        if path:
            fragments.add(path)
            segments = [s for s in path.split("/") if s]
            for count in (1, 2):
                fragments.add("/".join(segments[-count:]))
        if parts.query:
            fragments.add(parts.query)
    elif ":" in secret:
        fragments.add(secret.split(":", 1)[1])
    found.update(f for f in fragments if len(f) >= MIN_FRAGMENT)
    quoted = {quote(value, safe=safe) for value in found for safe in ("", "/", "/:")}
    lowered = {_HEX.sub(lambda m: m.group().lower(), q) for q in quoted}
    return found | quoted | lowered


class Redactor:
    """Masks a fixed set of secrets in any text."""

    __slots__ = ("_variants",)

    def __init__(self, secrets: Iterable[str]) -> None:
        """Prepare the variants of ``secrets`` (empty ones are ignored)."""
        variants: set[str] = set()
        for secret in secrets:
            variants |= secret_variants(secret)
        # Longest first, so a URL is masked whole before its parts.
        self._variants = sorted(variants, key=len, reverse=True)

    def __call__(self, text: str) -> str:
        """Return ``text`` with every secret variant masked."""
        for variant in self._variants:
            if variant in text:
                text = text.replace(variant, MASK)
        return text


def redact(text: str, secrets: Iterable[str]) -> str:
    """Return ``text`` with ``secrets`` masked (see :class:`Redactor`)."""
    return Redactor(secrets)(text)
