"""Opening hours: OpenStreetMap ``opening_hours`` strings turned into open intervals on a date.

Parsing is done by ``opening-hours-py`` (the Rust port of the reference grammar). Its built-in
Chinese calendar knows only the first day of each holiday, so ``PH`` (public holiday) rules are
resolved with the project's own calendar (:mod:`planner.model.holidays`: every statutory holiday and day
off in lieu): on a holiday, every ``PH`` selector is read as matching that day. We add the
translation into seconds after local midnight that the solver needs, and readable errors.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache

from opening_hours import OpeningHours, State

from planner.model.common import DAY_S
from planner.model.holidays import public_holiday

DEFAULT_HOURS = "Mo-Su 08:00-17:00"
"""Assumed when a place's hours are unknown: the usual day of a Pinggu scenic area. Plans that rely
on it say so (the place is flagged ``hours_unknown``)."""

_PH = re.compile(r"\bPH\b")
_QUOTED = re.compile(r'("[^"]*")')


def _as_holiday(spec: str) -> str:
    """``spec`` with every ``PH`` selector matching any day (comments in quotes left alone).

    Evaluated on a public holiday this gives OSM's semantics: a ``PH`` rule applies that day,
    whatever its weekday, and overrides the rules before it.
    """
    parts = _QUOTED.split(spec)
    return "".join(p if p.startswith('"') else _PH.sub("Mo-Su", p) for p in parts)


@lru_cache(maxsize=1024)
def parse_opening_hours(spec: str) -> OpeningHours:
    """Parse an ``opening_hours`` string, raising :class:`ValueError` that says what is wrong.

    The message quotes the text and points at the first character that could not be read, with
    the usual fix for the commonest mistake (times need two-digit hours: ``08:00``, not ``8:00``).
    """
    text = spec.strip()
    if not text:
        raise ValueError(
            'opening_hours is empty: write e.g. "Mo-Su 08:00-17:00", or leave it out if unknown'
        )
    try:
        return OpeningHours(text)
    except Exception as exc:  # the library raises ParserError / UnknownCountryError
        found = re.search(r"-->\s*\d+:(\d+)", str(exc))
        col = found.group(1) if found else "?"
        raise ValueError(
            f'opening_hours "{spec}" is not valid OpenStreetMap syntax (problem near character {col}); '
            'write e.g. "Mo-Su 08:00-17:30" or "Apr-Oct: Mo-Su 08:00-18:00; Nov-Mar: Mo-Su 08:30-16:30"'
        ) from None


def open_intervals(spec: str | None, day: dt.date) -> list[tuple[int, int]]:
    """Open intervals on ``day`` as ``(open_s, close_s)``, seconds after local midnight.

    Intervals are sorted, disjoint and clipped to the day. ``None`` (unknown hours) is planned as
    :data:`DEFAULT_HOURS`. An ``unknown`` state in the string (``"off" "by appointment"``) counts
    as closed: we never send a tourist to a door that may be shut.
    """
    text = spec if spec is not None else DEFAULT_HOURS
    if public_holiday(day) and _PH.search(text):
        text = _as_holiday(text)
    oh = parse_opening_hours(text)
    midnight = dt.datetime.combine(day, dt.time())
    out: list[tuple[int, int]] = []
    for start, end, state, _comment in oh.intervals(midnight, midnight + dt.timedelta(days=1)):
        if state != State.OPEN:
            continue
        a = int((start.replace(tzinfo=None) - midnight).total_seconds())
        b = int((end.replace(tzinfo=None) - midnight).total_seconds())
        a, b = max(a, 0), min(b, DAY_S)
        if b <= a:
            continue
        if out and out[-1][1] == a:
            out[-1] = (out[-1][0], b)
        else:
            out.append((a, b))
    return out
