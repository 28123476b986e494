"""The maps' content: what to draw, as a plain JSON spec for the Leaflet map in :mod:`webapp.mapview`.

Layers, bottom up: raster tiles when they load (never waited for), the neighbouring districts
with their names (bundled), the district boundary, the roads of a built network by class, every
catalogue place, the day's legs (a colour per day; dashed where the time is a straight-line
estimate), start/end and numbered stops. Our own layers make the map legible with no tile at all,
so it works offline, and a note on the map says what the offline map shows. Tooltip texts are
plain text (no HTML: operators' names are shown as they typed them). The base map and the roads
carry a ``key``: :func:`webapp.mapview.map_view` sends them once per session.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterable
from typing import Any

from planner import Catalog, Itinerary
from planner.data.basemap import load_neighbours
from planner.i18n.texts import CATEGORY_LABELS, t
from planner.model import Confidence
from planner.present.mapdata import road_lines_by_class

DAY_COLOURS = [
    (214, 76, 36),
    (38, 110, 190),
    (128, 60, 170),
    (20, 140, 110),
    (200, 140, 0),
]
STOP_COLOUR = (200, 40, 80)
START_COLOUR = (31, 107, 58)
TILES = "https://basemaps.cartocdn.com/light_all/{z}/{x}/{y}.png"
ATTRIBUTION = "© OpenStreetMap contributors © CARTO"
"""The raster tiles drawn under our layers when they load. ``PINGGU_TILE_URL`` names another
server (an operator's own, or one reachable in China), with ``PINGGU_TILE_ATTRIBUTION``; set it
empty for no tiles at all (the offline base map only)."""


def tile_source() -> tuple[str | None, str]:
    """The tile URL template (None: no tiles) and its attribution, from the environment."""
    url = os.environ.get("PINGGU_TILE_URL", TILES).strip()
    if not url:
        return None, ""
    credit = os.environ.get("PINGGU_TILE_ATTRIBUTION", ATTRIBUTION if url == TILES else "")
    return url, credit


DISTRICT = {"fill": "rgba(226,238,220,0.6)", "stroke": "rgba(70,120,70,0.85)", "width": 2}
PLACE_COLOUR = (95, 105, 100)
NON_VISITABLE_COLOUR = (60, 110, 160)
PICKED_CARD = ".st-key-use_start"
"""The card of the place picked on the map (its "Start here" button, webapp.plan_form.picked_panel):
the map brings it into view after a click picks a place."""
BOUNDARY_TOLERANCE_DEG = 0.0003
"""The boundary is simplified to about 30 m for drawing (4,000 points down to a few hundred)."""


def day_colour(day: int) -> tuple[int, int, int]:
    return DAY_COLOURS[day % len(DAY_COLOURS)]


def _hex(rgb: Iterable[int]) -> str:
    return "#" + "".join(f"{c:02x}" for c in rgb)


def _rgba(rgb: Iterable[int], alpha: float = 1.0) -> str:
    r, g, b = list(rgb)[:3]
    return f"rgba({r},{g},{b},{alpha:g})"


def _round(path: Iterable[Iterable[float]]) -> list[list[float]]:
    return [[round(x, 5), round(y, 5)] for x, y in path]


def boundary_rings(boundary: dict[str, Any]) -> list[list[list[float]]]:
    """The district's outline as rings of ``[lon, lat]`` (simplified for drawing)."""
    from shapely.geometry import shape

    geom = shape(boundary).simplify(BOUNDARY_TOLERANCE_DEG, preserve_topology=True)
    polygons = getattr(geom, "geoms", [geom])
    rings: list[list[list[float]]] = []
    for poly in polygons:
        rings.append(_round(poly.exterior.coords))
        rings += [_round(r.coords) for r in poly.interiors]
    return rings


def short_name(name: str) -> str:
    """A name for a label on the map: without its bracketed gloss ("Xuanyuan Terrace (legendary
    Yellow Emperor tomb & temple)" reads "Xuanyuan Terrace"); the tooltip keeps the whole name."""
    head = re.split(r"\s*[(（]", name, maxsplit=1)[0].strip()
    return head if len(head) >= 2 else name


def place_rows(catalog: Catalog, lang: str, *, operator: bool = False) -> list[dict[str, Any]]:
    """One map point per place, with its tooltip (``title``, ``body``); estimated ones stand out
    for operators."""
    rows = []
    for p in catalog:
        est = p.confidence == Confidence.low
        body = CATEGORY_LABELS[p.category][lang]
        if p.opening_hours:
            body += f" · {p.opening_hours}"
        if est:
            body += f" · {t('label.coords_estimated', lang)}"
        fill = _rgba(NON_VISITABLE_COLOUR, 0.85) if not p.visitable else _rgba(PLACE_COLOUR, 0.8)
        stroke = "#fff"
        if operator and est:
            fill, stroke = _rgba((235, 140, 0), 0.9), "#783c00"
        rows.append(
            {
                "kind": "place",
                "id": p.id,
                "lon": p.lon,
                "lat": p.lat,
                "r": 5,
                "fill": fill,
                "stroke": stroke,
                "name": short_name(p.name(lang)),
                "prio": 0,
                "title": p.name(lang),
                "body": body,
            }
        )
    return rows


def _bbox(points: Iterable[tuple[float, float]]) -> list[float] | None:
    xs, ys = [], []
    for x, y in points:
        xs.append(x)
        ys.append(y)
    if not xs:
        return None
    pad = 0.01
    return [min(xs) - pad, min(ys) - pad, max(xs) + pad, max(ys) + pad]


def _texts(lang: str) -> dict[str, str]:
    return {
        "aria": t("label.map_aria", lang),
        "zoom_in": t("label.zoom_in", lang),
        "zoom_out": t("label.zoom_out", lang),
        "fit": t("label.zoom_fit", lang),
        "locate": t("map.locate", lang),
        "stops": t("map.stops", lang),
    }


NEIGHBOUR_STYLE = {"fill": "#e9e6dc", "stroke": "#b3ad9c", "width": 1}
ROAD_STYLE = {"minor": ("#c2bcae", 1.0), "main": ("#dc9a5a", 2.0), "major": ("#c8643a", 3.0)}


def _key(value: Any) -> str:
    return hashlib.sha1(json.dumps(value, separators=(",", ":")).encode()).hexdigest()[:16]


WATER_STYLE = {"fill": "#b9d3e6", "stroke": "#8db4d3", "width": 1}
RIVER_STYLE = ("#8db4d3", 2.0)
WALL_STYLE = ("#8a5a3c", 2.5)


def _rings(geometry: dict[str, Any]) -> list[list[list[float]]]:
    polygons = (
        geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
    )
    return [_round(r) for poly in polygons for r in poly]


def _paths(geometry: dict[str, Any]) -> list[list[list[float]]]:
    if geometry["type"] == "LineString":
        return [_round(geometry["coordinates"])]
    if geometry["type"] == "MultiLineString":
        return [_round(line) for line in geometry["coordinates"]]
    return []


def base_layer(lang: str, extract: list[dict[str, Any]] | None = None) -> dict[str, Any] | None:
    """What the map shows when no tile loads: the districts around Pinggu (bundled,
    ``geodata/pinggu_neighbours_wgs84.geojson``) with their names in ``lang``, and, once an
    extract was given to ``planner geodata build``, its lakes, rivers, the Great Wall and towns
    (``extract``: the Features of :mod:`planner.travel.basemap`)."""
    areas, labels, water, lines, towns = [], [], [], [], []
    for f in load_neighbours():
        rings = []
        for poly in f["geometry"]["coordinates"]:
            rings += [_round(r) for r in poly]
        areas.append({"rings": rings, **NEIGHBOUR_STYLE})
        props = f["properties"]
        lon, lat = props["label"]
        labels.append(
            {"lon": lon, "lat": lat, "name": props["name"] if lang == "zh" else props["name_en"]}
        )
    for f in extract or []:
        props, geometry = f["properties"], f["geometry"]
        layer = props.get("layer")
        name = (props.get("name") if lang == "zh" else props.get("name_en")) or props.get(
            "name", ""
        )
        if layer == "water" and geometry["type"] in ("Polygon", "MultiPolygon"):
            water.append({"rings": _rings(geometry), **WATER_STYLE})
        elif layer in ("rivers", "walls"):
            colour, width = RIVER_STYLE if layer == "rivers" else WALL_STYLE
            lines += [
                {"path": path, "colour": colour, "width": width, "dashed": layer == "walls"}
                for path in _paths(geometry)
            ]
        elif layer == "towns" and geometry["type"] == "Point" and name:
            lon, lat = geometry["coordinates"]
            towns.append(
                {"lon": lon, "lat": lat, "name": name, "town": props.get("place") == "town"}
            )
    if not areas and not water and not lines and not towns:
        return None
    layer_: dict[str, Any] = {
        "areas": areas,
        "labels": labels,
        "water": water,
        "lines": lines,
        "towns": towns,
    }
    layer_["key"] = "base-" + _key(layer_)
    return layer_


def roads_layer(travel: object) -> dict[str, Any] | None:
    """The built network's roads by class (minor, main, major), keyed by the network's content."""
    classes: list[dict[str, Any]] = [
        {
            "name": name,
            "colour": ROAD_STYLE[name][0],
            "width": ROAD_STYLE[name][1],
            "lines": [_round(r) for r in lines],
        }
        for name, lines in road_lines_by_class(travel)
    ]
    if not classes:
        return None
    network = getattr(travel, "network", None)
    tag = getattr(network, "short_hash", None) or _key(classes)
    return {"key": f"roads-{tag}", "classes": classes}


def _spec(
    boundary: dict[str, Any] | list[list[list[float]]],
    travel: object,
    points: list[dict[str, Any]],
    lines: list[dict[str, Any]],
    lang: str,
    *,
    bbox: list[float] | None,
    height: int,
    clickable: bool,
    marker: tuple[float, float] | None = None,
    reveal: str | None = None,
    locate: bool = False,
    extract: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    rings = boundary_rings(boundary) if isinstance(boundary, dict) else boundary
    if bbox is None:
        bbox = _bbox((x, y) for ring in rings for x, y in ring)
    roads = roads_layer(travel) if travel is not None else None
    base = base_layer(lang, extract)
    tiles, tile_credit = tile_source()
    credits = [t("map.outlines_source", lang)] if base else []
    if roads or extract:
        credits.append(t("map.osm_source", lang))
    note = "map.basemap_outlines"
    if extract:
        note = "map.basemap_extract"
    elif roads:
        note = "map.basemap_roads"
    spec: dict[str, Any] = {
        "height": height,
        "bbox": bbox,
        "tiles": tiles,
        "attribution": tile_credit,
        "credits": " · ".join(credits),
        "note": t(note, lang),
        "clickable": clickable,
        "locate": locate,
        "names_from_zoom": 9,
        "base": base,
        "areas": [{"rings": rings, **DISTRICT}],
        "roads": roads,
        "lines": lines,
        "points": points,
        "texts": _texts(lang),
        "marker": list(marker) if marker else None,
        "reveal": reveal,
    }
    spec["fit"] = hashlib.sha1(
        json.dumps([bbox, len(lines)], separators=(",", ":")).encode()
    ).hexdigest()[:12]
    return spec


def plan_map(
    catalog: Catalog,
    boundary: dict[str, Any] | list[list[list[float]]],
    days: list[Itinerary],
    lang: str,
    *,
    travel: object = None,
    clickable: bool = False,
    height: int = 500,
    extract: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """The tourist map: the valley, its places and, when there is one, the plan (a colour per day).

    The view fits the plan when there is one, else the district; it is kept across reruns
    until the plan changes.
    """
    lines: list[dict[str, Any]] = []
    ends: list[dict[str, Any]] = []
    stops: list[dict[str, Any]] = []
    for d, it in enumerate(days):
        colour = day_colour(d)
        prefix = f"{t('label.day_n', lang, n=d + 1)} · " if len(days) > 1 else ""
        for k, leg in enumerate(it.legs):
            est = leg.estimated
            lines.append(
                {
                    "kind": "leg",
                    "path": _round(leg.geometry),
                    "colour": _rgba(colour, 0.92),
                    "width": 4,
                    "dashed": est,
                    "title": f"{prefix}{t('label.travel', lang)} {k + 1}",
                    "body": f"{leg.travel_s // 60} min · {leg.distance_m / 1000:.1f} km"
                    + (f" · {t('label.estimated_short', lang)}" if est else ""),
                }
            )
        for label, e, when in (("S", it.start, it.day_start), ("E", it.end, it.day_end)):
            if label == "E" and e.poi_id == it.start.poi_id:
                continue
            key = "label.start_point" if label == "S" else "label.end_point"
            ends.append(
                {
                    "kind": "end",
                    "id": e.poi_id if e.poi_id in catalog else None,
                    "lon": e.lon,
                    "lat": e.lat,
                    "r": 10,
                    "label": label,
                    "name": short_name(e.name_zh if lang == "zh" else e.name_en),
                    "prio": 1,
                    "fill": _rgba(START_COLOUR, 0.95),
                    "stroke_width": 2,
                    "title": f"{prefix}{t(key, lang)}: {e.name_zh if lang == 'zh' else e.name_en}",
                    "body": f"{when:%H:%M}",
                }
            )
        stops += [
            {
                "kind": "stop",
                "id": s.poi_id if s.poi_id in catalog else None,
                "lon": s.lon,
                "lat": s.lat,
                "r": 10,
                "label": str(k),
                "name": short_name(s.name_zh if lang == "zh" else s.name_en),
                "prio": 2,
                "fill": _rgba(STOP_COLOUR if len(days) == 1 else colour, 0.95),
                "stroke_width": 2,
                "title": f"{prefix}{k}. {s.name_zh if lang == 'zh' else s.name_en}",
                "body": f"{s.arrival:%H:%M} → {s.departure:%H:%M}",
            }
            for k, s in enumerate(it.stops, 1)
        ]
    planned = [*_merge_same_point(ends), *_merge_same_point(stops)]  # a night's stay: "E/S"
    bbox = _bbox(
        [(x, y) for line in lines for x, y in line["path"]]
        + [(p["lon"], p["lat"]) for p in planned]
    )
    return _spec(
        boundary,
        travel,
        # places and the plan labelled apart: the places' layer then stays the same from plan
        # to plan (sent once, webapp.mapview); under a stop, the browser names the stop only
        [*label_points(place_rows(catalog, lang)), *label_points(planned)],
        lines,
        lang,
        bbox=bbox,
        height=height,
        clickable=clickable,
        reveal=PICKED_CARD,
        locate=bool(days),
        extract=extract,
    )


def _merge_same_point(stops: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Stops on one point (a village and the sight inside it) share one dot labelled "2/3"; so do
    a day's end and the next day's start at the farm stay ("E/S")."""
    out: dict[tuple[float, float], dict[str, Any]] = {}
    for s in stops:
        key = (round(s["lon"], 5), round(s["lat"], 5))
        if key in out:
            first = out[key]
            first["label"] = f"{first['label']}/{s['label']}"
            first["title"] += f"\n{s['title']}"
            first["body"] += f" · {s['body']}"
            if s.get("name") and s["name"] not in first.get("name", "").split(" / "):
                first["name"] = f"{first['name']} / {s['name']}"
        else:
            out[key] = dict(s)
    return list(out.values())


def _point_key(p: dict[str, Any]) -> tuple[float, float]:
    return (round(p["lon"], 4), round(p["lat"], 4))


def label_points(points: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One name label per point on the map, so no two labels overprint where dots share a point.

    A stop or start/end keeps its own name; a place under it loses its label (the stop's dot
    covers it). Places sharing one point (a village and a sight in it) share one label, "A / B".
    The browser then keeps labels of nearby dots apart at the zoom shown (``map.js``).
    """
    out = [dict(p) for p in points]
    owner: dict[tuple[float, float], dict[str, Any]] = {}
    for p in sorted(out, key=lambda p: -int(p.get("prio", 0))):
        if not p.get("name"):
            continue
        key = _point_key(p)
        first = owner.get(key)
        if first is None:
            owner[key] = p
            continue
        if int(first.get("prio", 0)) == 0 and p["name"] not in first["name"].split(" / "):
            first["name"] = f"{first['name']} / {p['name']}"
        p["name"] = ""
    return out


def operator_map(
    catalog: Catalog,
    boundary: dict[str, Any] | list[list[list[float]]],
    lang: str,
    *,
    marker: tuple[float, float] | None = None,
    height: int = 480,
    extract: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """The operators' map: estimated points in orange; a click anywhere picks that exact point."""
    return _spec(
        boundary,
        None,
        label_points(place_rows(catalog, lang, operator=True)),
        [],
        lang,
        bbox=None,
        height=height,
        clickable=True,
        marker=marker,
        extract=extract,
    )


def legend_html(days: list[Itinerary], lang: str, *, operator: bool = False) -> str:
    """The map's legend (HTML), in the page language."""
    items = [
        f'<span><span class="pp-dot" style="background:#e2eedc;border:2px solid #467846"></span>{t("label.district", lang)}</span>',
        f'<span><span class="pp-dot" style="background:{_hex(PLACE_COLOUR)}"></span>{t("label.places", lang)}</span>',
        f'<span><span class="pp-dot" style="background:{_hex(NON_VISITABLE_COLOUR)}"></span>{t("label.start_places", lang)}</span>',
    ]
    if operator:
        items.append(
            f'<span><span class="pp-dot" style="background:#eb8c00"></span>{t("label.coords_estimated", lang)}</span>'
        )
    if days:
        for d in range(len(days)):
            name = t("label.day_n", lang, n=d + 1) if len(days) > 1 else t("label.route_road", lang)
            items.append(
                f'<span><span class="pp-sw" style="border-color:{_hex(day_colour(d))}"></span>{name}</span>'
            )
        if any(leg.estimated for it in days for leg in it.legs):
            items.append(
                f'<span><span class="pp-sw" style="border-top-style:dashed;border-color:{_hex(day_colour(0))}"></span>'
                f"{t('label.route_estimated', lang)}</span>"
            )
        if len(days) == 1:
            items.append(
                f'<span><span class="pp-dot" style="background:{_hex(STOP_COLOUR)}"></span>{t("label.stops_numbered", lang)}</span>'
            )
        else:  # multi-day: stops wear their day's colour
            dots = "".join(
                f'<span class="pp-dot" style="background:{_hex(day_colour(d))}"></span>'
                for d in range(len(days))
            )
            items.append(f"<span>{dots}{t('label.stops_numbered_days', lang)}</span>")
        letters = "".join(
            f'<span class="pp-dot pp-letter" style="background:{_hex(START_COLOUR)}">{x}</span>'
            for x in "SE"
        )
        items.append(f"<span>{letters}{t('label.start_end_points', lang)}</span>")
    return '<div class="pp-legend">' + "".join(items) + "</div>"
