"""Alerts: types, default settings and a pure evaluator — no HA, no database.

API (all datetimes in one convention, the database's naive UTC):

* :class:`AlertType` — ``miner_offline``, ``high_temperature``,
  ``high_reject_rate``, ``low_hashrate``, ``pool_failure``, ``block_found``,
  ``strategy_error``.
* :func:`default_alert_config_rows` → ``[{alert_type, enabled, config}]`` to
  seed ``alert_config``; :func:`settings_from_rows` (rows) →
  ``{AlertType: AlertSettings}`` (defaults merged, invalid values ignored).
* :class:`MinerState` — one miner as plain data (last seen, temperature,
  recent :class:`~..health.Sample` list, strategy-off flag, last mode change,
  pool connected, refused band changes, new :class:`BlockInfo` list).
* :func:`evaluate` ``(miners, settings, state, now)`` → :class:`Evaluation`
  ``(fired: [AlertFired], cleared: [AlertCleared], state, errors:
  [CheckError])``; a check that raises for one miner is reported in
  ``errors`` and the others go on. ``state`` is a
  JSON-serialisable dict to keep (e.g. in HA's Store) and pass back next
  time; start with ``{}``.
* :func:`block_found` — the alert for one block, for callers that notify at
  once instead of at the next evaluation.
* :class:`AlertFired` / :class:`AlertCleared` — alert_type, miner_key,
  miner_name, title, message (plain text), data (JSON-safe), channels, at;
  ``event_data()`` for Event rows and HA events.

Defaults: offline after 5 min (never for a miner the strategy switched off);
high temperature above 70 °C Bitaxe, 75 NerdQAxe, 95 Avalon, 75 others
(cleared 2 °C under); reject rate over 5 % of at least 20 shares in the last
hour, from counter deltas; hashrate 30 % under its 1-h average (the mean of
the last 5 min, not one reading; not within 20 min of a mode change, the
pre-drop average kept while the alert lasts); no pool connection; a block;
3 refused band changes in a row. Cooldown 60 min per (miner, alert type).
"""

from __future__ import annotations

from .config import (
    CHANNELS,
    DEFAULT_PARAMS,
    AlertSettings,
    AlertType,
    default_alert_config_rows,
    default_settings,
    settings_from_rows,
)
from .evaluate import block_found, evaluate
from .messages import format_difficulty
from .model import (
    AlertCleared,
    AlertEvent,
    AlertFired,
    AlertState,
    BlockInfo,
    CheckError,
    Evaluation,
    MinerState,
)

__all__ = [
    "CHANNELS",
    "DEFAULT_PARAMS",
    "AlertCleared",
    "AlertEvent",
    "AlertFired",
    "AlertSettings",
    "AlertState",
    "AlertType",
    "BlockInfo",
    "CheckError",
    "Evaluation",
    "MinerState",
    "block_found",
    "default_alert_config_rows",
    "default_settings",
    "evaluate",
    "format_difficulty",
    "settings_from_rows",
]
