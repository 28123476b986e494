"""Specification of clock-dependent times in the solver: queues by the hour, values by the hour,
timetabled legs (:class:`planner.solve.problem.TimeDependence`).

The compiled kernels time every move with them; :func:`planner.solve.solver.is_feasible` re-times
every plan with plain scans that share nothing with the kernels. These tests hold the two
against brute force on small cases, and hold the whole search against exhaustive enumeration.
"""

from __future__ import annotations

import itertools
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planner.solve import _lns_kernels as kernels
from planner.solve._lns import Workspace
from planner.solve._routing import reachable_routes
from planner.solve.problem import OrienteeringProblem, Route, TimeDependence
from planner.solve.solver import SearchSettings, is_feasible, route_schedule, route_value, solve

BIG = int(kernels.BIG)
ONE_WORKER = SearchSettings(workers=1, processes=1)


def space_for(problem: OrienteeringProblem) -> Workspace:
    return Workspace(problem, reachable_routes(problem.untimed_bound()), seed=0)


def brute_begin(queue: tuple[int, ...], step: int, ready: int, last: int) -> int:
    """The earliest visit start by trying every join time from ``ready`` on, one unit apart."""
    best = BIG
    for join in range(ready, last + 1):
        h = join // step
        begin = join + (queue[h] if 0 <= h < len(queue) else 0)
        if begin <= last:
            best = min(best, begin)
    return best


queues = st.lists(st.integers(0, 25), min_size=1, max_size=5).map(tuple)


@settings(max_examples=150, deadline=None)
@given(queue=queues, ready=st.integers(0, 60), span=st.integers(0, 40))
def test_a_visit_starts_as_early_as_any_join_time_allows(
    queue: tuple[int, ...], ready: int, span: int
) -> None:
    step, last = 10, ready + span
    problem = single_node(queue, step)
    a = space_for(problem).arrays
    expected = brute_begin(queue, step, ready, last)
    assert kernels.visit_start(a, 1, ready, last) == expected


@settings(max_examples=150, deadline=None)
@given(queue=queues, begin_by=st.integers(0, 70), slack=st.integers(0, 30))
def test_the_latest_arrival_is_the_inverse_of_the_earliest_start(
    queue: tuple[int, ...], begin_by: int, slack: int
) -> None:
    step, last = 10, begin_by + slack
    problem = single_node(queue, step)
    a = space_for(problem).arrays
    latest = kernels.latest_ready(a, 1, begin_by, last)
    feasible = [t for t in range(-5, last + 1) if brute_begin(queue, step, t, last) <= begin_by]
    assert latest == max(feasible)


def single_node(queue: tuple[int, ...], step: int) -> OrienteeringProblem:
    return OrienteeringProblem(
        travel=np.zeros((2, 2), dtype=np.int64),
        service=(0, 5),
        score=(0, 10),
        windows=(((0, 1000),), ((0, 1000),)),
        routes=(Route(0, 0, 0, 1000),),
        timed=TimeDependence(step=step, queue={1: queue}),
    )


journeys = (
    st.lists(st.tuples(st.integers(0, 80), st.integers(1, 30)), min_size=1, max_size=6)
    .map(lambda pairs: _front(sorted((d, d + r) for d, r in pairs)))
    .filter(bool)
)


def _front(pairs: list[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    """Keep journeys that no later-leaving journey arrives no later than (a Pareto front)."""
    kept: list[tuple[int, int]] = []
    for depart, arrive in reversed(pairs):
        if kept and (kept[-1][1] <= arrive or kept[-1][0] == depart):
            continue
        kept.append((depart, arrive))
    return tuple(reversed(kept))


@settings(max_examples=150, deadline=None)
@given(legs=journeys, walk=st.integers(1, 200), depart=st.integers(0, 100))
def test_a_timetabled_leg_takes_the_first_journey_or_the_walk(
    legs: tuple[tuple[int, int], ...], walk: int, depart: int
) -> None:
    travel = np.array([[0, walk], [walk, 0]], dtype=np.int64)
    problem = OrienteeringProblem(
        travel=travel,
        service=(0, 0),
        score=(0, 1),
        windows=(((0, 500),), ((0, 500),)),
        routes=(Route(0, 0, 0, 500),),
        timed=TimeDependence(legs={(0, 1): legs}),
    )
    a = space_for(problem).arrays
    expected = min([depart + walk] + [arr for dep, arr in legs if dep >= depart])
    assert kernels.arrive_at(a, 0, 1, depart) == expected
    for arrive_by in range(0, 150, 7):
        leaves = [
            t
            for t in range(-200, 150)
            if min([t + walk] + [r for d, r in legs if d >= t]) <= arrive_by
        ]
        assert kernels.latest_leave(a, 0, 1, arrive_by) == max(leaves)


def test_the_bus_that_leaves_at_1600_is_caught_by_a_visit_that_ends_at_1550() -> None:
    # depot 0, the gorge 1; the only way back is the 16:00 (arrives 17:00) or the 17:00 (18:00)
    hour = 3600
    walk_forever = 10**9
    travel = np.array([[0, 600], [walk_forever, 0]], dtype=np.int64)
    base = OrienteeringProblem(
        travel=travel,
        service=(0, 0),
        score=(0, 10),
        windows=(((0, 24 * hour),), ((9 * hour, 16 * hour),)),
        routes=(Route(0, 0, 9 * hour, int(17.5 * hour)),),
        timed=TimeDependence(legs={(1, 0): ((16 * hour, 17 * hour), (17 * hour, 18 * hour))}),
    )
    ends_1550 = replace(base, service=(0, 24_000))  # 09:10 + 6 h 40 min = 15:50
    ends_1605 = replace(base, service=(0, 24_900))  # ends 16:05
    assert route_schedule(ends_1550, 0, [1])[-1][0] == 17 * hour
    assert is_feasible(ends_1550, [[1]]) == []
    assert is_feasible(ends_1605, [[1]])  # the 17:00 is back at 18:00, after 17:30
    assert solve(ends_1550, time_limit_s=0.05, settings=ONE_WORKER).routes == ((1,),)
    assert solve(ends_1605, time_limit_s=0.05, settings=ONE_WORKER).routes == ((),)


def test_a_queue_is_waited_out_when_a_later_slot_starts_the_visit_sooner() -> None:
    # joining at 10 costs 40; at 20, 5: a visitor ready at 12 starts at 25, not 52
    problem = single_node((0, 40, 5), step=10)
    problem = replace(problem, travel=np.array([[0, 12], [12, 0]], dtype=np.int64))
    entries = route_schedule(problem, 0, [1])
    assert entries[1] == (12, 25, 30)
    space = space_for(problem)
    space._load(space._scratch, ((1,),))
    assert int(space._scratch.begin[0, 1]) == 25
    assert int(space._scratch.leave[0, 1]) == 30


def test_a_packed_hour_is_worth_less_and_the_search_plans_around_it() -> None:
    # two places 10 apart; the sea (1) is worth 100 from 0 to 60 but 40 while packed (60-120)
    hour = 60
    travel = np.array([[0, 10, 10], [10, 0, 10], [10, 10, 0]], dtype=np.int64)
    problem = OrienteeringProblem(
        travel=travel,
        service=(0, 50, 50),
        score=(0, 100, 60),
        windows=(((0, 400),), ((0, 300),), ((0, 300),)),
        routes=(Route(0, 0, 0, 200),),
        timed=TimeDependence(step=hour, value={1: (100, 40, 100)}),
    )
    best = max(
        (route_value(problem, 0, order), order)
        for r in range(3)
        for order in itertools.permutations((1, 2), r)
        if not is_feasible(problem, [order])
    )
    found = solve(problem, time_limit_s=0.05, settings=ONE_WORKER)
    assert found.score == best[0] == 160
    assert found.routes == ((1, 2),)  # the sea first, before it fills at 60


def random_problem(rng: np.random.Generator, n: int) -> OrienteeringProblem:
    xy = rng.integers(0, 30, size=(n, 2))
    travel = np.rint(np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1))).astype(
        np.int64
    )
    windows = [((0, 300),)] + [
        ((lo := int(rng.integers(0, 150)), lo + int(rng.integers(20, 150))),) for _ in range(n - 1)
    ]
    queue = {i: tuple(int(q) for q in rng.integers(0, 40, size=5)) for i in range(1, n) if i % 2}
    value = {
        i: tuple(int(v) for v in rng.integers(1, 11, size=5)) for i in range(1, n) if i % 3 == 0
    }
    legs = {(1, 2): ((40, 45), (90, 95))} if n > 2 else {}
    return OrienteeringProblem(
        travel=travel,
        service=(0, *(int(s) for s in rng.integers(5, 30, size=n - 1))),
        score=(0, *[10] * (n - 1)),
        windows=tuple(windows),
        routes=(Route(0, 0, 0, 240),),
        timed=TimeDependence(step=50, queue=queue, value=value, legs=legs),
    )


@pytest.mark.parametrize("seed", range(12))
def test_the_search_finds_the_exhaustive_optimum_and_its_times_pass_the_check(seed: int) -> None:
    rng = np.random.default_rng(seed)
    problem = random_problem(rng, 6)
    visits = range(1, problem.size)
    best = max(
        (route_value(problem, 0, order), order)
        for r in range(len(visits) + 1)
        for order in itertools.permutations(visits, r)
        if not is_feasible(problem, [order])
    )
    found = solve(problem, time_limit_s=0.2, settings=ONE_WORKER)
    assert is_feasible(problem, found.routes) == []
    assert found.score == best[0]
    # the kernels' own times are the independent schedule's
    space = space_for(problem)
    space._load(space._scratch, found.routes)
    entries = route_schedule(problem, 0, found.routes[0])
    state = space._scratch
    for i, (arrival, start, leave) in enumerate(entries[1:-1], start=1):
        assert (state.arrive[0, i], state.begin[0, i], state.leave[0, i]) == (arrival, start, leave)


@pytest.mark.parametrize("seed", range(6))
def test_latest_arrivals_are_exact_on_random_routes(seed: int) -> None:
    """Arriving at a stop by its latest arrival keeps the route feasible; a unit later does not."""
    rng = np.random.default_rng(100 + seed)
    problem = random_problem(rng, 7)
    found = solve(problem, time_limit_s=0.1, settings=ONE_WORKER)
    route = found.routes[0]
    if not route:
        pytest.skip("nothing fits this draw")
    space = space_for(problem)
    space._load(space._scratch, found.routes)
    state = space._scratch
    for i in range(1, len(route) + 1):
        latest = int(state.latest[0, i])
        for arrival, fits in ((latest, True), (latest + 1, False)):
            assert _tail_fits(problem, route, i, arrival) is fits


def _tail_fits(problem: OrienteeringProblem, route: tuple[int, ...], i: int, arrival: int) -> bool:
    """Whether the route from its ``i``-th visit on is feasible when that visit is reached at
    ``arrival`` (timed as the independent check times it, keeping the current window)."""
    from planner.solve.solver import _arrival, visit_begin

    entries = route_schedule(problem, 0, route)
    window = next(w for w in problem.windows[route[i - 1]] if w[1] >= entries[i][0])
    now, previous = arrival, None
    for k, node in enumerate(route[i - 1 :]):
        if k > 0:
            now = _arrival(problem, previous, node, now)
            window = next((w for w in problem.windows[node] if w[1] >= now), None)
            if window is None:
                return False
        begin = visit_begin(problem, node, max(now, window[0]), window[1])
        if begin is None:
            return False
        now, previous = begin[1] + problem.service[node], node
    return _arrival(problem, previous, problem.routes[0].end, now) <= problem.routes[0].latest_end


def test_no_clock_dependent_time_plans_exactly_as_before() -> None:
    rng = np.random.default_rng(7)
    plain = replace(random_problem(rng, 9), timed=None)
    empty = replace(plain, timed=TimeDependence())
    assert not empty.clocked
    a = solve(plain, time_limit_s=0.1, settings=ONE_WORKER)
    b = solve(empty, time_limit_s=0.1, settings=ONE_WORKER)
    assert (a.routes, a.score) == (b.routes, b.score)
