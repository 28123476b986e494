"""Specification of planner.catalog: loading, validating and looking up places.

Every input path (YAML, GeoJSON, raw entries) ends in ``build_catalog``, which reports *every*
problem of a file in one :class:`ConfigError`, each naming the file, the place and the field.
The broken files in ``tests/data/catalog/`` each say in a header comment what is wrong with them.
"""

from __future__ import annotations

import copy
import re
from collections import defaultdict
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from planner import Catalog, Category, ConfigError, RequestError, build_catalog, load_catalog
from planner.data.catalog import default_catalog_path, read_catalog_entries

CATALOG_DATA = Path(__file__).parent / "data" / "catalog"
MINI = Path(__file__).parent / "data" / "mini_pois.yaml"


def load_broken(name: str, *, check_boundary: bool = False) -> ConfigError:
    """Load ``tests/data/catalog/<name>`` and return the ConfigError it must raise."""
    with pytest.raises(ConfigError) as info:
        load_catalog(CATALOG_DATA / name, check_boundary=check_boundary)
    return info.value


@pytest.fixture
def mini_entries() -> list[Mapping[str, Any]]:
    """The raw entries of the test catalogue, fresh for each test to edit."""
    return copy.deepcopy(read_catalog_entries(MINI))


# --------------------------------------------------------------------------- the bundled file


@pytest.fixture(scope="module")
def bundled() -> Catalog:
    """``configs/pois.yaml`` loaded as the product loads it: with the boundary check."""
    path = default_catalog_path()
    assert path.is_file(), f"{path} is missing: the bundled catalogue has not landed yet"
    return load_catalog(path, check_boundary=True)


def test_bundled_catalogue_is_valid_and_large_enough(bundled: Catalog) -> None:
    """configs/pois.yaml loads with the boundary check and holds at least 35 places."""
    assert len(bundled) >= 35


def test_bundled_ids_are_unique_kebab_case(bundled: Catalog) -> None:
    """Ids are unique and kebab-case ASCII (they appear in links, itineraries and tests)."""
    assert len(set(bundled.ids)) == len(bundled.ids)
    for pid in bundled.ids:
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", pid), pid


@pytest.mark.parametrize(
    "category",
    [
        "blossom",
        "lake",
        "gorge",
        "mountain",
        "temple",
        "village",
        "farm",
        "museum",
        "restaurant",
        "lodging",
        "transport",
    ],
)
def test_bundled_catalogue_has_every_kind_of_place(bundled: Catalog, category: str) -> None:
    """At least one place of each category a visitor may ask for (or start from)."""
    assert bundled.filter(category=category), f"no {category} in configs/pois.yaml"


def test_bundled_catalogue_has_the_district_bus_station(bundled: Catalog) -> None:
    """``pinggu-bus-station`` exists and is a transport point (a start/end, not a visit)."""
    station = bundled.get("pinggu-bus-station")
    assert station.category == Category.transport
    assert not station.visitable


def test_bundled_places_share_a_point_only_when_their_source_says_so(bundled: Catalog) -> None:
    """No two places sit on the exact same point unless one's ``source`` says "same point as" the other.

    Shared placeholder points hide estimation errors; a shared point is allowed only for places
    that are the same site (a village and the farm-stays in it), stated in ``source``.
    """
    by_point: dict[tuple[float, float], list[str]] = defaultdict(list)
    for poi in bundled:
        by_point[poi.lonlat].append(poi.id)
    unexplained = []
    for ids in by_point.values():
        for a in ids:
            for b in ids:
                if a >= b:
                    continue
                said = [
                    pid
                    for pid, other in ((a, b), (b, a))
                    if f"same point as {other}" in bundled.get(pid).source.lower()
                ]
                if not said:
                    unexplained.append((a, b))
    assert unexplained == []


def test_bundled_catalogue_round_trips_through_build_catalog(bundled: Catalog) -> None:
    """Every place is valid: re-validating the dumped places gives the same content hash."""
    again = build_catalog([p.model_dump() for p in bundled], source="pois.yaml")
    assert again.content_hash == bundled.content_hash


# --------------------------------------------------------------------------- a valid file


def test_mini_catalogue_loads_in_file_order(mini_catalog: Catalog) -> None:
    """The test catalogue loads, its places in file order."""
    assert mini_catalog.ids == ["station", "lake", "gorge", "blossom", "museum"]
    assert len(mini_catalog) == 5
    assert "lake" in mini_catalog
    assert "sea" not in mini_catalog
    assert [p.id for p in mini_catalog] == mini_catalog.ids


def test_filter_by_category_and_visitability(mini_catalog: Catalog) -> None:
    """``filter`` selects by category (enum or string) and by visitability, in file order."""
    assert [p.id for p in mini_catalog.filter(category="lake")] == ["lake"]
    assert [p.id for p in mini_catalog.filter(category=Category.museum)] == ["museum"]
    assert [p.id for p in mini_catalog.filter(visitable=False)] == ["station"]
    assert len(mini_catalog.filter(visitable=True)) == 4


def test_content_hash_depends_on_the_content_only(mini_entries: list[dict[str, Any]]) -> None:
    """Same places give the same hash whatever the source name; a changed ticket changes it."""
    a = build_catalog(mini_entries, source="a.yaml")
    b = build_catalog(mini_entries, source="b.yaml")
    assert a.content_hash == b.content_hash
    mini_entries[1]["ticket_cny"] = 45
    assert build_catalog(mini_entries).content_hash != a.content_hash


def test_a_geojson_feature_collection_loads_like_yaml() -> None:
    """A FeatureCollection of Points ([lon, lat]) with the fields as properties is a catalogue."""
    cat = load_catalog(CATALOG_DATA / "points.geojson", check_boundary=False)
    assert cat.ids == ["station", "lake"]
    lake = cat.get("lake")
    assert lake.lonlat == (117.20, 40.16)
    assert lake.opening_hours == "Mo-Su 08:00-17:00"
    yaml_lake = load_catalog(MINI, check_boundary=False).get("lake")
    assert lake == yaml_lake


def test_a_geojson_feature_must_be_a_point() -> None:
    """A feature that is not a Point is reported by number, asking for a Point [lon, lat]."""
    err = load_broken("line_geometry.geojson")
    assert "feature #1" in str(err)
    assert "Point [lon, lat]" in str(err)


def test_a_transport_point_may_lie_outside_the_district() -> None:
    """Transport hubs (the capital airport) are exempt from the boundary check; other places are not."""
    err = load_broken("far_away.yaml", check_boundary=True)
    assert len(err.problems) == 1
    assert err.problems[0].entity == "far_away.yaml: poi 'bund'"
    assert "capital-airport" not in str(err)


def test_a_place_far_outside_pinggu_says_check_wgs84_or_swapped() -> None:
    """A point far from Pinggu is reported with its distance and the two usual causes."""
    err = load_broken("far_away.yaml", check_boundary=True)
    message = str(err.problems[0])
    assert "outside Pinggu District" in message
    assert "WGS84" in message
    assert "swapped" in message


def test_the_boundary_check_can_be_switched_off() -> None:
    """``check_boundary=False`` loads synthetic or far-off points (tests, other districts)."""
    cat = load_catalog(CATALOG_DATA / "far_away.yaml", check_boundary=False)
    assert cat.ids == ["bund", "capital-airport"]


# --------------------------------------------------------------------------- broken files


def test_not_yaml_names_the_line() -> None:
    """A file that is not YAML is one problem giving the file name and the line number."""
    err = load_broken("not_yaml.yaml")
    assert "not_yaml.yaml" in str(err)
    assert "not valid YAML" in str(err)
    assert "line 11" in str(err)


def test_a_missing_file_is_a_config_error() -> None:
    """A path that does not exist is a ConfigError naming it, not a FileNotFoundError."""
    err = load_broken("no_such_file.yaml")
    assert "no_such_file.yaml" in str(err)
    assert "not found" in str(err)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        pytest.param("wrong_top_level.yaml", "expected a mapping", id="bare-list"),
        pytest.param("wrong_version.yaml", "version 2 is not supported", id="version"),
        pytest.param("unknown_top_level_key.yaml", "'pios'", id="top-level-typo"),
    ],
)
def test_a_wrong_top_level_is_one_clear_problem(name: str, expected: str) -> None:
    """The file's shape is checked before its places: one problem naming the file and the fix."""
    err = load_broken(name)
    assert len(err.problems) == 1
    assert name in str(err.problems[0])
    assert expected in str(err.problems[0])


def test_an_unknown_field_names_the_place_and_the_field() -> None:
    """A misspelt or invented field is an error (not silently ignored) naming place and field."""
    err = load_broken("unknown_field.yaml")
    assert [str(p) for p in err.problems] == [
        "unknown_field.yaml: poi 'lake': colour is not a known field "
        "(check its spelling; see configs/README.md)"
    ]
    assert err.problems[0].field == "colour"


def test_bad_opening_hours_name_the_place_and_quote_the_text() -> None:
    """Invalid hours name the place and the field, quote the text and show valid syntax."""
    err = load_broken("bad_hours.yaml")
    (message,) = map(str, err.problems)
    assert message.startswith("bad_hours.yaml: poi 'museum': opening_hours")
    assert '"Tu-Su 9-16"' in message
    assert "Mo-Su 08:00-17:30" in message


@pytest.mark.parametrize(
    ("field", "value", "expected_start"),
    [
        pytest.param("opening_hours", "Mo-Su 8-17", "opening_hours ", id="opening-hours"),
        pytest.param("visit_minutes", 0, "visit_minutes", id="visit-minutes"),
    ],
)
def test_a_field_is_named_once_at_the_start_of_its_problem(
    mini_entries: list[dict[str, Any]], field: str, value: object, expected_start: str
) -> None:
    """Each message reads ``<source>: poi '<id>': <field> <what is wrong>``, the field named once."""
    mini_entries[1][field] = value
    with pytest.raises(ConfigError) as info:
        build_catalog(mini_entries, source="x.yaml")
    (message,) = map(str, info.value.problems)
    rest = message.removeprefix("x.yaml: poi 'lake': ")
    assert rest.startswith(expected_start)
    assert rest.count(field) == 1


def test_a_duplicate_id_names_both_entries() -> None:
    """Ids are unique; a repeated id names the id and both entry numbers."""
    err = load_broken("duplicate_id.yaml")
    (message,) = map(str, err.problems)
    assert "'lake'" in message
    assert "used twice" in message
    assert "#1" in message
    assert "#2" in message


def test_swapped_lon_and_lat_say_swapped() -> None:
    """lon/lat written the wrong way round is reported as possibly swapped, naming the place."""
    err = load_broken("lon_lat_reversed.yaml", check_boundary=True)
    (message,) = map(str, err.problems)
    about = message.removeprefix("lon_lat_reversed.yaml: ")
    assert about.startswith("poi 'lake'")
    assert "swapped" in about


def test_swapped_lon_and_lat_are_rejected_naming_the_place() -> None:
    """Whatever the wording, a swapped point never loads and the problem names place and field."""
    err = load_broken("lon_lat_reversed.yaml", check_boundary=True)
    (message,) = map(str, err.problems)
    assert "poi 'lake'" in message
    assert "lat" in message


def test_every_problem_of_a_file_is_reported_at_once() -> None:
    """Four broken places give one ConfigError with four problems, each naming its place and field."""
    err = load_broken("many_errors.yaml")
    assert len(err.problems) == 4
    expected = {
        "lake": "colour",
        "gorge": "opening_hours",
        "blossom": "popularity",
        "museum": "category",
    }
    for problem, (pid, field) in zip(err.problems, expected.items(), strict=True):
        assert problem.entity == f"many_errors.yaml: poi '{pid}'"
        assert problem.field == field
    assert "station" not in str(err)
    assert str(err).startswith("many_errors.yaml: 4 problems\n")


def test_entries_that_are_not_mappings_are_named_by_number(
    mini_entries: list[dict[str, Any]],
) -> None:
    """An entry that is not a mapping (a stray string) is reported by its position."""
    with pytest.raises(ConfigError, match=r"poi #6: must be a mapping"):
        build_catalog([*mini_entries, "hello"], source="x.yaml")


def test_an_entry_without_a_usable_id_is_named_by_number(
    mini_entries: list[dict[str, Any]],
) -> None:
    """When the id itself is bad, the problem names the entry by number and the field ``id``."""
    mini_entries[0]["id"] = 5
    with pytest.raises(ConfigError) as info:
        build_catalog(mini_entries, source="x.yaml")
    assert [str(p) for p in info.value.problems] == [
        "x.yaml: poi #1: id Input should be a valid string"
    ]


def test_config_error_is_a_value_error_with_a_stable_code() -> None:
    """ConfigError is a ValueError (plain Python handlers catch it) with code ``invalid_config``."""
    err = load_broken("unknown_field.yaml")
    assert isinstance(err, ValueError)
    assert err.code == "invalid_config"


# --------------------------------------------------------------------------- look-up


def test_get_returns_the_place(mini_catalog: Catalog) -> None:
    """``get`` by id returns the validated place."""
    assert mini_catalog.get("museum").opening_hours == "Tu-Su 09:00-16:30"


@pytest.mark.parametrize(
    ("typo", "suggestion"),
    [("lak", "lake"), ("musuem", "museum"), ("blosom", "blossom"), ("statoin", "station")],
)
def test_get_on_a_typo_suggests_the_closest_id(
    mini_catalog: Catalog, typo: str, suggestion: str
) -> None:
    """A mistyped id is a RequestError naming the field and suggesting the closest id."""
    with pytest.raises(RequestError) as info:
        mini_catalog.get(typo, field="must")
    assert info.value.field == "must"
    assert f"unknown place '{typo}'" in str(info.value)
    assert f"did you mean '{suggestion}'" in str(info.value)


def test_get_on_an_unrelated_id_suggests_nothing(mini_catalog: Catalog) -> None:
    """No suggestion when nothing is close; the message still says how to list the places."""
    with pytest.raises(RequestError) as info:
        mini_catalog.get("xyzzy")
    assert info.value.field == "id"
    assert "did you mean" not in str(info.value)
    assert "planner pois list" in str(info.value)


def test_to_geodataframe_is_wgs84_with_one_row_per_place(mini_catalog: Catalog) -> None:
    """The GeoDataFrame is EPSG:4326, one row per place, indexed by id, points at [lon, lat]."""
    gdf = mini_catalog.to_geodataframe()
    assert gdf.crs.to_epsg() == 4326
    assert len(gdf) == len(mini_catalog)
    assert list(gdf.index) == mini_catalog.ids
    lake = gdf.loc["lake"]
    assert (lake.geometry.x, lake.geometry.y) == (117.20, 40.16)
    assert lake["category"] == "lake"


def test_filter_by_interest_keeps_catalogue_order() -> None:
    """filter(interest=...) keeps the places that offer it, in file order."""
    from planner.data.catalog import load_catalog

    cat = load_catalog(Path(__file__).parent / "data" / "mini_pois.yaml", check_boundary=False)
    assert [p.id for p in cat.filter(interest="lake")] == ["lake"]
    assert [p.id for p in cat.filter(interest="hiking", visitable=True)] == ["gorge"]


def test_a_place_is_found_by_its_chinese_or_english_name_or_without_its_suffix():
    """金海湖, 金海湖风景区 and Jinhai Lake Scenic Area all name jinhai-lake; a note in brackets or
    a suffix such as 风景区 may be left off; an unknown name still raises."""
    cat = load_catalog()
    assert cat.get("金海湖").id == "jinhai-lake"
    assert cat.get("jinhai lake scenic area").id == "jinhai-lake"
    assert cat.resolve("平谷汽车站", field="start").id == "pinggu-bus-station"
    assert cat.find_id("京东石林峡") == "shilinxia"
    assert cat.find_id("no such place") is None
    with pytest.raises(RequestError) as info:
        cat.get("金海", field="must")
    assert info.value.text is not None and "金海湖" in info.value.text.zh
    assert "planner pois list" not in info.value.text.zh + info.value.text.en


def test_with_ids_writes_names_as_ids_in_every_field_of_a_request():
    """A request naming places by name becomes one naming them by id, so every door plans it."""
    from planner.model import Pin, TripRequest

    cat = load_catalog()
    req = TripRequest(
        date="2027-04-17",
        start="平谷汽车站",
        must=["金海湖"],
        avoid=["ufo"],
        pins=[Pin(poi_id="京东石林峡")],
    )
    out = cat.with_ids(req)
    assert (out.start, out.must, out.avoid) == ("pinggu-bus-station", ["jinhai-lake"], ["ufo"])
    assert out.pins[0].poi_id == "shilinxia"
