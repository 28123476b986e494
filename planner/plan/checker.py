"""The independent checker: no itinerary leaves the library unless this module agrees with it.

It shares nothing with the solver or the assembly but the catalogue, the opening-hours parser and
the travel-time provider: it asks the provider afresh for the travel time of every leg, re-reads
every place's opening hours, and recomputes every arrival, wait and departure. A violation is a bug
in the planner, reported as :class:`~planner.errors.ItineraryCheckError`, never returned.
"""

from __future__ import annotations

import datetime as dt
import functools

import astral
import astral.sun

from planner.data.catalog import Catalog
from planner.errors import ItineraryCheckError
from planner.model import Endpoint, Itinerary, Leg, Poi, Stop, Trip
from planner.model.common import TZ
from planner.model.daylight import OUTDOOR as OUTDOOR_CATEGORIES
from planner.model.hours import open_intervals
from planner.plan.assemble import PICNIC_ID
from planner.plan.crowding import DayCrowds
from planner.travel.base import TravelMatrix, TravelTimes
from planner.travel.traffic import Traffic
from planner.travel.transit import Feed, TripRun, WalkSettings, straight_line_walk


def violations(
    itinerary: Itinerary,
    catalog: Catalog,
    travel: TravelTimes,
    traffic: Traffic | None = None,
    crowds: DayCrowds | None = None,
    transit: Feed | None = None,
) -> list[str]:
    """Every rule the itinerary breaks, as sentences; empty when it is sound.

    A bus leg on the timetable (``leg.transit``) is re-timed on ``transit``, the feed: every
    ride is a bus of that day that leaves its boarding stop and reaches its alighting stop at
    the times claimed, every walk takes at least the walking time, and the parts follow each
    other from the leg's departure to its arrival. Without the feed, no leg may claim a ride.

    With ``traffic``, each leg's traffic factor must be the one in force when it departs; without
    it, the factor the leg records is taken as given (travel = provider time x factor either way).
    With ``crowds`` (a crowd-aware plan), every queue a stop claims must be the queue expected
    in the hour it is joined, and no queue may start before the arrival; without, no stop may
    claim a queue.
    """
    req = itinerary.request
    out: list[str] = []
    ids = [s.poi_id for s in itinerary.stops]
    places = [s.poi_id for s in itinerary.stops if s.kind != "picnic"]

    # --- who is visited
    if itinerary.start.poi_id != req.start:
        out.append(f"starts at {itinerary.start.poi_id!r}, the request says {req.start!r}")
    if itinerary.end.poi_id != (req.end or req.start):
        out.append(f"ends at {itinerary.end.poi_id!r}, the request says {req.end or req.start!r}")
    if len(set(places)) != len(places):
        out.append(f"a place is visited twice: {places}")
    out.extend(_meal_violations(itinerary, catalog))
    for pid in places:
        if pid not in catalog:
            out.append(f"stop {pid!r} is not in the catalogue")
            continue
        if not catalog.get(pid).visitable:
            out.append(f"stop {pid!r} is not a visitable place")
        if pid in req.avoid:
            out.append(f"stop {pid!r} was to be avoided")
        if pid in (itinerary.start.poi_id, itinerary.end.poi_id):
            out.append(f"stop {pid!r} is the day's start or end")
    for pid in req.required_ids:
        if pid not in ids:
            out.append(f"must-visit place {pid!r} is missing")
    for pin in req.pins:
        if (
            pin.poi_id in ids
            and pin.position is not None
            and ids.index(pin.poi_id) != pin.position - 1
        ):
            out.append(
                f"{pin.poi_id!r} is stop {ids.index(pin.poi_id) + 1}, pinned at position {pin.position}"
            )
        stop = next((s for s in itinerary.stops if s.poi_id == pin.poi_id), None)
        if (
            stop is not None
            and pin.at is not None
            and stop.visit_start.astimezone(TZ).time() != pin.at
        ):
            out.append(
                f"{pin.poi_id!r} starts at {stop.visit_start.astimezone(TZ):%H:%M}, pinned at {pin.at:%H:%M}"
            )
    if (
        req.budget_cny is not None
        and sum(s.ticket_cny or 0.0 for s in itinerary.stops) > req.budget_cny + 0.005
    ):
        out.append(
            f"tickets cost ¥{sum(s.ticket_cny or 0.0 for s in itinerary.stops):g}, over the budget ¥{req.budget_cny:g}"
        )
    dropped_ids = {d.poi_id for d in itinerary.dropped}
    for pid in set(ids) & dropped_ids:
        out.append(f"{pid!r} is both visited and left out")
    if out:
        return out

    # --- the chain of legs (a picnic is taken where the traveller is: its point is the one before)
    points = [itinerary.start.poi_id, *ids, itinerary.end.poi_id]
    at_point = [0]
    for k, pid in enumerate(points[1:], 1):
        at_point.append(at_point[-1] if pid == PICNIC_ID else k)
    if len(itinerary.legs) != len(points) - 1:
        return [
            *out,
            f"{len(itinerary.legs)} legs for {len(points)} points; expected {len(points) - 1}",
        ]
    for k, leg in enumerate(itinerary.legs):
        if (leg.from_id, leg.to_id) != (points[k], points[k + 1]):
            out.append(
                f"leg {k} goes {leg.from_id}->{leg.to_id}, expected {points[k]}->{points[k + 1]}"
            )
        if leg.mode != req.mode:
            out.append(f"leg {k} is by {leg.mode.value}, the request says {req.mode.value}")
    if out:
        return out

    pois = [catalog.resolve(points[at_point[k]]) for k in range(len(points))]
    out.extend(_facts(itinerary, pois))
    naive = [
        name
        for name, value in (("day_start", itinerary.day_start), ("day_end", itinerary.day_end))
        if value.tzinfo is None
    ]
    if naive:
        return [*out, f"{', '.join(naive)} carry no time zone; times must be local ({TZ.key})"]
    real = sorted(set(at_point))
    row = {k: real.index(at_point[k]) for k in range(len(points))}
    matrix = travel.matrix([pois[k].lonlat for k in real], req.mode)
    tz = TZ  # Pinggu's clock, whatever the itinerary claims
    midnight = dt.datetime.combine(req.date, dt.time(), tz)
    expected_start = dt.datetime.combine(req.date, req.start_time, tz)
    if itinerary.day_start != expected_start:
        out.append(f"day starts {itinerary.day_start}, the request says {expected_start}")

    # --- times add up
    clock = itinerary.day_start
    for k, leg in enumerate(itinerary.legs):
        into_picnic = points[k + 1] == PICNIC_ID
        a, b = row[k], row[k + 1]
        if leg.transit or (transit is not None and leg.mode.value == "bus" and not into_picnic):
            out.extend(_transit_violations(k, leg, transit, req.date, pois[k], pois[k + 1]))
        else:
            out.extend(_road_leg_violations(k, leg, into_picnic, matrix, a, b, traffic))
        if leg.depart != clock:
            out.append(
                f"leg {k} departs {leg.depart:%H:%M:%S}, but the previous point is left at {clock:%H:%M:%S}"
            )
        want_buffer = req.pace.buffer_s if k < len(itinerary.stops) and not into_picnic else 0
        if leg.buffer_s != want_buffer:
            out.append(
                f"leg {k} keeps {leg.buffer_s} s of buffer; the {req.pace.value} pace keeps {want_buffer} s"
            )
        if leg.arrive != leg.depart + dt.timedelta(seconds=leg.travel_s + leg.buffer_s):
            out.append(
                f"leg {k} arrives {leg.arrive:%H:%M:%S}, not departure + travel time + buffer"
            )
        clock = leg.arrive
        if k < len(itinerary.stops):
            stop = itinerary.stops[k]
            poi = pois[k + 1]
            if stop.arrival != leg.arrive:
                out.append(
                    f"{stop.poi_id}: arrival {stop.arrival:%H:%M:%S} is not the leg's arrival {leg.arrive:%H:%M:%S}"
                )
            if stop.visit_start < stop.arrival:
                out.append(f"{stop.poi_id}: visit starts before arrival")
            if stop.wait_s != int((stop.visit_start - stop.arrival).total_seconds()):
                out.append(
                    f"{stop.poi_id}: wait_s {stop.wait_s} does not match visit start - arrival"
                )
            if stop.departure != stop.visit_start + dt.timedelta(seconds=stop.visit_s):
                out.append(f"{stop.poi_id}: departure is not visit start + visit time")
            pinned = any(pin.poi_id == stop.poi_id and pin.at is not None for pin in req.pins)
            out.extend(_queue_violations(stop, crowds, itinerary.crowd_aware and not pinned))
            clock = stop.departure
            if stop.kind == "picnic":
                continue  # checked with the meals: no ticket, no opening hours, taken in place
            if stop.kind == "meal":
                if stop.visit_s != req.meal_minutes * 60:
                    out.append(
                        f"{stop.poi_id}: the meal lasts {stop.visit_s} s, the request says {req.meal_minutes} min"
                    )
            elif stop.visit_s != req.pace.visit_s(poi.visit_minutes):
                out.append(
                    f"{stop.poi_id}: visit lasts {stop.visit_s} s, the catalogue says {poi.visit_minutes} min "
                    f"at a {req.pace.value} pace"
                )
            if stop.ticket_cny != poi.ticket_cny:
                out.append(
                    f"{stop.poi_id}: ticket {stop.ticket_cny} differs from the catalogue's {poi.ticket_cny}"
                )
            if poi.category in OUTDOOR_CATEGORIES:
                dusk = astral.sun.sunset(
                    astral.Observer(latitude=poi.lat, longitude=poi.lon),
                    date=stop.visit_start.date(),
                    tzinfo=TZ,
                )
                if stop.departure > dusk.replace(second=0, microsecond=0) + dt.timedelta(minutes=1):
                    out.append(
                        f"{stop.poi_id}: an outdoor visit ends at {stop.departure:%H:%M}, after "
                        f"sunset ({dusk:%H:%M})"
                    )
            start_s = (stop.visit_start - midnight).total_seconds()
            end_s = (stop.departure - midnight).total_seconds()
            inside = [
                (a, b)
                for a, b in open_intervals(poi.opening_hours, req.date)
                if a <= start_s and end_s <= b
            ]
            window = tuple((w - midnight).total_seconds() for w in stop.opening_window)
            if inside and window not in inside:
                out.append(
                    f"{stop.poi_id}: opening_window {stop.opening_window[0]:%H:%M}-{stop.opening_window[1]:%H:%M} "
                    "is not the opening interval the visit falls in"
                )
            if not inside:
                out.append(
                    f"{stop.poi_id}: visit {stop.visit_start:%H:%M}-{stop.departure:%H:%M} is not inside its "
                    f"opening hours on {req.date} ({poi.opening_hours or 'default hours'})"
                )

    # --- the day ends in time
    deadline = dt.datetime.combine(req.date, req.end_time, tz)
    if itinerary.day_end != clock:
        out.append(
            f"day_end {itinerary.day_end:%H:%M:%S} is not the arrival at the end point {clock:%H:%M:%S}"
        )
    if clock > deadline:
        out.append(f"the day ends at {clock:%H:%M}, after the requested {req.end_time:%H:%M}")

    # --- totals
    tot = itinerary.totals
    sums = {
        "stops": len(itinerary.stops),
        "travel_s": sum(leg.travel_s for leg in itinerary.legs),
        "buffer_s": sum(leg.buffer_s for leg in itinerary.legs),
        "visit_s": sum(s.visit_s for s in itinerary.stops),
        "wait_s": sum(s.wait_s for s in itinerary.stops),
        "distance_m": sum(leg.distance_m for leg in itinerary.legs),
    }
    for name, value in sums.items():
        if getattr(tot, name) != value:
            out.append(
                f"totals.{name} is {getattr(tot, name)}, the stops and legs add up to {value}"
            )
    if abs(tot.tickets_cny - sum(s.ticket_cny or 0.0 for s in itinerary.stops)) > 0.005:
        out.append("totals.tickets_cny does not add up")
    if tot.tickets_unknown != sum(
        1 for s in itinerary.stops if s.kind == "visit" and s.ticket_cny is None
    ):
        out.append("totals.tickets_unknown does not count the stops of unknown price")
    if abs(tot.value - sum(s.value for s in itinerary.stops)) > 0.005:
        out.append("totals.value is not the sum of the stops' values")
    span = (itinerary.day_end - itinerary.day_start).total_seconds()
    used = tot.travel_s + tot.buffer_s + tot.visit_s + tot.wait_s
    if span != used:
        out.append(f"travel + buffers + visits + waits = {used} s, but the day lasts {span:.0f} s")
    return out


def _road_leg_violations(
    k: int,
    leg: Leg,
    into_picnic: bool,
    matrix: TravelMatrix,
    a: int,
    b: int,
    traffic: Traffic | None,
) -> list[str]:
    """A leg timed by the travel provider: its time, distance, provider and traffic factor."""
    out: list[str] = []
    want, want_m = (
        (0, 0)
        if into_picnic
        else (round(int(matrix.seconds[a, b]) * leg.traffic_factor), int(matrix.metres[a, b]))
    )
    if traffic is not None and not into_picnic:
        local = leg.depart.astimezone(TZ)
        factor = traffic.factor(local.date(), local.hour * 3600 + local.minute * 60 + local.second)
        if leg.traffic_factor != factor:
            out.append(
                f"leg {k} uses traffic factor {leg.traffic_factor}, but {factor} is in force at "
                f"{local:%H:%M} on a {traffic.day_type(local.date()).value}"
            )
    want_provider = "none" if into_picnic else matrix.leg_provider(a, b)
    if leg.travel_s != want:
        out.append(
            f"leg {k} ({leg.from_id}->{leg.to_id}) takes {leg.travel_s} s, the provider says {want} s"
        )
    if leg.distance_m != want_m:
        out.append(
            f"leg {k} ({leg.from_id}->{leg.to_id}) is {leg.distance_m} m, the provider says {want_m} m"
        )
    if leg.provider != want_provider:
        out.append(f"leg {k} claims provider {leg.provider!r}, the provider is {want_provider!r}")
    want_estimated = not into_picnic and matrix.estimated_pair(a, b)
    if leg.estimated != want_estimated:
        out.append(f"leg {k} says estimated={leg.estimated}, the provider says {want_estimated}")
    return out


BRISK_WALK = WalkSettings(speed_kmh=6.0, detour=1.0)
"""No walk is faster than a brisk 6 km/h as the crow flies, whatever timed it (the straight-line
estimate or a road network)."""
WALK = straight_line_walk(BRISK_WALK)


@functools.lru_cache(maxsize=16)
def _runs_of(feed: Feed, day: dt.date) -> dict[str, tuple[TripRun, int]]:
    """Every bus of ``day`` by run id, with the previous day's (past midnight) shifted back a
    day: read from the feed's own trips, not from the router's connections."""
    runs = {r.run_id: (r, 0) for r in feed.runs(feed.services_on(day))}
    for r in feed.runs(feed.services_on(day - dt.timedelta(days=1))):
        runs.setdefault(r.run_id, (r, -86_400))
    return runs


def _transit_violations(
    k: int, leg: Leg, feed: Feed | None, day: dt.date, origin: Poi, target: Poi
) -> list[str]:
    """A bus leg re-timed on the timetable, sharing nothing with the routing that found it."""
    name = f"leg {k} ({leg.from_id}->{leg.to_id})"
    if feed is None:
        return [f"{name} claims bus rides, but no timetable was given to check them"]
    if leg.provider != feed.name:
        return [f"{name} claims timetable {leg.provider!r}, the feed is {feed.name!r}"]
    if not leg.transit:
        return [f"{name} goes by bus without any walk or ride"]
    out: list[str] = []
    midnight = dt.datetime.combine(day, dt.time(), TZ)
    runs = _runs_of(feed, day)
    clock = leg.depart
    for n, part in enumerate(leg.transit):
        if part.depart < clock:
            out.append(f"{name} part {n} leaves at {part.depart:%H:%M}, before {clock:%H:%M}")
        seconds = (part.arrive - part.depart).total_seconds()
        if part.kind == "walk":
            a, b = part.path[0], part.path[-1]
            least = WALK(a, b)
            if least is not None and seconds + 1 < least:
                out.append(
                    f"{name} part {n} walks {part.metres} m in {seconds:.0f} s, faster than walking"
                )
        else:
            found = runs.get(part.trip_id or "")
            if found is None:
                out.append(f"{name} part {n}: bus {part.trip_id!r} does not run on {day}")
            else:
                run, shift = found
                names = [feed.stops[s].name for s in run.trip.stop_ids]
                dep = (part.depart - midnight).total_seconds()
                arr = (part.arrive - midnight).total_seconds()
                boards = [
                    i
                    for i, s in enumerate(names)
                    if s == part.from_name and run.departures[i] + shift == dep
                ]
                alights = [
                    i
                    for i, s in enumerate(names)
                    if s == part.to_name and run.arrivals[i] + shift == arr
                ]
                if not boards or not alights or min(boards) >= max(alights):
                    out.append(
                        f"{name} part {n}: line {part.line} does not leave {part.from_name} at "
                        f"{part.depart:%H:%M} and reach {part.to_name} at {part.arrive:%H:%M} on {day}"
                    )
        clock = part.arrive
    if clock + dt.timedelta(seconds=leg.buffer_s) != leg.arrive:
        out.append(
            f"{name} arrives {leg.arrive:%H:%M:%S}, not when its last part ends plus the buffer"
        )
    if leg.travel_s != (clock - leg.depart).total_seconds():
        out.append(
            f"{name} takes {leg.travel_s} s, but its parts take {(clock - leg.depart).total_seconds():.0f} s"
        )
    ends = (leg.transit[0].path[0], leg.transit[-1].path[-1])
    near = all(
        abs(x - px) + abs(y - py) < 0.002  # a stop right at the place counts as the place
        for (x, y), (px, py) in zip(ends, (origin.lonlat, target.lonlat), strict=True)
    )
    if not near:
        out.append(f"{name} does not start at {origin.id!r} and end at {target.id!r}")
    return out


def _queue_violations(stop: Stop, crowds: DayCrowds | None, aware: bool) -> list[str]:
    """A stop's queue: inside its wait, joined no earlier than the arrival, and as long as the
    crowds expected in the hour it is joined say (none at all in a crowd-blind plan, nor at a
    place pinned at a time: the visitor chose that time)."""
    if crowds is None or not aware:
        if stop.queue_s:
            return [f"{stop.poi_id}: claims {stop.queue_s} s of queuing in a crowd-blind plan"]
        return []
    if not 0 <= stop.queue_s <= stop.wait_s:
        return [f"{stop.poi_id}: queue {stop.queue_s} s is not part of its wait {stop.wait_s} s"]
    if stop.kind == "picnic":
        return [] if not stop.queue_s else [f"{stop.poi_id}: a picnic has no queue"]
    join = stop.visit_start - dt.timedelta(seconds=stop.queue_s)
    expected = crowds.queue_s(stop.poi_id, join.astimezone(TZ))
    if stop.queue_s != expected:
        return [
            f"{stop.poi_id}: queues {stop.queue_s} s from {join.astimezone(TZ):%H:%M}, but the "
            f"crowds expected then mean {expected} s"
        ]
    return []


def _meal_violations(itinerary: Itinerary, catalog: Catalog) -> list[str]:
    """Lunch (and dinner when asked): one per meal window the day spans, restaurants only as meals."""
    req = itinerary.request
    out = []
    meals = [s for s in itinerary.stops if s.kind in ("meal", "picnic")]
    codes = {w.code for w in itinerary.warnings}

    def spans(a: dt.time, b: dt.time) -> bool:
        lo, hi = max(a, req.start_time), min(b, req.end_time)
        return (hi.hour * 60 + hi.minute) - (lo.hour * 60 + lo.minute) >= req.meal_minutes

    def inside(m: Stop, a: dt.time, b: dt.time) -> bool:
        start, end = m.visit_start.astimezone(TZ).time(), m.departure.astimezone(TZ).time()
        return a <= start and end <= b

    lunches = [m for m in meals if inside(m, req.lunch_from, req.lunch_to)]
    # a lunch taken during a long outdoor visit: the visit must leave room for the meal inside
    # the lunch window
    during = [s for s in itinerary.stops if any(r.code == "why.lunch_inside" for r in s.why)]
    for s in during:
        start = max(
            s.visit_start,
            s.visit_start.replace(hour=req.lunch_from.hour, minute=req.lunch_from.minute, second=0),
        )
        latest = min(
            s.departure - dt.timedelta(minutes=req.meal_minutes),
            s.visit_start.replace(hour=req.lunch_to.hour, minute=req.lunch_to.minute, second=0)
            - dt.timedelta(minutes=req.meal_minutes),
        )
        if start > latest:
            out.append(
                f"{s.poi_id}: lunch is said to be taken during the visit, which has no room for it"
            )
        else:
            lunches.append(s)
    dinners = [m for m in meals if inside(m, req.dinner_from, req.dinner_to)]
    if req.lunch and spans(req.lunch_from, req.lunch_to):
        due = 0 if "warn.no_lunch" in codes else 1
        if len(lunches) != due:
            out.append(
                f"{len(lunches)} lunches planned; the day spans the lunch window, so {due} is due"
            )
    elif lunches and not (req.dinner and set(lunches) <= set(dinners)):
        out.append("a lunch is planned although none was asked for or the day misses lunchtime")
    if req.dinner and spans(req.dinner_from, req.dinner_to):
        due = 0 if "warn.no_dinner" in codes else 1
        if len(dinners) != due:
            out.append(
                f"{len(dinners)} dinners planned; the day spans the dinner window, so {due} is due"
            )
    for m in meals:
        if m not in lunches and m not in dinners:
            out.append(
                f"{m.poi_id}: a meal at {m.visit_start.astimezone(TZ):%H:%M} is outside the meal windows"
            )
        if m.visit_s != req.meal_minutes * 60:
            out.append(
                f"{m.poi_id}: the meal lasts {m.visit_s // 60} min, the request says {req.meal_minutes}"
            )
        if m.kind == "picnic" and m not in lunches:
            out.append("a picnic is only planned for lunch")
        if (
            m.kind == "meal"
            and m.poi_id in catalog
            and catalog.get(m.poi_id).category.value != "restaurant"
        ):
            out.append(f"{m.poi_id}: a meal at a place that is not a restaurant")
    for s in itinerary.stops:
        if (
            s.kind == "visit"
            and s.poi_id in catalog
            and catalog.get(s.poi_id).category.value == "restaurant"
        ):
            out.append(f"{s.poi_id}: a restaurant is visited outside a meal")
    return out


def _facts(itinerary: Itinerary, pois: list[Poi]) -> list[str]:
    """What the visitor reads (names, category, points) must be the catalogue's."""
    out = []
    shown: list[Stop | Endpoint] = [itinerary.start, *itinerary.stops, itinerary.end]
    for item, poi in zip(shown, pois, strict=True):
        if isinstance(item, Stop) and item.kind == "picnic":
            if (item.lon, item.lat) != (poi.lon, poi.lat):
                out.append(
                    f"picnic: point ({item.lon}, {item.lat}) is not where the traveller is ({poi.id})"
                )
            continue
        if (item.name_zh, item.name_en) != (poi.name_zh, poi.name_en):
            out.append(f"{poi.id}: names {item.name_zh!r}/{item.name_en!r} are not the catalogue's")
        if (item.lon, item.lat) != (poi.lon, poi.lat):
            out.append(
                f"{poi.id}: point ({item.lon}, {item.lat}) is not the catalogue's ({poi.lon}, {poi.lat})"
            )
        if isinstance(item, Stop) and item.category != poi.category:
            out.append(
                f"{poi.id}: category {item.category.value} is not the catalogue's {poi.category.value}"
            )
    return out


def trip_violations(
    trip: Trip,
    catalog: Catalog,
    travel: TravelTimes,
    traffic: Traffic | None = None,
    crowds: DayCrowds | None = None,
    transit: Feed | None = None,
) -> list[str]:
    """Every rule a trip breaks: each day's, and those across days."""
    req = trip.request
    out: list[str] = []
    if len(trip.days) != req.days:
        out.append(f"{len(trip.days)} days planned, {req.days} asked for")
    for k, day in enumerate(trip.days):
        out.extend(
            f"day {k + 1}: {v}" for v in violations(day, catalog, travel, traffic, crowds, transit)
        )
        if day.request.date != req.date + dt.timedelta(days=k):
            out.append(
                f"day {k + 1} is {day.request.date}, expected {req.date + dt.timedelta(days=k)}"
            )
        if k > 0 and day.start.poi_id != trip.days[k - 1].end.poi_id:
            out.append(f"day {k + 1} starts at {day.start.poi_id!r}, not where day {k} ended")
    if trip.days and trip.days[0].start.poi_id != req.start:
        out.append(
            f"the trip starts at {trip.days[0].start.poi_id!r}, the request says {req.start!r}"
        )
    if trip.days and trip.days[-1].end.poi_id != (req.end or req.start):
        out.append(
            f"the trip ends at {trip.days[-1].end.poi_id!r}, the request says {req.end or req.start!r}"
        )
    if req.days > 1 and trip.stay is not None:
        for k, day in enumerate(trip.days[:-1]):
            if day.end.poi_id != trip.stay.poi_id:
                out.append(
                    f"night {k + 1} is at {day.end.poi_id!r}, not the stay {trip.stay.poi_id!r}"
                )
    ids = [s.poi_id for d in trip.days for s in d.stops if s.kind != "picnic"]
    if len(set(ids)) != len(ids):
        out.append(
            f"a place is visited twice across days: {sorted(i for i in set(ids) if ids.count(i) > 1)}"
        )
    for pid in req.required_ids:
        if pid not in ids:
            out.append(f"must-visit place {pid!r} is missing from the trip")
    for pid in req.avoid:
        if pid in ids:
            out.append(f"{pid!r} was to be avoided")
    spent = sum(s.ticket_cny or 0.0 for d in trip.days for s in d.stops)
    out.extend(_dropped_violations(trip, catalog, spent))
    if req.budget_cny is not None and spent > req.budget_cny + 0.005:
        out.append(f"tickets cost ¥{spent:g} over the trip, over the budget ¥{req.budget_cny:g}")
    if abs(trip.totals.tickets_cny - spent) > 0.005 or trip.totals.stops != sum(
        len(d.stops) for d in trip.days
    ):
        out.append("trip totals do not add up over the days")
    return out


def _dropped_violations(trip: Trip, catalog: Catalog, spent: float) -> list[str]:
    """The reasons given for places left out must be true where they can be checked directly."""
    req = trip.request
    dates = [req.date + dt.timedelta(days=k) for k in range(req.days)]
    visited = {s.poi_id for d in trip.days for s in d.stops}
    out = []
    for d in trip.dropped:
        if d.poi_id in visited:
            out.append(f"{d.poi_id!r} is left out and visited")
            continue
        poi = catalog.get(d.poi_id) if d.poi_id in catalog else None
        code = d.reason.code
        if poi is None:
            out.append(f"left-out place {d.poi_id!r} is not in the catalogue")
        elif code == "out.closed" and any(open_intervals(poi.opening_hours, day) for day in dates):
            out.append(f"{d.poi_id!r} is said to be closed, but it opens during the trip")
        elif code == "out.avoided" and d.poi_id not in req.avoid:
            out.append(f"{d.poi_id!r} is said to be avoided, but the request does not avoid it")
        elif code == "out.over_budget" and (
            req.budget_cny is None or (poi.ticket_cny or 0.0) + spent <= req.budget_cny + 0.005
        ):
            out.append(f"{d.poi_id!r} is said to be over budget, but its ticket fits")
        elif code in ("out.out_of_season", "out.off_season") and not poi.seasons:
            out.append(f"{d.poi_id!r} is said to be out of season, but it has no seasons")
    return out


def check_trip(
    trip: Trip,
    catalog: Catalog,
    travel: TravelTimes,
    traffic: Traffic | None = None,
    crowds: DayCrowds | None = None,
    transit: Feed | None = None,
) -> None:
    """Raise :class:`ItineraryCheckError` listing every violation of the trip, if there is any."""
    found = trip_violations(trip, catalog, travel, traffic, crowds, transit)
    if found:
        raise ItineraryCheckError(found)


def check(
    itinerary: Itinerary,
    catalog: Catalog,
    travel: TravelTimes,
    traffic: Traffic | None = None,
    crowds: DayCrowds | None = None,
    transit: Feed | None = None,
) -> None:
    """Raise :class:`ItineraryCheckError` listing every violation, if there is any."""
    found = violations(itinerary, catalog, travel, traffic, crowds, transit)
    if found:
        raise ItineraryCheckError(found)
