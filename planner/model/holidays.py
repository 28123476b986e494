"""China's public holidays, as the planner sees them.

The statutory holidays (New Year, Spring Festival, Qingming, Labour Day, Dragon Boat, Mid-Autumn,
National Day) and their official "days off in lieu" come from the maintained ``holidays`` package;
for years whose arrangement the State Council has not yet announced, that package's rules give
the expected days. Opening hours use this calendar for ``PH`` rules (see :mod:`planner.model.hours`).
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import holidays


@lru_cache(maxsize=64)
def _china(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("CN", years=year)


def public_holiday(day: dt.date) -> str | None:
    """The holiday's English name if ``day`` is a public holiday (or day off in lieu) in China."""
    name = _china(day.year).get(day)
    return str(name) if name else None
