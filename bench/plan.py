"""Benchmark: end-to-end plan time over the full bundled catalogue.

Plans 20 random day requests (dates over a year, start points, interests, hours, modes; fixed seed)
and prints the median and p95 wall time of ``Planner.plan`` and of the solver alone, the mean value
collected and how many stops. Not a test: the machines are shared and noisy, so read the figures,
do not assert them.

    .venv/bin/python bench/plan.py [--requests 20] [--time-limit 1.0] [--seed 0]
    .venv/bin/python bench/plan.py --crowds on --festival    # crowd-aware festival days

``--crowds on|off`` plans every request around the day's crowds (or blind to them);
``--festival`` puts every request on a Peach Blossom Festival day (April 2027), where crowds
are heaviest and crowd-aware planning is on by default.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import time

from planner import Interest, Mode, Planner, TripRequest
from planner.errors import InfeasibleRequest


def random_request(rng: random.Random, starts: list[str], time_limit: float) -> TripRequest:
    day = dt.date(2027, 1, 1) + dt.timedelta(days=rng.randrange(365))
    begin = rng.choice([7, 8, 9, 10])
    return TripRequest(
        date=day,
        start=rng.choice(starts),
        start_time=dt.time(begin, rng.choice([0, 30])),
        end_time=dt.time(min(begin + rng.choice([6, 8, 10, 11]), 21), 0),
        interests=rng.sample(list(Interest), rng.randint(0, 4)),
        mode=rng.choice([Mode.car, Mode.car, Mode.car, Mode.bus, Mode.bicycle]),
        time_limit_s=time_limit,
        pace=rng.choice(["relaxed", "normal", "normal", "packed"]),
    )


def percentile(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, round(q * (len(s) - 1)))]


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--requests", type=int, default=20)
    ap.add_argument("--time-limit", type=float, default=1.0)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--crowds", choices=["auto", "on", "off"], default="auto")
    ap.add_argument("--festival", action="store_true", help="every request on a festival day")
    ap.add_argument(
        "--quality-limit",
        type=float,
        default=0.0,
        help="also plan each request with this solver time (e.g. 30) and report the value gap",
    )
    args = ap.parse_args()

    t0 = time.perf_counter()
    planner = Planner.from_configs()
    load_s = time.perf_counter() - t0
    starts = [
        p.id
        for p in planner.catalog
        if p.category.value == "transport" and p.id != "dongzhimen-hub"
    ]
    rng = random.Random(args.seed)
    totals, solves, values, stops, gaps = [], [], [], [], []
    queues, worth = [], []  # minutes queuing and value, both as the day's crowds make them
    infeasible = 0
    for _ in range(args.requests):
        req = random_request(rng, starts, args.time_limit)
        crowds = {"auto": None, "on": True, "off": False}[args.crowds]
        update: dict[str, object] = {"crowds": crowds}
        if args.festival:
            update["date"] = dt.date(2027, 4, 10) + dt.timedelta(days=rng.randrange(14))
        req = req.model_copy(update=update)
        t = time.perf_counter()
        try:
            it = planner.plan(req)
        except InfeasibleRequest:
            infeasible += 1
            continue
        totals.append(time.perf_counter() - t)
        crowds = planner.crowds_for(req.model_copy(update={"crowds": True}))
        assert crowds is not None
        if it.crowd_aware:  # as planned, and as the checker verified
            queues.append(sum(s.queue_s for s in it.stops) / 60)
            worth.append(it.totals.value)
        else:  # a blind plan meets the same crowds: the queue at each arrival, the hour's value
            queues.append(sum(crowds.queue_s(s.poi_id, s.arrival) for s in it.stops) / 60)
            worth.append(sum(s.value * crowds.value_share(s.poi_id, s.visit_start) for s in it.stops))
        solves.append(it.solver.solve_seconds)
        values.append(it.totals.value)
        stops.append(it.totals.stops)
        if args.quality_limit:
            long = planner.plan(req.model_copy(update={"time_limit_s": args.quality_limit}))
            best = max(long.totals.value, it.totals.value)
            gaps.append(100.0 * (best - it.totals.value) / best if best else 0.0)
    print(
        f"catalogue: {len(planner.catalog)} places; planner built in {load_s:.2f} s; provider {planner.travel.name}"
    )
    print(
        f"requests: {len(totals)} planned, {infeasible} infeasible; solver time limit {args.time_limit} s; "
        f"crowds {args.crowds}{', festival days' if args.festival else ''}"
    )
    print(
        f"plan():   median {statistics.median(totals):.3f} s   p95 {percentile(totals, 0.95):.3f} s   max {max(totals):.3f} s"
    )
    print(
        f"solver:   median {statistics.median(solves):.3f} s   p95 {percentile(solves, 0.95):.3f} s"
    )
    print(f"stops:    mean {statistics.mean(stops):.1f}; value: mean {statistics.mean(values):.1f}")
    print(
        f"crowds:   queuing mean {statistics.mean(queues):.1f} min a day, max {max(queues):.0f}; "
        f"value with the day's crowds: mean {statistics.mean(worth):.1f}"
    )
    if gaps:
        print(
            f"quality:  gap to the {args.quality_limit:g} s plan: mean {statistics.mean(gaps):.2f} %, "
            f"max {max(gaps):.2f} %, within 1 %: {sum(g <= 1.0 for g in gaps)}/{len(gaps)}"
        )


if __name__ == "__main__":
    main()
