"""JSON encoding for JSON columns: orjson when present (Home Assistant ships it).

The engine is created with these as ``json_serializer``/``json_deserializer``
and the writer's SQLite fast path uses the same ``dumps``, so every path
stores identical text.
"""

from __future__ import annotations

import importlib.util
import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable


def _stdlib_dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


def _pick() -> tuple[Callable[[Any], str], Callable[[str | bytes], Any]]:
    if importlib.util.find_spec("orjson") is None:  # outside Home Assistant
        return _stdlib_dumps, json.loads
    import orjson  # noqa: PLC0415  (optional dependency)

    option = orjson.OPT_NON_STR_KEYS

    def _dumps(value: Any) -> str:
        return orjson.dumps(value, option=option).decode()

    return _dumps, orjson.loads


dumps, loads = _pick()
