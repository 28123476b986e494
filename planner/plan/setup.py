"""The plain state of one planning run: the problem the solver sees and how to time its answer.

:class:`Setup` is what :func:`planner.plan.build.build_setup` makes of a request (places, windows,
travel, meal windows) and what every step after the solver works on; ``Setup.schedule`` times a
day leg by leg (:mod:`planner.plan.timing`) with the traffic in force at each departure, the
pace's buffer and the picnic.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import partial

from planner.model import Poi, Reason, TripRequest
from planner.model.common import DAY_S
from planner.plan.buses import NO_WAY, BusDays
from planner.plan.crowding import DayCrowds
from planner.plan.timing import DayTerms, Timing, Window, schedule
from planner.solve.problem import OrienteeringProblem
from planner.solve.solver import visit_begin
from planner.travel.base import TravelMatrix
from planner.travel.traffic import Traffic


@dataclass
class Candidate:
    poi: Poi
    value: float
    why: list[Reason]
    windows: list[Window]
    """Visit-start windows over the whole trip (seconds after the first midnight)."""
    meal: bool = False
    """A farm restaurant, planned only as a meal inside the lunch window."""
    off_season: Reason | None = None
    """Why the place is worth less on these dates (its season is not on), if it is."""


@dataclass
class Setup:
    """A request turned into a problem, with what is needed to turn the answer back."""

    request: TripRequest
    nodes: list[Poi]
    depot_of_day: list[tuple[int, int]]
    candidates: list[Candidate]
    first: int
    dropped: list[tuple[Poi, float, Reason]]
    matrix: TravelMatrix
    problem: OrienteeringProblem
    day_bounds: list[tuple[int, int]]
    pins_at: dict[int, int] = field(default_factory=dict)
    pins_pos: dict[int, tuple[int | None, int]] = field(default_factory=dict)
    lunch: list[list[Window]] = field(default_factory=list)
    """Per day: when lunch may start (empty when no lunch is planned that day)."""
    dinner: list[list[Window]] = field(default_factory=list)
    """Per day: when dinner may start (empty when no dinner is planned that day)."""
    no_dinner: set[int] = field(default_factory=set)
    """Days on which dinner was asked for but no farm restaurant fits (a warning says so)."""
    meal_s: int = 0
    lunch_inside: dict[int, int] = field(default_factory=dict)
    """Per day, the long outdoor visit lunch is taken during (a picnic at the lake or in the
    gorge) when the must-visit places leave no other time for it."""
    no_lunch: set[int] = field(default_factory=set)
    """Days on which the must-visit places leave no room for lunch (a warning says so)."""
    traffic: Traffic = field(default_factory=Traffic)
    crowds: DayCrowds | None = None
    """The crowds the plan is made around (None: not crowd-aware)."""
    buses: BusDays | None = None
    """The timetable journeys of a bus day (None: travel by the matrix)."""

    def travel_at(self, i: int, j: int, depart: int) -> int:
        """Travel from node ``i`` to ``j`` leaving at ``depart`` (trip seconds), traffic and
        the pace's buffer included: the time every schedule after the solver uses."""
        day = self.request.date + dt.timedelta(days=depart // DAY_S)
        base = int(self.matrix.seconds[i, j])
        buffer = self.request.pace.buffer_s if j >= self.first and i != j else 0
        if self.buses is not None:  # on the timetable: the first journey leaving at or after
            journey = self.buses.journey(i, j, depart)
            return (NO_WAY if journey is None else journey.arrive - depart) + buffer
        return self.traffic.travel_s(base, day, depart) + buffer

    def day_terms(self, day: int) -> DayTerms:
        """What every leg-by-leg timing of ``day`` shares (depots, hours, travel, windows, the
        picnic pause, traffic)."""
        a, b = self.depot_of_day[day]
        p = self.problem
        lo, hi = self.day_bounds[day]
        return DayTerms(
            start_node=a,
            end_node=b,
            depart=lo,
            latest_end=hi,
            travel=p.travel,
            service=p.service,
            windows=p.windows,
            pause=(self.lunch[day], self.meal_s) if self.lunch[day] else None,
            travel_at=self.travel_at,
            begin_at=partial(visit_begin, p) if p.clocked else None,
        )

    def schedule(self, day: int, seq: Sequence[int]) -> tuple[list[Timing], int] | None:
        """The leg-by-leg schedule of ``seq`` on ``day`` (traffic, buffer, picnic), or None when
        it breaks a window or the day's end."""
        return schedule(seq, self.day_terms(day))

    @property
    def meal_nodes(self) -> set[int]:
        return {self.first + k for k, c in enumerate(self.candidates) if c.meal}


def hhmm(seconds: int) -> str:
    seconds %= DAY_S
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}"


def format_intervals(intervals: Sequence[tuple[int, int]]) -> str:
    """``08:30-13:45``; on trips of several days ``day 2 08:30-13:45`` past the first day."""
    return (
        ", ".join(
            (f"day {a // DAY_S + 1} " if a >= DAY_S else "") + f"{hhmm(a)}-{hhmm(b)}"
            for a, b in intervals
        )
        or "-"
    )


def secs(t: dt.time) -> int:
    return t.hour * 3600 + t.minute * 60


def meal_spans(request: TripRequest, day: int) -> list[tuple[int, int]]:
    """The day's meal windows (lunch, dinner) as trip seconds, for the meals asked for."""
    spans = []
    if request.lunch:
        spans.append((day * DAY_S + secs(request.lunch_from), day * DAY_S + secs(request.lunch_to)))
    if request.dinner:
        spans.append(
            (day * DAY_S + secs(request.dinner_from), day * DAY_S + secs(request.dinner_to))
        )
    return spans


def dinner_windows(request: TripRequest, day_lo: int, day_hi: int, day: int) -> list[Window]:
    """When dinner may start on ``day``: inside both the dinner window and the day; [] if it can't."""
    if not request.dinner:
        return []
    lo = max(day_lo, day * DAY_S + secs(request.dinner_from))
    hi = min(day_hi, day * DAY_S + secs(request.dinner_to)) - request.meal_minutes * 60
    return [(lo, hi)] if lo <= hi else []


def lunch_windows(request: TripRequest, day_lo: int, day_hi: int, day: int) -> list[Window]:
    """When a meal may start on ``day``: inside both the lunch window and the day; [] if it can't."""
    if not request.lunch:
        return []
    lo = max(day_lo, day * DAY_S + secs(request.lunch_from))
    hi = min(day_hi, day * DAY_S + secs(request.lunch_to)) - request.meal_minutes * 60
    return [(lo, hi)] if lo <= hi else []
