"""The ``import_hmm_database`` action: move from upstream HMM (admins only).

The pure work (reading the source read-only, mapping rows, normalising
upstream's bugs, copying history) is in ``hmm_import/``; this module creates
the subentries through Home Assistant's config entries API, asks for the
passwords that were not carried (repair issues), applies bands, enrolment,
alert settings and rules (``hmm_import_settings``), and shows progress (a
persistent notification and ``home_miner_manager_import_progress`` events).
"""

from __future__ import annotations

import time
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Final, cast

from homeassistant.components import persistent_notification
from homeassistant.config_entries import ConfigSubentry
from homeassistant.core import (
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    SupportsResponse,
    callback,
)
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.service import async_register_admin_service
from sqlalchemy.exc import SQLAlchemyError
import voluptuous as vol

from ..audit import async_actor, queue_audit
from ..const import (
    CONF_COIN,
    CONF_ENABLED,
    CONF_HOST,
    CONF_MANUAL_POWER_WATTS,
    CONF_MINER_TYPE,
    CONF_NAME,
    CONF_NMMINER_BROADCAST,
    CONF_PASSWORD,
    CONF_PORT,
    CONF_PRIORITY,
    CONF_URL,
    CONF_USER,
    DOMAIN,
    SUBENTRY_MINER,
    SUBENTRY_POOL,
)
from ..data import loaded_hub
from ..db.base import utcnow
from ..db.engine import describe_error, redact_url
from ..devices.types import MinerType
from ..flows.miner_form import host_error
from ..flows.pool_form import NO_PASSWORD, pool_unique_id, stored_unique_id
from ..hmm_import import (
    ImportCounts,
    NotHmmDatabaseError,
    SourceUrlError,
    check_schema,
    open_source,
)
from ..hmm_import.config import SourceConfig, read_config
from ..hmm_import.history import HistoryImport
from ..hmm_import.rows import MinerLink
from ..hmm_import.tables import keep_since
from ..hub.lifecycle import async_sync_subentries, retention_days
from ..pools.url import PoolConfigError, parse_pool, parse_pool_url
from .settings import (
    ISSUE_POOL_PASSWORD,
    ISSUE_WEB_PASSWORD,
    async_import_alerts,
    async_import_rules,
    async_import_strategy,
    clear_solved_issues,
    pending_password,
)

if TYPE_CHECKING:
    from homeassistant.util.json import JsonValueType
    from sqlalchemy import Engine

    from ..data import HMMConfigEntry
    from ..hmm_import.schema import SourceSchema

SERVICE_IMPORT_HMM_DATABASE: Final = "import_hmm_database"
EVENT_IMPORT_PROGRESS: Final = "home_miner_manager_import_progress"
NOTIFICATION_ID: Final = "home_miner_manager_hmm_import"
BATCH_SIZE: Final = 10_000
_PROGRESS_EVERY_S: Final = 1.0
_RUNNING: Final = f"{DOMAIN}_hmm_import_running"

_SCHEMA = vol.Schema(
    {
        vol.Required("db_url"): vol.All(cv.string, vol.Length(min=1, max=2000)),
        vol.Optional("include_history", default=True): cv.boolean,
    }
)


def _read_source(engine: Engine) -> tuple[SourceSchema, SourceConfig]:
    """Check the schema and read the configuration.  BLOCKING."""
    with engine.connect() as conn:
        schema = check_schema(conn)
        return schema, read_config(conn, schema)


class _Progress:
    """A persistent notification and events, at most once a second per kind."""

    def __init__(self, hass: HomeAssistant) -> None:
        self._hass = hass
        self._shown_at = 0.0
        self._kind = ""

    def update(self, kind: str, done: int, total: int, *, force: bool = False) -> None:
        now = time.monotonic()
        if (
            not force
            and kind == self._kind
            and now - self._shown_at < _PROGRESS_EVERY_S
        ):
            return
        self._shown_at, self._kind = now, kind
        self._hass.bus.async_fire(
            EVENT_IMPORT_PROGRESS, {"kind": kind, "done": done, "total": total}
        )
        persistent_notification.async_create(
            self._hass,
            f"{kind}: {done:,} of {total:,} rows",
            title="Importing from HMM",
            notification_id=NOTIFICATION_ID,
        )


async def _async_import(call: ServiceCall) -> ServiceResponse:
    hass = call.hass
    entry = loaded_hub(hass)
    if hass.data.get(_RUNNING):
        raise ServiceValidationError(
            translation_domain=DOMAIN, translation_key="hmm_import_running"
        )
    try:
        source = open_source(call.data["db_url"])
    except SourceUrlError as err:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key=f"hmm_source_{err.reason}",
            translation_placeholders={"source": err.shown},
        ) from None
    shown = redact_url(source.url)
    hass.data[_RUNNING] = True
    try:
        counts = await _async_run(call, entry, source)
    finally:
        hass.data.pop(_RUNNING, None)
        await hass.async_add_executor_job(source.dispose)
    hub = entry.runtime_data
    queue_audit(
        hub.database,
        actor=await async_actor(hass, context=call.context),
        action=SERVICE_IMPORT_HMM_DATABASE,
        resource_id=None,
        resource_name=shown,
        changes={k: v["imported"] for k, v in counts.as_dict().items()},
        resource_type="action",
    )
    hass.bus.async_fire(EVENT_IMPORT_PROGRESS, {"kind": "done", "done": 1, "total": 1})
    persistent_notification.async_create(
        hass,
        "\n".join(
            f"- {kind}: {c.imported} imported, {c.already_there} already there"
            + (f", skipped {dict(c.skipped)}" if c.skipped else "")
            for kind, c in counts.kinds.items()
        ),
        title="Import from HMM finished",
        notification_id=NOTIFICATION_ID,
    )
    return {
        "source": shown,
        "counts": cast("dict[str, JsonValueType]", counts.as_dict()),
    }


def _unreadable(err: SQLAlchemyError, source: Engine) -> HomeAssistantError:
    return HomeAssistantError(
        translation_domain=DOMAIN,
        translation_key="hmm_source_unreadable",
        translation_placeholders={"error": describe_error(err, source.url)},
    )


async def _async_run(
    call: ServiceCall, entry: HMMConfigEntry, source: Engine
) -> ImportCounts:
    hass = call.hass
    try:
        schema, config = await hass.async_add_executor_job(_read_source, source)
    except NotHmmDatabaseError as err:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="not_hmm_database",
            translation_placeholders={"missing": ", ".join(err.missing)},
        ) from None
    except SQLAlchemyError as err:
        raise _unreadable(err, source) from None
    counts = ImportCounts()
    progress = _Progress(hass)
    progress.update("configuration", 0, 1, force=True)
    pools = _add_pools(hass, entry, config, counts)
    linked = _add_miners(hass, entry, config, counts)
    # Rows and coordinators for the new subentries, now (idempotent: the
    # update listener finds nothing left to do).
    await async_sync_subentries(hass, entry)
    links = _links(entry, linked)
    clear_solved_issues(hass, entry)
    user_id = call.context.user_id
    await async_import_strategy(entry, config, links, counts, user_id)
    await async_import_alerts(entry, config, counts)
    await async_import_rules(hass, entry, config, counts, linked=linked, pools=pools)
    if call.data["include_history"]:
        try:
            await _async_history(
                entry,
                source=source,
                schema=schema,
                links=links,
                counts=counts,
                progress=progress,
            )
        except SQLAlchemyError as err:
            # What was copied stays (each batch is committed); a new run
            # goes on from there, adding nothing twice.
            raise _unreadable(err, source) from None
    return counts


def _add_pools(
    hass: HomeAssistant, entry: HMMConfigEntry, config: SourceConfig, counts: Any
) -> dict[int, str]:
    """Add a subentry per new pool; return source id → our pool's title."""
    kind = counts["pools"]
    known = {
        stored_unique_id(sub): sub.title
        for sub in entry.subentries.values()
        if sub.subentry_type == SUBENTRY_POOL
    }
    titles: dict[int, str] = {}
    for pool in config.pools:
        try:
            parse_pool(pool.url, pool.port, pool.user)
            address = parse_pool_url(pool.url, pool.port)
        except PoolConfigError:
            kind.skipped["invalid_pool"] += 1
            continue
        unique_id = pool_unique_id(address.host, address.port, pool.user)
        if unique_id in known:
            kind.already_there += 1
            titles[pool.source_id] = known[unique_id]
            continue
        known[unique_id] = titles[pool.source_id] = pool.name[:100]
        data: dict[str, Any] = {
            CONF_NAME: pool.name[:100],
            CONF_URL: pool.url,
            CONF_PORT: pool.port,
            CONF_USER: pool.user,
            CONF_COIN: pool.coin,
            CONF_PRIORITY: pool.priority,
            CONF_ENABLED: pool.enabled,
        }
        if not pool.had_password:
            data[CONF_PASSWORD] = NO_PASSWORD  # what the pool flow stores
        subentry = ConfigSubentry(
            data=MappingProxyType(data),
            subentry_type=SUBENTRY_POOL,
            title=pool.name[:100],
            unique_id=unique_id,
        )
        hass.config_entries.async_add_subentry(entry, subentry)
        kind.imported += 1
        if pool.had_password:
            pending_password(hass, ISSUE_POOL_PASSWORD, subentry)
    return titles


def _add_miners(
    hass: HomeAssistant, entry: HMMConfigEntry, config: SourceConfig, counts: Any
) -> dict[int, str]:
    """Add a subentry per new miner; return source id → subentry id."""
    kind = counts["miners"]
    known = {
        (sub.data.get(CONF_HOST), sub.data.get(CONF_PORT)): sub.subentry_id
        for sub in entry.subentries.values()
        if sub.subentry_type == SUBENTRY_MINER
    }
    linked: dict[int, str] = {}
    for miner in config.miners:
        if miner.miner_type is None:
            kind.skipped["unsupported_type"] += 1
            continue
        if not miner.host or host_error(miner.host) or miner.host == "0.0.0.0":  # noqa: S104
            kind.skipped["invalid_address"] += 1
            continue
        if (found := known.get((miner.host, miner.port))) is not None:
            kind.already_there += 1
            linked[miner.source_id] = found
            continue
        data: dict[str, Any] = {
            CONF_NAME: miner.name[:100],
            CONF_HOST: miner.host,
            CONF_MINER_TYPE: miner.miner_type.value,
            CONF_ENABLED: miner.enabled,
        }
        if miner.port is not None:
            data[CONF_PORT] = miner.port
        if miner.manual_power_watts:
            data[CONF_MANUAL_POWER_WATTS] = miner.manual_power_watts
        if miner.miner_type is MinerType.NMMINER:
            data[CONF_NMMINER_BROADCAST] = True  # upstream only listened to them
        subentry = ConfigSubentry(
            data=MappingProxyType(data),
            subentry_type=SUBENTRY_MINER,
            title=miner.name[:100],
            unique_id=None,
        )
        hass.config_entries.async_add_subentry(entry, subentry)
        entry.runtime_data.added_via[subentry.subentry_id] = "hmm_import"
        known[(miner.host, miner.port)] = subentry.subentry_id
        linked[miner.source_id] = subentry.subentry_id
        kind.imported += 1
        if miner.miner_type is MinerType.AVALON_NANO:
            pending_password(hass, ISSUE_WEB_PASSWORD, subentry)
    return linked


def _links(entry: HMMConfigEntry, linked: dict[int, str]) -> dict[int, MinerLink]:
    """Our miner row per source miner: the row the hub's sync links (miner_id)."""
    links: dict[int, MinerLink] = {}
    for source_id, subentry_id in linked.items():
        coordinator = entry.runtime_data.coordinators.get(subentry_id)
        if coordinator is not None:
            links[source_id] = MinerLink(
                coordinator.miner_id,
                coordinator.name,
                str(coordinator.subentry.data[CONF_MINER_TYPE]),
            )
    return links


async def _async_history(
    entry: HMMConfigEntry,
    *,
    source: Engine,
    schema: SourceSchema,
    links: dict[int, MinerLink],
    counts: ImportCounts,
    progress: _Progress,
) -> None:
    """Copy history batch by batch in the database's own threads."""
    job = HistoryImport(
        source,
        schema,
        links,
        counts,
        batch_size=BATCH_SIZE,
        keep_since=keep_since(utcnow(), retention_days(entry)),
    )
    database = entry.runtime_data.database
    await database.async_run(lambda _session: job.totals())
    while (step := await database.async_run(job.step)) is not None:
        progress.update(*step)


@callback
def async_setup_import_service(hass: HomeAssistant) -> None:
    """Register the action (admins only: it adds miners and writes history)."""
    async_register_admin_service(
        hass,
        DOMAIN,
        SERVICE_IMPORT_HMM_DATABASE,
        _async_import,
        schema=_SCHEMA,
        supports_response=SupportsResponse.OPTIONAL,
    )
