"""Bus days on the timetable: the solver's timetabled legs, the leg-by-leg timing and the legs shown.

When a request travels by bus and the planner has a GTFS feed (``configs/transit/``), every leg
is a journey on that day's timetable (:mod:`planner.travel.transit`): walk to a stop, wait for the
next departure, ride (and change), walk on. The solver gets each pair's journeys as
``(depart, arrive)`` pairs (:class:`~planner.solve.problem.TimeDependence` legs) and plans with
them exactly; walking the whole way is the untimed alternative (none beyond the walking limit).
A place after the last bus back is simply not reachable in time, so a plan never strands anyone.

Time here is the problem's: seconds after the first day's midnight; the timetable's own clock is
the day's, so day ``k`` is shifted by ``k`` days.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import NDArray

from planner.data.coords import haversine_m
from planner.errors import InfeasibleRequest
from planner.i18n.texts import reason
from planner.model import Mode, Poi, TransitPart, TripRequest
from planner.model.common import DAY_S
from planner.travel.base import LonLat, TravelTimes
from planner.travel.transit import (
    Feed,
    Journey,
    ProfileMatrix,
    RideLeg,
    Timetable,
    WalkSeconds,
    WalkSettings,
    profiles,
    straight_line_walk,
)
from planner.travel.transit import timetable as day_timetable

NO_WAY = 10**9
"""The untimed travel of a pair with no walk between them: never feasible in a day."""


@dataclass(frozen=True)
class BusDays:
    """The timetable journeys between a problem's nodes, one profile matrix per trip day."""

    feed: Feed
    days: tuple[ProfileMatrix, ...]

    def journey(self, i: int, j: int, depart: int) -> Journey | None:
        """Leaving node ``i`` at ``depart`` (problem time): the first arrival at ``j``, bus or
        walk, in problem time; None when there is none (after the last bus, too far to walk)."""
        k = depart // DAY_S
        if not 0 <= k < len(self.days):
            return None
        found = self.days[k].earliest_arrival(i, j, depart - k * DAY_S)
        return None if found is None else _shift(found, k * DAY_S)

    def legs(
        self, buffer_s: Callable[[int, int], int]
    ) -> dict[tuple[int, int], tuple[tuple[int, int], ...]]:
        """Each pair's journeys over the trip as the solver's ``(depart, arrive)`` pairs, the
        arrival including the pace's buffer (``buffer_s(i, j)``)."""
        n = len(self.days[0].points) if self.days else 0
        out: dict[tuple[int, int], tuple[tuple[int, int], ...]] = {}
        for i in range(n):
            for j in range(n):
                if i == j:
                    continue
                pad = buffer_s(i, j)
                pairs = tuple(
                    (d + k * DAY_S, a + k * DAY_S + pad)
                    for k, matrix in enumerate(self.days)
                    for d, a in matrix.times(i, j)
                )
                if pairs:
                    out[i, j] = pairs
        return out

    def walking(self, buffer_s: Callable[[int, int], int]) -> NDArray[np.int64]:
        """The untimed travel: walking the whole way (with the buffer), :data:`NO_WAY` when too far."""
        walk = self.days[0].walk_only
        n = len(walk)
        out = np.full((n, n), NO_WAY, dtype=np.int64)
        for i in range(n):
            for j in range(n):
                if i == j:
                    out[i, j] = 0
                elif walk[i][j] is not None:
                    out[i, j] = int(walk[i][j]) + buffer_s(i, j)  # type: ignore[arg-type]
        return out

    @property
    def estimated_lines(self) -> list[str]:
        """The short names of the feed's lines whose timetables are estimates."""
        return sorted({line.short_name for line in self.feed.lines.values() if line.estimated})


def bus_days(
    feed: Feed,
    request: TripRequest,
    nodes: Sequence[Poi],
    day_bounds: Sequence[tuple[int, int]],
    *,
    travel: TravelTimes | None = None,
) -> BusDays:
    """The journeys between ``nodes`` on each day of the request, within each day's hours.

    With a road network as ``travel``, every walk (to and from stops, between stops, the whole
    way) is timed on its footways and roads (:func:`road_walk`); otherwise on the straight line
    with the feed's detour factor.
    """
    walk = road_walk(travel, [p.lonlat for p in nodes], feed) if travel is not None else None
    matrices = []
    for k, (lo, hi) in enumerate(day_bounds):
        day = request.date + dt.timedelta(days=k)
        table = day_timetable(feed, day) if walk is None else Timetable(feed, day, walk=walk)
        matrices.append(profiles(table, [p.lonlat for p in nodes], lo - k * DAY_S, hi - k * DAY_S))
    return BusDays(feed=feed, days=tuple(matrices))


def check_reach(feed: Feed, request: TripRequest, start: Poi, end: Poi) -> None:
    """Refuse, naming the field and the fix, a bus request the timetable cannot carry at all:
    a day of the trip on which no bus runs (a date outside the feed's calendar), or a start or
    end with no stop within walking reach (the feed's access radius). Without this such a day
    came back as an empty day, or a picnic at the start, with a vague "start earlier" warning."""
    for k in range(request.days):
        day = request.date + dt.timedelta(days=k)
        if not feed.services_on(day):
            first, last = service_range(feed)
            span = reason("error.bus_span", first=str(first), last=str(last))
            raise InfeasibleRequest(
                "date",
                f"the bus timetable has no bus on {day} ({span.en}); choose a date the timetable "
                "covers, or travel by car",
                text=reason("error.bus_no_service", date=str(day), span=span),
            )
    reach = WalkSettings().access_radius_m
    for field, poi in (("start", start), ("end", end)):
        if not feed.stops:
            break
        stop, metres = min(
            ((s, haversine_m(*poi.lonlat, *s.lonlat)) for s in feed.stops.values()),
            key=lambda x: x[1],
        )
        if metres > reach:
            raise InfeasibleRequest(
                field,
                f"no bus stop within {reach / 1000:g} km of the {field} {poi.id!r}: the nearest, "
                f"{stop.name_en or stop.name} ({stop.name}), is {metres / 1000:.1f} km away; "
                f"choose {'a start' if field == 'start' else 'an end'} near a bus stop (such as "
                "pinggu-bus-station), or travel by car",
                text=reason(
                    "error.bus_no_stop",
                    reach=f"{reach / 1000:g}",
                    place={"en": poi.name_en, "zh": poi.name_zh},
                    stop={"en": stop.name_en or stop.name, "zh": stop.name},
                    km=f"{metres / 1000:.1f}",
                ),
            )


def service_range(feed: Feed) -> tuple[dt.date | None, dt.date | None]:
    """The first and last day on which the feed's calendar runs any service."""
    days = [d for s in feed.services.values() for d in (s.start, s.end, *s.added) if d]
    return (min(days), max(days)) if days else (None, None)


def road_walk(
    travel: TravelTimes, points: Sequence[LonLat], feed: Feed
) -> WalkSeconds | None:
    """Walking times over the road network between the plan's points and the feed's stops, in
    one matrix; None when ``travel`` is no road network (then the straight line is used). A pair
    the network cannot route (an estimate inside the matrix) keeps the straight-line time."""
    if not travel.name.startswith("osm:"):
        return None
    everything = list(dict.fromkeys([*points, *(s.lonlat for s in feed.stops.values())]))
    matrix = travel.matrix(everything, Mode.walk)
    straight = straight_line_walk()
    index = {p: k for k, p in enumerate(everything)}

    def walk_seconds(a: LonLat, b: LonLat) -> int | None:
        i, j = index.get(a), index.get(b)
        if i is None or j is None or matrix.estimated_pair(i, j):
            return straight(a, b)
        return int(matrix.seconds[i, j])

    return walk_seconds


def _shift(journey: Journey, by: int) -> Journey:
    """The journey ``by`` seconds later (a later trip day on the problem's clock)."""
    if not by:
        return journey
    legs = tuple(
        replace(leg, depart=leg.depart + by, arrive=leg.arrive + by) for leg in journey.legs
    )
    return Journey(journey.depart + by, journey.arrive + by, legs)


def mark_last_bus(
    shown: list[TransitPart], buses: BusDays, i: int, j: int, depart: int
) -> list[TransitPart]:
    """``shown`` (a journey from node ``i`` to ``j`` leaving at ``depart``, problem time) with
    its first ride marked ``last`` when no later bus journey of the day goes from ``i`` to ``j``:
    the visitor must catch it (a later one, if any, would be a walk)."""
    k = depart // DAY_S
    first = next((n for n, p in enumerate(shown) if p.kind == "ride"), None)
    if first is None or not 0 <= k < len(buses.days):
        return shown
    if any(d > depart - k * DAY_S for d, _ in buses.days[k].times(i, j)):
        return shown  # a later bus goes there too
    return [*shown[:first], shown[first].model_copy(update={"last": True}), *shown[first + 1 :]]


def parts(
    journey: Journey, at: Callable[[int], dt.datetime], feed: Feed | None = None
) -> list[TransitPart]:
    """The journey's walks and rides as the itinerary shows them (stop names in English from
    ``feed`` where it has them)."""
    english = {s.name: s.name_en for s in feed.stops.values()} if feed is not None else {}
    out = []
    for leg in journey.legs:
        if isinstance(leg, RideLeg):
            out.append(
                TransitPart(
                    kind="ride",
                    depart=at(leg.depart),
                    arrive=at(leg.arrive),
                    from_name=leg.board_stop,
                    to_name=leg.alight_stop,
                    from_name_en=leg.board_stop_en,
                    to_name_en=leg.alight_stop_en,
                    line=leg.line,
                    headsign=leg.headsign,
                    trip_id=leg.trip_id,
                    metres=_along(leg.path),
                    estimated=leg.estimated,
                    path=[(float(x), float(y)) for x, y in leg.path],
                )
            )
        else:
            out.append(
                TransitPart(
                    kind="walk",
                    depart=at(leg.depart),
                    arrive=at(leg.arrive),
                    from_name=leg.from_stop,
                    to_name=leg.to_stop,
                    from_name_en=english.get(leg.from_stop) if leg.from_stop else None,
                    to_name_en=english.get(leg.to_stop) if leg.to_stop else None,
                    metres=leg.metres,
                    path=[leg.from_lonlat, leg.to_lonlat],
                )
            )
    return out


def _along(path: Sequence[tuple[float, float]]) -> int:
    """Metres along a polyline of WGS84 points (great circle between consecutive stops)."""
    total = 0.0
    for (x1, y1), (x2, y2) in itertools.pairwise(path):
        p1, p2 = np.radians(y1), np.radians(y2)
        dp, dl = p2 - p1, np.radians(x2 - x1)
        h = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
        total += 2 * 6_371_000 * np.arcsin(np.sqrt(h))
    return round(total)
