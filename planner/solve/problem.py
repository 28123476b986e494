"""The plain-data orienteering problem the solver sees, and the plain-data answer it gives.

Both the tourism planner and the literature reader (:mod:`planner.solve.toptw`) build an
:class:`OrienteeringProblem`; :func:`planner.solve.solver.solve` knows nothing else. All times are
integer seconds (or integer literature units) on one clock that starts at 0; the solver never sees
floats, dates, places or languages.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray


@dataclass(frozen=True)
class Route:
    """One vehicle (a day, a group): where it starts and ends, and when it may."""

    start: int
    """Node index where the route starts (may equal ``end``)."""
    end: int
    """Node index where the route ends."""
    earliest_start: int
    """Earliest time the route may leave ``start``."""
    latest_end: int
    """Latest time the route may arrive at ``end``."""


@dataclass(frozen=True)
class OrienteeringProblem:
    """A (team) orienteering problem with time windows over ``n`` nodes.

    Nodes that are the start or end of a route are depots: they carry no score and need no visit.
    Every other node is either optional (collect ``score`` when visited) or ``required``.

    The time window of node ``i`` constrains the *start* of its visit: the visit starts at some
    ``t`` with ``windows[i][k][0] <= t <= windows[i][k][1]`` for one ``k``; arriving early means
    waiting. A node with no window can never be visited. Travel from ``i`` to ``j`` takes
    ``travel[i, j]``; a visit takes ``service[i]``.
    """

    travel: NDArray[np.int64]
    """Square matrix of travel times, integers, not necessarily symmetric."""
    service: tuple[int, ...]
    """Visit duration of each node."""
    score: tuple[int, ...]
    """Value of visiting each node (0 for depots); non-negative integers."""
    windows: tuple[tuple[tuple[int, int], ...], ...]
    """Allowed visit-start intervals of each node, sorted and disjoint; empty means closed."""
    routes: tuple[Route, ...]
    """One entry per route (vehicle / day)."""
    required: frozenset[int] = field(default_factory=frozenset)
    """Nodes that every solution must visit; solving fails if that is impossible."""
    allowed_routes: dict[int, frozenset[int]] = field(default_factory=dict)
    """Optional restriction: node -> the route indices that may visit it (default: any)."""

    @property
    def size(self) -> int:
        """Number of nodes, depots included."""
        return len(self.service)

    @property
    def depots(self) -> frozenset[int]:
        """Nodes that start or end a route."""
        return frozenset(i for r in self.routes for i in (r.start, r.end))


@dataclass(frozen=True)
class Solution:
    """The solver's answer: the visited nodes of each route, in order, depots excluded."""

    routes: tuple[tuple[int, ...], ...]
    score: int
    """Total score of the visited nodes."""
    status: str
    """How the search ended: ``optimal``, ``feasible``, ``time_limit`` or ``infeasible``."""
    solve_seconds: float = 0.0
    """Wall-clock time spent in the search (informative only)."""
    details: dict[str, object] = field(default_factory=dict)
    """Search statistics (strategy, iterations, ...), for benchmarks and logs."""

    @property
    def visited(self) -> frozenset[int]:
        """Every node visited by some route."""
        return frozenset(i for r in self.routes for i in r)
