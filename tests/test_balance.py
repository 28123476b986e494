"""District-wide balancing (planner/service/balance.py, ``planner batch --balance``).

Two kinds of scenario:

* **abstract**: each visitor chooses one place-hour (1 person, on site the whole hour); their
  "planner" picks the choice worth most after the crowd discount the priced forecast gives
  (:meth:`CrowdSettings.value_share`). The loop, the pricing and the acceptance are the real
  ones; only the planner is replaced, so brute force can find the true optimum;
* **planned**: the test catalogue (``tests/data/mini_pois.yaml``) with small capacities, real
  plans from the Planner, balanced on the local engine and on Ray.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from planner import Catalog, EstimatedTravelTimes, Itinerary, Planner
from planner.cli.service import service_app
from planner.data.crowds import CategoryCapacity, CrowdSettings
from planner.data.seasons import SeasonCalendar
from planner.model import Category
from planner.plan.checker import violations
from planner.plan.crowding import Forecast
from planner.service.balance import (
    BalanceSettings,
    Choice,
    Replan,
    balance,
    loads,
    objective,
    over_capacity,
)
from planner.service.batch import run_balanced
from planner.solve.solver import SearchSettings
from planner.travel.traffic import TrafficSettings

DAY = dt.date(2027, 4, 17)
CROWDS = CrowdSettings()  # the value share: 1 - 0.4 x (load - 0.8), at least 0.5


# ---------------------------------------------------------------------- abstract scenarios
Option = tuple[str, int]  # (place, hour)


def abstract_choice(option: Option, value: float) -> Choice:
    place, hour = option
    return Choice(cells={(DAY, place, hour): (1.0, 1.0)}, own_value=value, people=1.0)


def abstract_replan(values: Sequence[dict[Option, float]], capacity: dict[str, float]) -> Replan:
    """Each visitor's 'planner': the option with the most value after the crowd discount."""

    def replan(visitors: Sequence[int], fc: Forecast, round: int) -> list[Choice | None]:
        out: list[Choice | None] = []
        for i in visitors:
            mine = values[i]

            def priced(option: Option, mine: dict[Option, float] = mine) -> float:
                on_site = fc.cells.get((DAY, option[0], option[1]), (0.0, 0.0))[1]
                return mine[option] * CROWDS.value_share(on_site / capacity[option[0]])

            best = max(sorted(mine), key=priced)
            out.append(abstract_choice(best, mine[best]))
        return out

    return replan


CAPACITY = {"A": 10.0, "B": 10.0, "C": 10.0}
TYPES: dict[str, dict[Option, float]] = {
    # three kinds of visitor, ten of each; everyone's favourite is place A at 10:00
    "lake": {("A", 10): 10.0, ("A", 11): 9.0, ("B", 10): 6.0, ("B", 11): 6.0},
    "blossom": {("A", 10): 10.0, ("A", 11): 8.0, ("B", 10): 9.0, ("C", 10): 4.0},
    "late": {("A", 10): 10.0, ("A", 11): 9.5, ("C", 10): 7.0, ("C", 11): 6.0},
}


def tiny_scenario() -> tuple[list[dict[Option, float]], list[Choice]]:
    values = [TYPES[kind] for kind in TYPES for _ in range(10)]
    blind = [abstract_choice(max(v, key=v.__getitem__), max(v.values())) for v in values]
    return values, blind


def brute_force_optimum(penalty: float) -> float:
    """The best J over every assignment of the 30 visitors (visitors of one kind are alike, so
    every assignment is a split of each kind's ten over its four options)."""
    cells = sorted({o for v in TYPES.values() for o in v})
    splits = np.array([s for s in itertools.product(range(11), repeat=4) if sum(s) == 10])
    per_kind = []
    for v in TYPES.values():
        opts = sorted(v)
        place = np.zeros((4, len(cells)))
        for j, o in enumerate(opts):
            place[j, cells.index(o)] = 1
        per_kind.append((splits @ place, splits @ np.array([v[o] for o in opts])))
    (l1, v1), (l2, v2), (l3, v3) = per_kind
    cap = np.array([CAPACITY[c[0]] for c in cells])
    pair_load = (l2[:, None, :] + l3[None, :, :]).reshape(-1, len(cells))
    pair_value = (v2[:, None] + v3[None, :]).reshape(-1)
    best = -np.inf
    for load, value in zip(l1, v1, strict=True):
        total = pair_load + load
        j = value + pair_value - penalty * np.maximum(0.0, total - cap).sum(axis=1)
        best = max(best, float(j.max()))
    return best


def test_the_tiny_scenario_reaches_the_brute_force_optimum_of_the_balanced_objective() -> None:
    """3 places, 30 visitors, 2 hours: everyone wants A at 10:00 (load 300 %). Balancing ends
    with no place-hour over capacity and the visitors' value as high as any assignment allows:
    J (value - 1000 per visitor-hour over) equals the brute-force optimum."""
    values, blind = tiny_scenario()
    result = balance(blind, capacity=CAPACITY, replan=abstract_replan(values, CAPACITY))
    assert over_capacity(loads(blind), CAPACITY)  # the blind day is packed
    assert result.over() == {} and result.settled == "no overload"
    assert objective(result.choices, CAPACITY) == pytest.approx(brute_force_optimum(1000.0))
    assert result.objective() > result.objective(balanced=False)


@st.composite
def abstract_cases(draw: st.DrawFn) -> tuple[dict[str, float], list[dict[Option, float]]]:
    places = ["A", "B", "C", "D"][: draw(st.integers(2, 4))]
    capacity = {p: float(draw(st.integers(1, 8))) for p in places}
    options = [(p, h) for p in places for h in (9, 10, 11)]
    values = []
    for _ in range(draw(st.integers(1, 25))):
        mine = draw(st.lists(st.sampled_from(options), min_size=1, max_size=5, unique=True))
        values.append({o: float(draw(st.integers(1, 20))) for o in mine})
    return capacity, values


@settings(max_examples=60, deadline=None)
@given(abstract_cases(), st.floats(1.1, 3.0), st.floats(0.0, 1.0))
def test_balancing_never_pushes_a_place_hour_under_capacity_over_it(
    case: tuple[dict[str, float], list[dict[Option, float]]], min_raise: float, max_loss: float
) -> None:
    """Whatever the visitors, capacities and settings: a place-hour at or under capacity in the
    blind plans is at or under it after balancing, one over it is no fuller, and no visitor
    loses more than max_loss of their own value."""
    capacity, values = case
    blind = [abstract_choice(max(sorted(v), key=v.__getitem__), max(v.values())) for v in values]
    cfg = BalanceSettings(min_raise=min_raise, max_loss=max_loss, max_rounds=6)
    result = balance(
        blind, capacity=capacity, replan=abstract_replan(values, capacity), settings=cfg
    )
    before, after = loads(blind), result.loads()
    for key in set(before) | set(after):
        cap = capacity[key[1]]
        was, now = before.get(key, 0.0), after.get(key, 0.0)
        assert now <= max(was, cap) + 1e-9, (key, was, now, cap)
    assert result.worst_loss() <= max_loss + 1e-9


# ---------------------------------------------------------------------- planned scenarios
def small_capacities() -> CrowdSettings:
    """Room for 120 at once at the lake and the gorge (three groups), 1,000 at the blossoms."""
    caps = {Category.lake: 120, Category.gorge: 120, Category.blossom: 1000}
    return CrowdSettings(
        default_capacity={
            c: CategoryCapacity(at_once=n, per_hour=n, why="test") for c, n in caps.items()
        }
    )


@pytest.fixture(scope="module")
def crowded_planner(mini_catalog: Catalog, estimate: EstimatedTravelTimes) -> Planner:
    return Planner(
        mini_catalog,
        estimate,
        seasons=SeasonCalendar(),
        traffic=TrafficSettings(),
        crowds=small_capacities(),
        # one process per search; a wide wall-clock net (30x the limit, as tests/test_doors.py
        # does), so that a loaded CI machine does not stop a search early and make the Ray and
        # local runs differ: the plan is defined by the work budget, not the clock
        search=SearchSettings(processes=1, safety_factor=30.0),
    )


def request_lines(n: int) -> list[tuple[int, str]]:
    """``n`` groups of 2 from the station for a morning (08:30-13:00), most wanting the lake."""
    interests = [["lake"], ["lake", "gorge"], ["gorge"], ["lake", "blossom"]]
    lines = []
    for k in range(n):
        request = {
            "date": DAY.isoformat(),
            "start": "station",
            "start_time": "08:30",
            "end_time": "13:00",
            "interests": interests[k % len(interests)],
            "lunch": False,
            "time_limit_s": 0.1,
        }
        lines.append((k + 1, json.dumps({"id": f"g{k}", "party_size": 2, "request": request})))
    return lines


SCALE = BalanceSettings(scale=20.0, max_rounds=4)  # each group of 2 stands for 40 visitors


@pytest.fixture(scope="module")
def balanced_locally(crowded_planner: Planner):  # type: ignore[no-untyped-def]
    return run_balanced(request_lines(8), planner=crowded_planner, balance=SCALE, engine="local")


def test_balancing_spreads_a_packed_lake(balanced_locally) -> None:  # type: ignore[no-untyped-def]
    """Eight groups of 40, six of them at the test lake at 09:00 (capacity 120): balancing
    re-plans only the visitors who were in an over-capacity place-hour, and ends with none."""
    result, _ = balanced_locally
    before = over_capacity(result.loads(balanced=False), result.capacity)
    assert before, "the scenario should start over capacity"
    assert result.over() == {} and result.settled == "no overload"
    first = result.rounds[0]
    touching = sum(any(k in before for k in c.cells) for c in result.blind)
    assert first.replanned == touching <= len(result.blind)


def test_every_balanced_plan_passes_the_checker(balanced_locally, crowded_planner: Planner) -> None:  # type: ignore[no-untyped-def]
    """Each output plan, blind or re-planned, passes the independent checker against the crowds
    it was planned around (a re-plan: that round's priced forecast)."""
    result, records = balanced_locally
    assert all(r["ok"] for r in records)
    replanned = 0
    for rec in records:
        it = Itinerary.model_validate(rec["itinerary"])
        k = rec["balance_round"]
        crowded_planner.forecast = result.forecasts.get(k)
        try:
            crowds = crowded_planner.crowds_for(it.request)
            assert (crowds is None) == (k == 0)
            found = violations(
                it, crowded_planner.catalog, crowded_planner.travel, crowded_planner.traffic, crowds
            )
        finally:
            crowded_planner.forecast = None
        assert found == [], (rec["id"], found)
        replanned += k > 0
    assert replanned > 0


def test_balancing_on_ray_gives_the_same_plans_as_locally(
    balanced_locally, crowded_planner: Planner
) -> None:  # type: ignore[no-untyped-def]
    """The same loop on Ray (two workers; the priced forecast shipped with each round's
    requests) gives the same plans, rounds and loads as the local engine."""
    ray = pytest.importorskip("ray", reason="Ray is the optional extra: pip install '.[scale]'")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, _node_ip_address="127.0.0.1")
    try:
        result, records = run_balanced(
            request_lines(8), planner=crowded_planner, balance=SCALE, engine="ray"
        )
    finally:
        ray.shutdown()
    local_result, local_records = balanced_locally
    assert [untimed(r) for r in records] == [untimed(r) for r in local_records]
    assert result.rounds == local_result.rounds


def untimed(record: dict[str, Any]) -> dict[str, Any]:
    """A record without the solver's wall time (the one figure that differs run to run)."""
    solver = record["itinerary"]["solver"]
    return record | {"itinerary": record["itinerary"] | {"solver": solver | {"solve_seconds": 0}}}


def test_batch_balance_command_writes_plans_and_report(tmp_path: Path) -> None:
    """`planner batch --balance` plans, balances, prints the busiest place-hours before and
    after and the cost to visitors, and writes the plans and an HTML report with both charts."""
    src = tmp_path / "requests.jsonl"
    src.write_text("\n".join(text for _, text in request_lines(4)) + "\n", encoding="utf-8")
    out, report = tmp_path / "plans.jsonl", tmp_path / "report.html"
    argv = ["batch", str(src), "--out", str(out), "--balance", "--rounds", "2"]
    argv += ["--scale", "2000", "--report", str(report), "--catalog", "tests/data/mini_pois.yaml"]
    result = CliRunner().invoke(service_app, [*argv, "--no-roads", "--no-progress"])
    assert result.exit_code == 0, result.output
    assert len(out.read_text(encoding="utf-8").splitlines()) == 4
    assert "over capacity" in result.output and "own value" in result.output
    page = report.read_text(encoding="utf-8")
    assert page.count("<svg") == 2 and "Before balancing" in page and "After balancing" in page


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--rounds", "0"], "--rounds"),
        (["--scale", "0"], "--scale"),
        (["--report", "/nowhere/report.html"], "--report"),
        (["--report", "r.txt"], "--report"),
        (["--max-loss", "1.5"], "--max-loss"),
    ],
)
def test_bad_balance_options_are_one_line_naming_the_option(
    tmp_path: Path, extra: list[str], message: str
) -> None:
    """A bad --balance option is refused before planning, naming the option (exit status 2)."""
    src = tmp_path / "requests.jsonl"
    src.write_text(request_lines(1)[0][1] + "\n", encoding="utf-8")
    argv = ["batch", str(src), "--out", str(tmp_path / "p.jsonl"), "--balance", *extra]
    result = CliRunner().invoke(service_app, argv)
    assert result.exit_code == 2 and message in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("option", [["--rounds", "3"], ["--max-loss", "0.1"]])
def test_rounds_and_scale_without_balance_are_refused(tmp_path: Path, option: list[str]) -> None:
    """--rounds, --scale, --max-loss and --report only mean something with --balance: say so."""
    src = tmp_path / "requests.jsonl"
    src.write_text(request_lines(1)[0][1] + "\n", encoding="utf-8")
    argv = ["batch", str(src), "--out", str(tmp_path / "p.jsonl"), *option]
    result = CliRunner().invoke(service_app, argv)
    assert result.exit_code == 2 and option[0] in result.output and "--balance" in result.output
