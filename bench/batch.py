"""Benchmark: batch planning of synthetic requests, local single process against Ray.

Generates ``--requests`` random day requests (fixed seed; dates over a year, start points,
interests, hours, modes, as ``bench/plan.py``), plans them with the local engine (this process)
and with the Ray engine on a local Ray with ``--ray-cpus`` workers, in one run, and prints each
engine's wall time and throughput, the ratio, how many requests failed, and whether both engines
returned the same plans. Not a test: read the figures, do not assert them.

Note: the solver itself runs two seeded searches in two processes when a day has 20 or more
candidate places, so even the "single process" engine uses a second core part of the time.

    .venv/bin/python bench/batch.py [--requests 1000] [--ray-cpus 2] [--time-limit 0.2]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import time

from planner.plan.live import PlannerSettings
from planner.service.batch import batch_planner, run_batch

INTERESTS = [
    "blossom", "lake", "gorge", "mountain", "hiking", "culture",
    "village", "farm", "picking", "food", "family", "great_wall",
]  # fmt: skip


def synthetic_lines(n: int, starts: list[str], time_limit: float, seed: int) -> list[str]:
    rng = random.Random(seed)
    lines = []
    for k in range(n):
        day = dt.date(2027, 1, 1) + dt.timedelta(days=rng.randrange(365))
        begin = rng.choice([7, 8, 9, 10])
        request = {
            "date": day.isoformat(),
            "start": rng.choice(starts),
            "start_time": f"{begin:02d}:{rng.choice([0, 30]):02d}",
            "end_time": f"{min(begin + rng.choice([6, 8, 10, 11]), 21):02d}:00",
            "interests": rng.sample(INTERESTS, rng.randint(0, 4)),
            "mode": rng.choice(["car", "car", "car", "bus", "bicycle"]),
            "time_limit_s": time_limit,
            "seed": rng.randrange(1000),
        }
        party = rng.choice([1, 2, 2, 3, 4, 5])
        lines.append(json.dumps({"id": f"r{k}", "party_size": party, "request": request}))
    return lines


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--requests", type=int, default=1000)
    ap.add_argument("--ray-cpus", type=int, default=2)
    ap.add_argument("--time-limit", type=float, default=0.2)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()

    settings = PlannerSettings(use_roads=False)
    planner = batch_planner(settings)
    starts = [
        p.id for p in planner.catalog.filter(category="transport") if p.id != "dongzhimen-hub"
    ]
    items = list(enumerate(synthetic_lines(args.requests, starts, args.time_limit, args.seed), 1))
    print(
        f"{len(items)} synthetic requests, time_limit_s {args.time_limit:g}, "
        f"{len(planner.catalog)} places, travel {planner.travel.name}"
    )

    results = {}
    for engine in ("local", "ray"):
        began = time.perf_counter()
        records = list(
            run_batch(
                items,
                settings=settings,
                engine=engine,
                num_cpus=args.ray_cpus if engine == "ray" else None,
                planner=planner,
            )  # type: ignore[arg-type]
        )
        seconds = time.perf_counter() - began
        failed = [r for r in records if not r["ok"]]
        codes: dict[str, int] = {}
        for r in failed:
            codes[r["error"]["code"]] = codes.get(r["error"]["code"], 0) + 1
        results[engine] = (seconds, records)
        label = "local (1 process)" if engine == "local" else f"ray ({args.ray_cpus} workers)"
        print(
            f"{label:>18}: {seconds:7.1f} s  {len(records) / seconds:6.2f} req/s  "
            f"{len(records) - len(failed)} planned, {len(failed)} failed {codes or ''}"
        )
        if failed:
            print(f"{'':>20}first failure: {failed[0]['error']['detail'][:300]}")
    ratio = results["local"][0] / results["ray"][0]
    differ = sum(
        a.get("itinerary", {}).get("stops") != b.get("itinerary", {}).get("stops")
        for a, b in zip(results["local"][1], results["ray"][1], strict=True)
    )
    net = {
        engine: sum(
            r.get("itinerary", {}).get("solver", {}).get("status") == "time_limit"
            for r in results[engine][1]
        )
        for engine in results
    }
    order = [r["line"] for r in results["ray"][1]] == [k for k, _ in items]
    print(f"throughput ratio ray/local: {ratio:.2f}x; input order kept: {order}")
    print(
        f"plans that differ between engines: {differ}; stopped by the solver's wall-clock net "
        f"(status time_limit, machine-dependent by design): local {net['local']}, ray {net['ray']}"
    )
    print("(the ray time includes starting Ray and its workers)")


if __name__ == "__main__":
    main()
