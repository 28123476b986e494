"""Festival and holiday traffic: factors by day type and hour, and plans timed leg by leg with them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from planner import Planner, TripRequest
from planner.data.catalog import load_catalog
from planner.data.config import load_travel_settings
from planner.data.seasons import load_seasons
from planner.errors import ConfigError
from planner.plan.checker import violations
from planner.travel.estimate import EstimatedTravelTimes
from planner.travel.traffic import DayType, Traffic, TrafficSettings, load_traffic

MINI = Path(__file__).parent / "data" / "mini_pois.yaml"


@pytest.fixture(scope="module")
def traffic() -> Traffic:
    return Traffic(load_traffic(), load_seasons())


@pytest.mark.parametrize(
    ("day", "kind"),
    [
        (dt.date(2027, 4, 20), DayType.festival),  # inside the default festival window
        (dt.date(2027, 10, 2), DayType.holiday),  # National Day week
        (dt.date(2027, 6, 5), DayType.weekend),
        (dt.date(2027, 6, 8), DayType.weekday),
    ],
)
def test_day_types_come_from_the_calendars(traffic: Traffic, day: dt.date, kind: DayType):
    """Festival beats holiday beats weekend beats weekday."""
    assert traffic.day_type(day) == kind


def test_the_worst_hours_have_the_largest_factors(traffic: Traffic):
    """On a festival day the morning arrival and evening departure are slowest; midday less so."""
    day = dt.date(2027, 4, 20)
    morning, noon, evening = (traffic.factor(day, h * 3600) for h in (8, 12, 17))
    assert morning > noon and evening > noon and noon > 1.0
    assert traffic.factor(dt.date(2027, 6, 8), 8 * 3600) == 1.0


def test_every_leg_is_timed_with_the_factor_at_its_departure(traffic: Traffic):
    """A festival-day plan: each leg's travel = provider time x the factor when it leaves."""
    travel = EstimatedTravelTimes(load_travel_settings())
    planner = Planner(
        load_catalog(MINI, check_boundary=False),
        travel,
        seasons=load_seasons(),
        traffic=load_traffic(),
    )
    it = planner.plan(TripRequest(date="2027-04-20", start="station", interests=["lake", "gorge"]))
    assert violations(it, planner.catalog, planner.travel, planner.traffic) == []
    moving = [leg for leg in it.legs if leg.to_id != "picnic"]
    assert any(leg.traffic_factor > 1.0 for leg in moving)
    for leg in moving:
        local = leg.depart
        assert leg.traffic_factor == traffic.factor(
            local.date(), local.hour * 3600 + local.minute * 60
        )


def test_the_checker_catches_a_wrong_traffic_factor(traffic: Traffic):
    """Claiming a weekday factor on a festival morning is a violation."""
    travel = EstimatedTravelTimes(load_travel_settings())
    planner = Planner(
        load_catalog(MINI, check_boundary=False),
        travel,
        seasons=load_seasons(),
        traffic=load_traffic(),
    )
    it = planner.plan(
        TripRequest(date="2027-04-20", start="station", interests=["lake"], lunch=False)
    )
    bad = it.model_copy(deep=True)
    leg = bad.legs[0]
    leg.traffic_factor = 1.0
    leg.travel_s = round(
        leg.travel_s
        / traffic.factor(leg.depart.date(), leg.depart.hour * 3600 + leg.depart.minute * 60)
    )
    assert any(
        "traffic factor" in v
        for v in violations(bad, planner.catalog, planner.travel, planner.traffic)
    )


def test_overlapping_bands_are_refused(tmp_path: Path):
    """Bands of one day type may not overlap: the file is refused naming the day type."""
    f = tmp_path / "traffic.yaml"
    f.write_text(
        yaml.safe_dump(
            {
                "version": 1,
                "profiles": {
                    "weekend": [
                        {"from": "08:00", "to": "11:00", "factor": 1.2},
                        {"from": "10:00", "to": "12:00", "factor": 1.3},
                    ]
                },
            }
        ),
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as exc:
        load_traffic(f)
    assert "weekend" in str(exc.value) and "overlap" in str(exc.value)


def test_without_settings_traffic_is_neutral():
    """No traffic.yaml: every factor is 1.0."""
    t = Traffic(TrafficSettings())
    assert t.factor(dt.date(2027, 10, 1), 8 * 3600) == 1.0
