"""A validated GTFS feed: stops, lines, trips, frequencies and the days each service runs.

:func:`load_feed` reads a GTFS folder (with partridge, :mod:`._gtfs_read`), checks it and returns
a :class:`Feed` of plain frozen values, or raises :class:`planner.errors.ConfigError` listing every
problem, each naming the file, the row and the field, and the fix. Times stay as GTFS writes them:
seconds past the *service day's* midnight, so ``25:10:00`` (90600) is 01:10 the next morning of a
trip that belongs to the day before.

Each line (a GTFS route) says where its timetable comes from and how sure that is, in three extra
columns of ``routes.txt`` that GTFS readers ignore and partridge keeps: ``source`` (free text),
``confidence`` (``low``, ``medium`` or ``high``) and ``estimated`` (``1`` when any first or last
departure, headway or running time is an estimate). A feed without those columns (a bus company's
own) is taken as the operator's timetable: source = the publisher, confidence ``high``, not
estimated.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, cast

from planner.errors import ConfigError, Problem

from ._gtfs_read import Collector, RawFeed, Row, read_raw

Confidence = Literal["low", "medium", "high"]
CONFIDENCES: tuple[Confidence, ...] = ("low", "medium", "high")
LonLat = tuple[float, float]
DAY_COLUMNS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
DAY_S = 86_400


@dataclass(frozen=True)
class Stop:
    """A place where passengers board or alight (GTFS ``location_type`` 0)."""

    id: str
    name: str
    """The stop's name as the feed gives it (Chinese in the bundled feed)."""
    name_en: str | None
    """English name from the optional ``stop_name_en`` column of ``stops.txt``."""
    lonlat: LonLat
    """WGS84 ``(lon, lat)`` in degrees."""


@dataclass(frozen=True)
class Line:
    """A bus line (GTFS route) with where its timetable comes from and how sure that is."""

    id: str
    short_name: str
    """What is painted on the bus: ``852``, ``918``, ``平25``."""
    long_name: str
    source: str
    """Where the stops and times come from (free text; the bundled feed cites its pages)."""
    confidence: Confidence
    estimated: bool
    """True when any departure, headway or running time of the line is an estimate: every plan
    riding it must say so."""


@dataclass(frozen=True)
class Trip:
    """One trip's stop pattern and times (seconds past the service day's midnight)."""

    id: str
    line_id: str
    service_id: str
    headsign: str
    stop_ids: tuple[str, ...]
    arrivals: tuple[int, ...]
    departures: tuple[int, ...]


@dataclass(frozen=True)
class Frequency:
    """Departures every ``headway_s`` from ``start`` (inclusive) to ``end`` (exclusive)."""

    trip_id: str
    start: int
    end: int
    headway_s: int
    exact_times: bool
    """GTFS ``exact_times``: 1 when buses leave exactly on the headway, 0 when the headway is all
    that is known (the routing expands both the same way; a plan should call the times about)."""

    def starts(self) -> range:
        """The first-stop departure times this entry gives, in seconds."""
        return range(self.start, self.end, self.headway_s)


@dataclass(frozen=True)
class Service:
    """On which days a ``service_id`` runs: weekday flags in a date range, plus exceptions."""

    id: str
    weekdays: tuple[bool, ...] = (False,) * 7
    start: dt.date | None = None
    end: dt.date | None = None
    added: frozenset[dt.date] = frozenset()
    removed: frozenset[dt.date] = frozenset()

    def runs_on(self, day: dt.date) -> bool:
        """GTFS semantics: ``calendar_dates`` type 2 removes a day, type 1 adds one."""
        if day in self.removed:
            return False
        if day in self.added:
            return True
        in_range = self.start is not None and self.end is not None and self.start <= day <= self.end
        return in_range and self.weekdays[day.weekday()]


@dataclass(frozen=True)
class TripRun:
    """One bus actually leaving: a trip's pattern shifted to a departure (frequencies expanded)."""

    trip: Trip
    run_id: str
    """``trip_id`` for scheduled trips, ``trip_id@HH:MM:SS`` for a trip from frequencies."""
    arrivals: tuple[int, ...]
    departures: tuple[int, ...]
    headway_s: int | None
    """The headway the run was expanded from, None for a scheduled trip."""


@dataclass(frozen=True)
class Feed:
    """A checked GTFS feed. Build it with :func:`load_feed`."""

    name: str
    """Stable id with the content hash (``gtfs:3fa2b4c5d6e7``): keys every cache built on it."""
    directory: Path
    publisher: str
    stops: dict[str, Stop]
    lines: dict[str, Line]
    trips: dict[str, Trip]
    frequencies: dict[str, tuple[Frequency, ...]]
    services: dict[str, Service]
    estimated: bool = field(init=False)
    """True when any line's timetable is estimated."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "estimated", any(line.estimated for line in self.lines.values()))

    def __hash__(self) -> int:
        return hash(self.name)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Feed) and other.name == self.name

    def services_on(self, day: dt.date) -> frozenset[str]:
        """The ``service_id`` s that run on ``day`` (calendar flags, range and exceptions)."""
        return frozenset(s.id for s in self.services.values() if s.runs_on(day))

    def runs(self, service_ids: frozenset[str]) -> Iterator[TripRun]:
        """Every bus of those services, frequencies expanded into single runs."""
        for trip in self.trips.values():
            if trip.service_id not in service_ids:
                continue
            entries = self.frequencies.get(trip.id)
            if not entries:
                yield TripRun(trip, trip.id, trip.arrivals, trip.departures, None)
                continue
            base = trip.departures[0]
            for entry in entries:
                for start in entry.starts():
                    shift = start - base
                    yield TripRun(
                        trip,
                        f"{trip.id}@{_clock(start)}",
                        tuple(t + shift for t in trip.arrivals),
                        tuple(t + shift for t in trip.departures),
                        entry.headway_s,
                    )


def _clock(seconds: int) -> str:
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


_CACHE: dict[tuple[str, str], Feed] = {}


def content_hash(directory: Path) -> str:
    """SHA-256 over the names and bytes of the folder's ``.txt`` files (the feed's identity)."""
    digest = hashlib.sha256()
    for path in sorted(directory.glob("*.txt")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def load_feed(directory: str | Path) -> Feed:
    """Read and check the GTFS feed in ``directory``; cached by the files' content hash.

    Parameters
    ----------
    directory
        A folder with ``agency.txt``, ``stops.txt``, ``routes.txt``, ``trips.txt``,
        ``stop_times.txt``, ``calendar.txt`` and/or ``calendar_dates.txt``, and optionally
        ``frequencies.txt`` and ``feed_info.txt``.

    Raises
    ------
    ConfigError
        With every problem found, each naming the file, the row (``stops.txt row 3 (line 4)``)
        and the field, and what to write instead.
    """
    folder = Path(directory)
    if not folder.is_dir():
        raise ConfigError(
            Problem(str(folder), None, "is not a folder; point to the GTFS feed's folder"),
            source=str(folder),
        )
    digest = content_hash(folder)
    key = (str(folder.resolve()), digest)
    cached = _CACHE.get(key)
    if cached is not None:
        return cached
    collector = Collector()
    raw = read_raw(folder, collector)
    feed = _build(raw, f"gtfs:{digest[:12]}", collector)
    if collector.problems:
        raise ConfigError(collector.problems, source=str(folder))
    _CACHE[key] = feed
    return feed


def _build(raw: RawFeed, name: str, c: Collector) -> Feed:
    publisher = _publisher(raw)
    stops = _stops(raw.of("stops.txt"), c)
    lines = _lines(raw.of("routes.txt"), publisher, c)
    services = _services(raw, c)
    trips_rows = _trip_rows(raw.of("trips.txt"), lines, services, c, raw)
    trips = _trips(raw.of("stop_times.txt"), trips_rows, stops, c, "stops.txt" in raw.rows)
    frequencies = _frequencies(raw.of("frequencies.txt"), trips_rows, c)
    return Feed(name, raw.directory, publisher, stops, lines, trips, frequencies, services)


def _publisher(raw: RawFeed) -> str:
    for file, column in (("feed_info.txt", "feed_publisher_name"), ("agency.txt", "agency_name")):
        for row in raw.of(file):
            if row.get(column):
                return row.get(column)
    return raw.directory.name


def _unique(row: Row, column: str, seen: set[str], c: Collector) -> str | None:
    value = c.required(row, column)
    if value is None:
        return None
    if value in seen:
        c.add(row.where, column, f"{value!r} appears twice; ids must be unique in {row.file}")
        return None
    seen.add(value)
    return value


def _stops(rows: list[Row], c: Collector) -> dict[str, Stop]:
    stops: dict[str, Stop] = {}
    seen: set[str] = set()
    for row in rows:
        stop_id = _unique(row, "stop_id", seen, c)
        kind = c.integer(row, "location_type", default=0)
        if kind not in (0, None):  # stations, entrances and nodes are not boarded in routing
            continue
        lat = c.coordinate(row, "stop_lat", -90.0, 90.0)
        lon = c.coordinate(row, "stop_lon", -180.0, 180.0)
        if lat == 0.0 and lon == 0.0:
            c.add(row.where, "stop_lat", "0, 0 is not a stop's position; give its WGS84 lat/lon")
            continue
        name = c.required(row, "stop_name")
        if stop_id is None or lat is None or lon is None or name is None:
            continue
        stops[stop_id] = Stop(stop_id, name, row.get("stop_name_en") or None, (lon, lat))
    return stops


def _lines(rows: list[Row], publisher: str, c: Collector) -> dict[str, Line]:
    lines: dict[str, Line] = {}
    seen: set[str] = set()
    for row in rows:
        route_id = _unique(row, "route_id", seen, c)
        c.integer(row, "route_type")
        short, long = row.get("route_short_name"), row.get("route_long_name")
        if not short and not long:
            c.add(
                row.where, "route_short_name", "is empty and so is route_long_name; name the line"
            )
        confidence = row.get("confidence") or "high"
        if confidence not in CONFIDENCES:
            c.add(row.where, "confidence", f"{confidence!r} is not low, medium or high")
            continue
        estimated = c.flag(row, "estimated", (0, 1)) if row.get("estimated") else 0
        if route_id is None or estimated is None:
            continue
        source = row.get("source") or f"the feed's publisher ({publisher})"
        level = cast(Confidence, confidence)
        lines[route_id] = Line(route_id, short or long, long, source, level, bool(estimated))
    return lines


def _services(raw: RawFeed, c: Collector) -> dict[str, Service]:
    services: dict[str, Service] = {}
    seen: set[str] = set()
    for row in raw.of("calendar.txt"):
        service_id = _unique(row, "service_id", seen, c)
        flags = [c.flag(row, day, (0, 1)) for day in DAY_COLUMNS]
        start, end = c.date(row, "start_date"), c.date(row, "end_date")
        if service_id is None or start is None or end is None or None in flags:
            continue
        first, last = dt.date(*start), dt.date(*end)
        if last < first:
            c.add(row.where, "end_date", f"{last:%Y%m%d} is before start_date {first:%Y%m%d}")
            continue
        services[service_id] = Service(service_id, tuple(bool(f) for f in flags), first, last)
    added: dict[str, set[dt.date]] = defaultdict(set)
    removed: dict[str, set[dt.date]] = defaultdict(set)
    for row in raw.of("calendar_dates.txt"):
        service_id = c.required(row, "service_id")
        day = c.date(row, "date")
        kind = c.flag(row, "exception_type", (1, 2))
        if service_id is None or day is None or kind is None:
            continue
        (added if kind == 1 else removed)[service_id].add(dt.date(*day))
    for service_id in set(added) | set(removed):
        base = services.get(service_id, Service(service_id))
        services[service_id] = Service(
            service_id,
            base.weekdays,
            base.start,
            base.end,
            frozenset(added[service_id]),
            frozenset(removed[service_id]),
        )
    return services


def _trip_rows(
    rows: list[Row],
    lines: dict[str, Line],
    services: dict[str, Service],
    c: Collector,
    raw: RawFeed,
) -> dict[str, Row]:
    trips: dict[str, Row] = {}
    seen: set[str] = set()
    have_routes = "routes.txt" in raw.rows
    have_calendar = "calendar.txt" in raw.rows or "calendar_dates.txt" in raw.rows
    for row in rows:
        trip_id = _unique(row, "trip_id", seen, c)
        route_id = c.required(row, "route_id")
        service_id = c.required(row, "service_id")
        ok = trip_id is not None and route_id is not None and service_id is not None
        if route_id is not None and have_routes and route_id not in lines:
            c.add(row.where, "route_id", f"{route_id!r} is not a route_id of routes.txt")
            ok = False
        if service_id is not None and have_calendar and service_id not in services:
            c.add(
                row.where,
                "service_id",
                f"{service_id!r} is in neither calendar.txt nor calendar_dates.txt",
            )
            ok = False
        if ok and trip_id is not None:
            trips[trip_id] = row
    return trips


def _trips(
    rows: list[Row],
    trip_rows: dict[str, Row],
    stops: dict[str, Stop],
    c: Collector,
    have_stops: bool,
) -> dict[str, Trip]:
    by_trip: dict[str, list[tuple[int, Row, str, int | None, int | None]]] = defaultdict(list)
    mentioned: set[str] = set()
    for row in rows:
        trip_id = c.required(row, "trip_id")
        mentioned.add(trip_id or "")
        stop_id = c.required(row, "stop_id")
        sequence = c.integer(row, "stop_sequence")
        arrival = c.time(row, "arrival_time", blank_ok=True)
        departure = c.time(row, "departure_time", blank_ok=True)
        if trip_id is not None and trip_id not in trip_rows:
            c.add(row.where, "trip_id", f"{trip_id!r} is not a trip_id of trips.txt")
            continue
        if stop_id is not None and have_stops and stop_id not in stops:
            c.add(row.where, "stop_id", f"{stop_id!r} is not a stop_id of stops.txt")
            continue
        if trip_id is None or stop_id is None or sequence is None:
            continue
        by_trip[trip_id].append((sequence, row, stop_id, arrival, departure))
    trips: dict[str, Trip] = {}
    for trip_id, entries in by_trip.items():
        trip = _one_trip(trip_rows[trip_id], sorted(entries, key=lambda e: e[0]), c)
        if trip is not None:
            trips[trip_id] = trip
    for trip_id, row in trip_rows.items():
        if trip_id not in mentioned:
            c.add(row.where, "trip_id", f"{trip_id!r} has no stop_times; give it two stops or more")
    return trips


def _one_trip(
    trip_row: Row, entries: list[tuple[int, Row, str, int | None, int | None]], c: Collector
) -> Trip | None:
    if len(entries) < 2:
        c.add(trip_row.where, "trip_id", "has fewer than two stop_times; a trip needs two stops")
        return None
    for end in (entries[0], entries[-1]):
        if end[3] is None and end[4] is None:
            c.add(end[1].where, "arrival_time", "is empty; a trip's first and last stop need times")
            return None
    arrivals = [e[3] if e[3] is not None else e[4] for e in entries]
    departures = [e[4] if e[4] is not None else e[3] for e in entries]
    _interpolate(arrivals, departures)
    previous = -1
    for sequence, row, *_ in entries:
        if sequence == previous:
            c.add(
                row.where,
                "stop_sequence",
                f"{sequence} repeats in trip {trip_row.get('trip_id')!r}",
            )
            return None
        previous = sequence
    last = -1
    for (_, row, *_), arrival, departure in zip(entries, arrivals, departures, strict=True):
        assert arrival is not None and departure is not None
        if arrival < last or departure < arrival:
            c.add(
                row.where,
                "arrival_time" if arrival < last else "departure_time",
                "is earlier than the stop before it in stop_sequence order; stop_times of a "
                "trip must not go back in time (past midnight write 24:xx:xx, 25:xx:xx)",
            )
            return None
        last = departure
    return Trip(
        trip_row.get("trip_id"),
        trip_row.get("route_id"),
        trip_row.get("service_id"),
        trip_row.get("trip_headsign"),
        tuple(e[2] for e in entries),
        tuple(int(a) for a in arrivals if a is not None),
        tuple(int(d) for d in departures if d is not None),
    )


def _interpolate(arrivals: list[int | None], departures: list[int | None]) -> None:
    """Fill blank intermediate times linearly by stop count between the timed stops (GTFS lets
    feeds leave them blank; without distances the stop count is the fairest split)."""
    timed = [i for i, a in enumerate(arrivals) if a is not None]
    for left, right in itertools.pairwise(timed):
        start, end = departures[left], arrivals[right]
        assert start is not None and end is not None
        for i in range(left + 1, right):
            value = start + (end - start) * (i - left) // (right - left)
            arrivals[i] = departures[i] = value


def _frequencies(
    rows: list[Row], trip_rows: dict[str, Row], c: Collector
) -> dict[str, tuple[Frequency, ...]]:
    out: dict[str, list[Frequency]] = defaultdict(list)
    for row in rows:
        trip_id = c.required(row, "trip_id")
        start, end = c.time(row, "start_time"), c.time(row, "end_time")
        headway = c.integer(row, "headway_secs")
        exact = c.flag(row, "exact_times", (0, 1)) if row.get("exact_times") else 0
        if trip_id is not None and trip_id not in trip_rows:
            c.add(row.where, "trip_id", f"{trip_id!r} is not a trip_id of trips.txt")
            continue
        if headway is not None and headway <= 0:
            c.add(row.where, "headway_secs", f"{headway} must be a positive number of seconds")
            continue
        if start is not None and end is not None and end <= start:
            c.add(row.where, "end_time", "is not after start_time")
            continue
        if None in (trip_id, start, end, headway, exact):
            continue
        assert trip_id is not None and start is not None and end is not None
        assert headway is not None
        out[trip_id].append(Frequency(trip_id, start, end, headway, bool(exact)))
    return {k: tuple(sorted(v, key=lambda f: f.start)) for k, v in out.items()}
