"""The offline base map from an OSM extract: rivers, lakes and reservoirs, towns, the Great Wall.

No OSM data ships with the project, but every operator who builds a road network has an extract
(or a download). :func:`build_basemap` keeps, from the same data, what a visitor's map needs
beyond the roads, simplified for drawing and clipped to the district and its surroundings:

* ``water``: lakes and reservoirs (``natural=water``, ``landuse=reservoir``), polygons;
* ``rivers``: ``waterway=river`` (and named ``stream``/``canal``), lines;
* ``walls``: the Great Wall (``historic=citywalls``/``barrier=city_wall``, or a name with 长城),
  lines;
* ``towns``: ``place=town|village|suburb`` nodes with a name (Chinese and English when tagged).

It is written as ``geodata/basemap.v1.<hash12>.geojson`` (OSM data, ODbL: ignored by git like
the road artifacts), with the source and date in its properties, and :func:`find_basemap` finds the
newest. ``planner geodata build`` writes it beside the network.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Final

import shapely
from shapely.geometry import LineString, MultiPolygon, Polygon, box, mapping
from shapely.geometry.base import BaseGeometry

from planner.errors import RequestError
from planner.travel._osmfile import OSM_SUFFIXES

BASEMAP_VERSION: Final = 1
BASEMAP_GLOB: Final = f"basemap.v{BASEMAP_VERSION}.*.geojson"
SIMPLIFY_DEG: Final = 0.0003
"""About 30 m: enough for a map at district zoom."""
MIN_WATER_KM2: Final = 0.02
"""Ponds smaller than this are left out (a map of the district cannot show them)."""
TOWN_PLACES: Final = ("town", "village", "suburb")
OSMNX_TAGS: Final[dict[str, bool | str | list[str]]] = {
    "natural": ["water"],
    "landuse": ["reservoir"],
    "waterway": ["river", "stream", "canal"],
    "historic": ["citywalls"],
    "barrier": ["city_wall"],
    "place": list(TOWN_PLACES),
}


def kind_of(tags: Mapping[str, str]) -> str | None:
    """Which base-map layer an element with these tags belongs to, if any."""
    name = tags.get("name", "") + tags.get("name:zh", "")
    if tags.get("historic") == "citywalls" or tags.get("barrier") == "city_wall" or "长城" in name:
        return "walls"
    if tags.get("natural") == "water" or tags.get("landuse") == "reservoir":
        return "water"
    waterway = tags.get("waterway")
    if waterway == "river" or (waterway in ("stream", "canal") and tags.get("name")):
        return "rivers"
    if tags.get("place") in TOWN_PLACES and tags.get("name"):
        return "towns"
    return None


def _elements_from_file(path: Path) -> Iterable[tuple[Mapping[str, str], BaseGeometry]]:
    import osmium

    wkb = osmium.geom.WKBFactory()
    processor = osmium.FileProcessor(str(path)).with_locations().with_areas()
    for obj in processor:
        tags = {t.k: t.v for t in obj.tags}
        kind = kind_of(tags) if tags else None
        if kind is None:
            continue
        if isinstance(obj, osmium.osm.Node):
            if kind == "towns":
                yield tags, shapely.Point(obj.location.lon, obj.location.lat)
        elif isinstance(obj, osmium.osm.Way):
            if kind in ("rivers", "walls"):
                coords = [(n.lon, n.lat) for n in obj.nodes if n.location.valid()]
                if len(coords) >= 2:
                    yield tags, LineString(coords)
        elif isinstance(obj, osmium.osm.Area) and kind == "water":
            try:
                yield tags, shapely.from_wkb(wkb.create_multipolygon(obj))
            except RuntimeError:
                continue  # a broken ring: osmium could not build it


def _elements_from_frame(frame: Any) -> Iterable[tuple[Mapping[str, str], BaseGeometry]]:
    for _, row in frame.iterrows():
        tags = {str(k): v for k, v in row.items() if k != "geometry" and isinstance(v, str) and v}
        geom = row["geometry"]
        if geom is not None and not geom.is_empty and kind_of(tags):
            yield tags, geom


def _area_km2(geom: BaseGeometry) -> float:
    c = geom.centroid
    import math

    return float(geom.area) * (111.32**2) * math.cos(math.radians(c.y))


def layers_of(
    elements: Iterable[tuple[Mapping[str, str], BaseGeometry]], frame: BaseGeometry
) -> dict[str, list[dict[str, Any]]]:
    """The base-map layers (GeoJSON Features by kind) of these elements inside ``frame``."""
    out: dict[str, list[dict[str, Any]]] = {"water": [], "rivers": [], "walls": [], "towns": []}
    for tags, geom in elements:
        kind = kind_of(tags)
        if kind is None or not geom.intersects(frame):
            continue
        if kind == "towns":
            if not isinstance(geom, shapely.Point):
                geom = geom.representative_point()
            shape: BaseGeometry = geom
        else:
            if kind == "water" and (
                not isinstance(geom, Polygon | MultiPolygon) or _area_km2(geom) < MIN_WATER_KM2
            ):
                continue
            shape = geom.intersection(frame).simplify(SIMPLIFY_DEG, preserve_topology=True)
            if shape.is_empty:
                continue
        props = {
            "name": tags.get("name:zh") or tags.get("name", ""),
            "name_en": tags.get("name:en", ""),
        }
        if kind == "towns":
            props["place"] = tags.get("place", "")
        geometry = json.loads(json.dumps(mapping(shapely.set_precision(shape, 1e-5))))
        out[kind].append({"type": "Feature", "properties": props, "geometry": geometry})
    return out


def build_basemap(
    *,
    osm_file: Path | None = None,
    frame: tuple[float, float, float, float],
    place: str | None = None,
    cache_folder: Path | None = None,
) -> dict[str, Any]:
    """The base map (a GeoJSON FeatureCollection with a ``layer`` per Feature) of an OSM file, or
    (online, cached by osmnx) of a place, inside ``frame`` (lon0, lat0, lon1, lat1)."""
    area = box(*frame)
    if osm_file is not None:
        if not Path(osm_file).is_file() or not Path(osm_file).name.lower().endswith(OSM_SUFFIXES):
            raise RequestError("--osm-file", f"{osm_file} is not an OSM file that exists")
        layers = layers_of(_elements_from_file(Path(osm_file)), area)
        source = {"kind": "file", "name": Path(osm_file).name}
    elif place is not None:
        import osmnx as ox

        ox.settings.use_cache = True
        if cache_folder is not None:
            ox.settings.cache_folder = str(cache_folder)
        try:
            frame_gdf = ox.features_from_place(place, tags=OSMNX_TAGS)
        except Exception as exc:  # offline, or an unknown place: say so
            raise RequestError("--place", f"could not download the base map for {place!r}: {exc}") from None
        layers = layers_of(_elements_from_frame(frame_gdf), area)
        source = {"kind": "place", "name": place}
    else:
        raise RequestError("--osm-file", "give an OSM file or a place")
    features = [f | {"properties": {**f["properties"], "layer": k}} for k, fs in layers.items() for f in fs]
    return {
        "type": "FeatureCollection",
        "properties": {
            "source": source,
            "created_utc": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
            "licence": "© OpenStreetMap contributors, ODbL 1.0",
        },
        "features": features,
    }


def save_basemap(collection: Mapping[str, Any], directory: Path) -> Path:
    """Write ``basemap.v1.<hash12>.geojson`` into ``directory`` (atomically) and return its path."""
    text = json.dumps(collection, ensure_ascii=False, separators=(",", ":"))
    digest = hashlib.sha256(json.dumps(collection["features"], sort_keys=True).encode()).hexdigest()
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"basemap.v{BASEMAP_VERSION}.{digest[:12]}.geojson"
    tmp = path.with_suffix(".tmp")
    tmp.write_text(text + "\n", encoding="utf-8")
    tmp.replace(path)
    return path


def find_basemap(dirs: Sequence[Path]) -> Path | None:
    """The newest base map in ``dirs`` (by the time it was built), or None."""
    best: tuple[str, Path] | None = None
    for d in dirs:
        for path in sorted(d.glob(BASEMAP_GLOB)) if d.is_dir() else []:
            try:
                created = str(json.loads(path.read_text(encoding="utf-8"))["properties"]["created_utc"])
            except (OSError, ValueError, KeyError, TypeError):
                continue
            if best is None or created > best[0]:
                best = (created, path)
    return best[1] if best is not None else None


def load_basemap(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data
