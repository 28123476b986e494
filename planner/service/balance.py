"""District-wide balancing: spread a festival's visitors so that no place-hour is over capacity.

Each visitor's plan is optimal for them alone; together they pack the Peach Blossom Sea at 10:00.
:func:`balance` iterates a price adjustment (tatonnement) over place-hours:

1. **plan** every visitor blind to the crowds (the baseline: the best day for them alone);
2. **load**: add up visitors on site per place and local hour (``mean_on_site``, as
   :mod:`planner.service.forecast` counts them: party size x ``scale`` real visitors per plan);
3. **price**: every place-hour over its comfortable capacity (``capacity_at_once``, from
   :func:`planner.data.crowds.capacity_of`) has its price multiplied by
   ``max(min_raise, load / capacity)``; prices never fall;
4. **re-plan only the affected visitors** (those with time in an over-capacity place-hour),
   crowd-aware, against the priced counts (:class:`planner.plan.crowding.Forecast`: each count
   times its price), so a priced hour is worth less to them and queues longer;
5. **accept** re-plans cheapest first (own value lost per visitor-hour of overload removed), and
   only a re-plan that removes overload, keeps the visitor within ``max_loss`` of their blind
   value, and puts no place-hour over capacity that it adds people to; otherwise the visitor keeps
   the previous plan;
6. repeat until no place-hour is over capacity, ``patience`` rounds accept nothing, or
   ``max_rounds``.

Guarantee (step 5): a place-hour that an accepted re-plan adds people to ends at or under its
capacity; so **balancing never makes a place-hour that was under capacity go over it**, and a
place-hour over capacity never gets fuller. What is still over at the end has no alternative the
visitors there accept (e.g. every other choice loses them more than ``max_loss``).

The balanced objective (what the acceptance order aims at, and what ``tests/test_balance.py``
compares against a brute-force optimum on a tiny case) is, for an assignment of plans::

    J = sum over visitors of people x own value  -  penalty x sum over place-hours of
        max(0, mean_on_site - capacity_at_once)

with ``penalty`` larger than any visit's value: first as little overload as possible, then as much
value for the visitors as possible. A visitor's **own value** is what the plan is worth to them
alone: the sum of :func:`planner.plan.value.value_poi` over its stops, without any crowd discount.

The loop knows nothing of engines: it is given a ``replan(visitors, forecast)`` function.
:func:`planner.service.batch.run_balanced` supplies one that plans on this process or on Ray,
shipping the priced forecast with the requests (the planner's forecast is per-planner state).
"""

from __future__ import annotations

import datetime as dt
import html
import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from planner.data.crowds import capacity_of
from planner.model import parse_trip_request
from planner.plan.crowding import Forecast
from planner.plan.planner import Planner
from planner.plan.value import value_poi
from planner.service.forecast import forecast, render_svg

CellKey = tuple[dt.date, str, int]
"""A place-hour: ``(local date, poi id, local hour)``, as :class:`Forecast` keys its cells."""
Counts = Mapping[CellKey, tuple[float, float]]
"""``(arrivals, mean_on_site)`` real visitors per place-hour."""
Record = dict[str, Any]

_EPS = 1e-6


class BalanceSettings(BaseModel):
    """How the balancing loop prices and stops (documented defaults; unknown keys rejected)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    max_rounds: int = Field(default=8, ge=1, le=100, description="Rounds of re-planning at most")
    scale: float = Field(
        default=1.0, gt=0, le=100_000, description="Real visitors per planned person"
    )
    min_raise: float = Field(
        default=1.5,
        gt=1,
        le=100,
        description="An over-capacity place-hour's price is multiplied by at least this each round",
    )
    max_loss: float = Field(
        default=0.25,
        ge=0,
        le=1,
        description="A re-plan losing a visitor more than this share of their blind value is "
        "not accepted",
    )
    patience: int = Field(
        default=2, ge=1, le=20, description="Stop after this many rounds that accept nothing"
    )


@dataclass(frozen=True)
class Choice:
    """One visitor's plan as the balancing sees it."""

    cells: Counts
    """What the plan adds to each place-hour (real visitors: party size x scale)."""
    own_value: float
    """What the plan is worth to the visitor alone (per person, no crowd discount)."""
    people: float
    """Real visitors this plan stands for (party size x scale)."""
    record: Record = field(default_factory=dict)
    """The batch record (output line) of the plan."""
    round: int = 0
    """The round that planned it: 0 for the blind plan, k for a re-plan against round k's prices."""


Replan = Callable[[Sequence[int], Forecast, int], Sequence[Choice | None]]
"""``replan(visitor indices, priced forecast, round)``: a new choice per visitor (None: it failed)."""


@dataclass(frozen=True)
class RoundLog:
    """What one round did."""

    round: int
    over_before: int
    """Place-hours over capacity when the round began."""
    replanned: int
    accepted: int
    overload_before: float
    """Visitor-hours over capacity (summed over place-hours) when the round began."""


@dataclass
class BalanceResult:
    """The balanced choices and what it took; ``blind`` are the starting (baseline) choices."""

    blind: list[Choice]
    choices: list[Choice]
    capacity: Mapping[str, float]
    forecasts: dict[int, Forecast]
    """The priced forecast of each round (by round number; round 0, the blind plans: none)."""
    rounds: list[RoundLog]
    settled: str
    """Why it stopped: ``no overload``, ``nothing more accepted`` or ``max rounds``."""

    def loads(self, *, balanced: bool = True) -> dict[CellKey, float]:
        """Visitors on site on average per place-hour, balanced or blind."""
        return loads(self.choices if balanced else self.blind)

    def over(self, *, balanced: bool = True) -> dict[CellKey, float]:
        """Place-hours over capacity and their load (on site / capacity)."""
        return over_capacity(self.loads(balanced=balanced), self.capacity)

    def losses(self) -> list[float]:
        """Each visitor's relative loss of own value, blind to balanced (negative: a gain)."""
        return [
            (b.own_value - c.own_value) / b.own_value if b.own_value > 0 else 0.0
            for b, c in zip(self.blind, self.choices, strict=True)
        ]

    def mean_loss(self) -> float:
        """The mean relative loss, each visitor counted once (weighted by people)."""
        people = sum(b.people for b in self.blind)
        if not people:
            return 0.0
        return sum(x * b.people for x, b in zip(self.losses(), self.blind, strict=True)) / people

    def worst_loss(self) -> float:
        return max(self.losses(), default=0.0)

    def objective(self, *, penalty: float = 1000.0, balanced: bool = True) -> float:
        """The balanced objective ``J`` of the module docstring."""
        return objective(self.choices if balanced else self.blind, self.capacity, penalty=penalty)

    def peaks(self, n: int = 5, *, balanced: bool = True) -> list[tuple[str, int, float]]:
        """The ``n`` busiest places: ``(poi id, hour, peak load / capacity)``, busiest first."""
        best: dict[str, tuple[int, float]] = {}
        for (_, pid, hour), on_site in self.loads(balanced=balanced).items():
            cap = self.capacity.get(pid)
            if cap:
                ratio = on_site / cap
                if pid not in best or ratio > best[pid][1]:
                    best[pid] = (hour, ratio)
        ranked = sorted(best.items(), key=lambda kv: (-kv[1][1], kv[0]))[:n]
        return [(pid, hour, ratio) for pid, (hour, ratio) in ranked]


# ---------------------------------------------------------------------- the pricing
def loads(choices: Iterable[Choice]) -> dict[CellKey, float]:
    """Visitors on site on average per place-hour (``mean_on_site``) over ``choices``."""
    out: dict[CellKey, float] = defaultdict(float)
    for c in choices:
        for key, (_, on_site) in c.cells.items():
            out[key] += on_site
    return dict(out)


def over_capacity(
    load: Mapping[CellKey, float], capacity: Mapping[str, float]
) -> dict[CellKey, float]:
    """The place-hours whose visitors on site exceed the place's capacity, with load / capacity."""
    return {
        key: on_site / capacity[key[1]]
        for key, on_site in load.items()
        if key[1] in capacity and on_site > capacity[key[1]] + _EPS
    }


def overload(load: Mapping[CellKey, float], capacity: Mapping[str, float]) -> float:
    """Visitor-hours over capacity, summed over the place-hours."""
    return sum(
        max(0.0, on_site - capacity[key[1]]) for key, on_site in load.items() if key[1] in capacity
    )


def objective(
    choices: Sequence[Choice], capacity: Mapping[str, float], *, penalty: float = 1000.0
) -> float:
    """``J``: the visitors' own value (people x value) minus ``penalty`` per visitor-hour over."""
    value = sum(c.people * c.own_value for c in choices)
    return value - penalty * overload(loads(choices), capacity)


def raise_prices(
    prices: dict[CellKey, float], over: Mapping[CellKey, float], *, min_raise: float
) -> None:
    """Multiply each over-capacity place-hour's price by ``max(min_raise, load)``."""
    for key, ratio in over.items():
        prices[key] = prices.get(key, 1.0) * max(min_raise, ratio)


def priced_forecast(
    choices: Iterable[Choice], prices: Mapping[CellKey, float], places: Iterable[str]
) -> Forecast:
    """The counts the affected visitors plan against: every count times its place-hour's price.

    Every place of ``places`` gets a cell on each date the plans cover (zero when empty), so a
    crowd-aware plan reads the batch's counts everywhere instead of the day type's curve.
    """
    counts: dict[CellKey, list[float]] = defaultdict(lambda: [0.0, 0.0])
    for c in choices:
        for key, (arrivals, on_site) in c.cells.items():
            counts[key][0] += arrivals
            counts[key][1] += on_site
    cells: dict[CellKey, tuple[float, float]] = {}
    for day in {key[0] for key in counts}:
        for pid in places:
            cells[(day, pid, 0)] = (0.0, 0.0)
    for key, (arrivals, on_site) in counts.items():
        price = prices.get(key, 1.0)
        cells[key] = (arrivals * price, on_site * price)
    return Forecast(cells)


# ---------------------------------------------------------------------- the loop
def balance(
    blind: Sequence[Choice],
    *,
    capacity: Mapping[str, float],
    replan: Replan,
    settings: BalanceSettings | None = None,
    places: Iterable[str] | None = None,
) -> BalanceResult:
    """Balance ``blind`` choices (one per visitor) over place-hours; see the module docstring.

    Parameters
    ----------
    capacity
        Visitors on site at once each place takes in comfort, by poi id (places not listed are
        never over capacity).
    replan
        Plans the given visitors against a priced forecast.
    places
        The places the priced forecast lists (default: those of ``capacity``).
    """
    settings = settings or BalanceSettings()
    places = list(places if places is not None else capacity)
    current = list(blind)
    load: dict[CellKey, float] = defaultdict(float, loads(current))
    prices: dict[CellKey, float] = {}
    result = BalanceResult(list(blind), current, capacity, {}, [], "max rounds")
    idle = 0
    for k in range(1, settings.max_rounds + 1):
        over = over_capacity(load, capacity)
        if not over:
            result.settled = "no overload"
            break
        raise_prices(prices, over, min_raise=settings.min_raise)
        fc = priced_forecast(current, prices, places)
        result.forecasts[k] = fc
        affected = [i for i, c in enumerate(current) if any(key in over for key in c.cells)]
        proposals = replan(affected, fc, k)
        accepted = _accept(
            current, load, dict(zip(affected, proposals, strict=True)), blind, capacity, settings
        )
        result.rounds.append(
            RoundLog(k, len(over), len(affected), len(accepted), overload(load, capacity))
        )
        for i, choice in accepted.items():
            _move(load, current[i], choice)
            current[i] = choice
        idle = 0 if accepted else idle + 1
        if idle >= settings.patience:
            result.settled = "nothing more accepted"
            break
    else:
        if not over_capacity(load, capacity):
            result.settled = "no overload"
    result.choices = current
    return result


def _relief(
    load: Mapping[CellKey, float], capacity: Mapping[str, float], old: Choice, new: Choice
) -> float:
    """Visitor-hours over capacity that replacing ``old`` by ``new`` removes."""
    keys = set(old.cells) | set(new.cells)
    before = {k: load.get(k, 0.0) for k in keys}
    after = dict(before)
    _move(after, old, new)
    return overload(before, capacity) - overload(after, capacity)


def _fits(
    load: Mapping[CellKey, float], capacity: Mapping[str, float], old: Choice, new: Choice
) -> bool:
    """Whether every place-hour ``new`` adds people to stays at or under its capacity."""
    for key, (_, on_site) in new.cells.items():
        cap = capacity.get(key[1])
        added = on_site - old.cells.get(key, (0.0, 0.0))[1]
        if cap is not None and added > _EPS and load.get(key, 0.0) + added > cap + _EPS:
            return False
    return True


def _accept(
    current: Sequence[Choice],
    load: Mapping[CellKey, float],
    proposals: Mapping[int, Choice | None],
    blind: Sequence[Choice],
    capacity: Mapping[str, float],
    settings: BalanceSettings,
) -> dict[int, Choice]:
    """The re-plans to accept, cheapest first (own value lost per visitor-hour of overload
    removed, then visitor order), each judged on the loads left by those accepted before it."""
    trial: dict[CellKey, float] = defaultdict(float, load)
    ranked: list[tuple[float, int, Choice]] = []
    for i, new in proposals.items():
        if new is None or new.own_value < (1 - settings.max_loss) * blind[i].own_value - _EPS:
            continue
        relief = _relief(trial, capacity, current[i], new)
        if relief > _EPS:
            cost = (current[i].own_value - new.own_value) * current[i].people
            ranked.append((cost / relief, i, new))
    accepted: dict[int, Choice] = {}
    for _, i, new in sorted(ranked, key=lambda r: (r[0], r[1])):
        old = current[i]
        if _relief(trial, capacity, old, new) > _EPS and _fits(trial, capacity, old, new):
            _move(trial, old, new)
            accepted[i] = new
    return accepted


def _move(load: dict[CellKey, float], old: Choice, new: Choice) -> None:
    for key, (_, on_site) in old.cells.items():
        load[key] = load.get(key, 0.0) - on_site
    for key, (_, on_site) in new.cells.items():
        load[key] = load.get(key, 0.0) + on_site


# ---------------------------------------------------------------------- plans as choices
def capacities(planner: Planner) -> dict[str, float]:
    """Visitors on site at once each visitable place takes in comfort (catalogue, else estimate)."""
    out: dict[str, float] = {}
    for poi in planner.catalog:
        cap = capacity_of(poi, planner.crowds)
        if cap is not None and cap.at_once:
            out[poi.id] = float(cap.at_once)
    return out


def with_crowds(text: str, aware: bool) -> str:
    """The input line with its request's ``crowds`` set: blind (False) or crowd-aware (True).

    A line that is not a JSON object is returned as is (planning it records the error)."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        return text
    if not isinstance(data, dict):
        return text
    inner: dict[str, Any] = data["request"] if isinstance(data.get("request"), dict) else data
    inner["crowds"] = aware
    return json.dumps(data, ensure_ascii=False)


def choice_of(record: Record, planner: Planner, *, scale: float, round: int = 0) -> Choice | None:
    """A batch record as a choice (None for a failed record)."""
    if not record.get("ok"):
        return None
    fc = forecast([record], scale=scale)
    cells = {(c.date, c.poi_id, c.hour): (c.arrivals, c.mean_on_site) for c in fc.cells}
    days = [record["itinerary"]] if record.get("itinerary") else list(record["trip"]["days"])
    request = parse_trip_request(days[0]["request"]) if days else None
    own = 0.0
    for day in days:
        for stop in day.get("stops") or []:
            if stop.get("kind") != "picnic" and stop["poi_id"] in planner.catalog:
                poi = planner.catalog.get(stop["poi_id"])
                own += value_poi(poi, request, planner.seasons).value if request else 0.0
    return Choice(cells, own, fc.people, record | {"balance_round": round}, round)


PlanLines = Callable[[Sequence[tuple[int, str]], Forecast | None], list[Record]]
"""An engine: plans ``(line number, text)`` items with the planner's forecast set to the given
one, and returns their records in input order."""


def balance_lines(
    items: Sequence[tuple[int, str]],
    *,
    planner: Planner,
    plan_lines: PlanLines,
    settings: BalanceSettings | None = None,
) -> tuple[BalanceResult, list[Record]]:
    """Plan ``items`` blind, balance them, and return the result and every output record.

    Records keep input order; a request that fails blind is recorded and not balanced. Each
    record carries ``balance_round`` (0: the blind plan kept; k: re-planned in round k against
    that round's priced forecast, with ``crowds`` on).
    """
    settings = settings or BalanceSettings()
    blind_items = [(n, with_crowds(text, False)) for n, text in items]
    records = plan_lines(blind_items, None)
    slots: list[int] = []
    blind: list[Choice] = []
    for k, rec in enumerate(records):
        choice = choice_of(rec, planner, scale=settings.scale)
        if choice is not None:
            slots.append(k)
            blind.append(choice)
    aware_items = [(n, with_crowds(text, True)) for n, text in items]

    def replan(visitors: Sequence[int], fc: Forecast, round: int) -> list[Choice | None]:
        todo = [aware_items[slots[i]] for i in visitors]
        return [
            choice_of(rec, planner, scale=settings.scale, round=round)
            for rec in plan_lines(todo, fc)
        ]

    result = balance(blind, capacity=capacities(planner), replan=replan, settings=settings)
    out = list(records)
    for k, choice in zip(slots, result.choices, strict=True):
        out[k] = choice.record
    return result, out


# ---------------------------------------------------------------------- the report
@dataclass(frozen=True)
class LoadRow:
    """One place-hour before and after balancing (visitors on site on average)."""

    key: CellKey
    capacity: float
    before: float
    after: float


def busiest(result: BalanceResult, n: int = 10) -> list[LoadRow]:
    """The ``n`` place-hours fullest against their capacity, before or after balancing."""
    before, after = result.loads(balanced=False), result.loads()
    rows = [
        LoadRow(key, result.capacity[key[1]], before.get(key, 0.0), after.get(key, 0.0))
        for key in set(before) | set(after)
        if key[1] in result.capacity
    ]
    rows.sort(key=lambda r: (-max(r.before, r.after) / r.capacity, r.key))
    return rows[:n]


def cost_lines(result: BalanceResult) -> list[str]:
    """The outcome in plain words: overloads before and after, the cost to visitors, rounds."""
    ob = overload(result.loads(balanced=False), result.capacity)
    oa = overload(result.loads(), result.capacity)
    return [
        f"place-hours over capacity: {len(result.over(balanced=False))} blind, "
        f"{len(result.over())} balanced ({ob:,.0f} -> {oa:,.0f} visitor-hours over)",
        f"cost to visitors (own value, blind -> balanced): mean loss {result.mean_loss():.2%}, "
        f"worst {result.worst_loss():.1%}",
        f"rounds: {len(result.rounds)} ({result.settled}); re-planned "
        + (", ".join(f"{r.replanned} (kept {r.accepted})" for r in result.rounds) or "none"),
    ]


def render_report(result: BalanceResult, records: Sequence[Record], *, scale: float) -> str:
    """A self-contained HTML page: the outcome, the busiest place-hours before and after, and
    the heatmaps of visitors per place and hour blind and balanced
    (:func:`planner.service.forecast.render_svg`)."""
    before = forecast([c.record for c in result.blind], scale=scale)
    after = forecast(records, scale=scale)
    names = before.names | after.names
    rows = "".join(
        f"<tr><td>{r.key[0]}</td><td>{r.key[2]:02d}:00</td><td>"
        f"{html.escape(' '.join(names.get(r.key[1], (r.key[1], ''))[::-1]))}</td>"
        f"<td>{r.capacity:,.0f}</td><td>{r.before:,.0f} ({r.before / r.capacity:.0%})</td>"
        f"<td>{r.after:,.0f} ({r.after / r.capacity:.0%})</td></tr>"
        for r in busiest(result, 15)
    )
    outcome = "".join(f"<li>{html.escape(line)}</li>" for line in cost_lines(result))
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        "<title>Pinggu: spreading the festival crowds</title><style>body{font-family:sans-serif;"
        "margin:24px}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:3px 8px;"
        "text-align:right;white-space:nowrap}td:nth-child(3){text-align:left}section{margin:24px 0}"
        "</style></head><body><h1>Spreading the festival crowds</h1>"
        f"<p>{len(result.blind)} planned requests, {before.people:,.0f} visitors "
        f"({scale:g} per planned person). Load: visitors on site on average in the hour over the "
        "place's comfortable capacity at once. Hours are local time (Asia/Shanghai).</p>"
        f"<ul>{outcome}</ul><h2>Busiest place-hours</h2><table><tr><th>date</th><th>hour</th>"
        "<th>place</th><th>capacity</th><th>blind</th><th>balanced</th></tr>"
        f"{rows}</table><h2>Before balancing</h2><section>{render_svg(before)}</section>"
        f"<h2>After balancing</h2><section>{render_svg(after)}</section></body></html>\n"
    )
