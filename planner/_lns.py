"""Fast ruin-and-recreate moves around OR-Tools' local search (plain Python and numpy).

OR-Tools' greedy descent is the improvement engine of :mod:`planner.solver`, but one descent costs
milliseconds to a tenth of a second (it grows with the number of routes), too slow to be the only
move of a large-neighbourhood search. This module supplies the cheap half: remove some visits from
a plan (random, related, worst-ratio visits, a run of consecutive visits, a whole route) and
refill it by greedy insertion with a noisy ``score**2 / time consumed`` priority, the classic
orienteering insertion rule (Vansteenwegen et al. 2009). Insertions are checked in O(1) per
position with the *latest arrival* of every stop, vectorised over all candidate places and
positions of a route at once; the solver hands promising plans to OR-Tools for re-ordering.

Conventions are those of :mod:`planner.solver`: a visit starts inside one of its node's windows,
waiting is allowed, a route is back at its end by ``latest_end``. A node with several windows is
treated conservatively when it is already in a route (its start may move only within its current
window), so the moves may miss an insertion but never make an infeasible one. Travel times need
not satisfy the triangle inequality: a removal that would make a route late is undone.
"""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from planner.problem import OrienteeringProblem

Routes = tuple[tuple[int, ...], ...]
BIG = np.int64(2**60)
_RUINS = ("random", "related", "worst", "segment", "route")


@dataclass(frozen=True)
class Plan:
    """Routes with their score and total travel time (depot legs included)."""

    routes: Routes
    score: int
    travel: int

    @property
    def key(self) -> tuple[int, int]:
        """Lexicographic quality: more score first, then less travel (larger is better)."""
        return (self.score, -self.travel)


@dataclass
class _Times:
    """Earliest schedule of one route: the path with depots, departures, arrivals, latest arrivals."""

    path: NDArray[np.int64]
    leave: NDArray[np.int64]
    arrive: NDArray[np.int64]
    latest: NDArray[np.int64]


class Workspace:
    """Precomputed arrays of one problem, and the ruin / recreate moves on its plans.

    ``work`` counts the elementary steps done (positions evaluated, plus a fixed cost per numpy
    call): a deterministic measure of effort that the solver turns into its budget.
    """

    def __init__(self, problem: OrienteeringProblem, reachable: dict[int, list[int]]) -> None:
        self.problem = problem
        n, m = problem.size, len(problem.routes)
        self.n, self.m = n, m
        self.travel = np.asarray(problem.travel, dtype=np.int64)
        self.rows = self.travel.tolist()
        self.service = np.asarray(problem.service, dtype=np.int64)
        self.score = np.asarray(problem.score, dtype=np.int64)
        self.required = problem.required
        self.work = 0
        depots = problem.depots
        # Candidates: reachable places worth a visit (positive score or required).
        candidates = sorted(
            node
            for node in reachable
            if node not in depots and (problem.score[node] > 0 or node in problem.required)
        )
        self.candidates = np.array(candidates, dtype=np.int64)
        self.allowed = np.zeros((m, n), dtype=bool)
        for node, routes in reachable.items():
            self.allowed[routes, node] = True
        first = [problem.windows[node][0] for node in candidates]
        self.lo = np.array([w[0] for w in first], dtype=np.int64).reshape(-1, 1)
        self.hi = np.array([w[1] for w in first], dtype=np.int64).reshape(-1, 1)
        self.extra = [
            (row, node, lo, hi)
            for row, node in enumerate(candidates)
            for lo, hi in problem.windows[node][1:]
        ]
        self.into = np.ascontiguousarray(self.travel.T[self.candidates])  # [c, i] = travel i -> c
        self.out = np.ascontiguousarray(self.travel[self.candidates])  # [c, j] = travel c -> j
        self.cand_service = self.service[self.candidates].reshape(-1, 1)
        self.cand_allowed = self.allowed[:, self.candidates]
        self.weight = self.score[self.candidates].astype(np.float64) ** 2
        is_required = np.array([node in problem.required for node in candidates], dtype=bool)
        self.weight[is_required] = 1e30
        self.row_of = {node: row for row, node in enumerate(candidates)}
        # Nearest neighbours for related removal: travel both ways.
        sym = self.travel + self.travel.T
        self.near = np.argsort(sym, axis=1, kind="stable")
        self.removable = frozenset(candidates) - problem.required

    # --- plans ------------------------------------------------------------------------------

    def plan(self, routes: Routes) -> Plan:
        """A :class:`Plan` with its score and travel."""
        rows, travel = self.rows, 0
        for k, route in enumerate(routes):
            spec = self.problem.routes[k]
            path = [spec.start, *route, spec.end]
            travel += sum(rows[a][b] for a, b in itertools.pairwise(path))
        score = sum(self.problem.score[node] for route in routes for node in route)
        return Plan(routes=routes, score=score, travel=travel)

    def times(self, k: int, visits: list[int] | tuple[int, ...]) -> _Times | None:
        """Earliest schedule of route ``k`` through ``visits``; ``None`` if it breaks a rule."""
        problem, rows, service = self.problem, self.rows, self.problem.service
        spec = problem.routes[k]
        size = len(visits) + 2
        leave, arrive, cap = [0] * size, [0] * size, [0] * size
        now = spec.earliest_start
        leave[0] = arrive[0] = now
        previous = spec.start
        self.work += 2 + size // 4
        for index, node in enumerate(visits, start=1):
            arrival = now + rows[previous][node]
            for lo, hi in problem.windows[node]:
                if hi >= arrival:
                    now = max(arrival, lo) + service[node]
                    cap[index] = hi
                    break
            else:
                return None
            arrive[index], leave[index], previous = arrival, now, node
        arrival = now + rows[previous][spec.end]
        if arrival > spec.latest_end:
            return None
        arrive[-1] = leave[-1] = arrival
        path = [spec.start, *visits, spec.end]
        latest = [0] * size
        latest[-1] = spec.latest_end
        for index in range(size - 2, 0, -1):
            node = path[index]
            latest[index] = min(
                cap[index], latest[index + 1] - rows[node][path[index + 1]] - service[node]
            )
        latest[0] = spec.earliest_start
        return _Times(
            path=np.array(path, dtype=np.int64),
            leave=np.array(leave, dtype=np.int64),
            arrive=np.array(arrive, dtype=np.int64),
            latest=np.array(latest, dtype=np.int64),
        )

    def _insertions(
        self, k: int, times: _Times, rows: NDArray[np.int64]
    ) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
        """Cheapest feasible insertion of the candidates ``rows`` into route ``k``.

        Returns the time it consumes (delay of the next stop's arrival; ``BIG`` when no
        position fits) and the position (index in the route's visit list), one per row given.
        """
        path = times.path
        before, after = path[:-1], path[1:]
        arrival = times.leave[:-1] + self.into[np.ix_(rows, before)]
        start = np.maximum(arrival, self.lo[rows])
        back = start + self.cand_service[rows] + self.out[np.ix_(rows, after)]
        fits = (start <= self.hi[rows]) & (back <= times.latest[1:])
        delay = np.where(fits, back - times.arrive[1:], BIG)
        # Priced so that a work unit takes about as long on 100 as on 300 places: a call
        # costs mostly its fixed numpy overhead (was 8 + size // 64, which gave the large
        # instances half the time per unit of the small ones).
        self.work += 20 + delay.size // 128
        if not len(rows):
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        position = delay.argmin(axis=1)
        best = delay[np.arange(len(rows)), position]
        if self.extra:
            at = {row: i for i, row in enumerate(rows.tolist())}
            for row, node, lo, hi in self.extra:  # later windows of multi-window places
                i = at.get(row)
                if i is None:
                    continue
                for p in range(len(before)):
                    a = int(times.leave[p]) + self.rows[int(before[p])][node]
                    s = max(a, lo)
                    b = s + self.problem.service[node] + self.rows[node][int(after[p])]
                    if s <= hi and b <= times.latest[p + 1] and b - times.arrive[p + 1] < best[i]:
                        best[i], position[i] = b - times.arrive[p + 1], p
        best[~self.cand_allowed[k][rows]] = BIG
        return best, position

    # --- recreate ---------------------------------------------------------------------------

    def repair(
        self,
        routes: list[list[int]],
        rng: random.Random,
        *,
        noise: float,
        deferred: frozenset[int] = frozenset(),
    ) -> Routes:
        """Insert places greedily by noisy ``score**2 / time consumed`` until none fits.

        Places in ``deferred`` (just removed) are only considered once nothing else fits, so a
        repair does not simply undo its ruin. ``routes`` is modified in place.
        """
        m = self.m
        visited = np.zeros(len(self.candidates), dtype=bool)
        for route in routes:
            for node in route:
                row = self.row_of.get(node)
                if row is not None:
                    visited[row] = True
        timings = [self.times(k, routes[k]) for k in range(m)]
        delays = np.full((m, len(self.candidates)), BIG, dtype=np.int64)
        positions = np.zeros((m, len(self.candidates)), dtype=np.int64)
        unvisited = np.flatnonzero(~visited)
        for k in range(m):
            timing = timings[k]
            if timing is not None:
                delays[k, unvisited], positions[k, unvisited] = self._insertions(
                    k, timing, unvisited
                )
        seed = rng.getrandbits(32)
        factor = 1.0 + noise * np.random.default_rng(seed).random(len(self.candidates))
        weight = self.weight * factor
        later = np.array([node in deferred for node in self.candidates.tolist()], dtype=bool)
        stages = (True, False) if deferred else (False,)
        for defer in stages:
            while True:
                blocked = visited | later if defer else visited
                open_ = (delays < BIG) & ~blocked
                if not open_.any():
                    break
                priority = np.where(open_, weight / (np.maximum(delays, 0) + 1.0), -1.0)
                flat = int(priority.argmax())
                k, row = divmod(flat, len(self.candidates))
                node = int(self.candidates[row])
                routes[k].insert(int(positions[k, row]), node)
                visited[row] = True
                timing = self.times(k, routes[k])
                if timing is None:  # cannot happen with exact latest arrivals; stay safe
                    routes[k].remove(node)
                    visited[row] = False
                    delays[k, row] = BIG
                    continue
                timings[k] = timing
                # An insertion only delays the stops after it and tightens those before it, so
                # (with the triangle inequality) a place that did not fit still does not fit.
                rows = np.flatnonzero((delays[k] < BIG) & ~visited)
                delays[k] = BIG
                delays[k, rows], positions[k, rows] = self._insertions(k, timing, rows)
        return tuple(tuple(route) for route in routes)

    # --- ruin -------------------------------------------------------------------------------

    def ruin(
        self, routes: Routes, rng: random.Random, *, share: float, max_remove: int
    ) -> tuple[list[list[int]], frozenset[int]]:
        """Remove visits by one randomly chosen rule; return the routes and the removed places.

        Between 1 and ``share`` of the visits (at least 4, at most ``max_remove``) go; the
        whole-route rule (with several routes) empties one route whatever its length.

        Required places are never removed. A removal that makes a route late (travel times
        without the triangle inequality) is undone for that route.
        """
        current = [list(route) for route in routes]
        self.work += 4 + sum(len(route) for route in routes) // 8
        visits = [node for route in current for node in route if node in self.removable]
        if not visits:
            return current, frozenset()
        most = min(len(visits), max_remove, max(4, round(share * len(visits))))
        count = rng.randint(1, max(1, most))
        kind = rng.choice(_RUINS if self.m > 1 else _RUINS[:4])
        if kind == "random":
            removed = set(rng.sample(visits, count))
        elif kind == "related":
            removed = self._related(visits, rng, count)
        elif kind == "worst":
            removed = self._worst(current, rng, count)
        elif kind == "segment":
            removed = self._segment(current, rng, count)
        else:
            k = rng.choice([k for k, route in enumerate(current) if route] or [0])
            removed = {node for node in current[k] if node in self.removable}
        result = []
        for k, route in enumerate(current):
            kept = [node for node in route if node not in removed]
            if len(kept) != len(route) and self.times(k, kept) is None:
                kept = route
                removed.difference_update(route)
            result.append(kept)
        return result, frozenset(removed)

    def _related(self, visits: list[int], rng: random.Random, count: int) -> set[int]:
        """A random visit and the ``count - 1`` visits nearest to it."""
        pool = set(visits)
        seed = rng.choice(visits)
        removed = {seed}
        for node in self.near[seed].tolist():
            if len(removed) >= count:
                break
            if node in pool:
                removed.add(node)
        return removed

    def _worst(self, routes: list[list[int]], rng: random.Random, count: int) -> set[int]:
        """Visits whose score is lowest for the time their removal would save (noisy)."""
        rated = []
        for k, route in enumerate(routes):
            spec = self.problem.routes[k]
            path = [spec.start, *route, spec.end]
            for index in range(1, len(path) - 1):
                node = path[index]
                if node not in self.removable:
                    continue
                a, c = path[index - 1], path[index + 1]
                saved = self.rows[a][node] + self.problem.service[node] + self.rows[node][c]
                saved -= self.rows[a][c]
                ratio = self.problem.score[node] / (max(saved, 0) + 1.0)
                rated.append((ratio * (0.5 + rng.random()), node))
        rated.sort()
        return {node for _, node in rated[:count]}

    def _segment(self, routes: list[list[int]], rng: random.Random, count: int) -> set[int]:
        """A run of up to ``count`` consecutive visits of one route."""
        k = rng.choice([k for k, route in enumerate(routes) if route])
        route = routes[k]
        length = min(len(route), count)
        first = rng.randrange(len(route) - length + 1)
        return {node for node in route[first : first + length] if node in self.removable}
