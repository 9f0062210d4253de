"""Electricity and coin prices as plain data (no Home Assistant, no database).

Every source produces :class:`PriceSlot` lists (aware UTC times, minor unit
of Home Assistant's currency per kWh: pence for Octopus, ``price_pence``
keeps its name); the strategy only ever sees those.

Modules:

* :mod:`.slots` — ``PriceSlot``, ``PriceSource`` (``async_slots(now)``),
  ``merge_slots(*lists)`` (first list wins a start), ``slot_at(slots, t)``.
* :mod:`.octopus_entity` — the Octopus HA integration's day-list entities:
  ``parse_rates_attributes(attrs) -> ParsedRates`` (slots, skipped, tariff,
  region, ``is_export``), ``tariff_of(attrs)`` (``tariff_code`` or
  ``tariff``), ``is_export_tariff(code)``, ``meter_entity(id) -> MeterEntity``
  (stem, suffix, export, rate sensor), ``next_day_entity_id(id)``,
  ``region_from_tariff(code)``, ``read_entities(read_state, current_day_id,
  next_day_id=None)`` and ``OctopusEntitySource`` (keeps the slots it saw:
  midnight). Rate sensors are never a price source.
* :mod:`.octopus_api` — public API: ``OctopusAgileClient(session, base_url)``
  with ``async_find_product(now)`` and ``async_unit_rates(region, now,
  product=None) -> AgileRates``; ``OctopusApiSource``; pure helpers
  ``rates_window(now)``, ``next_refresh_at(now, last, has_tomorrow)``,
  ``should_refresh(...)``, ``covers_tomorrow(slots, now)``; errors derive from
  ``OctopusError``.
* :mod:`.crypto` — ``CryptoPriceClient(session, coingecko_url=...,
  coincap_url=..., binance_url=...)``, ``async_prices(coins) ->
  CryptoPrices`` (per coin ``CoinPrice(coin, price_gbp, source)``); errors
  derive from ``CryptoPriceError``.
* Other tariffs, one module per source shape (plain data in,
  :class:`~.tariff_items.ParsedPrices` out): :mod:`.nordpool`
  (``parse_response``), :mod:`.tibber`, :mod:`.amber`, :mod:`.entsoe`,
  :mod:`.generic` (``parse_attributes``); shared :mod:`.tariff_items`
  (``parse_list``, ends inferred), :mod:`.units` (``factor_for(unit,
  currency, default)``, ``price_unit_label``) and :mod:`.tariff_kind`
  (``detect_source(entity_id, platform, attributes) -> SourceKind``).
* :mod:`.stats` — ``day_stats(slots, now) -> DayStats`` (min, max, average,
  current and next slot of the UK day).
"""

from __future__ import annotations

from .slots import PriceSlot, PriceSource, merge_slots, slot_at

__all__ = ["PriceSlot", "PriceSource", "merge_slots", "slot_at"]
