"""Reading OSM files (.osm, .osm.bz2, .osm.gz, .osm.pbf) into per-network OSM XML for osmnx.

osmnx's :func:`osmnx.graph_from_xml` turns *every* way of a file into edges (rivers and buildings
included) and reads no PBF. This module reads any OSM file with pyosmium, keeps the ways of one
network type with the same tag rules osmnx sends to Overpass (``osmnx._overpass``), optionally
only those touching a bounding box, and writes each network as a small OSM XML file. Every file
input then goes through ``osmnx.graph_from_xml`` and the one builder in :mod:`planner.travel.network`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final
from xml.sax.saxutils import quoteattr

import osmium

from planner.errors import ConfigError, RequestError

NetworkType = str
"""One of ``"drive"``, ``"bike"``, ``"walk"`` (osmnx network types)."""

OSM_SUFFIXES: Final = (".osm", ".xml", ".osm.bz2", ".osm.gz", ".osm.pbf", ".pbf")
"""File name endings accepted as OSM data."""

# The tag rules of osmnx 2.1's Overpass filters (`_overpass._get_network_filter`), as
# (key, regex) pairs that must NOT match; Overpass `!~` is an unanchored regex search.
_COMMON_EXCLUDE: Final = (("area", "yes"), ("access", "private"))
_NETWORK_EXCLUDE: Final[Mapping[str, tuple[tuple[str, str], ...]]] = {
    "drive": (
        (
            "highway",
            "abandoned|bridleway|bus_guideway|construction|corridor|cycleway|elevator|"
            "escalator|footway|no|path|pedestrian|planned|platform|proposed|raceway|razed|"
            "rest_area|service|services|steps|track",
        ),
        ("motor_vehicle", "no"),
        ("motorcar", "no"),
        ("service", "alley|driveway|emergency_access|parking|parking_aisle|private"),
    ),
    "walk": (
        (
            "highway",
            "abandoned|bus_guideway|construction|cycleway|motor|no|planned|platform|proposed|"
            "raceway|razed|rest_area|services",
        ),
        ("foot", "no"),
        ("service", "private"),
        ("sidewalk", "separate"),
        ("sidewalk:both", "separate"),
        ("sidewalk:left", "separate"),
        ("sidewalk:right", "separate"),
    ),
    "bike": (
        (
            "highway",
            "abandoned|bus_guideway|construction|corridor|elevator|escalator|footway|motor|no|"
            "planned|platform|proposed|raceway|razed|rest_area|services|steps",
        ),
        ("bicycle", "no"),
        ("service", "private"),
    ),
}
_COMPILED: Final = {
    nt: tuple((k, re.compile(rx)) for k, rx in _COMMON_EXCLUDE + rules)
    for nt, rules in _NETWORK_EXCLUDE.items()
}
NETWORK_TYPES: Final = tuple(_NETWORK_EXCLUDE)


def way_in_network(tags: Mapping[str, str], network_type: NetworkType) -> bool:
    """Tell whether a way with these tags belongs to an osmnx network type.

    Parameters
    ----------
    tags
        The way's OSM tags.
    network_type
        ``"drive"``, ``"bike"`` or ``"walk"``.

    Returns
    -------
    bool
        True when the way has a ``highway`` tag and none of osmnx's exclusion rules matches.
    """
    if "highway" not in tags:
        return False
    return not any(k in tags and rx.search(tags[k]) for k, rx in _COMPILED[network_type])


def is_osm_path(path: Path) -> bool:
    """Tell whether a file name looks like OSM data (by its ending)."""
    name = path.name.lower()
    return any(name.endswith(s) for s in OSM_SUFFIXES)


@dataclass
class _Way:
    osmid: int
    refs: list[int]
    tags: dict[str, str]


@dataclass
class OsmExtract:
    """Ways kept per network type and the coordinates of their nodes, read from one file."""

    nodes: dict[int, tuple[float, float]] = field(default_factory=dict)
    """Node id -> ``(lon, lat)`` of every node a kept way uses."""
    ways: list[_Way] = field(default_factory=list)
    networks: dict[NetworkType, list[int]] = field(default_factory=dict)
    """Network type -> indexes into :attr:`ways`."""
    timestamp: str | None = None
    """The file's replication timestamp (``osmosis_replication_timestamp``), when it has one."""
    ways_read: int = 0

    def write_xml(self, network_type: NetworkType, path: Path) -> int:
        """Write the ways of one network type and their nodes as OSM XML; return the way count."""
        indexes = self.networks.get(network_type, [])
        needed = sorted({r for i in indexes for r in self.ways[i].refs})
        with path.open("w", encoding="utf-8") as out:
            out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
            out.write('<osm version="0.6" generator="pinggu-planner">\n')
            for ref in needed:
                lon, lat = self.nodes[ref]
                out.write(f'<node id="{ref}" lat="{lat:.7f}" lon="{lon:.7f}"/>\n')
            for i in indexes:
                way = self.ways[i]
                out.write(f'<way id="{way.osmid}">')
                out.write("".join(f'<nd ref="{r}"/>' for r in way.refs))
                out.write(
                    "".join(
                        f"<tag k={quoteattr(k)} v={quoteattr(v)}/>" for k, v in way.tags.items()
                    )
                )
                out.write("</way>\n")
            out.write("</osm>\n")
        return len(indexes)


def read_osm_file(
    path: Path,
    network_types: Iterable[NetworkType],
    *,
    keep_tags: Iterable[str],
    bbox: tuple[float, float, float, float] | None = None,
    progress: Callable[[str], None] | None = None,
) -> OsmExtract:
    """Read the road ways of an OSM file, one pass, with pyosmium.

    Parameters
    ----------
    path
        An ``.osm``, ``.osm.bz2``, ``.osm.gz`` or ``.osm.pbf`` file.
    network_types
        Which networks to keep ways for.
    keep_tags
        Way tags to keep (the others are dropped to save memory); the filter sees all tags.
    bbox
        ``(min_lon, min_lat, max_lon, max_lat)``: keep only ways with a node inside it.
    progress
        Called with a short status line now and then.

    Returns
    -------
    OsmExtract
        The kept ways and their node coordinates.

    Raises
    ------
    ConfigError
        If the file is missing or is not OSM data (named ``--osm-file``).
    """
    if not path.is_file():
        raise RequestError("--osm-file", f"{path} does not exist; give the path of an OSM file")
    types = tuple(network_types)
    keep = set(keep_tags)
    extract = OsmExtract(networks={nt: [] for nt in types})
    try:
        processor = osmium.FileProcessor(str(path), osmium.osm.NODE | osmium.osm.WAY)
        stamp = processor.header.get("osmosis_replication_timestamp")
        extract.timestamp = stamp or None
        for obj in processor.with_locations():
            if not isinstance(obj, osmium.osm.Way):
                continue
            extract.ways_read += 1
            if progress is not None and extract.ways_read % 50_000 == 0:
                progress(f"read {extract.ways_read:,} ways")
            _add_way(extract, obj, types, keep, bbox)
    except RuntimeError as exc:
        raise ConfigError(
            f"--osm-file: {path} is not OSM data that pyosmium can read ({exc}); give an "
            ".osm, .osm.bz2 or .osm.pbf extract (e.g. from download.geofabrik.de) or a .graphml",
            source=str(path),
        ) from None
    return extract


def _add_way(
    extract: OsmExtract,
    way: osmium.osm.Way,
    types: tuple[NetworkType, ...],
    keep: set[str],
    bbox: tuple[float, float, float, float] | None,
) -> None:
    """Keep one way (and its node coordinates) if some network wants it."""
    tags = {t.k: t.v for t in way.tags}
    wanted = [nt for nt in types if way_in_network(tags, nt)]
    if not wanted:
        return
    refs: list[int] = []
    coords: list[tuple[float, float]] = []
    for node in way.nodes:
        loc = node.location
        if loc.valid():  # extracts cut ways at their edge: drop the missing nodes
            refs.append(node.ref)
            coords.append((loc.lon, loc.lat))
    if len(refs) < 2:
        return
    if bbox is not None and not any(
        bbox[0] <= lon <= bbox[2] and bbox[1] <= lat <= bbox[3] for lon, lat in coords
    ):
        return
    extract.nodes.update(zip(refs, coords, strict=True))
    extract.ways.append(_Way(way.id, refs, {k: v for k, v in tags.items() if k in keep}))
    for nt in wanted:
        extract.networks[nt].append(len(extract.ways) - 1)
