"""Meals (planner/plan/meals.py): lunch is planned every day, also when the must-see places are long.

A relaxed day with one long must-see (Jinhai Lake, 4 h at a relaxed pace) used to lose its lunch
("No lunch break fits"); lunch is then taken during that outdoor visit, said on its card, and the
independent checker verifies that the visit has room for it inside the lunch window.
"""

from __future__ import annotations

import pytest

from planner import Planner, TripRequest
from planner.plan.checker import violations


@pytest.fixture(scope="module")
def planner() -> Planner:
    return Planner.from_configs(use_roads=False)


def relaxed(must: str) -> TripRequest:
    return TripRequest(
        date="2027-04-17",
        start="pinggu-bus-station",
        pace="relaxed",
        must=[must],
        interests=["blossom", "lake", "gorge"],
    )


@pytest.mark.parametrize("must", ["jinhai-lake", "jingdong-grand-canyon", "tianyunshan"])
def test_a_relaxed_day_with_one_long_must_see_keeps_its_lunch(planner: Planner, must: str):
    """No "no lunch" warning: there is a restaurant, a picnic, or lunch during the long visit."""
    day = planner.plan(relaxed(must))
    assert not [w for w in day.warnings if w.code == "warn.no_lunch"]
    meals = [s for s in day.stops if s.kind in ("meal", "picnic")]
    during = [s for s in day.stops if any(r.code == "why.lunch_inside" for r in s.why)]
    assert len(meals) + len(during) == 1
    for s in during:
        assert s.poi_id == must
        assert "bring a picnic" in s.why[0].en and "野餐" in s.why[0].zh


def test_the_checker_refuses_a_lunch_during_a_visit_that_has_no_room(planner: Planner) -> None:
    """A visit said to hold lunch but ending before the lunch window fails the check."""
    # the festival day's crowds would move the lake away from lunch: plan this one crowd-blind
    day = planner.plan(relaxed("jinhai-lake").model_copy(update={"crowds": False}))
    k, stop = next(
        (k, s) for k, s in enumerate(day.stops) if any(r.code == "why.lunch_inside" for r in s.why)
    )
    early = stop.visit_start.replace(hour=10, minute=0)
    moved = stop.model_copy(
        update={"departure": early, "visit_s": int((early - stop.visit_start).total_seconds())}
    )
    broken = day.model_copy(update={"stops": [*day.stops[:k], moved, *day.stops[k + 1 :]]})
    found = violations(broken, planner.catalog, planner.travel, planner.traffic)
    assert any("no room for it" in v for v in found), found


def test_a_re_plan_too_late_for_lunch_says_so(planner: Planner) -> None:
    """Running late at 12:50 without having eaten: a lunch break must end by 13:30, so none fits
    any more; the re-plan says so instead of dropping lunch silently. At 11:00 lunch is kept."""
    import datetime as dt

    day = planner.plan(
        TripRequest(date="2027-07-14", start="pinggu-bus-station", interests=["lake", "gorge"])
    )
    first = day.stops[0].poi_id

    def at(clock: str) -> dt.datetime:
        return dt.datetime.fromisoformat(f"2027-07-14T{clock}:00+08:00")

    late = planner.replan(day, now=at("12:50"), visited=[first])
    assert "warn.lunch_missed" in [w.code for w in late.warnings]
    assert not any(s.kind in ("meal", "picnic") for s in late.stops)
    early = planner.replan(day, now=at("11:00"), visited=[first])
    assert "warn.lunch_missed" not in [w.code for w in early.warnings]
    assert any(s.kind in ("meal", "picnic") for s in early.stops) or any(
        w.code == "warn.no_lunch" for w in early.warnings
    )


def test_lunch_finds_a_place_on_the_way_when_the_must_see_leaves_none(planner: Planner) -> None:
    """A car-free weekday with Yajishan as the must-see: its bus arrives at 12:45 and the visit
    lasts past lunchtime, so lunch fits neither before it at the bus station nor after it. It
    fits at another stop on the way (a picnic there); the day used to keep an optional sight and
    warn "no lunch break fits between your must-visit places"."""
    day = planner.plan(
        TripRequest(date="2027-07-14", start="pinggu-bus-station", mode="bus", must=["yajishan"])
    )
    assert "warn.no_lunch" not in [w.code for w in day.warnings]
    kinds = [s.kind for s in day.stops]
    assert "picnic" in kinds or "meal" in kinds
    assert not violations(day, planner.catalog, planner.travel, transit=planner.transit)
