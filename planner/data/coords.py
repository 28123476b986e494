"""Coordinate systems, conversions and distances for places in and around Pinggu.

Conventions
-----------
* **WGS84 is the project's coordinate system** (EPSG:4326, the system of OpenStreetMap and GPS).
  Every coordinate inside the planner is WGS84 ``lon``/``lat`` in degrees, pairs as ``[lon, lat]``.
* **GCJ-02** ("Mars coordinates") is the obfuscated system that Chinese map services use by law:
  Amap/Gaode, Tencent Maps and the China edition of Google Maps (Baidu adds a further offset,
  BD-09, not handled here). A point copied from such an app, or a dataset traced to AMap, is
  GCJ-02. In Pinggu the GCJ-02 position of a place lies about 500 m from its WGS84 position
  (roughly 0.006° east and 0.001° north), enough to put a place on the wrong road or village.
* **Convert explicitly at the edges**: data enters in WGS84 or is converted once, on import,
  with :func:`gcj02_to_wgs84`; results that a Chinese map app will display are converted on the
  way out with :func:`wgs84_to_gcj02`. Nothing in the core guesses which system a number is in.
* Distances are metres: :func:`haversine_m` and :func:`haversine_matrix_m` on a sphere of mean
  Earth radius (error up to about 0.5 %, fine for travel estimates), and :func:`to_utm_m` for
  planar geometry in metres (UTM zone 50N, EPSG:32650, whose central meridian 117°E runs through
  Pinggu, so lengths there are true to about 0.04 %).

The GCJ-02 forward formula is the one published by reverse engineering and used by every open
implementation: a polynomial-plus-sines offset in metres, scaled to degrees on the Krasovsky 1940
ellipsoid. Its inverse has no closed form; :func:`gcj02_to_wgs84` solves it by fixed-point
iteration, accurate to about a centimetre (the common one-step inverse is only accurate to 1-2 m).

The conversions accept a scalar pair (and return a pair of ``float``) or arrays of any matching
shape (and return a pair of float arrays of that shape).
"""

from __future__ import annotations

import math
import warnings
from functools import lru_cache
from typing import Final, overload

import numpy as np
import pyproj
from numpy.typing import ArrayLike, NDArray

FloatArray = NDArray[np.float64]

KRASOVSKY_A_M: Final = 6378245.0
"""Semi-major axis of the Krasovsky 1940 ellipsoid, in metres, as used by GCJ-02."""
KRASOVSKY_EE: Final = 0.00669342162296594323
"""First eccentricity squared of the Krasovsky 1940 ellipsoid, as used by GCJ-02."""

CHINA_BOX: Final = (72.004, 0.8293, 137.8347, 55.8271)
"""Rough bounding box ``(min_lon, min_lat, max_lon, max_lat)`` in which GCJ-02 is applied.

This is the box every open GCJ-02 implementation uses. It is deliberately rough: it covers all of
mainland China but also neighbours (Mongolia, the Koreas, Japan's west, much of South-East Asia),
where the formula is applied too. Outside it both conversions are the identity. Pinggu
(about 116.9-117.4°E, 40.0-40.4°N) is far inside it.
"""

MEAN_EARTH_RADIUS_M: Final = 6_371_008.8
"""Mean Earth radius (IUGG, ``R1`` of WGS84), in metres, for great-circle distances."""

UTM_50N_EPSG: Final = 32650
"""EPSG code of WGS84 / UTM zone 50N, the projected CRS for metre geometry in Pinggu."""

INVERSE_TOLERANCE_DEG: Final = 1e-7
"""Default stopping step of :func:`gcj02_to_wgs84`, in degrees (about 1 cm)."""
INVERSE_MAX_ITERATIONS: Final = 30
"""Default iteration cap of :func:`gcj02_to_wgs84`; in practice 3-4 iterations suffice."""


def in_china_box(lon: ArrayLike, lat: ArrayLike) -> NDArray[np.bool_]:
    """Tell which points lie inside :data:`CHINA_BOX`, where GCJ-02 differs from WGS84.

    Parameters
    ----------
    lon, lat
        Longitudes and latitudes in degrees (scalars or arrays of matching shape).

    Returns
    -------
    numpy.ndarray
        Boolean array (0-d for scalar input): True where the GCJ-02 offset applies.
    """
    lon_a = np.asarray(lon, dtype=np.float64)
    lat_a = np.asarray(lat, dtype=np.float64)
    min_lon, min_lat, max_lon, max_lat = CHINA_BOX
    return (lon_a >= min_lon) & (lon_a <= max_lon) & (lat_a >= min_lat) & (lat_a <= max_lat)


def _gcj02_offset_deg(lon: FloatArray, lat: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Return the GCJ-02 offset ``(dlon, dlat)`` in degrees at WGS84 points, zero outside the box.

    The offset is defined as a distortion in metres of a point shifted to (105°E, 35°N), turned
    into degrees with the Krasovsky meridian and parallel radii of curvature at ``lat``.
    """
    x = lon - 105.0
    y = lat - 35.0
    pi = math.pi
    # Terms shared by both components: a sine ripple in x.
    ripple = (20.0 * np.sin(6.0 * pi * x) + 20.0 * np.sin(2.0 * pi * x)) * 2.0 / 3.0
    north_m = (
        -100.0
        + 2.0 * x
        + 3.0 * y
        + 0.2 * y * y
        + 0.1 * x * y
        + 0.2 * np.sqrt(np.abs(x))
        + ripple
        + (20.0 * np.sin(pi * y) + 40.0 * np.sin(pi * y / 3.0)) * 2.0 / 3.0
        + (160.0 * np.sin(pi * y / 12.0) + 320.0 * np.sin(pi * y / 30.0)) * 2.0 / 3.0
    )
    east_m = (
        300.0
        + x
        + 2.0 * y
        + 0.1 * x * x
        + 0.1 * x * y
        + 0.1 * np.sqrt(np.abs(x))
        + ripple
        + (20.0 * np.sin(pi * x) + 40.0 * np.sin(pi * x / 3.0)) * 2.0 / 3.0
        + (150.0 * np.sin(pi * x / 12.0) + 300.0 * np.sin(pi * x / 30.0)) * 2.0 / 3.0
    )
    phi = np.radians(lat)
    w = 1.0 - KRASOVSKY_EE * np.sin(phi) ** 2
    meridian_radius = KRASOVSKY_A_M * (1.0 - KRASOVSKY_EE) / (w * np.sqrt(w))
    parallel_radius = KRASOVSKY_A_M / np.sqrt(w) * np.cos(phi)
    inside = in_china_box(lon, lat)
    dlat = np.where(inside, np.degrees(north_m / meridian_radius), 0.0)
    dlon = np.where(inside, np.degrees(east_m / parallel_radius), 0.0)
    return dlon, dlat


def _as_float_arrays(lon: ArrayLike, lat: ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Broadcast inputs to float64 arrays of one shape, rejecting mismatched shapes."""
    lon_a, lat_a = np.broadcast_arrays(
        np.asarray(lon, dtype=np.float64), np.asarray(lat, dtype=np.float64)
    )
    return lon_a, lat_a


def _like_input(
    lon: FloatArray, lat: FloatArray
) -> tuple[float, float] | tuple[FloatArray, FloatArray]:
    """Return plain floats for 0-d results and arrays otherwise."""
    if lon.ndim == 0:
        return float(lon), float(lat)
    return lon, lat


@overload
def wgs84_to_gcj02(lon: float, lat: float) -> tuple[float, float]: ...
@overload
def wgs84_to_gcj02(
    lon: FloatArray | list[float], lat: FloatArray | list[float]
) -> tuple[FloatArray, FloatArray]: ...
def wgs84_to_gcj02(
    lon: float | FloatArray | list[float], lat: float | FloatArray | list[float]
) -> tuple[float, float] | tuple[FloatArray, FloatArray]:
    """Convert WGS84 coordinates to GCJ-02, for display in Amap/Gaode or Tencent Maps.

    Parameters
    ----------
    lon, lat
        WGS84 longitude and latitude in degrees: two floats or two arrays of matching shape.

    Returns
    -------
    tuple
        GCJ-02 ``(lon, lat)`` in degrees, floats for float input and arrays otherwise. Points
        outside :data:`CHINA_BOX` are returned unchanged.
    """
    lon_a, lat_a = _as_float_arrays(lon, lat)
    dlon, dlat = _gcj02_offset_deg(lon_a, lat_a)
    return _like_input(lon_a + dlon, lat_a + dlat)


@overload
def gcj02_to_wgs84(
    lon: float, lat: float, *, tol_deg: float = ..., max_iter: int = ...
) -> tuple[float, float]: ...
@overload
def gcj02_to_wgs84(
    lon: FloatArray | list[float],
    lat: FloatArray | list[float],
    *,
    tol_deg: float = ...,
    max_iter: int = ...,
) -> tuple[FloatArray, FloatArray]: ...
def gcj02_to_wgs84(
    lon: float | FloatArray | list[float],
    lat: float | FloatArray | list[float],
    *,
    tol_deg: float = INVERSE_TOLERANCE_DEG,
    max_iter: int = INVERSE_MAX_ITERATIONS,
) -> tuple[float, float] | tuple[FloatArray, FloatArray]:
    """Convert GCJ-02 coordinates (from Chinese map apps, AMap data) to WGS84, by iteration.

    The forward map ``F(w) = w + offset(w)`` has no closed-form inverse. Its offset changes by
    only a few metres per kilometre, so the fixed-point iteration ``w <- w - (F(w) - g)``,
    started at ``w = g``, contracts fast: each step shrinks the error by a factor of over 1000
    (about 2800 in Pinggu), and 3-4 steps reach ``tol_deg``. Stopping when the largest step is
    below ``tol_deg`` leaves an error far below it: the result maps back to ``g`` within about a
    millimetre.

    Parameters
    ----------
    lon, lat
        GCJ-02 longitude and latitude in degrees: two floats or two arrays of matching shape.
    tol_deg
        Stop when no point moved by more than this many degrees in the last step
        (default 1e-7°, about 1 cm).
    max_iter
        Give up after this many steps, with a :class:`RuntimeWarning`. Only points within a
        few hundred metres of the edge of :data:`CHINA_BOX` (far from China itself), where the
        forward map jumps, can fail to converge; they keep their last estimate.

    Returns
    -------
    tuple
        WGS84 ``(lon, lat)`` in degrees, floats for float input and arrays otherwise. Points
        outside :data:`CHINA_BOX` are returned unchanged.
    """
    if max_iter < 1:
        raise ValueError(f"max_iter must be at least 1, got {max_iter}")
    g_lon, g_lat = _as_float_arrays(lon, lat)
    largest = math.inf
    w_lon, w_lat = g_lon.copy(), g_lat.copy()
    for _ in range(max_iter):
        dlon, dlat = _gcj02_offset_deg(w_lon, w_lat)
        step_lon = w_lon + dlon - g_lon
        step_lat = w_lat + dlat - g_lat
        w_lon = w_lon - step_lon
        w_lat = w_lat - step_lat
        largest = max(np.max(np.abs(step_lon), initial=0.0), np.max(np.abs(step_lat), initial=0.0))
        if largest < tol_deg:
            break
    else:
        warnings.warn(
            f"gcj02_to_wgs84 did not converge to {tol_deg}° in {max_iter} iterations "
            f"(last step {largest:.3g}°); points near the edge of CHINA_BOX keep their last "
            "estimate",
            RuntimeWarning,
            stacklevel=2,
        )
    return _like_input(w_lon, w_lat)


def haversine_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Return the great-circle distance between two WGS84 points, in metres.

    Uses a sphere of radius :data:`MEAN_EARTH_RADIUS_M`; against the ellipsoid the error is at
    most about 0.5 %, below the uncertainty of any travel-time estimate built on it.

    Parameters
    ----------
    lon1, lat1, lon2, lat2
        Longitudes and latitudes of the two points, in degrees.

    Returns
    -------
    float
        Distance in metres.
    """
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    half_dphi = (phi2 - phi1) / 2.0
    half_dlambda = math.radians(lon2 - lon1) / 2.0
    h = math.sin(half_dphi) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(half_dlambda) ** 2
    # min() guards against h creeping above 1 by rounding for antipodal points.
    return 2.0 * MEAN_EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def haversine_matrix_m(lons: ArrayLike, lats: ArrayLike) -> FloatArray:
    """Return the great-circle distances between all pairs of WGS84 points, in metres.

    Parameters
    ----------
    lons, lats
        1-D sequences of ``n`` longitudes and latitudes in degrees.

    Returns
    -------
    numpy.ndarray
        Symmetric ``(n, n)`` float array, zero on the diagonal; entry ``[i, j]`` equals
        ``haversine_m(lons[i], lats[i], lons[j], lats[j])``.
    """
    lon_a, lat_a = _as_float_arrays(lons, lats)
    if lon_a.ndim != 1:
        raise ValueError(f"lons and lats must be 1-D, got shape {lon_a.shape}")
    lam = np.radians(lon_a)
    phi = np.radians(lat_a)
    half_dphi = (phi[None, :] - phi[:, None]) / 2.0
    half_dlambda = (lam[None, :] - lam[:, None]) / 2.0
    cos_phi = np.cos(phi)
    h = np.sin(half_dphi) ** 2 + cos_phi[:, None] * cos_phi[None, :] * np.sin(half_dlambda) ** 2
    result: FloatArray = 2.0 * MEAN_EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))
    return result


@lru_cache(maxsize=1)
def _utm_50n_transformer() -> pyproj.Transformer:
    """Build the WGS84 -> UTM 50N transformer once, on first use (not at import)."""
    return pyproj.Transformer.from_crs(4326, UTM_50N_EPSG, always_xy=True)


def to_utm_m(lons: ArrayLike, lats: ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Project WGS84 coordinates to UTM zone 50N (EPSG:32650), for planar geometry in metres.

    UTM 50N is conformal with its central meridian at 117°E, through Pinggu: lengths and areas
    within the district are true to about 0.04 % and 0.08 %. Far from 117°E (more than a few
    hundred kilometres) the distortion grows; use :func:`haversine_m` there.

    Parameters
    ----------
    lons, lats
        WGS84 longitudes and latitudes in degrees (scalars or arrays of matching shape).

    Returns
    -------
    tuple of numpy.ndarray
        ``(x, y)``: easting and northing in metres, float arrays of the input's shape.
    """
    lon_a, lat_a = _as_float_arrays(lons, lats)
    x, y = _utm_50n_transformer().transform(lon_a, lat_a)
    return np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
