"""Stratum worker names: ``<pool user>.<miner name>``.

Pools show per-worker statistics when the user is ``address.worker``. Miner
display names can hold spaces and symbols ("03 - Green"), which pools and
cgminer's ``setpool`` refuse, so the name is reduced to ``[A-Za-z0-9_-]``.
"""

from __future__ import annotations

import re
from typing import Final

from ..devices.validation import MAX_USER_LEN

MAX_WORKER_LEN: Final = 32  # several pools cut worker names around here
_NOT_ALLOWED: Final = re.compile(r"[^A-Za-z0-9_-]+")
_SEPARATORS: Final = re.compile(r"[_-]{2,}")


def sanitize_worker_name(name: str, max_len: int = MAX_WORKER_LEN) -> str:
    """Reduce a display name to ``[A-Za-z0-9_-]``; "" when nothing is left.

    Runs of other characters become ``_``; a run of separators collapses to
    ``-`` when it held a dash (so "03 - Green" gives "03-Green"), else ``_``.
    """
    text = _NOT_ALLOWED.sub("_", name)
    text = _SEPARATORS.sub(lambda m: "-" if "-" in m.group() else "_", text)
    return text[:max_len].strip("_-")


def user_names_worker(user: str) -> bool:
    """Tell whether the pool user already carries a worker (``address.worker``)."""
    address, dot, worker = user.strip().partition(".")
    return bool(address and dot and worker)


def worker_user(pool_user: str, miner_name: str, *, keep_user: bool = False) -> str:
    """Return the stratum user a miner should log in with.

    ``pool_user`` unchanged when ``keep_user`` is set, when it already names a
    worker, or when the miner name has no usable character; otherwise
    ``pool_user.<sanitized name>`` within the drivers' user length limit.
    """
    user = pool_user.strip()
    if keep_user or user_names_worker(user):
        return user
    base = user.rstrip(".")
    room = MAX_USER_LEN - len(base) - 1
    worker = sanitize_worker_name(miner_name, min(MAX_WORKER_LEN, room))
    if room < 1 or not worker:
        return user
    return f"{base}.{worker}"
