"""Plain-text titles and messages of alerts (the notifications package adds markup)."""

from __future__ import annotations

from typing import Any

from .config import AlertType

_SUFFIXES = ((1e15, "P"), (1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k"))


def format_difficulty(value: Any) -> str:
    """Return a difficulty as miners show it: 4.29G, 812.5M, 950."""
    if not isinstance(value, int | float):
        return "?"
    for scale, suffix in _SUFFIXES:
        if abs(value) >= scale:
            return f"{value / scale:.3g}{suffix}"
    return f"{value:.3g}"


def _num(value: Any, digits: int = 1) -> str:
    return f"{value:.{digits}f}" if isinstance(value, int | float) else "?"


def describe_fired(kind: AlertType, name: str, data: dict[str, Any]) -> tuple[str, str]:
    """Return (title, message) of an alert that fires."""
    unit = data.get("unit", "GH/s")
    match kind:
        case AlertType.MINER_OFFLINE:
            if data.get("last_seen") is None:
                return "Miner offline", f"{name} has not reported yet."
            return (
                "Miner offline",
                f"{name} has not reported for {_num(data.get('offline_minutes'), 0)} min.",
            )
        case AlertType.HIGH_TEMPERATURE:
            return (
                "High temperature",
                (
                    f"{name} is at {_num(data.get('temperature'))} °C "
                    f"(limit {_num(data.get('limit_celsius'), 0)} °C)."
                ),
            )
        case AlertType.HIGH_REJECT_RATE:
            return (
                "High reject rate",
                (
                    f"{name} had {_num(data.get('reject_percent'))} % of its shares "
                    f"rejected in the last {_num(data.get('window_minutes'), 0)} min "
                    f"(limit {_num(data.get('threshold_percent'), 0)} %)."
                ),
            )
        case AlertType.LOW_HASHRATE:
            return (
                "Low hashrate",
                (
                    f"{name} is hashing {_num(data.get('current'))} {unit}, "
                    f"{_num(data.get('drop_percent'), 0)} % under its average of "
                    f"{_num(data.get('average'))} {unit}."
                ),
            )
        case AlertType.POOL_FAILURE:
            return "Pool failure", f"{name} has no working pool connection."
        case AlertType.BLOCK_FOUND:
            coin, pool = data.get("coin"), data.get("pool")
            where = " ".join(
                p
                for p in (str(coin) if coin else "", f"on {pool}" if pool else "")
                if p
            )
            return (
                "Block found!",
                (
                    f"{name} found a block{f' ({where})' if where else ''}: share "
                    f"difficulty {format_difficulty(data.get('difficulty'))} ≥ network "
                    f"{format_difficulty(data.get('network_difficulty'))}."
                ),
            )
        case AlertType.STRATEGY_ERROR:
            return (
                "Strategy error",
                (
                    f"{name} refused the strategy's mode change "
                    f"{data.get('failures', '?')} times in a row."
                ),
            )


def describe_cleared(
    kind: AlertType, name: str, data: dict[str, Any]
) -> tuple[str, str]:
    """Return (title, message) of an alert whose condition has ended."""
    unit = data.get("unit", "GH/s")
    match kind:
        case AlertType.MINER_OFFLINE:
            return "Miner back online", f"{name} is reporting again."
        case AlertType.HIGH_TEMPERATURE:
            return (
                "Temperature normal",
                f"{name} is down to {_num(data.get('temperature'))} °C.",
            )
        case AlertType.HIGH_REJECT_RATE:
            return (
                "Reject rate normal",
                f"{name} is at {_num(data.get('reject_percent'))} % rejected shares.",
            )
        case AlertType.LOW_HASHRATE:
            return (
                "Hashrate recovered",
                f"{name} is hashing {_num(data.get('current'))} {unit} again.",
            )
        case AlertType.POOL_FAILURE:
            return "Pool connected", f"{name} is connected to its pool again."
        case AlertType.STRATEGY_ERROR:
            return "Strategy error cleared", f"{name} accepted a mode change again."
    return f"{kind} cleared", f"{name}: {kind} cleared."
