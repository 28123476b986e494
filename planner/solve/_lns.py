"""Ruin-and-recreate moves around OR-Tools' local search: the Python face of the compiled kernels.

OR-Tools' greedy descent is the improvement engine of :mod:`planner.solve.solver`, but one descent costs
milliseconds to a second on large instances (measured in bench/README.md), too slow to be the
only move of a large-neighbourhood search. This module supplies the cheap half: remove some visits from a
plan (random, related, worst-ratio visits, a run of consecutive visits) and refill
it by greedy insertion with a noisy ``score**2 / time consumed`` priority, the classic
orienteering insertion rule (Vansteenwegen et al. 2009). Insertions are checked in O(1) per
position with the *latest start* of every stop. The loops are compiled
(:mod:`planner.solve._lns_kernels`); :class:`Workspace` turns plain node lists into their arrays and
back.

Conventions are those of :mod:`planner.solve.solver`: a visit starts inside one of its node's windows,
waiting is allowed, a route is back at its end by ``latest_end``. A node with several windows is
treated conservatively when it is already in a route (its start may move only within its current
window), so the moves may miss an insertion but never make an infeasible one. Travel times need
not satisfy the triangle inequality: a removal that would make a route late is undone.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from planner.solve import _lns_kernels as kernels
from planner.solve._routing import shortest_paths
from planner.solve.problem import OrienteeringProblem, Route, TimeDependence

Routes = tuple[tuple[int, ...], ...]


@dataclass(frozen=True)
class ScoredRoutes:
    """Routes with their score and total travel time (depot legs included)."""

    routes: Routes
    score: int
    travel: int

    @property
    def key(self) -> tuple[int, int]:
        """Lexicographic quality: more score first, then less travel (larger is better)."""
        return (self.score, -self.travel)


@dataclass(frozen=True)
class RoundSettings:
    """How :meth:`Workspace.rounds` ruins, refills and accepts (see ``SearchSettings``)."""

    remove_share: float
    max_remove: int
    noise: float
    threshold: float
    restart: int
    total_work: int
    polish_gap: int


class Workspace:
    """One problem's arrays, a seeded random stream, and the plans the rounds work on.

    ``work`` counts the elementary steps done (positions evaluated, schedule steps, scans): a
    deterministic measure of effort that the solver turns into its budget; the solver adds its
    own estimate for each OR-Tools descent.
    """

    def __init__(
        self,
        problem: OrienteeringProblem,
        reachable: dict[int, list[int]],
        seed: int,
        *,
        shortest: np.ndarray | None = None,
    ) -> None:
        """``reachable`` and ``shortest`` (all-pairs shortest travel times, computed here when
        not given) come from :class:`planner.solve._routing.RoutingAdapter`, which needs them too."""
        self.problem = problem
        n, m = problem.size, len(problem.routes)
        self.n, self.m = n, m
        travel = np.ascontiguousarray(problem.travel, dtype=np.int64)  # one compiled signature
        if shortest is None:
            shortest = shortest_paths(travel)
        self.rows = travel.tolist()
        depots = problem.depots
        candidates = sorted(
            node
            for node in reachable
            if node not in depots and (problem.score[node] > 0 or node in problem.required)
        )
        widest = max(1, max(len(w) for w in problem.windows))
        wlo = np.zeros((n, widest), dtype=np.int64)
        whi = np.full((n, widest), -1, dtype=np.int64)
        nwin = np.zeros(n, dtype=np.int64)
        for node, windows in enumerate(problem.windows):
            nwin[node] = len(windows)
            for w, (lo, hi) in enumerate(windows):
                wlo[node, w], whi[node, w] = lo, hi
        allowed = np.zeros((m, n), dtype=np.bool_)
        for node, routes in reachable.items():
            allowed[routes, node] = True
        score = np.asarray(problem.score, dtype=np.int64)
        weight = score.astype(np.float64) ** 2
        for node in problem.required:
            weight[node] = 1e30
        # any visit but a required one may go (also one OR-Tools made that is worth nothing)
        removable = np.ones(n, dtype=np.bool_)
        removable[list(depots)] = False
        removable[list(problem.required)] = False
        self.arrays = kernels.Arrays(
            travel=travel,
            service=np.asarray(problem.service, dtype=np.int64),
            score=score,
            wlo=wlo,
            whi=whi,
            nwin=nwin,
            start=np.array([r.start for r in problem.routes], dtype=np.int64),
            end=np.array([r.end for r in problem.routes], dtype=np.int64),
            early=np.array([r.earliest_start for r in problem.routes], dtype=np.int64),
            late=np.array([r.latest_end for r in problem.routes], dtype=np.int64),
            allowed=allowed,
            weight=weight,
            cands=np.array(candidates, dtype=np.int64),
            removable=removable,
            # nearest neighbours by travel both ways, for the related ruin
            near=np.argsort(travel + travel.T, axis=1, kind="stable").astype(np.int64),
            shortcut=np.array([(travel - shortest).max()], dtype=np.int64),
            **clock_arrays(problem),
        )
        if problem.clocked and problem.timed is not None and problem.timed.legs:
            # a timetabled leg can beat any untimed way: no insertion delay can be bounded
            self.arrays.shortcut[0] = kernels.BIG // 4
        length = n + 2  # any node may sit in a route handed over by OR-Tools
        self._current, self._candidate, self._best, self._scratch = (
            kernels.new_state(m, n, length, self.arrays) for _ in range(4)
        )
        self._rng = np.array([seed & (2**64 - 1)], dtype=np.uint64)
        self._ctr = np.zeros(6, dtype=np.int64)
        self._removed = np.zeros(n, dtype=np.bool_)
        self._delays = np.zeros((m, max(1, len(candidates))), dtype=np.int64)
        self._positions = np.zeros((m, max(1, len(candidates))), dtype=np.int64)
        self._memo = kernels.Memo(
            delays=np.zeros_like(self._delays),
            positions=np.zeros_like(self._positions),
            valid=np.zeros(1, dtype=np.bool_),
        )

    @property
    def work(self) -> int:
        """Work done so far, in work units."""
        return int(self._ctr[kernels.WORK])

    @work.setter
    def work(self, value: int) -> None:
        self._ctr[kernels.WORK] = value

    # --- plans ------------------------------------------------------------------------------

    def plan(self, routes: Routes) -> ScoredRoutes:
        """A :class:`ScoredRoutes` with its score and travel."""
        if self.problem.clocked:  # both depend on the times: the kernels' own
            state = self._scratch
            self._load(state, routes)
            score, lost = kernels.value(self.arrays, state)
            return ScoredRoutes(routes=routes, score=int(score), travel=int(lost))
        rows, travel = self.rows, 0
        for k, route in enumerate(routes):
            spec = self.problem.routes[k]
            path = [spec.start, *route, spec.end]
            travel += sum(rows[a][b] for a, b in itertools.pairwise(path))
        score = sum(self.problem.score[node] for route in routes for node in route)
        return ScoredRoutes(routes=routes, score=score, travel=travel)

    def feasible(self, k: int, visits: Sequence[int]) -> bool:
        """Whether route ``k`` through ``visits`` keeps every window and its end time."""
        return bool(self._load(self._scratch, [visits if j == k else () for j in range(self.m)])[k])

    def repair(self, routes: Sequence[Sequence[int]]) -> ScoredRoutes:
        """Insert places greedily (no noise) until none fits; routes must be feasible."""
        state = self._scratch
        self._load(state, routes)
        kernels.repair(
            self.arrays,
            state,
            0.0,
            np.zeros(self.n, dtype=np.bool_),  # nothing held back
            False,
            self._rng,
            self._ctr,
            self._delays,
            self._positions,
            np.ones(self.m, dtype=np.bool_),
        )
        return self.plan(self._read(state))

    # --- rounds -----------------------------------------------------------------------------

    def rounds(self, settings: RoundSettings, *, bound: int, work_stop: int) -> int:
        """Ruin-and-recreate rounds until ``work_stop``; see :func:`planner.solve._lns_kernels.rounds`.

        Returns the kernel's reason for stopping (``kernels.POLISH_DUE``: :meth:`best` is a new
        best plan to polish, then :meth:`polished`).
        """
        prm = np.array(
            [
                settings.remove_share,
                settings.max_remove,
                settings.noise,
                settings.threshold,
                settings.restart,
                max(1, settings.total_work),
                settings.polish_gap,
                bound,
            ],
            dtype=np.float64,
        )
        return int(
            kernels.rounds(
                self.arrays,
                self._current,
                self._candidate,
                self._best,
                self._rng,
                self._ctr,
                prm,
                self._removed,
                self._delays,
                self._positions,
                self._memo,
                work_stop,
            )
        )

    def best(self) -> ScoredRoutes:
        """The best plan the rounds found."""
        return self.plan(self._read(self._best))

    def polished(self, plan: ScoredRoutes) -> None:
        """Take a (polished) plan as both the best and the current one, polished now."""
        self._load(self._best, plan.routes)
        self._load(self._current, plan.routes)
        self._memo.valid[0] = False
        self._ctr[kernels.POLISHED_AT] = self._ctr[kernels.WORK]
        self._ctr[kernels.UNPOLISHED] = 0

    @property
    def unpolished(self) -> bool:
        """Whether the best plan changed since it was last polished."""
        return bool(self._ctr[kernels.UNPOLISHED])

    def statistics(self) -> dict[str, int]:
        """Rounds run and new best plans found."""
        return {
            "rounds": int(self._ctr[kernels.ROUNDS]),
            "improvements": int(self._ctr[kernels.IMPROVEMENTS]),
        }

    # --- conversions ------------------------------------------------------------------------

    def _load(self, state: kernels.State, routes: Sequence[Sequence[int]]) -> np.ndarray:
        """Write plain routes into ``state`` and compute their times; returns ``state.ok``."""
        state.where[:] = -1
        for k in range(self.m):
            visits = list(routes[k])
            spec = self.problem.routes[k]
            state.path[k, : len(visits) + 2] = [spec.start, *visits, spec.end]
            state.size[k] = len(visits)
            state.where[visits] = k
            kernels.route_times(self.arrays, state, k, self._ctr)
        return state.ok

    def _read(self, state: kernels.State) -> Routes:
        return tuple(
            tuple(int(v) for v in state.path[k, 1 : state.size[k] + 1]) for k in range(self.m)
        )


def clock_arrays(problem: OrienteeringProblem) -> dict[str, np.ndarray]:
    """The kernels' arrays for the problem's clock-dependent times (see ``kernels.Arrays``);
    empty ones, with ``timed[0]`` false, when it has none."""
    n = problem.size
    timed = problem.timed
    if timed is None or not problem.clocked:
        timed_flag, slots = False, 1
        queue: dict[int, tuple[int, ...]] = {}
        values: dict[int, tuple[int, ...]] = {}
        legs: dict[tuple[int, int], tuple[tuple[int, int], ...]] = {}
        clock = [0, 1]
    else:
        timed_flag = True
        queue, values, legs = timed.queue, timed.value, timed.legs
        clock = [timed.origin, timed.step]
        slots = max([1, *(len(v) for v in queue.values()), *(len(v) for v in values.values())])
    qn = np.zeros(n, dtype=np.int64)
    qwait = np.zeros((n, slots), dtype=np.int64)
    qsoon = np.full((n, slots + 1), kernels.BIG, dtype=np.int64)
    qvalue = np.zeros((n, slots), dtype=np.int64)
    for node in set(queue) | set(values):
        waits, worth = queue.get(node, ()), values.get(node, ())
        qn[node] = max(len(waits), len(worth))
        qwait[node, : len(waits)] = waits
        qvalue[node, : qn[node]] = problem.score[node]
        qvalue[node, : len(worth)] = worth
        origin, step, last = clock[0], clock[1], int(qn[node])
        qsoon[node, last] = origin + last * step  # the queue is over
        for g in range(last - 1, -1, -1):
            qsoon[node, g] = min(origin + g * step + int(qwait[node, g]), int(qsoon[node, g + 1]))
    lptr = np.zeros(n * n + 1, dtype=np.int64)
    deps: list[int] = []
    arrs: list[int] = []
    for i in range(n):
        for j in range(n):
            for depart, arrive in legs.get((i, j), ()):
                deps.append(depart)
                arrs.append(arrive)
            lptr[i * n + j + 1] = len(deps)
    return {
        "timed": np.array([timed_flag], dtype=np.bool_),
        "qclock": np.array(clock, dtype=np.int64),
        "qn": qn,
        "qwait": qwait,
        "qsoon": qsoon,
        "qvalue": qvalue,
        "lptr": lptr,
        "ldep": np.array(deps or [0], dtype=np.int64),
        "larr": np.array(arrs or [0], dtype=np.int64),
    }


def warm_up() -> None:
    """Compile the kernels (or load them from numba's on-disk cache) before any clock starts.

    The first call in a process costs what loading the cached machine code costs (a fraction of
    a second), or the compilation itself (seconds) right after an install; later calls cost
    nothing. :func:`planner.solve.solver.solve` calls it before its wall-clock net starts.
    """
    global _warm
    if _warm:
        return
    travel = np.array([[0, 5, 5, 5], [5, 0, 3, 4], [5, 3, 0, 3], [5, 4, 3, 0]], dtype=np.int64)
    problem = OrienteeringProblem(
        travel=travel,
        service=(0, 2, 2, 2),
        score=(0, 3, 2, 1),
        windows=(((0, 100),), ((0, 50),), ((0, 20), (30, 60)), ((0, 60),)),
        routes=(Route(0, 0, 0, 30), Route(0, 0, 0, 30)),
        required=frozenset({1}),
    )
    space = Workspace(problem, {1: [0, 1], 2: [0, 1], 3: [0, 1]}, seed=0)
    space.polished(space.repair(((), ())))
    settings = RoundSettings(0.5, 2, 0.5, 0.1, 5, 2000, 500)
    while space.rounds(settings, bound=10**6, work_stop=2000) == kernels.POLISH_DUE:
        space.polished(space.best())
    timed = replace(
        problem,
        timed=TimeDependence(
            step=10, queue={1: (0, 4, 1)}, value={2: (1, 2)}, legs={(1, 2): ((3, 5), (9, 10))}
        ),
    )
    space = Workspace(timed, {1: [0, 1], 2: [0, 1], 3: [0, 1]}, seed=0)
    space.polished(space.repair(((), ())))
    while space.rounds(settings, bound=10**6, work_stop=2000) == kernels.POLISH_DUE:
        space.polished(space.best())
    _warm = True


_warm = False
