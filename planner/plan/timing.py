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


@dataclass(frozen=True)
class Timing:
    """When a visit happens: arrival, start of the visit (after any wait) and departure."""

    arrival: int
    start: int
    departure: int


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


def schedule(
    seq: Sequence[int],
    *,
    start_node: int,
    end_node: int,
    depart: int,
    travel: NDArray[np.int64],
    service: Sequence[int],
    windows: Sequence[Sequence[Window]],
    pause: tuple[Sequence[Window], int] | None = None,
    travel_at: TravelAt | None = None,
) -> tuple[list[Timing], int] | None:
    """Earliest schedule of visiting ``seq`` between two depots, leaving at ``depart``.

    ``seq`` may contain :data:`PAUSE`: a break of ``pause[1]`` seconds starting in one of
    ``pause[0]``, taken where the traveller is. Returns the timing of each visit (and pause) and
    the arrival time at ``end_node``, or None when something cannot start inside its windows.
    The day's end is not checked here. ``travel_at``, when given, replaces the ``travel`` matrix
    with times that depend on the departure (traffic).
    """
    out: list[Timing] = []
    here, t = start_node, depart
    for node in seq:
        if node == PAUSE:
            if pause is None:
                raise ValueError("a pause in the sequence needs pause=(windows, seconds)")
            start = earliest_start(t, pause[0])
            if start is None:
                return None
            out.append(Timing(t, start, start + pause[1]))
            t = start + pause[1]
            continue
        arrival = t + (travel_at(here, node, t) if travel_at else int(travel[here, node]))
        start = earliest_start(arrival, windows[node])
        if start is None:
            return None
        t = start + int(service[node])
        out.append(Timing(arrival, start, t))
        here = node
    return out, t + (travel_at(here, end_node, t) if travel_at else int(travel[here, end_node]))


def overflow(
    seq: Sequence[int],
    *,
    start_node: int,
    end_node: int,
    depart: int,
    latest_end: int,
    travel: NDArray[np.int64],
    service: Sequence[int],
    windows: Sequence[Sequence[Window]],
    pause: tuple[Sequence[Window], int] | None = None,
    travel_at: TravelAt | None = None,
) -> tuple[int, int | None]:
    """How many seconds too late the worst point of ``seq`` would be, relaxing every window close.

    Returns ``(seconds, first_late)``: the largest lateness (past a window's last start or past
    ``latest_end``), and the position in ``seq`` of the first late visit (``len(seq)`` when only
    the return is late; None when nothing is late, i.e. the sequence is feasible).
    """
    worst = 0
    first_late: int | None = None
    here, t = start_node, depart
    for k, node in enumerate(seq):
        if node == PAUSE:
            wins = pause[0] if pause else []
            start = earliest_start(t, wins)
            if start is None:
                late = t - (wins[-1][1] if wins else t)
                start = t
                worst = max(worst, late)
                if first_late is None and late > 0:
                    first_late = k
            t = start + (pause[1] if pause else 0)
            continue
        arrival = t + (travel_at(here, node, t) if travel_at else int(travel[here, node]))
        wins = windows[node]
        start = earliest_start(arrival, wins)
        if start is None:
            last = wins[-1][1] if wins else arrival
            late = arrival - last
            start = arrival
            if late > worst:
                worst = late
            if first_late is None and late > 0:
                first_late = k
        t = start + int(service[node])
        here = node
    end_late = (
        t
        + (travel_at(here, end_node, t) if travel_at else int(travel[here, end_node]))
        - latest_end
    )
    if end_late > worst:
        worst = end_late
    if first_late is None and end_late > 0:
        first_late = len(seq)
    return max(worst, 0), first_late
