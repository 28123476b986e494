"""Specification of planner.present.error_text: a request's error in the visitor's language."""

from __future__ import annotations

import pickle

import pytest

from planner.data.catalog import load_catalog
from planner.errors import RequestError
from planner.model import parse_trip_request
from planner.present.error_text import error_reason

BASE = {"date": "2027-04-17", "start": "pinggu-bus-station"}


@pytest.mark.parametrize(
    ("update", "zh"),
    [
        ({"start_time": "10:00", "end_time": "08:00"}, "08:00 不晚于出发时间 10:00"),
        ({"date": "2027-02-30"}, "不是有效日期"),
        ({"start_time": "25:00"}, "不是有效时间"),
        ({"budget_cny": -5}, "预算须为不小于 0"),
        ({"days": 9}, "1 至 4 天"),
        ({"must": ["jinhai-lake"], "avoid": ["jinhai-lake"]}, "金海湖风景区 同时在"),
    ],
)
def test_common_request_errors_read_in_chinese_without_the_field(update: dict, zh: str):
    """End before start, a bad date or time, budget, days, must and avoid: a Chinese text that
    does not repeat the field's English name."""
    with pytest.raises(RequestError) as info:
        parse_trip_request(BASE | update)
    text = error_reason(info.value, load_catalog())
    assert text is not None and zh in text.zh
    assert info.value.field not in text.zh


def test_an_unknown_place_carries_its_text_and_it_survives_pickling():
    """The catalogue builds the did-you-mean in both languages; another process gets it too."""
    with pytest.raises(RequestError) as info:
        load_catalog().get("jinhai", field="must")
    again = pickle.loads(pickle.dumps(info.value))
    assert again.text == info.value.text and "金海湖" in again.text.zh
    assert error_reason(again) is again.text


def test_an_error_without_a_translation_has_none():
    """No translation: the shell shows the English message."""
    assert error_reason(RequestError("seed", "something new")) is None
    assert error_reason(ValueError("x")) is None
