"""The web app (AppTest, no browser): the page renders, one press plans a day, bad input is shown.

Every decision is the planner's; these tests only check that the page shows its answers and never
lets an exception reach the user.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[1] / "app.py")


@pytest.fixture
def at() -> AppTest:
    app = AppTest.from_file(APP, default_timeout=60)
    app.run()
    assert not app.exception, app.exception
    return app


def test_first_page_renders_with_a_form_and_a_map(at: AppTest):
    """The page shows the title, the request form with its button, and a map before any plan."""
    assert at.title[0].value == "平谷游线规划"  # Chinese by default
    assert any(b.label == "生成行程" for b in at.button)
    assert at.get("deck_gl_json_chart")


def test_one_press_plans_a_day_with_a_timeline(at: AppTest):
    """Pressing the button with the defaults shows a success line, the timeline and the map."""
    at.sidebar.date_input[0].set_value(dt.date(2027, 4, 17))
    at.button[0].click().run()
    assert not at.exception, at.exception
    assert at.success, "the totals line"
    table = at.dataframe[0].value
    assert len(table) >= 1 and "到达" in table.columns


def test_switching_language_shows_english(at: AppTest):
    """The language switch turns every label into English."""
    at.sidebar.radio[0].set_value("en").run()
    assert at.title[0].value == "Pinggu Planner"
    assert any(b.label == "Plan my day" for b in at.button)


def test_an_impossible_day_is_shown_as_an_error_not_an_exception(at: AppTest):
    """End before start: the page shows a readable error naming the field."""
    at.sidebar.date_input[0].set_value(dt.date(2027, 4, 17))
    at.sidebar.time_input[0].set_value(dt.time(17, 0))
    at.sidebar.time_input[1].set_value(dt.time(9, 0))
    at.button[0].click().run()
    assert not at.exception, at.exception
    assert at.error and "end_time" in at.error[0].value
