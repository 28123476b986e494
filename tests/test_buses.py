"""Specification of bus days planned on the timetable (:mod:`planner.plan.buses`).

A feed drawn here (one line between Pinggu Bus Station and Jinhai Lake, stops at the catalogue's
own points, so no walking at either end)::

    to the lake:   08:00 -> 08:40,  09:00 -> 09:40
    back:          16:00 -> 16:40,  17:00 -> 17:40   (the last bus)

Every time in these tests follows from that drawing: a visit that ends at 15:50 catches the
16:00; one that ends at 16:05 waits for the 17:00, or, when the day must end by 17:30, cannot
be planned at all. Nothing here walks 20 km.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from planner import Planner, TripRequest
from planner.errors import InfeasibleRequest
from planner.model import Itinerary, Trip
from planner.plan.checker import violations
from planner.travel.transit import load_feed
from tests.gtfs_feeds import AGENCY, write_feed

STATION = (117.10111, 40.14222)
LAKE = (117.31111, 40.17611)
WEDNESDAY = "2027-07-14"

LAKE_LINE = {
    "agency.txt": AGENCY,
    "stops.txt": (
        "stop_id,stop_name,stop_name_en,stop_lat,stop_lon\n"
        f"S,平谷汽车站,Pinggu Bus Station,{STATION[1]},{STATION[0]}\n"
        f"L,金海湖,Jinhai Lake,{LAKE[1]},{LAKE[0]}\n"
    ),
    "routes.txt": (
        "route_id,agency_id,route_short_name,route_long_name,route_type,source,confidence,estimated\n"
        "H,T,湖,Station - Lake,3,drawn for the tests,high,0\n"
    ),
    "trips.txt": (
        "route_id,service_id,trip_id,trip_headsign\n"
        "H,ALL,out8,金海湖\nH,ALL,out9,金海湖\nH,ALL,back16,平谷\nH,ALL,back17,平谷\n"
    ),
    "stop_times.txt": (
        "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
        "out8,08:00:00,08:00:00,S,1\nout8,08:40:00,08:40:00,L,2\n"
        "out9,09:00:00,09:00:00,S,1\nout9,09:40:00,09:40:00,L,2\n"
        "back16,16:00:00,16:00:00,L,1\nback16,16:40:00,16:40:00,S,2\n"
        "back17,17:00:00,17:00:00,L,1\nback17,17:40:00,17:40:00,S,2\n"
    ),
    "calendar.txt": (
        "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date\n"
        "ALL,1,1,1,1,1,1,1,20270101,20271231\n"
    ),
}


@pytest.fixture(scope="module")
def planner(tmp_path_factory: pytest.TempPathFactory) -> Planner:
    """The bundled catalogue, straight-line travel, and the lake line as the timetable."""
    planner = Planner.from_configs(use_roads=False)
    planner.transit = load_feed(write_feed(tmp_path_factory.mktemp("feed"), LAKE_LINE))
    return planner


def lake_day(**update: object) -> TripRequest:
    base = {
        "date": WEDNESDAY,
        "start": "pinggu-bus-station",
        "start_time": "07:30",
        "end_time": "18:00",
        "mode": "bus",
        "interests": ["lake"],
        "must": ["jinhai-lake"],
        "lunch": False,
    }
    return TripRequest(**{**base, **update})


def pinned_at(clock: str, **update: object) -> TripRequest:
    """The lake pinned so that its visit starts at ``clock`` (its visit lasts 180 min)."""
    return lake_day(must=[], pins=[{"poi_id": "jinhai-lake", "at": clock}], **update)


def home_leg(it: Itinerary):
    return it.legs[-1]


def test_a_visit_that_ends_at_1550_catches_the_1600(planner: Planner) -> None:
    it = planner.plan(pinned_at("12:50"))
    lake = next(s for s in it.stops if s.poi_id == "jinhai-lake")
    assert f"{lake.departure:%H:%M}" == "15:50"
    rides = [p for p in home_leg(it).transit if p.kind == "ride"]
    assert [(p.line, f"{p.depart:%H:%M}", f"{p.arrive:%H:%M}") for p in rides] == [
        ("湖", "16:00", "16:40")
    ]
    assert f"{it.day_end:%H:%M}" == "16:40"


def test_a_visit_that_ends_at_1605_waits_for_the_last_bus(planner: Planner) -> None:
    it = planner.plan(pinned_at("13:05"))
    rides = [p for p in home_leg(it).transit if p.kind == "ride"]
    assert [(f"{p.depart:%H:%M}", f"{p.arrive:%H:%M}") for p in rides] == [("17:00", "17:40")]
    assert home_leg(it).travel_s == 95 * 60  # 55 min at the stop, 40 min on the bus


def test_the_last_bus_home_says_so_and_an_earlier_one_does_not(planner: Planner) -> None:
    """The 17:00 is the lake's last bus home: its ride is marked (the app, CLI, calendar file
    and printable page say "the last bus ... do not miss it"); the 16:00 has a later one."""
    from planner.present.timeline import bus_parts

    late = home_leg(planner.plan(pinned_at("13:05")))
    assert [p.last for p in late.transit if p.kind == "ride"] == [True]
    assert bus_parts(late, "en")[-1].endswith(
        "the last bus that gets you there today: do not miss it"
    )
    assert "末班车" in bus_parts(late, "zh")[-1]
    early = home_leg(planner.plan(pinned_at("12:50")))
    assert [p.last for p in early.transit if p.kind == "ride"] == [False]


def test_a_day_that_must_end_before_the_last_bus_gets_home_is_refused(planner: Planner) -> None:
    with pytest.raises(InfeasibleRequest) as caught:
        planner.plan(pinned_at("13:05", end_time="17:30"))
    assert caught.value.field == "pins"


def test_the_first_bus_out_decides_the_arrival(planner: Planner) -> None:
    """Leaving at 07:30, the 08:00 is the first bus: at the lake at 08:40 (it opens at 08:00)."""
    it = planner.plan(lake_day())
    first = it.legs[0]
    assert [(p.kind, f"{p.depart:%H:%M}", f"{p.arrive:%H:%M}") for p in first.transit] == [
        ("ride", "08:00", "08:40")
    ]
    lake = next(s for s in it.stops if s.poi_id == "jinhai-lake")
    assert lake.arrival == first.arrive


def test_a_plan_never_leaves_anyone_after_the_last_bus(planner: Planner) -> None:
    """However long the lake would be worth staying, the day ends on a bus home."""
    it = planner.plan(lake_day(end_time="21:00"))
    home = home_leg(it)
    assert home.transit and home.transit[-1].kind == "ride"
    assert f"{home.transit[-1].depart:%H:%M}" in ("16:00", "17:00")
    assert it.day_end <= dt.datetime.fromisoformat(f"{WEDNESDAY}T17:40:00+08:00")


def test_a_pin_before_the_first_bus_arrives_names_the_first_arrival(planner: Planner) -> None:
    """The first bus reaches the lake at 08:40: a visit pinned at 08:30 cannot be, and the
    refusal says when the first bus gets there (not "start earlier" alone)."""
    with pytest.raises(InfeasibleRequest) as caught:
        planner.plan(pinned_at("08:30"))
    assert caught.value.field == "pins"
    assert "the first bus gets there at 08:40" in str(caught.value)
    assert caught.value.text is not None and "最早一班公交 08:40 才到" in caught.value.text.zh


def test_a_must_see_no_bus_reaches_is_refused_as_such(planner: Planner) -> None:
    """The lake line serves the station and the lake only: the Grand Canyon, 15 km from both,
    has no bus there and back, whatever the hours."""
    with pytest.raises(InfeasibleRequest) as caught:
        planner.plan(lake_day(must=["jingdong-grand-canyon"], end_time="23:00"))
    assert caught.value.field == "must"
    assert "no bus gets to 'jingdong-grand-canyon' and back" in str(caught.value)
    assert "travel by car" in str(caught.value)
    assert caught.value.text is not None and "改为自驾" in caught.value.text.zh


def test_a_date_the_timetable_does_not_cover_is_refused_naming_its_calendar(
    planner: Planner,
) -> None:
    """The drawn feed runs through 2027: a bus day in 2028 has no bus at all, and says so
    (it used to come back as a picnic at the bus station)."""
    with pytest.raises(InfeasibleRequest) as caught:
        planner.plan(lake_day(date="2028-01-05", must=[]))
    assert caught.value.field == "date"
    assert "2027-01-01..2027-12-31" in str(caught.value)
    assert caught.value.text is not None  # in both languages, for the app
    assert "2028-01-05 没有班次" in caught.value.text.zh


def test_a_start_out_of_walking_reach_of_every_stop_is_refused(planner: Planner) -> None:
    """A start 5 km from both stops cannot board any bus: the refusal names the nearest stop."""
    with pytest.raises(InfeasibleRequest) as caught:
        planner.plan(lake_day(start="117.16,40.12", must=[]))
    assert caught.value.field == "start"
    assert "the nearest, Pinggu Bus Station" in str(caught.value)
    assert caught.value.text is not None and "最近的平谷汽车站" in caught.value.text.zh


@pytest.fixture(scope="module")
def bus_trip() -> Trip:
    """Three car-free days on the bundled timetable."""
    return Planner.from_configs(use_roads=False).plan_trip(
        TripRequest(
            date="2027-07-16",
            start="pinggu-bus-station",
            mode="bus",
            days=3,
            interests=["lake", "gorge", "village"],
        )
    )


def test_a_bus_trip_never_asks_for_more_minutes_than_a_day_has(bus_trip: Trip) -> None:
    """On a trip of several bus days a place that no connection fits is "no bus connection",
    never "needs about 1361 more minutes" (a visit waiting for the next day's opening)."""
    trip = bus_trip
    day_minutes = 10 * 60  # 08:30-18:30 at most
    for dropped in trip.dropped:
        minutes = [int(w) for w in dropped.reason.en.split() if w.isdigit()]
        if "more minutes" in dropped.reason.en:
            assert minutes and minutes[0] < day_minutes, dropped.reason.en


def test_a_bus_trip_warns_of_estimated_timetables_once_naming_every_line(bus_trip: Trip) -> None:
    """One warning for the trip, naming each estimated line ridden on any day (not one per day)."""
    ridden = sorted(
        {p.line for d in bus_trip.days for leg in d.legs for p in leg.transit if p.estimated}
    )
    found = [w for w in bus_trip.warnings if w.code == "warn.estimated_timetable"]
    assert len(found) == 1 and ridden
    assert all(line in found[0].en for line in ridden)


def test_every_ride_is_re_timed_on_the_timetable_by_the_checker(planner: Planner) -> None:
    it = planner.plan(pinned_at("12:50"))
    assert violations(it, planner.catalog, planner.travel, transit=planner.transit) == []
    home = home_leg(it)
    moved = home.transit[0].model_copy(
        update={"depart": home.transit[0].depart + dt.timedelta(minutes=5)}
    )
    bad = it.model_copy(
        update={"legs": [*it.legs[:-1], home.model_copy(update={"transit": [moved]})]}
    )
    found = violations(bad, planner.catalog, planner.travel, transit=planner.transit)
    assert any("does not leave 平谷汽车站" in v or "does not leave 金海湖" in v for v in found), (
        found
    )
    assert any("claims bus rides" in v for v in violations(it, planner.catalog, planner.travel))


def test_a_bus_day_without_a_bus_home_says_so(planner: Planner, tmp_path: Path) -> None:
    """A feed with no bus back: the day cannot end where it must, and the error says why."""
    one_way = dict(LAKE_LINE)
    one_way["trips.txt"] = "route_id,service_id,trip_id,trip_headsign\nH,ALL,out8,金海湖\n"
    one_way["stop_times.txt"] = (
        "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
        "out8,08:00:00,08:00:00,S,1\nout8,08:40:00,08:40:00,L,2\n"
    )
    blind = Planner.from_configs(use_roads=False)
    blind.transit = load_feed(write_feed(tmp_path / "one-way", one_way))
    it = blind.plan(lake_day(must=[]))
    assert "jinhai-lake" not in [s.poi_id for s in it.stops]  # going there would strand you
    lake = next(d for d in it.dropped if d.poi_id == "jinhai-lake")
    assert lake.reason.code == "out.no_bus"
    assert "No bus gets there and back" in lake.reason.en


def test_an_operators_feed_replaces_the_bundled_one_and_a_broken_one_is_refused(
    tmp_path: Path,
) -> None:
    """A running planner picks up a new feed in configs/transit/; a feed that does not validate
    keeps the last good one in use and says which file, row and field is wrong."""
    import os
    import shutil

    from planner.plan.live import LivePlanner, PlannerSettings

    configs = tmp_path / "configs"
    shutil.copytree(Path(__file__).resolve().parents[1] / "configs", configs)
    live = LivePlanner(PlannerSettings(configs_dir=configs, use_roads=False))
    bundled, _ = live.current()
    assert bundled.transit is not None
    write_feed(configs / "transit", LAKE_LINE)
    for name in ("frequencies.txt", "calendar_dates.txt"):
        (configs / "transit" / name).unlink(missing_ok=True)
    replaced, _ = live.current()
    assert replaced.transit is not None and replaced.transit.name != bundled.transit.name
    assert {line.short_name for line in replaced.transit.lines.values()} == {"湖"}
    stops = configs / "transit" / "stops.txt"
    stops.write_text(stops.read_text(encoding="utf-8").replace("40.14222", ""), encoding="utf-8")
    os.utime(stops, ns=(stops.stat().st_mtime_ns + 10**9,) * 2)
    kept, _ = live.current()
    assert kept is replaced
    assert live.problem is not None and "stops.txt" in live.problem and "stop_lat" in live.problem


def test_walks_to_the_stops_follow_the_road_network_when_one_is_built(tmp_path: Path) -> None:
    """On the drawn VALLEY network (tests/osm_scenarios.py), the walk from a place at junction
    ``e`` to a stop at ``b`` (1 km up the lane) takes the network's walking time, not the
    straight line's with its detour factor."""
    from osm_scenarios import (
        VALLEY,
        scenario_road_settings,
        scenario_travel_settings,
        write_osm_xml,
    )

    from planner.model import Mode, Poi
    from planner.plan.buses import bus_days
    from planner.travel.build import build_network
    from planner.travel.roads import RoadTravelTimes
    from planner.travel.transit import straight_line_walk

    osm = write_osm_xml(VALLEY, tmp_path / "valley.osm")
    settings = scenario_road_settings()
    network = build_network(settings=settings, osm_file=osm, modes=[Mode.car, Mode.walk])
    roads = RoadTravelTimes(network, scenario_travel_settings(), snap=settings.snap)
    d, b, c = (VALLEY.lonlat(x) for x in "ebc")
    feed_files = {
        **LAKE_LINE,
        "stops.txt": (
            "stop_id,stop_name,stop_name_en,stop_lat,stop_lon\n"
            f"S,北站,North,{b[1]},{b[0]}\nL,东站,East,{c[1]},{c[0]}\n"
        ),
    }
    feed = load_feed(write_feed(tmp_path / "feed", feed_files))
    here = Poi.model_validate(
        {
            "id": "junction-d",
            "name_zh": "丁",
            "name_en": "d",
            "description_zh": "合成",
            "description_en": "synthetic",
            "category": "transport",
            "lon": d[0],
            "lat": d[1],
            "confidence": "low",
            "source": "synthetic",
            "visit_minutes": 0,
            "visitable": False,
        }
    )
    request = lake_day(start="junction-d", must=[])
    on_roads = bus_days(feed, request, [here], [(7 * 3600, 18 * 3600)], travel=roads)
    straight = bus_days(feed, request, [here], [(7 * 3600, 18 * 3600)])
    road_s = int(roads.matrix([d, b], Mode.walk).seconds[0, 1])
    stop_b = next(i for i, s in enumerate(on_roads.days[0].timetable.stops) if s.name == "北站")
    assert dict(on_roads.days[0].timetable.nearby(d))[stop_b] == road_s
    assert dict(straight.days[0].timetable.nearby(d))[stop_b] == straight_line_walk()(d, b)
    assert road_s != straight_line_walk()(d, b)


def test_each_bus_leg_says_its_line_stops_and_times_wherever_the_plan_goes(
    planner: Planner,
) -> None:
    """The app, the CLI, the calendar file and the printable page all show the ride, and the
    wait for it at the stop."""
    from planner.present.exports import itinerary_ics, printable_html
    from planner.present.timeline import bus_parts

    it = planner.plan(pinned_at("12:50"))
    home = home_leg(it)
    assert bus_parts(home, "en") == [  # the visit ends at 15:50: ten minutes at the stop
        "15:50 wait 10 min at Jinhai Lake",
        "bus 湖 Jinhai Lake 16:00 → Pinggu Bus Station 16:40",
    ]
    assert bus_parts(home, "zh") == [
        "15:50 在 金海湖 候车 10 分钟",
        "乘 湖路 金海湖 16:00 → 平谷汽车站 16:40",
    ]
    ics = itinerary_ics(it, lang="zh").decode().replace("\r\n ", "")  # unfolded
    assert "乘 湖路 金海湖 16:00 → 平谷汽车站 16:40" in ics
    assert "bus 湖 Jinhai Lake 16:00 → Pinggu Bus Station 16:40" in printable_html(it, "en")
    # the map draws the ride along the line's stops: the leg's geometry is the ride's path
    assert home.geometry[0] == LAKE and home.geometry[-1] == STATION
    # a walk of 0 min (the stop is at the place) is not a line of its own
    ride = home.transit[0]
    nil = ride.model_copy(
        update={"kind": "walk", "depart": home.depart, "arrive": home.depart, "line": None}
    )
    walked = home.model_copy(update={"transit": [nil, *home.transit]})
    assert bus_parts(walked, "en") == bus_parts(home, "en")
    # the walk from the last stop to the place says where it goes
    ride = home.transit[-1]
    on = ride.model_copy(
        update={
            "kind": "walk",
            "depart": ride.arrive,
            "arrive": ride.arrive + dt.timedelta(minutes=6),
            "to_name": None,
            "to_name_en": None,
            "line": None,
        }
    )
    onward = home.model_copy(update={"transit": [*home.transit, on]})
    assert bus_parts(onward, "en", to="Pinggu Bus Station")[-1] == (
        "16:40 walk 6 min to Pinggu Bus Station"
    )
    assert bus_parts(onward, "en")[-1] == "16:40 walk 6 min"


def test_a_bus_day_says_the_timetable_times_it(planner: Planner) -> None:
    """The rides are the timetable's: the plan names the feed as its travel source, and on
    straight-line walking warns about the walks to the stops, not about mountain roads."""
    from planner.present.timeline import line_zh

    it = planner.plan(lake_day())
    assert it.solver.travel_provider == planner.transit.name
    codes = [w.code for w in it.warnings]
    assert "warn.estimated_walks" in codes and "warn.estimated_travel" not in codes
    assert [line_zh(x) for x in ("918", "丫髻山线", "郊92路")] == ["918路", "丫髻山线", "郊92路"]


def test_running_late_after_the_last_bus_says_so_naming_now(planner: Planner) -> None:
    """Still at the lake at 17:05, after the 17:00 (the last bus): the re-plan is refused on
    ``now``, the one thing a re-plan can change, and says the last bus has gone."""
    it = planner.plan(lake_day())
    late = dt.datetime.fromisoformat(f"{WEDNESDAY}T17:05:00+08:00")
    with pytest.raises(InfeasibleRequest) as caught:
        planner.replan(it, now=late, here="jinhai-lake", visited=["jinhai-lake"])
    assert caught.value.field == "now"
    assert "last bus back in time has gone; take a taxi" in str(caught.value)
    assert caught.value.text is not None and "末班车已过，请打车" in caught.value.text.zh


def test_chinese_bus_text_reads_as_chinese() -> None:
    """The estimated tag in full-width brackets, the lines listed with 、, and a leg that only
    walks is a walk, not "bus 17 min"."""
    from planner.present.timeline import bus_parts, leg_line

    it = Planner.from_configs(use_roads=False).plan(
        TripRequest(date="2027-07-14", start="pinggu-bus-station", mode="bus", interests=["lake"])
    )
    rides = [line for leg in it.legs for line in bus_parts(leg, "zh") if line.startswith("乘")]
    assert rides and all("（估算）" in r for r in rides if "估算" in r)
    (warning,) = [w for w in it.warnings if w.code == "warn.estimated_timetable"]
    assert ", " not in warning.zh and (
        "、" in warning.zh or len({p.line for leg in it.legs for p in leg.transit if p.line}) == 1
    )
    leg = next(leg for leg in it.legs if leg.transit)
    walk = leg.transit[0].model_copy(update={"kind": "walk", "line": None})
    walking = leg.model_copy(update={"transit": [walk], "distance_m": 1300, "travel_s": 1020})
    assert leg_line(walking, "en") == "on foot 17 min · 1.3 km"
    assert leg_line(leg, "en").startswith("bus ")
