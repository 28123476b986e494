"""Public transport on GTFS timetables: the feed, the day's connections and bus journeys.

A bus day is planned on a timetable, not on an average speed: a rural line that runs every
30-60 minutes and stops at 17:00 decides when a visitor can leave a place. This package reads a
GTFS feed (``configs/transit/`` is the bundled one; operators replace it with the bus company's
own), checks it, and answers "leaving point i at t, when am I at j, and how?" exactly on it.

Conventions: coordinates are WGS84 ``(lon, lat)`` tuples (as :data:`planner.travel.base.LonLat`);
times are integer seconds since the planned day's midnight (GTFS's ``25:10:00`` of the day before
is 01:10 today, and a bus at 25:10:00 today is 90 600); distances are metres.

Public API
----------
``load_feed(directory) -> Feed``
    Read and validate a GTFS folder (partridge reads the files); raises
    :class:`planner.errors.ConfigError` naming file, row and field. Cached by content hash.
    ``Feed.name`` (``gtfs:<hash12>``) keys caches; ``Feed.services_on(date)`` gives the
    ``service_id`` s of a day; ``Feed.lines[route_id]`` is a :class:`Line` with ``source``,
    ``confidence`` (low/medium/high) and ``estimated``; ``Feed.estimated`` is True when any
    line's timetable is estimated.
``Timetable(feed, date, *, settings=WalkSettings(), walk=None)``
    The connections of that service day; ``walk`` is ``walk_seconds(a, b) -> int | None``
    (default: straight line x 1.3 at 4.5 km/h). :func:`timetable` caches one per
    (feed name, date's services, settings).
``profiles(timetable, points, earliest, latest) -> ProfileMatrix``
    For each ordered pair (i, j), the Pareto-optimal journeys leaving i at or after ``earliest``
    and arriving at j by ``latest``: ``matrix.journeys(i, j)`` (tuple of :class:`Journey`, sorted
    by departure, departures and arrivals strictly increasing; journeys that walking would beat
    are left out), ``matrix.times(i, j)`` (the same as ``(depart, arrive)`` pairs),
    ``matrix.walk_only[i][j]`` (seconds walking directly, None beyond ``max_walk_m``) and
    ``matrix.earliest_arrival(i, j, t) -> Journey | None``: leaving i at t, the first arrival at
    j, ``min(t + walk_only, first profile arrival with depart >= t)``.
``Journey(depart, arrive, legs)``
    ``legs`` are :class:`WalkLeg` (from, to, seconds, metres, stop names) and :class:`RideLeg`
    (line short name, headsign, board/alight stop names zh/en, departure, arrival, ``path`` of
    stop coordinates, ``trip_id``, ``estimated``, ``confidence``, ``source``, ``headway_s``).

The algorithm is the profile Connection Scan (:mod:`.csa`).
"""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict

from .csa import ProfileMatrix, Timetable, profiles
from .feed import (
    Feed,
    Frequency,
    Line,
    Service,
    Stop,
    Trip,
    TripRun,
    content_hash,
    load_feed,
)
from .journeys import Journey, Leg, RideLeg, WalkLeg
from .walking import WalkSeconds, WalkSettings, straight_line_walk

__all__ = [
    "Feed",
    "Frequency",
    "Journey",
    "Leg",
    "Line",
    "ProfileMatrix",
    "RideLeg",
    "Service",
    "Stop",
    "Timetable",
    "Trip",
    "TripRun",
    "WalkLeg",
    "WalkSeconds",
    "WalkSettings",
    "content_hash",
    "load_feed",
    "profiles",
    "straight_line_walk",
    "timetable",
]


_TIMETABLES: OrderedDict[tuple[object, ...], Timetable] = OrderedDict()
_KEEP = 32


def timetable(feed: Feed, day: dt.date, *, settings: WalkSettings | None = None) -> Timetable:
    """The day's :class:`Timetable` with straight-line walking, shared between calls.

    Days with the same services (every ordinary weekday, say) share one timetable, and with it
    its cache of profiles; the key is the feed's content hash, so an edited feed never reuses one.
    """
    walk = settings or WalkSettings()
    previous = feed.services_on(day - dt.timedelta(days=1))
    key = (feed.name, feed.services_on(day), previous, walk)
    found = _TIMETABLES.get(key)
    if found is None:
        found = _TIMETABLES[key] = Timetable(feed, day, settings=walk)
        while len(_TIMETABLES) > _KEEP:
            _TIMETABLES.popitem(last=False)
    _TIMETABLES.move_to_end(key)
    return found
