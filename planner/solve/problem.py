"""The plain-data orienteering problem the solver sees, and the plain-data answer it gives.

Both the tourism planner and the literature reader (:mod:`planner.solve.toptw`) build an
:class:`OrienteeringProblem`; :func:`planner.solve.solver.solve` knows nothing else. All times are
integer seconds (or integer literature units) on one clock that starts at 0; the solver never sees
floats, dates, places or languages.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

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
class TimeDependence:
    """Times that depend on the clock: queues at a place by the hour, and timetabled legs.

    Both are exact inside the solver's own timing (:mod:`planner.solve._lns_kernels`) and in its
    independent check (:func:`planner.solve.solver.is_feasible`), and both keep the FIFO
    property (arriving later never lets a visitor leave earlier), so a plan's feasibility still
    follows from one earliest schedule and one latest-arrival pass.

    *Queues.* Time is cut into slots of ``step`` seconds from ``origin`` (slot ``h`` covers
    ``[origin + h * step, origin + (h + 1) * step)``). A visitor who joins the queue of node
    ``i`` in slot ``h`` waits ``queue[i][h]`` seconds before the visit starts; outside the listed
    slots there is no queue. A visitor may also wait where they are and join at the start of a
    later slot when that starts the visit sooner (the FIFO-ised queue: a 40-minute queue at
    10:55 loses to a 5-minute one at 11:00). The visit itself (after the queue) must start in
    one of the node's windows.

    *Values.* A node listed in ``value`` scores ``value[i][h]`` instead of ``score[i]`` when its
    visit starts in slot ``h`` (a packed hour is worth less); outside the listed slots it
    scores ``score[i]``, which must be the highest value it can have.

    *Legs.* A timetabled leg ``(i, j)`` lists its journeys as ``(depart, arrive)`` pairs, both
    strictly increasing: leaving ``i`` at ``t`` reaches ``j`` at the arrival of the first journey
    with ``depart >= t``, or at ``t + travel[i, j]`` (the untimed way: a walk) when that is
    sooner. Use a huge ``travel[i, j]`` where there is no untimed way.
    """

    step: int = 3600
    """Length of a slot, in the problem's time units."""
    origin: int = 0
    """Start of slot 0."""
    queue: dict[int, tuple[int, ...]] = field(default_factory=dict)
    """Node -> queue length (time units) by the slot in which the queue is joined."""
    value: dict[int, tuple[int, ...]] = field(default_factory=dict)
    """Node -> score by the slot in which its visit starts."""
    legs: dict[tuple[int, int], tuple[tuple[int, int], ...]] = field(default_factory=dict)
    """(from, to) -> timetabled journeys ``(depart, arrive)``, sorted, both increasing."""

    def slot(self, t: int) -> int:
        """The slot that time ``t`` falls in (negative before ``origin``)."""
        return (t - self.origin) // self.step

    def wait(self, node: int, join: int) -> int:
        """The queue at ``node`` for a visitor who joins it at ``join``."""
        waits = self.queue.get(node, ())
        h = self.slot(join)
        return waits[h] if 0 <= h < len(waits) else 0

    def score_at(self, node: int, start: int, default: int) -> int:
        """The value of a visit of ``node`` that starts at ``start`` (``default`` when unlisted)."""
        values = self.value.get(node, ())
        h = self.slot(start)
        return values[h] if 0 <= h < len(values) else default


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
    timed: TimeDependence | None = None
    """Queues, values and legs that depend on the clock (None: every time is fixed)."""

    @property
    def clocked(self) -> bool:
        """Whether any time depends on the clock (queues, values by slot, timetabled legs)."""
        t = self.timed
        return t is not None and bool(t.queue or t.value or t.legs)

    def untimed_bound(self) -> OrienteeringProblem:
        """The same problem with every clock-dependent time at its best: no queues, each
        timetabled leg at its fastest journey. Anything this problem can do, that one can,
        so its reachable places are a safe superset."""
        if not self.clocked:
            return self
        assert self.timed is not None
        travel = self.travel.copy()
        for (i, j), journeys in self.timed.legs.items():
            fastest = min(arrive - depart for depart, arrive in journeys)
            travel[i, j] = min(int(travel[i, j]), fastest)
        return replace(self, travel=travel, timed=None)

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
