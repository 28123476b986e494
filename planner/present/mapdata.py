"""Geometry for maps: the roads of a built network as simplified lines per class."""

from __future__ import annotations

from collections.abc import Sequence

from planner.present.timeline import LonLat


def road_lines(
    travel: object,
    *,
    classes: Sequence[str] = (
        "motorway",
        "trunk",
        "primary",
        "secondary",
        "tertiary",
        "motorway_link",
        "trunk_link",
        "primary_link",
    ),
    max_lines: int = 20_000,
) -> list[list[LonLat]]:
    """Polylines of the main roads of the travel provider's network, for drawing a map without tiles.

    Empty when the provider has no road network (the straight-line estimate).
    """
    network = getattr(travel, "network", None)
    if network is None:
        return []
    import numpy as np

    names = list(network.manifest.get("highway_classes", []))
    wanted = {i for i, c in enumerate(names) if c in set(classes)}
    nts = network.network_types
    nt = "drive" if "drive" in nts else (nts[0] if nts else None)
    if nt is None:
        return []
    start = network.array(nt, "geom_start")
    glon, glat = network.array(nt, "geom_lon"), network.array(nt, "geom_lat")
    cls = network.array(nt, "edge_class")
    u, v = network.array(nt, "edge_u"), network.array(nt, "edge_v")
    keep = np.isin(cls, list(wanted)) if wanted else np.ones(len(cls), dtype=bool)
    keep &= u < v  # one direction of each two-way road is enough to draw it
    out: list[list[LonLat]] = []
    for e in np.flatnonzero(keep)[:max_lines]:
        a, b = int(start[e]), int(start[e + 1])
        out.append(list(zip(glon[a:b].tolist(), glat[a:b].tolist(), strict=True)))
    return out


ROAD_STYLES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("minor", ("tertiary", "tertiary_link", "unclassified")),
    ("main", ("primary", "secondary", "primary_link", "secondary_link")),
    ("major", ("motorway", "trunk", "motorway_link", "trunk_link")),
)
"""The road classes a base map draws, in drawing order (the biggest on top)."""


def road_lines_by_class(
    travel: object, *, max_lines: int = 20_000
) -> list[tuple[str, list[list[LonLat]]]]:
    """:func:`road_lines` grouped as :data:`ROAD_STYLES` (``minor``, ``main``, ``major``), for a
    base map that tells a motorway from a village road; empty without a road network."""
    network = getattr(travel, "network", None)
    if network is None:
        return []
    present = set(network.manifest.get("highway_classes", []))
    out = []
    left = max_lines
    for name, classes in ROAD_STYLES:
        if not present & set(classes) or left <= 0:
            continue  # (road_lines draws every road when no class is named)
        lines = road_lines(travel, classes=classes, max_lines=left)
        left -= len(lines)
        if lines:
            out.append((name, lines))
    return out
