"""Specification of bus journeys on GTFS timetables (planner.travel.transit).

The small feed of ``tests/gtfs_feeds.py`` (drawn there: two lines, a change at B, headways, a
holiday and a make-up working day) is the map; every expected time below is read off it by hand.
Then the bad feeds, each with the problem an operator must see, and the bundled feed.
"""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path

import pytest
from gtfs_feeds import (
    HOLIDAY_MONDAY,
    MAKE_UP_SATURDAY,
    POINTS,
    STOP_TIMES,
    STOPS,
    SUNDAY,
    TUESDAY,
    hms,
    write_feed,
)

from planner.errors import ConfigError
from planner.travel.transit import (
    Feed,
    RideLeg,
    Timetable,
    WalkLeg,
    WalkSettings,
    load_feed,
    profiles,
    straight_line_walk,
    timetable,
)
from planner.travel.transit._gtfs_read import format_gtfs_time, parse_gtfs_time

ROOT = Path(__file__).resolve().parents[1]
BUNDLED = ROOT / "configs" / "transit"
A, B, C, D = range(4)
DAY = (hms("00:00"), hms("30:00"))


@pytest.fixture
def feed(tmp_path: Path) -> Feed:
    return load_feed(write_feed(tmp_path / "feed"))


def matrix_on(feed: Feed, day: dt.date, earliest: int = DAY[0], latest: int = DAY[1]):
    return profiles(Timetable(feed, day), list(POINTS.values()), earliest, latest)


def problems_of(folder: Path) -> list[tuple[str, str | None]]:
    with pytest.raises(ConfigError) as caught:
        load_feed(folder)
    return [(p.entity, p.field) for p in caught.value.problems]


# --- the service calendar -------------------------------------------------------------------


def test_services_follow_weekday_flags_and_calendar_exceptions(feed: Feed) -> None:
    """WK runs on weekdays, not on Sundays, not on the holiday (type 2), and on the make-up
    Saturday (type 1)."""
    assert feed.services_on(TUESDAY) == {"WK"}
    assert feed.services_on(SUNDAY) == frozenset()
    assert feed.services_on(HOLIDAY_MONDAY) == frozenset()
    assert feed.services_on(MAKE_UP_SATURDAY) == {"WK"}
    assert feed.services_on(dt.date(2028, 1, 4)) == frozenset()  # past end_date


def test_no_service_no_journey(feed: Feed) -> None:
    """On the holiday no bus runs, so no journey exists between the far-apart stops."""
    matrix = matrix_on(feed, HOLIDAY_MONDAY)
    assert matrix.times(A, C) == ()
    assert matrix.earliest_arrival(A, C, hms("08:00")) is None


# --- leg times ------------------------------------------------------------------------------


def test_direct_ride_times_are_the_timetable(feed: Feed) -> None:
    """A to C: the three L1 trips, 08:00-08:35, 10:00-10:35 and 23:50-24:25."""
    assert matrix_on(feed, TUESDAY).times(A, C) == (
        (hms("08:00"), hms("08:35")),
        (hms("10:00"), hms("10:35")),
        (hms("23:50"), hms("24:25")),
    )


def test_journey_across_a_transfer(feed: Feed) -> None:
    """A to D changes at B: L1 08:00 to B 08:15, L2 08:30 to D 08:50 (the 09:30 L2 has no
    feeder, so the next journey is 10:00 to 10:50)."""
    matrix = matrix_on(feed, TUESDAY)
    assert matrix.times(A, D) == ((hms("08:00"), hms("08:50")), (hms("10:00"), hms("10:50")))
    first = matrix.journeys(A, D)[0]
    assert [(r.line, r.board_stop_en, r.alight_stop_en) for r in first.rides] == [
        ("L1", "A Town", "B Junction"),
        ("L2", "B Junction", "D Gorge"),
    ]
    l1, l2 = first.rides
    assert (l1.depart, l1.arrive, l2.depart, l2.arrive) == tuple(
        map(hms, ("08:00", "08:15", "08:30", "08:50"))
    )
    assert l1.path == (POINTS["A"], POINTS["B"])
    assert l1.trip_id == "t1" and l2.trip_id == "f1@08:30:00"


def test_a_change_needs_its_margin(feed: Feed) -> None:
    """With a 16-minute change margin the 08:15 arrival at B misses the 08:30 L2 and takes the
    09:30 (at D 09:50); the 10:00 bus reaches B at 10:15, ready 10:31: the last L2 (10:30) has
    gone."""
    tt = Timetable(feed, TUESDAY, settings=WalkSettings(change_s=16 * 60))
    matrix = profiles(tt, list(POINTS.values()), *DAY)
    assert matrix.times(A, D) == ((hms("08:00"), hms("09:50")),)


def test_frequencies_expand_into_departures(feed: Feed) -> None:
    """L2 leaves B every 3600 s from 08:30 while before the exclusive end 10:31: three buses."""
    departures = sorted(r.departures[0] for r in feed.runs(frozenset({"WK"})) if r.trip.id == "f1")
    assert departures == [hms("08:30"), hms("09:30"), hms("10:30")]
    matrix = matrix_on(feed, TUESDAY)
    assert [d for d, _ in matrix.times(B, D)] == departures
    assert all(j.rides[0].headway_s == 3600 for j in matrix.journeys(B, D))


def test_profiles_are_pareto_sorted(feed: Feed) -> None:
    """Departures and arrivals strictly increase along every profile."""
    matrix = matrix_on(feed, TUESDAY)
    for i in range(4):
        for j in range(4):
            times = matrix.times(i, j)
            assert all(a[0] < b[0] and a[1] < b[1] for a, b in itertools.pairwise(times))


def test_walk_legs_at_both_ends(tmp_path: Path) -> None:
    """A point 400 m west of A walks to A first: ceil(metres x 1.3 / 1.25 m/s) seconds before
    08:00, and leaves that much earlier."""
    feed = load_feed(write_feed(tmp_path / "feed"))
    settings = WalkSettings()
    home = (117.10 - 400 / (111_320 * 0.7655), 40.14)  # cos(40.14 deg) ~ 0.7655
    walk = straight_line_walk(settings)(home, POINTS["A"])
    assert walk is not None and 400 < walk < 500
    matrix = profiles(Timetable(feed, TUESDAY), [home, POINTS["C"]], *DAY)
    first = matrix.journeys(0, 1)[0]
    assert (first.depart, first.arrive) == (hms("08:00") - walk, hms("08:35"))
    leg = first.legs[0]
    assert isinstance(leg, WalkLeg) and leg.seconds == walk and leg.to_stop == "城镇"
    assert isinstance(first.legs[1], RideLeg)


# --- the last-bus rule ----------------------------------------------------------------------


def test_after_the_last_bus_nothing_remains(feed: Feed) -> None:
    """Leaving A after the 10:00 bus with the day ending at 20:00: no bus, too far to walk."""
    matrix = matrix_on(feed, TUESDAY, hms("06:00"), hms("20:00"))
    assert matrix.walk_only[A][C] is None
    assert matrix.earliest_arrival(A, C, hms("10:00")).arrive == hms("10:35")
    assert matrix.earliest_arrival(A, C, hms("10:01")) is None


def test_after_the_last_bus_only_the_walk_remains(tmp_path: Path) -> None:
    """Between two points 1.5 km apart the walk is always there; a bus only when it is faster."""
    stops = STOPS + "E,近湖,E Near Lake,40.14,117.2376\n"
    feed = load_feed(write_feed(tmp_path / "feed", stops_txt=stops))
    lake, near = POINTS["C"], (117.2376, 40.14)
    matrix = profiles(Timetable(feed, TUESDAY), [lake, near], *DAY)
    walk = matrix.walk_only[0][1]
    assert walk is not None and 1500 < walk < 2000
    journey = matrix.earliest_arrival(0, 1, hms("17:00"))
    assert journey is not None and journey.arrive == hms("17:00") + walk
    assert [type(leg) for leg in journey.legs] == [WalkLeg]


def test_earliest_arrival_takes_the_next_departure(feed: Feed) -> None:
    """Leaving A at 08:01 the next bus is 10:00: the visitor waits and arrives 10:35."""
    journey = matrix_on(feed, TUESDAY).earliest_arrival(A, C, hms("08:01"))
    assert journey is not None and (journey.depart, journey.arrive) == (hms("10:00"), hms("10:35"))


# --- past midnight --------------------------------------------------------------------------


def test_times_past_24_are_seconds_past_the_service_days_midnight(feed: Feed) -> None:
    """24:05:00 is 86 700 s of the trip's service day, and parses and prints both ways."""
    assert parse_gtfs_time("25:10:00") == 90_600
    assert format_gtfs_time(90_600) == "25:10:00"
    assert feed.trips["t3"].arrivals == (hms("23:50"), hms("24:05"), hms("24:25"))


def test_yesterdays_trip_after_midnight_runs_today(feed: Feed) -> None:
    """On Wednesday the Tuesday 23:50 trip reaches B at 00:05 and C at 00:25 (Tuesday's
    24:05 and 24:25); on Tuesday the holiday Monday left no such trip."""
    wednesday = matrix_on(feed, dt.date(2027, 4, 21))
    assert wednesday.times(B, C)[0] == (hms("00:05"), hms("00:25"))
    assert matrix_on(feed, TUESDAY).times(B, C)[0] == (hms("08:15"), hms("08:35"))


# --- bad feeds ------------------------------------------------------------------------------


def test_missing_file(tmp_path: Path) -> None:
    """No stops.txt: the problem names the file and says to add it."""
    with pytest.raises(ConfigError, match=r"stops\.txt: is missing"):
        load_feed(write_feed(tmp_path, stops_txt=None))


def test_missing_calendar_files(tmp_path: Path) -> None:
    """Neither calendar.txt nor calendar_dates.txt: no day could have service."""
    folder = write_feed(tmp_path, calendar_txt=None, calendar_dates_txt=None)
    assert ("calendar.txt", None) in problems_of(folder)


def test_missing_column(tmp_path: Path) -> None:
    """A header without stop_lat is named at line 1 with the column."""
    stops = STOPS.replace("stop_lat,", "").replace(",40.14,", ",").replace(",40.20,", ",")
    assert ("stops.txt line 1", "stop_lat") in problems_of(write_feed(tmp_path, stops_txt=stops))


def test_stop_without_coordinates(tmp_path: Path) -> None:
    """Stop B's blank latitude is named by row (data row 2, line 3) and field."""
    stops = STOPS.replace("B Junction,40.14,", "B Junction,,")
    folder = write_feed(tmp_path, stops_txt=stops)
    with pytest.raises(ConfigError) as caught:
        load_feed(folder)
    assert ("stops.txt row 2 (line 3)", "stop_lat") in [
        (p.entity, p.field) for p in caught.value.problems
    ]
    assert "stops.txt row 2 (line 3): stop_lat: is empty" in str(caught.value)


def test_coordinates_out_of_range(tmp_path: Path) -> None:
    """A latitude of 140 (lon and lat swapped) is outside -90..90."""
    stops = STOPS.replace("C Lake,40.14,117.22", "C Lake,117.22,40.14")
    assert ("stops.txt row 3 (line 4)", "stop_lat") in problems_of(
        write_feed(tmp_path, stops_txt=stops)
    )


def test_bad_time(tmp_path: Path) -> None:
    """``8:60:00`` is no time: stop_times row 2, arrival_time, with the HH:MM:SS hint."""
    stop_times = STOP_TIMES.replace("t1,08:15:00,", "t1,8:60:00,")
    with pytest.raises(
        ConfigError,
        match=r"stop_times\.txt row 2 \(line 3\): arrival_time: '8:60:00' is not a GTFS time; write HH:MM:SS",
    ):
        load_feed(write_feed(tmp_path, stop_times_txt=stop_times))


def test_unknown_stop_in_stop_times(tmp_path: Path) -> None:
    """A stop_id that stops.txt lacks is named with its row."""
    stop_times = STOP_TIMES.replace("t2,10:35:00,10:35:00,C,3", "t2,10:35:00,10:35:00,X,3")
    assert ("stop_times.txt row 6 (line 7)", "stop_id") in problems_of(
        write_feed(tmp_path, stop_times_txt=stop_times)
    )


def test_stop_times_out_of_order(tmp_path: Path) -> None:
    """A trip that arrives at C before it left B (someone wrote 00:25 for 24:25)."""
    stop_times = STOP_TIMES.replace("t3,24:25:00,24:25:00", "t3,00:25:00,00:25:00")
    assert ("stop_times.txt row 9 (line 10)", "arrival_time") in problems_of(
        write_feed(tmp_path, stop_times_txt=stop_times)
    )


def test_unknown_route_and_service(tmp_path: Path) -> None:
    """trips.txt pointing to a route or service nobody defined is named by row and field."""
    from gtfs_feeds import TRIPS

    trips = TRIPS.replace("L1,WK,t2", "L9,WK,t2").replace("L1,WK,t3", "L1,XX,t3")
    found = problems_of(write_feed(tmp_path, trips_txt=trips))
    assert ("trips.txt row 2 (line 3)", "route_id") in found
    assert ("trips.txt row 3 (line 4)", "service_id") in found


def test_every_problem_at_once(tmp_path: Path) -> None:
    """A feed with three faults reports all three in one error."""
    stops = STOPS.replace("B Junction,40.14,", "B Junction,,")
    stop_times = STOP_TIMES.replace("t1,08:15:00,", "t1,8:60:00,").replace(",C,3\nt3", ",X,3\nt3")
    found = problems_of(write_feed(tmp_path, stops_txt=stops, stop_times_txt=stop_times))
    assert len(found) >= 3


def test_line_confidence_must_be_known(tmp_path: Path) -> None:
    """routes.txt's confidence column takes low, medium or high."""
    from gtfs_feeds import ROUTES

    routes = ROUTES.replace(",low,1", ",guess,1")
    assert ("routes.txt row 2 (line 3)", "confidence") in problems_of(
        write_feed(tmp_path, routes_txt=routes)
    )


def test_a_feed_is_named_by_its_content(tmp_path: Path) -> None:
    """Same files, same name; an edited file, a new name (caches never mix them)."""
    one = load_feed(write_feed(tmp_path / "one"))
    two = load_feed(write_feed(tmp_path / "two"))
    other = load_feed(write_feed(tmp_path / "three", calendar_dates_txt=None))
    assert one.name == two.name != other.name
    assert one.name.startswith("gtfs:")


def test_lines_carry_source_confidence_and_estimate(feed: Feed) -> None:
    """L2's headway is an estimate: every ride on it says so, and the feed as a whole does."""
    assert (feed.lines["L2"].confidence, feed.lines["L2"].estimated) == ("low", True)
    assert not feed.lines["L1"].estimated and feed.estimated
    journey = matrix_on(feed, TUESDAY).journeys(A, D)[0]
    assert journey.estimated and [r.estimated for r in journey.rides] == [False, True]


def test_shared_timetables_for_days_with_the_same_services(feed: Feed) -> None:
    """Two ordinary Wednesdays share one timetable and its profile cache."""
    assert timetable(feed, dt.date(2027, 4, 21)) is timetable(feed, dt.date(2027, 4, 28))


# --- the bundled feed -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def bundled() -> Feed:
    return load_feed(BUNDLED)


def test_the_bundled_feed_loads_and_every_line_says_where_it_comes_from(bundled: Feed) -> None:
    """No ConfigError; each line has a source and a confidence; estimated ones say so."""
    assert bundled.lines
    for line in bundled.lines.values():
        assert line.source and line.confidence in ("low", "medium", "high"), line
    assert bundled.estimated


def test_bundled_lines_serve_the_tourist_areas(bundled: Feed) -> None:
    """852, 918 and rural lines are there."""
    names = {line.short_name for line in bundled.lines.values()}
    assert {"852", "918"} <= names
    assert len(names) >= 6


def test_pinggu_bus_station_to_jinhai_lake_on_a_weekday_morning(bundled: Feed) -> None:
    """At 09:00 on an ordinary Wednesday a bus journey takes a visitor to Jinhai Lake."""
    import yaml

    pois = yaml.safe_load((ROOT / "configs" / "pois.yaml").read_text(encoding="utf-8"))
    places = {p["id"]: (p["lon"], p["lat"]) for p in pois["pois"]}
    points = [places["pinggu-bus-station"], places["jinhai-lake"]]
    matrix = profiles(timetable(bundled, dt.date(2027, 4, 21)), points, hms("06:00"), hms("21:00"))
    journey = matrix.earliest_arrival(0, 1, hms("09:00"))
    assert journey is not None and journey.rides
    assert journey.arrive < hms("11:00")
    assert journey.estimated
