"""Benchmark the planner's solver on the literature TOPTW instances.

For each instance, number of routes ``m`` and time limit: the planner's score, the best-known
score (``bks.csv``), the gap, and feasibility by the independent :func:`planner.solve.solver.is_feasible`
check; with ``--pyvrp``, PyVRP's prize-collecting solver on the very same integer problem and
time limit, its score and the ratio planner / PyVRP. Means close each time limit.

PyVRP is a benchmark-only dependency (``pip install -e .[bench]``); the planner never imports it.

Examples
--------
    .venv/bin/python bench/toptw.py                     # c101 r101 rc101 pr01, m=1, 1 s and 10 s
    .venv/bin/python bench/toptw.py --limits 1 --pyvrp
    .venv/bin/python bench/toptw.py --instances pr01 pr02 --m 1 2 3 4 --limits 10
    .venv/bin/python bench/toptw.py --all --limits 1 --pyvrp
    .venv/bin/python bench/toptw.py --all --m 2 3 4 --limits 10 --pyvrp --jobs 2

``--all`` takes every (instance, m) of ``bks.csv``, restricted to the ``--m`` values given and,
if given, to ``--instances``. ``--jobs N`` runs N instances side by side: faster, but each
solver then gets less of the machine than its time limit assumes (the planner runs
``SearchSettings.workers`` processes itself), so compare figures from runs with the same
``--jobs``. The first line printed says what was run.
"""

from __future__ import annotations

import argparse
import csv
import os
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from planner.solve.problem import OrienteeringProblem  # noqa: E402
from planner.solve.solver import is_feasible, solve  # noqa: E402
from planner.solve.toptw import read_toptw  # noqa: E402

DEFAULT_DIR = ROOT.parent / "shared" / "benchmarks" / "toptw"
DEFAULT_INSTANCES = ("c101", "r101", "rc101", "pr01")


@dataclass(frozen=True)
class Row:
    """One benchmark run, ready to print."""

    instance: str
    m: int
    limit: float
    score: int
    bks: int | None
    feasible: bool
    seconds: float
    status: str
    pyvrp: int | None = None

    @property
    def gap(self) -> float | None:
        """Percent below the best-known score (negative: better than best-known)."""
        return None if not self.bks else 100 * (self.bks - self.score) / self.bks

    @property
    def pyvrp_gap(self) -> float | None:
        """PyVRP's percent below the best-known score."""
        return (
            None if not self.bks or self.pyvrp is None else 100 * (self.bks - self.pyvrp) / self.bks
        )

    @property
    def ratio(self) -> float | None:
        """Planner score / PyVRP score."""
        return None if not self.pyvrp else self.score / self.pyvrp


def read_bks(path: Path) -> dict[tuple[str, int], int]:
    """Best-known scores by (instance, m)."""
    with path.open(newline="") as handle:
        return {(r["instance"], int(r["m"])): int(r["bks"]) for r in csv.DictReader(handle)}


def pyvrp_score(problem: OrienteeringProblem, limit: float, seed: int) -> int:
    """Score of PyVRP's prize-collecting VRPTW on the same integer problem within ``limit`` s.

    Prizes are score x (total time budget + 1), the planner's lexicographic scale, so that both
    solvers optimise the same objective. Multiple windows and ``allowed_routes`` are not
    translated (the literature instances have neither).
    """
    import pyvrp
    from pyvrp.stop import MaxRuntime

    routes = problem.routes
    unit = sum(r.latest_end - r.earliest_start for r in routes) + 1
    model = pyvrp.Model()
    locations = [model.add_location(0, 0) for _ in range(problem.size)]
    depots = {node: model.add_depot(locations[node]) for node in sorted(problem.depots)}
    for r in routes:
        model.add_vehicle_type(
            1,
            start_depot=depots[r.start],
            end_depot=depots[r.end],
            tw_early=r.earliest_start,
            tw_late=r.latest_end,
        )
    for node in range(problem.size):
        if node in depots or not problem.windows[node]:
            continue
        (early, late), *_ = problem.windows[node]
        model.add_client(
            locations[node],
            service_duration=problem.service[node],
            tw_early=early,
            tw_late=late,
            prize=problem.score[node] * unit,
            required=False,
        )
    for i, frm in enumerate(locations):
        for j, to in enumerate(locations):
            travel = int(problem.travel[i, j])
            model.add_edge(frm, to, distance=travel, duration=travel)
    result = model.solve(MaxRuntime(limit), seed=seed, display=False)
    solution = result.best
    if not solution.is_feasible():
        return 0
    return solution.prizes() // unit  # prizes are exact multiples of the unit


def run(
    name: str, m: int, limit: float, *, folder: Path, bks: dict[tuple[str, int], int], pyvrp: bool
) -> Row:
    """Solve one instance with the planner (and PyVRP if asked)."""
    instance = read_toptw(folder / "instances" / f"{name}.txt", routes=m)
    began = time.perf_counter()
    solution = solve(instance.problem, time_limit_s=limit, seed=0)
    seconds = time.perf_counter() - began
    return Row(
        instance=name,
        m=m,
        limit=limit,
        score=solution.score,
        bks=bks.get((name, m)),
        feasible=not is_feasible(instance.problem, solution.routes),
        seconds=seconds,
        status=solution.status,
        pyvrp=pyvrp_score(instance.problem, limit, seed=0) if pyvrp else None,
    )


def _fmt(value: float | None, pattern: str) -> str:
    return "-" if value is None else format(value, pattern)


def print_row(row: Row, pyvrp: bool) -> None:
    """One line per run."""
    line = (
        f"{row.instance:<7}{row.m:>2}{row.limit:>6g}{row.score:>7}{row.bks or '-':>7}"
        f"{_fmt(row.gap, '.2f'):>8}{'yes' if row.feasible else 'NO':>6}{row.seconds:>7.2f}"
        f"  {row.status:<10}"
    )
    if pyvrp:
        line += (
            f"{row.pyvrp if row.pyvrp is not None else '-':>7}{_fmt(row.pyvrp_gap, '.2f'):>8}"
            f"{_fmt(row.ratio, '.3f'):>7}"
        )
    print(line, flush=True)


def print_means(rows: list[Row], pyvrp: bool) -> None:
    """Mean gap, feasibility count and (with PyVRP) PyVRP's mean gap and mean ratio, per time
    limit and m, then per time limit."""
    groups = sorted({(r.limit, r.m) for r in rows})
    for limit in sorted({r.limit for r in rows}):
        for key in [g for g in groups if g[0] == limit] + [(limit, None)]:
            chosen = [r for r in rows if r.limit == limit and key[1] in (None, r.m)]
            print(_means_line(chosen, f"@ {limit:g}s m={key[1] or 'all'}", pyvrp))


def _means_line(chosen: list[Row], label: str, pyvrp: bool) -> str:
    gaps = [r.gap for r in chosen if r.gap is not None]
    text = (
        f"mean {label:<12}: gap {_fmt(statistics.fmean(gaps) if gaps else None, '.2f'):>6} % "
        f"over {len(gaps):>2} with best-known; feasible {sum(r.feasible for r in chosen)}"
        f"/{len(chosen)}; time {statistics.fmean(r.seconds for r in chosen):.2f} s "
        f"(max {max(r.seconds for r in chosen):.2f})"
    )
    if pyvrp:
        pgaps = [r.pyvrp_gap for r in chosen if r.pyvrp_gap is not None]
        ratios = [r.ratio for r in chosen if r.ratio is not None]
        text += (
            f"; PyVRP gap {_fmt(statistics.fmean(pgaps) if pgaps else None, '.2f'):>6} %"
            f", ratio {_fmt(statistics.fmean(ratios) if ratios else None, '.3f')}"
        )
    return text


def main(argv: list[str] | None = None) -> int:
    """Parse the command line, run the grid, print rows and means."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--instances", nargs="+", default=list(DEFAULT_INSTANCES))
    parser.add_argument(
        "--m", nargs="+", type=int, choices=[1, 2, 3, 4], help="default 1; with --all 1 2 3 4"
    )
    parser.add_argument("--limits", nargs="+", type=float, default=[1.0, 10.0])
    parser.add_argument(
        "--all",
        action="store_true",
        help="every (instance, m) of bks.csv with m in --m (and in --instances if given)",
    )
    parser.add_argument("--pyvrp", action="store_true", help="also run PyVRP at the same limit")
    parser.add_argument("--jobs", type=int, default=1, help="instances run side by side")
    parser.add_argument("--folder", type=Path, default=DEFAULT_DIR, help="benchmark folder")
    args = parser.parse_args(argv)

    args.m = args.m or ([1, 2, 3, 4] if args.all else [1])
    bks = read_bks(args.folder / "bks.csv")
    if args.all:
        chosen = set(args.instances) if "--instances" in (argv or sys.argv) else None
        grid = sorted(
            (key for key in bks if key[1] in args.m and (chosen is None or key[0] in chosen)),
            key=lambda key: (key[1], _order(key[0])),
        )
    else:
        grid = [(name, m) for m in args.m for name in args.instances]
    tasks = [(name, m, limit) for limit in args.limits for name, m in grid]
    print(
        f"ran: {len(tasks)} runs ({len(grid)} instance x m, limits {args.limits}), "
        f"m in {sorted({m for _, m in grid})}, jobs {args.jobs}, PyVRP {args.pyvrp}, "
        f"{os.cpu_count()} cores"
    )
    header = (
        f"{'inst':<7}{'m':>2}{'limit':>6}{'score':>7}{'bks':>7}{'gap%':>8}{'feas':>6}{'sec':>7}"
    )
    header += "  status    " + (f"{'pyvrp':>7}{'pgap%':>8}{'ratio':>7}" if args.pyvrp else "")
    print(header)
    rows = []
    if args.jobs > 1:
        with ProcessPoolExecutor(max_workers=args.jobs) as pool:
            futures = [
                pool.submit(run, n, m, t, folder=args.folder, bks=bks, pyvrp=args.pyvrp)
                for n, m, t in tasks
            ]
            for future in futures:
                rows.append(future.result())
                print_row(rows[-1], args.pyvrp)
    else:
        for name, m, limit in tasks:
            rows.append(run(name, m, limit, folder=args.folder, bks=bks, pyvrp=args.pyvrp))
            print_row(rows[-1], args.pyvrp)
    print_means(rows, args.pyvrp)
    return 0 if all(r.feasible for r in rows) else 1


def _order(name: str) -> tuple[str, int]:
    """c101 < c109 < pr01 < r101 < rc101: letters, then the number."""
    letters = name.rstrip("0123456789")
    return letters, int(name[len(letters) :])


if __name__ == "__main__":
    raise SystemExit(main())
