"""Planning like a local: budgets, pace, pins, several days, ad-hoc points and re-planning.

Every plan here also passes the independent checker inside the planner; these tests check the
features' own promises on top of that.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner import InfeasibleRequest, Planner, RequestError, TripRequest
from planner.data.catalog import build_catalog
from planner.data.config import load_travel_settings
from planner.data.seasons import SeasonCalendar
from planner.errors import PlannerError
from planner.model import Pace, Pin
from planner.plan.checker import trip_violations
from planner.travel.estimate import EstimatedTravelTimes
from planner.travel.traffic import TrafficSettings

MINI = Path(__file__).parent / "data" / "mini_pois.yaml"
FARM_STAY = {
    "id": "farm-stay",
    "name_zh": "测试农家院",
    "name_en": "Test Farm Stay",
    "description_zh": "住宿",
    "description_en": "A place to sleep.",
    "category": "lodging",
    "lon": 117.16,
    "lat": 40.19,
    "confidence": "low",
    "source": "synthetic test data",
    "visit_minutes": 0,
    "visitable": False,
}


RESTAURANT = {
    "id": "farm-kitchen",
    "name_zh": "测试农家饭",
    "name_en": "Test Farm Kitchen",
    "description_zh": "农家菜",
    "description_en": "Farm dishes.",
    "category": "restaurant",
    "interests": ["food"],
    "lon": 117.19,
    "lat": 40.17,
    "confidence": "low",
    "source": "synthetic test data",
    "opening_hours": "Mo-Su 10:00-20:00",
    "visit_minutes": 60,
    "ticket_cny": 0,
    "popularity": 0.6,
}


def _planner(*extra: dict) -> Planner:
    entries = yaml.safe_load(MINI.read_text(encoding="utf-8"))["pois"] + list(extra)
    return Planner(
        build_catalog(entries, source="mini+"),
        EstimatedTravelTimes(load_travel_settings()),
        seasons=SeasonCalendar(),
        traffic=TrafficSettings(),
    )


@pytest.fixture(scope="module")
def planner() -> Planner:
    return _planner(FARM_STAY)


@pytest.fixture(scope="module")
def with_kitchen() -> Planner:
    return _planner(FARM_STAY, RESTAURANT)


def req(**kw) -> TripRequest:
    return TripRequest(**({"date": "2027-04-17", "start": "station"} | kw))


# ------------------------------------------------------------------ budget
@pytest.mark.parametrize("budget", [0, 10, 50, 100])
def test_the_ticket_budget_is_respected_exactly(planner: Planner, budget: float):
    """Tickets never add up to more than the cap; places dearer than the cap say so."""
    it = planner.plan(req(budget_cny=budget))
    assert it.totals.tickets_cny <= budget
    for d in it.dropped:
        if d.reason.code == "out.over_budget":
            assert (planner.catalog.get(d.poi_id).ticket_cny or 0) + it.totals.tickets_cny > budget


def test_a_must_visit_place_dearer_than_the_budget_is_infeasible(planner: Planner):
    """must=gorge (¥60) with a ¥50 budget cannot be planned; the error names budget_cny."""
    with pytest.raises(InfeasibleRequest) as exc:
        planner.plan(req(must=["gorge"], budget_cny=50))
    assert exc.value.field == "budget_cny"


# ------------------------------------------------------------------ pace
def test_pace_scales_visits_and_keeps_a_buffer(planner: Planner):
    """relaxed: visits x1.25 and 15 min after each leg into a visit; packed: visits x0.8."""
    relaxed = planner.plan(req(pace="relaxed", lunch=False))
    for s in relaxed.stops:
        assert s.visit_s == Pace.relaxed.visit_s(planner.catalog.get(s.poi_id).visit_minutes)
    assert (
        all(leg.buffer_s == 15 * 60 for leg in relaxed.legs[:-1]) and relaxed.legs[-1].buffer_s == 0
    )
    packed = planner.plan(req(pace="packed", lunch=False))
    for s in packed.stops:
        assert s.visit_s == Pace.packed.visit_s(planner.catalog.get(s.poi_id).visit_minutes)


def test_a_packed_day_sees_at_least_as_much_as_a_relaxed_one(planner: Planner):
    """Shorter visits and no buffers never lower the value of the best plan."""
    short = dict(start_time="09:00", end_time="14:00")
    assert (
        planner.plan(req(pace="packed", **short)).totals.value
        >= planner.plan(req(pace="relaxed", **short)).totals.value
    )


# ------------------------------------------------------------------ pins
def test_a_pinned_position_is_kept(planner: Planner):
    """pins=[lake at position 1]: the lake is the first stop."""
    it = planner.plan(req(pins=[Pin(poi_id="lake", position=1)]))
    assert it.stops[0].poi_id == "lake"


def test_a_pinned_time_is_kept(planner: Planner):
    """pins=[gorge at 13:00]: the gorge visit starts at 13:00 sharp."""
    it = planner.plan(req(pins=[Pin(poi_id="gorge", at=dt.time(13, 0))]))
    stop = next(s for s in it.stops if s.poi_id == "gorge")
    assert stop.visit_start.time() == dt.time(13, 0)


def test_a_pinned_time_outside_the_hours_names_the_valid_range(planner: Planner):
    """The museum opens 09:00: a pin at 08:00 is refused with the range that would work."""
    with pytest.raises(InfeasibleRequest) as exc:
        planner.plan(req(pins=[Pin(poi_id="museum", at=dt.time(8, 0))]))
    assert exc.value.field == "pins" and "09:00" in str(exc.value)


def test_pins_must_be_visitable_and_not_avoided(planner: Planner):
    """A transport point or an avoided place cannot be pinned."""
    with pytest.raises(RequestError):
        planner.plan(req(pins=[Pin(poi_id="station")]))
    with pytest.raises(RequestError):
        planner.plan(req(pins=[Pin(poi_id="lake")], avoid=["lake"]))


# ------------------------------------------------------------------ several days
def test_a_three_day_trip_visits_no_place_twice_and_sleeps_at_the_stay(planner: Planner):
    """Day k+1 starts where day k ended (the farm stay); no place twice; each day checked."""
    trip = planner.plan_trip(req(days=3, stay="farm-stay", start_time="09:00", end_time="13:00"))
    assert len(trip.days) == 3 and trip.stay is not None and trip.stay.poi_id == "farm-stay"
    assert [d.request.date for d in trip.days] == [
        dt.date(2027, 4, 17) + dt.timedelta(days=k) for k in range(3)
    ]
    assert trip.days[0].end.poi_id == "farm-stay" and trip.days[1].start.poi_id == "farm-stay"
    assert trip.days[-1].end.poi_id == "station"
    ids = [s.poi_id for d in trip.days for s in d.stops if s.kind != "picnic"]
    assert len(ids) == len(set(ids))
    assert trip_violations(trip, planner.catalog, planner.travel) == []


def test_the_planner_suggests_a_stay_when_none_is_given(planner: Planner):
    """days=2 without stay: the only farm stay is suggested and marked as suggested."""
    trip = planner.plan_trip(req(days=2))
    assert trip.stay is not None and trip.stay.poi_id == "farm-stay" and trip.stay_suggested


def test_two_short_days_see_more_than_one(planner: Planner):
    """Splitting the same hours over two days never loses value to one day."""
    one = planner.plan_trip(req(days=1, start_time="09:00", end_time="13:00"))
    two = planner.plan_trip(req(days=2, stay="farm-stay", start_time="09:00", end_time="13:00"))
    assert two.totals.value >= one.totals.value


def test_plan_refuses_several_days(planner: Planner):
    """plan() is for one day; several days go through plan_trip()."""
    with pytest.raises(RequestError) as exc:
        planner.plan(req(days=2))
    assert exc.value.field == "days"


def test_a_stay_must_be_a_farm_stay(planner: Planner):
    """stay=<a visitable place> is refused naming the field."""
    with pytest.raises(RequestError) as exc:
        planner.plan_trip(req(days=2, stay="lake"))
    assert exc.value.field == "stay"


# ------------------------------------------------------------------ points and re-planning
def test_a_day_can_start_at_a_point_on_the_map(planner: Planner):
    """start="lon,lat" (WGS84) plans from that point."""
    it = planner.plan(req(start="117.15,40.17"))
    assert it.start.poi_id == "117.15,40.17" and it.legs[0].from_id == "117.15,40.17"


def test_a_swapped_point_is_named(planner: Planner):
    """start="40.17,117.15" is refused: lon comes first."""
    with pytest.raises(RequestError) as exc:
        planner.plan(req(start="40.17,117.15"))
    assert "lon comes first" in str(exc.value)


def test_running_late_replans_the_rest_of_the_day_from_now(planner: Planner):
    """replan keeps the visited places out, starts at `now` from `here`, and still ends in time."""
    it = planner.plan(req(interests=["lake", "gorge"]))
    first = it.stops[0].poi_id
    late = planner.replan(it, now=dt.datetime(2027, 4, 17, 12, 7, 30), visited=[first])
    assert late.visited == [first]
    assert late.start.poi_id == first and late.day_start.time() == dt.time(12, 8)
    assert first not in [s.poi_id for s in late.stops]
    assert late.day_end.time() <= dt.time(18, 0)


def test_replanning_on_another_day_is_refused(planner: Planner):
    """`now` must be on the plan's date."""
    it = planner.plan(req())
    with pytest.raises(RequestError) as exc:
        planner.replan(it, now=dt.datetime(2027, 4, 18, 9, 0))
    assert exc.value.field == "now"


# ------------------------------------------------------------------ alternatives
def test_alternatives_are_verified_and_clearly_different(planner: Planner):
    """Up to three plans; the first is the request as asked; each later one has at least half new stops."""
    alts = planner.alternatives(req(interests=["lake"]), count=3)
    assert 1 <= len(alts) <= 3 and alts[0].theme.code == "theme.as_asked"
    seen: set[str] = set()
    for k, alt in enumerate(alts):
        stops = [s.poi_id for d in alt.trip.days for s in d.stops]
        assert trip_violations(alt.trip, planner.catalog, planner.travel) == []
        if k:
            assert sum(p not in seen for p in stops) >= 0.5 * len(stops)
        seen.update(stops)


def test_alternatives_count_is_bounded(planner: Planner):
    """Asking for 0 or 4 alternatives is refused naming `count`."""
    with pytest.raises(RequestError) as exc:
        planner.alternatives(req(), count=4)
    assert exc.value.field == "count"


# ------------------------------------------------------------------ meals
def _lunches(it):
    return [s for s in it.stops if s.kind in ("meal", "picnic")]


def test_lunch_is_at_the_farm_restaurant_when_one_fits(with_kitchen: Planner):
    """A restaurant near the route: exactly one lunch, there, inside 11:30-13:30, 50 minutes."""
    it = with_kitchen.plan(req())
    (lunch,) = _lunches(it)
    assert lunch.kind == "meal" and lunch.poi_id == "farm-kitchen"
    assert dt.time(11, 30) <= lunch.visit_start.time() and lunch.departure.time() <= dt.time(13, 30)
    assert lunch.visit_s == 50 * 60


def test_without_a_restaurant_lunch_is_a_marked_picnic_where_you_are(planner: Planner):
    """No restaurant in the catalogue: a picnic break at the place visited just before, in the window."""
    it = planner.plan(req())
    (lunch,) = _lunches(it)
    assert lunch.kind == "picnic" and lunch.why[0].code == "why.picnic"
    k = it.stops.index(lunch)
    before = it.stops[k - 1] if k else None
    assert (lunch.lon, lunch.lat) == (
        (before.lon, before.lat) if before else (it.start.lon, it.start.lat)
    )
    assert it.legs[k].travel_s == 0


def test_restaurants_are_only_visited_as_meals(with_kitchen: Planner):
    """lunch=False: no meal stop and the restaurant is left out with that reason."""
    it = with_kitchen.plan(req(lunch=False))
    assert not _lunches(it)
    assert next(d for d in it.dropped if d.poi_id == "farm-kitchen").reason.code == "out.no_meals"


def test_a_day_outside_lunchtime_has_no_lunch(planner: Planner):
    """A morning trip that ends at 11:00 plans no meal."""
    it = planner.plan(req(start_time="07:00", end_time="11:00"))
    assert not _lunches(it)


def test_a_lunch_window_shorter_than_the_meal_is_refused():
    """lunch_from 12:00 to lunch_to 12:30 cannot hold a 50-minute meal."""
    with pytest.raises(ValueError):
        req(lunch_from="12:00", lunch_to="12:30")


# ------------------------------------------------------------------ properties and optimality


@st.composite
def expert_requests(draw: st.DrawFn) -> TripRequest:
    """Requests using every feature: days, stay, budget, pace, lunch, pins, must/avoid."""
    places = ["lake", "gorge", "blossom", "museum"]
    pinned = draw(st.lists(st.sampled_from(places), unique=True, max_size=1))
    pins = [
        Pin(
            poi_id=p, position=draw(st.none() | st.integers(1, 3)), day=draw(st.none() | st.just(1))
        )
        for p in pinned
    ]
    rest = [p for p in places if p not in pinned]
    return req(
        date=draw(st.dates(dt.date(2027, 1, 1), dt.date(2027, 12, 31))),
        days=draw(st.integers(1, 2)),
        stay="farm-stay",
        start_time=draw(st.sampled_from(["07:30", "08:30", "10:00"])),
        end_time=draw(st.sampled_from(["14:00", "17:00", "19:00"])),
        budget_cny=draw(st.none() | st.sampled_from([0, 20, 60, 120])),
        pace=draw(st.sampled_from(list(Pace))),
        lunch=draw(st.booleans()),
        dinner=draw(st.booleans()),
        pins=pins,
        avoid=draw(st.lists(st.sampled_from(rest), unique=True, max_size=1)),
        time_limit_s=0.2,
    )


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(request=expert_requests())
def test_every_trip_with_every_feature_is_sound(with_kitchen: Planner, request: TripRequest):
    """Any request: either a clear refusal, or a trip that passes the checker, the budget and the pins."""
    try:
        trip = with_kitchen.plan_trip(request)
    except PlannerError:
        return  # refusals carry a field and a message; tested elsewhere
    assert (
        trip_violations(trip, with_kitchen.catalog, with_kitchen.travel, with_kitchen.traffic) == []
    )
    if request.budget_cny is not None:
        assert trip.totals.tickets_cny <= request.budget_cny
    visited = {s.poi_id for d in trip.days for s in d.stops}
    assert {p.poi_id for p in request.pins} <= visited


def _brute_force_two_days(planner: Planner, request: TripRequest) -> float:
    """Best total value over every split of the places into day 1, day 2 or unused, in any order."""
    import itertools

    from planner.plan.timing import DayTerms, schedule
    from planner.plan.value import value_poi

    cat = planner.catalog
    pois = [p for p in cat if p.visitable]
    nodes = [cat.get("station"), cat.get("farm-stay"), *pois]
    m = planner.travel.matrix([p.lonlat for p in nodes], request.mode).seconds
    lo, hi = (t.hour * 3600 + t.minute * 60 for t in (request.start_time, request.end_time))
    service = [0, 0] + [request.pace.visit_s(p.visit_minutes) for p in pois]
    values = [0.0, 0.0] + [round(value_poi(p, request).value * 10) / 10 for p in pois]

    def best_day(k: int, chosen: tuple[int, ...]) -> bool:
        from planner.model.hours import open_intervals

        day = request.date + dt.timedelta(days=k)
        wins: list[list[tuple[int, int]]] = [[(lo, hi)], [(lo, hi)]]
        for p in pois:
            v = request.pace.visit_s(p.visit_minutes)
            wins.append(
                [
                    (max(a, lo), min(b, hi) - v)
                    for a, b in open_intervals(p.opening_hours, day)
                    if max(a, lo) <= min(b, hi) - v
                ]
            )
        a, b = (0, 1) if k == 0 else (1, 0)
        for perm in itertools.permutations(chosen):
            terms = DayTerms(
                start_node=a,
                end_node=b,
                depart=lo,
                latest_end=hi,
                travel=m,
                service=service,
                windows=wins,
            )
            if schedule(perm, terms) is not None:
                return True
        return not chosen and int(m[a, b]) <= hi - lo

    best = 0.0
    idx = range(2, len(nodes))
    for assign in itertools.product((0, 1, 2), repeat=len(idx)):
        d1 = tuple(i for i, a in zip(idx, assign, strict=True) if a == 0)
        d2 = tuple(i for i, a in zip(idx, assign, strict=True) if a == 1)
        total = sum(values[i] for i in d1 + d2)
        if total > best and best_day(0, d1) and best_day(1, d2):
            best = total
    return best


@pytest.mark.parametrize("date", ["2027-04-17", "2027-07-07", "2027-10-19"])
def test_small_two_day_trips_are_optimal(planner: Planner, date: str):
    """Two short days over the mini catalogue: the trip's value equals the brute-force optimum.

    Four places in three slots (day 1, day 2, unused) and every order: 81 splits, at most 24
    orders each; the solver's deterministic budget explores far more, so a gap is a bug.
    """
    request = req(
        date=date, days=2, stay="farm-stay", start_time="09:00", end_time="13:00", lunch=False
    )
    trip = planner.plan_trip(request)
    assert trip.totals.value == pytest.approx(_brute_force_two_days(planner, request), abs=0.05)


def test_false_left_out_reasons_are_caught(planner: Planner):
    """The trip checker refuses a 'closed' reason for an open place and an 'avoided' one not avoided."""
    from planner.i18n.texts import reason

    trip = planner.plan_trip(
        req(interests=["lake"], start_time="09:00", end_time="11:30", lunch=False)
    )
    left = [d for d in trip.dropped if d.reason.code != "out.closed"]
    assert left, "a short morning leaves places out"
    bad = trip.model_copy(deep=True)
    target = next(d for d in bad.dropped if d.poi_id == left[0].poi_id)
    target.reason = reason("out.closed", date="2027-04-17")
    assert any(
        "said to be closed" in v for v in trip_violations(bad, planner.catalog, planner.travel)
    )
    target.reason = reason("out.avoided")
    assert any(
        "said to be avoided" in v for v in trip_violations(bad, planner.catalog, planner.travel)
    )


def test_dinner_is_at_a_farm_restaurant_when_asked(with_kitchen: Planner):
    """dinner=True on a day to 20:30: a second meal, at the restaurant, inside 17:30-20:00."""
    it = with_kitchen.plan(req(dinner=True, end_time="20:30", lunch=False))
    (dinner,) = _lunches(it)
    assert dinner.kind == "meal" and dinner.why[0].code == "why.dinner"
    assert dt.time(17, 30) <= dinner.visit_start.time() and dinner.departure.time() <= dt.time(
        20, 0
    )


def test_lunch_and_dinner_on_one_day():
    """Both meals asked, two restaurants: lunch and dinner, one each, in their windows."""
    second = RESTAURANT | {
        "id": "valley-kitchen",
        "lon": 117.17,
        "lat": 40.21,
        "name_en": "Valley Kitchen",
    }
    it = _planner(FARM_STAY, RESTAURANT, second).plan(req(dinner=True, end_time="20:30"))
    kinds = [(s.why[0].code, s.visit_start.time()) for s in _lunches(it)]
    assert len(kinds) == 2
    assert any(code == "why.dinner" and t >= dt.time(17, 30) for code, t in kinds)


def test_no_restaurant_for_dinner_is_said_not_hidden(planner: Planner):
    """Without any restaurant, dinner cannot be planned: a warning says so."""
    it = planner.plan(req(dinner=True, end_time="20:30"))
    assert any(w.code == "warn.no_dinner" for w in it.warnings)
    assert not [s for s in _lunches(it) if s.visit_start.time() >= dt.time(17, 30)]


def test_meal_windows_may_not_overlap():
    """A dinner window that starts before lunch ends is refused."""
    with pytest.raises(ValueError):
        req(dinner=True, dinner_from="13:00", dinner_to="15:00")


def test_unknown_ticket_prices_stay_unknown_and_the_budget_says_how_it_counts_them() -> None:
    """A place whose ticket price the catalogue does not know has ``ticket_cny`` None (never 0,
    which means free); the totals count it apart, and with a budget a warning names it and says
    the budget counted it as free."""
    from planner import Planner, TripRequest

    planner = Planner.from_configs(use_roads=False)
    trip = planner.plan_trip(
        TripRequest(
            date="2027-04-17",
            start="pinggu-bus-station",
            interests=["blossom"],
            must=["peach-blossom-sea"],
            budget_cny=100,
        )
    )
    stops = [s for d in trip.days for s in d.stops if s.kind == "visit"]
    sea = next(s for s in stops if s.poi_id == "peach-blossom-sea")
    assert sea.ticket_cny is None
    unknown = [s for s in stops if s.ticket_cny is None]
    assert trip.totals.tickets_unknown == len(unknown) >= 1
    assert trip.totals.tickets_cny == sum(s.ticket_cny or 0 for s in stops)
    warning = next(w for w in trip.warnings if w.code == "warn.budget_unknown_tickets")
    assert sea.name_en in warning.en and "counts them as free" in warning.en
    assert sea.name_zh in warning.zh


@pytest.mark.parametrize(
    ("today", "code"),
    [("2027-05-01", "warn.date_past"), ("2024-01-10", "warn.date_far"), ("2026-12-03", None)],
)
def test_a_day_in_the_past_or_years_ahead_is_planned_with_a_warning(
    planner: Planner, monkeypatch: pytest.MonkeyPatch, today: str, code: str | None
) -> None:
    """17 Apr 2027 seen from 1 May 2027 is in the past, from 2024 more than two years ahead: the
    plan says so (hours, prices and seasons are today's); from Dec 2026 it is an ordinary day."""
    monkeypatch.setenv("PINGGU_TODAY", today)
    trip = planner.plan_trip(TripRequest(date="2027-04-17", start="station"))
    codes = {w.code for w in trip.warnings}
    dated = {c for c in codes if c.startswith("warn.date_")}
    assert dated == ({code} if code else set())
