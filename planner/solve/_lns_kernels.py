"""Compiled kernels of the ruin-and-recreate search (numba, ``nopython`` mode).

:mod:`planner.solve._lns` is the Python face; this module holds the loops that run thousands of times
per second: the earliest schedule and *latest start* of every stop of a route, the cheapest
feasible insertion of a place, the noisy greedy refill, the four ruins, and whole rounds of
ruin, refill and record-to-record acceptance. They are compiled because the search's quality
on large multi-route instances grows with the number of rounds it gets (measured in
bench/README.md).

Data layout. A problem is the :class:`Arrays` tuple (travel matrix, windows as padded
``[node, window]`` arrays, route bounds, allowed routes, insertion weights, candidates, nearest
neighbours). A plan is a :class:`State`: per route, its ``path`` (start depot, visits, end
depot), the number of visits, and the earliest ``leave`` / ``arrive`` times and the ``latest``
start of every position; ``where[node]`` is the route visiting a node or -1. Every kernel that
changes a path recomputes that route's times, so a ``State``'s times are always current.

Determinism. Randomness comes from a SplitMix64 generator whose state is an array the caller
owns: the same seed gives the same rounds, however the caller splits them into calls. ``ctr``
counts the work done (positions evaluated, schedule steps, scans) in the units of
:class:`planner.solve.solver.SearchSettings.work_rate`.

Every kernel is compiled on first use and cached on disk (``cache=True``), so only the first
process after an install pays the compilation (``planner.solve.solver.warm_up`` does it on purpose).
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np
from numba import njit

BIG = np.int64(2**60)

Arrays = namedtuple(
    "Arrays",
    "travel service score wlo whi nwin start end early late allowed weight cands removable near "
    "shortcut timed qclock qn qwait qsoon qvalue lptr ldep larr",
)
"""The problem: ``travel[n, n]``, ``service[n]``, ``score[n]``, windows ``wlo/whi[n, W]`` with
``nwin[n]`` of them used, per route ``start/end`` depot and ``early`` start / ``late`` end,
``allowed[m, n]``, insertion ``weight[n]`` (score squared, huge for required places),
``cands`` (the places worth a visit), ``removable[n]`` (not required), ``near[n, n]``
(every node's nodes by travel both ways, nearest first), and ``shortcut[0]``: the most any
travel time exceeds the shortest path between its two nodes (0 when travel times keep the
triangle inequality). An insertion then delays the next stop by at least the place's visit
minus ``shortcut``, which lets :func:`best_insertion` skip positions without that room.

Clock-dependent times (:class:`planner.solve.problem.TimeDependence`): ``timed[0]`` says whether
there are any; ``qclock = [origin, step]`` cuts time into slots; node ``i`` has ``qn[i]`` slots
(0: no queue and a fixed score) with queue ``qwait[i, h]`` for joining in slot ``h``, the soonest
visit start ``qsoon[i, g]`` by joining at the start of slot ``g`` or later (``g <= qn[i]``; at
``qn[i]`` the queue is over), and value ``qvalue[i, h]`` for a visit starting in slot ``h``. Timetabled legs are in compressed rows:
the journeys of ``i -> j`` are ``ldep/larr[lptr[i * n + j]:lptr[i * n + j + 1]]``."""

Memo = namedtuple("Memo", "delays positions valid")
"""Cheapest insertions into a plan, ``[m, candidates]``, and ``valid[0]``: whether they are."""

State = namedtuple("State", "path size leave arrive latest where ok room begin")
"""A plan and its schedule: ``path[m, L]``, ``size[m]`` visits per route, ``leave/arrive/latest
/begin[m, L]`` per path position (``begin``: when the visit itself starts, after any queue), ``where[n]`` (route of a node or -1), ``ok[m]`` (route feasible),
``room[m]`` (the most any stop's arrival may be delayed: latest start minus arrival)."""

# Counters (``ctr``): work done, rounds, rounds without a new best, new bests, work at the last
# polish, and whether the best plan changed since then.
WORK, ROUNDS, STALE, IMPROVEMENTS, POLISHED_AT, UNPOLISHED = range(6)
# Search parameters (``prm``).
SHARE, MAX_REMOVE, NOISE, THRESHOLD, RESTART, TOTAL, POLISH_GAP, BOUND = range(8)
TIMED_ROUND = 400
"""Extra work charged per round when times depend on the clock: such a round takes about 1.2
times as long (measured on a festival plan of the bundled catalogue: 3,400 rounds in 0.22 s
against 3,800 in 0.20 s for the same work), so that a second of budget stays a second."""
# Why :func:`rounds` returned.
BUDGET_SPENT, POLISH_DUE, BOUND_REACHED, STUCK = range(4)


def new_state(m: int, n: int, length: int, arrays: Arrays) -> State:
    """An empty plan (every route from its start straight to its end), times not yet computed."""
    path = np.zeros((m, length), dtype=np.int64)
    path[:, 0] = arrays.start
    path[:, 1] = arrays.end
    return State(
        path=path,
        size=np.zeros(m, dtype=np.int64),
        leave=np.zeros((m, length), dtype=np.int64),
        arrive=np.zeros((m, length), dtype=np.int64),
        latest=np.zeros((m, length), dtype=np.int64),
        where=np.full(n, -1, dtype=np.int64),
        ok=np.zeros(m, dtype=np.bool_),
        room=np.zeros(m, dtype=np.int64),
        begin=np.zeros((m, length), dtype=np.int64),
    )


# --- random numbers ------------------------------------------------------------------------


@njit(cache=True)
def _next(rng):
    """SplitMix64: the next 64 random bits (``rng`` is a one-element uint64 array)."""
    rng[0] += np.uint64(0x9E3779B97F4A7C15)
    z = rng[0]
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


@njit(cache=True)
def uniform(rng):
    """A float in [0, 1)."""
    return np.float64(_next(rng) >> np.uint64(11)) * (1.0 / 9007199254740992.0)


@njit(cache=True)
def below(rng, count):
    """An int in [0, count)."""
    value = int(uniform(rng) * count)
    return min(value, count - 1)


# --- clock-dependent times ------------------------------------------------------------------


# The helpers take the few arrays they read, not the whole ``Arrays`` tuple: passing the tuple
# costs about 200 ns a call in reference counting (measured), more than the work itself. The
# ``a``-taking forms below them are for callers outside the compiled loops (and the tests).


@njit(cache=True, inline="always")
def _arrive(travel, timed, lptr, ldep, larr, i, j, depart):
    arrival = depart + travel[i, j]
    if timed[0]:
        row = i * travel.shape[0] + j
        lo, hi = lptr[row], lptr[row + 1]
        if lo < hi and ldep[hi - 1] >= depart:
            while lo < hi:  # first journey with ldep >= depart
                mid = (lo + hi) // 2
                if ldep[mid] < depart:
                    lo = mid + 1
                else:
                    hi = mid
            arrival = min(arrival, larr[lo])
    return arrival


@njit(cache=True, inline="always")
def _leave_by(travel, timed, lptr, ldep, larr, i, j, arrive_by):
    depart = arrive_by - travel[i, j]
    if timed[0]:
        row = i * travel.shape[0] + j
        lo, hi = lptr[row], lptr[row + 1]
        if lo < hi and larr[lo] <= arrive_by:
            while hi - lo > 1:  # last journey with larr <= arrive_by
                mid = (lo + hi) // 2
                if larr[mid] <= arrive_by:
                    lo = mid
                else:
                    hi = mid
            depart = max(depart, ldep[lo])
    return depart


@njit(cache=True, inline="always")
def _begin(qn, qclock, qwait, qsoon, node, ready, last):
    slots = qn[node]
    if slots == 0:
        return ready if ready <= last else BIG
    h = (ready - qclock[0]) // qclock[1]
    if h < 0 or h >= slots:
        return ready if ready <= last else BIG
    best = min(ready + qwait[node, h], qsoon[node, h + 1])
    return best if best <= last else BIG


@njit(cache=True, inline="always")
def _ready_by(qn, qclock, qwait, qsoon, node, begin_by, last):
    top = min(begin_by, last)
    slots = qn[node]
    if slots == 0:
        return top
    origin, step = qclock[0], qclock[1]
    h = (top - origin) // step
    if h < 0 or h >= slots:
        return top  # no queue at that hour
    for g in range(h, -1, -1):
        first = origin + g * step
        final = min(first + step - 1, top)
        if qsoon[node, g + 1] <= top:
            return final  # anyone in this slot can wait for a later, shorter queue
        ready = top - qwait[node, g]
        if ready >= first:
            return min(ready, final)
    return origin - 1  # before the first slot there is no queue


@njit(cache=True, inline="always")
def _start_in(nwin, wlo, whi, qn, qclock, qwait, qsoon, node, arrival):
    for w in range(nwin[node]):
        if whi[node, w] >= arrival:
            begin = _begin(qn, qclock, qwait, qsoon, node, max(arrival, wlo[node, w]), whi[node, w])
            if begin < BIG:
                return w, begin
    return -1, BIG


@njit(cache=True, inline="always")
def _value(qn, qclock, qvalue, score, node, begin):
    slots = qn[node]
    if slots > 0:
        h = (begin - qclock[0]) // qclock[1]
        if 0 <= h < slots:
            return qvalue[node, h]
    return score[node]


@njit(cache=True)
def arrive_at(a, i, j, depart):
    """When a traveller leaving ``i`` at ``depart`` reaches ``j``: the untimed way or the first
    timetabled journey that leaves at or after ``depart``, whichever is sooner."""
    return _arrive(a.travel, a.timed, a.lptr, a.ldep, a.larr, i, j, depart)


@njit(cache=True)
def latest_leave(a, i, j, arrive_by):
    """The latest departure from ``i`` that reaches ``j`` by ``arrive_by`` (the inverse of
    :func:`arrive_at`, which never decreases)."""
    return _leave_by(a.travel, a.timed, a.lptr, a.ldep, a.larr, i, j, arrive_by)


@njit(cache=True)
def visit_start(a, node, ready, last):
    """The earliest start of a visit of ``node`` for a visitor at its gate from ``ready`` on,
    the visit starting by ``last``: BIG when it cannot.

    With a queue, the visitor joins it at ``ready`` or at the start of a later slot, whichever
    starts the visit sooner (the FIFO-ised queue); ``qsoon[node, g]`` is the soonest start by
    joining at the start of slot ``g`` or later, so this is O(1).
    """
    return _begin(a.qn, a.qclock, a.qwait, a.qsoon, node, ready, last)


@njit(cache=True)
def latest_ready(a, node, begin_by, last):
    """The latest time a visitor may reach ``node``'s gate and still start the visit by
    ``begin_by`` (and by ``last``): the inverse of :func:`visit_start`, which never decreases."""
    return _ready_by(a.qn, a.qclock, a.qwait, a.qsoon, node, begin_by, last)


@njit(cache=True)
def start_in(a, node, arrival):
    """(window, visit start) of the first window of ``node`` whose visit can still start for a
    visitor arriving at ``arrival``; (-1, BIG) when none can."""
    return _start_in(a.nwin, a.wlo, a.whi, a.qn, a.qclock, a.qwait, a.qsoon, node, arrival)


# --- schedules -----------------------------------------------------------------------------


@njit(cache=True)
def route_times(a, s, k, ctr):
    """Recompute route ``k``'s earliest times and latest starts; False if it breaks a rule.

    A visit starts in the first window still open on arrival; its latest start is capped by
    that window's end (a place with several windows is kept in its current one: conservative).
    ``latest`` is the latest *arrival* at each stop that keeps the rest of the route feasible;
    with clock-dependent times (queues, timetables) it is exact too, because arriving later
    never means leaving earlier.
    """
    if a.timed[0]:
        return _timed_route_times(a, s, k, ctr)
    size = s.size[k]
    path = s.path[k]
    travel, service = a.travel, a.service
    now = a.early[k]
    s.leave[k, 0] = now
    s.arrive[k, 0] = now
    previous = path[0]
    ctr[WORK] += 3 * size + 10
    for i in range(1, size + 1):
        node = path[i]
        arrival = now + travel[previous, node]
        found = False
        for w in range(a.nwin[node]):
            if a.whi[node, w] >= arrival:
                begin = max(arrival, a.wlo[node, w])
                s.begin[k, i] = begin
                now = begin + service[node]
                found = True
                break
        if not found:
            s.ok[k] = False
            return False
        s.arrive[k, i] = arrival
        s.leave[k, i] = now
        previous = node
    arrival = now + travel[previous, path[size + 1]]
    if arrival > a.late[k]:
        s.ok[k] = False
        return False
    s.arrive[k, size + 1] = arrival
    s.leave[k, size + 1] = arrival
    s.latest[k, size + 1] = a.late[k]
    room = a.late[k] - arrival
    for i in range(size, 0, -1):
        node = path[i]
        cap = a.late[k]
        for w in range(a.nwin[node]):
            if a.whi[node, w] >= s.arrive[k, i]:
                cap = a.whi[node, w]
                break
        s.latest[k, i] = min(cap, s.latest[k, i + 1] - travel[node, path[i + 1]] - service[node])
        room = max(room, s.latest[k, i] - s.arrive[k, i])
    s.latest[k, 0] = a.early[k]
    s.room[k] = room
    s.ok[k] = True
    return True


@njit(cache=True, inline="always")
def _timed_route_times(a, s, k, ctr):
    """:func:`route_times` with queues and timetabled legs (see :func:`arrive_at`,
    :func:`visit_start` and their inverses)."""
    size = s.size[k]
    path = s.path[k]
    service = a.service
    travel, timed, lptr, ldep, larr = a.travel, a.timed, a.lptr, a.ldep, a.larr
    nwin, wlo, whi = a.nwin, a.wlo, a.whi
    qn, qclock, qwait, qsoon = a.qn, a.qclock, a.qwait, a.qsoon
    arrive, leave, begins, latest = s.arrive[k], s.leave[k], s.begin[k], s.latest[k]
    now = a.early[k]
    leave[0] = now
    arrive[0] = now
    begins[0] = now
    previous = path[0]
    ctr[WORK] += 6 * size + 10
    for i in range(1, size + 1):
        node = path[i]
        arrival = _arrive(travel, timed, lptr, ldep, larr, previous, node, now)
        w, begin = _start_in(nwin, wlo, whi, qn, qclock, qwait, qsoon, node, arrival)
        if w < 0:
            s.ok[k] = False
            return False
        arrive[i] = arrival
        begins[i] = begin
        now = begin + service[node]
        leave[i] = now
        previous = node
    arrival = _arrive(travel, timed, lptr, ldep, larr, previous, path[size + 1], now)
    late = a.late[k]
    if arrival > late:
        s.ok[k] = False
        return False
    arrive[size + 1] = arrival
    leave[size + 1] = arrival
    begins[size + 1] = arrival
    latest[size + 1] = late
    room = late - arrival
    for i in range(size, 0, -1):
        node = path[i]
        last = late
        for w in range(nwin[node]):
            if whi[node, w] >= arrive[i]:
                last = whi[node, w]
                break
        leave_by = _leave_by(travel, timed, lptr, ldep, larr, node, path[i + 1], latest[i + 1])
        latest[i] = _ready_by(qn, qclock, qwait, qsoon, node, leave_by - service[node], last)
        room = max(room, latest[i] - arrive[i])
    latest[0] = a.early[k]
    s.room[k] = room
    s.ok[k] = True
    return True


@njit(cache=True)
def best_insertion(a, s, k, node, ctr):
    """Cheapest feasible insertion of ``node`` into route ``k``: (delay, visit index).

    The delay is how much later the next stop is reached; ``BIG`` when no position fits.
    """
    size = s.size[k]
    path = s.path[k]
    travel = a.travel
    timed = a.timed[0]
    lptr, ldep, larr = a.lptr, a.ldep, a.larr
    nwin, wlo, whi = a.nwin, a.wlo, a.whi
    qn, qclock, qwait, qsoon = a.qn, a.qclock, a.qwait, a.qsoon
    best, position = BIG, -1
    last_close = a.whi[node, a.nwin[node] - 1] if a.nwin[node] > 0 else -1
    service = a.service[node]
    least = service - a.shortcut[0]  # the least delay this visit can cause
    if s.room[k] < least:
        ctr[WORK] += 2
        return best, position  # no stop of the route can wait that long
    evaluated = skipped = 0
    for p in range(size + 1):
        depart = s.leave[k, p]
        if depart > last_close:
            break  # departures only grow along a route: no later position can open
        if s.latest[k, p + 1] - s.arrive[k, p + 1] < least:
            skipped += 1  # the next stop cannot wait that long
            continue
        evaluated += 1
        if timed:
            arrival = _arrive(travel, a.timed, lptr, ldep, larr, path[p], node, depart)
            w, start = _start_in(nwin, wlo, whi, qn, qclock, qwait, qsoon, node, arrival)
            if w < 0:
                continue
            back = _arrive(travel, a.timed, lptr, ldep, larr, node, path[p + 1], start + service)
        else:
            arrival = depart + travel[path[p], node]
            start = -1
            for w in range(a.nwin[node]):
                if a.whi[node, w] >= arrival:
                    start = max(arrival, a.wlo[node, w])
                    break
            if start < 0:
                continue
            back = start + service + travel[node, path[p + 1]]
        if back <= s.latest[k, p + 1]:
            delay = back - s.arrive[k, p + 1]
            if delay < best:
                best, position = delay, p
    ctr[WORK] += (3 if timed else 1) * evaluated + skipped // 4 + 6
    return best, position


@njit(cache=True)
def insert(s, k, p, node):
    """Put ``node`` at visit index ``p`` of route ``k`` (times not recomputed)."""
    size = s.size[k]
    for i in range(size + 1, p, -1):
        s.path[k, i + 1] = s.path[k, i]
    s.path[k, p + 1] = node
    s.size[k] = size + 1
    s.where[node] = k


@njit(cache=True)
def remove_at(s, k, p):
    """Take the visit at visit index ``p`` out of route ``k`` (times not recomputed)."""
    size = s.size[k]
    s.where[s.path[k, p + 1]] = -1
    for i in range(p + 1, size + 1):
        s.path[k, i] = s.path[k, i + 1]
    s.size[k] = size - 1


@njit(cache=True)
def copy_state(source, target):
    """Make ``target`` the same plan as ``source`` (same shapes)."""
    target.path[:] = source.path
    target.size[:] = source.size
    target.leave[:] = source.leave
    target.arrive[:] = source.arrive
    target.latest[:] = source.latest
    target.where[:] = source.where
    target.ok[:] = source.ok
    target.begin[:] = source.begin


@njit(cache=True)
def value(a, s):
    """(score, total travel) of a plan, depot legs included.

    With clock-dependent times a visit scores by the slot it starts in, and "travel" is every
    minute of the day not spent visiting (legs, waits for a bus, queues, waits for opening):
    the time a plan loses.
    """
    score = 0
    travel = 0
    timed = a.timed[0]
    qn, qclock, qvalue, points, service = a.qn, a.qclock, a.qvalue, a.score, a.service
    for k in range(s.size.shape[0]):
        path = s.path[k]
        size = s.size[k]
        if timed:
            travel += s.arrive[k, size + 1] - s.leave[k, 0]
            for i in range(1, size + 1):
                travel -= service[path[i]]
                score += _value(qn, qclock, qvalue, points, path[i], s.begin[k, i])
            continue
        for i in range(size + 1):
            travel += a.travel[path[i], path[i + 1]]
            if i > 0:
                score += a.score[path[i]]
    return score, travel


@njit(cache=True)
def same_plan(x, y):
    """Whether two states hold the same routes."""
    for k in range(x.size.shape[0]):
        if x.size[k] != y.size[k]:
            return False
        for i in range(1, x.size[k] + 1):
            if x.path[k, i] != y.path[k, i]:
                return False
    return True


# --- recreate ------------------------------------------------------------------------------


@njit(cache=True)
def repair(a, s, noise, deferred, use_deferred, rng, ctr, delays, positions, changed):
    """Insert places greedily by noisy ``weight / (delay + 1)`` until none fits.

    ``weight`` is the score squared (Vansteenwegen et al. 2009's insertion rule). Places marked
    in ``deferred`` (just removed) wait until nothing else fits, so a refill does not simply
    undo its ruin. An insertion only delays the stops after it and tightens those before, so
    (travel times with the triangle inequality) a place that did not fit a route still does not
    after an insertion into it: only the places that fitted are re-evaluated.

    ``delays`` / ``positions`` may come filled in for the plan before its ruin: then only the
    routes marked in ``changed`` are evaluated afresh, and in the others only the places just
    removed (``deferred``); they leave filled in for the refilled plan.
    """
    m = s.size.shape[0]
    cands = a.cands
    count = cands.shape[0]
    factor = np.ones(count)
    if noise > 0.0:
        for c in range(count):
            factor[c] = 1.0 + noise * uniform(rng)
    for k in range(m):
        for c in range(count):
            node = cands[c]
            if not (changed[k] or deferred[node]):
                continue  # this route is as it was, and so is what fits in it
            if s.ok[k] and s.where[node] < 0 and a.allowed[k, node]:
                delays[k, c], positions[k, c] = best_insertion(a, s, k, node, ctr)
            else:
                delays[k, c] = BIG
    for stage in range(2):
        holding = use_deferred and stage == 0
        if stage == 0 and not use_deferred:
            continue
        while True:
            best = -1.0
            chosen_k, chosen_c = -1, -1
            ctr[WORK] += m * count // 4 + 1
            for k in range(m):
                for c in range(count):
                    delay = delays[k, c]
                    if delay >= BIG:
                        continue
                    node = cands[c]
                    if s.where[node] >= 0 or (holding and deferred[node]):
                        continue
                    priority = a.weight[node] * factor[c] / (max(delay, 0) + 1.0)
                    if priority > best:
                        best, chosen_k, chosen_c = priority, k, c
            if chosen_k < 0:
                break
            k, node = chosen_k, cands[chosen_c]
            p = positions[k, chosen_c]
            insert(s, k, p, node)
            if not route_times(a, s, k, ctr):  # cannot happen with exact latest starts
                remove_at(s, k, p)
                route_times(a, s, k, ctr)
                delays[k, chosen_c] = BIG
                continue
            for c in range(count):
                if delays[k, c] < BIG and s.where[cands[c]] < 0:
                    delays[k, c], positions[k, c] = best_insertion(a, s, k, cands[c], ctr)
                else:
                    delays[k, c] = BIG


# --- ruin ----------------------------------------------------------------------------------


@njit(cache=True)
def ruin(a, s, rng, share, max_remove, removed, ctr):
    """Remove visits by one random rule; mark them in ``removed``; return how many went.

    Returns -1 when the plan has no visit that may be removed.

    Rules: random visits, a visit and its nearest visited neighbours, the worst score per time
    saved (noisy), and a run of consecutive visits (no whole-route ruin: measured in
    bench/README.md).

    Between 1 and ``share`` of the visits go (at least 4, at most ``max_remove``). Required
    places stay. A removal that makes a route late (travel times without the triangle
    inequality) is undone for that route.
    """
    m = s.size.shape[0]
    total = 0
    for k in range(m):
        total += s.size[k]
    ctr[WORK] += total + 8
    visits = np.empty(total, dtype=np.int64)
    count_visits = 0
    for k in range(m):
        for i in range(1, s.size[k] + 1):
            node = s.path[k, i]
            if a.removable[node]:
                visits[count_visits] = node
                count_visits += 1
    if count_visits == 0:
        return -1  # nothing may be removed
    most = min(count_visits, max_remove, max(4, int(share * count_visits + 0.5)))
    count = 1 + below(rng, max(1, most))
    kind = below(rng, 4)
    if kind == 0:  # random visits (partial Fisher-Yates)
        for i in range(count):
            j = i + below(rng, count_visits - i)
            visits[i], visits[j] = visits[j], visits[i]
            removed[visits[i]] = True
    elif kind == 1:  # related: a visit and its nearest visited neighbours
        seed = visits[below(rng, count_visits)]
        taken = 0
        for node in a.near[seed]:
            if taken >= count:
                break
            if s.where[node] >= 0 and a.removable[node]:
                removed[node] = True
                taken += 1
        ctr[WORK] += a.near.shape[1] // 4
    elif kind == 2:  # worst score per time saved, noisy
        ratio = np.empty(count_visits)
        for i in range(count_visits):
            node = visits[i]
            k = s.where[node]
            p = 1
            while s.path[k, p] != node:
                p += 1
            before, after = s.path[k, p - 1], s.path[k, p + 1]
            saved = a.travel[before, node] + a.service[node] + a.travel[node, after]
            saved -= a.travel[before, after]
            ratio[i] = a.score[node] / (max(saved, 0) + 1.0) * (0.5 + uniform(rng))
        order = np.argsort(ratio, kind="mergesort")
        for i in range(count):
            removed[visits[order[i]]] = True
        ctr[WORK] += 4 * count_visits
    else:  # a run of consecutive visits of one route
        busy = 0
        for k in range(m):
            if s.size[k] > 0:
                busy += 1
        pick = below(rng, busy)
        k = 0
        for r in range(m):
            if s.size[r] > 0:
                if pick == 0:
                    k = r
                    break
                pick -= 1
        length = min(s.size[k], count)
        first = below(rng, s.size[k] - length + 1)
        for i in range(first, first + length):
            node = s.path[k, i + 1]
            if a.removable[node]:
                removed[node] = True
    gone = 0
    for k in range(m):
        size = s.size[k]
        kept = 0
        for i in range(1, size + 1):
            node = s.path[k, i]
            if not removed[node]:
                kept += 1
        if kept == size:
            continue
        original = s.path[k, : size + 2].copy()
        write = 1
        for i in range(1, size + 2):
            node = original[i]
            if i == size + 1 or not removed[node]:
                s.path[k, write] = node
                write += 1
            else:
                s.where[node] = -1
        s.size[k] = kept
        if route_times(a, s, k, ctr):
            gone += size - kept
        else:  # late without them: keep the route as it was
            s.path[k, : size + 2] = original
            s.size[k] = size
            for i in range(1, size + 1):
                node = original[i]
                s.where[node] = k
                removed[node] = False
            route_times(a, s, k, ctr)
    return gone


# --- the search loop -----------------------------------------------------------------------


@njit(cache=True)
def rounds(a, cur, cand, best, rng, ctr, prm, removed, delays, positions, memo, work_stop):
    """Ruin-and-recreate rounds until ``work_stop`` work, the bound, or a best plan to polish.

    ``best`` holds the best plan found, ``cur`` the plan the rounds start from; a round's
    ``cand`` replaces ``cur`` if it is no worse, or within the record-to-record share of the
    best score (the share shrinks linearly to zero over the budget ``prm[TOTAL]``). After
    ``prm[RESTART]`` rounds without a new best, ``cur`` returns to ``best``. Returns why it
    stopped; with ``POLISH_DUE`` the new best is in ``best`` (and ``cur``) for the caller to
    polish.

    ``memo`` is what fits where in ``cur`` (delays, positions, and whether they are current),
    kept by the caller between calls so that slicing the rounds into calls changes nothing; the
    caller clears ``memo.valid[0]`` whenever it replaces ``cur``.
    """
    n = removed.shape[0]
    m = cur.size.shape[0]
    best_score, best_travel = value(a, best)
    cur_score, cur_travel = value(a, cur)
    # What fits where in ``cur``: reused by the next round for the routes its ruin leaves alone.
    cur_delays, cur_positions = memo.delays, memo.positions
    changed = np.ones(m, dtype=np.bool_)
    while ctr[WORK] < work_stop:
        if best_score >= prm[BOUND]:
            return BOUND_REACHED
        ctr[ROUNDS] += 1
        copy_state(cur, cand)
        ctr[WORK] += cur.path.size + 1500  # a round's fixed cost (measured in bench/README.md)
        if a.timed[0]:
            ctr[WORK] += TIMED_ROUND  # clock-dependent times cost more per round
        for i in range(n):
            removed[i] = False
        gone = ruin(a, cand, rng, prm[SHARE], int(prm[MAX_REMOVE]), removed, ctr)
        for k in range(m):
            changed[k] = not memo.valid[0] or cand.size[k] != cur.size[k]
        if memo.valid[0]:
            delays[:] = cur_delays
            positions[:] = cur_positions
            ctr[WORK] += delays.size // 8
        repair(a, cand, prm[NOISE], removed, gone > 0, rng, ctr, delays, positions, changed)
        if gone < 0 and same_plan(cand, cur):
            return STUCK  # nothing may be removed and nothing fits: no round can change it
        score, travel = value(a, cand)
        if score > best_score or (score == best_score and travel < best_travel):
            copy_state(cand, best)
            best_score, best_travel = score, travel
            ctr[STALE] = 0
            ctr[IMPROVEMENTS] += 1
            ctr[UNPOLISHED] = 1
            if ctr[WORK] - ctr[POLISHED_AT] >= prm[POLISH_GAP]:
                copy_state(cand, cur)
                memo.valid[0] = False
                return POLISH_DUE
        else:
            ctr[STALE] += 1
        share = prm[THRESHOLD] * max(0.0, 1.0 - ctr[WORK] / prm[TOTAL])
        if (
            score > cur_score
            or (score == cur_score and travel <= cur_travel)
            or score >= best_score * (1.0 - share)
        ):
            copy_state(cand, cur)
            cur_score, cur_travel = score, travel
            cur_delays[:] = delays
            cur_positions[:] = positions
            memo.valid[0] = True
        if ctr[STALE] >= prm[RESTART]:
            copy_state(best, cur)
            cur_score, cur_travel = best_score, best_travel
            ctr[STALE] = 0
            memo.valid[0] = False
    return BUDGET_SPENT
