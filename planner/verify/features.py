"""Named OpenStreetMap features, read from an extract or a download, each with one point to stand on.

A catalogue place is matched against the features OSM knows: nodes, ways and relations tagged as
something a visitor goes to (``tourism``, ``leisure``, ``natural``, ``historic``, ``amenity``,
``place``, and a few more) that carry a name. Two sources give the same :class:`Feature` list:

* :func:`read_osm_file`: any OSM file pyosmium reads (``.osm``, ``.osm.pbf``, ``.osm.bz2``), with
  multipolygon areas assembled from ways and relations;
* :func:`download_features`: osmnx's features API for a place name (online; osmnx caches every
  answer under ``cache/osmnx``, so a second run needs no network), through :func:`from_frame`,
  which also reads any GeoDataFrame osmnx returns (``features_from_xml`` too).

An area is not a destination: a visitor goes to its gate. :func:`anchor` picks the point a plan
should use and says which: an ``entrance`` node on the area's edge; else its centroid when that
lies on its land; else a point inside the land (when the centroid falls outside the shape or in
water: a ring of parkland around a lake); else, for a lake or reservoir itself, the point of its
shore nearest the place's current point.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any, Final

import shapely
from shapely.geometry import LineString, MultiPolygon, Point, Polygon
from shapely.geometry.base import BaseGeometry
from shapely.ops import nearest_points
from shapely.strtree import STRtree

from planner.errors import RequestError
from planner.travel._osmfile import OSM_SUFFIXES
from planner.verify.names import NAME_KEYS

KIND_KEYS: Final = (
    "tourism",
    "leisure",
    "natural",
    "historic",
    "amenity",
    "place",
    "landuse",
    "shop",
    "public_transport",
    "railway",
    "highway",
    "boundary",
    "water",
    "building",
)
"""A named feature with one of these tags is a candidate (``building`` for temples and halls)."""

OSMNX_TAGS: Final[dict[str, bool | str | list[str]]] = {
    "tourism": True,
    "leisure": True,
    "natural": True,
    "historic": True,
    "amenity": True,
    "place": True,
    "landuse": ["orchard", "reservoir", "farmyard"],
    "shop": ["farm"],
    "public_transport": ["station"],
    "highway": "bus_stop",
    "boundary": ["protected_area", "national_park"],
    "water": True,
    "entrance": True,
}
"""What :func:`download_features` asks osmnx for (the same features :func:`read_osm_file` keeps)."""

ENTRANCE_TOUCH_M: Final = 3.0
"""An entrance node this close to an area's edge is one of its gates."""


class PointKind(StrEnum):
    """Where the proposed point of a feature comes from."""

    node = "node"
    """The feature is a node: its own position."""
    entrance = "entrance"
    """An ``entrance=*`` node on the area's edge (``main`` preferred)."""
    centroid = "centroid"
    """The centre of the area, which lies on its land."""
    inside = "inside"
    """A point inside the area's land: its centroid lies outside the shape or in water."""
    shore = "shore"
    """The shore point of a lake or reservoir nearest the place's current point."""
    line = "line"
    """The middle of a line (a wall, a trail)."""


@dataclass(frozen=True)
class Feature:
    """One OSM element with a name, its tags and its WGS84 geometry."""

    osm_id: str
    """``node/123``, ``way/123`` or ``relation/123``."""
    tags: Mapping[str, str]
    geometry: BaseGeometry

    @property
    def is_area(self) -> bool:
        return isinstance(self.geometry, Polygon | MultiPolygon)

    @property
    def is_water(self) -> bool:
        return is_water(self.tags)


@dataclass
class OsmData:
    """What one extract or download holds for matching: named features, water, and entrances."""

    features: list[Feature]
    water: list[BaseGeometry] = field(default_factory=list)
    entrances: list[Feature] = field(default_factory=list)
    source: str = ""
    """How to name the data in a proposal: the file name, or ``place:<name>``."""
    _water_tree: STRtree | None = field(default=None, init=False, repr=False)
    _gate_tree: STRtree | None = field(default=None, init=False, repr=False)

    def water_at(self, point: Point) -> bool:
        if not self.water:
            return False
        if self._water_tree is None:
            self._water_tree = STRtree(self.water)
        return any(self.water[k].contains(point) for k in self._water_tree.query(point))

    def gates_of(self, area: BaseGeometry) -> list[Feature]:
        """Entrance nodes on the edge of ``area``, main entrances first."""
        if not self.entrances:
            return []
        if self._gate_tree is None:
            self._gate_tree = STRtree([e.geometry for e in self.entrances])
        edge = area.boundary
        tol = ENTRANCE_TOUCH_M / 111_000.0
        hits = [
            self.entrances[k]
            for k in self._gate_tree.query(area, predicate="dwithin", distance=tol)
            if edge.distance(self.entrances[k].geometry) <= tol
        ]
        return sorted(hits, key=lambda e: (e.tags.get("entrance") != "main", e.osm_id))


def is_water(tags: Mapping[str, str]) -> bool:
    return (
        tags.get("natural") == "water"
        or tags.get("landuse") == "reservoir"
        or tags.get("waterway") == "riverbank"
        or "water" in tags
    )


def _has_name(tags: Mapping[str, str]) -> bool:
    return any(tags.get(k) for k in NAME_KEYS)


def _is_candidate(tags: Mapping[str, str]) -> bool:
    return _has_name(tags) and any(k in tags for k in KIND_KEYS)


def collect(raw: Iterable[Feature], source: str) -> OsmData:
    """Sort raw elements into candidates, water areas and entrance nodes."""
    data = OsmData(features=[], source=source)
    for f in raw:
        if "entrance" in f.tags and isinstance(f.geometry, Point):
            data.entrances.append(f)
        if f.is_area and f.is_water:
            data.water.append(f.geometry)
        if _is_candidate(f.tags):
            data.features.append(f)
    return data


def read_osm_file(path: Path | str) -> OsmData:
    """The named features, water and entrances of an OSM file (any format pyosmium reads)."""
    import osmium

    path = Path(path)
    if not path.is_file():
        raise RequestError("--osm-file", f"{path} does not exist; give an .osm or .osm.pbf file")
    if not path.name.lower().endswith(OSM_SUFFIXES):
        raise RequestError(
            "--osm-file", f"{path.name} is not an OSM file; use one of {', '.join(OSM_SUFFIXES)}"
        )
    wkb = osmium.geom.WKBFactory()
    raw: list[Feature] = []
    try:
        processor = osmium.FileProcessor(str(path)).with_locations().with_areas()
        for obj in processor:
            tags = {t.k: t.v for t in obj.tags}
            if not tags:
                continue
            wanted = _is_candidate(tags) or is_water(tags) or "entrance" in tags
            if not wanted:
                continue
            if isinstance(obj, osmium.osm.Node):
                geom: BaseGeometry = Point(obj.location.lon, obj.location.lat)
                raw.append(Feature(f"node/{obj.id}", tags, geom))
            elif isinstance(obj, osmium.osm.Way):
                if obj.is_closed() and len(obj.nodes) >= 4:
                    continue  # comes back as an area
                coords = [(n.lon, n.lat) for n in obj.nodes if n.location.valid()]
                if len(coords) >= 2:
                    raw.append(Feature(f"way/{obj.id}", tags, LineString(coords)))
            elif isinstance(obj, osmium.osm.Area):
                kind = "way" if obj.from_way() else "relation"
                try:
                    geom = shapely.from_wkb(wkb.create_multipolygon(obj))
                except RuntimeError:
                    continue  # a broken ring: osmium could not build it
                if len(geom.geoms) == 1:
                    geom = geom.geoms[0]
                raw.append(Feature(f"{kind}/{obj.orig_id()}", tags, geom))
    except RuntimeError as exc:
        raise RequestError(
            "--osm-file", f"{path.name} could not be read as OSM data: {exc}"
        ) from None
    return collect(raw, path.name)


def from_frame(frame: Any, source: str) -> OsmData:
    """The features of an osmnx GeoDataFrame (index ``(element, id)``, one column per tag)."""
    raw: list[Feature] = []
    for (element, osm_id), row in frame.iterrows():
        geom = row["geometry"]
        if geom is None or geom.is_empty:
            continue
        tags = {str(k): v for k, v in row.items() if k != "geometry" and isinstance(v, str) and v}
        raw.append(Feature(f"{element}/{osm_id}", tags, geom))
    return collect(raw, source)


def download_features(place: str, *, cache_folder: Path) -> OsmData:
    """The features of an area by name through osmnx (online the first time, cached after)."""
    import osmnx as ox

    ox.settings.use_cache = True
    ox.settings.cache_folder = str(cache_folder)
    try:
        frame = ox.features_from_place(place, tags=OSMNX_TAGS)
    except Exception as exc:  # no network, an unknown place: say so, no traceback
        raise RequestError(
            "--place",
            f"could not download OSM features for {place!r} ({exc}); "
            "check the name and the connection, or use --osm-file",
        ) from None
    return from_frame(frame, f"place:{place}")


def anchor(feature: Feature, data: OsmData, near: tuple[float, float]) -> tuple[Point, PointKind]:
    """The point a visitor should be sent to for ``feature``, and where it comes from."""
    geom = feature.geometry
    if isinstance(geom, Point):
        return geom, PointKind.node
    if isinstance(geom, LineString):
        return geom.interpolate(0.5, normalized=True), PointKind.line
    gates = data.gates_of(geom)
    if gates:
        gate = gates[0].geometry
        assert isinstance(gate, Point)
        return gate, PointKind.entrance
    if feature.is_water:
        shore = nearest_points(geom.boundary, Point(near))[0]
        return shore, PointKind.shore
    centroid = geom.centroid
    if geom.contains(centroid) and not data.water_at(centroid):
        return centroid, PointKind.centroid
    land = geom
    for w in data.water:
        if w.intersects(geom):
            land = land.difference(w)
    if land.is_empty:
        land = geom
    return land.representative_point(), PointKind.inside
