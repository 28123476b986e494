"""Plumbing between :class:`OrienteeringProblem` and an OR-Tools routing model.

Everything that knows OR-Tools' index spaces lives here: :class:`RoutingAdapter` builds the model
from plain data once, runs searches on it, and turns every answer back into plain node lists at
once (the pattern of OR-Tools' sample ``vrptw_store_solution_data.py``, ``get_routes``). The
search *strategy* (which searches, in what order, with what budget) is in :mod:`planner.solve._search`
and :mod:`planner.solve.solver`.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from ortools.constraint_solver import pywrapcp, routing_enums_pb2
from ortools.util import optional_boolean_pb2

from planner.solve.problem import OrienteeringProblem

Routes = tuple[tuple[int, ...], ...]

FIRST_SOLUTION = routing_enums_pb2.FirstSolutionStrategy
METAHEURISTIC = routing_enums_pb2.LocalSearchMetaheuristic


def penalty_unit(problem: OrienteeringProblem) -> int:
    """Cost of one score point: more than any possible total travel time.

    Travel within a route fits in its time budget, so the sum of the routes' budgets (+1) bounds
    total travel. With this unit one score point always outweighs all travel, and the objective
    becomes lexicographic: maximal score first, then minimal travel time among equal scores.
    """
    return sum(max(0, r.latest_end - r.earliest_start) for r in problem.routes) + 1


def reachable_routes(
    problem: OrienteeringProblem, shortest: NDArray[np.int64] | None = None
) -> dict[int, list[int]]:
    """For each visitable node, the routes that could possibly visit it; unlisted nodes: none.

    A route may visit ``node`` only if, leaving at its earliest start and travelling by the
    shortest path (through any nodes, ignoring their windows and service: a lower bound, valid
    even when travel times break the triangle inequality), a window is still open on arrival and
    the shortest way on to the route's end arrives in time. A necessary condition, so it is safe
    to tell OR-Tools up front: the search then never tries moves that cannot be feasible, and the
    score of the listed nodes bounds every plan's score. Closed nodes and depots are unlisted.
    ``shortest`` is :func:`shortest_paths` of the travel times, if already at hand.
    """
    if shortest is None:
        shortest = shortest_paths(problem.travel)
    result: dict[int, list[int]] = {}
    for node in range(problem.size):
        if node in problem.depots or not problem.windows[node]:
            continue
        allowed = problem.allowed_routes.get(node)
        routes = []
        for k, route in enumerate(problem.routes):
            if allowed is not None and k not in allowed:
                continue
            arrival = route.earliest_start + int(shortest[route.start, node])
            windows = problem.windows[node]
            start = next((max(arrival, lo) for lo, hi in windows if hi >= arrival), None)
            if start is None:
                continue
            if start + problem.service[node] + int(shortest[node, route.end]) <= route.latest_end:
                routes.append(k)
        if routes:
            result[node] = routes
    return result


def shortest_paths(travel: NDArray[np.int64]) -> NDArray[np.int64]:
    """All-pairs shortest travel times (Floyd-Warshall, vectorised)."""
    dist = np.array(travel, dtype=np.int64, copy=True)
    for k in range(dist.shape[0]):
        np.minimum(dist, dist[:, k : k + 1] + dist[k : k + 1, :], out=dist)
    return dist


def _allow_vehicles(model: pywrapcp.RoutingModel, vehicles: list[int], index: int) -> None:
    """Restrict which vehicles may visit ``index``.

    ``SetAllowedVehiclesForIndex`` is the API for this, but the ortools 9.15 Python wrapper
    rejects every sequence type for its ``absl::Span<const int>`` argument (TypeError); the
    documented older equivalent, restricting the vehicle variable to ``-1`` (unvisited) or an
    allowed vehicle, is used then.
    """
    try:
        model.SetAllowedVehiclesForIndex(vehicles, index)
    except TypeError:
        model.VehicleVar(index).SetValues([-1, *vehicles])


@dataclass(frozen=True)
class SearchResult:
    """One search's answer in plain data."""

    routes: Routes
    objective: int
    solutions: int
    """Solutions OR-Tools reported during the search (its own work counter)."""
    hit_time_limit: bool


class RoutingAdapter:
    """An OR-Tools routing model for one problem, reusable across several searches.

    Model: one vehicle per route with its own start and end node; a ``time`` dimension whose
    cumul at a node is the start of its visit (transit ``travel[i][j] + service[i]``, waiting
    allowed as slack); windows as the cumul's range with the gaps removed; each optional node in a
    disjunction whose penalty is its score times :func:`penalty_unit`; required nodes in a
    disjunction ``required_penalty`` (more than all scores together) so that the search can
    always start from an empty plan and the caller sees when one cannot be fitted; nodes no route
    can reach are forced inactive.
    """

    def __init__(self, problem: OrienteeringProblem, *, unit: int | None = None) -> None:
        self.problem = problem
        n, routes = problem.size, problem.routes
        self.unit = penalty_unit(problem) if unit is None else unit
        self.required_penalty = self.unit * (sum(problem.score) + 1)
        self.manager = pywrapcp.RoutingIndexManager(
            n, len(routes), [r.start for r in routes], [r.end for r in routes]
        )
        self.model = pywrapcp.RoutingModel(self.manager)
        depots = problem.depots
        travel = [[int(v) for v in row] for row in problem.travel]
        # Depots need no visit: their service time never counts.
        transit = [
            [t + (0 if i in depots else problem.service[i]) for t in row]
            for i, row in enumerate(travel)
        ]
        travel_cb = self.model.RegisterTransitMatrix(travel)
        transit_cb = self.model.RegisterTransitMatrix(transit)
        self.model.SetArcCostEvaluatorOfAllVehicles(travel_cb)
        horizon = max(
            [r.latest_end for r in routes] + [hi for w in problem.windows for _, hi in w] + [0]
        )
        self.model.AddDimension(transit_cb, horizon, horizon, False, "time")
        self.time = self.model.GetDimensionOrDie("time")
        for k, route in enumerate(routes):
            for index in (self.model.Start(k), self.model.End(k)):
                self.time.CumulVar(index).SetRange(route.earliest_start, route.latest_end)
        self.unreachable: list[int] = []
        self.shortest = shortest_paths(problem.travel)
        self.reachable = reachable_routes(problem, self.shortest)
        for node in range(n):
            if node not in depots:
                self._add_node(node, self.reachable.get(node, []))

    def _add_node(self, node: int, vehicles: list[int]) -> None:
        problem, model = self.problem, self.model
        index = self.manager.NodeToIndex(node)
        penalty = (
            self.required_penalty if node in problem.required else problem.score[node] * self.unit
        )
        model.AddDisjunction([index], penalty)
        if not vehicles:
            self.unreachable.append(node)
            model.ActiveVar(index).SetValue(0)
            return
        if len(vehicles) < len(problem.routes):
            _allow_vehicles(model, vehicles, index)
        windows = problem.windows[node]
        cumul = self.time.CumulVar(index)
        cumul.SetRange(windows[0][0], windows[-1][1])
        for (_, hi), (lo, _) in itertools.pairwise(windows):
            if lo > hi + 1:
                cumul.RemoveInterval(hi + 1, lo - 1)

    def parameters(
        self,
        *,
        first_solution: str,
        metaheuristic: str,
        solution_limit: int,
        time_limit_s: float,
        operators: Sequence[str] = (),
    ) -> object:
        """Search parameters: a strategy, a deterministic work budget and a wall-clock net.

        ``operators`` switches on OR-Tools local-search operators that are off by default
        (names of ``use_*`` fields). Measured on the literature instances at 1 s, the
        insertion-type ones (``use_relocate_and_make_active``, ``use_extended_swap_active``,
        ``use_inactive_lns``, ``use_path_lns``...) all made results worse: they slow each
        step more than they help, so none is on by default.
        """
        params = pywrapcp.DefaultRoutingSearchParameters()
        params.first_solution_strategy = FIRST_SOLUTION.Value.Value(first_solution)
        params.local_search_metaheuristic = METAHEURISTIC.Value.Value(metaheuristic)
        params.solution_limit = max(1, solution_limit)
        params.time_limit.FromNanoseconds(max(1, int(time_limit_s * 1e9)))
        for name in operators:
            setattr(params.local_search_operators, name, optional_boolean_pb2.BOOL_TRUE)
        return params

    def search(
        self, params: object, *, time_limit_s: float, initial: Routes | None = None
    ) -> SearchResult | None:
        """Run one search (from ``initial`` routes if given); ``None`` if it found nothing.

        ``time_limit_s`` must be the wall-clock net set in ``params``: reaching it is reported.
        """
        model = self.model
        began = time.perf_counter()
        if initial is not None:
            assignment = model.ReadAssignmentFromRoutes(self._to_indices(initial), True)
            if assignment is None:
                return None
            solution = model.SolveFromAssignmentWithParameters(assignment, params)
        else:
            solution = model.SolveWithParameters(params)
        if solution is None:
            return None
        return SearchResult(
            routes=self._routes(solution),
            objective=solution.ObjectiveValue(),
            solutions=model.solver().Solutions(),
            hit_time_limit=time.perf_counter() - began >= 0.95 * time_limit_s,
        )

    def _to_indices(self, routes: Sequence[Sequence[int]]) -> list[list[int]]:
        return [[self.manager.NodeToIndex(node) for node in route] for route in routes]

    def _routes(self, solution: pywrapcp.Assignment) -> Routes:
        """Visited nodes of each route, depots excluded (``get_routes`` of the OR-Tools sample)."""
        model, manager = self.model, self.manager
        routes = []
        for k in range(len(self.problem.routes)):
            index = solution.Value(model.NextVar(model.Start(k)))
            route = []
            while not model.IsEnd(index):
                route.append(manager.IndexToNode(index))
                index = solution.Value(model.NextVar(index))
            routes.append(tuple(route))
        return tuple(routes)
