"""Connection Scan profiles: every Pareto-optimal bus journey between points over a service day.

A :class:`Timetable` is a feed's day as a list of *connections* (one bus driving from one stop to
the next), sorted by departure: the runs of the services of that day, plus the runs of the day
before that go on past midnight (a GTFS time of ``25:10:00`` belongs to the previous service day
and is 01:10 today). :func:`profiles` runs the profile variant of the Connection Scan Algorithm
(Dibbelt, Pajor, Strasser, Wagner: "Connection Scan Algorithm", 2017) once per target point:
scanning connections from the latest to the earliest, it keeps per stop the journeys to the
target that no other journey beats by leaving later *and* arriving no later. Walking joins the
ends (to stops within ``access_radius_m``) and changes (stops within ``transfer_radius_m``).
The answer is exact for the timetable; it is only as true as the timetable.
"""

from __future__ import annotations

import datetime as dt
import math
from bisect import bisect_left, bisect_right
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .feed import DAY_S, Feed, LonLat, TripRun
from .journeys import Journey, Leg, RideLeg, WalkLeg
from .walking import WalkSeconds, WalkSettings, straight_line_walk

INF = 1 << 40
EARTH_M = 6_371_008.8

Entry = tuple[int, int, Any]
"""A profile entry at a stop: (departure from the stop, arrival at the target, how)."""


def _distances_m(lonlat: LonLat, lons: np.ndarray, lats: np.ndarray) -> np.ndarray:
    lon0, lat0 = math.radians(lonlat[0]), math.radians(lonlat[1])
    la, lo = np.radians(lats), np.radians(lons)
    h = np.sin((la - lat0) / 2) ** 2 + math.cos(lat0) * np.cos(la) * np.sin((lo - lon0) / 2) ** 2
    return np.asarray(2 * EARTH_M * np.arcsin(np.sqrt(h)))


class Timetable:
    """The connections of one service day of a feed, ready for :func:`profiles`.

    Parameters
    ----------
    feed
        A feed from :func:`planner.travel.transit.load_feed`.
    day
        The date planned; its services and the previous day's after-midnight runs are used.
    settings
        Walking radii, speed, detour and change margin (:class:`WalkSettings` defaults).
    walk
        ``walk_seconds(a, b) -> int | None``; default the straight line of ``settings``. A road
        network can supply it instead.
    """

    def __init__(
        self,
        feed: Feed,
        day: dt.date,
        *,
        settings: WalkSettings | None = None,
        walk: WalkSeconds | None = None,
    ) -> None:
        self.feed = feed
        self.day = day
        self.settings = settings or WalkSettings()
        self.walk = walk or straight_line_walk(self.settings)
        self.service_ids = feed.services_on(day)
        self.previous_service_ids = feed.services_on(day - dt.timedelta(days=1))
        self.key = (
            feed.name,
            self.service_ids,
            self.previous_service_ids,
            self.settings.key(),
            "straight" if walk is None else id(walk),
        )
        self.stop_ids = list(feed.stops)
        self.stops = [feed.stops[s] for s in self.stop_ids]
        self.lons = np.array([s.lonlat[0] for s in self.stops], dtype=float)
        self.lats = np.array([s.lonlat[1] for s in self.stops], dtype=float)
        self._build_connections()
        self._build_transfers()
        self._cache: OrderedDict[tuple[Any, ...], ProfileMatrix] = OrderedDict()

    def _build_connections(self) -> None:
        index = {s: i for i, s in enumerate(self.stop_ids)}
        runs: list[tuple[TripRun, int]] = [(r, 0) for r in self.feed.runs(self.service_ids)]
        runs += [(r, -DAY_S) for r in self.feed.runs(self.previous_service_ids)]
        rows: list[tuple[int, int, int, int, int, int]] = []
        kept: list[tuple[TripRun, int]] = []
        for run, shift in runs:
            k = len(kept)
            added = False
            for pos in range(len(run.trip.stop_ids) - 1):
                dep = run.departures[pos] + shift
                if dep < 0:  # yesterday's run before midnight: not part of today
                    continue
                arr = run.arrivals[pos + 1] + shift
                u, v = index[run.trip.stop_ids[pos]], index[run.trip.stop_ids[pos + 1]]
                rows.append((dep, arr, u, v, k, pos))
                added = True
            if added:
                kept.append((run, shift))
        rows.sort()
        self.runs = kept
        self.c_dep = [r[0] for r in rows]
        self.c_arr = [r[1] for r in rows]
        self.c_from = [r[2] for r in rows]
        self.c_to = [r[3] for r in rows]
        self.c_run = [r[4] for r in rows]
        self.c_pos = [r[5] for r in rows]

    def _build_transfers(self) -> None:
        """Walks between stops close enough to change lines on foot (each way)."""
        radius = self.settings.transfer_radius_m
        self.transfers: list[list[tuple[int, int]]] = [[] for _ in self.stops]
        for a, stop in enumerate(self.stops):
            near = np.nonzero(_distances_m(stop.lonlat, self.lons, self.lats) <= radius)[0]
            for b in near.tolist():
                if b == a:
                    continue
                seconds = self.walk(stop.lonlat, self.stops[b].lonlat)
                if seconds is not None:
                    self.transfers[a].append((b, seconds))

    @property
    def connections(self) -> int:
        """How many stop-to-stop bus movements the day has."""
        return len(self.c_dep)

    def nearby(self, point: LonLat) -> list[tuple[int, int]]:
        """Stops within walking reach of ``point``: (stop index, walking seconds)."""
        within = _distances_m(point, self.lons, self.lats) <= self.settings.access_radius_m
        out = []
        for s in np.nonzero(within)[0].tolist():
            seconds = self.walk(point, self.stops[s].lonlat)
            if seconds is not None:
                out.append((s, seconds))
        return out


def profiles(
    timetable: Timetable,
    points: Sequence[LonLat],
    earliest: int,
    latest: int,
) -> ProfileMatrix:
    """Pareto-optimal bus journeys between every ordered pair of ``points``.

    Parameters
    ----------
    timetable
        The day's connections.
    points
        WGS84 ``(lon, lat)`` points (the places of a plan).
    earliest, latest
        Journeys leave their point at or after ``earliest`` and arrive by ``latest`` (seconds
        since the day's midnight).

    Returns
    -------
    ProfileMatrix
        Cached on the timetable per (points, earliest, latest): a plan's repeated calls are free.
    """
    key = (tuple((float(x), float(y)) for x, y in points), earliest, latest)
    cached = timetable._cache.get(key)
    if cached is not None:
        timetable._cache.move_to_end(key)
        return cached
    matrix = _compute(timetable, key[0], earliest, latest)
    timetable._cache[key] = matrix
    while len(timetable._cache) > 16:
        timetable._cache.popitem(last=False)
    return matrix


def _compute(
    tt: Timetable, points: tuple[LonLat, ...], earliest: int, latest: int
) -> ProfileMatrix:
    near = [tt.nearby(p) for p in points]
    walk_only = _walk_only(tt, points)
    n = len(points)
    compact: list[list[tuple[tuple[int, int, Any], ...]]] = [[()] * n for _ in range(n)]
    first = bisect_left(tt.c_dep, earliest)
    last = bisect_right(tt.c_dep, latest)
    for j in range(n):
        if not near[j]:
            continue
        profile = _scan(tt, dict(near[j]), first, last, latest)
        for i in range(n):
            if i != j and near[i]:
                compact[i][j] = _combine(near[i], profile, earliest, latest, walk_only[i][j])
    return ProfileMatrix(tt, points, earliest, latest, compact, walk_only)


def _walk_only(tt: Timetable, points: tuple[LonLat, ...]) -> list[list[int | None]]:
    out: list[list[int | None]] = []
    lons = np.array([p[0] for p in points], dtype=float)
    lats = np.array([p[1] for p in points], dtype=float)
    for i, p in enumerate(points):
        far = _distances_m(p, lons, lats) > tt.settings.max_walk_m
        row: list[int | None] = []
        for j, q in enumerate(points):
            row.append(0 if i == j else None if far[j] else tt.walk(p, q))
        out.append(row)
    return out


def _scan(
    tt: Timetable, egress: dict[int, int], first: int, last: int, latest: int
) -> tuple[list[list[int]], list[list[Entry]]]:
    """Profile CSA towards one target: per stop, Pareto entries in decreasing departure.

    ``keys[s]`` holds the negated departures (ascending, for :mod:`bisect`), ``entries[s]`` the
    entries; an entry's ``how`` is ``(boarding connection, tail)`` and a tail is
    ``(exit connection, None)`` for walking to the target or ``(exit connection, (stop, walk,
    entry))`` for changing to another bus.
    """
    stops = len(tt.stops)
    keys: list[list[int]] = [[] for _ in range(stops)]
    entries: list[list[Entry]] = [[] for _ in range(stops)]
    trip_arr = [INF] * len(tt.runs)
    trip_tail: list[Any] = [None] * len(tt.runs)
    change = tt.settings.change_s
    c_dep, c_arr, c_from, c_to, c_run = tt.c_dep, tt.c_arr, tt.c_from, tt.c_to, tt.c_run
    transfers = tt.transfers
    for c in range(last - 1, first - 1, -1):
        arr = c_arr[c]
        if arr > latest:
            continue
        v, k = c_to[c], c_run[c]
        best, tail = trip_arr[k], trip_tail[k]
        walk = egress.get(v)
        if walk is not None and arr + walk < best:
            best, tail = arr + walk, (c, None)
        ready = arr + change
        for w, seconds in ((v, 0), *transfers[v]):
            ks = keys[w]
            if ks:
                at = bisect_right(ks, -(ready + seconds)) - 1
                if at >= 0 and entries[w][at][1] < best:
                    best, tail = entries[w][at][1], (c, (w, seconds, entries[w][at]))
        if best >= INF:
            continue
        trip_arr[k], trip_tail[k] = best, tail
        u, dep = c_from[c], c_dep[c]
        ku, eu = keys[u], entries[u]
        if eu and eu[-1][1] <= best:
            continue
        entry = (dep, best, (c, tail))
        if ku and ku[-1] == -dep:
            eu[-1] = entry
        else:
            ku.append(-dep)
            eu.append(entry)
    return keys, entries


def _combine(
    access: list[tuple[int, int]],
    profile: tuple[list[list[int]], list[list[Entry]]],
    earliest: int,
    latest: int,
    walk_only: int | None,
) -> tuple[tuple[int, int, Any], ...]:
    """The point-to-point profile: access walks joined to the stops' entries, Pareto-filtered
    (and journeys that walking at the same time would beat dropped)."""
    _, entries = profile
    candidates: list[tuple[int, int, int, int, Entry]] = []
    for s, walk in access:
        for entry in entries[s]:
            leave = entry[0] - walk
            if leave >= earliest and entry[1] <= latest:
                candidates.append((leave, -entry[1], s, walk, entry))
    candidates.sort(reverse=True)  # latest departure first; at equal departure, earliest arrival
    out: list[tuple[int, int, Any]] = []
    best = INF
    for leave, neg_arrive, s, walk, entry in candidates:
        arrive = -neg_arrive
        if arrive >= best or (walk_only is not None and arrive >= leave + walk_only):
            continue
        best = arrive
        out.append((leave, arrive, (s, walk, entry)))
    out.reverse()
    return tuple(out)


@dataclass
class ProfileMatrix:
    """For each ordered pair of points, the Pareto-optimal journeys of the day.

    ``times(i, j)`` is the compact form the solver needs (``(depart, arrive)`` pairs, both
    strictly increasing); ``journeys(i, j)`` builds the legs on demand (and keeps them).
    """

    timetable: Timetable
    points: tuple[LonLat, ...]
    earliest: int
    latest: int
    _compact: list[list[tuple[tuple[int, int, Any], ...]]]
    walk_only: list[list[int | None]]
    """Seconds walking straight from point i to point j; None beyond ``max_walk_m``."""
    _built: dict[tuple[int, int], tuple[Journey, ...]] = field(default_factory=dict)
    _departures: dict[tuple[int, int], list[int]] = field(default_factory=dict)

    def times(self, i: int, j: int) -> tuple[tuple[int, int], ...]:
        """``(depart, arrive)`` of each journey from i to j, sorted by departure."""
        return tuple((d, a) for d, a, _ in self._compact[i][j])

    def journeys(self, i: int, j: int) -> tuple[Journey, ...]:
        """The journeys from point i to point j with their legs, sorted by departure."""
        key = (i, j)
        if key not in self._built:
            self._built[key] = tuple(
                self._journey(i, j, d, a, how) for d, a, how in self._compact[i][j]
            )
        return self._built[key]

    def earliest_arrival(self, i: int, j: int, t: int) -> Journey | None:
        """Leaving point i at ``t``: the journey that arrives at j first, bus or walk.

        The bus journey is the first of the profile leaving at or after ``t`` (the visitor waits
        at i until its ``depart``); the walk leaves at ``t``. None when neither exists (after the
        last bus, too far to walk). Ties go to walking.
        """
        compact = self._compact[i][j]
        departures = self._departures.get((i, j))
        if departures is None:
            departures = self._departures[i, j] = [d for d, _, _ in compact]
        at = bisect_left(departures, t)
        walk = self.walk_only[i][j]
        walked = None if walk is None else t + walk
        if at < len(compact) and (walked is None or compact[at][1] < walked):
            return self.journeys(i, j)[at]
        if walk is None:
            return None
        return Journey(t, t + walk, (self._walk(self.points[i], self.points[j], t, walk),))

    def _walk(
        self,
        a: LonLat,
        b: LonLat,
        t: int,
        seconds: int,
        from_stop: str | None = None,
        to_stop: str | None = None,
    ) -> WalkLeg:
        metres = self.timetable.settings.metres(a, b)
        return WalkLeg(a, b, t, t + seconds, seconds, metres, from_stop, to_stop)

    def _journey(self, i: int, j: int, depart: int, arrive: int, how: Any) -> Journey:
        tt = self.timetable
        stop, walk, entry = how
        legs: list[Leg] = []
        if walk:
            legs.append(
                self._walk(
                    self.points[i], tt.stops[stop].lonlat, depart, walk, None, tt.stops[stop].name
                )
            )
        while True:
            board, (exit_c, nxt) = entry[2]
            legs.append(self._ride(board, exit_c))
            alight = tt.c_to[exit_c]
            if nxt is None:
                seconds = arrive - tt.c_arr[exit_c]
                if seconds:
                    here = tt.stops[alight]
                    legs.append(
                        self._walk(
                            here.lonlat, self.points[j], tt.c_arr[exit_c], seconds, here.name
                        )
                    )
                return Journey(depart, arrive, tuple(legs))
            other, seconds, entry = nxt
            if seconds:
                a, b = tt.stops[alight], tt.stops[other]
                legs.append(
                    self._walk(a.lonlat, b.lonlat, tt.c_arr[exit_c], seconds, a.name, b.name)
                )

    def _ride(self, board: int, exit_c: int) -> RideLeg:
        tt = self.timetable
        run, shift = tt.runs[tt.c_run[board]]
        first, last = tt.c_pos[board], tt.c_pos[exit_c] + 1
        stops = [tt.feed.stops[s] for s in run.trip.stop_ids[first : last + 1]]
        line = tt.feed.lines[run.trip.line_id]
        return RideLeg(
            line=line.short_name,
            line_id=line.id,
            headsign=run.trip.headsign,
            board_stop=stops[0].name,
            board_stop_en=stops[0].name_en,
            alight_stop=stops[-1].name,
            alight_stop_en=stops[-1].name_en,
            depart=run.departures[first] + shift,
            arrive=run.arrivals[last] + shift,
            path=tuple(s.lonlat for s in stops),
            trip_id=run.run_id,
            estimated=line.estimated,
            confidence=line.confidence,
            source=line.source,
            headway_s=run.headway_s,
        )
