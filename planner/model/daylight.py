"""Daylight: when the sun sets on a date at a place, for visits that are outdoors.

Outdoor places (blossoms, lakes, gorges, mountains, orchards) are visited in daylight: a visit
ends by sunset. Sunset is computed for the date and the place (``astral``: the sun's geometric
position, refraction included) in Pinggu's local time.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

from astral import Observer
from astral.sun import sunset

from planner.model.common import TZ, Category

OUTDOOR: frozenset[Category] = frozenset(
    {Category.blossom, Category.lake, Category.gorge, Category.mountain, Category.farm}
)
"""Categories visited outdoors, whose visits end by sunset."""


@lru_cache(maxsize=4096)
def sunset_s(day: dt.date, lon: float, lat: float) -> int:
    """Seconds after local midnight of ``day`` when the sun sets at ``[lon, lat]`` (WGS84)."""
    when = sunset(Observer(latitude=lat, longitude=lon), date=day, tzinfo=TZ)
    local = when.astimezone(TZ)
    return (local.date() - day).days * 86400 + local.hour * 3600 + local.minute * 60
