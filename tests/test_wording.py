"""Specification of planner.present.wording and planner.i18n.hours: tickets and opening hours
as a visitor reads them."""

from __future__ import annotations

import pytest

from planner.i18n.hours import hours_text
from planner.present.wording import ticket_text


@pytest.mark.parametrize(
    ("spec", "en", "zh"),
    [
        ("Mo-Su 08:00-17:30", "daily 08:00-17:30", "每天 08:00-17:30"),
        (
            "Apr-Sep: Mo-Su 06:00-19:00; Oct-Mar: Mo-Su 07:00-17:00",
            "Apr-Sep: daily 06:00-19:00; Oct-Mar: daily 07:00-17:00",
            "4月至9月：每天 06:00-19:00；10月至3月：每天 07:00-17:00",
        ),
        (
            "Mo-Fr 09:00-11:00,14:00-16:30; PH off",
            "Mon-Fri 09:00-11:00, 14:00-16:30; closed on public holidays",
            "周一至周五 09:00-11:00、14:00-16:30；节假日休息",
        ),
        (
            "Dec 01-Mar 10: Mo-Su 08:00-17:00",
            "Dec 1-Mar 10: daily 08:00-17:00",
            "12月1日至3月10日：每天 08:00-17:00",
        ),
    ],
)
def test_common_hours_read_as_words_in_both_languages(spec: str, en: str, zh: str):
    """The catalogue's common forms are put into words in each language."""
    assert hours_text(spec, "en") == en
    assert hours_text(spec, "zh") == zh


def test_uncommon_hours_are_shown_as_written():
    """A form the formatter does not know is never guessed at: the spec is shown as is."""
    spec = 'unknown "market days: lunar dates ending in 5 or 0"'
    assert hours_text(spec, "zh") == spec
    assert hours_text(None, "en") is None


def test_an_unknown_ticket_reads_unknown_and_only_zero_reads_free():
    """None is unknown (票价未知), 0 is free (免费), a price is ¥n."""
    assert ticket_text(None, "zh") == "票价未知"
    assert ticket_text(None, "en") == "unknown"
    assert ticket_text(0.0, "zh") == "免费"
    assert ticket_text(40.0, "en") == "¥40"
