"""From a request to the solver's problem: a :class:`~planner.plan.setup.Setup`.

:func:`build_setup` chooses the candidate places (each valued, with its visit-start windows over
the trip, or left out with a reason), the depots of each day, the travel matrix (scaled by the
typical traffic, with the pace's buffer), pins, meal windows, and the plain
:class:`~planner.solve.problem.OrienteeringProblem` the solver sees.

Time inside a problem is seconds after midnight of the trip's first day: day ``k`` runs from
``k * 86400 + start`` to ``k * 86400 + end``.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import replace

import numpy as np
from numpy.typing import NDArray

from planner.data.catalog import Catalog
from planner.data.seasons import SeasonCalendar
from planner.errors import InfeasibleRequest
from planner.i18n.texts import reason
from planner.model import Category, Mode, Poi, Reason, TripRequest
from planner.model.common import DAY_S, TZ
from planner.model.daylight import OUTDOOR, sunset_s
from planner.model.hours import open_intervals
from planner.plan.buses import BusDays, bus_days, check_reach
from planner.plan.crowding import DayCrowds
from planner.plan.setup import (
    Candidate,
    Setup,
    dinner_windows,
    format_intervals,
    lunch_windows,
    meal_spans,
    secs,
)
from planner.plan.timing import Window
from planner.plan.value import value_poi
from planner.solve.problem import OrienteeringProblem, Route, TimeDependence
from planner.travel.base import TravelMatrix, TravelTimes
from planner.travel.traffic import Traffic
from planner.travel.transit import Feed

SCORE_SCALE = 10
"""Values (0-125) become integer solver scores with one decimal kept."""
SEEN_FACTOR = 0.2
"""Share of a place's score in an alternative plan when an earlier alternative already has it."""

Pins = tuple[dict[int, frozenset[int]], dict[int, int], dict[int, tuple[int | None, int]]]
"""Allowed days per pinned node, fixed start times, and (day, position) pins."""


def build_setup(
    request: TripRequest,
    stay: Poi | None,
    *,
    catalog: Catalog,
    travel: TravelTimes,
    seasons: SeasonCalendar,
    traffic: Traffic,
    seen: frozenset[str] = frozenset(),
    crowds: DayCrowds | None = None,
    transit: Feed | None = None,
) -> Setup:
    """The problem for ``request`` with nights at ``stay``; places in ``seen`` count for less.

    With ``crowds`` the plan is made around them: every place's queue at the gate by the hour
    and its lower value in packed hours are part of the problem
    (:class:`~planner.solve.problem.TimeDependence`, exact in the solver's own timing). With a
    ``transit`` feed a bus request travels on its timetable (:mod:`planner.plan.buses`).

    Raises :class:`InfeasibleRequest` when a must-visit place cannot be visited at all, or a
    day is too short even to go from its start to its end.
    """
    start = catalog.resolve(request.start, field="start")
    end = catalog.resolve(request.end, field="end") if request.end else start
    day_bounds = [
        (k * DAY_S + secs(request.start_time), k * DAY_S + secs(request.end_time))
        for k in range(request.days)
    ]
    depots, depot_of_day = _depots(start, end, stay, request.days)
    candidates, dropped = place_candidates(
        request, catalog, seasons, {p.id for p in depots}, day_bounds
    )
    nodes = depots + [c.poi for c in candidates]
    first = len(depots)
    matrix = travel.matrix([p.lonlat for p in nodes], request.mode)
    if transit is not None and request.mode == Mode.bus:
        check_reach(transit, request, nodes[depot_of_day[0][0]], nodes[depot_of_day[-1][1]])
    buses = (
        bus_days(transit, request, nodes, day_bounds, travel=travel)
        if transit is not None and request.mode == Mode.bus
        else None
    )
    _check_direct(request, nodes, matrix, depot_of_day, day_bounds, buses)
    meal_s = request.meal_minutes * 60
    service = [0] * first + [
        meal_s if c.meal else request.pace.visit_s(c.poi.visit_minutes) for c in candidates
    ]
    # places already shown in another alternative count for less, so the next one differs
    score = [0] * first + [
        max(1, round(c.value * SCORE_SCALE * (SEEN_FACTOR if c.poi.id in seen else 1.0)))
        for c in candidates
    ]
    windows: list[list[Window]] = [[(day_bounds[0][0], day_bounds[-1][1])]] * first + [
        c.windows for c in candidates
    ]
    index = {c.poi.id: first + k for k, c in enumerate(candidates)}
    required = frozenset(index[pid] for pid in request.required_ids if pid in index)
    allowed, pins_at, pins_pos = _pins(request, index, windows)

    def buffer(i: int, j: int) -> int:
        return request.pace.buffer_s if j >= first and i != j else 0

    timed = _crowd_times(request, candidates, first, score, crowds, frozenset(pins_at))
    if buses is not None:
        timed = replace(timed or TimeDependence(), legs=buses.legs(buffer))
    problem = OrienteeringProblem(
        travel=(
            buses.walking(buffer)
            if buses is not None
            else _solver_travel(request, matrix, traffic, day_bounds, first)
        ),
        service=tuple(service),
        score=tuple(score),
        windows=tuple(tuple(w) for w in windows),
        routes=tuple(
            Route(start=a, end=b, earliest_start=day_bounds[k][0], latest_end=day_bounds[k][1])
            for k, (a, b) in enumerate(depot_of_day)
        ),
        required=required,
        allowed_routes=allowed,
        timed=timed,
    )
    lunch = [lunch_windows(request, lo, hi, k) for k, (lo, hi) in enumerate(day_bounds)]
    dinner = [dinner_windows(request, lo, hi, k) for k, (lo, hi) in enumerate(day_bounds)]
    return Setup(
        dinner=dinner,
        traffic=traffic,
        lunch=lunch,
        meal_s=meal_s,
        request=request,
        nodes=nodes,
        depot_of_day=depot_of_day,
        candidates=candidates,
        first=first,
        dropped=dropped,
        matrix=matrix,
        problem=problem,
        day_bounds=day_bounds,
        pins_at=pins_at,
        pins_pos=pins_pos,
        crowds=crowds,
        buses=buses,
    )


def _crowd_times(
    request: TripRequest,
    candidates: list[Candidate],
    first: int,
    score: list[int],
    crowds: DayCrowds | None,
    pinned_at: frozenset[int],
) -> TimeDependence | None:
    """Each place's queue (joining in hour ``h`` of trip day ``k``: slot ``24 k + h``) and its
    value by the hour it starts in; None when no place has a crowd cost (then the plan is
    exactly the crowd-blind one). A place pinned at a time keeps that time: the visitor chose
    it, crowds or not, so it carries no crowd cost."""
    if crowds is None:
        return None
    queue: dict[int, tuple[int, ...]] = {}
    value: dict[int, tuple[int, ...]] = {}
    tz = TZ
    for c_index, cand in enumerate(candidates):
        node = first + c_index
        if node in pinned_at:
            continue
        waits: list[int] = []
        worth: list[int] = []
        for k in range(request.days):
            day = request.date + dt.timedelta(days=k)
            for h in range(24):
                when = dt.datetime.combine(day, dt.time(h), tz)
                waits.append(crowds.queue_s(cand.poi.id, when))
                worth.append(max(1, round(score[node] * crowds.value_share(cand.poi.id, when))))
        if any(waits):
            queue[node] = tuple(waits)
        if any(v != score[node] for v in worth):
            value[node] = tuple(worth)
    if not queue and not value:
        return None
    return TimeDependence(step=3600, origin=0, queue=queue, value=value)


def _depots(
    start: Poi, end: Poi, stay: Poi | None, days: int
) -> tuple[list[Poi], list[tuple[int, int]]]:
    """The distinct depots (start, end, the stay on trips of several days) and each day's pair."""
    depots: list[Poi] = []

    def depot(p: Poi) -> int:
        for i, q in enumerate(depots):
            if q.id == p.id:
                return i
        depots.append(p)
        return len(depots) - 1

    s_i = depot(start)
    e_i = depot(end)
    l_i = depot(stay) if stay is not None and days > 1 else None
    depot_of_day = []
    for k in range(days):
        a = s_i if k == 0 else l_i
        b = e_i if k == days - 1 else l_i
        assert a is not None and b is not None
        depot_of_day.append((a, b))
    return depots, depot_of_day


def _check_direct(
    request: TripRequest,
    nodes: list[Poi],
    matrix: TravelMatrix,
    depot_of_day: list[tuple[int, int]],
    day_bounds: list[tuple[int, int]],
    buses: BusDays | None = None,
) -> None:
    """Raise :class:`InfeasibleRequest` when a day cannot even go from its start to its end."""
    for k, (a, b) in enumerate(depot_of_day):
        if buses is not None:
            lo, hi = day_bounds[k]
            journey = buses.journey(a, b, lo)
            if journey is None or journey.arrive > hi:
                raise InfeasibleRequest(
                    "end_time",
                    f"no bus (or walk) from {nodes[a].id!r} reaches {nodes[b].id!r} between "
                    f"{lo % DAY_S // 3600:02d}:{lo % 3600 // 60:02d} and "
                    f"{hi % DAY_S // 3600:02d}:{hi % 3600 // 60:02d} on the timetable; end later, "
                    "start earlier, end where the day can end, or choose another mode",
                )
            continue
        direct = int(matrix.seconds[a, b])
        lo, hi = day_bounds[k]
        if lo + direct > hi:
            raise InfeasibleRequest(
                "end_time",
                f"going from {nodes[a].id!r} to {nodes[b].id!r} alone takes {math.ceil(direct / 60)} min by "
                f"{request.mode.value}, but the day has {(hi - lo) // 60} min; "
                "end later, start earlier, or choose an end point closer to the start",
            )


def _solver_travel(
    request: TripRequest,
    matrix: TravelMatrix,
    traffic: Traffic,
    day_bounds: list[tuple[int, int]],
    first: int,
) -> NDArray[np.int64]:
    """The solver's travel: the matrix at the typical traffic, the pace's buffer after visits."""
    # the solver plans with each day's typical traffic factor (the worst day's, over a trip);
    # every schedule after it is timed leg by leg with the factor at departure (Setup.travel_at)
    typical = max(
        traffic.typical(request.date + dt.timedelta(days=k), lo - k * DAY_S, hi - k * DAY_S)
        for k, (lo, hi) in enumerate(day_bounds)
    )
    travel = np.rint(matrix.seconds * typical).astype(np.int64)
    travel[:, first:] += request.pace.buffer_s  # slack after arriving at a visit (not at depots)
    for i in range(first, len(travel)):
        travel[i, i] = 0
    return travel


def _pins(request: TripRequest, index: dict[str, int], windows: list[list[Window]]) -> Pins:
    """Pins as solver terms; a pinned start time narrows ``windows`` (in place) to that time."""
    allowed: dict[int, frozenset[int]] = {}
    pins_at: dict[int, int] = {}
    pins_pos: dict[int, tuple[int | None, int]] = {}
    for pin in request.pins:
        node = index.get(pin.poi_id)
        if node is None:
            continue  # reported by place_candidates as closed / out of hours
        day = (pin.day - 1) if pin.day is not None else None
        if day is not None:
            allowed[node] = frozenset({day})
        if pin.at is not None:
            at_days = [day] if day is not None else list(range(request.days))
            fixed = [
                (k * DAY_S + secs(pin.at),) * 2
                for k in at_days
                if any(lo <= k * DAY_S + secs(pin.at) <= hi for lo, hi in windows[node])
            ]
            if not fixed:
                raise InfeasibleRequest(
                    "pins",
                    f"{pin.poi_id!r} cannot start at {pin.at:%H:%M}: its visit fits only in "
                    f"{format_intervals([w for w in windows[node] if day is None or w[0] // DAY_S == day])}; "
                    "choose a time in that range",
                )
            windows[node] = fixed
            pins_at[node] = fixed[0][0]
        if pin.position is not None:
            pins_pos[node] = (day, pin.position)
    return allowed, pins_at, pins_pos


def place_candidates(
    request: TripRequest,
    catalog: Catalog,
    seasons: SeasonCalendar,
    depot_ids: set[str],
    day_bounds: list[tuple[int, int]],
) -> tuple[list[Candidate], list[tuple[Poi, float, Reason]]]:
    """Places that may be visited, each with its value and visit-start windows over the trip,
    and the places left out from the start with their value and reason."""
    cands: list[Candidate] = []
    dropped: list[tuple[Poi, float, Reason]] = []
    required = set(request.required_ids)
    dates = [request.date + dt.timedelta(days=k) for k in range(request.days)]
    date_s = request.date.isoformat() if request.days == 1 else f"{dates[0]}..{dates[-1]}"
    for poi in catalog:
        if not poi.visitable or poi.id in depot_ids:
            continue
        val = value_poi(poi, request, seasons)
        if val.excluded is not None:
            dropped.append((poi, 0.0, val.excluded))
            continue
        ticket = poi.ticket_cny or 0.0
        if request.budget_cny is not None and ticket > request.budget_cny:
            if poi.id in required:
                raise InfeasibleRequest(
                    "budget_cny",
                    f"{poi.id!r} costs ¥{ticket:g}, more than the whole budget ¥{request.budget_cny:g}; "
                    "raise the budget or remove it from must",
                )
            why = reason("out.over_budget", ticket=f"{ticket:g}", budget=f"{request.budget_cny:g}")
            dropped.append((poi, val.value, why))
            continue
        meal = poi.category == Category.restaurant
        if meal and not (request.lunch or request.dinner):
            dropped.append((poi, val.value, reason("out.no_meals")))
            continue
        visit_s = request.meal_minutes * 60 if meal else request.pace.visit_s(poi.visit_minutes)
        wins: list[Window] = []
        openings: list[tuple[int, int]] = []
        for k, day in enumerate(dates):
            lo, hi = day_bounds[k]
            # a restaurant is a meal place: its visit lies inside a meal window
            spans = meal_spans(request, k) if meal else [(lo, hi)]
            # outdoors, a visit ends by sunset
            dusk = sunset_s(day, poi.lon, poi.lat) if poi.category in OUTDOOR else DAY_S
            for a, b in open_intervals(poi.opening_hours, day):
                openings.append((a + k * DAY_S, b + k * DAY_S))
                a, b = a + k * DAY_S, min(b, dusk) + k * DAY_S
                for s_lo, s_hi in spans:
                    s_lo, s_hi = max(s_lo, lo), min(s_hi, hi)
                    if max(a, s_lo) <= min(b, s_hi) - visit_s:
                        wins.append((max(a, s_lo), min(b, s_hi) - visit_s))
        if not wins:
            if not openings:
                why = reason("out.closed", date=date_s)
            else:
                why = reason(
                    "out.hours_too_short",
                    hours=format_intervals(openings),
                    date=date_s,
                    minutes=visit_s // 60,
                )
            if poi.id in required:
                raise InfeasibleRequest(
                    "must",
                    f"{poi.id!r} cannot be visited on {date_s} between {request.start_time:%H:%M} and "
                    f"{request.end_time:%H:%M}: open {format_intervals(openings)}, visit {visit_s // 60} min; "
                    "choose another date or hours, or remove it from must",
                )
            dropped.append((poi, val.value, why))
            continue
        cands.append(
            Candidate(poi, val.value, val.why, sorted(wins), meal=meal, off_season=val.off_season)
        )
    return cands, dropped
