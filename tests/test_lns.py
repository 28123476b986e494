"""Specification of the ruin-and-recreate layer: :mod:`planner.solve._lns` and its compiled kernels.

The referees share nothing with the kernels: :func:`planner.solve.solver.is_feasible` and
:func:`planner.solve.solver.route_schedule` (plain Python), and brute-force enumerations written here.
Node 0 is the start depot of every route (node 1 is sometimes an end depot); times are
abstract integer units. Work budgets are work units (a round costs about 1500-30000), so
every search here is the same computation on every run.

The documented conservative rule: a place already in a route keeps its current window when
an insertion is checked (its latest start is capped by that window's end). So the kernels may
miss an insertion that needs an existing stop to move on to a *later* window of its place, and
only such an insertion; they never make an infeasible one.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import replace

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner.solve import _lns
from planner.solve import _lns_kernels as kernels
from planner.solve._lns import RoundSettings, ScoredRoutes, Workspace, warm_up
from planner.solve._routing import reachable_routes
from planner.solve.problem import OrienteeringProblem, Route
from planner.solve.solver import is_feasible, route_schedule

BIG = int(kernels.BIG)
EVERYTHING = 10**9
"""A score bound no test problem reaches: the rounds never stop for it."""

Routes = tuple[tuple[int, ...], ...]
properties = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
cheap_properties = settings(properties, max_examples=150)
"""For the one-insertion and refill properties (milliseconds each): boundary cases are rare."""


def round_settings(total_work: int, polish_gap: int, restart: int = 200) -> RoundSettings:
    """The settings every search here uses, with its budget and polish gap."""
    return RoundSettings(
        remove_share=0.3,
        max_remove=6,
        noise=0.5,
        threshold=0.1,
        restart=restart,
        total_work=total_work,
        polish_gap=polish_gap,
    )


# --- problems ----------------------------------------------------------------------------------


def make_problem(
    travel: Sequence[Sequence[int]],
    *,
    score: Sequence[int],
    windows: Sequence[tuple[tuple[int, int], ...]],
    service: Sequence[int],
    routes: Sequence[Route],
    required: frozenset[int] = frozenset(),
    allowed_routes: dict[int, frozenset[int]] | None = None,
) -> OrienteeringProblem:
    return OrienteeringProblem(
        travel=np.array(travel, dtype=np.int64),
        service=tuple(service),
        score=tuple(score),
        windows=tuple(windows),
        routes=tuple(routes),
        required=required,
        allowed_routes=allowed_routes or {},
    )


def shortest_paths(travel: list[list[int]]) -> list[list[int]]:
    """Floyd-Warshall: asymmetric travel times that keep the triangle inequality."""
    n = len(travel)
    dist = [row[:] for row in travel]
    for k in range(n):
        for i in range(n):
            for j in range(n):
                dist[i][j] = min(dist[i][j], dist[i][k] + dist[k][j])
    return dist


@st.composite
def problems(
    draw: st.DrawFn,
    *,
    max_routes: int = 3,
    max_windows: int = 2,
    triangle: bool | None = True,
    restrict: bool = False,
) -> OrienteeringProblem:
    """Up to 8 customers, 1-``max_routes`` routes from depot 0 (ending at 0 or 1), asymmetric
    travel (with the triangle inequality if ``triangle``, drawn if ``None``; 0 between places
    on one site), 1 to ``max_windows`` windows per place with gaps between them (or none:
    closed), optionally a place restricted to one route. Small numbers, so that arrivals often
    meet window bounds and latest starts exactly. Every empty route is feasible; no place is
    required (tests add them)."""
    n = draw(st.integers(4, 9))
    travel = [[0 if i == j else draw(st.integers(0, 12)) for j in range(n)] for i in range(n)]
    if draw(st.booleans()) if triangle is None else triangle:
        travel = shortest_paths(travel)
    routes = []
    for _ in range(draw(st.integers(1, max_routes))):
        end, begin = draw(st.sampled_from([0, 1])), draw(st.integers(0, 10))
        routes.append(Route(0, end, begin, begin + travel[0][end] + draw(st.integers(10, 100))))
    depots = {0} | {r.end for r in routes}
    windows: list[tuple[tuple[int, int], ...]] = []
    for node in range(n):
        if node in depots:
            windows.append(((0, 1000),))
            continue
        count = draw(st.sampled_from([*range(1, max_windows + 1), 0]))
        bounds = sorted(
            draw(st.lists(st.integers(0, 90), min_size=2 * count, max_size=2 * count, unique=True))
        )
        windows.append(tuple(zip(bounds[::2], bounds[1::2], strict=True)))
    customers = [i for i in range(n) if i not in depots]
    allowed = {}
    if restrict and len(routes) > 1 and draw(st.booleans()):
        allowed[draw(st.sampled_from(customers))] = frozenset(
            {draw(st.integers(0, len(routes) - 1))}
        )
    return make_problem(
        travel,
        score=[0 if i in depots else draw(st.integers(0, 10)) for i in range(n)],
        windows=windows,
        service=[0 if i in depots else draw(st.integers(0, 6)) for i in range(n)],
        routes=routes,
        allowed_routes=allowed,
    )


def customers(problem: OrienteeringProblem) -> list[int]:
    return [i for i in range(problem.size) if i not in problem.depots]


def route_fits(problem: OrienteeringProblem, k: int, visits: Sequence[int]) -> bool:
    """Whether route ``k`` can make exactly ``visits``, by the independent checker."""
    routes = [tuple(visits) if j == k else () for j in range(len(problem.routes))]
    return is_feasible(replace(problem, required=frozenset()), routes) == []


def draw_route(
    draw: st.DrawFn, problem: OrienteeringProblem, k: int, pool: Sequence[int]
) -> tuple[int, ...]:
    """A random feasible route ``k`` over places of ``pool``: most places, in random order, go
    to a random position if the route still fits."""
    visits: list[int] = []
    for node in draw(st.permutations(list(pool))):
        if draw(st.integers(0, 3)) > 0:
            trial = list(visits)
            trial.insert(draw(st.integers(0, len(visits))), node)
            if route_fits(problem, k, trial):
                visits = trial
    return tuple(visits)


def draw_plan(draw: st.DrawFn, problem: OrienteeringProblem) -> Routes:
    """A random feasible plan: disjoint random feasible routes (allowed routes honoured)."""
    used: set[int] = set()
    plan = []
    for k in range(len(problem.routes)):
        pool = [
            node
            for node in customers(problem)
            if node not in used and k in problem.allowed_routes.get(node, {k})
        ]
        route = draw_route(draw, problem, k, pool)
        used.update(route)
        plan.append(route)
    return tuple(plan)


def window_index(problem: OrienteeringProblem, node: int, start: int) -> int:
    return next(w for w, (lo, hi) in enumerate(problem.windows[node]) if lo <= start <= hi)


def brute_force_insertions(
    problem: OrienteeringProblem, k: int, visits: tuple[int, ...], node: int
) -> dict[int, tuple[int, bool]]:
    """Every feasible visit index for ``node`` in route ``k``: the delay it causes to the
    arrival at the following stop, and whether some stop already there must move on to a
    later window of its place (the documented conservative rule's exception)."""
    before = route_schedule(problem, k, visits)
    found = {}
    for p in range(len(visits) + 1):
        trial = (*visits[:p], node, *visits[p:])
        if not route_fits(problem, k, trial):
            continue
        after = route_schedule(problem, k, trial)
        delay = after[p + 2][0] - before[p + 1][0]
        starts_after = [start for _, start, _ in after[1:-1]]
        del starts_after[p]
        jumps = any(
            window_index(problem, stop, late) > window_index(problem, stop, early)
            for stop, late, (_, early, _) in zip(visits, starts_after, before[1:-1], strict=True)
        )
        found[p] = (delay, jumps)
    return found


def kernel_insertion(
    problem: OrienteeringProblem, k: int, visits: tuple[int, ...], node: int
) -> tuple[int, int]:
    """The kernels' one evaluation of ``node`` into route ``k`` through ``visits``."""
    space = Workspace(problem, reachable_routes(problem), seed=0)
    routes = [visits if j == k else () for j in range(len(problem.routes))]
    assert space._load(space._scratch, routes)[k]
    delay, position = kernels.best_insertion(space.arrays, space._scratch, k, node, space._ctr)
    return int(delay), int(position)


def run_rounds(
    space: Workspace,
    settings_: RoundSettings,
    *,
    work: int,
    step: int | None = None,
    bound: int = EVERYTHING,
    polish: Callable[[ScoredRoutes], ScoredRoutes] = lambda plan: plan,
) -> list[ScoredRoutes]:
    """Rounds until ``work``, in calls of ``step`` work each (one call if ``None``), as the
    solver drives them: a new best plan handed over (``POLISH_DUE``) is polished and taken
    back; any other early stop ends the search. Returns the best plan after every call."""
    bests = []
    while space.work < work:
        stop = work if step is None else min(work, space.work + step)
        why = space.rounds(settings_, bound=bound, work_stop=stop)
        bests.append(space.best())
        if why == kernels.POLISH_DUE:
            space.polished(polish(space.best()))
        elif why != kernels.BUDGET_SPENT:
            break
    return bests


def started(problem: OrienteeringProblem, seed: int, plan: Routes | None = None) -> Workspace:
    """A workspace whose search starts from ``plan`` (else the greedy plan), as the solver's."""
    space = Workspace(problem, reachable_routes(problem), seed)
    empty = tuple(() for _ in problem.routes)
    space.polished(space.repair(empty if plan is None else plan))
    return space


def random_problem(seed: int, customers: int, routes: int, horizon: int) -> OrienteeringProblem:
    """Random points (Euclidean, rounded), two windows with a lunch-like gap per place."""
    rng = random.Random(seed)
    points = [(50, 50)] + [(rng.randint(0, 100), rng.randint(0, 100)) for _ in range(customers)]
    travel = [
        [round(((ax - bx) ** 2 + (ay - by) ** 2) ** 0.5) for bx, by in points] for ax, ay in points
    ]
    windows: list[tuple[tuple[int, int], ...]] = [((0, 2 * horizon),)]
    for _ in range(customers):
        opens = rng.randint(0, horizon // 2)
        windows.append(((opens, opens + horizon // 4), (opens + horizon // 3, horizon)))
    return make_problem(
        travel,
        score=(0, *(rng.randint(1, 9) for _ in range(customers))),
        windows=windows,
        service=(0, *(rng.randint(0, 10) for _ in range(customers))),
        routes=[Route(0, 0, 0, horizon)] * routes,
    )


# --- schedules and one insertion ---------------------------------------------------------------


@cheap_properties
@given(st.data())
def test_feasible_agrees_with_the_independent_checker(data: st.DataObject) -> None:
    """The kernels' schedule of a route (any visiting order, feasible or not) keeps the rules
    exactly when the independent checker says so."""
    problem = data.draw(problems(triangle=None))
    k = data.draw(st.integers(0, len(problem.routes) - 1))
    visits = data.draw(st.lists(st.sampled_from(customers(problem)), unique=True))
    space = Workspace(problem, reachable_routes(problem), seed=0)
    assert space.feasible(k, visits) == route_fits(problem, k, visits)


@cheap_properties
@given(st.data())
def test_cheapest_insertion_is_the_brute_force_optimum_when_stops_have_one_window(
    data: st.DataObject,
) -> None:
    """With one window per stop already in the route, no insertion is out of the kernel's
    sight: it finds the least delay to the next stop's arrival over every feasible position,
    and says ``BIG`` exactly when no position is feasible. The place inserted may have two
    windows; travel need not keep the triangle inequality for one evaluation to be exact."""
    problem = data.draw(problems(triangle=None))
    k = data.draw(st.integers(0, len(problem.routes) - 1))
    node = data.draw(st.sampled_from(customers(problem)))
    single = [i for i in customers(problem) if i != node and len(problem.windows[i]) == 1]
    visits = draw_route(data.draw, problem, k, single)
    delay, position = kernel_insertion(problem, k, visits, node)
    options = {
        p: found for p, (found, _) in brute_force_insertions(problem, k, visits, node).items()
    }
    if delay == BIG:
        assert options == {}
    else:
        assert options, f"the kernel inserts at {position}, where nothing fits"
        assert delay == min(options.values())
        assert options.get(position) == delay


@cheap_properties
@given(st.data())
def test_cheapest_insertion_misses_only_positions_that_push_a_stop_into_a_later_window(
    data: st.DataObject,
) -> None:
    """With several windows per stop, the kernel is exact over the positions that keep every
    stop in its current window (or an earlier one), and what it picks is feasible."""
    problem = data.draw(problems(triangle=None))
    k = data.draw(st.integers(0, len(problem.routes) - 1))
    node = data.draw(st.sampled_from(customers(problem)))
    others = [i for i in customers(problem) if i != node]
    visits = draw_route(data.draw, problem, k, others)
    delay, position = kernel_insertion(problem, k, visits, node)
    found = brute_force_insertions(problem, k, visits, node)
    options = {p: found for p, (found, jumps) in found.items() if not jumps}
    if delay == BIG:
        assert options == {}
    else:
        assert options, f"the kernel inserts at {position}, where nothing fits"
        assert delay == min(options.values())
        assert options.get(position) == delay


def test_an_insertion_absorbed_by_waiting_fits_a_route_that_ends_just_in_time() -> None:
    """Stop 1 waits from 5 to its window at 30 and the route is back exactly at its latest end:
    place 2 (a visit of 10) still fits before stop 1, its delay absorbed by the waiting."""
    problem = make_problem(
        [[0, 5, 5], [5, 0, 5], [5, 5, 0]],
        score=(0, 1, 1),
        windows=[((0, 100),), ((30, 40),), ((0, 100),)],
        service=(0, 0, 10),
        routes=[Route(0, 0, 0, 35)],
    )
    assert kernel_insertion(problem, 0, (1,), 2) == (15, 0)  # stop 1 reached at 20, not 5
    assert route_fits(problem, 0, (2, 1))


def test_a_detour_quicker_than_the_direct_way_fits_a_route_without_slack() -> None:
    """Without the triangle inequality, going 0 -> 2 -> 1 (2 + 1 + 2) beats going 0 -> 1
    directly (20): place 2 fits a route with no time to spare, and stop 1 is reached earlier."""
    problem = make_problem(
        [[0, 20, 2], [5, 0, 5], [5, 2, 0]],
        score=(0, 1, 1),
        windows=[((0, 100),)] * 3,
        service=(0, 0, 1),
        routes=[Route(0, 0, 0, 25)],
    )
    assert kernel_insertion(problem, 0, (1,), 2) == (-15, 0)
    assert route_fits(problem, 0, (2, 1))


# --- greedy refill -----------------------------------------------------------------------------


@cheap_properties
@given(st.data())
def test_repair_keeps_every_visit_in_its_route_and_order(data: st.DataObject) -> None:
    """A refill only adds places: each original visit stays in its route, in the same order."""
    problem = data.draw(problems(triangle=None, restrict=True))
    plan = draw_plan(data.draw, problem)
    repaired = Workspace(problem, reachable_routes(problem), seed=0).repair(plan).routes
    for original, refilled in zip(plan, repaired, strict=True):
        rest = iter(refilled)
        assert all(node in rest for node in original)  # a subsequence


@cheap_properties
@given(st.data())
def test_repair_gives_a_feasible_plan(data: st.DataObject) -> None:
    """Whatever the windows and travel times, a refilled plan keeps every rule."""
    problem = data.draw(problems(triangle=None, restrict=True))
    plan = draw_plan(data.draw, problem)
    repaired = Workspace(problem, reachable_routes(problem), seed=0).repair(plan)
    assert is_feasible(problem, repaired.routes) == []
    assert repaired.score == sum(problem.score[i] for route in repaired.routes for i in route)


def unfitted(problem: OrienteeringProblem, routes: Routes, *, allow_jumps: bool) -> list[str]:
    """Candidate places (score > 0) left out of ``routes`` that some route could still take, by
    brute force (with ``allow_jumps=False``, only insertions keeping stops in their windows)."""
    visited = {node for route in routes for node in route}
    missed = []
    for node in customers(problem):
        if node in visited or problem.score[node] == 0:
            continue
        for k, route in enumerate(routes):
            if k not in problem.allowed_routes.get(node, {k}):
                continue
            found = brute_force_insertions(problem, k, route, node)
            if any(allow_jumps or not jumps for _, jumps in found.values()):
                missed.append(f"node {node} fits route {k} {route}: {found}")
    return missed


@cheap_properties
@given(st.data())
def test_repair_stops_only_when_no_place_fits_anywhere(data: st.DataObject) -> None:
    """Greedy insertion goes on until nothing fits: with one window per place and travel
    keeping the triangle inequality, no left-out place fits any route at any position."""
    problem = data.draw(problems(max_windows=1, restrict=True))
    plan = draw_plan(data.draw, problem)
    repaired = Workspace(problem, reachable_routes(problem), seed=0).repair(plan).routes
    assert unfitted(problem, repaired, allow_jumps=True) == []


@cheap_properties
@given(st.data())
def test_repair_with_several_windows_leaves_only_insertions_that_push_a_stop_later(
    data: st.DataObject,
) -> None:
    """With several windows per place, what a refill leaves out could only go in by moving a
    stop on to a later window of its place (the conservative rule), never otherwise."""
    problem = data.draw(problems(restrict=True))
    plan = draw_plan(data.draw, problem)
    repaired = Workspace(problem, reachable_routes(problem), seed=0).repair(plan).routes
    assert unfitted(problem, repaired, allow_jumps=False) == []


# --- ruin --------------------------------------------------------------------------------------


def draw_ruin(data: st.DataObject) -> tuple[OrienteeringProblem, Routes, Routes, set[int], int]:
    """A random problem (travel with or without the triangle inequality), a random feasible
    plan with some of its visits required, and one ruin of it with a random stream: returns the
    problem, the plan before and after, the places marked removed, and the count reported."""
    problem = data.draw(problems(triangle=None, restrict=True))
    before = draw_plan(data.draw, problem)
    visited = sorted({node for route in before for node in route})
    required = data.draw(st.sets(st.sampled_from(visited), max_size=2)) if visited else set()
    problem = replace(problem, required=frozenset(required))
    space = Workspace(problem, reachable_routes(problem), seed=0)
    state = space._scratch
    assert space._load(state, before).all()
    rng = np.array([data.draw(st.integers(0, 2**64 - 1))], dtype=np.uint64)
    removed = np.zeros(problem.size, dtype=np.bool_)
    share, most = data.draw(st.floats(0.0, 1.0)), data.draw(st.integers(1, 8))
    gone = kernels.ruin(space.arrays, state, rng, share, most, removed, space._ctr)
    return problem, before, space._read(state), set(np.flatnonzero(removed).tolist()), int(gone)


@cheap_properties
@given(st.data())
def test_ruin_takes_out_only_optional_visits_and_reports_each(data: st.DataObject) -> None:
    """A ruin only removes: what stays keeps its route and order, required places all stay,
    and the places marked removed are exactly those gone, as many as it reports (-1 when no
    visit may be removed: only required places; a visit worth nothing may go like any other)."""
    problem, before, after, removed, gone = draw_ruin(data)
    for original, kept in zip(before, after, strict=True):
        rest = iter(original)
        assert all(node in rest for node in kept)  # a subsequence
    visits = {node for route in before for node in route}
    lost = visits - {node for route in after for node in route}
    assert removed == lost
    assert not lost & problem.required
    optional = visits - problem.required
    assert gone == (len(lost) if optional else -1)


@cheap_properties
@given(st.data())
def test_ruin_leaves_every_route_feasible_even_without_the_triangle_inequality(
    data: st.DataObject,
) -> None:
    """Without the triangle inequality, taking a visit out can make a route later (a detour
    through a place may be quicker than the direct way); such a removal is undone."""
    problem, _, after, _, _ = draw_ruin(data)
    assert is_feasible(problem, after) == []


def test_ruin_undoes_a_removal_that_would_make_a_route_late() -> None:
    """Route 0 -> 1 -> 2 -> 0 is back at 6, but 0 -> 2 directly takes 20: a ruin that takes out
    place 1 alone puts it back (and reports nothing gone); taking out place 2 is fine."""
    problem = make_problem(
        [[0, 2, 20], [2, 0, 2], [2, 2, 0]],
        score=(0, 1, 1),
        windows=[((0, 100),)] * 3,
        service=(0, 0, 0),
        routes=[Route(0, 0, 0, 6)],
    )
    space = Workspace(problem, reachable_routes(problem), seed=0)
    outcomes = set()
    for seed in range(40):
        state = space._scratch
        space._load(state, [(1, 2)])
        removed = np.zeros(problem.size, dtype=np.bool_)
        rng = np.array([seed], dtype=np.uint64)
        gone = kernels.ruin(space.arrays, state, rng, 1.0, 1, removed, space._ctr)
        outcomes.add((int(gone), space._read(state), tuple(np.flatnonzero(removed).tolist())))
    assert outcomes == {(0, ((1, 2),), ()), (1, ((1,),), (2,))}


# --- rounds ------------------------------------------------------------------------------------


def test_rounds_never_drop_a_required_place() -> None:
    """A required place of score 0 with a long visit is what the search would drop first to
    make room for scoring places; ruins never take it out, so every best plan keeps it. (A
    polish gap of 0 hands over every new best plan, so each one is looked at.)"""
    base = random_problem(7, customers=14, routes=2, horizon=150)
    place = 11  # the nearest to the depot
    problem = replace(
        base,
        score=tuple(0 if i == place else s for i, s in enumerate(base.score)),
        service=tuple(40 if i == place else s for i, s in enumerate(base.service)),
        windows=tuple(((0, 150),) if i == place else w for i, w in enumerate(base.windows)),
        required=frozenset({place}),
    )
    space = started(problem, seed=1)
    bests = [space.best(), *run_rounds(space, round_settings(2_000_000, 0), work=2_000_000)]
    assert bests[-1].key > bests[0].key  # the rounds did find better plans
    for plan in bests:
        assert place in {node for route in plan.routes for node in route}


@settings(properties, max_examples=10)
@given(
    st.integers(0, 10**6),
    st.integers(8, 24),
    st.integers(1, 3),
    st.sampled_from([20_000_000, 100_000]),
    st.integers(10_000, 1_000_000),
)
def test_slicing_the_rounds_into_calls_does_not_change_the_search(
    instance: int, places: int, routes: int, polish_gap: int, step: int
) -> None:
    """The solver runs the rounds in slices to look at its wall-clock net between them; one
    seed and settings give the same search in one call or in many: the same plans handed over
    for polishing (taken back unchanged in both), best plan, statistics and work."""
    problem = random_problem(instance, customers=places, routes=routes, horizon=200)
    work = 1_000_000
    handed: dict[str, list[ScoredRoutes]] = {"whole": [], "sliced": []}

    def run(name: str, step: int | None) -> Workspace:
        def polish(plan: ScoredRoutes) -> ScoredRoutes:
            handed[name].append(plan)
            return plan

        space = started(problem, seed=instance)
        run_rounds(space, round_settings(work, polish_gap), work=work, step=step, polish=polish)
        return space

    whole, sliced = run("whole", None), run("sliced", step)
    assert handed["sliced"] == handed["whole"]
    assert sliced.best() == whole.best()
    assert sliced.statistics() == whole.statistics()
    assert sliced.work == whole.work


@properties
@given(problems(triangle=None, restrict=True), st.integers(0, 2**64 - 1))
def test_same_seed_gives_the_same_rounds(problem: OrienteeringProblem, seed: int) -> None:
    """Two workspaces with one seed run the same rounds: same best plan, statistics, work."""
    settings_ = round_settings(300_000, polish_gap=50_000)
    first, second = started(problem, seed), started(problem, seed)
    assert run_rounds(first, settings_, work=300_000) == run_rounds(second, settings_, work=300_000)
    assert first.statistics() == second.statistics()
    assert first.work == second.work


@properties
@given(st.data())
def test_every_best_plan_of_the_rounds_passes_the_independent_check(data: st.DataObject) -> None:
    """On random problems (1-3 routes, several windows, travel with or without the triangle
    inequality, required places, a place restricted to one route), every best plan the rounds
    report keeps every rule, required places included."""
    problem = data.draw(problems(triangle=None, restrict=True))
    plan = Workspace(problem, reachable_routes(problem), seed=0).repair(
        tuple(() for _ in problem.routes)
    )
    visited = sorted({node for route in plan.routes for node in route})
    required = data.draw(st.sets(st.sampled_from(visited), max_size=2)) if visited else set()
    problem = replace(problem, required=frozenset(required))  # places a plan is known to fit
    space = started(problem, data.draw(st.integers(0, 2**32)), plan=plan.routes)
    bests = run_rounds(space, round_settings(300_000, polish_gap=0), work=300_000)
    for best in bests:
        assert is_feasible(problem, best.routes) == []


@settings(properties, max_examples=25)
@given(problems(restrict=True), st.integers(0, 2**32))
def test_the_rounds_keep_only_plans_no_place_can_be_added_to(
    problem: OrienteeringProblem, seed: int
) -> None:
    """Each round ends with a full refill, and what a round remembers of the plan it started
    from (what fits where in the routes its ruin left alone) is current, across calls and
    after a return to the best plan (frequent here): with travel keeping the triangle
    inequality, no left-out place fits the best or the current plan without pushing a stop on
    to a later window. (Calls of a few rounds each, to look at many current plans.)"""
    space = started(problem, seed)
    settings_ = round_settings(100_000, polish_gap=10**9, restart=3)
    while space.work < 100_000:
        why = space.rounds(settings_, bound=EVERYTHING, work_stop=space.work + 5_000)
        for plan in (space.best().routes, space._read(space._current)):
            assert unfitted(problem, plan, allow_jumps=False) == []
        if why != kernels.BUDGET_SPENT:
            break


STUCK_PROBLEM = make_problem(
    [[0, 1, 1, 1, 1], [1, 0, 1, 1, 1], [1, 1, 0, 1, 1], [1, 1, 1, 0, 1], [1, 1, 1, 1, 0]],
    score=(0, 0, 5, 4, 4),
    windows=[((0, 100),)] * 5,
    service=(0, 1, 4, 3, 3),
    routes=[Route(0, 0, 0, 11)],
    required=frozenset({1}),
)
"""Required place 1 and room for either place 2 (score 5, taken first by the greedy refill)
or places 3 and 4 (score 8): the search must take 2 out to improve."""


def test_rounds_report_stuck_when_the_plan_cannot_change() -> None:
    """With only required visits and nothing else fitting, no round can change the plan: the
    rounds say so at once instead of spending the budget."""
    problem = replace(STUCK_PROBLEM, routes=(Route(0, 0, 0, 3),))  # time for place 1 only
    space = started(problem, seed=0)
    assert space.best().routes == ((1,),)
    why = space.rounds(round_settings(2_000_000, 10**9), bound=EVERYTHING, work_stop=2_000_000)
    assert why == kernels.STUCK
    assert space.statistics()["rounds"] == 1


def test_rounds_report_stuck_only_when_no_visit_can_be_removed() -> None:
    """STUCK means nothing to remove and nothing fits. Here place 2 can always be removed and
    the best plan (places 1, 3, 4) is easy to find: the seeds tried all reach it."""
    for seed in range(10):
        space = started(STUCK_PROBLEM, seed)
        assert space.best().score == 5  # the greedy plan: places 1 and 2
        why = space.rounds(round_settings(2_000_000, 10**9), bound=8, work_stop=2_000_000)
        assert (seed, why) == (seed, kernels.BOUND_REACHED)
        assert space.best().score == 8


# --- warm-up -----------------------------------------------------------------------------------


def test_warm_up_is_idempotent_and_workspaces_work_after_it() -> None:
    """Warming up twice is harmless (the second call does nothing) and leaves the kernels
    usable: a refill of an empty plan then takes the one place within reach."""
    warm_up()
    warm_up()
    assert _lns._warm
    problem = make_problem(
        [[0, 2, 9], [2, 0, 9], [9, 9, 0]],
        score=(0, 1, 5),
        windows=[((0, 100),)] * 3,
        service=(0, 1, 1),
        routes=[Route(0, 0, 0, 10)],
    )
    space = Workspace(problem, reachable_routes(problem), seed=0)
    assert space.repair(((),)).routes == ((1,),)
