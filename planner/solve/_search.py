"""One seeded search: ruin-and-recreate rounds around OR-Tools' local search.

:func:`search` is what each worker of :func:`planner.solve.solver.solve` runs. Its budget is counted in
work units (counted by the compiled rounds of :class:`planner.solve._lns.Workspace`, plus an estimate
of each OR-Tools descent from the model's size), never in wall-clock time, so one seed gives one
answer.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from planner.solve._lns import RoundSettings, ScoredRoutes, Workspace
from planner.solve._lns_kernels import BUDGET_SPENT, POLISH_DUE
from planner.solve._routing import Routes, RoutingAdapter, SearchResult, reachable_routes
from planner.solve.problem import OrienteeringProblem


@dataclass(frozen=True)
class SearchBudget:
    """What one search may spend, and how (see :class:`planner.solve.solver.SearchSettings`)."""

    work: int
    """Work units for the whole search."""
    descent_cost: float
    """Work units charged per (visit of the plan + 10) for one OR-Tools greedy descent, plus
    5 % per improving solution it finds (:func:`planner.solve.solver.descent_cost`)."""
    polish_gap: int
    """Work units between two OR-Tools polishes of new best plans; the last best is polished
    at the end."""
    remove_share: float
    """Largest share of the visits one ruin removes (at least 4)."""
    max_remove: int
    """Most visits one ruin removes."""
    noise: float
    """Relative noise on the insertion priorities."""
    threshold: float
    """Record-to-record acceptance: a plan within this share of the best score is accepted at
    the start; the share shrinks linearly to zero over the budget."""
    restart: int
    """Go back to the best plan after this many rounds without a new best."""
    deadline: float
    """Wall-clock net (``time.perf_counter`` value)."""


@dataclass
class SearchOutcome:
    """The best plan of one search and its statistics."""

    best: ScoredRoutes | None
    hit_time_limit: bool = False
    details: dict[str, object] = field(default_factory=dict)
    """What the search did: the same for the same problem, seed and budget."""
    seconds: dict[str, float] = field(default_factory=dict)
    """Where the wall clock went (OR-Tools descents, rounds): a measurement, not an answer."""


def search(
    problem: OrienteeringProblem, seed: int, budget: SearchBudget, descent_limit_s: float
) -> SearchOutcome:
    """Greedy insertion plan, OR-Tools descent, then ruin-and-recreate rounds until the budget.

    Each round ruins the current plan (random, related, worst-ratio visits, a run of consecutive
    visits) and refills it by noisy greedy insertion; a round that beats the best plan is handed
    to OR-Tools' greedy descent (re-ordering, exchanges between routes, swapping places in and
    out) and refilled again while that gains score.
    """
    if problem.clocked:
        return _clocked_search(problem, seed, budget)
    adapter = RoutingAdapter(problem)
    space = Workspace(problem, adapter.reachable, seed, shortest=adapter.shortest)
    descent = adapter.parameters(
        first_solution="ALL_UNPERFORMED",
        metaheuristic="GREEDY_DESCENT",
        solution_limit=2**62,
        time_limit_s=descent_limit_s,
    )
    bound = sum(problem.score[node] for node in adapter.reachable)
    outcome = SearchOutcome(best=None, details={"upper_bound": bound})
    descents = 0
    seconds = {"descents": 0.0, "rounds": 0.0}

    def descend(routes: Routes, *, force: bool = False) -> SearchResult | None:
        """OR-Tools greedy descent from ``routes``, its estimated cost charged to the budget.

        Skipped (``None``) unless ``force``d when its estimated cost exceeds what is left.
        """
        nonlocal descents
        visits = sum(len(route) for route in routes)
        estimate = 3 * budget.descent_cost * (visits + 10)  # a descent from a poor plan: more
        if not force and space.work + estimate > budget.work:
            return None
        descents += 1
        began = time.perf_counter()
        result = adapter.search(descent, time_limit_s=descent_limit_s, initial=routes)
        seconds["descents"] += time.perf_counter() - began
        found = 0 if result is None else result.solutions
        space.work += round(budget.descent_cost * (visits + 10) * (1 + 0.05 * found))
        return result

    def polish(plan: ScoredRoutes) -> ScoredRoutes:
        """OR-Tools descent then greedy refill, repeated while the score grows (at most 3x)."""
        for _ in range(3):
            result = descend(plan.routes)
            if result is None:
                return plan
            outcome.hit_time_limit |= result.hit_time_limit
            polished = space.plan(result.routes)
            if polished.key > plan.key:
                plan = polished
            refilled = space.repair(plan.routes)
            if refilled.score <= plan.score:
                return max(plan, refilled, key=lambda p: p.key)
            plan = refilled
        return plan

    empty = tuple(() for _ in problem.routes)
    first = space.repair(empty)
    feasible_empty = all(space.feasible(k, ()) for k in range(len(problem.routes)))
    missing = problem.required - {node for route in first.routes for node in route}
    start = descend(first.routes, force=bool(missing) or not feasible_empty)
    if start is None and feasible_empty and not missing:
        start = SearchResult(routes=first.routes, objective=0, solutions=0, hit_time_limit=False)
    if start is None:
        start = descend(empty, force=True)
    if start is None:
        pci = adapter.parameters(
            first_solution="PARALLEL_CHEAPEST_INSERTION",
            metaheuristic="GREEDY_DESCENT",
            solution_limit=2**62,
            time_limit_s=descent_limit_s,
        )
        start = adapter.search(pci, time_limit_s=descent_limit_s)
    if start is None:
        outcome.details.update(rounds=0, descents=0)
        return outcome
    best = max(space.plan(start.routes), first, key=lambda p: p.key)
    best = max(best, space.repair(best.routes), key=lambda p: p.key)
    space.polished(best)
    settings = round_settings(budget, polish_gap=budget.polish_gap)
    # The rounds run in slices of the budget so that the wall-clock net is looked at between
    # them; the slicing does not change what the rounds do.
    step = max(1, budget.work // 64)
    while space.work < budget.work and best.score < bound:
        if time.perf_counter() >= budget.deadline:
            outcome.hit_time_limit = True
            break
        began = time.perf_counter()
        why = space.rounds(settings, bound=bound, work_stop=min(budget.work, space.work + step))
        seconds["rounds"] += time.perf_counter() - began
        best = space.best()
        if why == POLISH_DUE:
            best = polish(best)
            space.polished(best)
        elif why != BUDGET_SPENT:
            break
    if space.unpolished and best.score < bound:
        best = max(best, polish(best), key=lambda p: p.key)
    outcome.best = best
    outcome.details.update(descents=descents, work=space.work, **space.statistics())
    outcome.seconds = {key: round(value, 3) for key, value in seconds.items()}
    return outcome


def _clocked_search(problem: OrienteeringProblem, seed: int, budget: SearchBudget) -> SearchOutcome:
    """:func:`search` for a problem with clock-dependent times: the compiled rounds alone.

    OR-Tools' time dimension adds a fixed transit per arc, which cannot say "the queue is
    shorter after 15:00" or "the next bus leaves at 16:00", so its descents would plan with
    wrong times. The rounds time every move exactly (:mod:`planner.solve._lns_kernels`). Which
    routes may visit a place comes from the problem with every clock-dependent time at its best
    (a safe superset).
    """
    bound_problem = problem.untimed_bound()
    reachable = reachable_routes(bound_problem)
    space = Workspace(problem, reachable, seed)
    bound = sum(max(problem.score[node], 0) for node in reachable)
    outcome = SearchOutcome(best=None, details={"upper_bound": bound})
    empty = tuple(() for _ in problem.routes)
    if not all(space.feasible(k, ()) for k in range(len(problem.routes))):
        outcome.details.update(rounds=0, descents=0)
        return outcome
    best = space.repair(empty)
    space.polished(best)
    settings = round_settings(budget, polish_gap=budget.work + 1)  # nothing to polish with
    step = max(1, budget.work // 64)
    while space.work < budget.work and best.score < bound:
        if time.perf_counter() >= budget.deadline:
            outcome.hit_time_limit = True
            break
        why = space.rounds(settings, bound=bound, work_stop=min(budget.work, space.work + step))
        best = max(best, space.best(), key=lambda p: p.key)
        if why == POLISH_DUE:
            space.polished(best)
        elif why != BUDGET_SPENT:
            break
    outcome.best = best
    outcome.details.update(descents=0, work=space.work, clocked=True, **space.statistics())
    return outcome


def round_settings(budget: SearchBudget, *, polish_gap: int) -> RoundSettings:
    """How the compiled rounds ruin, refill and accept, from the search's budget."""
    return RoundSettings(
        remove_share=budget.remove_share,
        max_remove=budget.max_remove,
        noise=budget.noise,
        threshold=budget.threshold,
        restart=budget.restart,
        total_work=budget.work,
        polish_gap=polish_gap,
    )
