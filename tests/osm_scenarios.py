"""Small synthetic OSM files drawn as ASCII art, in the manner of OSRM's ``features/`` tests.

A scenario is a map drawn in a string: each lowercase letter is an OSM node, each uppercase
letter a *place* (a point the tests route between, not part of OSM), and every other character
is decoration. Columns are ``col_m`` metres apart (west to east) and lines ``row_m`` metres apart
(north to south), starting at ``origin`` (WGS84, in Pinggu). Ways list their nodes by letter,
with their OSM tags. :func:`write_osm_xml` writes the scenario as OSM XML; :func:`write_osm_pbf`
writes the same data as PBF with pyosmium's writer.

Lengths: a column step is exactly ``col_m`` along the parallel and a line step exactly ``row_m``
along the meridian (on osmnx's sphere of radius 6,371,009 m), so a drawn path's length can be
read off the drawing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import quoteattr

EARTH_RADIUS_M = 6_371_009.0  # osmnx.distance.EARTH_RADIUS_M: the sphere osmnx measures on
ORIGIN = (117.10, 40.14)  # [lon, lat], near Pinggu town


@dataclass(frozen=True)
class Scenario:
    """A drawn road map: nodes, ways with tags, and places."""

    drawing: str
    ways: list[tuple[str, dict[str, str]]]
    col_m: float = 100.0
    row_m: float = 500.0
    origin: tuple[float, float] = ORIGIN
    extra_nodes: dict[str, tuple[float, float]] = field(default_factory=dict)

    def _cells(self) -> dict[str, tuple[int, int]]:
        lines = self.drawing.strip("\n").splitlines()
        indent = min(len(s) - len(s.lstrip()) for s in lines if s.strip())
        cells = {}
        for row, line in enumerate(lines):
            for col, ch in enumerate(line[indent:]):
                if ch.isalpha():
                    if ch in cells:
                        raise ValueError(f"letter {ch!r} drawn twice")
                    cells[ch] = (col, row)
        return cells

    def lonlat(self, letter: str) -> tuple[float, float]:
        """WGS84 ``(lon, lat)`` of a drawn node or place."""
        col, row = self._cells()[letter]
        lon0, lat0 = self.origin
        dlat = math.degrees(row * self.row_m / EARTH_RADIUS_M)
        lat = lat0 - dlat
        # a column step of col_m along the parallel at this line's latitude
        dlon = math.degrees(col * self.col_m / (EARTH_RADIUS_M * math.cos(math.radians(lat))))
        return lon0 + dlon, lat

    @property
    def node_letters(self) -> list[str]:
        return sorted(c for c in self._cells() if c.islower())

    def node_id(self, letter: str) -> int:
        return 1000 + ord(letter)

    def way_id(self, index: int) -> int:
        return 500 + index


def write_osm_xml(scenario: Scenario, path: Path) -> Path:
    """Write the scenario as an OSM XML file (nodes, then ways) and return its path."""
    parts = ['<?xml version="1.0" encoding="UTF-8"?>', '<osm version="0.6" generator="tests">']
    for letter in scenario.node_letters:
        lon, lat = scenario.lonlat(letter)
        parts.append(
            f'<node id="{scenario.node_id(letter)}" version="1" lat="{lat:.9f}" lon="{lon:.9f}"/>'
        )
    for i, (letters, tags) in enumerate(scenario.ways):
        nds = "".join(f'<nd ref="{scenario.node_id(c)}"/>' for c in letters)
        tag_xml = "".join(f"<tag k={quoteattr(k)} v={quoteattr(v)}/>" for k, v in tags.items())
        parts.append(f'<way id="{scenario.way_id(i)}" version="1">{nds}{tag_xml}</way>')
    parts.append("</osm>")
    path.write_text("\n".join(parts) + "\n", encoding="utf-8")
    return path


def write_osm_pbf(scenario: Scenario, path: Path) -> Path:
    """Write the scenario as an OSM PBF file with pyosmium's writer and return its path."""
    import osmium

    writer = osmium.SimpleWriter(str(path), overwrite=True)
    try:
        for letter in scenario.node_letters:
            writer.add_node(
                osmium.osm.mutable.Node(
                    id=scenario.node_id(letter), location=scenario.lonlat(letter), tags={}
                )
            )
        for i, (letters, tags) in enumerate(scenario.ways):
            writer.add_way(
                osmium.osm.mutable.Way(
                    id=scenario.way_id(i),
                    nodes=[scenario.node_id(c) for c in letters],
                    tags=tags,
                )
            )
    finally:
        writer.close()
    return path


VALLEY = Scenario(
    drawing="""
    a---------b---------c
    |         ↓         |
    d=========e=========f    Q x---y
    |         ↓         |
    g---------h---------i
              :
              :
              :
              :
              :
              P
    """,
    ways=[
        ("abc", {"highway": "unclassified", "name": "Ridge village road"}),
        ("def", {"highway": "secondary", "maxspeed": "80", "name": "Valley road"}),
        ("ghi", {"highway": "tertiary", "name": "South county road"}),
        ("adg", {"highway": "tertiary"}),
        ("cfi", {"highway": "tertiary"}),
        ("beh", {"highway": "residential", "oneway": "yes", "name": "One-way lane"}),
        ("xy", {"highway": "tertiary", "name": "Island"}),
        ("gd", {"waterway": "river"}),  # not a road: must not become an edge
    ],
)
"""A valley grid, 1 km between junctions (10 columns of 100 m; 2 lines of 500 m).

* ``a-b-c`` village road (unclassified), ``g-h-i`` and ``a-d-g``, ``c-f-i`` county roads
  (tertiary), ``d-e-f`` the valley road (secondary) tagged ``maxspeed=80``;
* ``b -> e -> h`` a one-way residential lane, southbound only;
* ``x-y`` an island road, not connected: the largest strongly connected component drops it;
* ``Q`` a place 200 m west of the island and 500 m east of ``f``: far from any kept road;
* ``P`` a place 3 km south of ``h``: far from any road, reached by an explicit walking leg.

With the test speeds (car: unclassified 30, tertiary 40, secondary 60, residential 30 km/h;
no junction penalty, no access time) the fastest car legs are:

======  =====================  ========  =======
leg     path                   metres    seconds
======  =====================  ========  =======
d -> f  d-e-f (maxspeed 80)    2000      90
a -> c  a-b-c                  2000      240
b -> h  b-e-h (one-way)        2000      240
h -> b  h-g-d-a-b or h-i-f-c-b  4000      390  (90+90+90+120; the lane is one-way)
b -> d  b-e-d                  2000      165  (120 + 45)
d -> b  d-a-b                  2000      210  (90 + 120; cannot go up the lane)
g -> c  g-d-e-f-c              4000      270  (90 + 90 + 90)
======  =====================  ========  =======
"""


def scenario_road_settings(*, car_penalty_s: float = 0.0, node_spacing_m: float = 250.0):
    """The bundled ``configs/roads.yaml`` with the round car speeds the scenarios' tables use."""
    from planner.travel.network import RoadSettings, load_road_settings

    data = load_road_settings().model_dump(mode="json")
    data["node_spacing_m"] = node_spacing_m
    data["modes"]["car"].update(
        intersection_penalty_s=car_penalty_s,
        highway_kmh={"unclassified": 30, "tertiary": 40, "secondary": 60, "residential": 30},
    )
    data["snap"].update(report_m=300, outside_m=5000, walk_kmh=3.6, detour_factor=1.0)
    return RoadSettings.model_validate(data)


def scenario_travel_settings(*, access_s: int = 0):
    """The bundled ``configs/travel.yaml`` with every mode's access time set to ``access_s``."""
    from planner.data.config import TravelSettings, load_travel_settings

    data = load_travel_settings().model_dump(mode="json")
    for mode in data["modes"].values():
        mode["access_s"] = access_s
    return TravelSettings.model_validate(data)
