"""Editing a band table: put a band in, or take one out, keeping it whole.

The options flow's band steps check the result with ``validate_bands``
(contiguous, non-overlapping, covering every price) before saving it.
"""

from __future__ import annotations

from dataclasses import replace
import math

from .bands import Band, by_price


def renumber(bands: list[Band]) -> list[Band]:
    """Sort order 0 = dearest, as upstream's defaults (display order only)."""
    ordered = list(reversed(by_price(bands)))
    return [replace(band, sort_order=i) for i, band in enumerate(ordered)]


def _lo(band: Band) -> float:
    return -math.inf if band.min_price is None else band.min_price


def _hi(band: Band) -> float:
    return math.inf if band.max_price is None else band.max_price


def fit(others: list[Band], band: Band) -> list[Band]:
    """Put ``band`` in; neighbours are clipped, split or stretched around it.

    Bands it covers entirely go; a band it falls inside is split in two; a
    gap it leaves is closed by the neighbour (never by the edited band).
    """
    low, high = _lo(band), _hi(band)
    kept: list[Band] = []
    for other in others:
        if _hi(other) <= low or _lo(other) >= high:
            kept.append(other)
        elif _lo(other) < low and _hi(other) > high:
            kept.append(replace(other, max_price=band.min_price))
            kept.append(replace(other, id=-2, min_price=band.max_price, champion=False))
        elif _lo(other) < low:
            kept.append(replace(other, max_price=band.min_price))
        elif _hi(other) > high:
            kept.append(replace(other, min_price=band.max_price))
    ordered = by_price([*kept, band])
    for i in range(len(ordered) - 1):
        lower, upper = ordered[i], ordered[i + 1]
        if _hi(lower) < _lo(upper):
            if lower is band:
                ordered[i + 1] = replace(upper, min_price=lower.max_price)
            else:
                ordered[i] = replace(lower, max_price=upper.min_price)
    if ordered[0] is not band:
        ordered[0] = replace(ordered[0], min_price=None)
    if ordered[-1] is not band:
        ordered[-1] = replace(ordered[-1], max_price=None)
    return renumber(ordered)


def without(bands: list[Band], band_id: int) -> list[Band]:
    """Drop a band; its cheaper neighbour takes its range (coverage stays whole)."""
    ordered = by_price(bands)
    index = next(i for i, b in enumerate(ordered) if b.id == band_id)
    gone = ordered.pop(index)
    if index > 0:  # the cheaper neighbour reaches up to the gone band's top
        ordered[index - 1] = replace(ordered[index - 1], max_price=gone.max_price)
    elif ordered:  # the cheapest went: the next one opens downwards
        ordered[0] = replace(ordered[0], min_price=None)
    return renumber(ordered)
