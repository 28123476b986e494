"""Bus journeys on the bundled GTFS feed: profile computation and leg queries.

Run from the project root: ``.venv/bin/python bench/transit.py [--points 50] [--runs 5]``.
Prints one table. The baseline is a plain earliest-arrival Connection Scan per query (one scan
from the origin's stops at the query time, the textbook algorithm), run in the same process on
the same timetable, so the ratios hold on a noisy machine.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import time
from pathlib import Path

import yaml

from planner.travel.transit import Timetable, load_feed, profiles
from planner.travel.transit.csa import INF

ROOT = Path(__file__).resolve().parents[1]
DAY = dt.date(2027, 4, 21)  # an ordinary Wednesday
EARLIEST, LATEST = 6 * 3600, 21 * 3600


def catalogue_points(count: int) -> list[tuple[float, float]]:
    pois = yaml.safe_load((ROOT / "configs" / "pois.yaml").read_text(encoding="utf-8"))["pois"]
    points = [(float(p["lon"]), float(p["lat"])) for p in pois]
    rng = random.Random(0)
    rng.shuffle(points)
    while len(points) < count:  # more than the catalogue: jitter its points by ~1 km
        lon, lat = points[len(points) % len(pois)]
        points.append((lon + rng.uniform(-0.01, 0.01), lat + rng.uniform(-0.01, 0.01)))
    return points[:count]


def naive_earliest_arrival(
    tt: Timetable, a: tuple[float, float], b: tuple[float, float], t: int
) -> int | None:
    """Textbook earliest-arrival CSA from point a leaving at t to point b (walk ends only)."""
    arrive = [INF] * len(tt.stops)
    for s, walk in tt.nearby(a):
        arrive[s] = t + walk
    egress = dict(tt.nearby(b))
    on_trip = [False] * len(tt.runs)
    best = INF
    change = tt.settings.change_s
    for c in range(len(tt.c_dep)):
        dep = tt.c_dep[c]
        if dep >= best:
            break
        k, u, v = tt.c_run[c], tt.c_from[c], tt.c_to[c]
        if on_trip[k] or arrive[u] <= dep:
            on_trip[k] = True
            arr = tt.c_arr[c]
            for w, seconds in ((v, 0), *tt.transfers[v]):
                if arr + change + seconds < arrive[w]:
                    arrive[w] = arr + change + seconds
            if v in egress:
                best = min(best, arr + egress[v])
    return None if best >= INF else best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--points", type=int, default=50)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--queries", type=int, default=2000)
    args = parser.parse_args()

    t0 = time.perf_counter()
    feed = load_feed(ROOT / "configs" / "transit")
    load_s = time.perf_counter() - t0
    points = catalogue_points(args.points)

    cold, build = [], []
    for _ in range(args.runs):
        t0 = time.perf_counter()
        tt = Timetable(feed, DAY)
        t1 = time.perf_counter()
        matrix = profiles(tt, points, EARLIEST, LATEST)
        cold.append(time.perf_counter() - t1)
        build.append(t1 - t0)
    t0 = time.perf_counter()
    profiles(tt, points, EARLIEST, LATEST)
    cached = time.perf_counter() - t0

    rng = random.Random(1)
    n = len(points)
    queries = [
        (rng.randrange(n), rng.randrange(n), rng.randrange(EARLIEST, LATEST - 3600))
        for _ in range(args.queries)
    ]
    t0 = time.perf_counter()
    answers = [matrix.earliest_arrival(i, j, t) for i, j, t in queries]
    fast_s = time.perf_counter() - t0
    sample = queries[: max(1, args.queries // 10)]
    t0 = time.perf_counter()
    naive = [naive_earliest_arrival(tt, points[i], points[j], t) for i, j, t in sample]
    naive_s = time.perf_counter() - t0

    agree = 0
    for (i, j, t), got, bus in zip(sample, answers, naive, strict=False):
        walk = matrix.walk_only[i][j]
        options = [x for x in (bus, None if walk is None else t + walk) if x is not None]
        agree += (got.arrive if got else None) == (min(options) if options else None)
    pairs = n * (n - 1)
    journeys = sum(len(matrix.times(i, j)) for i in range(n) for j in range(n))
    rows = [
        ("feed", f"{len(feed.lines)} lines, {len(feed.stops)} stops, {tt.connections} connections"),
        ("load_feed (first, uncached)", f"{load_s * 1000:.0f} ms"),
        ("Timetable build (median)", f"{statistics.median(build) * 1000:.1f} ms"),
        (
            f"profiles, {n} points (median of {args.runs})",
            f"{statistics.median(cold) * 1000:.0f} ms",
        ),
        ("profiles, same call again (cached)", f"{cached * 1e6:.0f} us"),
        ("journeys on all profiles", f"{journeys} over {pairs} ordered pairs"),
        ("leg queries / s (earliest_arrival on profiles)", f"{len(queries) / fast_s:,.0f}"),
        ("leg queries / s (naive CSA per query)", f"{len(sample) / naive_s:,.0f}"),
        ("ratio (profiles : naive)", f"{(len(queries) / fast_s) / (len(sample) / naive_s):,.0f}x"),
        (
            "profiles vs naive for one query per pair",
            f"{(naive_s / len(sample) * pairs) / statistics.median(cold):.1f}x faster",
        ),
        ("answers equal to naive (min of walk, bus)", f"{agree}/{len(sample)}"),
    ]
    width = max(len(r[0]) for r in rows)
    for name, value in rows:
        print(f"{name:<{width}}  {value}")


if __name__ == "__main__":
    main()
