"""Why places are left out (planner/plan/explain.py): the true reason, checked.

A place that is open and reachable but worth less because its season is not on is left out *as
out of season*, with when its season runs, not blamed on the time of the day.
"""

from __future__ import annotations

import pytest

from planner import Planner, TripRequest


@pytest.fixture(scope="module")
def planner() -> Planner:
    return Planner.from_configs(use_roads=False)


def test_in_december_blossom_places_are_left_out_as_out_of_season(planner: Planner) -> None:
    """A December day for blossoms: the Peach Blossom Sea is out of season (blooms about 10-26
    Apr), in both languages, not "not enough time"."""
    day = planner.plan(
        TripRequest(date="2026-12-12", start="pinggu-bus-station", interests=["blossom"])
    )
    sea = next(d for d in day.dropped if d.poi_id == "peach-blossom-sea")
    assert sea.reason.code == "out.off_season"
    assert "blossom season about 10-26 Apr" in sea.reason.en
    assert "花期 约4月10日至26日" in sea.reason.zh
    assert "2026-12-12" in sea.reason.en


def test_in_season_the_same_place_is_not_called_out_of_season(planner: Planner) -> None:
    """In April nothing is left out as out of season for blossoms."""
    day = planner.plan(
        TripRequest(date="2027-04-17", start="pinggu-bus-station", interests=["blossom"])
    )
    blossom = [d for d in day.dropped if "blossom" in d.poi_id]
    assert all(d.reason.code != "out.off_season" for d in blossom)


def test_unknown_hours_warning_reads_the_assumed_hours_in_words(planner: Planner) -> None:
    """A place whose hours are unknown is planned as open daily 08:00-17:00, and the warning
    says so in each language's words, never in the raw ``Mo-Su 08:00-17:00`` syntax."""
    import numpy as np

    from planner.plan.explain import warnings
    from planner.travel.base import TravelMatrix

    poi = next(p for p in planner.catalog if p.visitable).model_copy(update={"opening_hours": None})
    matrix = TravelMatrix(
        seconds=np.zeros((1, 1), dtype=np.int64),
        metres=np.zeros((1, 1), dtype=np.int64),
        provider="test",
        estimated=False,
    )
    (warning,) = [w for w in warnings([poi], matrix) if w.code == "warn.hours_unknown"]
    assert "planned as daily 08:00-17:00" in warning.en
    assert "按 每天 08:00-17:00 安排" in warning.zh
    assert "Mo-Su" not in warning.en + warning.zh
