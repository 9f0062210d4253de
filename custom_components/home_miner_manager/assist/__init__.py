"""Assist / LLM tools: read-only answers about the fleet, prices, plan and costs.

``answers`` is plain Python (data in, dicts out); ``tools`` and ``api`` are the
Home Assistant glue registering the ``home_miner_manager`` LLM API.
"""
