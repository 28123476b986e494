"""Why: every place left out of a plan, a request that cannot be met, and the day's warnings.

The reasons are checked, not guessed: a place is "not enough time" only when no insertion
position fits, "over budget" only when it fits in time, and so on.
"""

from __future__ import annotations

import math

from planner.errors import InfeasibleRequest
from planner.i18n.hours import hours_both
from planner.i18n.texts import reason
from planner.model import Confidence, Poi, Reason
from planner.model.common import DAY_S
from planner.model.hours import DEFAULT_HOURS, open_intervals
from planner.plan.buses import NO_WAY
from planner.plan.enforce import Routes, tickets
from planner.plan.setup import Candidate, Setup, format_intervals
from planner.plan.timing import PAUSE, overflow
from planner.travel.base import TravelMatrix


def left_out(setup: Setup, routes: Routes) -> list[tuple[Poi, float, Reason]]:
    """Every place not in ``routes`` with its value and reason, most valuable first."""
    visited = {i for r in routes for i in r}
    dropped = list(setup.dropped)
    for k, c in enumerate(setup.candidates):
        node = setup.first + k
        if node not in visited:
            dropped.append((c.poi, c.value, why_not(setup, routes, node, c)))
    dropped.sort(key=lambda d: -d[1])
    return dropped


def why_not(setup: Setup, routes: Routes, node: int, cand: Candidate) -> Reason:
    """A checked reason for leaving ``node`` out.

    If the place cannot be visited even alone on any day, its hours do not fit the days;
    if it fits in time but not in the budget, the budget; otherwise the least lateness over
    every insertion position.
    """
    alone_at_gate = False
    if cand.meal and all(any(i == PAUSE or i in setup.meal_nodes for i in r) for r in routes):
        return reason("out.meal_elsewhere")
    best_alone, best_late = None, None
    for d, r in enumerate(routes):
        terms = setup.day_terms(d)
        alone, first_late = overflow([node], terms)
        if alone > 0 and first_late == 0:
            alone_at_gate = True  # too late for its hours even coming straight from the start
        best_alone = alone if best_alone is None else min(best_alone, alone)
        late = min(overflow([*r[:pos], node, *r[pos:]], terms)[0] for pos in range(len(r) + 1))
        best_late = late if best_late is None else min(best_late, late)
    assert best_alone is not None and best_late is not None
    if setup.buses is not None and best_alone >= NO_WAY // 2:
        return reason("out.no_bus")  # a leg there or back has no bus (nor walk) at all
    if setup.buses is not None and best_late >= NO_WAY // 2:
        return reason("out.no_bus_route")
    if best_alone > 0 and alone_at_gate:
        opening = open_intervals(cand.poi.opening_hours, setup.request.date)
        return reason("out.window_missed", hours=format_intervals(opening))
    req = setup.request
    ticket = cand.poi.ticket_cny or 0.0
    if best_late == 0:
        if req.budget_cny is not None and tickets(setup, routes) + ticket > req.budget_cny + 1e-9:
            return reason("out.over_budget", ticket=f"{ticket:g}", budget=f"{req.budget_cny:g}")
        return cand.off_season or reason("out.lower_value")
    # out of season, the place is worth less than what the day holds: that is why it is not in it
    return cand.off_season or reason("out.not_enough_time", minutes=math.ceil(best_late / 60))


def explain_infeasible(setup: Setup) -> InfeasibleRequest:
    """Why the solver found no plan: the first must-visit place that does not fit even alone,
    else the must-visit places together."""
    p, req = setup.problem, setup.request
    for node in sorted(p.required):
        fits = False
        for d in range(len(setup.depot_of_day)):
            allowed = p.allowed_routes.get(node)
            if allowed is not None and d not in allowed:
                continue
            if setup.schedule(d, [node]) is not None:
                fits = True
        pid = setup.nodes[node].id
        pinned = any(pin.poi_id == pid for pin in req.pins)
        if not fits and setup.buses is not None:
            refused = _no_bus_for(setup, node, pinned)
            if refused is not None:
                return refused
        if not fits:
            return InfeasibleRequest(
                "pins" if pinned else "must",
                f"{pid!r} does not fit in the day even alone"
                + (" at its pinned time" if pinned and node in setup.pins_at else "")
                + "; start earlier, end later, or "
                + ("unpin it" if pinned else "remove it from must"),
            )
    return InfeasibleRequest(
        "pins" if req.pins else "must",
        f"the must-visit and pinned places {req.required_ids} do not all fit between "
        f"{req.start_time:%H:%M} and {req.end_time:%H:%M}; remove one or make the day longer"
        if req.pins
        else f"the must-visit places {req.required_ids} do not all fit between "
        f"{req.start_time:%H:%M} and {req.end_time:%H:%M}; remove one or make the day longer",
    )


def _no_bus_for(setup: Setup, node: int, pinned: bool) -> InfeasibleRequest | None:
    """On a bus day, why a must-visit (or pinned) place does not fit even alone, when the
    timetable is the reason: no bus there and back at all, or none that arrives by its pinned
    time (the first arrival named). None when the bus is not what stops it."""
    assert setup.buses is not None
    p, pid = setup.problem, setup.nodes[node].id
    field, fix = ("pins", "unpin it") if pinned else ("must", "remove it from must")
    place = {"en": setup.nodes[node].name_en, "zh": setup.nodes[node].name_zh}
    fastest = p.untimed_bound().travel
    days = range(len(setup.depot_of_day))
    if all(
        int(fastest[a, node]) >= NO_WAY // 2 or int(fastest[node, b]) >= NO_WAY // 2
        for a, b in (setup.depot_of_day[d] for d in days)
    ):
        return InfeasibleRequest(
            field,
            f"no bus gets to {pid!r} and back within the day on the timetable (walking at most "
            f"2.5 km at either end); travel by car, or {fix}",
            text=reason(
                "error.no_bus_for_place",
                place=place,
                fix=reason("error.fix_unpin" if pinned else "error.fix_unmust"),
            ),
        )
    at = setup.pins_at.get(node)
    if at is None:
        return None
    d = at // DAY_S
    a = setup.depot_of_day[d][0] if d < len(setup.depot_of_day) else None
    journey = setup.buses.journey(a, node, setup.day_bounds[d][0]) if a is not None else None
    if journey is None or journey.arrive <= at:
        return None
    first = journey.arrive + 59  # the first minute at the place
    clock = {
        k: f"{s % DAY_S // 3600:02d}:{s % 3600 // 60:02d}"
        for k, s in (("at", at), ("first", first))
    }
    return InfeasibleRequest(
        "pins",
        f"{pid!r} cannot start at {clock['at']}: the first bus gets there at {clock['first']}; "
        "pin it later, start earlier, or travel by car",
        text=reason("error.first_bus_after_pin", place=place, **clock),
    )


def day_warnings(setup: Setup, day: int, pois: list[Poi]) -> list[Reason]:
    """The warnings of ``day``, whose points (depots included) are ``pois``: a day with no stop
    says why, and a request without interests says the popular places were chosen for it."""
    return (
        warnings(pois, setup.matrix, bus=setup.buses is not None)
        + ([reason("warn.no_lunch")] if day in setup.no_lunch else [])
        + ([reason("warn.no_dinner")] if day in setup.no_dinner else [])
        + ([_why_empty(setup, day)] if len(pois) <= 2 else [])
        + ([reason("warn.no_interests")] if not setup.request.interests else [])
    )


def _why_empty(setup: Setup, day: int) -> Reason:
    """Why ``day`` has no stop: shorter than the quickest visit with its travel there and back
    (named, with what it needs), else the general advice."""
    a, b = setup.depot_of_day[day]
    lo, hi = setup.day_bounds[day]
    p = setup.problem
    fastest = p.untimed_bound().travel  # a bus day: each leg at its fastest journey
    needs = [
        (int(fastest[a, n]) + p.service[n] + int(fastest[n, b]), c.poi)
        for n, c in enumerate(setup.candidates, start=setup.first)
        if not c.meal and int(fastest[a, n]) < NO_WAY and int(fastest[n, b]) < NO_WAY
    ]
    if not needs and setup.buses is not None:
        return reason("warn.no_bus_day")  # no place has a bus (or a walk) there and back
    if not needs or min(n for n, _ in needs) <= hi - lo:
        return reason("warn.empty")
    need, poi = min(needs, key=lambda x: x[0])

    def minutes(seconds: int) -> dict[str, str]:
        m = math.ceil(seconds / 60)
        return {"en": f"{m} min", "zh": f"{m} 分钟"}

    clock = [f"{s // 3600 % 24:02d}:{s // 60 % 60:02d}" for s in (lo, hi)]
    return reason(
        "warn.day_too_short",
        length=minutes(hi - lo),
        start=clock[0],
        end=clock[1],
        name={"en": poi.name_en, "zh": poi.name_zh},
        need=minutes(need),
    )


def warnings(pois: list[Poi], matrix: TravelMatrix, *, bus: bool = False) -> list[Reason]:
    """Estimated travel, low-confidence places and unknown opening hours among ``pois``. On a
    bus day the matrix only times the walks (the rides are the timetable's, warned of apart)."""
    out: list[Reason] = []
    if matrix.estimated:
        key = "warn.estimated_walks" if bus else "warn.estimated_travel"
        out.append(reason(key, provider=matrix.provider))
    seen: set[str] = set()
    for p in pois:
        if p.confidence == Confidence.low and p.id not in seen:
            seen.add(p.id)
            out.append(reason("warn.low_confidence", name={"en": p.name_en, "zh": p.name_zh}))
    for p in pois:
        if p.opening_hours is None and p.visitable:
            out.append(
                reason(
                    "warn.hours_unknown",
                    name={"en": p.name_en, "zh": p.name_zh},
                    hours=hours_both(DEFAULT_HOURS),
                )
            )
    return out
