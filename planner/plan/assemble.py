"""Assembling an :class:`~planner.model.Itinerary` from a solved route.

Plain solver output (node indices) becomes dated stops and legs with the earliest-start schedule,
names in both languages, reasons, totals and warnings; the days become a :class:`~planner.model.Trip`.
No decisions are made here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from planner.i18n.texts import DAY_TYPE_LABELS, reason
from planner.model import (
    Category,
    Dropped,
    Endpoint,
    Itinerary,
    Leg,
    Poi,
    Reason,
    SolverStatus,
    Stop,
    Totals,
    Trip,
    TripRequest,
)
from planner.model.common import DAY_S, TZ, today
from planner.model.hours import open_intervals
from planner.plan.buses import BusDays, mark_last_bus, parts
from planner.plan.crowding import DayCrowds, crowd_reasons
from planner.plan.explain import day_warnings
from planner.plan.setup import Setup
from planner.plan.timing import PAUSE, DayTerms, Window, schedule
from planner.solve.problem import OrienteeringProblem, Solution
from planner.travel.base import TravelMatrix, TravelTimes
from planner.travel.traffic import Traffic

PICNIC_ID = "picnic"
"""The ``poi_id`` of a picnic break (it is not a catalogue place)."""


@dataclass(frozen=True)
class DayContext:
    """Everything about the day that the assembly needs besides the route."""

    request: TripRequest
    """The day's own request (its date, start and end)."""
    nodes: Sequence[Poi]
    """The place of each solver node (depots first)."""
    day: DayTerms
    """How the day is timed: its depots, departure, travel (traffic, buffer), visits, picnic."""
    midnight: dt.datetime
    """Midnight of the trip's first day: solver times count from it."""
    matrix: TravelMatrix
    travel: TravelTimes
    problem: OrienteeringProblem
    buffer_s: int = 0
    """Slack after arriving at each visit (the pace's buffer), already inside the problem's travel."""
    dinner: Sequence[Window] = ()
    """When the day's dinner may start (empty: no dinner that day)."""
    meal_nodes: frozenset[int] = frozenset()
    traffic: Traffic | None = None
    lunch_inside: int | None = None
    """The node whose visit lunch is taken during, if any."""
    crowds: DayCrowds | None = None
    """The crowds the day is planned around (None: not crowd-aware)."""
    buses: BusDays | None = None
    """The timetable journeys of a bus day (None: travel by the matrix)."""


def assemble_days(
    setup: Setup,
    routes: Sequence[Sequence[int]],
    solution: Solution,
    *,
    dropped: Sequence[tuple[Poi, float, Reason]],
    travel: TravelTimes,
    traffic: Traffic,
) -> list[Itinerary]:
    """One itinerary per day of ``routes``; the first day lists the places left out (``dropped``)."""
    req = setup.request
    why = {c.poi.id: (c.value, c.why) for c in setup.candidates}
    days: list[Itinerary] = []
    for d, route in enumerate(routes):
        a, b = setup.depot_of_day[d]
        real = [i for i in route if i >= 0]
        ctx = DayContext(
            request=_day_request(setup, routes, d),
            nodes=setup.nodes,
            day=setup.day_terms(d),
            midnight=dt.datetime.combine(req.date, dt.time(), TZ),
            matrix=setup.matrix,
            travel=travel,
            problem=setup.problem,
            buffer_s=req.pace.buffer_s,
            dinner=setup.dinner[d],
            meal_nodes=frozenset(setup.meal_nodes),
            traffic=traffic,
            lunch_inside=setup.lunch_inside.get(d),
            crowds=setup.crowds,
            buses=setup.buses,
        )
        pois = [setup.nodes[i] for i in (a, *real, b)]
        days.append(
            build_itinerary(
                ctx,
                route,
                why=why,
                dropped=dropped if d == 0 else [],
                solution=solution,
                warnings=day_warnings(setup, d, pois),
            )
        )
    return days


def _day_request(setup: Setup, routes: Sequence[Sequence[int]], d: int) -> TripRequest:
    """Day ``d``'s own request: its date and depots, what it visits required, the other days'
    stops avoided."""
    req = setup.request
    a, b = setup.depot_of_day[d]
    here = {setup.nodes[i].id for i in routes[d] if i >= 0}
    others = [setup.nodes[i].id for k, r in enumerate(routes) if k != d for i in r if i >= 0]
    return req.model_copy(
        update={
            "date": req.date + dt.timedelta(days=d),
            "start": setup.nodes[a].id,
            "end": setup.nodes[b].id,
            "days": 1,
            "stay": None,
            "must": [m for m in req.must if m in here],
            "pins": [pn for pn in req.pins if pn.poi_id in here],
            "avoid": list(dict.fromkeys([*req.avoid, *others])),
            "budget_cny": None,
        }
    )


def build_trip(
    request: TripRequest, days: Sequence[Itinerary], *, has_stay: bool, suggested: bool
) -> Trip:
    """The trip of ``days``: its stay (the first night's end point), totals, the places left out
    of every day, and the days' warnings once each."""
    visited = {s.poi_id for d in days for s in d.stops}
    dropped = [
        Dropped(
            poi_id=d.poi_id, name_zh=d.name_zh, name_en=d.name_en, value=d.value, reason=d.reason
        )
        for d in days[0].dropped
        if d.poi_id not in visited
    ]
    return Trip(
        request=request,
        days=list(days),
        stay=days[0].end if has_stay else None,
        stay_suggested=suggested and has_stay,
        totals=trip_totals(days),
        dropped=dropped,
        warnings=list(
            {
                w.en: w
                for d in days
                for w in d.warnings
                if w.code != "warn.estimated_timetable"  # once for the trip's lines, below
            }.values()
        )
        + _timetable_warning([leg for d in days for leg in d.legs])
        + _date_warnings(request)
        + _unknown_ticket_warnings(request, days),
    )


FAR_AHEAD_DAYS = 2 * 365
"""Beyond this many days ahead, hours, prices and festival dates are not known yet."""


def _date_warnings(request: TripRequest) -> list[Reason]:
    """A day in the past, or years ahead, is planned with what is known today: say so."""
    now = today()
    if request.date < now:
        return [reason("warn.date_past", date=request.date.isoformat(), today=now.isoformat())]
    if (request.date - now).days > FAR_AHEAD_DAYS:
        return [reason("warn.date_far", date=request.date.isoformat())]
    return []


def _unknown_ticket_warnings(request: TripRequest, days: Sequence[Itinerary]) -> list[Reason]:
    """With a budget, the places of unknown price it could not count (as 0), by name."""
    unknown = list(
        dict.fromkeys(
            (s.name_en, s.name_zh)
            for d in days
            for s in d.stops
            if s.kind == "visit" and s.ticket_cny is None
        )
    )
    if request.budget_cny is None or not unknown:
        return []
    return [
        reason(
            "warn.budget_unknown_tickets",
            names={
                "en": ", ".join(en for en, _ in unknown),
                "zh": "、".join(zh for _, zh in unknown),
            },
            budget=f"{request.budget_cny:g}",
        )
    ]


def build_itinerary(
    ctx: DayContext,
    route: Sequence[int],
    *,
    why: dict[str, tuple[float, list[Reason]]],
    dropped: Sequence[tuple[Poi, float, Reason]],
    solution: Solution,
    warnings: list[Reason],
) -> Itinerary:
    """The itinerary that visits ``route`` (solver nodes, in order) on the context's day."""
    p, day = ctx.problem, ctx.day
    res = schedule(route, day)
    if res is None:  # the solver and the repair pass only return schedulable routes
        raise AssertionError("route cannot be scheduled; this is a bug")
    timings, end_arrival = res

    def at(seconds: int) -> dt.datetime:
        return ctx.midnight + dt.timedelta(seconds=seconds)

    day_midnight = dt.datetime.combine(ctx.request.date, dt.time(), ctx.midnight.tzinfo)
    offset = int((day_midnight - ctx.midnight).total_seconds())
    stops: list[Stop] = []
    legs: list[Leg] = []
    prev_node, prev_departure = day.start_node, day.depart
    for node, tm in zip(route, timings, strict=True):
        if node == PAUSE:  # a picnic where the traveller is: no travel, a stop of its own
            here = ctx.nodes[prev_node]
            legs.append(_stay_leg(ctx, here, prev_departure, at))
            stops.append(
                Stop(
                    kind="picnic",
                    poi_id=PICNIC_ID,
                    name_zh="野餐午休",
                    name_en="Picnic lunch break",
                    category=Category.restaurant,
                    lon=here.lon,
                    lat=here.lat,
                    arrival=at(tm.arrival),
                    visit_start=at(tm.start),
                    departure=at(tm.departure),
                    wait_s=tm.start - tm.arrival,
                    visit_s=tm.departure - tm.start,
                    ticket_cny=0.0,
                    value=0.0,
                    opening_window=(at(tm.start), at(tm.departure)),
                    why=[reason("why.picnic")],
                )
            )
            prev_departure = tm.departure
            continue
        poi = ctx.nodes[node]
        leg = _leg(ctx, prev_node, node, prev_departure, at, buffer_s=ctx.buffer_s)
        legs.append(
            leg
            if not stops or stops[-1].kind != "picnic"
            else leg.model_copy(update={"from_id": PICNIC_ID})
        )
        value, reasons = why[poi.id]
        if node in ctx.meal_nodes:
            at_dinner = any(lo <= tm.start <= hi for lo, hi in ctx.dinner)
            reasons = [reason("why.dinner" if at_dinner else "why.lunch"), *reasons]
        if node == ctx.lunch_inside:
            req = ctx.request
            lunch = f"{req.lunch_from:%H:%M}-{req.lunch_to:%H:%M}"
            reasons = [reason("why.lunch_inside", minutes=req.meal_minutes, lunch=lunch), *reasons]
        load = None
        if ctx.crowds is not None:
            began = at(tm.start)
            hour = ctx.crowds.hour(poi.id, began)
            load = hour.load if hour is not None else None
            value *= ctx.crowds.value_share(poi.id, began)
            reasons = [*reasons, *crowd_reasons(ctx.crowds, poi.id, began, tm.queue_s)]
        window = next(
            (a + offset, b + offset)
            for a, b in open_intervals(poi.opening_hours, ctx.request.date)
            if a + offset <= tm.start and tm.departure <= b + offset
        )
        stops.append(
            Stop(
                kind="meal" if node in ctx.meal_nodes else "visit",
                poi_id=poi.id,
                name_zh=poi.name_zh,
                name_en=poi.name_en,
                category=poi.category,
                lon=poi.lon,
                lat=poi.lat,
                arrival=at(tm.arrival),
                visit_start=at(tm.start),
                departure=at(tm.departure),
                wait_s=tm.start - tm.arrival,
                visit_s=tm.departure - tm.start,
                ticket_cny=poi.ticket_cny,
                value=round(value, 2),
                opening_window=(at(window[0]), at(window[1])),
                why=reasons,
                queue_s=tm.queue_s,
                crowd_load=load,
            )
        )
        prev_node, prev_departure = node, tm.departure
    last = _leg(ctx, prev_node, day.end_node, prev_departure, at, buffer_s=0)
    legs.append(
        last
        if not stops or stops[-1].kind != "picnic"
        else last.model_copy(update={"from_id": PICNIC_ID})
    )

    totals = _totals(stops, legs)
    status = "empty" if not stops else ("optimal" if solution.status == "optimal" else "feasible")
    if solution.status == "time_limit" and stops:
        status = "time_limit"
    return Itinerary(
        request=ctx.request,
        start=_endpoint(ctx.nodes[day.start_node]),
        end=_endpoint(ctx.nodes[day.end_node]),
        day_start=at(day.depart),
        day_end=at(end_arrival),
        stops=stops,
        legs=legs,
        dropped=[
            Dropped(
                poi_id=poi.id, name_zh=poi.name_zh, name_en=poi.name_en, value=round(v, 2), reason=r
            )
            for poi, v, r in dropped
        ],
        totals=totals,
        solver=SolverStatus(
            status=status,
            solve_seconds=round(solution.solve_seconds, 3),
            time_limit_s=ctx.request.time_limit_s,
            seed=ctx.request.seed,
            objective_value=sum(
                p.timed.score_at(i, tm.start, p.score[i]) if p.timed else p.score[i]
                for i, tm in zip(route, timings, strict=True)
                if i >= 0
            ),
            travel_provider=ctx.buses.feed.name if ctx.buses is not None else ctx.matrix.provider,
        ),
        warnings=[*warnings, *_crowd_warning(ctx), *_timetable_warning(legs)],
        crowd_aware=ctx.crowds is not None,
    )


def _timetable_warning(legs: Sequence[Leg]) -> list[Reason]:
    """A day that rides a line whose timetable is estimated says so, naming the lines."""
    lines = sorted({p.line for leg in legs for p in leg.transit if p.estimated and p.line})
    if not lines:
        return []
    return [
        reason("warn.estimated_timetable", lines={"en": ", ".join(lines), "zh": "、".join(lines)})
    ]


def _crowd_warning(ctx: DayContext) -> list[Reason]:
    """A crowd-aware day says so, with the day type and where the figures come from."""
    if ctx.crowds is None:
        return []
    kind = ctx.crowds.day_types.get(ctx.request.date, "")
    forecast = any(
        o.source.startswith("forecast")
        for (_, d), o in ctx.crowds.outlooks.items()
        if d == ctx.request.date
    )
    label = DAY_TYPE_LABELS.get(kind, {"en": kind, "zh": kind})
    return [reason("warn.crowds_forecast" if forecast else "warn.crowds_planned", day_type=label)]


def _bus_leg(
    ctx: DayContext, a: int, b: int, depart: int, at: Callable[[int], dt.datetime], *, buffer_s: int
) -> Leg:
    """A leg on the timetable: the first journey leaving at or after ``depart``, its walks and
    rides in order; its travel time includes the wait at the stop."""
    assert ctx.buses is not None
    journey = ctx.buses.journey(a, b, depart)
    if journey is None:  # the solver and the timing only use legs that exist
        raise AssertionError("no journey for a planned leg; this is a bug")
    shown = mark_last_bus(parts(journey, at, ctx.buses.feed), ctx.buses, a, b, journey.depart)
    geometry: list[tuple[float, float]] = []
    for part in shown:
        geometry += part.path if not geometry else part.path[1:]
    if not geometry:
        geometry = [ctx.nodes[a].lonlat, ctx.nodes[b].lonlat]
    return Leg(
        from_id=ctx.nodes[a].id,
        to_id=ctx.nodes[b].id,
        depart=at(depart),
        arrive=at(journey.arrive + buffer_s),
        travel_s=journey.arrive - depart,
        buffer_s=buffer_s,
        distance_m=sum(part.metres for part in shown),
        mode=ctx.request.mode,
        provider=ctx.buses.feed.name,
        estimated=journey.estimated,
        geometry=geometry,
        transit=shown,
    )


def _totals(stops: Sequence[Stop], legs: Sequence[Leg]) -> Totals:
    return Totals(
        stops=len(stops),
        travel_s=sum(leg.travel_s for leg in legs),
        buffer_s=sum(leg.buffer_s for leg in legs),
        visit_s=sum(s.visit_s for s in stops),
        wait_s=sum(s.wait_s for s in stops),
        distance_m=sum(leg.distance_m for leg in legs),
        tickets_cny=round(sum(s.ticket_cny or 0.0 for s in stops), 2),
        tickets_unknown=sum(1 for s in stops if s.kind == "visit" and s.ticket_cny is None),
        value=round(sum(s.value for s in stops), 2),
    )


def trip_totals(days: Sequence[Itinerary]) -> Totals:
    """Totals over every day of a trip."""
    return _totals([s for d in days for s in d.stops], [leg for d in days for leg in d.legs])


def _endpoint(poi: Poi) -> Endpoint:
    return Endpoint(
        poi_id=poi.id, name_zh=poi.name_zh, name_en=poi.name_en, lon=poi.lon, lat=poi.lat
    )


def _stay_leg(ctx: DayContext, here: Poi, depart: int, at: Callable[[int], dt.datetime]) -> Leg:
    """The empty leg into a picnic: it is taken where the traveller already is."""
    return Leg(
        from_id=here.id,
        to_id=PICNIC_ID,
        depart=at(depart),
        arrive=at(depart),
        travel_s=0,
        buffer_s=0,
        distance_m=0,
        mode=ctx.request.mode,
        provider="none",
        geometry=[here.lonlat, here.lonlat],
    )


def _leg(
    ctx: DayContext, a: int, b: int, depart: int, at: Callable[[int], dt.datetime], *, buffer_s: int
) -> Leg:
    pa, pb = ctx.nodes[a], ctx.nodes[b]
    if ctx.buses is not None:
        return _bus_leg(ctx, a, b, depart, at, buffer_s=buffer_s)
    base = int(ctx.matrix.seconds[a, b])
    day = ctx.midnight.date() + dt.timedelta(days=depart // DAY_S)
    factor = ctx.traffic.factor(day, depart) if ctx.traffic is not None else 1.0
    travel_s = ctx.traffic.travel_s(base, day, depart) if ctx.traffic is not None else base
    return Leg(
        from_id=pa.id,
        to_id=pb.id,
        depart=at(depart),
        arrive=at(depart + travel_s + buffer_s),
        travel_s=travel_s,
        traffic_factor=factor,
        buffer_s=buffer_s,
        distance_m=int(ctx.matrix.metres[a, b]),
        mode=ctx.request.mode,
        provider=ctx.matrix.leg_provider(a, b),
        estimated=ctx.matrix.estimated_pair(a, b),
        geometry=[
            (float(x), float(y)) for x, y in ctx.travel.path(pa.lonlat, pb.lonlat, ctx.request.mode)
        ],
    )
