"""The pure alert evaluator: miner state + settings + alert state + now → events."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime, timedelta
import math
from typing import Any, NamedTuple

from ..health.samples import (
    Sample,
    share_deltas,
)
from .config import AlertSettings, AlertType, default_settings
from .messages import describe_cleared, describe_fired
from .model import (
    AlertCleared,
    AlertFired,
    AlertState,
    BlockInfo,
    CheckError,
    Evaluation,
    MinerState,
)


class _Check(NamedTuple):
    active: bool
    data: dict[str, Any]
    remember: dict[str, Any] | None = None  # kept in the entry for the episode


class _Miner:
    """One miner's view for the checks, computed once per evaluation."""

    __slots__ = ("miner", "now", "online")

    def __init__(self, miner: MinerState, now: datetime, offline_s: float) -> None:
        self.miner = miner
        self.now = now
        seen = miner.last_seen
        self.online = (
            not miner.strategy_off
            and seen is not None
            and (now - seen).total_seconds() <= offline_s
        )

    def between(self, start: datetime, *, after: bool = False) -> Sequence[Sample]:
        """Return the samples from ``start`` (or just after it) up to now.

        Samples are time-ordered, so two bisections replace a comparison per
        sample: this keeps 200 miners well under the evaluation budget.
        """
        samples = self.miner.samples
        find = bisect_right if after else bisect_left
        first = find(samples, start, key=_timestamp)
        last = bisect_right(samples, self.now, lo=first, key=_timestamp)
        return samples[first:last]


def _timestamp(sample: Sample) -> datetime:
    return sample.timestamp


_CheckFn = Callable[[_Miner, AlertSettings, dict[str, Any] | None], _Check | None]


def _offline(m: _Miner, cfg: AlertSettings, _: dict[str, Any] | None) -> _Check | None:
    miner = m.miner
    if miner.strategy_off:
        # Off on purpose. An earlier alert stays open until it is back.
        return None
    timeout = cfg.number("timeout_minutes")
    if miner.last_seen is None:
        return _Check(True, {"last_seen": None, "timeout_minutes": timeout})
    age = (m.now - miner.last_seen).total_seconds()  # not .seconds: no wrap at 1 day
    return _Check(
        age > timeout * 60,
        {
            "last_seen": miner.last_seen.isoformat(),
            "offline_minutes": round(age / 60, 1),
            "timeout_minutes": timeout,
        },
    )


def _temperature(
    m: _Miner, cfg: AlertSettings, entry: dict[str, Any] | None
) -> _Check | None:
    temp = m.miner.temperature
    if not m.online or temp is None or not math.isfinite(temp) or temp <= 0:
        return None
    limit = cfg.temperature_limit(m.miner.miner_type)
    if entry and entry.get("active"):
        limit -= cfg.number("clear_margin_celsius")
    return _Check(
        temp > limit,
        {
            "temperature": round(temp, 1),
            "limit_celsius": cfg.temperature_limit(m.miner.miner_type),
        },
    )


def _reject_rate(
    m: _Miner, cfg: AlertSettings, _: dict[str, Any] | None
) -> _Check | None:
    if not m.online:
        return None
    window = cfg.number("window_minutes")
    deltas = share_deltas(m.between(m.now - timedelta(minutes=window)))
    percent = deltas.reject_percent
    if percent is None or deltas.total < cfg.number("min_shares"):
        return None  # too few shares to judge: keep whatever was decided
    threshold = cfg.number("threshold_percent")
    return _Check(
        percent > threshold,
        {
            "reject_percent": round(percent, 2),
            "threshold_percent": threshold,
            "window_minutes": window,
            "shares": deltas.total,
        },
    )


def _low_hashrate(
    m: _Miner, cfg: AlertSettings, entry: dict[str, Any] | None
) -> _Check | None:
    miner = m.miner
    if not m.online:
        return None
    window = cfg.number("window_minutes")
    start = m.now - timedelta(minutes=window)
    changed = miner.last_mode_change
    if changed is not None:
        settled = changed + timedelta(minutes=cfg.number("mode_change_grace_minutes"))
        if m.now < settled:
            return None  # a new mode is still ramping up
        start = max(start, settled)  # the old mode's hashrate is no baseline
    recent_start = m.now - timedelta(minutes=cfg.number("recent_minutes"))
    rates = _rates(m.between(start))
    recent = _rates(m.between(recent_start, after=True))
    if not recent:
        return None
    current = sum(recent) / len(recent)
    baseline = _kept_baseline(entry, changed)
    if baseline is None:
        # Recent samples can all predate the end of the grace (polls stopped,
        # the clock jumped): no baseline then, not a division by zero.
        if len(rates) < max(cfg.number("min_samples"), 1):
            return None
        baseline = sum(rates) / len(rates)
        if baseline <= 0:
            return None
    drop = cfg.number("drop_percent")
    return _Check(
        current < baseline * (1 - drop / 100),
        {
            "current": round(current, 3),
            "average": round(baseline, 3),
            "drop_percent": round((1 - current / baseline) * 100, 1)
            if baseline
            else 0.0,
            "threshold_percent": drop,
            "unit": miner.hashrate_unit,
        },
        {"baseline": baseline},
    )


def _kept_baseline(
    entry: dict[str, Any] | None, changed: datetime | None
) -> float | None:
    """Return the pre-drop baseline of an open episode, if it still applies.

    Kept while the episode lasts; otherwise a lasting drop drags the hour's
    average down and "clears" itself. A mode change since then ends it.
    """
    if not entry or not entry.get("active") or "baseline" not in entry:
        return None
    since = entry.get("since")
    if changed is None or (since and changed < datetime.fromisoformat(since)):
        return float(entry["baseline"])
    return None


def _rates(samples: Iterable[Sample]) -> list[float]:
    rates = [s.hashrate for s in samples]
    # 0 <= r < inf also drops NaN (every comparison with NaN is false).
    return [r for r in rates if r is not None and 0 <= r < math.inf]


def _pool(m: _Miner, _cfg: AlertSettings, _: dict[str, Any] | None) -> _Check | None:
    if not m.online or m.miner.pool_connected is None:
        return None
    return _Check(not m.miner.pool_connected, {})


def _strategy(m: _Miner, cfg: AlertSettings, _: dict[str, Any] | None) -> _Check | None:
    if not m.online:
        # A miner that does not answer refuses nothing: that is the offline
        # alert's business. An open episode stays as it is.
        return None
    failures = m.miner.band_change_failures
    return _Check(failures >= cfg.number("max_failures"), {"failures": failures})


CHECKS: tuple[tuple[AlertType, _CheckFn], ...] = (
    (AlertType.MINER_OFFLINE, _offline),
    (AlertType.HIGH_TEMPERATURE, _temperature),
    (AlertType.HIGH_REJECT_RATE, _reject_rate),
    (AlertType.LOW_HASHRATE, _low_hashrate),
    (AlertType.POOL_FAILURE, _pool),
    (AlertType.STRATEGY_ERROR, _strategy),
)


def _cooled(entry: dict[str, Any], now: datetime, cooldown_s: float) -> bool:
    last = entry.get("last_fired")
    if last is None:
        return True
    elapsed = (now - datetime.fromisoformat(last)).total_seconds()
    # Exactly at the end of the cooldown counts as over. A last alert "in the
    # future" means the clock was set back: do not mute for that long.
    return elapsed >= cooldown_s or elapsed < 0


def evaluate(
    miners: Iterable[MinerState],
    settings: Mapping[AlertType, AlertSettings],
    state: Mapping[str, Mapping[str, Mapping[str, Any]]],
    now: datetime,
) -> Evaluation:
    """Evaluate every enabled alert of every miner at ``now``.

    ``state`` is the previous ``Evaluation.state`` (or ``{}``); it is not
    modified. Per (miner, alert type) an episode starts when the condition
    becomes true; it fires unless that pair fired less than the type's
    cooldown ago, in which case it fires once the cooldown is over if still
    true. When a fired episode's condition ends, one AlertCleared follows.
    A check without the data to decide (miner offline, too few shares,
    mode change grace) leaves the pair as it was.
    """
    cfgs = {kind: settings.get(kind) or default_settings(kind) for kind in AlertType}
    offline_s = cfgs[AlertType.MINER_OFFLINE].number("timeout_minutes") * 60
    out = Evaluation(
        state={k: {t: dict(e) for t, e in v.items()} for k, v in state.items()}
    )
    stamp = now.isoformat()
    for miner in miners:
        view = _Miner(miner, now, offline_s)
        entries = out.state.setdefault(miner.key, {})
        for kind, check in CHECKS:
            cfg = cfgs[kind]
            if not cfg.enabled:
                entries.pop(kind.value, None)  # re-enabling starts afresh
                continue
            entry = entries.get(kind.value)
            try:
                result = check(view, cfg, entry)
                if result is not None:
                    _step(
                        out,
                        entries,
                        kind,
                        cfg,
                        miner,
                        result=result,
                        now=now,
                        stamp=stamp,
                    )
            except Exception as err:  # noqa: BLE001  (one bad case must not stop the rest)
                # Reported, and the pair left as it was.
                out.errors.append(CheckError(miner.key, miner.name, kind, err))
        block_cfg = cfgs[AlertType.BLOCK_FOUND]
        if block_cfg.enabled:
            out.fired.extend(
                block_found(miner, block, block_cfg, now) for block in miner.new_blocks
            )
    _prune(out.state, cfgs, now)
    return out


def _step(
    out: Evaluation,
    entries: dict[str, dict[str, Any]],
    kind: AlertType,
    cfg: AlertSettings,
    miner: MinerState,
    *,
    result: _Check,
    now: datetime,
    stamp: str,
) -> None:
    entry = entries.get(kind.value)
    if result.active:
        if entry is None or not entry.get("active"):
            last = entry.get("last_fired") if entry else None
            entry = {
                "active": True,
                "notified": False,
                "since": stamp,
                "last_fired": last,
            }
            entry.update(result.remember or {})
            entries[kind.value] = entry
        if not entry["notified"] and _cooled(entry, now, cfg.cooldown_s):
            entry["notified"] = True
            entry["last_fired"] = stamp
            title, message = describe_fired(kind, miner.name, result.data)
            out.fired.append(
                AlertFired(
                    kind,
                    miner.key,
                    miner.name,
                    title,
                    message,
                    _with_type(result.data, miner),
                    cfg.channels,
                    now,
                )
            )
    elif entry is not None and entry.get("active"):
        entry["active"] = False
        if entry.pop("notified", False):
            since = datetime.fromisoformat(entry["since"])
            data = {
                **result.data,
                "active_since": entry["since"],
                "duration_s": round((now - since).total_seconds(), 1),
            }
            title, message = describe_cleared(kind, miner.name, data)
            out.cleared.append(
                AlertCleared(
                    kind,
                    miner.key,
                    miner.name,
                    title,
                    message,
                    _with_type(data, miner),
                    cfg.channels,
                    now,
                )
            )
        entry["notified"] = False
        entry.pop("baseline", None)


def _with_type(data: dict[str, Any], miner: MinerState) -> dict[str, Any]:
    return {"miner_type": str(miner.miner_type), **data}


def _prune(
    state: AlertState, cfgs: Mapping[AlertType, AlertSettings], now: datetime
) -> None:
    # Quiet pairs whose cooldown is over carry no information: drop them so
    # the state stays small (it is persisted).
    for key in list(state):
        entries = state[key]
        for kind in list(entries):
            entry = entries[kind]
            cfg = cfgs.get(AlertType(kind)) if kind in AlertType else None
            cooldown = cfg.cooldown_s if cfg else 0.0
            if not entry.get("active") and _cooled(entry, now, cooldown):
                del entries[kind]
        if not entries:
            del state[key]


def block_found(
    miner: MinerState, block: BlockInfo, settings: AlertSettings, now: datetime
) -> AlertFired:
    """Return the alert for a found block (never throttled: each is news)."""
    data: dict[str, Any] = {
        "difficulty": block.difficulty,
        "network_difficulty": block.network_difficulty,
        "coin": block.coin,
        "pool": block.pool,
        "found_at": (block.found_at or now).isoformat(),
    }
    title, message = describe_fired(AlertType.BLOCK_FOUND, miner.name, data)
    return AlertFired(
        AlertType.BLOCK_FOUND,
        miner.key,
        miner.name,
        title,
        message,
        _with_type(data, miner),
        settings.channels,
        now,
    )
