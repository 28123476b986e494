"""The map's spec (webapp/maps.py): what the browser map is asked to draw, checked without a browser."""

from __future__ import annotations

import datetime as dt

import pytest

from planner import Planner, TripRequest
from planner.present.timeline import days_of
from webapp import maps


@pytest.fixture(scope="module")
def planner() -> Planner:
    return Planner.from_configs(use_roads=False)


@pytest.fixture(scope="module")
def two_days(planner: Planner):
    request = TripRequest(
        date=dt.date(2027, 4, 17),
        start="pinggu-bus-station",
        days=2,
        interests=["blossom", "lake", "gorge", "village"],
    )
    return planner.plan_trip(request)


def test_the_district_map_has_every_place_and_the_boundary(planner: Planner):
    spec = maps.plan_map(planner.catalog, maps_boundary(), [], "en")
    assert {p["id"] for p in spec["points"]} == set(planner.catalog.ids)
    assert 100 < sum(len(r) for r in spec["areas"][0]["rings"]) < 4054, "simplified, not dropped"
    west, south, east, north = spec["bbox"]
    assert west < 117.0 < 117.3 < east and south < 40.1 < 40.3 < north, "fits the district"
    assert not spec["clickable"] and not spec["lines"]


def test_a_two_day_trip_has_a_colour_per_day_and_merges_the_night(planner: Planner, two_days):
    days = days_of(two_days)
    spec = maps.plan_map(planner.catalog, maps_boundary(), days, "en")
    legs = [line for line in spec["lines"] if line["kind"] == "leg"]
    assert len(legs) == sum(len(it.legs) for it in days)
    colours = [
        {line["colour"] for line in legs[: len(days[0].legs)]},
        {line["colour"] for line in legs[len(days[0].legs) :]},
    ]
    assert all(len(c) == 1 for c in colours) and colours[0] != colours[1], "one colour a day"
    ends = sorted(p["label"] for p in spec["points"] if p["kind"] == "end")
    assert ends == ["E/S", "S/E"], "the farm stay ends day 1 and starts day 2: one dot"
    titles = [p["title"] for p in spec["points"] if p.get("label") == "E/S"]
    assert "Day 1" in titles[0] and "Day 2" in titles[0]
    numbers = sorted(
        int(n) for p in spec["points"] if p["kind"] == "stop" for n in p["label"].split("/")
    )
    expected = sorted(k for it in days for k in range(1, len(it.stops) + 1))
    assert numbers == expected, "every stop of every day is numbered on the map"


def test_plan_changes_refit_the_view_and_the_same_plan_does_not(planner: Planner, two_days):
    days = days_of(two_days)
    a = maps.plan_map(planner.catalog, maps_boundary(), days, "zh")
    b = maps.plan_map(planner.catalog, maps_boundary(), days, "en")
    c = maps.plan_map(planner.catalog, maps_boundary(), [], "zh")
    assert a["fit"] == b["fit"] != c["fit"], "a language switch keeps the view; a new plan refits"


def test_the_operator_map_is_clickable_and_marks_the_point(planner: Planner):
    spec = maps.operator_map(planner.catalog, maps_boundary(), "en", marker=(117.1, 40.2))
    assert spec["clickable"] and spec["marker"] == [117.1, 40.2]
    estimated = [p for p in spec["points"] if "estimated" in p["body"]]
    assert estimated and all(p["stroke"] != "#fff" for p in estimated), "estimates stand out"


def maps_boundary() -> dict:
    from planner.data.boundary import load_boundary

    return dict(load_boundary().__geo_interface__)


def test_the_legend_says_how_stops_are_coloured(two_days):
    one = maps.legend_html(days_of(two_days)[:1], "en")
    two = maps.legend_html(days_of(two_days), "en")
    assert "your stops, in order" in one and "day's colour" not in one
    assert "in their day's colour" in two and "Day 2" in two
