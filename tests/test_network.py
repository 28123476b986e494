"""Building road networks through osmnx from synthetic OSM files, and the artifact they make.

Every test builds from files the tests write (see ``osm_scenarios.py``); none touches the network.
"""

from __future__ import annotations

import bz2
import json
from pathlib import Path

import numpy as np
import osmnx as ox
import pytest
from osm_scenarios import (
    VALLEY,
    Scenario,
    scenario_road_settings,
    write_osm_pbf,
    write_osm_xml,
)
from shapely.geometry import Polygon, box

from planner.errors import ConfigError, RequestError
from planner.model import Mode
from planner.travel.build import OsmnxOptions, build_network, network_from_graphs, osmnx_settings
from planner.travel.network import (
    find_network,
    load_network,
    load_road_settings,
    read_manifest,
    save_network,
)


@pytest.fixture(scope="module")
def valley_osm(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_osm_xml(VALLEY, tmp_path_factory.mktemp("osm") / "valley.osm")


@pytest.fixture(scope="module")
def valley(valley_osm: Path):
    return build_network(settings=scenario_road_settings(), osm_file=valley_osm)


def test_bundled_roads_yaml_is_valid_and_covers_every_mode() -> None:
    """configs/roads.yaml loads, and gives every travel mode a network and speeds."""
    settings = load_road_settings()
    assert set(settings.modes) == set(Mode)
    assert settings.modes[Mode.car].network == "drive"
    assert settings.modes[Mode.bicycle].network == "bike"
    assert settings.modes[Mode.walk].network == "walk"


def test_bad_roads_yaml_reports_every_problem(tmp_path: Path) -> None:
    """A roads.yaml with several mistakes is rejected with one message per mistake."""
    bad = tmp_path / "roads.yaml"
    bad.write_text(
        "snap: {report_m: -1, outside_m: 10, walk_kmh: 4, detour_factor: 1}\n"
        "modes: {car: {network: rail, use_maxspeed: true, max_kmh: 100,"
        " intersection_penalty_s: 0, fallback_kmh: 30, highway_kmh: {}}}\nspeed: 3\n"
    )
    with pytest.raises(ConfigError) as err:
        load_road_settings(bad)
    assert len(err.value.problems) == 3
    assert any("snap.report_m" in str(p) for p in err.value.problems)
    assert any("modes.car.network" in str(p) for p in err.value.problems)


def test_valley_keeps_roads_drops_the_island_and_the_river(valley) -> None:
    """The osmnx path keeps the 9 grid junctions and corners, drops the 2-node island (largest
    strongly connected component) and never turns the river into an edge."""
    drive = valley.manifest["networks"]["drive"]
    assert drive["nodes"] == 9
    assert drive["dropped_nodes"] == 2
    # 12 two-way road segments minus the 2 one-way ones: 10 x 2 + 2 = 22 directed edges
    assert drive["edges"] == 22
    assert drive["modes"] == ["bus", "car"]
    # walking ignores oneway: the lane is walkable both ways
    assert valley.manifest["networks"]["walk"]["edges"] == 24
    classes = valley.manifest["highway_classes"]
    assert "river" not in classes and set(classes) >= {"secondary", "tertiary", "residential"}
    assert valley.manifest["source"]["kind"] == "osm-file"
    assert "OpenStreetMap" in valley.manifest["attribution"]


def test_node_spacing_zero_simplifies_corners_away(valley_osm: Path) -> None:
    """Without node spacing, osmnx's simplification merges the four degree-2 corners."""
    net = build_network(settings=scenario_road_settings(node_spacing_m=0), osm_file=valley_osm)
    assert net.manifest["networks"]["drive"]["nodes"] == 5


def test_pbf_and_bz2_give_the_same_artifact_as_xml(valley, tmp_path: Path) -> None:
    """A .osm.pbf written by pyosmium and a .osm.bz2 of the same data build the same network
    (same content hash): every file format ends in the same builder."""
    pbf = write_osm_pbf(VALLEY, tmp_path / "valley.osm.pbf")
    xml = write_osm_xml(VALLEY, tmp_path / "v.osm")
    zipped = tmp_path / "valley.osm.bz2"
    zipped.write_bytes(bz2.compress(xml.read_bytes()))
    settings = scenario_road_settings()
    assert build_network(settings=settings, osm_file=pbf).hash == valley.hash
    assert build_network(settings=settings, osm_file=zipped).hash == valley.hash


def test_graphml_input_builds_the_same_roads(valley_osm: Path, tmp_path: Path) -> None:
    """A GraphML file saved by osmnx builds a network with the same junctions and edges."""
    graph = ox.graph_from_xml(valley_osm, simplify=False, retain_all=True)
    # keep only the roads (graph_from_xml reads every way, the river too)
    graph.remove_edges_from(
        [(u, v, k) for u, v, k, d in graph.edges(keys=True, data=True) if "highway" not in d]
    )
    path = tmp_path / "valley.graphml"
    ox.io.save_graphml(graph, path)
    net = build_network(settings=scenario_road_settings(), graphml=path, modes=[Mode.car])
    assert net.manifest["networks"]["drive"]["nodes"] == 9
    assert net.manifest["source"]["kind"] == "graphml"


@pytest.mark.parametrize(
    ("name", "content"),
    [("junk.osm", b"hello, not xml"), ("junk.osm.pbf", bytes(range(256)) * 4)],
)
def test_a_file_that_is_not_osm_is_a_clear_error(tmp_path: Path, name: str, content: bytes) -> None:
    """Text or bytes that are not OSM data fail with one message naming --osm-file and the fix."""
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ConfigError, match=r"--osm-file: .* is not OSM data .*\.osm\.pbf"):
        build_network(settings=scenario_road_settings(), osm_file=path)


def test_a_missing_file_names_the_option(tmp_path: Path) -> None:
    """A path that does not exist is a RequestError on --osm-file."""
    with pytest.raises(RequestError, match="--osm-file"):
        build_network(settings=scenario_road_settings(), osm_file=tmp_path / "nope.osm.pbf")


def test_a_file_with_no_roads_is_a_clear_error(tmp_path: Path) -> None:
    """An OSM file with only a river has no roads: say so, naming --osm-file."""
    rivers = Scenario(drawing="a---b", ways=[("ab", {"waterway": "river"})])
    path = write_osm_xml(rivers, tmp_path / "river.osm")
    with pytest.raises(RequestError, match=r"--osm-file: river.osm has no \w+ roads"):
        build_network(settings=scenario_road_settings(), osm_file=path)


def test_a_boundary_with_no_roads_inside_is_a_clear_error(valley_osm: Path) -> None:
    """Clipping to an area the file does not cover leaves no roads: a RequestError, not a crash."""
    far_away = box(116.0, 39.0, 116.01, 39.01)
    with pytest.raises(RequestError, match=r"no \w+ roads inside the boundary"):
        build_network(settings=scenario_road_settings(), osm_file=valley_osm, boundary=far_away)


def test_boundary_clips_the_network(valley_osm: Path) -> None:
    """With a boundary around the northern row only (buffer 0), only that row is kept."""
    settings = scenario_road_settings().model_copy(update={"boundary_buffer_m": 0})
    a, c = VALLEY.lonlat("a"), VALLEY.lonlat("c")
    north = box(a[0] - 0.001, a[1] - 0.001, c[0] + 0.001, c[1] + 0.001)
    net = build_network(settings=settings, osm_file=valley_osm, boundary=north, modes=[Mode.car])
    lat = net.array("drive", "node_lat")
    # a, b, c and, kept by truncate_by_edge, their neighbours one row south
    assert len(lat) <= 6 and lat.max() == pytest.approx(a[1])
    assert net.manifest["clipped"] is True


def test_a_place_that_cannot_be_geocoded_is_a_clear_error(monkeypatch, tmp_path: Path) -> None:
    """osmnx's geocoding error becomes one line on --place that suggests the fix (no network:
    the osmnx call is replaced)."""

    def no_result(query: str):
        raise ox._errors.InsufficientResponseError("Nominatim geocoder returned 0 results")

    monkeypatch.setattr(ox, "geocode_to_gdf", no_result)
    with pytest.raises(RequestError, match=r"--place: 'Atlantis' cannot be geocoded"):
        build_network(
            settings=scenario_road_settings(),
            place="Atlantis",
            osmnx_options=OsmnxOptions(cache_folder=tmp_path),
        )


def test_offline_download_says_to_use_a_file(monkeypatch, tmp_path: Path) -> None:
    """With no internet the online build fails with advice to use --osm-file."""
    import requests

    def offline(query: str):
        raise requests.ConnectionError("no route to host")

    monkeypatch.setattr(ox, "geocode_to_gdf", offline)
    with pytest.raises(RequestError, match="use --osm-file"):
        build_network(
            settings=scenario_road_settings(),
            place="Pinggu District, Beijing, China",
            osmnx_options=OsmnxOptions(cache_folder=tmp_path),
        )


def test_online_build_uses_the_buffered_place_polygon_and_the_project_cache(
    monkeypatch, valley_osm: Path, tmp_path: Path
) -> None:
    """The online path geocodes, downloads each network type inside the buffered polygon with
    osmnx's cache pointed at the given folder, and ends in the same builder (osmnx's download
    is replaced by the local file)."""
    import geopandas as gpd

    seen: dict[str, object] = {}
    area = Polygon([(117.09, 40.11), (117.14, 40.11), (117.14, 40.15), (117.09, 40.15)])

    def geocode(query: str):
        return gpd.GeoDataFrame(geometry=[area], crs="EPSG:4326")

    def download(polygon, *, network_type: str, **kwargs):
        seen["cache"] = ox.settings.cache_folder
        seen["contains"] = polygon.contains(area)
        graph = ox.graph_from_xml(valley_osm, simplify=False, retain_all=True)
        graph.remove_edges_from(
            [(u, v, k) for u, v, k, d in graph.edges(keys=True, data=True) if "highway" not in d]
        )
        return graph

    monkeypatch.setattr(ox, "geocode_to_gdf", geocode)
    monkeypatch.setattr(ox, "graph_from_polygon", download)
    before = ox.settings.cache_folder
    net = build_network(
        settings=scenario_road_settings(),
        place="Valley",
        modes=[Mode.car],
        osmnx_options=OsmnxOptions(cache_folder=tmp_path / "osmnx"),
    )
    assert seen == {"cache": str(tmp_path / "osmnx"), "contains": True}
    assert ox.settings.cache_folder == before  # restored after the build
    assert net.manifest["source"]["kind"] == "place"
    assert net.manifest["networks"]["drive"]["nodes"] == 9


def test_osmnx_settings_are_applied_only_inside_the_block(tmp_path: Path) -> None:
    """osmnx settings come from the options object and are restored afterwards."""
    before = (ox.settings.cache_folder, ox.settings.use_cache)
    with osmnx_settings(OsmnxOptions(cache_folder=tmp_path, use_cache=False)):
        assert ox.settings.cache_folder == str(tmp_path)
        assert ox.settings.use_cache is False
    assert (ox.settings.cache_folder, ox.settings.use_cache) == before


def test_artifact_round_trip_keeps_arrays_and_hash(valley, tmp_path: Path) -> None:
    """Saving and loading an artifact keeps every array and the content hash, which the file
    name carries."""
    path = save_network(valley, tmp_path)
    assert path.name == f"roads.v1.{valley.short_hash}.npz"
    loaded = load_network(path, verify=True)
    assert loaded.hash == valley.hash
    assert set(loaded.arrays) == set(valley.arrays)
    for name, array in valley.arrays.items():
        np.testing.assert_array_equal(loaded.arrays[name], array)


def test_the_hash_changes_with_the_speeds(valley_osm: Path, valley) -> None:
    """Different speeds make a different network version (every downstream cache key changes)."""
    other = build_network(settings=scenario_road_settings(car_penalty_s=5), osm_file=valley_osm)
    assert other.hash != valley.hash


def test_a_damaged_artifact_fails_verification(valley, tmp_path: Path) -> None:
    """An artifact whose arrays were edited no longer matches its hash: refused on verify."""
    arrays = dict(valley.arrays)
    arrays["drive.edge_m"] = arrays["drive.edge_m"] * 2
    tampered = type(valley)(manifest=valley.manifest, arrays=arrays)
    path = save_network(tampered, tmp_path)
    with pytest.raises(ConfigError, match="does not match"):
        load_network(path, verify=True)


def test_find_network_takes_the_newest_and_skips_junk(valley, tmp_path: Path) -> None:
    """The planner finds the newest artifact by itself; files that are not artifacts are skipped."""
    assert find_network([tmp_path]) is None
    (tmp_path / "roads.v1.000000000000.npz").write_bytes(b"not a zip")
    old = save_network(valley, tmp_path)
    newer_manifest = dict(valley.manifest, created_utc="2999-01-01T00:00:00+00:00", hash="f" * 64)
    newer = save_network(type(valley)(manifest=newer_manifest, arrays=valley.arrays), tmp_path)
    assert find_network([tmp_path / "missing", tmp_path]) == newer
    assert read_manifest(old)["hash"] == valley.hash


def test_a_non_artifact_is_refused(tmp_path: Path) -> None:
    """An .npz without the manifest is not an artifact: ConfigError with the fix."""
    path = tmp_path / "x.npz"
    np.savez(path, a=np.zeros(3))
    with pytest.raises(ConfigError, match="rebuild it"):
        read_manifest(path)
    wrong = tmp_path / "y.npz"
    np.savez(wrong, manifest=np.array(json.dumps({"format": "pinggu-roads", "version": 99})))
    with pytest.raises(ConfigError, match="v99"):
        read_manifest(wrong)


def test_the_one_builder_accepts_any_osmnx_graph(valley_osm: Path) -> None:
    """network_from_graphs is the single builder: a raw osmnx graph in, an artifact out."""
    graph = ox.graph_from_xml(valley_osm, simplify=False, retain_all=True)
    graph.remove_edges_from(
        [(u, v, k) for u, v, k, d in graph.edges(keys=True, data=True) if "highway" not in d]
    )
    net = network_from_graphs(
        {"walk": graph},
        settings=scenario_road_settings(),
        modes=[Mode.walk],
        clip=None,
        source={"kind": "test"},
    )
    assert net.network_of(Mode.walk) == "walk"
    assert net.network_of(Mode.car) is None
