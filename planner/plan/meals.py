"""Meals: one lunch a day (a farm restaurant, else a picnic where you are) and, when asked, dinner.

The solver may choose farm restaurants (they are only ever offered inside meal windows); these
functions then keep one meal per window, add a picnic lunch or a dinner where none was chosen,
and record the days on which a meal cannot fit, so that a meal is never skipped silently.
"""

from __future__ import annotations

from planner.model.common import Category
from planner.model.daylight import OUTDOOR
from planner.plan.setup import Setup
from planner.plan.timing import PAUSE, Window


def place_meals(setup: Setup, routes: list[list[int]]) -> list[list[int]]:
    """One lunch a day (and one dinner when asked): farm restaurants the solver chose, else
    for lunch a picnic break, for dinner another restaurant that still fits.

    A picnic is taken where the traveller is, at the position that ends the day earliest;
    when no position fits, the least valuable optional stops give way until one does.
    A meal is never skipped silently: a day whose hours miss a meal window has none, and a
    dinner (or lunch) that cannot fit is named in a warning.
    """
    meals = setup.meal_nodes
    for d, r in enumerate(routes):
        r = one_meal_per_window(setup, d, r)
        if setup.lunch[d] and not meal_in(setup, d, r, setup.lunch[d]):
            r = picnic(setup, d, r, taken={i for route in routes for i in route})
        if setup.dinner[d] and not meal_in(setup, d, r, setup.dinner[d]):
            r = add_dinner(setup, d, r)
        routes[d] = [i for i in r if i not in meals or in_window(setup, d, r, i)]
    return routes


def visit_starts(setup: Setup, d: int, r: list[int]) -> dict[int, int]:
    """When each node of day ``d``'s route starts its visit ({} if the route does not fit)."""
    res = setup.schedule(d, r)
    return {} if res is None else {i: tm.start for i, tm in zip(r, res[0], strict=True)}


def in_window(setup: Setup, d: int, r: list[int], node: int) -> bool:
    """Whether ``node`` (a restaurant) is visited inside one of the day's meal windows."""
    start = visit_starts(setup, d, r).get(node)
    wins = [*setup.lunch[d], *setup.dinner[d]]
    return start is not None and any(lo <= start <= hi for lo, hi in wins)


def meal_in(setup: Setup, d: int, r: list[int], wins: list[Window]) -> bool:
    """Whether the route has a meal (restaurant or picnic) starting in one of ``wins``."""
    starts = visit_starts(setup, d, r)
    return any(
        (i in setup.meal_nodes or i == PAUSE)
        and any(lo <= starts.get(i, -1) <= hi for lo, hi in wins)
        for i in r
    )


def one_meal_per_window(setup: Setup, d: int, r: list[int]) -> list[int]:
    """Keep the first restaurant meal in each meal window; drop the others."""
    starts = visit_starts(setup, d, r)
    kept: set[int] = set()
    out = []
    for i in r:
        if i in setup.meal_nodes:
            window = next(
                (
                    k
                    for k, (lo, hi) in enumerate([*setup.lunch[d], *setup.dinner[d]])
                    if lo <= starts.get(i, -1) <= hi
                ),
                None,
            )
            if window is None or window in kept:
                continue
            kept.add(window)
        out.append(i)
    return out


def picnic(setup: Setup, d: int, r: list[int], taken: set[int] | None = None) -> list[int]:
    """Insert a picnic lunch where it ends the day earliest, letting optional stops give way.

    When a must-visit place's long outdoor visit covers lunchtime, lunch is taken during it (a
    picnic at the lake or in the gorge) rather than dropping the other stops or lunch. When the
    must-visit places alone leave no room, lunch may still fit at another place on the way (on a
    bus day, one whose connections leave a gap at lunchtime): the most valuable such stop not
    ``taken`` by any day is added with the picnic beside it."""
    p = setup.problem
    while True:
        options = []
        for pos in range(len(r) + 1):
            res = setup.schedule(d, [*r[:pos], PAUSE, *r[pos:]])
            if res is not None:
                options.append((res[1], pos))
        if options:
            r.insert(min(options)[1], PAUSE)
            return r
        inside = lunch_during(setup, d, r)
        if inside is not None:
            setup.lunch_inside[d] = inside
            return r
        victims = [i for i in r if i not in p.required and i not in setup.meal_nodes]
        if not victims:
            found = lunch_stop(setup, d, r, taken or set())
            if found is not None:
                return found
            setup.no_lunch.add(d)  # the must-visit places fill lunchtime: say so, plan no lunch
            return r
        r.remove(min(victims, key=lambda i: (p.score[i], i)))


def lunch_stop(setup: Setup, d: int, r: list[int], taken: set[int]) -> list[int] | None:
    """``r`` with one more stop and a picnic just before or after it, ending the day earliest,
    for the most valuable place that makes lunch fit; None when none does. Places with a ticket
    are not added to a day with a budget (the budget was checked without them)."""
    p = setup.problem
    budget = setup.request.budget_cny is not None
    for node in sorted(range(setup.first, len(setup.nodes)), key=lambda i: (-p.score[i], i)):
        if node in taken or node in r or node in setup.meal_nodes:
            continue
        allowed = p.allowed_routes.get(node)
        if (allowed is not None and d not in allowed) or (budget and setup.nodes[node].ticket_cny):
            continue
        options = []
        for pos in range(len(r) + 1):
            with_stop = [*r[:pos], node, *r[pos:]]
            for at in (pos, pos + 1):  # lunch just before the stop, or just after it
                seq = [*with_stop[:at], PAUSE, *with_stop[at:]]
                res = setup.schedule(d, seq)
                if res is not None:
                    options.append((res[1], seq))
        if options:
            return min(options, key=lambda o: o[0])[1]
    return None


LUNCH_OUTDOORS = OUTDOOR | {Category.village}
"""Where a visitor can take lunch during the visit (a picnic, or the site's own kiosks)."""


def lunch_during(setup: Setup, d: int, r: list[int]) -> int | None:
    """The must-visit outdoor stop of day ``d`` whose visit has room for lunch inside it (a meal
    that starts in the lunch window and ends before the visit does), or None."""
    res = setup.schedule(d, r)
    if res is None:
        return None
    for node, tm in zip(r, res[0], strict=True):
        if node < 0 or node not in setup.problem.required:
            continue
        if setup.nodes[node].category not in LUNCH_OUTDOORS:
            continue
        if any(
            max(lo, tm.start) <= min(hi, tm.departure - setup.meal_s) for lo, hi in setup.lunch[d]
        ):
            return node
    return None


def keep_lunch_inside(setup: Setup, routes: list[list[int]]) -> None:
    """After the other steps, a lunch taken during a visit must still fit in it: if the visit
    moved so it no longer does, the day has no lunch and says so."""
    for d, node in list(setup.lunch_inside.items()):
        if lunch_during(setup, d, routes[d]) != node:
            del setup.lunch_inside[d]
            setup.no_lunch.add(d)


def add_dinner(setup: Setup, d: int, r: list[int]) -> list[int]:
    """Insert the unused restaurant that serves dinner and ends the day earliest, if any fits."""
    used = {i for route in [r] for i in route}
    best: tuple[int, int, int] | None = None
    for node in sorted(setup.meal_nodes - used):
        allowed = setup.problem.allowed_routes.get(node)
        if allowed is not None and d not in allowed:
            continue
        for pos in range(len(r) + 1):
            seq = [*r[:pos], node, *r[pos:]]
            res = setup.schedule(d, seq)
            if res is None or not meal_in(setup, d, seq, setup.dinner[d]):
                continue
            if best is None or (res[1], -setup.problem.score[node]) < (
                best[0],
                -setup.problem.score[best[1]],
            ):
                best = (res[1], node, pos)
    if best is None:
        setup.no_dinner.add(d)
        return r
    r.insert(best[2], best[1])
    return r
