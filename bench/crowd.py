"""Benchmark: spreading a festival day's crowds (``planner batch --balance``), blind vs balanced.

The scenario: the Peach Blossom Festival Saturday 2027-04-17 (a festival day in the bundled
``configs/traffic.yaml``), 20,000 visitors. Planning 20,000 requests at ~0.3 s each on two cores
would take an hour a round, so the visitors are **represented**: ``--requests`` planned requests
(default 400), each a group of ``party_size`` people (1-5, mean ~2.8) standing for ``scale`` real
visitors each, with ``scale`` chosen so the represented total is ``--visitors`` (default 20,000;
400 requests x ~2.8 people x ~18 = 20,000). Loads are then counted in real visitors against the
places' real capacities. The coarser grain is honest about one thing: a re-plan moves a whole
group of ~50 real visitors at once, so a place-hour a little over capacity may not be fixable
without pushing another one over (which balancing never does).

The mix (fixed seed ``--seed``, default 0):

* **start points**, weighted to how visitors reach Pinggu: Pinggu Bus Station (852/918 buses
  from Dongzhimen) 30 %; the Jingping Expressway at the Mafang exit, the main road from Beijing
  (``116.99,40.08``, approximate) 25 %; Dongzhimen hub in Beijing (driving out for the day)
  15 %; the Shunping Road entry west of Pinggu town (``117.02,40.15``, approximate) 10 %; the
  Yingbin Roundabout bus stop 10 %; Jinhai Lake's side (a night in a farm stay there:
  ``guajiayu-farm-stays``) 10 %;
* **interests**: blossom 70 % (it is the festival), then lake, gorge, mountain, village, farm,
  food, family, culture, great_wall, hiking, picking each by their weight below; 1-3 of them;
* **day lengths**: start 07:30-10:00, end 15:00-19:00; car 80 %, bus 20 %.

It plans them blind (the best day for each alone), balances them (``run_balanced``), and prints
peak load / capacity at the five busiest places and the place-hours over capacity, blind vs
balanced; the mean and worst loss of each visitor's own value; the rounds; and the wall time of
the local engine vs Ray with ``--ray-cpus`` workers (same result checked). Not a test: read the
figures, do not assert them.

    .venv/bin/python bench/crowd.py [--requests 400] [--visitors 20000] [--ray-cpus 2]
                                    [--time-limit 0.2] [--rounds 8] [--no-ray]
"""

from __future__ import annotations

import argparse
import json
import random
import time
from typing import Any

from planner.plan.live import PlannerSettings
from planner.service.balance import BalanceResult, BalanceSettings
from planner.service.batch import batch_planner, run_balanced

DATE = "2027-04-17"
STARTS = [
    ("pinggu-bus-station", 30),
    ("116.99,40.08", 25),  # Jingping Expressway, Mafang exit (approximate)
    ("dongzhimen-hub", 15),
    ("117.02,40.15", 10),  # Shunping Road, west entry of Pinggu town (approximate)
    ("pinggu-yingbin-roundabout", 10),
    ("guajiayu-farm-stays", 10),
]
INTERESTS = [
    ("lake", 30), ("gorge", 25), ("mountain", 15), ("village", 12), ("farm", 10),
    ("food", 12), ("family", 15), ("culture", 8), ("great_wall", 8), ("hiking", 10),
    ("picking", 5),
]  # fmt: skip
PARTY = [1, 2, 2, 3, 3, 4, 5]


def scenario(n: int, *, seed: int = 0, time_limit: float = 0.2) -> list[str]:
    """``n`` festival-day request lines (envelopes with id and party size), the mix above."""
    rng = random.Random(seed)
    starts, start_w = zip(*STARTS, strict=True)
    names, weights = zip(*INTERESTS, strict=True)
    lines = []
    for k in range(n):
        interests = ["blossom"] if rng.random() < 0.7 else []
        while len(interests) < rng.randint(1, 3):
            pick = rng.choices(names, weights)[0]
            if pick not in interests:
                interests.append(pick)
        begin = rng.choice([450, 480, 510, 540, 570, 600])  # 07:30 .. 10:00
        end = rng.choice([15, 16, 17, 17, 18, 19])
        request = {
            "date": DATE,
            "start": rng.choices(starts, start_w)[0],
            "start_time": f"{begin // 60:02d}:{begin % 60:02d}",
            "end_time": f"{end:02d}:00",
            "interests": interests,
            "mode": "bus" if rng.random() < 0.2 else "car",
            "time_limit_s": time_limit,
            "seed": rng.randrange(1000),
        }
        party = rng.choice(PARTY)
        lines.append(json.dumps({"id": f"v{k}", "party_size": party, "request": request}))
    return lines


def _untimed(record: dict[str, Any]) -> dict[str, Any]:
    """A record without the solver's wall time (the one figure that differs run to run)."""
    it = record.get("itinerary")
    if not it:
        return record
    return record | {"itinerary": it | {"solver": it["solver"] | {"solve_seconds": 0}}}


def people(lines: list[str]) -> int:
    return sum(json.loads(x)["party_size"] for x in lines)


def summary(result: BalanceResult, seconds: dict[str, float]) -> list[tuple[str, str]]:
    """The measured figures as (label, value) rows."""
    blind_over, bal_over = result.over(balanced=False), result.over()
    rows = [
        ("visitors planned (requests)", f"{len(result.blind)}"),
        ("place-hours over capacity, blind", f"{len(blind_over)}"),
        ("place-hours over capacity, balanced", f"{len(bal_over)}"),
    ]
    if blind_over:
        cut = 1 - len(bal_over) / len(blind_over)
        rows.append(("overloaded place-hours cut", f"{cut:.0%}"))
    from planner.service.balance import overload

    ob = overload(result.loads(balanced=False), result.capacity)
    oa = overload(result.loads(), result.capacity)
    rows.append(("visitor-hours over capacity, blind", f"{ob:,.0f}"))
    rows.append(("visitor-hours over capacity, balanced", f"{oa:,.0f}"))
    if ob:
        rows.append(("visitor-hours over capacity cut", f"{1 - oa / ob:.0%}"))
    rows.append(("mean loss of own value", f"{result.mean_loss():.2%}"))
    rows.append(("worst loss of own value", f"{result.worst_loss():.1%}"))
    rows.append(("rounds", f"{len(result.rounds)} ({result.settled})"))
    rows.append(
        ("re-planned per round", ", ".join(f"{r.replanned}/{r.accepted}" for r in result.rounds))
    )
    for label, balanced in (("blind", False), ("balanced", True)):
        peaks = result.peaks(5, balanced=balanced)
        rows.append(
            (
                f"peak load/capacity, top 5, {label}",
                ", ".join(f"{pid} {h:02d}h {r:.2f}" for pid, h, r in peaks),
            )
        )
    for engine, s in seconds.items():
        rows.append((f"wall time --balance, {engine}", f"{s:.1f} s"))
    if "local" in seconds and "ray" in seconds:
        rows.append(("ratio (ray : local throughput)", f"{seconds['local'] / seconds['ray']:.2f}x"))
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--requests", type=int, default=400)
    ap.add_argument("--visitors", type=int, default=20_000)
    ap.add_argument("--ray-cpus", type=int, default=2)
    ap.add_argument("--time-limit", type=float, default=0.2)
    ap.add_argument("--rounds", type=int, default=8)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--no-ray", action="store_true", help="Only the local engine")
    args = ap.parse_args()

    lines = scenario(args.requests, seed=args.seed, time_limit=args.time_limit)
    scale = args.visitors / people(lines)
    print(
        f"{args.requests} requests, {people(lines)} people x {scale:.2f} = {args.visitors} "
        f"visitors on {DATE}"
    )
    items = list(enumerate(lines, 1))
    settings = BalanceSettings(scale=scale, max_rounds=args.rounds)
    planner = batch_planner(PlannerSettings())
    seconds: dict[str, float] = {}
    began = time.perf_counter()
    result, records = run_balanced(items, planner=planner, balance=settings, engine="local")
    seconds["local"] = time.perf_counter() - began
    plans = len(result.blind) + sum(r.replanned for r in result.rounds)
    print(f"local: {seconds['local']:.1f} s, {plans} plans ({plans / seconds['local']:.2f}/s)")
    if not args.no_ray:
        began = time.perf_counter()
        _, ray_records = run_balanced(
            items, planner=planner, balance=settings, engine="ray", num_cpus=args.ray_cpus
        )
        seconds["ray"] = time.perf_counter() - began
        same = [_untimed(r) for r in ray_records] == [_untimed(r) for r in records]
        print(f"ray ({args.ray_cpus} workers): {seconds['ray']:.1f} s; same plans as local: {same}")
    width = max(len(label) for label, _ in summary(result, seconds))
    for label, value in summary(result, seconds):
        print(f"{label:<{width}}  {value}")


if __name__ == "__main__":
    main()
