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


@pytest.fixture(scope="module")
def one_day(planner: Planner):
    request = TripRequest(date=dt.date(2027, 4, 17), start="pinggu-bus-station")
    return planner.plan_trip(request)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_labels_of_one_point_never_overprint_and_a_stop_wears_its_own_name(
    planner: Planner, one_day, lang: str
):
    """Places on one point (the Grand Canyon and the war memorial; a village and its farm meals)
    get one label between them, and so do the plan's points; a stop's label is the stop's own
    name, never the place's under it (the browser then shows the stop's name only: map.js names
    a point's highest priority and drops the rest, checked in tests/test_browser.py)."""
    days = days_of(one_day)
    spec = maps.plan_map(planner.catalog, maps_boundary(), days, lang)
    for planned in (False, True):
        labelled: dict[tuple[float, float], list[str]] = {}
        for p in spec["points"]:
            if p.get("name") and (p["kind"] != "place") == planned:
                key = (round(p["lon"], 4), round(p["lat"], 4))
                labelled.setdefault(key, []).append(p["name"])
        assert all(len(names) == 1 for names in labelled.values()), labelled
    stop_ids = {s.poi_id for it in days for s in it.stops}
    for p in spec["points"]:
        if p["kind"] == "stop":
            key = (round(p["lon"], 4), round(p["lat"], 4))
            label = p["name"].split(" / ")
            stop = next(s for it in days for s in it.stops if s.poi_id == p["id"])
            assert maps.short_name(stop.name_zh if lang == "zh" else stop.name_en) in label
            under = {
                maps.short_name(q.name(lang))
                for q in planner.catalog
                if (round(q.lon, 4), round(q.lat, 4)) == key and q.id not in stop_ids
            }
            assert not under & set(label), (p["name"], under)
            assert p["prio"] > 0, "stops are named at every zoom (map.js)"
    canyon = [p for p in spec["points"] if p.get("id") == "jingdong-grand-canyon"]
    memorial = [p for p in spec["points"] if p.get("id") == "yuzishan-war-memorial"]
    names = {canyon[0]["name"], memorial[0]["name"]} - {""}
    assert len(names) == 1 and " / " in names.pop(), "one shared label for the two places"


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_legend_explains_start_and_end_points(one_day, lang: str):
    from planner.i18n.texts import t

    html = maps.legend_html(days_of(one_day), lang)
    assert t("label.start_places", lang) in html, "the blue dots (bus station, hubs)"
    assert t("label.start_end_points", lang) in html and ">S</span>" in html and ">E</span>" in html
    assert t("label.start_places", lang) in maps.legend_html([], lang), "before any plan too"
    assert t("label.start_places", "zh") != t("label.start_places", "en")


def test_a_label_drops_a_bracketed_gloss_and_keeps_a_plain_name():
    assert maps.short_name("Xuanyuan Terrace (legendary Yellow Emperor tomb & temple)") == (
        "Xuanyuan Terrace"
    )
    assert maps.short_name("京东大峡谷（石林峡）") == "京东大峡谷"
    assert maps.short_name("Jinhai Lake") == "Jinhai Lake"
