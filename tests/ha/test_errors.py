"""Driver exceptions become translated Home Assistant errors in one place."""

from __future__ import annotations

import json
from pathlib import Path
import re
import string
from typing import Any

from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
import pytest

from custom_components.home_miner_manager.const import DOMAIN
from custom_components.home_miner_manager.devices.exceptions import (
    InvalidCommandValueError,
    MinerAuthError,
    MinerConnectionError,
    MinerError,
    MinerNetworkRangeError,
    MinerOTPRequiredError,
    MinerRefusedError,
    MinerResponseError,
    MinerTimeoutError,
    MinerUnsupportedError,
)
from custom_components.home_miner_manager.errors import (
    ERROR_KEYS,
    REFUSAL_KEYS,
    UNKNOWN,
    async_call_miner,
    error_key,
)


@pytest.mark.parametrize(
    ("error", "key", "validation"),
    [
        (MinerTimeoutError("t"), "timeout", False),
        (MinerConnectionError("c"), "cannot_connect", False),
        (MinerResponseError("r"), "invalid_response", False),
        (MinerNetworkRangeError("n"), "network_range", False),
        (MinerOTPRequiredError("o"), "otp_required", False),
        (MinerAuthError("a"), "auth_failed", False),
        (MinerRefusedError("busy", "calibrating"), "calibrating", False),
        (MinerRefusedError("no", "unsupported_mode"), "mode_not_accepted", True),
        (MinerRefusedError("no", "other"), "refused", False),
        (MinerUnsupportedError("u"), "unsupported", True),
        (InvalidCommandValueError("v"), "invalid_value", True),
        (MinerError("?"), "unknown", False),
    ],
)
async def test_async_call_miner(error: MinerError, key: str, validation: bool) -> None:
    async def _fail() -> None:
        raise error

    with pytest.raises(HomeAssistantError) as raised:
        await async_call_miner("Desk miner", _fail())
    assert raised.value.translation_domain == DOMAIN
    assert raised.value.translation_key == key
    assert isinstance(raised.value, ServiceValidationError) is validation
    assert raised.value.translation_placeholders is not None
    assert raised.value.translation_placeholders["name"] == "Desk miner"
    assert raised.value.__cause__ is error


async def test_async_call_miner_returns_value() -> None:
    async def _ok() -> int:
        return 7

    assert await async_call_miner("x", _ok()) == 7


def _strings() -> dict[str, Any]:
    root = Path(__file__).parents[2] / "custom_components" / "home_miner_manager"
    return json.loads((root / "translations" / "en.json").read_text())  # type: ignore[no-any-return]


def test_every_translation_key_exists() -> None:
    """Keys raised in code have a message (with the placeholders given)."""
    root = Path(__file__).parents[2] / "custom_components" / "home_miner_manager"
    strings = _strings()
    known = set(strings["exceptions"]) | set(strings["issues"])
    used: set[str] = set()
    for module in root.glob("*.py"):
        used |= set(
            re.findall(
                r'translation_domain=DOMAIN,\s*translation_key="(\w+)"',
                module.read_text(),
            )
        )
    table = {key for _, key in ERROR_KEYS} | set(REFUSAL_KEYS.values()) | {UNKNOWN}
    assert (used | table) - known == set()
    # The error table always passes name/error (+reason for refusals).
    for key in table:
        fields = {
            f
            for _, f, _, _ in string.Formatter().parse(
                strings["exceptions"][key]["message"]
            )
            if f
        }
        assert fields <= {"name", "error", "reason"}, key


def test_one_key_per_error_everywhere() -> None:
    """Flows, actions and repairs name a failure with the same key (one table)."""
    strings = _strings()
    form_errors = set(strings["config_subentries"]["miner"]["error"])
    for error_type, key in ERROR_KEYS:
        if error_type in (InvalidCommandValueError,):
            continue  # a command argument, never the answer to a probe
        assert key in form_errors, key
    assert UNKNOWN in form_errors
    # Repairs raised for a refused read use the same keys.
    for error in (
        MinerNetworkRangeError("n"),
        MinerOTPRequiredError("o"),
        MinerAuthError("a"),
    ):
        assert error_key(error) in strings["issues"]
