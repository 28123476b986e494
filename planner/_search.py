"""One seeded search: ruin-and-recreate rounds around OR-Tools' local search.

:func:`search` is what each worker of :func:`planner.solver.solve` runs. Its budget is counted in
work units (positions evaluated by :class:`planner._lns.Workspace`, plus an estimate of each
OR-Tools descent from the model's size), never in wall-clock time, so one seed gives one answer.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field

from planner._lns import Plan, Workspace
from planner._routing import Routes, RoutingAdapter, SearchResult
from planner.problem import OrienteeringProblem


@dataclass(frozen=True)
class SearchBudget:
    """What one search may spend, and how (see :class:`planner.solver.SearchSettings`)."""

    work: int
    """Work units for the whole search."""
    descent_cost: float
    """Work units charged per visit of the plan for one OR-Tools greedy descent (plus 10 %
    per improvement it finds)."""
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

    best: Plan | None
    hit_time_limit: bool = False
    details: dict[str, object] = field(default_factory=dict)


def search(
    problem: OrienteeringProblem, seed: int, budget: SearchBudget, descent_limit_s: float
) -> SearchOutcome:
    """Greedy insertion plan, OR-Tools descent, then ruin-and-recreate rounds until the budget.

    Each round ruins the current plan (random, related, worst-ratio visits, a run of consecutive
    visits or a whole route) and refills it by noisy greedy insertion; a round that beats the
    best plan is handed to OR-Tools' greedy descent (re-ordering, exchanges between routes,
    swapping places in and out) and refilled again while that gains score.
    """
    adapter = RoutingAdapter(problem)
    space = Workspace(problem, adapter.reachable)
    rng = random.Random(seed)
    descent = adapter.parameters(
        first_solution="ALL_UNPERFORMED",
        metaheuristic="GREEDY_DESCENT",
        solution_limit=2**62,
        time_limit_s=descent_limit_s,
    )
    bound = sum(problem.score[node] for node in adapter.reachable)
    outcome = SearchOutcome(best=None, details={"upper_bound": bound})
    descents = 0

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
        result = adapter.search(descent, time_limit_s=descent_limit_s, initial=routes)
        found = 0 if result is None else result.solutions
        space.work += round(budget.descent_cost * (visits + 10) * (1 + 0.1 * found))
        return result

    def polish(plan: Plan) -> Plan:
        """OR-Tools descent then greedy refill, repeated while the score grows (at most 3x)."""
        for _ in range(3):
            result = descend(plan.routes)
            if result is None:
                return plan
            outcome.hit_time_limit |= result.hit_time_limit
            polished = space.plan(result.routes)
            if polished.key > plan.key:
                plan = polished
            refilled = space.plan(space.repair([list(r) for r in plan.routes], rng, noise=0.0))
            if refilled.score <= plan.score:
                return max(plan, refilled, key=lambda p: p.key)
            plan = refilled
        return plan

    empty = tuple(() for _ in problem.routes)
    first = space.plan(space.repair([[] for _ in problem.routes], rng, noise=0.0))
    feasible_empty = all(space.times(k, ()) is not None for k in range(len(problem.routes)))
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
    refilled = space.plan(space.repair([list(r) for r in best.routes], rng, noise=0.0))
    best = max(best, refilled, key=lambda p: p.key)
    current = best
    rounds = improvements = stale = 0
    polished_at, polished = space.work, True
    while space.work < budget.work and best.score < bound:
        if time.perf_counter() >= budget.deadline:
            outcome.hit_time_limit = True
            break
        rounds += 1
        ruined, removed = space.ruin(
            current.routes, rng, share=budget.remove_share, max_remove=budget.max_remove
        )
        space.work += 30  # the fixed Python and numpy overhead of a round, about 0.3 ms
        candidate = space.plan(space.repair(ruined, rng, noise=budget.noise, deferred=removed))
        if not removed and candidate.routes == current.routes:
            break  # nothing to remove and nothing fits: no round can change the plan
        if candidate.key > best.key:
            polished = space.work - polished_at >= budget.polish_gap
            if polished:
                candidate, polished_at = polish(candidate), space.work
            best, stale, improvements = candidate, 0, improvements + 1
        else:
            stale += 1
        share = budget.threshold * max(0.0, 1.0 - space.work / budget.work)
        if candidate.key >= current.key or candidate.score >= best.score * (1.0 - share):
            current = candidate
        if stale >= budget.restart:
            current, stale = best, 0
    if not polished and best.score < bound:
        best = max(best, polish(best), key=lambda p: p.key)
    outcome.best = best
    outcome.details.update(
        rounds=rounds, descents=descents, improvements=improvements, work=space.work
    )
    return outcome
