"""The one adapter around OR-Tools routing: an :class:`OrienteeringProblem` in, a :class:`Solution` out.

:func:`solve` is the only entry point that touches OR-Tools (through :mod:`planner.solve._routing`);
:func:`route_schedule` and :func:`is_feasible` re-compute times and constraints from the plain data
alone, so that tests and benchmarks can check the solver with code that shares nothing with it.

Conventions: the start of a visit must lie in one of the node's windows (arriving early means
waiting); a visit lasts ``service[i]``; depots (route starts and ends) need no visit, so their
window and service time are ignored and only the route's own bounds apply.
"""

from __future__ import annotations

import multiprocessing
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures import TimeoutError as FuturesTimeout
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from planner.errors import ItineraryCheckError
from planner.solve.problem import OrienteeringProblem, Solution

if TYPE_CHECKING:  # OR-Tools (in _routing) and numba (in _search) load when a plan is solved
    from planner.solve._routing import Routes
    from planner.solve._search import SearchBudget, SearchOutcome

__all__ = [
    "SearchSettings",
    "is_feasible",
    "route_schedule",
    "route_value",
    "solve",
    "visit_begin",
    "warm_up",
    "warm_up_in_background",
]


@dataclass(frozen=True)
class SearchSettings:
    """How :func:`solve` spends its budget; the defaults won the ``bench/toptw.py`` comparisons.

    The budget is deterministic work, not time: ``time_limit_s`` seconds buy
    ``work_rate * time_limit_s`` work units per worker, counted by the search itself (insertion
    positions evaluated, schedule steps, scans and a fixed cost per round in the compiled
    rounds of :mod:`planner.solve._lns_kernels`, and an estimate per OR-Tools descent from the
    model's size and number of routes, :func:`descent_cost`).
    """

    work_rate: int = 32_000_000
    """Work units per second of ``time_limit_s`` and per worker: a search gets
    ``work_rate * time_limit_s`` units on any machine. Set so that two workers on a quiet
    machine use about half the limit, leaving room for building the model and for other load;
    a busy machine takes longer but plans the same. Measured in bench/README.md."""
    workers: int = 2
    """Independent seeded searches per plan; the best wins. Part of what defines the plan."""
    processes: int | None = None
    """How many of those searches run at once (``None``: all, in separate processes; ``1``: one
    after another in this process, for engines such as a Ray batch that already keep every core
    busy). The plan does not depend on it, only the wall clock."""
    parallel_min_nodes: int = 20
    """Below this many candidate places one worker runs in-process (processes cost more)."""
    remove_share: float = 0.15
    """Largest ruin, as a share of the visits of the plan (at least 4 visits)."""
    max_remove: int = 15
    """Largest ruin, in visits."""
    noise: float = 0.5
    """Relative noise on the insertion priorities of each refill."""
    threshold: float = 0.1
    """Record-to-record acceptance: at the start of the search a round's plan within this share
    of the best score is accepted; the share shrinks linearly to 0 over the budget. Measured in
    bench/README.md."""
    polish_share: float = 0.1
    """New best plans go to OR-Tools' descent at most once per this share of the budget."""
    restart: int = 2_000
    """Rounds without a new best after which the search returns to the best plan."""
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
    (:func:`planner.solve._routing.penalty_unit`). Each worker (:func:`planner.solve._search.search`)
    builds a plan by greedy insertion, improves it with OR-Tools' local search, then runs
    ruin-and-recreate rounds: remove some visits (random, related, worst-ratio, a run of
    consecutive visits), refill by noisy greedy insertion, accept by
    record-to-record travel, and hand every new best plan to OR-Tools' greedy descent. Workers
    run with seeds ``seed * workers + w``; the best plan by (score, -travel, worker) wins.

    Parameters
    ----------
    problem
        The plain-data problem; it is trusted (validated where it was built).
    time_limit_s
        The search effort, in seconds on a typical machine. It is converted into a deterministic
        work budget (see :class:`SearchSettings`) so that the same problem and seed give the same
        plan on a fast or a busy machine. The wall-clock limit is only a safety net at
        ``settings.safety_factor`` times this value; if it is ever reached, the answer depends
        on machine speed and the status says ``time_limit``.
    seed
        Drives the ruins and refills, so different seeds explore differently and may return
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
    from planner.solve._search import SearchBudget  # imports numba: only when a plan is made

    began = time.perf_counter()
    warm_up()  # compiled kernels ready before any worker's net starts (and before a fork)
    net = max(0.1, time_limit_s * settings.safety_factor)
    candidates = sum(1 for node in range(problem.size) if problem.score[node] > 0)
    workers = max(1, settings.workers) if candidates >= settings.parallel_min_nodes else 1
    budget = SearchBudget(
        work=max(1, round(settings.work_rate * time_limit_s)),
        descent_cost=descent_cost(problem, settings.work_rate),
        polish_gap=round(settings.polish_share * settings.work_rate * time_limit_s),
        remove_share=settings.remove_share,
        max_remove=settings.max_remove,
        noise=settings.noise,
        threshold=settings.threshold,
        restart=settings.restart,
        deadline=0.0,  # set by each worker from the net
    )
    seeds = [seed * workers + w for w in range(workers)]
    outcomes = (
        [_worker(problem, s, budget, net) for s in seeds]
        if settings.processes == 1
        else _run_workers(problem, seeds, budget, net)
    )
    details: dict[str, object] = {
        "seed": seed,
        "workers": workers,
        "work_budget": budget.work,
        "upper_bound": outcomes[0].details.get("upper_bound"),
    }
    found = [(o, w) for w, o in enumerate(outcomes) if o.best is not None]
    details["per_worker"] = [o.details for o in outcomes]
    details["seconds_by_worker"] = [o.seconds for o in outcomes]
    hit_time_limit = any(o.hit_time_limit for o in outcomes)
    if not found:
        return _infeasible(problem, time.perf_counter() - began, details)
    outcome, winner = max(found, key=lambda pair: (pair[0].best.key, -pair[1]))  # type: ignore[union-attr]
    assert outcome.best is not None
    details["winner"] = winner
    seconds = time.perf_counter() - began
    return _answer(problem, outcome.best.routes, hit_time_limit, seconds, details)


def warm_up() -> None:
    """Load the search's compiled kernels now (see :func:`planner.solve._lns.warm_up`).

    ``import planner`` does not import numba (0.4 s); the first plan, or this call, does.
    """
    from planner.solve._lns import warm_up as load_kernels

    load_kernels()


def warm_up_in_background() -> threading.Thread:
    """Start :func:`warm_up` in a daemon thread (for servers: the first request need not wait)."""
    thread = threading.Thread(target=warm_up, name="solver-warm-up", daemon=True)
    thread.start()
    return thread


def descent_cost(problem: OrienteeringProblem, rate: int) -> float:
    """Work units charged per visit of the plan (plus 10) for one OR-Tools greedy descent.

    A descent from a plan of ``v`` visits over ``n`` places that finds ``s`` improving solutions
    is charged ``descent_cost * (v + 10) * (1 + 0.05 s)`` units
    (:func:`planner.solve._search.search`); the number of routes counts only through the
    visits. The charge is 15 us per place and per (visit + 10), turned into work units at
    ``rate`` units a second like the compiled rounds. Measured in bench/README.md.
    """
    return problem.size * 15.0 * rate / 1e6


def _run_workers(
    problem: OrienteeringProblem, seeds: list[int], budget: SearchBudget, net: float
) -> list[SearchOutcome]:
    """One search per seed: the first in this process, the others in worker processes.

    Falls back to running every search here if processes cannot be started; the answers are
    the same either way (each search depends only on its seed), only slower.
    """
    if len(seeds) == 1:
        return [_worker(problem, seeds[0], budget, net)]
    try:
        context = multiprocessing.get_context("fork")
        pool = ProcessPoolExecutor(max_workers=len(seeds) - 1, mp_context=context)
    except (OSError, ValueError):
        return [_worker(problem, s, budget, net) for s in seeds]
    try:
        futures = [pool.submit(_worker, problem, s, budget, net) for s in seeds[1:]]
    except (OSError, RuntimeError):
        futures = []
    here = _worker(problem, seeds[0], budget, net)
    others = []
    hung = False
    for s, future in zip(seeds[1:], futures, strict=False):
        try:
            # a forked worker that never answers (fork from a threaded host such as a web
            # server can inherit a held lock) is abandoned after its own net plus a margin
            others.append(future.result(timeout=net + 5.0))
        except (OSError, RuntimeError, BrokenProcessPool, FuturesTimeout):
            hung = True
            others.append(_worker(problem, s, budget, net))
    others += [_worker(problem, s, budget, net) for s in seeds[1 + len(futures) :]]
    if hung:
        for proc in list(getattr(pool, "_processes", {}).values()):
            proc.kill()
    pool.shutdown(wait=not hung, cancel_futures=True)
    return [here, *others]


def _worker(
    problem: OrienteeringProblem, seed: int, budget: SearchBudget, net: float
) -> SearchOutcome:
    """One seeded search with its wall-clock net counted from its own start."""
    from planner.solve._search import search

    began = time.perf_counter()
    budget = replace(budget, deadline=began + net)
    return search(problem, seed, budget, descent_limit_s=net)


def _score(problem: OrienteeringProblem, routes: Routes) -> int:
    return sum(route_value(problem, k, route) for k, route in enumerate(routes))


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


def route_schedule(
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
        arrival = _arrival(problem, previous, node, now)
        start = next(
            (
                begin[1]
                for lo, hi in problem.windows[node]
                if hi >= arrival
                and (begin := visit_begin(problem, node, max(arrival, lo), hi)) is not None
            ),
            None,
        )
        if start is None:
            violations.append(
                f"route {route_index}: node {node} reached at {arrival}, after its last window "
                f"{problem.windows[node][-1] if problem.windows[node] else '(closed)'}"
            )
            start = arrival
        now = start + problem.service[node]
        entries.append((arrival, start, now))
        previous = node
    arrival = _arrival(problem, previous, route.end, now)
    entries.append((arrival, arrival, arrival))
    if arrival > route.latest_end:
        violations.append(
            f"route {route_index}: back at node {route.end} at {arrival}, after its latest end "
            f"{route.latest_end}"
        )
    return entries, violations


def _arrival(problem: OrienteeringProblem, i: int, j: int, depart: int) -> int:
    """Arrival at ``j`` leaving ``i`` at ``depart``: the untimed way, or the first timetabled
    journey leaving at or after ``depart`` when sooner (a plain scan, sharing nothing with the
    compiled kernels)."""
    arrival = depart + int(problem.travel[i, j])
    if problem.clocked and problem.timed is not None:
        for leaves, arrives in problem.timed.legs.get((i, j), ()):
            if leaves >= depart:
                return min(arrival, arrives)
    return arrival


def visit_begin(
    problem: OrienteeringProblem, node: int, ready: int, last: int
) -> tuple[int, int] | None:
    """When a visitor at ``node``'s gate from ``ready`` joins its queue and when the visit
    starts, the visit starting by ``last``: ``(join, start)``, or None when it cannot.

    The visitor joins at once or at the start of any later slot, whichever starts the visit
    soonest (a plain scan over the slots, sharing nothing with the compiled kernels). Without a
    queue, both are ``ready``.
    """
    timed = problem.timed
    if not problem.clocked or timed is None or node not in timed.queue:
        return (ready, ready) if ready <= last else None
    joins = [ready] + [
        timed.origin + h * timed.step
        for h in range(timed.slot(ready) + 1, len(timed.queue[node]) + 1)
        if timed.origin + h * timed.step <= last
    ]
    fits = [(join + timed.wait(node, join), join) for join in joins]
    fits = [(begin, join) for begin, join in fits if begin <= last]
    if not fits:
        return None
    begin, join = min(fits)
    return join, begin


def route_value(problem: OrienteeringProblem, route_index: int, nodes: Sequence[int]) -> int:
    """The score of one route: each visit's value at the slot its visit starts in (clocked)."""
    if not problem.clocked or problem.timed is None:
        return sum(problem.score[node] for node in nodes)
    entries = route_schedule(problem, route_index, nodes)
    timed = problem.timed
    return sum(
        timed.score_at(node, start, problem.score[node])
        for node, (_, start, _) in zip(nodes, entries[1:], strict=False)
    )


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
