"""Earliest-start schedules along a sequence of places: the arithmetic shared by planning and repair.

Times are integer seconds after local midnight. A place's ``windows`` bound the *start* of its visit
(already shortened by the visit's length, so a visit that starts in a window ends before closing).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

Window = tuple[int, int]
TravelAt = Callable[[int, int, int], int]
"""Time-dependent travel: ``travel_at(from_node, to_node, departure) -> seconds``."""
BeginAt = Callable[[int, int, int], "tuple[int, int] | None"]
"""A queue at the gate: ``begin_at(node, ready, last) -> (join, start)``, when a visitor at the
gate from ``ready`` joins the queue and when the visit starts (by ``last``), or None."""


@dataclass(frozen=True)
class Timing:
    """When a visit happens: arrival, start of the visit (after any wait) and departure."""

    arrival: int
    start: int
    departure: int
    queue_s: int = 0
    """Of the wait before ``start``, the seconds spent queuing at the gate and car park."""


def earliest_start(arrival: int, windows: Sequence[Window]) -> int | None:
    """The earliest visit start at or after ``arrival`` inside one of ``windows``; None if none."""
    for lo, hi in windows:
        t = max(arrival, lo)
        if t <= hi:
            return t
    return None


PAUSE = -1
"""A node index meaning "a break where you are" (a picnic lunch): no travel to it, and the next
leg starts from the last real place."""


@dataclass(frozen=True)
class DayTerms:
    """What every leg-by-leg timing of one day shares: its depots, hours, travel, visits, picnic."""

    start_node: int
    end_node: int
    depart: int
    """When the day leaves ``start_node``."""
    latest_end: int
    """When the day must be back at ``end_node`` at the latest."""
    travel: NDArray[np.int64]
    """Seconds between nodes, used when ``travel_at`` is None."""
    service: Sequence[int]
    """Seconds spent at each node."""
    windows: Sequence[Sequence[Window]]
    """Per node: when its visit may start."""
    pause: tuple[Sequence[Window], int] | None = None
    """The picnic: when it may start and how long it lasts (None: no picnic that day)."""
    travel_at: TravelAt | None = None
    """Time-dependent travel (traffic), replacing ``travel`` when given."""
    begin_at: BeginAt | None = None
    """Queues at the gates (crowd-aware plans); None: a visit starts as soon as it may."""

    def leg_s(self, i: int, j: int, depart: int) -> int:
        """Seconds from node ``i`` to ``j`` leaving at ``depart``."""
        return self.travel_at(i, j, depart) if self.travel_at else int(self.travel[i, j])


@dataclass(frozen=True)
class Timeline:
    """A day timed leg by leg: each visit's timing, the return, and how late the worst point is."""

    visits: list[Timing]
    """The timing of each node of the sequence (pauses included)."""
    end: int
    """Arrival at the end depot."""
    late_s: int = 0
    """The largest lateness (past a window's last start or past ``latest_end``); 0 when on time."""
    first_late: int | None = None
    """Position in the sequence of the first late visit (its length when only the return is
    late); None when nothing is late."""


def timeline(seq: Sequence[int], day: DayTerms, *, relax: bool = False) -> Timeline | None:
    """Earliest-start timing of visiting ``seq`` on ``day``, in one pass.

    ``seq`` may contain :data:`PAUSE`: a break of ``day.pause[1]`` seconds starting in one of
    ``day.pause[0]``, taken where the traveller is. Without ``relax`` the timing is None as soon
    as something cannot start inside its windows or the return is past ``day.latest_end``. With
    ``relax`` every window close is relaxed: a late visit starts on arrival and the lateness is
    recorded instead (against the day's own windows: waiting for the next day's opening is not
    a way to be on time).
    """
    out: list[Timing] = []
    worst, first_late = 0, None
    here, t = day.start_node, day.depart
    for k, node in enumerate(seq):
        if node == PAUSE:
            if day.pause is None and not relax:
                raise ValueError("a pause in the sequence needs DayTerms.pause=(windows, seconds)")
            wins, length = day.pause if day.pause is not None else ((), 0)
            arrival = t
        else:
            wins, length = day.windows[node], int(day.service[node])
            arrival = t + day.leg_s(here, node, t)
            here = node
        if relax:  # the day's own windows: on a trip a late visit is late today, not early tomorrow
            wins = [w for w in wins if w[0] <= day.latest_end]
        queue = 0
        if node != PAUSE and day.begin_at is not None:
            start = None
            for lo, hi in wins:
                got = day.begin_at(node, max(arrival, lo), hi) if hi >= arrival else None
                if got is not None:
                    start, queue = got[1], got[1] - got[0]
                    break
        else:
            start = earliest_start(arrival, wins)
        if start is None:
            if not relax:
                return None
            late = arrival - (wins[-1][1] if wins else arrival)
            worst = max(worst, late)
            if first_late is None and late > 0:
                first_late = k
            start = arrival
        t = start + length
        out.append(Timing(arrival, start, t, queue))
    end = t + day.leg_s(here, day.end_node, t)
    end_late = end - day.latest_end
    if end_late > 0:
        if not relax:
            return None
        worst = max(worst, end_late)
        if first_late is None:
            first_late = len(seq)
    return Timeline(out, end, worst, first_late)


def schedule(seq: Sequence[int], day: DayTerms) -> tuple[list[Timing], int] | None:
    """The timing of each visit of ``seq`` and the arrival at the end depot, or None when
    something cannot start inside its windows or the day ends late (no lateness allowed)."""
    res = timeline(seq, day)
    return None if res is None else (res.visits, res.end)


def overflow(seq: Sequence[int], day: DayTerms) -> tuple[int, int | None]:
    """How many seconds too late the worst point of ``seq`` would be, relaxing every window close,
    and the position of the first late visit (see :class:`Timeline`)."""
    res = timeline(seq, day, relax=True)
    assert res is not None  # a relaxed timing always exists
    return res.late_s, res.first_late
