"""The planner: a trip request in, a verified itinerary out.

:class:`Planner` turns a :class:`~planner.model.TripRequest` into the solver's plain
:class:`~planner.solve.problem.OrienteeringProblem` (places, values, opening windows, travel times; one
route per day), solves it, enforces what the solver does not model (the ticket budget, pinned
positions), repairs what a time-limited search may leave on the table, explains every place left
out, and hands every day to the independent checker before returning it.

Time inside a problem is seconds after midnight of the trip's first day: day ``k`` runs from
``k * 86400 + start`` to ``k * 86400 + end``.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from planner.data.catalog import Catalog
from planner.data.hours import DEFAULT_HOURS, open_intervals
from planner.data.seasons import SeasonCalendar
from planner.errors import InfeasibleRequest, RequestError
from planner.i18n.texts import reason
from planner.model import (
    Alternative,
    Category,
    Confidence,
    Dropped,
    Interest,
    Itinerary,
    Poi,
    Reason,
    Trip,
    TripRequest,
)
from planner.model.common import TZ
from planner.plan import checker
from planner.plan.assemble import DayContext, build_itinerary, trip_totals
from planner.plan.meals import meal_in, place_meals
from planner.plan.setup import (
    DAY_S,
    Candidate,
    Setup,
    dinner_windows,
    format_intervals,
    lunch_windows,
    meal_spans,
    secs,
)
from planner.plan.timing import PAUSE, Window, overflow
from planner.plan.value import value_poi
from planner.solve.problem import OrienteeringProblem, Route, Solution
from planner.solve.solver import DEFAULT_SETTINGS, SearchSettings, solve
from planner.travel.base import TravelMatrix, TravelTimes
from planner.travel.traffic import Traffic, TrafficSettings

SCORE_SCALE = 10
"""Values (0-125) become integer solver scores with one decimal kept."""
MEAL_BONUS = 40.0
"""Extra solver value of a farm-restaurant lunch, so one is chosen whenever it fits the day."""
SEEN_FACTOR = 0.2
"""Share of a place's score in an alternative plan when an earlier alternative already has it."""
MIN_DIFFERENT = 0.5
"""An alternative is kept only if at least this share of its stops are not in an earlier one."""

THEMES: tuple[tuple[str, tuple[Interest, ...]], ...] = (
    ("theme.blossom_first", (Interest.blossom, Interest.farm, Interest.picking, Interest.village)),
    ("theme.lakes_gorges", (Interest.lake, Interest.gorge, Interest.mountain, Interest.hiking)),
    ("theme.farms_villages", (Interest.village, Interest.farm, Interest.food, Interest.culture)),
)
"""The themes alternatives are drawn from: clearly different days in Pinggu."""


class Planner:
    """Plans days in Pinggu over a catalogue, with a travel-time provider.

    Examples
    --------
    >>> from planner import Planner, TripRequest
    >>> planner = Planner.from_configs()
    >>> itinerary = planner.plan(TripRequest(date="2027-04-17", start="pinggu-bus-station"))
    """

    def __init__(
        self,
        catalog: Catalog,
        travel: TravelTimes,
        *,
        seasons: SeasonCalendar,
        traffic: TrafficSettings,
        search: SearchSettings | None = None,
    ) -> None:
        """A planner over exactly these parts. ``seasons`` and ``traffic`` are required: a planner
        without the operators' season calendar or traffic profiles would plan a festival day as
        any other (pass ``SeasonCalendar()`` and ``TrafficSettings()`` to plan without them on
        purpose). Shells get theirs from :func:`planner.plan.live.build_planner`."""
        self.catalog = catalog
        self.travel = travel
        self.search = search if search is not None else DEFAULT_SETTINGS
        """How the solver searches (e.g. ``SearchSettings(processes=1)`` where another layer,
        such as a Ray batch, already spreads plans over the cores)."""
        self.seasons = seasons
        self.traffic = Traffic(traffic, seasons)

    @classmethod
    def from_configs(
        cls,
        configs_dir: Path | str | None = None,
        *,
        catalog_path: Path | str | None = None,
        use_roads: bool = True,
        network_path: Path | str | None = None,
        check_boundary: bool = True,
        search: SearchSettings | None = None,
    ) -> Planner:
        """A planner over the bundled configs, or over the files in ``configs_dir``.

        Travel times come from the newest road-network artifact (``planner geodata build``) when
        one exists and ``use_roads`` is true, else from the (calibrated, when fitted) estimate.
        The same as every other door: :func:`planner.plan.live.build_planner`.
        """
        from planner.plan.live import PlannerSettings, build_planner

        return build_planner(
            PlannerSettings(
                configs_dir=Path(configs_dir) if configs_dir is not None else None,
                catalog_path=Path(catalog_path) if catalog_path is not None else None,
                use_roads=use_roads,
                network_path=Path(network_path) if network_path is not None else None,
                check_boundary=check_boundary,
                search=search if search is not None else DEFAULT_SETTINGS,
            )
        )

    # ------------------------------------------------------------------ public API
    def plan(self, request: TripRequest) -> Itinerary:
        """Plan one day: a checked itinerary.

        Raises :class:`RequestError` for bad ids (``exc.field`` names the field) and
        :class:`InfeasibleRequest` when the must-visit places cannot all fit. For trips of
        several days use :meth:`plan_trip`.
        """
        if request.days != 1:
            raise RequestError(
                "days", f"plan() plans one day; use plan_trip() for {request.days} days"
            )
        return self.plan_trip(request).days[0]

    def plan_trip(self, request: TripRequest) -> Trip:
        """Plan a trip of ``request.days`` days (nights at ``request.stay`` or a suggested farm stay)."""
        self._check_ids(request)
        if request.days == 1:
            return self._plan_with_stay(request, None, suggested=False)
        if request.stay is not None:
            stay = self.catalog.resolve(request.stay, field="stay")
            return self._plan_with_stay(request, stay, suggested=False)
        options = [p for p in self.catalog if p.category == Category.lodging]
        if not options:
            raise RequestError(
                "stay", "the catalogue has no farm stay to suggest; give stay=<place id>"
            )
        best: Trip | None = None
        errors: list[InfeasibleRequest] = []
        share = request.model_copy(update={"time_limit_s": request.time_limit_s / len(options)})
        for stay in options:
            try:
                trip = self._plan_with_stay(share, stay, suggested=True)
            except InfeasibleRequest as exc:
                errors.append(exc)
                continue
            if best is None or trip.totals.value > best.totals.value:
                best = trip
        if best is None:
            raise errors[0]
        return best.model_copy(update={"request": request})

    def alternatives(self, request: TripRequest, *, count: int = 3) -> list[Alternative]:
        """Up to ``count`` clearly different good plans, each verified.

        The first is the plan for the request as asked; the others follow the themes in
        :data:`THEMES` (the visitor's own interests kept first), with places already shown counting
        for less, and are kept only when at least half of their stops are new.
        """
        if not 1 <= count <= 3:
            raise RequestError("count", f"{count} alternatives: ask for 1 to 3")
        first = self.plan_trip(request)
        out = [Alternative(theme=reason("theme.as_asked"), trip=first)]
        seen = {s.poi_id for d in first.days for s in d.stops}
        for key, interests in THEMES:
            if len(out) >= count:
                break
            if interests[0] in request.interests:
                continue  # the plan as asked already leads with this theme
            themed = request.model_copy(
                update={"interests": list(dict.fromkeys([*request.interests, *interests]))}
            )
            self._check_ids(themed)
            stay = (
                self.catalog.resolve(request.stay)
                if request.stay
                else (
                    None
                    if request.days == 1 or first.stay is None
                    else self.catalog.get(first.stay.poi_id)
                )
            )
            try:
                trip = self._plan_with_stay(
                    themed, stay, suggested=first.stay_suggested, seen=frozenset(seen)
                )
            except InfeasibleRequest:
                continue
            stops = [s.poi_id for d in trip.days for s in d.stops]
            new = [p for p in stops if p not in seen]
            if stops and len(new) >= MIN_DIFFERENT * len(stops):
                out.append(Alternative(theme=reason(key), trip=trip))
                seen.update(stops)
        return out

    def replan(
        self,
        itinerary: Itinerary,
        *,
        now: dt.datetime,
        here: str | tuple[float, float] | None = None,
        visited: Sequence[str] = (),
    ) -> Itinerary:
        """Re-plan the rest of a day from ``now`` and ``here`` (the "I'm running late" button).

        Places in ``visited`` are kept as done (never planned again); must-visit and pinned places
        not yet visited stay required; the rest of the day is re-optimised from the current time
        and place to the same end point and end time.
        """
        req = itinerary.request
        local = now.astimezone(TZ) if now.tzinfo else now.replace(tzinfo=TZ)
        if local.date() != req.date:
            raise RequestError(
                "now", f"{local:%Y-%m-%d} is not the plan's date {req.date}; plan that day anew"
            )
        minute = (local + dt.timedelta(seconds=59)).replace(second=0, microsecond=0)
        if minute.time() >= req.end_time:
            raise InfeasibleRequest(
                "now", f"it is {minute:%H:%M}, past the day's end {req.end_time:%H:%M}"
            )
        if here is None:
            here_id = visited[-1] if visited else itinerary.start.poi_id
        elif isinstance(here, tuple):
            here_id = f"{here[0]:.6f},{here[1]:.6f}"
        else:
            here_id = here
        self.catalog.resolve(here_id, field="here")
        done = list(dict.fromkeys([*itinerary.visited, *visited]))
        for pid in done:
            self.catalog.get(pid, field="visited")
        new = req.model_copy(
            update={
                "start": here_id,
                "end": req.end or itinerary.end.poi_id,
                "start_time": minute.time(),
                # pinned positions and times belonged to the original day: what is still to be
                # visited stays required, in whatever order now fits
                "must": [m for m in req.required_ids if m not in done],
                "avoid": list(dict.fromkeys([*req.avoid, *done])),
                "pins": [],
                "budget_cny": None
                if req.budget_cny is None
                else max(
                    0.0,
                    req.budget_cny - sum(s.ticket_cny for s in itinerary.stops if s.poi_id in done),
                ),
            }
        )
        TripRequest.model_validate(new.model_dump())  # the shifted request is valid as a whole
        result = self.plan(new)
        return result.model_copy(update={"visited": done})

    # ------------------------------------------------------------------ planning
    def _check_ids(self, request: TripRequest) -> None:
        self.catalog.resolve(request.start, field="start")
        if request.end:
            self.catalog.resolve(request.end, field="end")
        depots = {request.start, request.end or request.start, request.stay}
        for field_name, ids in (
            ("must", request.must),
            ("avoid", request.avoid),
            ("pins", [p.poi_id for p in request.pins]),
        ):
            for pid in ids:
                poi = self.catalog.get(pid, field=field_name)
                if field_name != "avoid" and not poi.visitable:
                    raise RequestError(
                        field_name,
                        f"{pid!r} is a {poi.category.value} point, not a place to visit; use it as start, end or stay",
                    )
                if field_name != "avoid" and pid in depots:
                    raise RequestError(
                        field_name,
                        f"{pid!r} is the start, end or stay of the trip already; remove it from {field_name}",
                    )
        for pin in request.pins:
            if pin.poi_id in request.avoid:
                raise RequestError(
                    "pins", f"{pin.poi_id!r} is pinned and avoided: keep it in one list"
                )
            if pin.day is not None and pin.day > request.days:
                raise RequestError(
                    "pins",
                    f"{pin.poi_id!r} is pinned to day {pin.day} of a {request.days}-day trip",
                )
        if request.stay is not None:
            stay = self.catalog.resolve(request.stay, field="stay")
            if stay.visitable:
                raise RequestError(
                    "stay",
                    f"{request.stay!r} is not a place to stay; choose a farm stay (category lodging)",
                )

    def _plan_with_stay(
        self,
        request: TripRequest,
        stay: Poi | None,
        *,
        suggested: bool,
        seen: frozenset[str] = frozenset(),
    ) -> Trip:
        setup = self._setup(request, stay, seen=seen)
        solution = solve(
            setup.problem,
            time_limit_s=request.time_limit_s,
            seed=request.seed,
            settings=self.search,
        )
        if solution.status == "infeasible":
            raise self._explain_infeasible(setup)
        routes = [list(r) for r in solution.routes]
        routes = self._enforce(setup, routes)
        days = self._assemble(setup, routes, solution, stay)
        visited = {s.poi_id for d in days for s in d.stops}
        dropped = [
            Dropped(
                poi_id=d.poi_id,
                name_zh=d.name_zh,
                name_en=d.name_en,
                value=d.value,
                reason=d.reason,
            )
            for d in days[0].dropped
            if d.poi_id not in visited
        ]
        trip = Trip(
            request=request,
            days=days,
            stay=None if stay is None else days[0].end,
            stay_suggested=suggested and stay is not None,
            totals=trip_totals(days),
            dropped=dropped,
            warnings=list({w.en: w for d in days for w in d.warnings}.values()),
        )
        checker.check_trip(trip, self.catalog, self.travel, self.traffic)
        return trip

    def _setup(
        self, request: TripRequest, stay: Poi | None, *, seen: frozenset[str] = frozenset()
    ) -> Setup:
        start = self.catalog.resolve(request.start, field="start")
        end = self.catalog.resolve(request.end, field="end") if request.end else start
        days = request.days
        day_bounds = [
            (k * DAY_S + secs(request.start_time), k * DAY_S + secs(request.end_time))
            for k in range(days)
        ]
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

        candidates, dropped = self._candidates(request, {p.id for p in depots}, day_bounds)
        nodes = depots + [c.poi for c in candidates]
        first = len(depots)
        matrix = self.travel.matrix([p.lonlat for p in nodes], request.mode)
        for k, (a, b) in enumerate(depot_of_day):
            direct = int(matrix.seconds[a, b])
            lo, hi = day_bounds[k]
            if lo + direct > hi:
                raise InfeasibleRequest(
                    "end_time",
                    f"going from {nodes[a].id!r} to {nodes[b].id!r} alone takes {math.ceil(direct / 60)} min by "
                    f"{request.mode.value}, but the day has {(hi - lo) // 60} min; "
                    "end later, start earlier, or choose an end point closer to the start",
                )
        buffer = request.pace.buffer_s
        # the solver plans with each day's typical traffic factor (the worst day's, over a trip);
        # every schedule after it is timed leg by leg with the factor at departure (Setup.travel_at)
        typical = max(
            self.traffic.typical(
                request.date + dt.timedelta(days=k), lo - k * DAY_S, hi - k * DAY_S
            )
            for k, (lo, hi) in enumerate(day_bounds)
        )
        travel = np.rint(matrix.seconds * typical).astype(np.int64)
        travel[:, first:] += buffer  # slack after arriving at a visit (not at depots)
        for i in range(first, len(nodes)):
            travel[i, i] = 0
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
        allowed: dict[int, frozenset[int]] = {}
        pins_at: dict[int, int] = {}
        pins_pos: dict[int, tuple[int | None, int]] = {}
        for pin in request.pins:
            node = index.get(pin.poi_id)
            if node is None:
                continue  # reported by _candidates as closed / out of hours
            day = (pin.day - 1) if pin.day is not None else None
            if day is not None:
                allowed[node] = frozenset({day})
            if pin.at is not None:
                at_days = [day] if day is not None else list(range(days))
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
        problem = OrienteeringProblem(
            travel=travel,
            service=tuple(service),
            score=tuple(score),
            windows=tuple(tuple(w) for w in windows),
            routes=tuple(
                Route(start=a, end=b, earliest_start=day_bounds[k][0], latest_end=day_bounds[k][1])
                for k, (a, b) in enumerate(depot_of_day)
            ),
            required=required,
            allowed_routes=allowed,
        )
        lunch = [lunch_windows(request, lo, hi, k) for k, (lo, hi) in enumerate(day_bounds)]
        dinner = [dinner_windows(request, lo, hi, k) for k, (lo, hi) in enumerate(day_bounds)]
        return Setup(
            dinner=dinner,
            traffic=self.traffic,
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
        )

    def _candidates(
        self, request: TripRequest, depot_ids: set[str], day_bounds: list[tuple[int, int]]
    ) -> tuple[list[Candidate], list[tuple[Poi, float, Reason]]]:
        """Places that may be visited, each with its value and visit-start windows over the trip."""
        cands: list[Candidate] = []
        dropped: list[tuple[Poi, float, Reason]] = []
        required = set(request.required_ids)
        dates = [request.date + dt.timedelta(days=k) for k in range(request.days)]
        date_s = request.date.isoformat() if request.days == 1 else f"{dates[0]}..{dates[-1]}"
        for poi in self.catalog:
            if not poi.visitable or poi.id in depot_ids:
                continue
            val = value_poi(poi, request, self.seasons)
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
                dropped.append(
                    (
                        poi,
                        val.value,
                        reason(
                            "out.over_budget",
                            ticket=f"{ticket:g}",
                            budget=f"{request.budget_cny:g}",
                        ),
                    )
                )
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
                for a, b in open_intervals(poi.opening_hours, day):
                    a, b = a + k * DAY_S, b + k * DAY_S
                    openings.append((a, b))
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
            cands.append(Candidate(poi, val.value, val.why, sorted(wins), meal=meal))
        return cands, dropped

    # ------------------------------------------------------------------ after the solver
    def _tickets(self, setup: Setup, routes: list[list[int]]) -> float:
        return sum(setup.nodes[i].ticket_cny or 0.0 for r in routes for i in r if i >= 0)

    def _enforce(self, setup: Setup, routes: list[list[int]]) -> list[list[int]]:
        """Budget and pinned positions (which the solver does not model), then the repair pass."""
        req, p = setup.request, setup.problem
        budget = req.budget_cny
        # 0. the solver planned with typical traffic: time each day leg by leg and let the least
        #    valuable optional stops give way where the real factors make it late
        for d, r in enumerate(routes):
            _give_way(
                setup,
                d,
                r,
                "must",
                f"with the traffic expected on {req.date + dt.timedelta(days=d)} the must-visit "
                "places do not fit; start earlier, end later, or remove one",
            )
        routes = place_meals(setup, routes)
        # 1. the budget: drop the stops that give the least value per yuan until within it
        while budget is not None and self._tickets(setup, routes) > budget + 1e-9:
            paid = [
                (i, d)
                for d, r in enumerate(routes)
                for i in r
                if i >= 0 and (setup.nodes[i].ticket_cny or 0) > 0 and i not in p.required
            ]
            if not paid:
                raise InfeasibleRequest(
                    "budget_cny",
                    f"the must-visit places cost ¥{self._tickets(setup, routes):g}, over the budget ¥{budget:g}; "
                    "raise the budget or remove a paid place from must",
                )
            worst, worst_day = min(
                paid, key=lambda nd: (p.score[nd[0]] / (setup.nodes[nd[0]].ticket_cny or 1), nd[0])
            )
            routes[worst_day].remove(worst)
        # 2. pinned positions: move each pinned stop to its place in its day's order
        for node, (day, position) in sorted(setup.pins_pos.items(), key=lambda kv: kv[1][1]):
            d = next(k for k, r in enumerate(routes) if node in r)
            if day is not None and d != day:
                continue  # allowed_routes already keeps it on its day
            r = [i for i in routes[d] if i != node]
            r.insert(min(position - 1, len(r)), node)
            _give_way(
                setup,
                d,
                r,
                "pins",
                f"{setup.nodes[node].id!r} cannot be stop {position} together with the other "
                "must-visit places; change its position or remove a must",
            )
            routes[d] = r
        # 3. repair: insert every place that still fits, without breaking budget or pins
        return self._repair(setup, routes)

    def _repair(self, setup: Setup, routes: list[list[int]]) -> list[list[int]]:
        """Insert every unvisited place that still fits, most valuable first, at its cheapest position.

        A time-limited search can stop with room left in the day; this pass makes sure no place
        that fits as it stands is left out (which also makes the "left out" reasons true).
        """
        p, req = setup.problem, setup.request
        visited = {i for r in routes for i in r} | p.depots
        spent = self._tickets(setup, routes)
        order = sorted(
            (i for i in range(p.size) if i not in visited and p.windows[i]),
            key=lambda i: (-p.score[i], i),
        )
        pinned_days = {n: d for n, (d, _) in setup.pins_pos.items()}
        meals = setup.meal_nodes
        for node in order:
            ticket = setup.nodes[node].ticket_cny or 0.0
            if req.budget_cny is not None and spent + ticket > req.budget_cny + 1e-9:
                continue
            best: tuple[int, int, int] | None = None
            for d, day_route in enumerate(routes):
                allowed = p.allowed_routes.get(node)
                if allowed is not None and d not in allowed:
                    continue
                r = day_route
                if node in meals:  # a restaurant may only replace the day's picnic
                    if PAUSE not in r:
                        continue
                    r = [i for i in r if i != PAUSE]
                for pos in range(len(r) + 1):
                    if any(
                        pinned_days.get(x, d) == d and setup.pins_pos[x][1] - 1 >= pos
                        for x in r[pos:]
                        if x in setup.pins_pos
                    ):
                        continue  # inserting here would move a pinned stop
                    seq = [*r[:pos], node, *r[pos:]]
                    res = setup.schedule(d, seq)
                    if (
                        res is not None
                        and node in meals
                        and not meal_in(setup, d, seq, setup.lunch[d])
                    ):
                        continue  # a restaurant replacing the picnic must serve lunch
                    if res is not None and (best is None or res[1] - d * DAY_S < best[0]):
                        best = (res[1] - d * DAY_S, d, pos)
            if best is not None:
                if node in meals:
                    routes[best[1]] = [i for i in routes[best[1]] if i != PAUSE]
                routes[best[1]].insert(best[2], node)
                spent += ticket
        return routes

    def _why_not(self, setup: Setup, routes: list[list[int]], node: int, cand: Candidate) -> Reason:
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
            terms = {"latest_end": setup.day_bounds[d][1], **setup.day_terms(d)}

            def lateness(seq: list[int], terms: dict[str, Any] = terms) -> tuple[int, int | None]:
                return overflow(seq, **terms)

            alone, first_late = lateness([node])
            if alone > 0 and first_late == 0:
                alone_at_gate = True  # too late for its hours even coming straight from the start
            best_alone = alone if best_alone is None else min(best_alone, alone)
            late = min(lateness([*r[:pos], node, *r[pos:]])[0] for pos in range(len(r) + 1))
            best_late = late if best_late is None else min(best_late, late)
        assert best_alone is not None and best_late is not None
        if best_alone > 0 and alone_at_gate:
            opening = open_intervals(cand.poi.opening_hours, setup.request.date)
            return reason("out.window_missed", hours=format_intervals(opening))
        req = setup.request
        ticket = cand.poi.ticket_cny or 0.0
        if best_late == 0:
            if (
                req.budget_cny is not None
                and self._tickets(setup, routes) + ticket > req.budget_cny + 1e-9
            ):
                return reason("out.over_budget", ticket=f"{ticket:g}", budget=f"{req.budget_cny:g}")
            return reason("out.lower_value")
        return reason("out.not_enough_time", minutes=math.ceil(best_late / 60))

    def _explain_infeasible(self, setup: Setup) -> InfeasibleRequest:
        p, req = setup.problem, setup.request
        for node in sorted(p.required):
            fits = False
            for d in range(len(setup.depot_of_day)):
                allowed = p.allowed_routes.get(node)
                if allowed is not None and d not in allowed:
                    continue
                if setup.schedule(d, [node]) is not None:
                    fits = True
            if not fits:
                return InfeasibleRequest(
                    "must",
                    f"{setup.nodes[node].id!r} does not fit in the day even alone; start earlier, end later, "
                    "or remove it from must",
                )
        return InfeasibleRequest(
            "must",
            f"the must-visit places {req.required_ids} do not all fit between {req.start_time:%H:%M} and "
            f"{req.end_time:%H:%M}; remove one or make the day longer",
        )

    def _assemble(
        self, setup: Setup, routes: list[list[int]], solution: Solution, stay: Poi | None
    ) -> list[Itinerary]:
        req = setup.request
        visited = {i for r in routes for i in r}
        dropped = list(setup.dropped)
        for k, c in enumerate(setup.candidates):
            node = setup.first + k
            if node not in visited:
                dropped.append((c.poi, c.value, self._why_not(setup, routes, node, c)))
        dropped.sort(key=lambda d: -d[1])
        why = {c.poi.id: (c.value, c.why) for c in setup.candidates}
        days: list[Itinerary] = []
        for d, route in enumerate(routes):
            a, b = setup.depot_of_day[d]
            real = [i for i in route if i >= 0]
            here = {setup.nodes[i].id for i in real}
            others = [
                setup.nodes[i].id for k, r in enumerate(routes) if k != d for i in r if i >= 0
            ]
            day_req = req.model_copy(
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
            ctx = DayContext(
                request=day_req,
                nodes=setup.nodes,
                start_node=a,
                end_node=b,
                midnight=dt.datetime.combine(req.date, dt.time(), TZ),
                day_start_s=setup.day_bounds[d][0],
                matrix=setup.matrix,
                travel=self.travel,
                problem=setup.problem,
                buffer_s=req.pace.buffer_s,
                lunch=setup.lunch[d],
                dinner=setup.dinner[d],
                meal_s=setup.meal_s,
                meal_nodes=frozenset(setup.meal_nodes),
                travel_at=setup.travel_at,
                traffic=self.traffic,
            )
            days.append(
                build_itinerary(
                    ctx,
                    route,
                    why=why,
                    dropped=dropped if d == 0 else [],
                    solution=solution,
                    warnings=self._warnings([setup.nodes[i] for i in (a, *real, b)], setup.matrix)
                    + ([reason("warn.no_lunch")] if d in setup.no_lunch else [])
                    + ([reason("warn.no_dinner")] if d in setup.no_dinner else []),
                )
            )
        return days

    def _warnings(self, pois: list[Poi], matrix: TravelMatrix) -> list[Reason]:
        out: list[Reason] = []
        if matrix.estimated or "estimate" in matrix.provider:
            out.append(reason("warn.estimated_travel", provider=matrix.provider))
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
                        hours=DEFAULT_HOURS,
                    )
                )
        return out


def _give_way(setup: Setup, day: int, route: list[int], field: str, message: str) -> None:
    """Drop the least valuable optional stops of ``route`` (in place) until ``day``'s leg-by-leg
    schedule fits; when only must-visit places are left and it still does not, the request is
    infeasible (``field`` and ``message`` say which part and the fix)."""
    p = setup.problem
    while setup.schedule(day, route) is None:
        victims = [i for i in route if i >= 0 and i not in p.required]
        if not victims:
            raise InfeasibleRequest(field, message)
        route.remove(min(victims, key=lambda i: (p.score[i], i)))
