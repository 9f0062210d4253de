"""Constants for Home Miner Manager."""

from __future__ import annotations

from datetime import timedelta
import logging
from typing import Final

from .db.retention import AUDIT_DAYS, RETENTION_DEFAULTS, TELEMETRY_DAYS

DOMAIN: Final = "home_miner_manager"
LOGGER = logging.getLogger(__package__)

DB_FILENAME: Final = "home_miner_manager.db"

CONF_DB_URL: Final = "db_url"

# Name (and maker) of the hub's own device, parent of every miner device.
HUB_DEVICE_NAME: Final = "Home Miner Manager"

SUBENTRY_MINER: Final = "miner"
SUBENTRY_POOL: Final = "pool"
SUBENTRY_RULE: Final = "rule"

# Retention (days): option keys and defaults belong to the database layer.
CONF_TELEMETRY_DAYS: Final = TELEMETRY_DAYS
CONF_AUDIT_DAYS: Final = AUDIT_DAYS
DEFAULT_RETENTION: Final[dict[str, int]] = dict(RETENTION_DEFAULTS)

# Miner subentry fields (other tools rely on these names).
CONF_NAME: Final = "name"
CONF_MINER_TYPE: Final = "miner_type"
CONF_HOST: Final = "host"
CONF_PORT: Final = "port"
CONF_MANUAL_POWER_WATTS: Final = "manual_power_watts"
CONF_WEB_PASSWORD: Final = "web_password"  # noqa: S105  (a field name)
CONF_SCAN_INTERVAL: Final = "scan_interval"
MINER_TYPE_AUTO: Final = "auto"

DEFAULT_SCAN_INTERVAL: Final = timedelta(seconds=30)
MIN_SCAN_INTERVAL_S: Final = 10
MAX_SCAN_INTERVAL_S: Final = 300

# Hub-level (added by the HA glue).
CONF_ENABLED: Final = "enabled"
CONF_MINER_ID: Final = "miner_id"
CONF_NMMINER_BROADCAST: Final = "udp_broadcast"
NMMINER_LISTEN_HOST: Final = "0.0.0.0"  # noqa: S104  (broadcasts arrive on every interface)
NMMINER_LISTEN_PORT: Final = 12345
# Broadcast-only NMMiners send a datagram every 2-5 s; after this long without
# one the miner is shown unavailable.
NMMINER_STALE_AFTER: Final = timedelta(minutes=2)
# How long the miner flow waits for a first NMMiner broadcast.
NMMINER_DISCOVERY_WAIT_S: Final = 12.0
# An NMMiner heard broadcasting is offered for adding again after this long
# (the flow aborts at once if the user ignored it or it is being added).
NMMINER_DISCOVERY_RETRY_S: Final = 3600.0
# Port probed for a DHCP-discovered miner (None: each protocol's default).
DISCOVERY_PROBE_PORT: Final[int | None] = None
# Hub-wide bound on miner polls in flight, and how many polls start or are
# processed per event-loop iteration (see MinerCoordinator._async_fetch;
# measured with scripts/bench_ha).
MAX_CONCURRENT_POLLS: Final = 64
POLL_STEPS_PER_TURN: Final = 1
# Nightly database maintenance (same slot as the recorder's purge).
MAINTENANCE_TIME: Final = (4, 12, 0)
AUDIT_SYSTEM_USER: Final = "system"

# Pool subentry fields (contract: other tools rely on these names).
CONF_URL: Final = "url"
CONF_USER: Final = "user"
CONF_PASSWORD: Final = "password"  # noqa: S105  (a field name)
CONF_COIN: Final = "coin"
CONF_PRIORITY: Final = "priority"
# Per pool: switch its miners here after 2 failed checks (a pool subentry id).
CONF_FAILOVER_TO: Final = "failover_to"
# Per pool: log in with the user exactly as entered (no ".<miner name>").
CONF_KEEP_USER: Final = "keep_user"
# The pool's ``pools`` row (like CONF_MINER_ID for miners).
CONF_POOL_ID: Final = "pool_id"
POOL_COINS: Final = ("BTC", "BCH", "DGB", "BC2", "BTC_POOLED")
# Hub option: minutes between two health checks of each pool.
CONF_POOL_CHECK_MINUTES: Final = "pool_check_minutes"
DEFAULT_POOL_CHECK_MINUTES: Final = 5
# How long a pool switch may take to show in the miner's polls (Avalon reboots).
POOL_SWITCH_DEADLINE: Final = timedelta(minutes=3)

# Agile Solo strategy and prices (issue #9); option keys and defaults.
CONF_PRICE_SOURCE: Final = "price_source"
PRICE_SOURCE_ENTITY: Final = "octopus_entity"
PRICE_SOURCE_API: Final = "octopus_api"
CONF_PRICE_ENTITY: Final = "price_entity"
CONF_REGION: Final = "region"
DEFAULT_REGION: Final = "H"  # upstream's default grid supply point
CONF_HYSTERESIS_SLOTS: Final = "hysteresis_slots"
DEFAULT_HYSTERESIS_SLOTS: Final = 2
CONF_WHEN_PRICE_UNKNOWN: Final = "when_price_unknown"
DEFAULT_WHEN_PRICE_UNKNOWN: Final = "off"
CONF_CRYPTO_PRICES: Final = "crypto_prices"
CONF_POWER_SWITCH: Final = "power_switch"
# Base URLs, module constants so tests and benchmarks point them at fakes.
OCTOPUS_API_URL: Final = "https://api.octopus.energy"
COINGECKO_API_URL: Final = "https://api.coingecko.com/api/v3"
COINCAP_API_URL: Final = "https://api.coincap.io/v2"
BINANCE_API_URL: Final = "https://api.binance.com/api/v3"
# After Home Assistant starts, the price entity gets this long to appear
# before the price counts as unknown (no OFF/ON flap on every restart).
PRICE_GRACE: Final = timedelta(minutes=5)
PRICE_API_RETRY: Final = timedelta(minutes=5)
CRYPTO_INTERVAL: Final = timedelta(minutes=10)
STRATEGY_RECONCILE_INTERVAL: Final = timedelta(minutes=5)
# How long to wait for a miner to answer after its power switch went on.
POWER_ON_WAIT: Final = timedelta(minutes=2)
POWER_ON_POLL_EVERY_S: Final = 5.0
# Polling interval of a miner the strategy switched off.
STRATEGY_OFF_SCAN_INTERVAL: Final = timedelta(minutes=5)
EVENT_BAND_CHANGED: Final = "home_miner_manager_band_changed"
# Hub option: a server answering solopool-style ``{url}/{coin}/api/stats`` for
# network difficulties (a local pool, a fake in tests); empty: solopool.org.
CONF_POOL_STATS_URL: Final = "pool_stats_url"
