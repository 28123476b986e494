"""What the planner enforces after the solver (planner/plan/enforce.py), and re-plans that keep it.

A pinned position either holds in the itinerary or the request is refused, before anything is
returned, with an :class:`InfeasibleRequest` naming ``pins`` and the fix; it is never a plan that
the independent checker has to reject (``ItineraryCheckError`` is a bug, not bad input).
"""

from __future__ import annotations

import datetime as dt

import pytest

from planner import InfeasibleRequest, Planner, TripRequest
from planner.errors import ItineraryCheckError


@pytest.fixture(scope="module")
def planner() -> Planner:
    return Planner.from_configs(use_roads=False)


def spring(**kw: object) -> TripRequest:
    base: dict[str, object] = {
        "date": "2027-04-17",
        "start": "pinggu-bus-station",
        "interests": ["blossom", "lake", "gorge"],
    }
    return TripRequest.model_validate(base | kw)


@pytest.mark.parametrize("date", ["2027-04-17", "2027-07-14"])
def test_pinning_a_stop_at_its_own_position_holds_or_is_refused(planner: Planner, date: str):
    """Pin each stop of a plan at the position it has: the new plan keeps it there, or says why
    it cannot (naming pins). Four of fourteen such pins used to fail the independent check."""
    day = planner.plan(spring(date=date))
    held = 0
    for k, stop in enumerate(day.stops, 1):
        if stop.kind == "picnic":
            continue
        request = spring(date=date, pins=[{"poi_id": stop.poi_id, "position": k}])
        try:
            again = planner.plan(request)
        except ItineraryCheckError as exc:  # pragma: no cover - the bug this test guards
            pytest.fail(f"pin {stop.poi_id}:{k} failed the independent check: {exc}")
        except InfeasibleRequest as exc:
            assert exc.field == "pins"
            assert "position from 1 to" in str(exc) or "pinned" in str(exc)
            continue
        ids = [s.poi_id for s in again.stops]
        assert ids.index(stop.poi_id) == k - 1, (stop.poi_id, k, ids)
        held += 1
    assert held >= 2, "most pins at a stop's own position hold"


def test_a_pinned_position_and_a_pinned_time_hold_together(planner: Planner) -> None:
    """The README's example: Shilinxia first, Jinhai Lake at 14:00 (day until 19:00)."""
    request = spring(
        end_time="19:00",
        pins=[{"poi_id": "shilinxia", "position": 1}, {"poi_id": "jinhai-lake", "at": "14:00"}],
    )
    day = planner.plan(request)
    assert day.stops[0].poi_id == "shilinxia"
    lake = next(s for s in day.stops if s.poi_id == "jinhai-lake")
    assert lake.visit_start.time() == dt.time(14, 0)


def test_a_pinned_time_the_festival_traffic_makes_late_is_refused_with_the_minutes(
    planner: Planner,
) -> None:
    """Jinhai Lake at 14:00 on a festival Saturday ends after 18:00 once the festival traffic
    slows the way back: refused, naming pins and how far over the day runs."""
    with pytest.raises(InfeasibleRequest) as info:
        planner.plan(spring(pins=[{"poi_id": "jinhai-lake", "at": "14:00"}]))
    assert info.value.field == "pins"
    assert "min over" in str(info.value)


def test_a_long_pinned_first_visit_holds_and_lunch_is_taken_during_it(planner: Planner) -> None:
    """Shilinxia (3.5 h) pinned first covers the lunch window: the day keeps the pin (it used to
    be refused) and lunch is taken during that visit, said on its card."""
    day = planner.plan(spring(pins=[{"poi_id": "shilinxia", "position": 1}]))
    first = day.stops[0]
    assert first.poi_id == "shilinxia"
    assert first.why[0].code == "why.lunch_inside"


def test_running_late_on_a_pinned_day_from_the_pinned_place(planner: Planner) -> None:
    """Re-planning from the pinned place itself works (it used to say the place was the start of
    the trip already), and it is not planned again."""
    day = planner.plan(spring(pins=[{"poi_id": "peach-blossom-sea", "position": 2}]))
    first = day.stops[0].poi_id
    again = planner.replan(
        day, now=dt.datetime(2027, 4, 17, 12, 10), here="peach-blossom-sea", visited=[first]
    )
    ids = [s.poi_id for s in again.stops]
    assert "peach-blossom-sea" not in ids and first not in ids


def test_a_meal_already_eaten_is_not_planned_again(planner: Planner) -> None:
    """After lunch (at a farm restaurant, a picnic, or during a long visit), the rest of the day
    has no second one."""
    day = planner.plan(spring(pins=[{"poi_id": "peach-blossom-sea", "position": 2}]))
    meal = next(
        s
        for s in day.stops
        if s.kind in ("meal", "picnic") or any(r.code == "why.lunch_inside" for r in s.why)
    )
    done = [s.poi_id for s in day.stops[: day.stops.index(meal) + 1] if s.kind != "picnic"]
    again = planner.replan(day, now=meal.departure.replace(tzinfo=None), visited=done)
    assert all(s.kind == "visit" for s in again.stops)
    assert not again.request.lunch


@pytest.mark.parametrize("start", ["0,0", "126.5,45.8"])
def test_a_start_far_from_pinggu_is_refused_with_its_distance(planner: Planner, start: str):
    """A mistyped point (0,0; Harbin, 1,000 km away) is refused naming start and how far it is,
    instead of planning a day of waiting; central Beijing (the Dongzhimen hub) is fine."""
    from planner import RequestError

    with pytest.raises(RequestError) as info:
        planner.plan(spring(start=start))
    assert info.value.field == "start"
    assert "km from Pinggu District" in str(info.value)
    assert planner.plan(spring(start="dongzhimen-hub")).stops
