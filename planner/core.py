"""The planner: a trip request in, a verified itinerary out.

:class:`Planner` turns a :class:`~planner.models.TripRequest` into the solver's plain
:class:`~planner.problem.OrienteeringProblem` (places, values, opening windows, travel times),
solves it, repairs what a time-limited search may leave on the table, explains every place left
out, and hands the result to the independent checker before returning it.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from planner import checker
from planner.catalog import Catalog, load_catalog
from planner.errors import InfeasibleRequest, RequestError
from planner.hours import DEFAULT_HOURS, open_intervals
from planner.i18n import reason
from planner.itinerary import DayContext, build_itinerary
from planner.models import Confidence, Itinerary, Poi, Reason, TripRequest
from planner.problem import OrienteeringProblem, Route
from planner.schedule import Window, overflow, schedule
from planner.solver import solve
from planner.travel import TravelMatrix, TravelTimes
from planner.value import value_poi

TZ = ZoneInfo("Asia/Shanghai")
SCORE_SCALE = 10
"""Values (0-125) become integer solver scores with one decimal kept."""


@dataclass
class _Candidate:
    poi: Poi
    value: float
    why: list[Reason]
    windows: list[Window]


def _hhmm(seconds: int) -> str:
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}"


def _format_intervals(intervals: list[tuple[int, int]]) -> str:
    return ", ".join(f"{_hhmm(a)}-{_hhmm(b)}" for a, b in intervals) or "-"


class Planner:
    """Plans days in Pinggu over a catalogue, with a travel-time provider.

    Examples
    --------
    >>> from planner import Planner, TripRequest
    >>> planner = Planner.from_configs()
    >>> itinerary = planner.plan(TripRequest(date="2027-04-17", start="pinggu-bus-station"))
    """

    def __init__(self, catalog: Catalog, travel: TravelTimes) -> None:
        self.catalog = catalog
        self.travel = travel

    @classmethod
    def from_configs(
        cls,
        configs_dir: Path | str | None = None,
        *,
        catalog_path: Path | str | None = None,
        use_roads: bool = True,
        network_path: Path | str | None = None,
    ) -> Planner:
        """A planner over the bundled configs, or over the files in ``configs_dir``.

        Travel times come from the newest road-network artifact (``planner geodata build``) when
        one exists and ``use_roads`` is true, else from the (calibrated, when fitted) estimate.
        """
        from planner.matrix import default_travel_times

        base = Path(configs_dir) if configs_dir is not None else None
        cat = catalog_path if catalog_path is not None else (base / "pois.yaml" if base else None)
        catalog = load_catalog(cat)
        travel = default_travel_times(
            base,
            network_path=Path(network_path) if network_path is not None else None,
            use_network=use_roads,
        )
        return cls(catalog, travel)

    # ------------------------------------------------------------------ planning
    def plan(self, request: TripRequest) -> Itinerary:
        """Plan one day. Raises :class:`RequestError` for bad ids and :class:`InfeasibleRequest`
        when the must-visit places cannot all fit; otherwise returns a checked itinerary."""
        start = self.catalog.get(request.start, field="start")
        end = self.catalog.get(request.end, field="end") if request.end else start
        for field_name, ids in (("must", request.must), ("avoid", request.avoid)):
            for pid in ids:
                poi = self.catalog.get(pid, field=field_name)
                if field_name == "must" and not poi.visitable:
                    raise RequestError(
                        "must",
                        f"{pid!r} is a {poi.category.value} point, not a place to visit; use it as start or end",
                    )
        for pid in request.must:
            if pid in (start.id, end.id):
                raise RequestError(
                    "must", f"{pid!r} is the start or end of the day already; remove it from must"
                )

        day_start = request.start_time.hour * 3600 + request.start_time.minute * 60
        day_end = request.end_time.hour * 3600 + request.end_time.minute * 60
        candidates, dropped_early = self._candidates(
            request, (start.id, end.id), day_start, day_end
        )

        same = end.id == start.id
        depots = [start] if same else [start, end]
        nodes = depots + [c.poi for c in candidates]
        matrix = self.travel.matrix([p.lonlat for p in nodes], request.mode)
        first = len(depots)
        direct = int(matrix.seconds[0, 0 if same else 1])
        if day_start + direct > day_end:
            raise InfeasibleRequest(
                "end_time",
                f"going from {start.id!r} to {end.id!r} alone takes {math.ceil(direct / 60)} min by "
                f"{request.mode.value}, but the day has {(day_end - day_start) // 60} min; "
                "end later, start earlier, or choose an end point closer to the start",
            )
        windows: list[list[Window]] = [[(day_start, day_end)]] * first + [
            c.windows for c in candidates
        ]
        service = [0] * first + [c.poi.visit_minutes * 60 for c in candidates]
        score = [0] * first + [max(1, round(c.value * SCORE_SCALE)) for c in candidates]
        must_nodes = frozenset(
            first + k for k, c in enumerate(candidates) if c.poi.id in request.must
        )
        end_node = 0 if same else 1
        problem = OrienteeringProblem(
            travel=matrix.seconds,
            service=tuple(service),
            score=tuple(score),
            windows=tuple(tuple(w) for w in windows),
            routes=(Route(start=0, end=end_node, earliest_start=day_start, latest_end=day_end),),
            required=must_nodes,
        )
        solution = solve(problem, time_limit_s=request.time_limit_s, seed=request.seed)
        if solution.status == "infeasible":
            raise self._explain_infeasible(
                request, problem, candidates, first, day_start, day_end, end_node
            )
        route = list(solution.routes[0]) if solution.routes else []
        route = _repair(problem, route, end_node, day_start, day_end)

        visited = set(route)
        dropped = list(dropped_early)
        for k, c in enumerate(candidates):
            node = first + k
            if node in visited:
                continue
            dropped.append(
                (
                    c.poi,
                    c.value,
                    self._why_not(problem, route, node, end_node, day_start, day_end, c),
                )
            )
        dropped.sort(key=lambda d: -d[1])

        ctx = DayContext(
            request=request,
            nodes=nodes,
            end_node=end_node,
            midnight=dt.datetime.combine(request.date, dt.time(), TZ),
            day_start_s=day_start,
            matrix=matrix,
            travel=self.travel,
            problem=problem,
        )
        itinerary = build_itinerary(
            ctx,
            route,
            why={c.poi.id: (c.value, c.why) for c in candidates},
            dropped=dropped,
            solution=solution,
            warnings=self._warnings([nodes[i] for i in route] + depots, matrix),
        )
        checker.check(itinerary, self.catalog, self.travel)
        return itinerary

    def _candidates(
        self, request: TripRequest, depot_ids: tuple[str, str], day_start: int, day_end: int
    ) -> tuple[list[_Candidate], list[tuple[Poi, float, Reason]]]:
        """Places that may be visited, each with its value and visit-start windows on the day."""
        cands: list[_Candidate] = []
        dropped: list[tuple[Poi, float, Reason]] = []
        date_s = request.date.isoformat()
        for poi in self.catalog:
            if not poi.visitable or poi.id in depot_ids:
                continue
            val = value_poi(poi, request)
            if val.excluded is not None:
                dropped.append((poi, 0.0, val.excluded))
                continue
            visit_s = poi.visit_minutes * 60
            opening = open_intervals(poi.opening_hours, request.date)
            wins = [
                (max(a, day_start), min(b, day_end) - visit_s)
                for a, b in opening
                if max(a, day_start) <= min(b, day_end) - visit_s
            ]
            if not wins:
                if poi.id in request.must:
                    raise InfeasibleRequest(
                        "must",
                        f"{poi.id!r} cannot be visited on {date_s} between {_hhmm(day_start)} and "
                        f"{_hhmm(day_end)}: open {_format_intervals(opening)}, visit {poi.visit_minutes} min; "
                        "choose another date or hours, or remove it from must",
                    )
                if not opening:
                    why = reason("out.closed", date=date_s)
                else:
                    why = reason(
                        "out.hours_too_short",
                        hours=_format_intervals(opening),
                        date=date_s,
                        minutes=poi.visit_minutes,
                    )
                dropped.append((poi, val.value, why))
                continue
            cands.append(_Candidate(poi, val.value, val.why, wins))
        return cands, dropped

    def _why_not(
        self,
        problem: OrienteeringProblem,
        route: list[int],
        node: int,
        end_node: int,
        day_start: int,
        day_end: int,
        cand: _Candidate,
    ) -> Reason:
        """A checked reason for leaving ``node`` out.

        If the place cannot be visited even alone in the day, its hours do not fit the day;
        otherwise the reason is the least lateness over every insertion position in the route.
        """
        lateness = functools.partial(
            overflow,
            start_node=0,
            end_node=end_node,
            depart=day_start,
            latest_end=day_end,
            travel=problem.travel,
            service=problem.service,
            windows=problem.windows,
        )
        alone, _ = lateness([node])
        if alone > 0:
            hours = _format_intervals(
                [(a, b + cand.poi.visit_minutes * 60) for a, b in cand.windows]
            )
            return reason("out.window_missed", hours=hours)
        late = min(lateness([*route[:pos], node, *route[pos:]])[0] for pos in range(len(route) + 1))
        if late == 0:
            return reason("out.lower_value")
        return reason("out.not_enough_time", minutes=math.ceil(late / 60))

    def _explain_infeasible(
        self,
        request: TripRequest,
        problem: OrienteeringProblem,
        candidates: list[_Candidate],
        first: int,
        day_start: int,
        day_end: int,
        end_node: int,
    ) -> InfeasibleRequest:
        for k, c in enumerate(candidates):
            if c.poi.id not in request.must:
                continue
            late, _ = overflow(
                [first + k],
                start_node=0,
                end_node=end_node,
                depart=day_start,
                latest_end=day_end,
                travel=problem.travel,
                service=problem.service,
                windows=problem.windows,
            )
            if late > 0:
                return InfeasibleRequest(
                    "must",
                    f"{c.poi.id!r} does not fit in the day even alone: it needs about "
                    f"{math.ceil(late / 60)} more minutes; start earlier, end later, or remove it from must",
                )
        return InfeasibleRequest(
            "must",
            f"the must-visit places {request.must} do not all fit between {_hhmm(day_start)} and "
            f"{_hhmm(day_end)}; remove one or make the day longer",
        )

    def _warnings(self, pois: list[Poi], matrix: TravelMatrix) -> list[Reason]:
        out: list[Reason] = []
        if matrix.estimated or "estimate" in matrix.provider:
            out.append(reason("warn.estimated_travel", provider=matrix.provider))
        for p in pois:
            if p.confidence == Confidence.low:
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


def _repair(
    problem: OrienteeringProblem, route: list[int], end_node: int, day_start: int, day_end: int
) -> list[int]:
    """Insert every unvisited place that still fits, most valuable first, at its cheapest position.

    A time-limited search can stop with room left in the day; this pass makes sure no place that
    fits as it stands is left out (which also makes the "left out" reasons true).
    """
    route = list(route)
    visited = set(route) | problem.depots
    order = sorted(
        (i for i in range(problem.size) if i not in visited and problem.windows[i]),
        key=lambda i: (-problem.score[i], i),
    )
    for node in order:
        best: tuple[int, int] | None = None
        for pos in range(len(route) + 1):
            seq = [*route[:pos], node, *route[pos:]]
            res = schedule(
                seq,
                start_node=0,
                end_node=end_node,
                depart=day_start,
                travel=problem.travel,
                service=problem.service,
                windows=problem.windows,
            )
            if res is None or res[1] > day_end:
                continue
            if best is None or res[1] < best[0]:
                best = (res[1], pos)
        if best is not None:
            route.insert(best[1], node)
    return route
