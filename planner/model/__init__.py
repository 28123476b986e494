"""Typed, validated data models at the planner's edges: places, requests, itineraries.

Conventions: WGS84 ``[lon, lat]`` degrees, seconds (``*_s``), metres (``*_m``), local time
Asia/Shanghai, CNY (``*_cny``); see :mod:`planner.model.common`.
"""

from planner.model.common import (
    TIMEZONE,
    Category,
    Confidence,
    Interest,
    Mode,
    Pace,
    SeasonKind,
    Strict,
)
from planner.model.itinerary import (
    Alternative,
    Dropped,
    Endpoint,
    Itinerary,
    Leg,
    Reason,
    SolverStatus,
    Stop,
    Totals,
    TransitPart,
    Trip,
)
from planner.model.poi import POI_ID_PATTERN, MonthDay, Poi, Season
from planner.model.request import Pin, TripRequest, parse_trip_request

__all__ = [
    "POI_ID_PATTERN",
    "TIMEZONE",
    "Alternative",
    "Category",
    "Confidence",
    "Dropped",
    "Endpoint",
    "Interest",
    "Itinerary",
    "Leg",
    "Mode",
    "MonthDay",
    "Pace",
    "Pin",
    "Poi",
    "Reason",
    "Season",
    "SeasonKind",
    "SolverStatus",
    "Stop",
    "Strict",
    "Totals",
    "TransitPart",
    "Trip",
    "TripRequest",
    "parse_trip_request",
]
