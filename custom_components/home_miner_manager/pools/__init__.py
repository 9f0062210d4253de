"""Pools: URL fields, stratum checks, health, shares and network difficulty.

Plain Python: no Home Assistant, no database (``db/share_rows.py`` holds the
queries). I/O is asyncio (stratum) or aiohttp with the session passed in; the
pure functions take the time as an argument and never read a clock.

``url`` — what the user types
    ``parse_pool(url, port, user, password) -> PoolTarget`` validates a whole
    entry (``stratum+tcp://host:port`` or a host; a port in the URL wins) and
    returns the drivers' ``PoolTarget``; raises ``PoolConfigError`` with
    ``.key`` (``invalid_characters``, ``invalid_host``, ``invalid_port``,
    ``unsupported_scheme``, ``user_required``) and ``.field`` for the flow.
    ``parse_pool_url(url, port) -> PoolAddress`` for the address alone.
    ``pool_in_use_address(text)``, ``matches_pool_in_use(text, pool)`` and
    ``find_pool_in_use(text, pools)`` compare a miner's ``pool_in_use`` with
    pools (anything with ``url`` and ``port``: Pool rows, PoolTarget) by exact
    host:port, case-insensitive, scheme optional.
``pool_match`` — ``match_pool(pool_in_use, pool_user, [(address, user, item)])``
    gives the configured pool a miner is on by host, port **and** user (the
    worker suffix ignored; an unknown user matches a host:port only one pool
    has); ``match_coin`` the same for coins. Every "which pool" answer uses it.
``worker`` — ``worker_user(pool_user, miner_name, keep_user=False)`` gives
    ``user.<sanitized name>`` unless the user already names a worker;
    ``sanitize_worker_name(name)``.
``stratum`` — ``await check_stratum(target, timeout=10)`` and
    ``await check_stratum_pools(targets)`` (side by side) return
    ``StratumCheck(reachable, response_time_ms, authorized, error, message)``;
    ``error`` is None, ``cannot_connect``, ``not_stratum`` or ``auth_failed``;
    ``response_time_ms`` is the ``mining.subscribe`` round trip; messages never
    hold the user or password. Never raises.
``health`` — ``health_score(reachable=, response_time_ms=, reject_rate=,
    unreachable_last_hour=)`` (0-100, upstream's formula without random luck);
    ``pool_share_deltas(series_per_miner, address, now)`` → ``ShareDeltas``
    (accepted, rejected, ``reject_rate`` %) from counter deltas, reboot-safe;
    ``unreachable_checks(checks, now)``; ``expected_blocks`` and
    ``luck_percentage`` (None without real figures); ``failover_decision(
    checks, failed_over=, now=, target_reachable=)`` → ``FailoverAction``
    (STAY, FAIL_OVER after 2 unreachable checks in a row, FAIL_BACK after 15
    minutes reachable).
``shares`` — ``SessionBestTracker.observe(miner, reading)`` → the new best
    difficulty or None (rises only; a reset lowers the baseline);
    ``parse_share_difficulty`` (the drivers' parser: "4.29M", 270e6...);
    ``is_block(difficulty, network)``; ``share_source(pool_in_use, pool_user, [PoolCoin])``
    → ``ShareSource(coin, pool_name)``, "UNKNOWN" when no pool matches;
    ``block_chance(hashrate_hs, difficulty, seconds=86400)`` and
    ``expected_seconds_to_block(hashrate_hs, difficulty)``.
``network`` — ``NetworkDifficulty(session, sources).get(coin, force=False)``
    reads solopool ``/api/stats`` or public-pool ``/api/network``, cached 10
    minutes (BTC_POOLED shares BTC's entry); ``cached(coin)`` gives the last
    value and its age; errors are ``NetworkDifficultyError`` with ``.key``
    (``cannot_connect``, ``bad_response``, ``unknown_coin``).
"""
