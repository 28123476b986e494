"""Shared fixtures: the tiny test catalogue, the estimated travel times, a planner over both, and
one planned day that the checker tests mutate.

``tests/data/mini_pois.yaml`` holds five synthetic places around the Pinggu district seat
(``station``, ``lake``, ``gorge``, ``blossom``, ``museum``); read it to follow the tests.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from planner import Catalog, EstimatedTravelTimes, Itinerary, Planner, TripRequest, load_catalog
from planner.data.config import load_travel_settings
from planner.data.seasons import SeasonCalendar
from planner.travel.traffic import TrafficSettings

DATA = Path(__file__).parent / "data"

# the date the planner takes as today, for every test and every process a test starts: the suite
# plans 2027 dates and must not start warning "in the past" once 2027 comes
os.environ.setdefault("PINGGU_TODAY", "2026-12-03")


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """``tests/data/``: small fixture files, including deliberately broken ones."""
    return DATA


@pytest.fixture(scope="session")
def mini_catalog() -> Catalog:
    """The five-place test catalogue (synthetic points, so no boundary check)."""
    return load_catalog(DATA / "mini_pois.yaml", check_boundary=False)


@pytest.fixture(scope="session")
def estimate() -> EstimatedTravelTimes:
    """Great-circle travel times with the bundled ``configs/travel.yaml`` constants."""
    return EstimatedTravelTimes(load_travel_settings())


@pytest.fixture(scope="session")
def mini_planner(mini_catalog: Catalog, estimate: EstimatedTravelTimes) -> Planner:
    """A planner over the test catalogue and the estimated travel times."""
    return Planner(mini_catalog, estimate, seasons=SeasonCalendar(), traffic=TrafficSettings())


@pytest.fixture(scope="session")
def good_itinerary(mini_planner: Planner) -> Itinerary:
    """A checked spring Saturday from ``station`` for lakes and blossoms (no lunch planned,
    so that every stop is a place; meals have their own tests in test_trips.py).

    Session-scoped and shared: tests must mutate a copy (``model_copy(deep=True)``), never this.
    """
    return mini_planner.plan(
        TripRequest(date="2027-04-17", start="station", interests=["lake", "blossom"], lunch=False)
    )
