"""Daylight (planner/model/daylight.py): outdoor visits end by sunset, computed for the date.

Beijing's sunset runs from about 16:50 in December to about 19:45 in late June; a winter plan must
not send a family into a gorge at dusk, and the independent checker says so if one ever would.
"""

from __future__ import annotations

import datetime as dt

import pytest

from planner import Planner, TripRequest
from planner.model.daylight import OUTDOOR, sunset_s
from planner.plan.checker import violations


def hhmm(seconds: int) -> str:
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}"


@pytest.mark.parametrize(
    ("day", "earliest", "latest"),
    [("2026-12-12", "16:40", "16:55"), ("2027-06-21", "19:35", "19:55")],
)
def test_sunset_in_pinggu_is_where_the_almanac_puts_it(day: str, earliest: str, latest: str):
    """Sunset over the Pinggu valley, local time, within the almanac's minutes for Beijing."""
    s = hhmm(sunset_s(dt.date.fromisoformat(day), 117.12, 40.14))
    assert earliest <= s <= latest


@pytest.fixture(scope="module")
def planner() -> Planner:
    return Planner.from_configs(use_roads=False)


@pytest.mark.parametrize("day", ["2026-12-12", "2027-01-09", "2027-02-06", "2027-11-20"])
def test_winter_days_end_every_outdoor_visit_by_sunset(planner: Planner, day: str) -> None:
    """On short winter days (the day itself runs to 18:00), every visit to a lake, gorge,
    mountain, orchard or blossom place ends by that date's sunset at that place."""
    it = planner.plan(
        TripRequest(date=day, start="pinggu-bus-station", interests=["lake", "gorge", "mountain"])
    )
    for stop in it.stops:
        if stop.category in OUTDOOR:
            dusk = sunset_s(stop.visit_start.date(), stop.lon, stop.lat)
            end = stop.departure.hour * 3600 + stop.departure.minute * 60
            assert end <= dusk, (stop.poi_id, stop.departure, hhmm(dusk))


def test_the_checker_refuses_an_outdoor_visit_after_sunset(planner: Planner) -> None:
    """An itinerary whose gorge visit ends after dark fails the independent check."""
    it = planner.plan(
        TripRequest(date="2026-12-12", start="pinggu-bus-station", interests=["gorge"])
    )
    k, stop = next((k, s) for k, s in enumerate(it.stops) if s.category in OUTDOOR)
    late = stop.departure.replace(hour=17, minute=30)
    moved = stop.model_copy(
        update={"departure": late, "visit_s": int((late - stop.visit_start).total_seconds())}
    )
    broken = it.model_copy(update={"stops": [*it.stops[:k], moved, *it.stops[k + 1 :]]})
    found = violations(broken, planner.catalog, planner.travel, planner.traffic)
    assert any("after sunset" in v for v in found), found
