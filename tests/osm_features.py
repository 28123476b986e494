"""Small synthetic OSM files of named features, placed in metres around real catalogue points.

:class:`OsmDraft` collects nodes, ways (open lines or closed areas, optionally with an
``entrance=*`` node on the ring) and multipolygon relations, each with its tags, and writes them
as OSM XML (:meth:`OsmDraft.write_xml`) or PBF (:meth:`OsmDraft.write_pbf`, pyosmium's writer).
Offsets are metres east and north of an origin, on a sphere, so a test can say "1.2 km north of
the catalogue's point" and know the answer.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import quoteattr

from planner.data.catalog import load_catalog

EARTH_RADIUS_M = 6_371_008.8
ROOT = Path(__file__).resolve().parents[1]
CATALOG = load_catalog(ROOT / "configs" / "pois.yaml")
"""The bundled catalogue: the extract of :func:`build_extract` is drawn around its points."""

LonLat = tuple[float, float]


def offset(origin: LonLat, east_m: float, north_m: float) -> LonLat:
    """The point ``east_m`` east and ``north_m`` north of ``origin``."""
    lon, lat = origin
    dlat = math.degrees(north_m / EARTH_RADIUS_M)
    dlon = math.degrees(east_m / (EARTH_RADIUS_M * math.cos(math.radians(lat))))
    return lon + dlon, lat + dlat


def square(centre: LonLat, half_m: float) -> list[LonLat]:
    """The corners of a square (counter-clockwise from the south-west), not closed."""
    return [
        offset(centre, -half_m, -half_m),
        offset(centre, half_m, -half_m),
        offset(centre, half_m, half_m),
        offset(centre, -half_m, half_m),
    ]


@dataclass
class OsmDraft:
    """OSM elements to write: ``nodes`` id -> (lon, lat, tags), ``ways`` id -> (refs, tags)."""

    nodes: dict[int, tuple[float, float, dict[str, str]]] = field(default_factory=dict)
    ways: dict[int, tuple[list[int], dict[str, str]]] = field(default_factory=dict)
    relations: dict[int, tuple[list[tuple[str, int, str]], dict[str, str]]] = field(
        default_factory=dict
    )
    _next: int = 1

    def _id(self) -> int:
        self._next += 1
        return self._next

    def node(self, at: LonLat, **tags: str) -> int:
        nid = self._id()
        self.nodes[nid] = (at[0], at[1], dict(tags))
        return nid

    def line(self, points: list[LonLat], **tags: str) -> int:
        refs = [self.node(p) for p in points]
        wid = self._id()
        self.ways[wid] = (refs, dict(tags))
        return wid

    def area(
        self, ring: list[LonLat], *, entrance: int | None = None, gate: str = "main", **tags: str
    ) -> int:
        """A closed way around ``ring``; ``entrance`` (a corner's index) tags that node as a gate."""
        refs = [
            self.node(p, **({"entrance": gate} if k == entrance else {}))
            for k, p in enumerate(ring)
        ]
        wid = self._id()
        self.ways[wid] = (refs + refs[:1], dict(tags))
        return wid

    def multipolygon(self, outer: list[LonLat], inner: list[LonLat], **tags: str) -> int:
        """A relation: an outer ring with one hole (a lake inside a park)."""
        o = self.area(outer)
        i = self.area(inner)
        rid = self._id()
        self.relations[rid] = (
            [("way", o, "outer"), ("way", i, "inner")],
            {"type": "multipolygon", **tags},
        )
        return rid

    def xml(self) -> str:
        out = ['<?xml version="1.0" encoding="UTF-8"?>', '<osm version="0.6" generator="tests">']

        def tag_xml(tags: dict[str, str]) -> str:
            return "".join(f"<tag k={quoteattr(k)} v={quoteattr(v)}/>" for k, v in tags.items())

        for nid, (lon, lat, tags) in sorted(self.nodes.items()):
            out.append(
                f'<node id="{nid}" version="1" lat="{lat:.8f}" lon="{lon:.8f}">{tag_xml(tags)}</node>'
            )
        for wid, (refs, tags) in sorted(self.ways.items()):
            nds = "".join(f'<nd ref="{r}"/>' for r in refs)
            out.append(f'<way id="{wid}" version="1">{nds}{tag_xml(tags)}</way>')
        for rid, (members, tags) in sorted(self.relations.items()):
            ms = "".join(f'<member type="{t}" ref="{r}" role="{role}"/>' for t, r, role in members)
            out.append(f'<relation id="{rid}" version="1">{ms}{tag_xml(tags)}</relation>')
        out.append("</osm>")
        return "\n".join(out)

    def write_xml(self, path: Path) -> Path:
        path.write_text(self.xml(), encoding="utf-8")
        return path

    def write_pbf(self, path: Path) -> Path:
        """The same elements as PBF: written from the XML by pyosmium (one reader, one writer)."""
        import osmium

        xml = self.write_xml(path.with_suffix(".tmp.osm"))
        writer = osmium.SimpleWriter(str(path))
        try:
            for obj in osmium.FileProcessor(str(xml)):
                writer.add(obj)
        finally:
            writer.close()
        xml.unlink()
        return path


def at(pid: str) -> tuple[float, float]:
    return CATALOG.get(pid).lonlat


def build_extract() -> OsmDraft:
    """One case of each kind the matcher must get right (see tests/test_verify.py)."""
    d = OsmDraft()
    # exact name, 1.5 km north-east of the estimate
    d.node(offset(at("jingdong-grand-canyon"), 1060, 1060), tourism="attraction", name="京东大峡谷")
    # the suffix 风景区, an area with a main gate, 800 m off a medium point
    centre = offset(at("shilinxia"), 0, 900)
    d.area(square(centre, 150), entrance=0, tourism="attraction", name="石林峡风景区")
    # pinyin only
    d.node(
        offset(at("xuanyuan-terrace"), 400, -300),
        historic="archaeological_site",
        name="Xuanyuantai",
    )
    d.node(offset(at("yajishan"), 400, -300), natural="peak", name="Yajishan")
    # two separate features of one name, 4 km apart, both within the 5 km of a low point
    d.node(offset(at("laoxiangfeng"), 2000, 0), tourism="attraction", name="老象峰")
    d.node(offset(at("laoxiangfeng"), -2000, 0), tourism="attraction", name="老象峰")
    # a scenic area whose centroid lies in its lake
    lake_centre = offset(at("jinhai-lake"), 600, 300)
    d.area(
        square(lake_centre, 700),
        tourism="attraction",
        name="金海湖风景区",
        **{"name:en": "Jinhai Lake Scenic Area"},
    )
    d.area(square(lake_centre, 450), natural="water", water="reservoir", name="金海湖")
    # the right name, 8 km away: another place, or a point far off; never moved automatically
    d.node(offset(at("tianyunshan"), 8000, 0), tourism="attraction", name="天云山")
    # already right: the village node 30 m from the catalogue's point
    d.node(offset(at("guajiayu"), 20, 20), place="village", name="挂甲峪村")
    # discovery: in the district, not in the catalogue
    base = at("guajiayu")
    d.node(
        offset(base, 300, -200),
        amenity="restaurant",
        name="老张农家院",
        opening_hours="Mo-Su 10:00-21:00",
    )
    d.node(
        offset(base, -300, 250),
        tourism="guest_house",
        name="山里人家",
        **{"name:en": "Mountain Home Inn"},
    )
    d.node(offset(at("bolitai"), 500, 500), tourism="viewpoint", name="望京台")
    d.area(
        square(offset(at("houbeigong-peach-village"), 900, 0), 120),
        landuse="orchard",
        name="大桃采摘园",
    )
    d.node(
        offset(at("xuanyuan-terrace"), -1500, 900),
        amenity="place_of_worship",
        religion="buddhist",
        name="兴隆寺",
        fee="no",
    )
    # not to be proposed: unnamed, outside the district (Dongzhimen), already catalogued
    d.node(offset(base, 100, 100), amenity="restaurant")
    d.node(at("dongzhimen-hub"), amenity="restaurant", name="东直门饭馆")
    return d
