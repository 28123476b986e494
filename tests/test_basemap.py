"""Specification of the offline base map taken from an OSM extract (planner.travel.basemap):
lakes and reservoirs, rivers, the Great Wall and towns, kept when big or named enough to show,
written beside the road network by ``planner geodata build`` and drawn by the map."""

from __future__ import annotations

from pathlib import Path

import pytest
from osm_features import OsmDraft, at, offset, square
from typer.testing import CliRunner

from planner.cli.geodata import geodata_app
from planner.data.basemap import pinggu_frame
from planner.travel.basemap import build_basemap, find_basemap, load_basemap, save_basemap
from webapp import maps


def draft() -> OsmDraft:
    d = OsmDraft()
    town = at("pinggu-bus-station")
    d.line(
        [offset(town, -3000, 500), offset(town, 0, 0), offset(town, 4000, -800)],
        waterway="river",
        name="泃河",
        **{"name:en": "Ju River"},
    )
    d.line(
        [offset(town, 0, 300), offset(town, 200, 900)], waterway="stream"
    )  # unnamed stream: left out
    d.area(
        square(offset(at("jinhai-lake"), 0, 0), 500),
        natural="water",
        water="reservoir",
        name="金海湖",
    )
    d.area(square(offset(town, 800, 800), 20), natural="water")  # a pond: too small to show
    d.node(town, place="town", name="平谷镇", **{"name:en": "Pinggu Town"})
    d.node(at("guajiayu"), place="village", name="挂甲峪村")
    d.line(
        [offset(at("bolitai-great-wall"), -600, 0), offset(at("bolitai-great-wall"), 700, 100)],
        historic="citywalls",
        name="明长城",
    )
    d.node(offset(town, 50, 50), amenity="bench")  # nothing for a base map
    d.line([offset(town, -500, -500), offset(town, 2500, -500)], highway="primary", name="平谷大街")
    return d


@pytest.fixture
def extract(tmp_path: Path) -> Path:
    return draft().write_pbf(tmp_path / "pinggu.osm.pbf")


def test_the_base_map_keeps_what_a_district_map_can_show(extract):
    collection = build_basemap(osm_file=extract, frame=pinggu_frame().bounds)
    by_layer: dict[str, list[str]] = {}
    for f in collection["features"]:
        by_layer.setdefault(f["properties"]["layer"], []).append(f["properties"]["name"])
    assert by_layer == {
        "water": ["金海湖"],
        "rivers": ["泃河"],
        "walls": ["明长城"],
        "towns": ["平谷镇", "挂甲峪村"],
    }
    assert collection["properties"]["licence"].startswith("© OpenStreetMap contributors")
    assert collection["properties"]["source"] == {"kind": "file", "name": "pinggu.osm.pbf"}


def test_the_newest_base_map_is_found_and_drawn(extract, tmp_path):
    path = save_basemap(
        build_basemap(osm_file=extract, frame=pinggu_frame().bounds), tmp_path / "geo"
    )
    assert find_basemap([tmp_path / "geo"]) == path and path.name.startswith("basemap.v1.")
    features = load_basemap(path)["features"]
    layer = maps.base_layer("en", features)
    assert layer is not None
    assert len(layer["water"]) == 1 and len(layer["lines"]) == 2
    assert {t["name"] for t in layer["towns"]} == {"Pinggu Town", "挂甲峪村"}  # no English: Chinese
    assert [line["dashed"] for line in layer["lines"]] == [False, True]  # the wall dashed
    assert maps.base_layer("en", None)["key"] != layer["key"]


def test_geodata_build_writes_the_base_map_beside_the_network(extract, tmp_path):
    out = tmp_path / "geodata"
    result = CliRunner().invoke(
        geodata_app, ["build", "--osm-file", str(extract), "--output", str(out), "--modes", "car"]
    )
    assert result.exit_code == 0, result.output
    assert "base map basemap.v1." in result.output
    assert find_basemap([out]) is not None and list(out.glob("roads.v1.*.npz"))


def test_a_missing_file_is_refused_naming_the_option(tmp_path):
    from planner.errors import RequestError

    with pytest.raises(RequestError, match="--osm-file"):
        build_basemap(osm_file=tmp_path / "nope.osm.pbf", frame=pinggu_frame().bounds)


def test_a_built_network_draws_its_roads_by_class(tmp_path):
    """Minor (tertiary, unclassified) and main (secondary) roads in their own styles; residential
    lanes are not drawn at district scale; the layer is keyed by the network's content."""
    from osm_scenarios import (
        VALLEY,
        scenario_road_settings,
        scenario_travel_settings,
        write_osm_xml,
    )

    from planner.model import Mode
    from planner.travel.build import build_network
    from planner.travel.roads import RoadTravelTimes

    settings = scenario_road_settings()
    network = build_network(
        settings=settings, osm_file=write_osm_xml(VALLEY, tmp_path / "v.osm"), modes=[Mode.car]
    )
    layer = maps.roads_layer(
        RoadTravelTimes(network, scenario_travel_settings(), snap=settings.snap)
    )
    assert layer is not None and layer["key"] == f"roads-{network.short_hash}"
    classes = {c["name"]: c for c in layer["classes"]}
    assert set(classes) == {"minor", "main"}
    assert classes["main"]["width"] > classes["minor"]["width"]
    assert len(classes["main"]["lines"]) >= 1
