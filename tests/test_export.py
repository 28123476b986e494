"""Exports: GPX, iCalendar, GeoJSON, the printable page, Amap links and share links.

The planned day is the shared ``good_itinerary`` of the mini catalogue (a spring Saturday from
``station``); tests read it and never change it.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs, unquote, urlparse

import gpxpy
import icalendar
import pytest

from planner.data.coords import gcj02_to_wgs84, wgs84_to_gcj02
from planner.errors import RequestError
from planner.model import Itinerary, Mode, TripRequest
from planner.present.exports import (
    amap_navigation_url,
    itinerary_geojson,
    itinerary_gpx,
    itinerary_ics,
    printable_html,
)
from planner.present.share import request_from_query, request_to_query
from planner.present.timeline import days_of, timeline


def test_gpx_has_a_waypoint_per_stop_and_a_track_per_leg_in_wgs84(good_itinerary: Itinerary):
    """Parsed back with gpxpy: start, stops and end as waypoints; each leg a track on its geometry."""
    gpx = gpxpy.parse(itinerary_gpx(good_itinerary))
    it = good_itinerary
    assert len(gpx.waypoints) == len(it.stops) + 2
    for w, s in zip(gpx.waypoints[1:-1], it.stops, strict=True):
        assert (w.longitude, w.latitude) == pytest.approx((s.lon, s.lat))  # WGS84, unconverted
        assert s.name_zh in w.name and s.name_en in w.name
    assert len(gpx.tracks) == len(it.legs)
    for track, leg in zip(gpx.tracks, it.legs, strict=True):
        pts = [c for p in track.segments[0].points for c in (p.longitude, p.latitude)]
        assert pts == pytest.approx([c for p in leg.geometry for c in p])
        assert track.type == ("estimate" if leg.provider.startswith("estimate") else "road")


def test_ics_has_one_event_per_visit_in_shanghai_time_with_why_hours_and_ticket(
    good_itinerary: Itinerary,
):
    """Visit events start at the visit and end at departure (Asia/Shanghai); travel events too."""
    cal = icalendar.Calendar.from_ical(itinerary_ics(good_itinerary, lang="en"))
    events = [c for c in cal.walk("VEVENT")]
    visits = [e for e in events if "-stop" in str(e["uid"])]
    travel = [e for e in events if "-leg" in str(e["uid"])]
    assert len(visits) == len(good_itinerary.stops) and len(travel) == len(good_itinerary.legs)
    for e, s in zip(visits, good_itinerary.stops, strict=True):
        start = e.decoded("dtstart")
        assert start == s.visit_start and e.decoded("dtend") == s.departure
        assert str(start.tzinfo) == "Asia/Shanghai"
        desc = str(e["description"])
        assert "Why:" in desc and "Hours:" in desc and "Ticket:" in desc
    assert any(c.name == "VTIMEZONE" for c in cal.walk()) or b"TZID=Asia/Shanghai" in (
        itinerary_ics(good_itinerary)
    )


def test_amap_link_converts_wgs84_to_gcj02_and_names_both_ends():
    """The link carries GCJ-02 numbers (the project's conversion), the names, mode and gaode flag."""
    a, b = (117.12, 40.14), (117.25, 40.21)
    url = amap_navigation_url(a, b, mode=Mode.bicycle, names=("平谷站", "金海湖"))
    parsed = urlparse(url)
    assert parsed.netloc == "uri.amap.com" and parsed.path == "/navigation"
    q = parse_qs(parsed.query)
    lon, lat, name = q["from"][0].split(",")
    assert (float(lon), float(lat)) == pytest.approx(wgs84_to_gcj02(*a), abs=1e-6)
    assert gcj02_to_wgs84(float(lon), float(lat)) == pytest.approx(a, abs=1e-5)
    assert unquote(name) == "平谷站" and q["to"][0].endswith("金海湖")
    assert q["mode"] == ["ride"] and q["coordinate"] == ["gaode"] and q["callnative"] == ["1"]


def test_geojson_stays_wgs84_and_numbers_the_stops(good_itinerary: Itinerary):
    """Stop points are the stops' WGS84 coordinates, numbered from 1, all on day 1."""
    gj = itinerary_geojson(good_itinerary)
    stops = [f for f in gj["features"] if f["properties"]["kind"] == "stop"]
    assert [f["properties"]["order"] for f in stops] == list(range(1, len(stops) + 1))
    assert [f["geometry"]["coordinates"] for f in stops] == [
        [s.lon, s.lat] for s in good_itinerary.stops
    ]
    assert {f["properties"]["day"] for f in gj["features"]} == {1}


def test_timeline_walks_the_day_in_order(good_itinerary: Itinerary):
    """start, then travel / (wait) / visit per stop, then travel and end; times never go back."""
    entries = timeline(good_itinerary)
    assert entries[0].kind == "start" and entries[-1].kind == "end"
    assert [e.kind for e in entries].count("travel") == len(good_itinerary.legs)
    assert [e.stop for e in entries if e.kind in ("visit", "meal")] == list(
        range(1, len(good_itinerary.stops) + 1)
    )
    starts = [e.start for e in entries]
    assert starts == sorted(starts)


def queued_first(it: Itinerary) -> Itinerary:
    """``it`` with its first stop crowd-aware: 10 min waiting for a shorter queue, then 10 min
    queuing before the visit."""
    first = it.stops[0]
    start = first.arrival + dt.timedelta(minutes=20)
    queued = first.model_copy(
        update={
            "visit_start": start,
            "departure": start + dt.timedelta(seconds=first.visit_s),
            "wait_s": 1200,
            "queue_s": 600,
        }
    )
    return it.model_copy(update={"stops": [queued, *it.stops[1:]]})


def test_a_queue_shows_as_its_own_entry_after_any_wait(good_itinerary: Itinerary):
    """A crowd-aware stop that waits 10 min for a shorter queue and then queues 10 min shows a
    wait until it joins, then the queue until the visit starts; the printable page says it."""

    it = queued_first(good_itinerary)
    first = good_itinerary.stops[0]
    entries = [e for e in timeline(it) if e.stop == 1]
    assert [(e.kind, e.seconds) for e in entries] == [
        ("wait", 600),
        ("queue", 600),
        ("visit", first.visit_s),
    ]
    assert "Queue at the gate and car park about 10 min" in printable_html(it, "en")


def test_printable_page_is_self_contained_and_in_the_language(good_itinerary: Itinerary):
    """One HTML document with every stop, the Amap links and no external script or stylesheet."""
    page = printable_html(good_itinerary, "en")
    assert page.startswith("<!doctype html>") and "<svg" in page
    for s in good_itinerary.stops:
        assert s.name_en in page
    assert page.count("uri.amap.com/navigation") == len(good_itinerary.legs)
    assert "<script src" not in page and "<link" not in page
    assert "行程" in printable_html(good_itinerary, "zh")


def test_share_link_round_trips_the_request():
    """request_to_query -> request_from_query gives the same request, lists and times included."""
    req = TripRequest(
        date="2027-04-17",
        start="station",
        end="lake",
        start_time="09:15",
        end_time="17:30",
        interests=["lake", "blossom"],
        must=["gorge"],
        avoid=["museum"],
        mode="bus",
    )
    q = request_to_query(req)
    assert all(isinstance(v, str) for v in q.values())
    assert q["interests"] == "lake,blossom" and q["start_time"] == "09:15"
    assert request_from_query(q) == req
    assert request_from_query({**q, "lang": "en"}) == req  # the app's own parameters are ignored
    minimal = request_to_query(TripRequest(date="2027-04-17", start="station"))
    assert set(minimal) == {"date", "start"}


@pytest.mark.parametrize(
    ("word", "crowds"),
    [("auto", None), ("on", True), ("off", False), ("true", True), ("false", False)],
)
def test_a_share_link_says_crowds_in_the_apps_words(word: str, crowds: bool | None):
    """``crowds=auto|on|off`` (the app's choice) as well as ``true|false`` (what it writes)."""
    req = request_from_query({"date": "2027-04-17", "start": "station", "crowds": word})
    assert req.crowds is crowds


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"date": "2027-02-30", "start": "station"}, "date"),
        ({"date": "2027-04-17"}, "start"),
        ({"date": "2027-04-17", "start": "station", "mode": "rocket"}, "mode"),
        ({"date": "2027-04-17", "start": "station", "interests": "lake,ufo"}, "interests"),
        ({"date": "2027-04-17", "start": "station", "start_time": "25:00"}, "start_time"),
        (
            {"date": "2027-04-17", "start": "station", "start_time": "17:00", "end_time": "09:00"},
            "end_time",
        ),
    ],
)
def test_a_bad_share_link_names_the_parameter(params: dict[str, str], field: str):
    """Every bad parameter is a RequestError whose field is the parameter at fault."""
    with pytest.raises(RequestError) as err:
        request_from_query(params)
    assert err.value.field == field


def test_every_export_takes_a_trip_of_several_days(good_itinerary: Itinerary):
    """A Trip (several days) exports all of its days; GeoJSON marks each feature's day."""
    from planner.model import Trip

    day2 = good_itinerary.model_copy(
        update={
            "day_start": good_itinerary.day_start + dt.timedelta(days=1),
            "day_end": good_itinerary.day_end + dt.timedelta(days=1),
        }
    )
    trip = Trip(
        request=good_itinerary.request,
        days=[good_itinerary, day2],
        totals=good_itinerary.totals,
        dropped=[],
    )
    assert days_of(trip) == [good_itinerary, day2] and days_of(good_itinerary) == [good_itinerary]
    gj = itinerary_geojson(trip)
    assert {f["properties"]["day"] for f in gj["features"]} == {1, 2}
    assert len(gpxpy.parse(itinerary_gpx(trip)).tracks) == 2 * len(good_itinerary.legs)
    assert "Day 2" in printable_html(trip, "en")


def test_printable_page_prints_in_its_language_and_unknown_tickets_read_unknown(
    good_itinerary: Itinerary,
):
    """The Print button is 打印 in Chinese; a stop whose price is unknown (None) reads 票价未知,
    one with 0 reads 免费."""
    stops = list(good_itinerary.stops)
    stops[0] = stops[0].model_copy(update={"ticket_cny": None})
    if len(stops) > 1:
        stops[1] = stops[1].model_copy(update={"ticket_cny": 0.0})
    it = good_itinerary.model_copy(update={"stops": stops})
    zh = printable_html(it, "zh")
    assert ">打印</button>" in zh and "票价未知" in zh
    assert ">Print</button>" in printable_html(it, "en")
    assert "unknown" in printable_html(it, "en")


def test_a_relaxed_leg_shows_its_unhurried_minutes_so_the_day_adds_up() -> None:
    """At a relaxed pace each leg carries slack before the next visit: every shell shows it
    ("35 min + 15 min unhurried"), so departure + what is shown = arrival."""
    from planner import Planner, TripRequest
    from planner.present.timeline import leg_time

    planner = Planner.from_configs(use_roads=False)
    day = planner.plan(TripRequest(date="2027-07-14", start="pinggu-bus-station", pace="relaxed"))
    leg, stop = day.legs[0], day.stops[0]
    assert leg.buffer_s == 15 * 60
    assert leg_time(leg, "en").endswith("+ 15 min unhurried")
    assert "15分钟 从容余量" in leg_time(leg, "zh")
    shown = leg.travel_s + leg.buffer_s
    assert abs((stop.arrival - leg.depart).total_seconds() - shown) < 60


def test_a_leg_to_the_same_point_reads_same_place_with_nothing_to_navigate(
    good_itinerary: Itinerary,
) -> None:
    """A stop at the previous stop's point (a picnic by the lake) is reached by a leg of 0 m and
    0 s: every shell says "same place", not "bus 0 min · 0.0 km", offers no navigation, and the
    calendar file has no event for it."""
    from planner.present.timeline import leg_line, stays_put

    leg = good_itinerary.legs[1]
    moved = leg.model_copy(update={"distance_m": 0, "travel_s": 0, "buffer_s": 0})
    it = good_itinerary.model_copy(
        update={"legs": [good_itinerary.legs[0], moved, *good_itinerary.legs[2:]]}
    )
    assert stays_put(moved) and not stays_put(good_itinerary.legs[0])
    assert leg_line(moved, "en") == "same place: no travel"
    assert leg_line(moved, "zh") == "同一地点，无需移动"
    assert leg_line(leg, "en", sep=", ", mode=False).endswith(f"{leg.distance_m / 1000:.1f} km")
    page = printable_html(it, "en")
    assert "same place: no travel" in page
    assert page.count("uri.amap.com/navigation") == len(it.legs) - 1
    cal = icalendar.Calendar.from_ical(itinerary_ics(it, lang="en"))  # no event for no travel
    legs = [str(e["uid"]) for e in cal.walk("VEVENT") if "-leg" in str(e["uid"])]
    assert len(legs) == len(it.legs) - 1 and not any("-leg1-" in uid for uid in legs)


def test_a_queue_reads_as_a_queue_in_the_cli_and_the_calendar_file(good_itinerary: Itinerary):
    """A stop that waits 10 min for a shorter queue and queues 10 min: the CLI shows both
    ("+10 min Wait", "+10 min queue"), and the visit's calendar event says the queue."""
    import io

    from rich.console import Console

    from planner.cli.report import render_itinerary

    it = queued_first(good_itinerary)
    out = io.StringIO()
    render_itinerary(it, Console(file=out, width=200), lang="en")
    assert "(+10 min Wait) (+10 min queue)" in out.getvalue()
    ics = itinerary_ics(it, lang="en").decode().replace("\r\n ", "")
    assert "Queue at the gate and car park about 10 min" in ics


def test_a_picnic_is_named_by_where_it_is_for_navigation(good_itinerary: Itinerary):
    """The leg after a picnic starts from the place the picnic was at: an Amap link from
    "Picnic lunch break" would find nothing."""
    from planner.present.timeline import leg_endpoints

    first = good_itinerary.stops[0]
    picnic = first.model_copy(
        update={
            "poi_id": "picnic",
            "kind": "picnic",
            "name_zh": "野餐午休",
            "name_en": "Picnic lunch break",
        }
    )
    stops = [first, picnic, *good_itinerary.stops[1:]]
    it = good_itinerary.model_copy(update={"stops": stops})
    (_, a_zh, a_en), _ = leg_endpoints(it, 2)  # picnic -> the next stop
    assert (a_zh, a_en) == (first.name_zh, first.name_en)
    url = unquote(amap_navigation_url((first.lon, first.lat), (1.0, 1.0), names=(a_zh, "x")))
    assert "野餐" not in url
