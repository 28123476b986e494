"""China's public-holiday calendar: whole holiday weeks, not only their first days."""

import datetime as dt

import pytest

from planner.model.holidays import public_holiday


@pytest.mark.parametrize(
    "day",
    [
        dt.date(2027, 10, 1),
        dt.date(2027, 10, 3),
        dt.date(2027, 2, 7),
        dt.date(2027, 4, 5),
        dt.date(2027, 5, 1),
    ],
)
def test_statutory_holidays_are_public_holidays(day: dt.date):
    """National Day week, the Spring Festival, Qingming and Labour Day are holidays."""
    assert public_holiday(day)


@pytest.mark.parametrize("day", [dt.date(2027, 4, 17), dt.date(2027, 10, 12), dt.date(2027, 3, 3)])
def test_ordinary_days_are_not(day: dt.date):
    """An ordinary weekend or weekday is not a holiday."""
    assert public_holiday(day) is None
