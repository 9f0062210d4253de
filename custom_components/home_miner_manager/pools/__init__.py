"""Pools: URL fields, stratum checks, health, shares and network difficulty.

Plain Python (asyncio/aiohttp with the session passed in); no Home Assistant,
no database. Time is always an argument of the pure functions.
"""
