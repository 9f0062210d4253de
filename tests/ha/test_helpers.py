"""Driver exceptions become translated Home Assistant errors in one place."""

from __future__ import annotations

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
from custom_components.home_miner_manager.helpers import async_call_miner


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
        (MinerError("?"), "unknown_error", False),
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


def test_every_translation_key_exists() -> None:
    """Keys raised in code have a message (with the placeholders given)."""
    import json  # noqa: PLC0415
    from pathlib import Path  # noqa: PLC0415
    import re  # noqa: PLC0415
    import string  # noqa: PLC0415

    root = Path(__file__).parents[2] / "custom_components" / "home_miner_manager"
    strings = json.loads((root / "translations" / "en.json").read_text())
    known = set(strings["exceptions"]) | set(strings["issues"])
    used: set[str] = set()
    for name in ("__init__", "coordinator", "helpers", "hub", "services"):
        module = root / f"{name}.py"
        used |= set(re.findall(r'translation_key="(\w+)"', module.read_text()))
    used |= {
        "timeout",
        "cannot_connect",
        "invalid_response",
        "network_range",
        "otp_required",
        "auth_failed",
        "calibrating",
        "mode_not_accepted",
        "refused",
        "unsupported",
        "invalid_value",
        "unknown_error",
    }
    assert used - known == set()
    # The helper always passes name/error (+reason for refusals).
    for key in ("timeout", "cannot_connect", "calibrating", "refused", "unsupported"):
        fields = {
            f
            for _, f, _, _ in string.Formatter().parse(
                strings["exceptions"][key]["message"]
            )
            if f
        }
        assert fields <= {"name", "error", "reason"}
