"""The season calendar: zones with yearly windows that operators update, and what they do to plans."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from planner.data.seasons import SeasonCalendar, load_seasons, zone_problems
from planner.errors import ConfigError
from planner.model import Poi, TripRequest
from planner.plan.value import value_poi


@pytest.fixture(scope="module")
def calendar() -> SeasonCalendar:
    return load_seasons()  # the bundled configs/seasons.yaml


def blossom(zone: str) -> Poi:
    return Poi(
        id="orchard",
        name_zh="桃园",
        name_en="Orchard",
        description_zh="桃园",
        description_en="Orchard",
        category="blossom",
        interests=["blossom"],
        lon=117.1,
        lat=40.2,
        confidence="low",
        source="test",
        visit_minutes=60,
        seasons=[{"kind": "bloom", "zone": zone}],
        off_season_value=0,
    )


def test_blossom_moves_uphill(calendar: SeasonCalendar):
    """By default the plains bloom before the high valleys, and the apricots before both."""
    plains, valleys, apricot = (calendar.window(z, 2030) for z in ("plains", "valleys", "apricot"))
    assert apricot.start < plains.start < valleys.start


def test_a_listed_year_overrides_the_default(calendar: SeasonCalendar):
    """2015's valley window (15-20 Apr) is used for 2015; other years fall back to the default."""
    assert (calendar.window("valleys", 2015).start, calendar.window("valleys", 2015).end) == (
        "04-15",
        "04-20",
    )
    assert calendar.window("valleys", 2031) == calendar.default.windows["valleys"]


def test_a_zoned_place_is_in_season_only_in_its_zone_window(calendar: SeasonCalendar):
    """A valley orchard counts on 22 April (default window) but is out of season on 5 April."""
    poi = blossom("valleys")
    late = value_poi(poi, TripRequest(date="2027-04-22", start="x"), calendar)
    early = value_poi(poi, TripRequest(date="2027-04-05", start="x"), calendar)
    assert late.excluded is None and any(r.code == "why.in_season" for r in late.why)
    assert early.excluded is not None and early.excluded.code == "out.out_of_season"
    assert "about 15-25 Apr" in early.excluded.en  # the window that year, named


def test_festival_days_are_named(calendar: SeasonCalendar):
    """A blossom place in season during the festival says so."""
    v = value_poi(blossom("plains"), TripRequest(date="2027-04-20", start="x"), calendar)
    assert any(r.code == "why.festival" for r in v.why)
    assert calendar.festival(dt.date(2027, 4, 20)) and not calendar.festival(dt.date(2027, 6, 1))


def test_a_multi_day_trip_is_in_season_if_any_day_is(calendar: SeasonCalendar):
    """A trip starting the day before the valleys bloom still counts them."""
    v = value_poi(blossom("valleys"), TripRequest(date="2027-04-14", start="x", days=2), calendar)
    assert v.excluded is None


def test_places_must_name_known_zones(calendar: SeasonCalendar):
    """A zone that seasons.yaml does not declare is reported naming the place."""
    (problem,) = zone_problems([blossom("glacier")], calendar)
    assert "poi 'orchard'" in problem and "'glacier'" in problem


def test_a_broken_calendar_is_reported(tmp_path: Path):
    """A window for an undeclared zone, and a zone without a default window, are both named."""
    f = tmp_path / "seasons.yaml"
    f.write_text(
        "version: 1\nzones:\n  hills: {kind: bloom, name_en: H, name_zh: 丘}\n"
        "default:\n  windows:\n    plains: {start: '04-10', end: '04-20'}\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as exc:
        load_seasons(f)
    assert "plains" in str(exc.value)
