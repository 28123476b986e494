"""Specification of planner.checker: the independent check every itinerary must pass.

``good_itinerary`` (see conftest) is a spring Saturday from ``station``:

    station -> museum (wait for 09:00) -> lake -> gorge -> blossom -> station, back 17:28

Each test below breaks one rule in a deep copy of it and expects a violation that names the stop,
leg or field at fault; the property test at the end checks that nothing the planner returns ever
breaks a rule.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from planner import (
    Catalog,
    EstimatedTravelTimes,
    InfeasibleRequest,
    Interest,
    Itinerary,
    ItineraryCheckError,
    Mode,
    Planner,
    TripRequest,
    build_catalog,
)
from planner.data.seasons import SeasonCalendar
from planner.model import Dropped, Leg, Stop
from planner.model.hours import open_intervals
from planner.plan.checker import check, violations
from planner.travel.traffic import TrafficSettings

MINUTE = dt.timedelta(minutes=1)


def stop(it: Itinerary, poi_id: str) -> Stop:
    """The stop at ``poi_id`` (fails clearly if the plan changed)."""
    found = [s for s in it.stops if s.poi_id == poi_id]
    assert found, f"{poi_id} is not in the plan {[s.poi_id for s in it.stops]}"
    return found[0]


def position(it: Itinerary, poi_id: str) -> int:
    return [s.poi_id for s in it.stops].index(poi_id)


def caught(found: list[str], *needles: str) -> bool:
    """Whether one violation mentions every needle."""
    return any(all(n in v for n in needles) for v in found)


def shift_day(it: Itinerary, delta: dt.timedelta) -> None:
    """Move every clock time of the day by ``delta`` (a consistent, earlier or later day).

    Opening windows are facts of the places, not of the schedule: they move with whole days only.
    """
    whole_days = delta if delta % dt.timedelta(days=1) == dt.timedelta(0) else dt.timedelta(0)
    it.day_start += delta
    it.day_end += delta
    for leg in it.legs:
        leg.depart += delta
        leg.arrive += delta
    for s in it.stops:
        s.arrival += delta
        s.visit_start += delta
        s.departure += delta
        s.opening_window = (s.opening_window[0] + whole_days, s.opening_window[1] + whole_days)


def catalog_with(catalog: Catalog, poi_id: str, **changes: Any) -> Catalog:
    """A copy of ``catalog`` in which place ``poi_id`` has ``changes``."""
    entries = [{**p.model_dump(), **changes} if p.id == poi_id else p.model_dump() for p in catalog]
    return build_catalog(entries, source="changed")


# --------------------------------------------------------------------------- the sound plan


def test_the_planned_day_has_no_violation(
    good_itinerary: Itinerary, mini_catalog: Catalog, estimate: EstimatedTravelTimes
) -> None:
    """The planner's own itinerary passes: no violation, and ``check`` returns quietly."""
    assert [s.poi_id for s in good_itinerary.stops] == ["museum", "lake", "gorge", "blossom"]
    assert violations(good_itinerary, mini_catalog, estimate) == []
    check(good_itinerary, mini_catalog, estimate)


def test_check_raises_listing_every_violation(
    good_itinerary: Itinerary, mini_catalog: Catalog, estimate: EstimatedTravelTimes
) -> None:
    """``check`` raises ItineraryCheckError (an internal bug, code ``internal_check_failed``)."""
    it = good_itinerary.model_copy(deep=True)
    it.totals.stops = 9
    it.totals.tickets_cny = 0
    with pytest.raises(ItineraryCheckError) as info:
        check(it, mini_catalog, estimate)
    assert len(info.value.violations) == 2
    assert info.value.code == "internal_check_failed"
    assert isinstance(info.value, AssertionError)
    assert "totals.stops is 9" in str(info.value)


# --------------------------------------------------------------------------- one rule broken


def visit_twice(it: Itinerary) -> None:
    k = position(it, "lake")
    it.stops.insert(k + 1, it.stops[k].model_copy(deep=True))


def arrive_one_minute_late(it: Itinerary) -> None:
    stop(it, "lake").arrival += MINUTE


def leave_before_visit_ends(it: Itinerary) -> None:
    stop(it, "lake").departure -= 10 * MINUTE


def start_visit_before_arrival(it: Itinerary) -> None:
    s = stop(it, "gorge")
    s.visit_start -= MINUTE
    s.departure -= MINUTE


def wrong_wait(it: Itinerary) -> None:
    stop(it, "lake").wait_s = 60


def shorten_visit(it: Itinerary) -> None:
    s = stop(it, "lake")
    s.visit_s = 3600
    s.departure = s.visit_start + dt.timedelta(seconds=3600)


def change_leg_travel_time(it: Itinerary) -> None:
    it.legs[1].travel_s += 60


def move_leg_departure(it: Itinerary) -> None:
    it.legs[2].depart += MINUTE


def leg_skips_a_stop(it: Itinerary) -> None:
    it.legs[1].to_id = "gorge"


def drop_a_leg(it: Itinerary) -> None:
    first, second = it.legs[1], it.legs[2]
    merged = first.model_copy(update={"to_id": second.to_id, "arrive": second.arrive})
    it.legs[1:3] = [Leg.model_validate(merged.model_dump())]


def leg_by_another_mode(it: Itinerary) -> None:
    it.legs[0].mode = Mode.walk


def leg_from_another_provider(it: Itinerary) -> None:
    it.legs[0].provider = "osm:0000"


def avoid_a_visited_place(it: Itinerary) -> None:
    it.request.avoid = ["lake"]


def must_place_missing(it: Itinerary) -> None:
    it.request.must = ["lake"]
    del it.stops[position(it, "lake")]


def end_earlier_than_the_day_ends(it: Itinerary) -> None:
    it.request.end_time = dt.time(17, 0)


def end_somewhere_else(it: Itinerary) -> None:
    it.request.end = "museum"


def start_later(it: Itinerary) -> None:
    it.request.start_time = dt.time(8, 0)


def day_end_not_arrival(it: Itinerary) -> None:
    it.day_end += MINUTE


def totals_do_not_add_up(it: Itinerary) -> None:
    it.totals.travel_s += 60


def distance_total_wrong(it: Itinerary) -> None:
    it.totals.distance_m += 500


def ticket_total_wrong(it: Itinerary) -> None:
    it.totals.tickets_cny += 5


def wrong_ticket_price(it: Itinerary) -> None:
    stop(it, "lake").ticket_cny = 45.0


def visit_the_start_point(it: Itinerary) -> None:
    stop(it, "gorge").poi_id = "station"


def visit_an_unknown_place(it: Itinerary) -> None:
    stop(it, "gorge").poi_id = "nowhere"


def visited_and_left_out(it: Itinerary) -> None:
    lake = stop(it, "lake")
    it.dropped.append(
        Dropped(
            poi_id="lake",
            name_zh=lake.name_zh,
            name_en=lake.name_en,
            value=lake.value,
            reason={"code": "out.lower_value", "en": "x", "zh": "x"},
        )
    )


MUTATIONS: list[tuple[str, Callable[[Itinerary], None], tuple[str, ...]]] = [
    ("stop-visited-twice", visit_twice, ("visited twice", "lake")),
    ("arrival-moved-one-minute", arrive_one_minute_late, ("lake: arrival",)),
    ("departure-before-visit-end", leave_before_visit_ends, ("lake: departure",)),
    ("visit-before-arrival", start_visit_before_arrival, ("gorge: visit starts before arrival",)),
    ("wait-does-not-match", wrong_wait, ("lake: wait_s 60",)),
    ("visit-shorter-than-catalogue", shorten_visit, ("lake: visit lasts 3600 s",)),
    ("leg-travel-time-changed", change_leg_travel_time, ("leg 1 (museum->lake)", "provider")),
    ("leg-departs-late", move_leg_departure, ("leg 2 departs",)),
    ("leg-chain-skips-a-stop", leg_skips_a_stop, ("leg 1 goes museum->gorge", "museum->lake")),
    ("leg-missing", drop_a_leg, ("4 legs for 6 points",)),
    ("leg-by-another-mode", leg_by_another_mode, ("leg 0 is by walk",)),
    ("leg-from-another-provider", leg_from_another_provider, ("leg 0 claims provider",)),
    ("stop-on-avoid-list", avoid_a_visited_place, ("'lake'", "avoided")),
    ("must-visit-missing", must_place_missing, ("must-visit", "'lake'", "missing")),
    ("day-ends-after-end-time", end_earlier_than_the_day_ends, ("ends at 17:28", "17:00")),
    ("ends-at-another-place", end_somewhere_else, ("ends at 'station'", "'museum'")),
    ("day-starts-off-request", start_later, ("day starts",)),
    ("day-end-not-arrival", day_end_not_arrival, ("day_end",)),
    ("travel-total-wrong", totals_do_not_add_up, ("totals.travel_s",)),
    ("distance-total-wrong", distance_total_wrong, ("totals.distance_m",)),
    ("ticket-total-wrong", ticket_total_wrong, ("totals.tickets_cny",)),
    ("wrong-ticket-price", wrong_ticket_price, ("lake: ticket 45.0",)),
    ("start-point-as-stop", visit_the_start_point, ("'station'", "not a visitable place")),
    ("stop-not-in-catalogue", visit_an_unknown_place, ("'nowhere'", "not in the catalogue")),
    ("visited-and-left-out", visited_and_left_out, ("'lake'", "both visited and left out")),
]


@pytest.mark.parametrize(("mutate", "needles"), [pytest.param(m, n, id=i) for i, m, n in MUTATIONS])
def test_every_broken_rule_is_caught_and_named(
    good_itinerary: Itinerary,
    mini_catalog: Catalog,
    estimate: EstimatedTravelTimes,
    mutate: Callable[[Itinerary], None],
    needles: tuple[str, ...],
) -> None:
    """Breaking one rule gives a violation that names the stop, leg or field at fault."""
    it = good_itinerary.model_copy(deep=True)
    mutate(it)
    found = violations(it, mini_catalog, estimate)
    assert caught(found, *needles), found


def test_the_shared_itinerary_is_never_mutated(
    good_itinerary: Itinerary, mini_catalog: Catalog, estimate: EstimatedTravelTimes
) -> None:
    """The mutations above work on copies: the shared fixture still passes."""
    assert violations(good_itinerary, mini_catalog, estimate) == []


def test_a_visit_outside_opening_hours_is_the_only_violation(
    good_itinerary: Itinerary, mini_catalog: Catalog, estimate: EstimatedTravelTimes
) -> None:
    """The same day one hour earlier (from 07:30) is consistent, but the museum opens at 09:00.

    The visit moves to 08:00-09:00; arrivals, waits and legs still add up, so the only
    violation is the museum's opening hours, quoted in the message.
    """
    it = good_itinerary.model_copy(deep=True)
    it.request.start_time = dt.time(7, 30)
    shift_day(it, -dt.timedelta(hours=1))
    assert violations(it, mini_catalog, estimate) == [
        "museum: visit 08:00-09:00 is not inside its opening hours on 2027-04-17 "
        "(Tu-Su 09:00-16:30)"
    ]


def test_a_place_closed_that_day_is_caught(
    good_itinerary: Itinerary, mini_catalog: Catalog, estimate: EstimatedTravelTimes
) -> None:
    """The same times on a Monday break the museum's ``Tu-Su`` hours (it is closed)."""
    it = good_itinerary.model_copy(deep=True)
    it.request.date = dt.date(2027, 4, 19)
    shift_day(it, dt.timedelta(days=2))
    found = violations(it, mini_catalog, estimate)
    assert caught(found, "museum:", "opening hours on 2027-04-19")


def test_a_stop_that_is_not_visitable_in_the_catalogue_is_caught(
    good_itinerary: Itinerary, mini_catalog: Catalog, estimate: EstimatedTravelTimes
) -> None:
    """Against a catalogue where the lake is only a start/end point, visiting it is a violation."""
    lake_not_visitable = catalog_with(mini_catalog, "lake", visitable=False)
    found = violations(good_itinerary, lake_not_visitable, estimate)
    assert found == ["stop 'lake' is not a visitable place"]


def test_the_checker_uses_the_catalogue_it_is_given(
    good_itinerary: Itinerary, mini_catalog: Catalog, estimate: EstimatedTravelTimes
) -> None:
    """Hours and visit lengths are re-read from the catalogue, not trusted from the plan."""
    shorter_hours = catalog_with(mini_catalog, "blossom", opening_hours="Mo-Su 06:00-17:00")
    found = violations(good_itinerary, shorter_hours, estimate)
    assert caught(found, "blossom:", "opening hours")
    longer_visit = catalog_with(mini_catalog, "gorge", visit_minutes=180)
    assert caught(violations(good_itinerary, longer_visit, estimate), "gorge: visit lasts")


def test_the_checker_asks_the_provider_afresh(
    good_itinerary: Itinerary, mini_catalog: Catalog
) -> None:
    """A slower provider makes the same legs wrong: times are recomputed, never trusted."""
    from planner.data.config import TravelSettings

    slow = TravelSettings.model_validate(
        {"modes": {"car": {"speed_kmh": 20, "detour_factor": 1.35, "access_s": 300}}}
    )
    found = violations(good_itinerary, mini_catalog, EstimatedTravelTimes(slow))
    assert caught(found, "leg 0 (station->museum)", "the provider says")


# --------------------------------------------------------------------------- gaps (bugs)


def wrong_opening_window(it: Itinerary) -> None:
    s = stop(it, "museum")
    s.opening_window = (s.opening_window[0] - dt.timedelta(hours=2), s.opening_window[1])


def wrong_stop_point(it: Itinerary) -> None:
    stop(it, "lake").lon += 0.5


def wrong_stop_name(it: Itinerary) -> None:
    stop(it, "lake").name_en = "Test Gorge"


def wrong_leg_distance(it: Itinerary) -> None:
    it.legs[1].distance_m += 5000
    it.totals.distance_m += 5000


def whole_day_in_utc(it: Itinerary) -> None:
    """Same wall-clock numbers, but in UTC: the day really starts at 16:30 in Pinggu."""
    utc = dt.UTC
    it.day_start = it.day_start.replace(tzinfo=utc)
    it.day_end = it.day_end.replace(tzinfo=utc)
    for leg in it.legs:
        leg.depart = leg.depart.replace(tzinfo=utc)
        leg.arrive = leg.arrive.replace(tzinfo=utc)
    for s in it.stops:
        s.arrival = s.arrival.replace(tzinfo=utc)
        s.visit_start = s.visit_start.replace(tzinfo=utc)
        s.departure = s.departure.replace(tzinfo=utc)
        s.opening_window = (
            s.opening_window[0].replace(tzinfo=utc),
            s.opening_window[1].replace(tzinfo=utc),
        )


def gap(name: str, mutate: Callable[[Itinerary], None], needle: str, bug: str) -> Any:
    """A rule once missing from the checker (``bug`` says which); kept as a regression case."""
    del bug
    return pytest.param(mutate, needle, id=name)


GAPS = [
    gap(
        "stop-opening-window-not-its-hours",
        wrong_opening_window,
        "museum",
        "checker.violations never compares Stop.opening_window with open_intervals()",
    ),
    gap(
        "stop-point-not-the-catalogue-point",
        wrong_stop_point,
        "lake",
        "checker.violations never compares Stop.lon/lat with the catalogue (nor Endpoint's)",
    ),
    gap(
        "stop-name-not-the-catalogue-name",
        wrong_stop_name,
        "lake",
        "checker.violations never compares Stop names/category with the catalogue",
    ),
    gap(
        "leg-distance-not-the-provider-distance",
        wrong_leg_distance,
        "leg 1",
        "checker.violations checks Leg.travel_s against matrix.seconds but never "
        "Leg.distance_m against matrix.metres",
    ),
    gap(
        "times-not-in-pinggu-local-time",
        whole_day_in_utc,
        "day starts",
        "checker.violations takes the time zone from the itinerary (tz = "
        "itinerary.day_start.tzinfo) instead of Asia/Shanghai, so a day shifted to UTC passes",
    ),
]


@pytest.mark.parametrize(("mutate", "needle"), GAPS)
def test_facts_shown_to_the_visitor_are_checked_too(
    good_itinerary: Itinerary,
    mini_catalog: Catalog,
    estimate: EstimatedTravelTimes,
    mutate: Callable[[Itinerary], None],
    needle: str,
) -> None:
    """Every fact the itinerary shows (window, point, name, distance, local time) is verified."""
    it = good_itinerary.model_copy(deep=True)
    mutate(it)
    found = violations(it, mini_catalog, estimate)
    assert caught(found, needle), found


# --------------------------------------------------------------------------- property

VISITABLE = ["lake", "gorge", "blossom", "museum"]
EVERYWHERE = ["station", *VISITABLE]


@st.composite
def trip_requests(draw: st.DrawFn) -> TripRequest:
    """Any valid request over the test catalogue; must-visit lists may well be infeasible."""
    day = draw(st.dates(dt.date(2027, 1, 1), dt.date(2027, 12, 31)))
    start = draw(st.sampled_from(EVERYWHERE))
    end = draw(st.none() | st.sampled_from(EVERYWHERE))
    begin = draw(st.integers(6 * 4, 14 * 4)) * 15  # minutes after midnight, quarter hours
    length = draw(st.integers(1 * 4, 12 * 4)) * 15
    finish = min(begin + length, 23 * 60 + 45)
    free = [p for p in VISITABLE if p not in (start, end)]
    must = draw(st.lists(st.sampled_from(free), unique=True, max_size=2)) if free else []
    rest = [p for p in free if p not in must]
    avoid = draw(st.lists(st.sampled_from(rest), unique=True)) if rest else []
    return TripRequest(
        date=day,
        start=start,
        end=end,
        start_time=dt.time(begin // 60, begin % 60),
        end_time=dt.time(finish // 60, finish % 60),
        interests=draw(st.lists(st.sampled_from(list(Interest)), unique=True, max_size=3)),
        must=must,
        avoid=avoid,
        mode=draw(st.sampled_from(list(Mode))),
        time_limit_s=0.1,
        seed=draw(st.integers(0, 3)),
        lunch=draw(st.booleans()),
    )


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(request=trip_requests())
def test_every_returned_itinerary_is_sound(request: TripRequest, mini_catalog: Catalog) -> None:
    """Whatever is asked, the planner returns a sound day or says why it cannot (InfeasibleRequest).

    A returned day has no violation, no place twice, every must and no avoid, every visit inside
    one of the place's open intervals that day, and every arrival within the requested day.
    """
    from planner.data.config import load_travel_settings

    estimate = EstimatedTravelTimes(load_travel_settings())
    try:
        it = Planner(
            mini_catalog, estimate, seasons=SeasonCalendar(), traffic=TrafficSettings()
        ).plan(request)
    except InfeasibleRequest:
        event("infeasible")
        return  # a must-visit place (or the way to the end point) does not fit: said, not hidden
    event(f"{len(it.stops)} stops")
    assert violations(it, mini_catalog, estimate) == []
    ids = [s.poi_id for s in it.stops if s.kind != "picnic"]
    assert len(set(ids)) == len(ids)
    assert set(request.must) <= set(ids)
    assert not set(request.avoid) & set(ids)
    day_start = dt.datetime.combine(request.date, request.start_time, it.day_start.tzinfo)
    deadline = dt.datetime.combine(request.date, request.end_time, it.day_start.tzinfo)
    midnight = dt.datetime.combine(request.date, dt.time(), it.day_start.tzinfo)
    for s in it.stops:
        assert day_start <= s.arrival <= s.visit_start < s.departure <= deadline
        if s.kind == "picnic":  # taken where the traveller is, inside the lunch window
            assert (
                request.lunch_from <= s.visit_start.time()
                and s.departure.time() <= request.lunch_to
            )
            continue
        start_s = (s.visit_start - midnight).total_seconds()
        end_s = (s.departure - midnight).total_seconds()
        intervals = open_intervals(mini_catalog.get(s.poi_id).opening_hours, request.date)
        assert any(a <= start_s and end_s <= b for a, b in intervals), (s.poi_id, intervals)
    assert it.day_end <= deadline
