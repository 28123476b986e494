"""Specification of planner.hours: OpenStreetMap ``opening_hours`` strings -> open intervals.

Intervals are ``(open_s, close_s)`` in seconds after local midnight, sorted, disjoint and clipped
to the day. Public holidays (``PH``) are China's, as known to opening-hours-py.
"""

from __future__ import annotations

import datetime as dt

import pytest

from planner.model.hours import DAY_S, DEFAULT_HOURS, open_intervals, parse_opening_hours


def hm(text: str) -> int:
    """``"08:30"`` -> seconds after midnight."""
    hours, minutes = text.split(":")
    return int(hours) * 3600 + int(minutes) * 60


WEDNESDAY = dt.date(2027, 7, 14)
MONDAY = dt.date(2027, 7, 12)
NATIONAL_DAY = dt.date(2027, 10, 1)
AFTER_GOLDEN_WEEK = dt.date(2027, 10, 8)


def test_a_simple_daily_string_gives_one_interval() -> None:
    """``Mo-Su 08:00-17:30`` is one interval from 08:00 to 17:30, in seconds after midnight."""
    assert open_intervals("Mo-Su 08:00-17:30", WEDNESDAY) == [(hm("08:00"), hm("17:30"))]


def test_one_digit_hours_are_accepted_and_mean_the_same_as_two_digits() -> None:
    """``8:00`` is read like ``08:00`` (opening-hours-py accepts it), on every day alike.

    The library decides; the planner specifies that it never disagrees with itself: a string
    accepted by the parser gives the same intervals as its two-digit spelling.
    """
    parse_opening_hours("Mo-Su 8:00-17:00")  # does not raise
    for day in (WEDNESDAY, MONDAY, NATIONAL_DAY):
        assert open_intervals("Mo-Su 8:00-17:00", day) == open_intervals("Mo-Su 08:00-17:00", day)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("garbage", id="words"),
        pytest.param("Mo-Su 8-17", id="hours-without-minutes"),
        pytest.param("Mo-So 08:00-17:00", id="german-sunday"),
        pytest.param("Mo-Su 08:00–17:00", id="en-dash"),
        pytest.param("Mo-Su 08:00-1700", id="missing-colon"),
        pytest.param("Mo-Su 08:00-17:00;", id="trailing-separator"),
    ],
)
def test_invalid_text_raises_a_value_error_quoting_it_with_an_example_fix(text: str) -> None:
    """Unparseable hours raise ValueError whose message quotes the text and shows valid syntax."""
    with pytest.raises(ValueError) as info:
        parse_opening_hours(text)
    message = str(info.value)
    assert f'"{text}"' in message
    assert "not valid" in message
    assert 'e.g. "Mo-Su 08:00-17:30"' in message


def test_invalid_text_message_points_at_the_character() -> None:
    """The message says where the parser stopped (1-based character position)."""
    with pytest.raises(ValueError, match=r"near character 13\b"):
        parse_opening_hours("Mo-Su 08:00-1700")


@pytest.mark.parametrize("text", ["", "   "])
def test_empty_text_is_an_error_that_suggests_leaving_the_field_out(text: str) -> None:
    """An empty string is not "unknown hours": the message says to leave the field out."""
    with pytest.raises(ValueError, match=r"empty.*leave it out"):
        parse_opening_hours(text)


def test_invalid_text_is_an_error_on_every_path() -> None:
    """open_intervals raises the same ValueError as parse_opening_hours (no silent closed day)."""
    with pytest.raises(ValueError, match='"garbage"'):
        open_intervals("garbage", WEDNESDAY)


def test_public_holiday_off_closes_on_national_day_only() -> None:
    """``PH off`` closes on 1 October 2027 (National Day) but not on 8 October, a normal Friday."""
    spec = "Mo-Su 08:00-17:00; PH off"
    assert open_intervals(spec, NATIONAL_DAY) == []
    assert open_intervals(spec, AFTER_GOLDEN_WEEK) == [(hm("08:00"), hm("17:00"))]


@pytest.mark.parametrize(
    "day",
    [
        pytest.param(dt.date(2027, 1, 1), id="new-year"),
        pytest.param(dt.date(2027, 2, 6), id="spring-festival"),
        pytest.param(dt.date(2027, 5, 1), id="labour-day"),
    ],
)
def test_public_holiday_off_closes_on_chinese_holidays(day: dt.date) -> None:
    """The holiday calendar is China's: New Year, the Spring Festival and Labour Day are PH."""
    assert open_intervals("Mo-Su 08:00-17:00; PH off", day) == []


@pytest.mark.parametrize(
    "day",
    [
        pytest.param(dt.date(2027, 10, 2), id="national-day-2"),
        pytest.param(dt.date(2027, 10, 3), id="national-day-3"),
        pytest.param(dt.date(2027, 2, 7), id="spring-festival-2"),
        pytest.param(dt.date(2027, 4, 5), id="qingming"),
    ],
)
def test_public_holiday_off_covers_every_statutory_holiday(day: dt.date) -> None:
    """Every statutory holiday day (National Day 1-3 Oct, Spring Festival, Qingming) is PH."""
    assert open_intervals("Mo-Su 08:00-17:00; PH off", day) == []


def test_holiday_hours_apply_whatever_the_weekday() -> None:
    """A PH rule overrides weekday rules: a Tu-Su museum with PH hours opens on a holiday Monday."""
    spec = "Tu-Su 09:00-16:30; PH 10:00-15:00"
    assert open_intervals(spec, dt.date(2027, 10, 4)) == [(10 * 3600, 15 * 3600)]  # a Monday
    assert open_intervals(spec, dt.date(2027, 10, 11)) == []  # an ordinary Monday


def test_a_quoted_comment_mentioning_ph_is_left_alone() -> None:
    """Only PH selectors change on a holiday, not the text of a comment."""
    spec = 'Mo-Su 08:00-17:00 "call ahead on PH"'
    assert open_intervals(spec, dt.date(2027, 10, 2)) == [(8 * 3600, 17 * 3600)]


def test_later_rules_override_earlier_ones() -> None:
    """OSM semantics: ``PH off`` written *before* the daily rule is overridden by it."""
    assert open_intervals("PH off; Mo-Su 08:00-17:00", NATIONAL_DAY) == [(hm("08:00"), hm("17:00"))]


def test_month_ranges_give_seasonal_hours() -> None:
    """``Apr-Oct: ...; Nov-Mar: ...`` gives the summer hours in July, the winter ones in December."""
    spec = "Apr-Oct: Mo-Su 08:00-18:00; Nov-Mar: Mo-Su 08:30-16:30"
    assert open_intervals(spec, dt.date(2027, 7, 15)) == [(hm("08:00"), hm("18:00"))]
    assert open_intervals(spec, dt.date(2027, 12, 15)) == [(hm("08:30"), hm("16:30"))]


def test_tuesday_to_sunday_is_closed_on_mondays() -> None:
    """``Tu-Su`` (the usual museum week) has no interval on a Monday and one on a Tuesday."""
    spec = "Tu-Su 09:00-16:30"
    assert open_intervals(spec, MONDAY) == []
    assert open_intervals(spec, MONDAY + dt.timedelta(days=1)) == [(hm("09:00"), hm("16:30"))]


def test_weekday_and_weekend_rules() -> None:
    """Different rules for weekdays and weekends apply on the right days."""
    spec = "Mo-Fr 08:00-17:00; Sa,Su 09:00-18:00"
    assert open_intervals(spec, WEDNESDAY) == [(hm("08:00"), hm("17:00"))]
    assert open_intervals(spec, dt.date(2027, 7, 17)) == [(hm("09:00"), hm("18:00"))]


def test_unknown_hours_mean_the_documented_default() -> None:
    """``None`` (hours unknown) is planned as DEFAULT_HOURS, Mo-Su 08:00-17:00, every day."""
    assert DEFAULT_HOURS == "Mo-Su 08:00-17:00"
    for day in (WEDNESDAY, MONDAY, NATIONAL_DAY):
        assert open_intervals(None, day) == [(hm("08:00"), hm("17:00"))]


@pytest.mark.parametrize("sep", [",", ", "])
def test_a_lunch_break_splits_the_day_in_two_intervals(sep: str) -> None:
    """``08:00-12:00,13:30-17:00`` gives two sorted, disjoint intervals."""
    spec = f"Mo-Su 08:00-12:00{sep}13:30-17:00"
    assert open_intervals(spec, WEDNESDAY) == [
        (hm("08:00"), hm("12:00")),
        (hm("13:30"), hm("17:00")),
    ]


def test_touching_intervals_are_merged() -> None:
    """``08:00-12:00,12:00-17:00`` is one interval: a visit may run through noon."""
    assert open_intervals("Mo-Su 08:00-12:00,12:00-17:00", WEDNESDAY) == [
        (hm("08:00"), hm("17:00"))
    ]


def test_always_open_is_the_whole_day() -> None:
    """``24/7`` is open from midnight to midnight."""
    assert open_intervals("24/7", WEDNESDAY) == [(0, DAY_S)]


def test_hours_past_midnight_are_clipped_to_the_day() -> None:
    """``18:00-02:00`` gives the evening today and the spill-over from yesterday, nothing past 24h."""
    assert open_intervals("Mo-Su 18:00-02:00", WEDNESDAY) == [
        (0, hm("02:00")),
        (hm("18:00"), DAY_S),
    ]


@pytest.mark.parametrize(
    "spec",
    [
        pytest.param("Mo-Su off", id="off"),
        pytest.param("Mo-Su unknown", id="unknown"),
        pytest.param('Mo-Su unknown "by appointment"', id="unknown-with-comment"),
    ],
)
def test_closed_and_unknown_states_count_as_closed(spec: str) -> None:
    """``off`` and ``unknown`` give no interval: never send a tourist to a door that may be shut."""
    assert open_intervals(spec, WEDNESDAY) == []


def test_a_comment_on_open_hours_keeps_them_open() -> None:
    """A comment (``"call ahead"``) does not change an open rule."""
    assert open_intervals('Mo-Su 08:00-17:00 "call ahead"', WEDNESDAY) == [
        (hm("08:00"), hm("17:00"))
    ]


def test_surrounding_whitespace_is_ignored() -> None:
    """Leading and trailing spaces (common in hand-edited YAML) do not change the hours."""
    assert open_intervals("  Mo-Su 08:00-17:00 ", WEDNESDAY) == open_intervals(
        "Mo-Su 08:00-17:00", WEDNESDAY
    )
