"""The request for the rest of a day: what :meth:`planner.plan.planner.Planner.replan` plans."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from planner.data.catalog import Catalog
from planner.errors import InfeasibleRequest, RequestError
from planner.model import Itinerary, TripRequest
from planner.model.common import TZ


def rest_of_day(
    itinerary: Itinerary,
    catalog: Catalog,
    *,
    now: dt.datetime,
    here: str | tuple[float, float] | None,
    visited: Sequence[str],
) -> tuple[TripRequest, list[str]]:
    """The request for the rest of ``itinerary``'s day from ``now`` (rounded up to the minute)
    and ``here``, and the places done by then.

    Done places are avoided (and their tickets come off the budget); must-visit and pinned
    places not yet done stay required, in whatever order now fits.
    """
    req = itinerary.request
    local = now.astimezone(TZ) if now.tzinfo else now.replace(tzinfo=TZ)
    if local.date() != req.date:
        raise RequestError(
            "now", f"{local:%Y-%m-%d} is not the plan's date {req.date}; plan that day anew"
        )
    minute = (local + dt.timedelta(seconds=59)).replace(second=0, microsecond=0)
    if minute.time() >= req.end_time:
        raise InfeasibleRequest(
            "now", f"it is {minute:%H:%M}, past the day's end {req.end_time:%H:%M}"
        )
    if here is None:
        here_id = visited[-1] if visited else itinerary.start.poi_id
    elif isinstance(here, tuple):
        here_id = f"{here[0]:.6f},{here[1]:.6f}"
    else:
        here_id = here
    done = list(dict.fromkeys([*itinerary.visited, *visited]))
    for pid in done:  # before "here", which defaults to the last visited place
        catalog.get(pid, field="visited")
    catalog.resolve(here_id, field="here")
    end_id = req.end or itinerary.end.poi_id
    # a restaurant visited, or a picnic planned to be over by now, was that meal
    eaten = [
        s.visit_start.time()
        for s in itinerary.stops
        if (s.kind == "meal" and s.poi_id in done) or (s.kind == "picnic" and s.departure <= local)
    ]
    lunch_during_visit = any(
        s.poi_id in done and any(r.code == "why.lunch_inside" for r in s.why)
        for s in itinerary.stops
    )
    had_lunch = lunch_during_visit or any(req.lunch_from <= t <= req.lunch_to for t in eaten)
    had_dinner = any(req.dinner_from <= t <= req.dinner_to for t in eaten)
    new = req.model_copy(
        update={
            "start": here_id,
            "end": end_id,
            "start_time": minute.time(),
            # pinned positions and times belonged to the original day: what is still to be
            # visited stays required, in whatever order now fits
            # (where the visitor is now, or ends the day, is no longer a place to visit)
            "must": [m for m in req.required_ids if m not in {*done, here_id, end_id}],
            "avoid": list(dict.fromkeys([*req.avoid, *done])),
            "pins": [],
            # a meal already eaten is not planned again
            "lunch": req.lunch and not had_lunch,
            "dinner": req.dinner and not had_dinner,
            "budget_cny": None
            if req.budget_cny is None
            else max(
                0.0,
                req.budget_cny
                - sum(s.ticket_cny or 0.0 for s in itinerary.stops if s.poi_id in done),
            ),
        }
    )
    TripRequest.model_validate(new.model_dump())  # the shifted request is valid as a whole
    return new, done
