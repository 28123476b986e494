"""Specification of planner.value: what a place is worth to one visitor on one day.

``value = BASE_VALUE x popularity x interest factor x season factor``, with every factor kept as a
bilingual reason; places that cannot be part of the plan at all (avoided, pointless out of season)
are *excluded* with a reason instead.
"""

from __future__ import annotations

from typing import Any

import pytest

from planner.data.catalog import Catalog
from planner.model import Poi, TripRequest
from planner.plan.value import BASE_VALUE, MATCH_BONUS, NO_MATCH_FACTOR, POPULAR, value_poi

SPRING = "2027-04-17"  # inside the test blossom's bloom, 04-10..04-26
SUMMER = "2027-07-01"


def ask(date: str = SPRING, **changes: Any) -> TripRequest:
    """A request from the test station on ``date``."""
    return TripRequest(date=date, start="station", **changes)


def variant(poi: Poi, **changes: Any) -> Poi:
    """``poi`` with ``changes``, validated again."""
    return Poi.model_validate({**poi.model_dump(), **changes})


def codes(poi: Poi, request: TripRequest) -> list[str]:
    return [r.code for r in value_poi(poi, request).why]


def test_the_scale_constants() -> None:
    """The documented scale: 100 for a perfect match, +25 % per extra interest, 20 % for none."""
    assert (BASE_VALUE, MATCH_BONUS, NO_MATCH_FACTOR, POPULAR) == (100.0, 0.25, 0.2, 0.85)


# --------------------------------------------------------------------------- exclusions


def test_an_avoided_place_is_excluded(mini_catalog: Catalog) -> None:
    """A place on the avoid list is worth nothing and excluded with reason ``out.avoided``."""
    v = value_poi(mini_catalog.get("lake"), ask(avoid=["lake"], interests=["lake"]))
    assert v.value == 0.0
    assert v.excluded is not None
    assert v.excluded.code == "out.avoided"
    assert v.excluded.en == "You asked to avoid it"
    assert v.excluded.zh


def test_a_place_pointless_out_of_season_is_excluded_with_its_season(mini_catalog: Catalog) -> None:
    """The blossom field (off_season_value 0) in July is excluded, naming the date and the bloom."""
    v = value_poi(mini_catalog.get("blossom"), ask(SUMMER, interests=["blossom"]))
    assert v.value == 0.0
    assert v.excluded is not None
    assert v.excluded.code == "out.out_of_season"
    assert SUMMER in v.excluded.en
    assert "blossom season about 10-26 Apr" in v.excluded.en
    assert "约4月10日至26日" in v.excluded.zh


def test_a_must_visit_place_is_never_excluded_out_of_season(mini_catalog: Catalog) -> None:
    """Asked for by name, the blossom field stays a candidate in July (the visitor knows best)."""
    v = value_poi(mini_catalog.get("blossom"), ask(SUMMER, must=["blossom"]))
    assert v.excluded is None
    assert v.why[0].code == "why.must"


def test_no_season_means_the_same_value_all_year(mini_catalog: Catalog) -> None:
    """A place without seasons is worth the same in April and in July."""
    lake = mini_catalog.get("lake")
    assert value_poi(lake, ask(SPRING)).value == value_poi(lake, ask(SUMMER)).value


# --------------------------------------------------------------------------- the value


def test_matching_one_interest_gives_full_value_with_the_reason(mini_catalog: Catalog) -> None:
    """The lake (popularity 0.9) for a lake lover is worth 90, saying which interest matched."""
    v = value_poi(mini_catalog.get("lake"), ask(interests=["lake"]))
    assert v.excluded is None
    assert v.value == pytest.approx(90.0)
    assert v.why[0].code == "why.interests"
    assert v.why[0].en == "Matches your interests: lakes"
    assert v.why[0].zh == "符合您的兴趣：湖泊"


def test_each_extra_interest_matched_adds_a_quarter(mini_catalog: Catalog) -> None:
    """The lake matches both ``lake`` and ``family``: 90 x 1.25, both named in the reason."""
    v = value_poi(mini_catalog.get("lake"), ask(interests=["lake", "family"]))
    assert v.value == pytest.approx(112.5)
    assert v.why[0].en == "Matches your interests: lakes, family"


def test_a_place_matching_no_interest_keeps_a_fifth_of_its_value(mini_catalog: Catalog) -> None:
    """The gorge (0.8) for a culture lover is worth 16: a stop on the way, not a goal."""
    v = value_poi(mini_catalog.get("gorge"), ask(interests=["culture"]))
    assert v.excluded is None
    assert v.value == pytest.approx(16.0)
    assert "why.interests" not in codes(mini_catalog.get("gorge"), ask(interests=["culture"]))


def test_no_interests_given_values_places_by_popularity(mini_catalog: Catalog) -> None:
    """With no interests every place is worth 100 x popularity."""
    for poi in mini_catalog.filter(visitable=True):
        if poi.id == "blossom":
            continue  # seasonal, see below
        assert value_poi(poi, ask()).value == pytest.approx(100 * poi.popularity)


def test_in_season_says_so(mini_catalog: Catalog) -> None:
    """The blossom field in its bloom is worth 100 x 0.7 and says it is in blossom season."""
    blossom = mini_catalog.get("blossom")
    v = value_poi(blossom, ask(interests=["blossom"]))
    assert v.value == pytest.approx(70.0)
    assert codes(blossom, ask(interests=["blossom"])) == ["why.interests", "why.in_season"]
    assert v.why[1].en == "In season on this date: blossom season"


def test_out_of_season_keeps_off_season_value_share(mini_catalog: Catalog) -> None:
    """A seasonal place with off_season_value 0.3 is worth 30 % of its value out of season."""
    orchard = variant(mini_catalog.get("blossom"), off_season_value=0.3)
    v = value_poi(orchard, ask(SUMMER, interests=["blossom"]))
    assert v.excluded is None
    assert v.value == pytest.approx(70.0 * 0.3)
    assert "why.in_season" not in [r.code for r in v.why]


def test_an_open_season_does_not_change_the_value(mini_catalog: Catalog) -> None:
    """Seasons of kind ``open`` are information only: they neither raise nor cut the value."""
    lake = mini_catalog.get("lake")
    summer_only = variant(
        lake, seasons=[{"kind": "open", "start": "05-01", "end": "10-31"}], off_season_value=0
    )
    for date in (SPRING, SUMMER):
        assert value_poi(summer_only, ask(date)).value == value_poi(lake, ask(date)).value
        assert value_poi(summer_only, ask(date)).excluded is None


def test_a_season_wrapping_the_new_year_counts_in_january(mini_catalog: Catalog) -> None:
    """A winter festival 12-20..02-10 is in season on 5 January and excluded in July."""
    fair = variant(
        mini_catalog.get("gorge"),
        seasons=[{"kind": "festival", "start": "12-20", "end": "02-10"}],
        off_season_value=0,
    )
    assert value_poi(fair, ask("2028-01-05")).excluded is None
    assert "why.in_season" in codes(fair, ask("2028-01-05"))
    assert value_poi(fair, ask(SUMMER)).excluded is not None


@pytest.mark.parametrize(
    ("popularity", "popular"), [(0.84, False), (0.85, True), (0.9, True), (1.0, True)]
)
def test_popular_places_say_so(mini_catalog: Catalog, popularity: float, popular: bool) -> None:
    """From popularity 0.85 a place is called one of Pinggu's most popular sights."""
    poi = variant(mini_catalog.get("gorge"), popularity=popularity)
    assert ("why.popular" in codes(poi, ask())) is popular


def test_a_must_visit_place_says_it_was_asked_for_first(mini_catalog: Catalog) -> None:
    """``why.must`` comes first in the reasons of a place the visitor named."""
    assert codes(mini_catalog.get("museum"), ask(must=["museum"]))[0] == "why.must"


def test_a_place_with_no_particular_reason_fits_on_the_way(mini_catalog: Catalog) -> None:
    """Every valued place has at least one reason; without any, it "fits on the way"."""
    assert codes(mini_catalog.get("museum"), ask(interests=["lake"])) == ["why.fits"]


def test_every_reason_is_bilingual(mini_catalog: Catalog) -> None:
    """Every reason given has an English and a Chinese text."""
    for poi in mini_catalog.filter(visitable=True):
        for req in (ask(interests=["lake", "blossom"]), ask(SUMMER, must=["blossom"])):
            v = value_poi(poi, req)
            for r in [*v.why, *([v.excluded] if v.excluded else [])]:
                assert r.en
                assert r.zh
