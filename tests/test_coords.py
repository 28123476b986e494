"""Specification of planner.coords: WGS84 <-> GCJ-02 conversions and distances in metres.

Published pairs come from the test suites of two widely used open implementations of the same
public GCJ-02 formula: googollee/eviltransform (``test.py``: Beijing, Shanghai, Shenzhen) and
wandergis/coordtransform (``test/app.js``: the Tiananmen point 116.404, 39.915).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planner.data.coords import (
    CHINA_BOX,
    MEAN_EARTH_RADIUS_M,
    gcj02_to_wgs84,
    haversine_m,
    haversine_matrix_m,
    in_china_box,
    to_utm_m,
    wgs84_to_gcj02,
)

# (wgs_lon, wgs_lat, gcj_lon, gcj_lat), from googollee/eviltransform's test.py.
EVILTRANSFORM_PAIRS = {
    "beijing": (116.377817, 39.911954, 116.38404722455657, 39.91334545536069),
    "shanghai": (121.5272106, 31.1774276, 121.531541859215, 31.17530398364597),
    "shenzhen": (113.912316, 22.543847, 113.9171764808363, 22.540796131694766),
}
# wandergis/coordtransform's example: wgs84togcj02(116.404, 39.915) at Tiananmen.
TIANANMEN_WGS84 = (116.404, 39.915)
TIANANMEN_GCJ02 = (116.41024449916938, 39.91640428150164)
# ... and its one-step (non-iterative) gcj02towgs84(116.404, 39.915).
TIANANMEN_ONE_STEP_WGS84 = (116.39775550083061, 39.91359571849836)

PINGGU_SEAT = (117.1011, 40.1422)
# Bounding box of the district with a margin: lon 116.90-117.45, lat 40.00-40.40.
PINGGU_LONS = np.linspace(116.90, 117.45, 23)
PINGGU_LATS = np.linspace(40.00, 40.40, 17)


@pytest.mark.parametrize("city", sorted(EVILTRANSFORM_PAIRS))
def test_forward_matches_published_city_pairs(city: str) -> None:
    """WGS84 -> GCJ-02 reproduces published pairs to 1e-9 degrees (0.1 mm)."""
    wgs_lon, wgs_lat, gcj_lon, gcj_lat = EVILTRANSFORM_PAIRS[city]
    lon, lat = wgs84_to_gcj02(wgs_lon, wgs_lat)
    assert lon == pytest.approx(gcj_lon, abs=1e-9)
    assert lat == pytest.approx(gcj_lat, abs=1e-9)


def test_forward_matches_published_tiananmen_pair() -> None:
    """The Tiananmen example of wandergis/coordtransform converts to its published GCJ-02 value."""
    lon, lat = wgs84_to_gcj02(*TIANANMEN_WGS84)
    assert lon == pytest.approx(TIANANMEN_GCJ02[0], abs=1e-9)
    assert lat == pytest.approx(TIANANMEN_GCJ02[1], abs=1e-9)


@pytest.mark.parametrize("city", sorted(EVILTRANSFORM_PAIRS))
def test_inverse_recovers_published_wgs84(city: str) -> None:
    """GCJ-02 -> WGS84 of a published GCJ-02 value lands within 1 cm of its WGS84 original."""
    wgs_lon, wgs_lat, gcj_lon, gcj_lat = EVILTRANSFORM_PAIRS[city]
    lon, lat = gcj02_to_wgs84(gcj_lon, gcj_lat)
    assert haversine_m(lon, lat, wgs_lon, wgs_lat) < 0.01


def test_iterative_inverse_beats_the_one_step_inverse() -> None:
    """The iterative inverse maps back onto its input within 1 mm; the common one-step one does not.

    The published one-step result for Tiananmen is off by centimetres; ours is a fixed point.
    """
    ours = gcj02_to_wgs84(*TIANANMEN_WGS84)
    ours_error_m = haversine_m(*wgs84_to_gcj02(*ours), *TIANANMEN_WGS84)
    one_step_error_m = haversine_m(*wgs84_to_gcj02(*TIANANMEN_ONE_STEP_WGS84), *TIANANMEN_WGS84)
    assert ours_error_m < 0.001
    assert one_step_error_m > 0.01
    assert haversine_m(*ours, *TIANANMEN_ONE_STEP_WGS84) < 1.0


@pytest.mark.parametrize(("lon", "lat"), [TIANANMEN_WGS84, PINGGU_SEAT])
def test_forward_offset_in_beijing_is_a_few_hundred_metres(lon: float, lat: float) -> None:
    """In Beijing and Pinggu a GCJ-02 point lies 300-600 m from its WGS84 position."""
    assert 300.0 < haversine_m(lon, lat, *wgs84_to_gcj02(lon, lat)) < 600.0


def test_round_trip_on_a_grid_over_pinggu_is_well_under_a_metre() -> None:
    """On a 23 x 17 grid over Pinggu both round trips return within 1 cm (required: < 1 m)."""
    lons, lats = (a.ravel() for a in np.meshgrid(PINGGU_LONS, PINGGU_LATS))
    back_lons, back_lats = gcj02_to_wgs84(*wgs84_to_gcj02(lons, lats))
    wgs_errors = [haversine_m(*p) for p in zip(lons, lats, back_lons, back_lats, strict=True)]
    again_lons, again_lats = wgs84_to_gcj02(*gcj02_to_wgs84(lons, lats))
    gcj_errors = [haversine_m(*p) for p in zip(lons, lats, again_lons, again_lats, strict=True)]
    assert max(wgs_errors) < 0.01
    assert max(gcj_errors) < 0.01


@settings(max_examples=300, deadline=None)
@given(
    lon=st.floats(min_value=73.5, max_value=135.1),
    lat=st.floats(min_value=18.1, max_value=53.6),
)
def test_round_trip_anywhere_in_mainland_china_is_well_under_a_metre(
    lon: float, lat: float
) -> None:
    """For any point of mainland China's extent, WGS84 -> GCJ-02 -> WGS84 returns within 1 cm."""
    back = gcj02_to_wgs84(*wgs84_to_gcj02(lon, lat))
    assert haversine_m(lon, lat, *back) < 0.01


@pytest.mark.parametrize(
    ("lon", "lat"),
    [(-0.1276, 51.5072), (151.2093, -33.8688), (-74.006, 40.7128), (0.0, 0.0), (71.0, 40.0)],
    ids=["london", "sydney", "new-york", "null-island", "west-of-box"],
)
def test_conversions_are_identity_outside_the_china_box(lon: float, lat: float) -> None:
    """Outside CHINA_BOX neither conversion moves a point."""
    assert not in_china_box(lon, lat)
    assert wgs84_to_gcj02(lon, lat) == (lon, lat)
    assert gcj02_to_wgs84(lon, lat) == (lon, lat)


def test_china_box_is_the_documented_rough_box() -> None:
    """The box is (72.004, 0.8293, 137.8347, 55.8271) and contains Pinggu."""
    assert CHINA_BOX == (72.004, 0.8293, 137.8347, 55.8271)
    assert in_china_box(*PINGGU_SEAT)


def test_scalar_input_gives_floats_and_arrays_give_arrays_of_the_same_shape() -> None:
    """A float pair returns a float pair; arrays return arrays matching the scalar results."""
    lon, lat = wgs84_to_gcj02(*PINGGU_SEAT)
    assert type(lon) is float and type(lat) is float
    lons = np.array([[PINGGU_SEAT[0], -0.1276], [116.404, 121.5]])
    lats = np.array([[PINGGU_SEAT[1], 51.5072], [39.915, 31.2]])
    for convert in (wgs84_to_gcj02, gcj02_to_wgs84):
        out_lons, out_lats = convert(lons, lats)
        assert out_lons.shape == out_lats.shape == (2, 2)
        for i, j in np.ndindex(2, 2):
            assert (out_lons[i, j], out_lats[i, j]) == pytest.approx(
                convert(float(lons[i, j]), float(lats[i, j])), abs=1e-12
            )


def test_inverse_warns_when_it_runs_out_of_iterations() -> None:
    """With too few iterations the inverse warns rather than silently returning a rough value."""
    with pytest.warns(RuntimeWarning, match="did not converge"):
        gcj02_to_wgs84(*PINGGU_SEAT, max_iter=1)
    with pytest.raises(ValueError, match="max_iter"):
        gcj02_to_wgs84(*PINGGU_SEAT, max_iter=0)


def test_one_degree_of_latitude_is_about_111_2_km() -> None:
    """On the mean-radius sphere one degree of latitude is 111,195 m, anywhere."""
    assert haversine_m(117.0, 40.0, 117.0, 41.0) == pytest.approx(111_195.08, abs=0.01)
    assert haversine_m(0.0, -0.5, 0.0, 0.5) == pytest.approx(111_195.08, abs=0.01)


def test_beijing_to_shanghai_is_about_1067_km() -> None:
    """City centre to city centre, Beijing-Shanghai is about 1,067 km as the crow flies."""
    beijing, shanghai = (116.4074, 39.9042), (121.4737, 31.2304)
    assert haversine_m(*beijing, *shanghai) == pytest.approx(1_067_000, abs=5_000)


def test_haversine_is_zero_symmetric_and_bounded_by_half_the_circumference() -> None:
    """Distance to self is 0, swapping ends changes nothing, antipodes are pi * R apart."""
    assert haversine_m(*PINGGU_SEAT, *PINGGU_SEAT) == 0.0
    there, back = haversine_m(117.1, 40.1, 116.4, 39.9), haversine_m(116.4, 39.9, 117.1, 40.1)
    assert there == pytest.approx(back, rel=1e-12)
    assert haversine_m(0.0, 0.0, 180.0, 0.0) == pytest.approx(math.pi * MEAN_EARTH_RADIUS_M)


def test_haversine_matrix_is_the_pairwise_haversine() -> None:
    """The matrix is symmetric, zero on the diagonal, and entry [i, j] is haversine_m(i, j)."""
    lons = [117.1011, 116.4338, 121.4737, 117.2]
    lats = [40.1422, 39.9411, 31.2304, 40.3]
    matrix = haversine_matrix_m(lons, lats)
    assert matrix.shape == (4, 4)
    assert np.all(np.diag(matrix) == 0.0)
    np.testing.assert_allclose(matrix, matrix.T, rtol=1e-12)
    for i, j in np.ndindex(4, 4):
        assert matrix[i, j] == pytest.approx(haversine_m(lons[i], lats[i], lons[j], lats[j]))
    with pytest.raises(ValueError, match="1-D"):
        haversine_matrix_m(np.zeros((2, 2)), np.zeros((2, 2)))


def test_utm_50n_is_metric_and_centred_on_117_east() -> None:
    """117°E maps to easting 500 km; UTM lengths in Pinggu agree with haversine within 0.5 %."""
    x, _ = to_utm_m([117.0, 117.0], [40.0, 40.2])
    assert x[0] == pytest.approx(500_000.0, abs=1e-6)
    seat, northeast = PINGGU_SEAT, (117.35, 40.35)
    xs, ys = to_utm_m([seat[0], northeast[0]], [seat[1], northeast[1]])
    planar_m = math.hypot(xs[1] - xs[0], ys[1] - ys[0])
    assert planar_m == pytest.approx(haversine_m(*seat, *northeast), rel=0.005)
