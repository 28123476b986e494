"""Bus days: the old flat estimate against the timetable, side by side on the same requests.

Before the timetable, a bus leg was a car estimate at 22 km/h with 15 minutes' access. This
plans ``--requests`` random car-free days (fixed seed: dates over a year, the bus station or the
town as start, interests, hours) twice: with the flat estimate (``Planner.transit = None``) and
on the bundled timetable (``configs/transit/``). Each flat plan is then re-timed on the
timetable, stop by stop in its own order, to count what it would have done to a family:

* **impossible**: some place reached after its last entry, or home after the day's end, once the
  buses are taken as they run;
* **stranded**: leaving the last place when the flat plan said to, no bus (or walk) gets home
  by the day's end;
* **waits longer than the visit**: a wait at a stop longer than the visit before it.

It prints those counts, the value of the plans both ways, and the median and p95 wall time of a
bus day planned end to end on the timetable. Not a test: read the figures.

    .venv/bin/python bench/bus_days.py [--requests 20] [--seed 0]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from planner import Interest, Planner, TripRequest
from planner.errors import InfeasibleRequest
from planner.model import Itinerary
from planner.plan.timing import PAUSE, timeline
from planner.travel.transit import RideLeg, WalkLeg


def random_request(rng: random.Random) -> TripRequest:
    day = dt.date(2027, 1, 1) + dt.timedelta(days=rng.randrange(365))
    begin = rng.choice([7, 8, 9])
    return TripRequest(
        date=day,
        start=rng.choice(["pinggu-bus-station", "pinggu-bus-station", "pinggu-yingbin-roundabout"]),
        start_time=dt.time(begin, rng.choice([0, 30])),
        end_time=dt.time(min(begin + rng.choice([8, 9, 10, 11]), 20), 0),
        interests=rng.sample(list(Interest), rng.randint(1, 3)),
        mode="bus",
        lunch=rng.random() < 0.7,
    )


def retime(planner: Planner, flat: Itinerary) -> tuple[bool, bool, int]:
    """The flat plan's own order timed on the timetable: (impossible, stranded, long waits)."""
    req = flat.request
    setup = planner.setup(req.model_copy(update={"crowds": False}))
    assert setup.buses is not None
    index = {p.id: k for k, p in enumerate(setup.nodes)}
    seq = [PAUSE if s.kind == "picnic" else index[s.poi_id] for s in flat.stops]
    day = setup.day_terms(0)
    if PAUSE in seq and day.pause is None:
        seq = [n for n in seq if n != PAUSE]
    timed = timeline(seq, day, relax=True)
    assert timed is not None
    last = next((n for n in reversed(seq) if n != PAUSE), day.start_node)
    # stranded: leaving the last place when the flat plan itself said to, no bus or walk home
    midnight = dt.datetime.combine(req.date, dt.time(), flat.day_start.tzinfo)
    planned_exit = (
        int((flat.stops[-1].departure - midnight).total_seconds()) if flat.stops else day.depart
    )
    home = setup.buses.journey(last, day.end_node, planned_exit)
    if home is not None and home.arrive > day.latest_end:
        home = None
    long_waits = 0
    here, previous_visit, left = day.start_node, 0, day.depart
    for node, tm in zip(seq, timed.visits, strict=True):
        if node == PAUSE:
            left = tm.departure
            continue
        leg = setup.buses.journey(here, node, left)
        rides = [p for p in (leg.legs if leg else ()) if isinstance(p, RideLeg)]
        walk_to_stop = leg.legs[0].seconds if leg and isinstance(leg.legs[0], WalkLeg) else 0
        wait = rides[0].depart - left - walk_to_stop if rides else 0
        if previous_visit and wait > previous_visit:
            long_waits += 1
        here, previous_visit, left = node, tm.departure - tm.start, tm.departure
    return timed.late_s > 0, home is None, long_waits


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--requests", type=int, default=20)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    on_timetable = Planner.from_configs()
    if on_timetable.transit is None:
        raise SystemExit("no feed in configs/transit/")
    flat_planner = Planner.from_configs()
    flat_planner.transit = None
    rng = random.Random(args.seed)
    impossible = stranded = waits = 0
    flat_values, new_values, seconds = [], [], []
    refused = 0
    for _ in range(args.requests):
        req = random_request(rng)
        try:
            flat = flat_planner.plan(req)
        except InfeasibleRequest:
            flat = None
        began = time.perf_counter()
        try:
            new = on_timetable.plan(req)
        except InfeasibleRequest:
            new = None
            refused += 1
        seconds.append(time.perf_counter() - began)
        if flat is not None:
            late, lost, long_waits = retime(on_timetable, flat)
            impossible += late or lost
            stranded += lost
            waits += long_waits
            flat_values.append(flat.totals.value)
        if new is not None:
            new_values.append(new.totals.value)
    n = args.requests
    print(f"{n} car-free days (seed {args.seed}), feed {on_timetable.transit.name}")
    print(f"flat-estimate plans impossible on the timetable: {impossible}/{len(flat_values)}")
    print(f"  of them stranded (no bus or walk home from the last place): {stranded}")
    print(f"  waits at a stop longer than the visit before it: {waits}")
    print(
        f"value: flat plans mean {statistics.mean(flat_values or [0]):.1f} (as promised, not as "
        f"ridden); timetable plans mean {statistics.mean(new_values or [0]):.1f} (all checked)"
    )
    print(f"timetable plans refused (nothing fits on the buses): {refused}")
    s = sorted(seconds)
    print(
        f"bus day end to end: median {statistics.median(s):.3f} s, p95 {s[round(0.95 * (len(s) - 1))]:.3f} s"
    )


if __name__ == "__main__":
    main()
