"""What the solver does not model, enforced on its answer: traffic, meals, the budget, pins.

The solver plans with each day's typical traffic and knows neither the ticket budget nor pinned
positions. :func:`enforce` times each day leg by leg and lets the least valuable optional stops
give way, places the meals, keeps within the budget, moves pinned stops into place, and then
:func:`repair` inserts every place that still fits.
"""

from __future__ import annotations

import datetime as dt
import math

from planner.errors import InfeasibleRequest
from planner.model.common import DAY_S
from planner.plan.meals import keep_lunch_inside, lunch_during, meal_in, place_meals
from planner.plan.setup import Setup
from planner.plan.timing import PAUSE, overflow

Routes = list[list[int]]
"""One list of solver nodes per day, in visiting order (:data:`~planner.plan.timing.PAUSE`
for a picnic)."""


def tickets(setup: Setup, routes: Routes) -> float:
    """The tickets of every stop of ``routes``, in yuan."""
    return sum(setup.nodes[i].ticket_cny or 0.0 for r in routes for i in r if i >= 0)


def enforce(setup: Setup, routes: Routes) -> Routes:
    """Traffic, meals, the budget and pinned positions (which the solver does not model), then
    the repair pass. Raises :class:`InfeasibleRequest` when the must-visit places cannot keep them."""
    req = setup.request
    # the solver knows pinned times but not pinned positions: put pinned stops in their places
    # first, then time each day leg by leg with the real traffic factors (the solver planned
    # with typical ones) and let the least valuable optional stops give way where it is late
    for r in routes:
        _order_pins(setup, r)
    for d, r in enumerate(routes):
        give_way(
            setup,
            d,
            r,
            "pins" if req.pins else "must",
            f"with the traffic expected on {req.date + dt.timedelta(days=d)} the must-visit "
            "and pinned places do not fit"
            + (" in their pinned order" if setup.pins_pos else "")
            + "; start earlier, end later, or remove one",
        )
    routes = place_meals(setup, routes)
    keep_budget(setup, routes)
    place_pins(setup, routes)
    routes = repair(setup, routes)
    check_pins(setup, routes)
    keep_lunch_inside(setup, routes)
    return routes


def keep_budget(setup: Setup, routes: Routes) -> None:
    """Drop the stops that give the least value per yuan (in place) until within the budget."""
    p, budget = setup.problem, setup.request.budget_cny
    while budget is not None and tickets(setup, routes) > budget + 1e-9:
        paid = [
            (i, d)
            for d, r in enumerate(routes)
            for i in r
            if i >= 0 and (setup.nodes[i].ticket_cny or 0) > 0 and i not in p.required
        ]
        if not paid:
            raise InfeasibleRequest(
                "budget_cny",
                f"the must-visit places cost ¥{tickets(setup, routes):g}, over the budget ¥{budget:g}; "
                "raise the budget or remove a paid place from must",
            )
        worst, worst_day = min(
            paid, key=lambda nd: (p.score[nd[0]] / (setup.nodes[nd[0]].ticket_cny or 1), nd[0])
        )
        routes[worst_day].remove(worst)


def place_pins(setup: Setup, routes: Routes) -> None:
    """Move each pinned stop (in place) to its position in its day's order (counted over the
    day's stops as the itinerary lists them, meals included).

    Letting a stop give way can move an earlier pin, so the pass repeats until every pin holds;
    stops after the last pinned position give way first. A day still too short for a pin is
    filled by :func:`repair` (which never pushes a pin past its position) and refused by
    :func:`check_pins` if it stays short: a pin holds or is an :class:`InfeasibleRequest`.
    """
    pins = sorted(setup.pins_pos.items(), key=lambda kv: kv[1][1])
    for _ in range(len(pins) + 1):
        moved = False
        for node, (_day, position) in pins:
            d = next(k for k, r in enumerate(routes) if node in r)
            if routes[d].index(node) == position - 1:
                continue
            moved = True
            r = [i for i in routes[d] if i != node]
            r.insert(min(position - 1, len(r)), node)
            give_way(
                setup,
                d,
                r,
                "pins",
                f"{setup.nodes[node].id!r} cannot be stop {position} together with the other "
                "must-visit places; change its position or remove a must",
            )
            routes[d] = r
        if not moved:
            return


def _order_pins(setup: Setup, route: list[int]) -> None:
    """Move the pinned stops of ``route`` (in place) to their positions, removing nothing."""
    for node, (_day, position) in sorted(setup.pins_pos.items(), key=lambda kv: kv[1][1]):
        if node in route:
            route.remove(node)
            route.insert(min(position - 1, len(route)), node)


def check_pins(setup: Setup, routes: Routes) -> None:
    """Refuse, naming ``pins``, a pinned position the finished day does not have."""
    for node, (_day, position) in sorted(setup.pins_pos.items(), key=lambda kv: kv[1][1]):
        d = next(k for k, r in enumerate(routes) if node in r)
        if routes[d].index(node) != position - 1:
            raise InfeasibleRequest(
                "pins",
                f"{setup.nodes[node].id!r} cannot be stop {position}: the day has room for "
                f"{len(routes[d])} stops with it; pin it at a position from 1 to {len(routes[d])}",
            )


def pins_kept(setup: Setup, before: list[int], after: list[int]) -> bool:
    """Whether changing a day from ``before`` to ``after`` keeps its pins: a pin that held still
    holds, and none is pushed past its position (one before it, in a day still too short for
    it, may move towards it)."""
    for node, (_day, position) in setup.pins_pos.items():
        if node not in after:
            continue
        index = after.index(node)
        if index > position - 1:
            return False
        if node in before and before.index(node) == position - 1 and index != position - 1:
            return False
    return True


def repair(setup: Setup, routes: Routes) -> Routes:
    """Insert every unvisited place that still fits, most valuable first, at its cheapest position.

    A time-limited search can stop with room left in the day; this pass makes sure no place
    that fits as it stands is left out (which also makes the "left out" reasons true).
    """
    p, req = setup.problem, setup.request
    visited = {i for r in routes for i in r} | p.depots
    spent = tickets(setup, routes)
    order = sorted(
        (i for i in range(p.size) if i not in visited and p.windows[i]),
        key=lambda i: (-p.score[i], i),
    )
    for node in order:
        ticket = setup.nodes[node].ticket_cny or 0.0
        if req.budget_cny is not None and spent + ticket > req.budget_cny + 1e-9:
            continue
        best = _best_insertion(setup, routes, node)
        if best is not None:
            if node in setup.meal_nodes:
                routes[best[1]] = [i for i in routes[best[1]] if i != PAUSE]
            routes[best[1]].insert(best[2], node)
            spent += ticket
    return routes


def _best_insertion(setup: Setup, routes: Routes, node: int) -> tuple[int, int, int] | None:
    """``(end of day, day, position)`` of the insertion of ``node`` that ends its day earliest,
    keeping pinned stops in place; a restaurant only replaces the day's picnic, at lunch."""
    p = setup.problem
    meals = setup.meal_nodes
    best: tuple[int, int, int] | None = None
    for d, day_route in enumerate(routes):
        allowed = p.allowed_routes.get(node)
        if allowed is not None and d not in allowed:
            continue
        r = day_route
        if node in meals:  # a restaurant may only replace the day's picnic
            if PAUSE not in r:
                continue
            r = [i for i in r if i != PAUSE]
        for pos in range(len(r) + 1):
            seq = [*r[:pos], node, *r[pos:]]
            if not pins_kept(setup, day_route, seq):
                continue  # inserting here would move a pinned stop
            res = setup.schedule(d, seq)
            if res is not None and node in meals and not meal_in(setup, d, seq, setup.lunch[d]):
                continue  # a restaurant replacing the picnic must serve lunch
            if (
                res is not None
                and d in setup.lunch_inside
                and lunch_during(setup, d, seq) != setup.lunch_inside[d]
            ):
                continue  # lunch is taken during a visit: it must keep its room
            if res is not None and (best is None or res[1] - d * DAY_S < best[0]):
                best = (res[1] - d * DAY_S, d, pos)
    return best


def give_way(setup: Setup, day: int, route: list[int], field: str, message: str) -> None:
    """Drop the least valuable optional stops of ``route`` (in place) until ``day``'s leg-by-leg
    schedule fits; when only must-visit places are left and it still does not, the request is
    infeasible (``field`` and ``message`` say which part and the fix)."""
    p = setup.problem
    last_pin = max(
        (position - 1 for node, (_d, position) in setup.pins_pos.items() if node in route),
        default=-1,
    )
    while setup.schedule(day, route) is None:
        victims = [i for i in route if i >= 0 and i not in p.required]
        if not victims and PAUSE in route:
            # only must-visit and pinned places are left: they come before a picnic lunch
            route.remove(PAUSE)
            setup.no_lunch.add(day)
            continue
        if not victims:
            late_s, _ = overflow(route, setup.day_terms(day))
            raise InfeasibleRequest(
                field, f"{message} (the day runs {math.ceil(late_s / 60)} min over)"
            )
        # stops after the last pinned position go first: removing them moves no pin
        late = [i for i in victims if route.index(i) > last_pin]
        route.remove(min(late or victims, key=lambda i: (p.score[i], i)))
