"""Pinggu Planner: verified rural-tourism itineraries for Pinggu District, Beijing.

>>> from planner import Planner, TripRequest
>>> planner = Planner.from_configs()                     # the bundled catalogue and settings
>>> day = planner.plan(TripRequest(date="2027-04-17", start="pinggu-bus-station",
...                                interests=["blossom", "lake"]))
>>> [s.name_en for s in day.stops]                       # doctest: +SKIP

Coordinates are WGS84 ``[lon, lat]``, durations seconds, local time Asia/Shanghai.
"""

from importlib.metadata import PackageNotFoundError, version

from planner.data.catalog import Catalog, build_catalog, load_catalog
from planner.errors import (
    ConfigError,
    InfeasibleRequest,
    ItineraryCheckError,
    PlannerError,
    RequestError,
)
from planner.model import Category, Interest, Itinerary, Mode, Poi, Trip, TripRequest
from planner.plan.live import LivePlanner, PlannerSettings, build_planner
from planner.plan.planner import Planner
from planner.travel.base import TravelMatrix, TravelTimes
from planner.travel.estimate import EstimatedTravelTimes

try:
    __version__ = version("pinggu-planner")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+unknown"

__all__ = [
    "Catalog",
    "Category",
    "ConfigError",
    "EstimatedTravelTimes",
    "InfeasibleRequest",
    "Interest",
    "Itinerary",
    "ItineraryCheckError",
    "LivePlanner",
    "Mode",
    "Planner",
    "PlannerError",
    "PlannerSettings",
    "Poi",
    "RequestError",
    "TravelMatrix",
    "TravelTimes",
    "Trip",
    "TripRequest",
    "__version__",
    "build_catalog",
    "build_planner",
    "load_catalog",
]
