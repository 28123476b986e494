"""The one adapter around OR-Tools routing: an :class:`OrienteeringProblem` in, a :class:`Solution` out.

:func:`solve` is the only entry point that touches OR-Tools (through :mod:`planner._routing`);
:func:`schedule` and :func:`is_feasible` re-compute times and constraints from the plain data
alone, so that tests and benchmarks can check the solver with code that shares nothing with it.

Conventions: the start of a visit must lie in one of the node's windows (arriving early means
waiting); a visit lasts ``service[i]``; depots (route starts and ends) need no visit, so their
window and service time are ignored and only the route's own bounds apply.
"""

from __future__ import annotations

import random
import time
from collections.abc import Sequence
from dataclasses import dataclass

from planner._routing import Routes, RoutingAdapter
from planner.errors import ItineraryCheckError
from planner.problem import OrienteeringProblem, Solution

__all__ = ["is_feasible", "schedule", "solve"]


@dataclass(frozen=True)
class SearchSettings:
    """How :func:`solve` spends its budget; the defaults won the ``bench/toptw.py`` comparisons.

    The work budget is deterministic: ``time_limit_s`` seconds buy ``rate * time_limit_s *
    share / (n + 25)`` units of each phase (``n`` = number of nodes). The rates were measured
    on the literature instances on a loaded 2-core machine: tabu search makes about 210 OR-Tools
    solutions per second at ``n`` = 49, a greedy descent from a perturbed plan takes ~12 ms;
    on a quiet machine a solve therefore takes less than the asked time.

    Measured (mean gap to best-known on c101, r101, rc101, pr01, m = 1, 1 s): guided local
    search 11-15 % whatever the first solution; simulated annealing 11-22 %; tabu search
    0.8-2.3 % (parallel/local cheapest or best insertion best); a penalty unit of 1/1000 of the
    lexicographic one returns nearly empty plans (79 %). On 18 Solomon/Cordeau instances: tabu
    alone 5.5 %, tabu then the perturbation loop 2.5-2.8 %; splitting the budget over restarts
    with four first-solution strategies was worse (7.5 %), and OR-Tools' built-in iterated
    local search (ruin and recreate) reached 10 %.
    """

    first_solution: str = "PARALLEL_CHEAPEST_INSERTION"
    """OR-Tools first-solution strategy of the tabu phase (``ALL_UNPERFORMED`` if it fails)."""
    metaheuristic: str = "TABU_SEARCH"
    """OR-Tools metaheuristic of the first phase."""
    tabu_share: float = 0.3
    """Share of the budget spent in the tabu phase; the rest goes to the perturbation loop."""
    tabu_rate: int = 16_000
    """Tabu phase: OR-Tools solutions per second of ``time_limit_s``, times ``1 / (n + 25)``."""
    descent_rate: int = 6_000
    """Perturbation loop: iterations per second of ``time_limit_s``, times ``1 / (n + 25)``."""
    max_ruin: int = 5
    """Largest number of consecutive visits one perturbation removes."""
    safety_factor: float = 3.0
    """The wall-clock limit is this multiple of ``time_limit_s``: a net, not the budget."""


DEFAULT_SETTINGS = SearchSettings()


def solve(
    problem: OrienteeringProblem,
    *,
    time_limit_s: float = 1.0,
    seed: int = 0,
    settings: SearchSettings = DEFAULT_SETTINGS,
) -> Solution:
    """Choose and order the visits that maximise the total score, then minimise travel time.

    The objective is lexicographic: one score point outweighs any total travel time
    (:func:`planner._routing.penalty_unit`). The search has two phases, both run by OR-Tools:
    tabu search from a parallel-cheapest-insertion plan, then an iterated local search around
    it: remove a random run of consecutive visits from the current plan (``seed`` drives the
    choice), let OR-Tools' greedy descent refill and re-order, keep the result if it is no
    worse. On the literature instances the second phase closes most of the gap the plain tabu
    search leaves (5.5 % -> 2.8 % below best-known on 18 Solomon/Cordeau instances at 1 s).

    Parameters
    ----------
    problem
        The plain-data problem; it is trusted (validated where it was built).
    time_limit_s
        The search effort, in seconds on a typical machine. It is converted into a deterministic
        work budget (tabu solutions and perturbation iterations, scaled by problem size, see
        :class:`SearchSettings`) so that the same problem and seed give the same plan on a fast
        or a busy machine. The wall-clock limit is only a safety net at
        ``settings.safety_factor`` times this value; if it is ever reached, the answer depends
        on machine speed and the status says ``time_limit``. The trade-off: a solve may take
        more (or less) than ``time_limit_s``, but never gives a different plan for being slow.
    seed
        Drives the perturbations, so different seeds explore differently and may return
        different, equally valid plans.
    settings
        Search strategy; the defaults are the benchmarked ones.

    Returns
    -------
    Solution
        ``optimal`` when provably so (every node that any route could reach is visited),
        ``infeasible`` (no routes) when a required node could not be fitted or no plan exists,
        ``time_limit`` when the wall-clock net stopped the search, else ``feasible``.

    Raises
    ------
    ItineraryCheckError
        If the plan fails the independent :func:`is_feasible` check (a bug, never user error).
    """
    began = time.perf_counter()
    adapter = RoutingAdapter(problem)
    deadline = began + max(0.1, time_limit_s * settings.safety_factor)
    size = problem.size + 25
    tabu_budget = max(1, round(settings.tabu_rate * time_limit_s * settings.tabu_share / size))
    iterations = round(settings.descent_rate * time_limit_s * (1 - settings.tabu_share) / size)
    bound = sum(problem.score[node] for node in adapter.reachable)
    details: dict[str, object] = {"seed": seed, "upper_bound": bound, "tabu_budget": tabu_budget}

    best, strategy = None, settings.first_solution
    for strategy in dict.fromkeys((settings.first_solution, "ALL_UNPERFORMED")):
        remaining = max(0.01, deadline - time.perf_counter())
        params = adapter.parameters(
            first_solution=strategy,
            metaheuristic=settings.metaheuristic,
            solution_limit=tabu_budget,
            time_limit_s=remaining,
        )
        best = adapter.search(params, time_limit_s=remaining)
        if best is not None:
            break
    details.update(first_solution=strategy, metaheuristic=settings.metaheuristic)
    if best is None:
        return _infeasible(problem, time.perf_counter() - began, details)
    details["tabu_solutions"] = best.solutions
    hit_time_limit = best.hit_time_limit

    # One parameter object for every descent: OR-Tools rebuilds its local search when the
    # parameters change, which made each iteration 2-3 times slower.
    descent_net = max(0.01, deadline - time.perf_counter())
    descent = adapter.parameters(
        first_solution="ALL_UNPERFORMED",
        metaheuristic="GREEDY_DESCENT",
        solution_limit=2**62,
        time_limit_s=descent_net,
    )
    current, rng, done, improved = best, random.Random(seed), 0, 0
    while done < iterations and _score(problem, best.routes) < bound:
        if time.perf_counter() >= deadline:
            hit_time_limit = True
            break
        done += 1
        initial = _ruin(current.routes, rng, settings.max_ruin)
        result = adapter.search(descent, time_limit_s=descent_net, initial=initial)
        if result is None:  # removing visits broke the plan (travel without triangle inequality)
            continue
        hit_time_limit |= result.hit_time_limit
        if result.objective <= current.objective:
            current = result
        if result.objective < best.objective:
            best, improved = result, improved + 1
    details.update(ils_iterations=done, ils_budget=iterations, ils_improvements=improved)
    return _answer(problem, best.routes, hit_time_limit, time.perf_counter() - began, details)


def _ruin(routes: Routes, rng: random.Random, max_ruin: int) -> Routes:
    """``routes`` without a random run of up to ``max_ruin`` consecutive visits of one route."""
    candidates = [k for k, route in enumerate(routes) if route]
    if not candidates:
        return routes
    k = rng.choice(candidates)
    route = routes[k]
    length = min(len(route), rng.randint(1, max_ruin))
    first = rng.randrange(len(route) - length + 1)
    kept = route[:first] + route[first + length :]
    return (*routes[:k], kept, *routes[k + 1 :])


def _score(problem: OrienteeringProblem, routes: Routes) -> int:
    return sum(problem.score[node] for route in routes for node in route)


def _infeasible(
    problem: OrienteeringProblem, seconds: float, details: dict[str, object]
) -> Solution:
    details["required_not_fitted"] = sorted(problem.required)
    return Solution(routes=(), score=0, status="infeasible", solve_seconds=seconds, details=details)


def _answer(
    problem: OrienteeringProblem,
    routes: Routes,
    hit_time_limit: bool,
    seconds: float,
    details: dict[str, object],
) -> Solution:
    """The plain :class:`Solution`, after the independent check and the required-node check."""
    visited = {node for route in routes for node in route}
    missing = sorted(problem.required - visited)
    if missing:
        details["required_not_fitted"] = missing
        return Solution(
            routes=(), score=0, status="infeasible", solve_seconds=seconds, details=details
        )
    violations = is_feasible(problem, routes)
    if violations:
        raise ItineraryCheckError(violations)
    score = _score(problem, routes)
    if score == details["upper_bound"]:
        status = "optimal"
    else:
        status = "time_limit" if hit_time_limit else "feasible"
    return Solution(
        routes=routes, score=score, status=status, solve_seconds=seconds, details=details
    )


def schedule(
    problem: OrienteeringProblem, route_index: int, nodes: Sequence[int]
) -> list[tuple[int, int, int]]:
    """Earliest-start schedule of a route: ``(arrival, start, departure)`` per stop.

    The route leaves its start depot at its ``earliest_start`` and starts each visit as soon as
    the node's windows allow. Entries cover ``[start depot, *nodes, end depot]`` (for a depot
    arrival, start and departure are equal). Does not use OR-Tools.

    Raises
    ------
    ValueError
        If a visit cannot start in any window of its node (the earliest schedule being the
        latest possible one, no schedule exists).
    """
    entries, violations = _walk(problem, route_index, nodes)
    if violations:
        raise ValueError("; ".join(violations))
    return entries


def _walk(
    problem: OrienteeringProblem, route_index: int, nodes: Sequence[int]
) -> tuple[list[tuple[int, int, int]], list[str]]:
    """Earliest schedule and the window violations met on the way (after one, times go on)."""
    route = problem.routes[route_index]
    now = route.earliest_start
    entries = [(now, now, now)]
    violations: list[str] = []
    previous = route.start
    for node in nodes:
        arrival = now + int(problem.travel[previous, node])
        start = next((max(arrival, lo) for lo, hi in problem.windows[node] if hi >= arrival), None)
        if start is None:
            violations.append(
                f"route {route_index}: node {node} reached at {arrival}, after its last window "
                f"{problem.windows[node][-1] if problem.windows[node] else '(closed)'}"
            )
            start = arrival
        now = start + problem.service[node]
        entries.append((arrival, start, now))
        previous = node
    arrival = now + int(problem.travel[previous, route.end])
    entries.append((arrival, arrival, arrival))
    if arrival > route.latest_end:
        violations.append(
            f"route {route_index}: back at node {route.end} at {arrival}, after its latest end "
            f"{route.latest_end}"
        )
    return entries, violations


def is_feasible(
    problem: OrienteeringProblem, routes: Routes | Sequence[Sequence[int]]
) -> list[str]:
    """Every way ``routes`` break the problem's rules; an empty list means feasible.

    An independent re-computation (plain Python, no OR-Tools) for tests and benchmarks: one node
    list per route; nodes exist, are not depots, are visited at most once, only by allowed
    routes, within their windows; each route is back in time; every required node is visited.
    """
    problems: list[str] = []
    if len(routes) != len(problem.routes):
        return [f"expected {len(problem.routes)} routes, got {len(routes)}"]
    seen: dict[int, int] = {}
    depots = problem.depots
    for k, route in enumerate(routes):
        valid = True
        for node in route:
            if not 0 <= node < problem.size:
                problems.append(f"route {k}: node {node} does not exist")
                valid = False
                continue
            if node in depots:
                problems.append(f"route {k}: node {node} is a depot, not a visit")
            if node in seen:
                problems.append(f"route {k}: node {node} already visited by route {seen[node]}")
            seen.setdefault(node, k)
            allowed = problem.allowed_routes.get(node)
            if allowed is not None and k not in allowed:
                problems.append(f"route {k}: node {node} may only be visited by {sorted(allowed)}")
        if valid:
            problems.extend(_walk(problem, k, route)[1])
    for node in sorted(problem.required - seen.keys()):
        problems.append(f"required node {node} is not visited")
    return problems
