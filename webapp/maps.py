"""The maps (pydeck): our own layers draw the valley, so a map is legible when no tile loads.

Layers, bottom up: the district boundary, main roads (when a road network is built), every
catalogue place, the day's legs (a colour per day; dashed where the time is a straight-line
estimate), numbered stops. Base-map tiles, when they load, sit underneath all of them.
"""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote

import pydeck as pdk

from planner import Catalog, Itinerary
from planner.export import is_estimated, road_lines
from planner.i18n import CATEGORY_LABELS, t
from planner.models import Confidence

DAY_COLOURS = [
    (214, 76, 36),
    (38, 110, 190),
    (128, 60, 170),
    (20, 140, 110),
    (200, 140, 0),
]
STOP_COLOUR = (200, 40, 80)
START_COLOUR = (31, 107, 58)
VIEW = pdk.ViewState(longitude=117.17, latitude=40.19, zoom=9.25, pitch=0, bearing=0, min_zoom=8)
BASEMAP_STYLE = "data:application/json," + quote(
    json.dumps(
        {
            "version": 8,
            "sources": {
                "tiles": {
                    "type": "raster",
                    "tiles": ["https://basemaps.cartocdn.com/light_all/{z}/{x}/{y}.png"],
                    "tileSize": 256,
                    "attribution": "© OpenStreetMap contributors © CARTO",
                }
            },
            "layers": [
                {"id": "paper", "type": "background", "paint": {"background-color": "#f5f3ee"}},
                {
                    "id": "tiles",
                    "type": "raster",
                    "source": "tiles",
                    "paint": {"raster-opacity": 0.85},
                },
            ],
        },
        separators=(",", ":"),
    )
)
"""A map style inlined as a data URL: a paper-coloured background that needs no network, with raster
tiles on top of it when they load (underneath all our layers). Nothing waits for the tiles."""


def day_colour(day: int) -> tuple[int, int, int]:
    return DAY_COLOURS[day % len(DAY_COLOURS)]


def _hex(rgb: Iterable[int]) -> str:
    return "#" + "".join(f"{c:02x}" for c in rgb)


def _base_layers(
    boundary: dict[str, Any], roads: list[list[tuple[float, float]]]
) -> list[pdk.Layer]:
    layers = [
        pdk.Layer(
            "GeoJsonLayer",
            boundary,
            id="district",
            stroked=True,
            filled=True,
            get_fill_color=[226, 238, 220, 150],
            get_line_color=[70, 120, 70, 220],
            line_width_min_pixels=2,
        )
    ]
    if roads:
        layers.append(
            pdk.Layer(
                "PathLayer",
                [{"path": r} for r in roads],
                id="roads",
                get_path="path",
                get_color=[150, 150, 150, 170],
                width_min_pixels=1,
            )
        )
    return layers


def place_rows(catalog: Catalog, lang: str, *, operator: bool = False) -> list[dict[str, Any]]:
    """One row per place, with the tooltip texts (``title``, ``body``)."""
    rows = []
    for p in catalog:
        est = p.confidence == Confidence.low
        body = CATEGORY_LABELS[p.category][lang]
        if p.opening_hours:
            body += f" · {p.opening_hours}"
        if est:
            body += f" · {t('label.coords_estimated', lang)}"
        colour = [60, 110, 160, 210] if not p.visitable else [95, 105, 100, 190]
        if operator and est:
            colour = [235, 140, 0, 230]
        rows.append(
            {
                "id": p.id,
                "lon": p.lon,
                "lat": p.lat,
                "title": p.name(lang),
                "body": body,
                "colour": colour,
                "line": [255, 255, 255, 255] if not (operator and est) else [120, 60, 0, 255],
            }
        )
    return rows


def _places_layer(rows: list[dict[str, Any]]) -> pdk.Layer:
    return pdk.Layer(
        "ScatterplotLayer",
        rows,
        id="places",
        get_position=["lon", "lat"],
        get_radius=300,
        radius_min_pixels=4,
        radius_max_pixels=9,
        get_fill_color="colour",
        get_line_color="line",
        stroked=True,
        line_width_min_pixels=1,
        pickable=True,
        auto_highlight=True,
    )


def dashes(
    path: list[tuple[float, float]], dash: float = 0.018, gap: float = 0.011
) -> list[list[tuple[float, float]]]:
    """Cut a polyline into dashes (lengths in degrees): a dashed line that needs no GL extension."""
    out: list[list[tuple[float, float]]] = []
    on, left = True, dash
    current: list[tuple[float, float]] = [path[0]] if path else []
    for (x0, y0), (x1, y1) in itertools.pairwise(path):
        seg = math.hypot(x1 - x0, (y1 - y0))
        pos = 0.0
        while seg - pos > left:
            pos += left
            f = pos / seg
            p = (x0 + (x1 - x0) * f, y0 + (y1 - y0) * f)
            if on:
                current.append(p)
                out.append(current)
            current = [p]
            on, left = not on, (gap if on else dash)
        left -= seg - pos
        if on:
            current.append((x1, y1))
    if on and len(current) > 1:
        out.append(current)
    return out


def plan_deck(
    catalog: Catalog,
    boundary: dict[str, Any],
    days: list[Itinerary],
    lang: str,
    *,
    travel: object = None,
    click_grid: list[dict] | None = None,
) -> pdk.Deck:
    """The tourist map: the valley, its places and, when there is one, the plan (a colour per day)."""
    layers = _base_layers(boundary, road_lines(travel) if travel is not None else [])
    if click_grid:
        layers.append(_grid_layer(click_grid))
    layers.append(_places_layer(place_rows(catalog, lang)))
    legs: list[dict[str, Any]] = []
    ends: list[dict[str, Any]] = []
    stops: list[dict[str, Any]] = []
    for d, it in enumerate(days):
        colour = day_colour(d)
        prefix = f"{t('label.day_n', lang, n=d + 1)} · " if len(days) > 1 else ""
        for k, leg in enumerate(it.legs):
            est = is_estimated(leg.provider)
            tip = {
                "title": f"{prefix}{t('label.travel', lang)} {k + 1}",
                "body": f"{leg.travel_s // 60} min · {leg.distance_m / 1000:.1f} km"
                + (f" · {t('label.estimated_short', lang)}" if est else ""),
            }
            pieces = dashes(list(leg.geometry)) if est else [list(leg.geometry)]
            legs += [
                {"path": [list(p) for p in piece], "colour": [*colour, 235], **tip}
                for piece in pieces
            ]
        for label, e, when in (("S", it.start, it.day_start), ("E", it.end, it.day_end)):
            if label == "E" and e.poi_id == it.start.poi_id:
                continue
            key = "label.start_point" if label == "S" else "label.end_point"
            ends.append(
                {
                    "lon": e.lon,
                    "lat": e.lat,
                    "n": label,
                    "title": f"{prefix}{t(key, lang)}: {e.name_zh if lang == 'zh' else e.name_en}",
                    "body": f"{when:%H:%M}",
                }
            )
        stops += [
            {
                "lon": s.lon,
                "lat": s.lat,
                "n": str(k),
                "title": f"{prefix}{k}. {s.name_zh if lang == 'zh' else s.name_en}",
                "body": f"{s.arrival:%H:%M} → {s.departure:%H:%M}",
                "colour": [*(STOP_COLOUR if len(days) == 1 else colour), 240],
            }
            for k, s in enumerate(it.stops, 1)
        ]
    stops = _merge_same_point(stops)
    if days:
        layers.append(
            pdk.Layer(
                "PathLayer",
                legs,
                id="legs",
                get_path="path",
                get_color="colour",
                get_width=1,
                width_min_pixels=4,
                width_max_pixels=5,
                cap_rounded=True,
                joint_rounded=True,
                pickable=True,
            )
        )
        for data, fill, ident in ((ends, [*START_COLOUR, 240], "ends"), (stops, "colour", "stops")):
            layers.append(
                pdk.Layer(
                    "ScatterplotLayer",
                    data,
                    id=f"{ident}-dots",
                    get_position=["lon", "lat"],
                    get_radius=600,
                    radius_min_pixels=11,
                    radius_max_pixels=16,
                    get_fill_color=fill,
                    get_line_color=[255, 255, 255],
                    stroked=True,
                    line_width_min_pixels=2,
                    pickable=True,
                )
            )
            layers.append(
                pdk.Layer(
                    "TextLayer",
                    data,
                    id=f"{ident}-numbers",
                    get_position=["lon", "lat"],
                    get_text="n",
                    get_size=14,
                    font_weight=700,
                    get_color=[255, 255, 255],
                    get_text_anchor="'middle'",
                    get_alignment_baseline="'center'",
                )
            )
    return _deck(layers)


def _merge_same_point(stops: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Stops on one point (a village and the sight inside it) share one dot labelled "2/3"."""
    out: dict[tuple[float, float], dict[str, Any]] = {}
    for s in stops:
        key = (round(s["lon"], 5), round(s["lat"], 5))
        if key in out:
            first = out[key]
            first["n"] = f"{first['n']}/{s['n']}"
            first["title"] += f"<br/>{s['title']}"
            first["body"] += f" · {s['body']}"
        else:
            out[key] = dict(s)
    return list(out.values())


def _grid_layer(grid: list[dict]) -> pdk.Layer:
    return pdk.Layer(
        "ScatterplotLayer",
        grid,
        id="click-grid",
        get_position=["lon", "lat"],
        get_radius=300,
        get_fill_color=[0, 0, 0, 1],
        pickable=True,
    )


def _deck(layers: list[pdk.Layer]) -> pdk.Deck:
    return pdk.Deck(
        layers=layers,
        initial_view_state=VIEW,
        map_provider="carto",
        map_style=BASEMAP_STYLE,
        tooltip={
            "html": "<b>{title}</b><br/>{body}",
            "style": {"fontSize": "13px", "maxWidth": "260px"},
        },
    )


def click_grid(boundary_bounds: tuple[float, float, float, float], step: float) -> list[dict]:
    """Near-invisible pickable points every ``step`` degrees: a click on the map picks one."""
    x0, y0, x1, y1 = boundary_bounds
    rows = []
    nx, ny = int((x1 - x0) / step) + 1, int((y1 - y0) / step) + 1
    for i in range(nx):
        for j in range(ny):
            rows.append({"lon": round(x0 + i * step, 5), "lat": round(y0 + j * step, 5)})
    return rows


def operator_deck(
    catalog: Catalog,
    boundary: dict[str, Any],
    lang: str,
    grid: list[dict],
    *,
    marker: tuple[float, float] | None = None,
) -> pdk.Deck:
    """The operators' map: estimated points in orange; a click anywhere picks a point."""
    layers = _base_layers(boundary, [])
    layers.append(_grid_layer(grid))
    layers.append(_places_layer(place_rows(catalog, lang, operator=True)))
    if marker is not None:
        layers.append(
            pdk.Layer(
                "ScatterplotLayer",
                [
                    {
                        "lon": marker[0],
                        "lat": marker[1],
                        "title": "•",
                        "body": f"{marker[0]:.5f}, {marker[1]:.5f}",
                    }
                ],
                id="marker",
                get_position=["lon", "lat"],
                get_radius=350,
                radius_min_pixels=8,
                get_fill_color=[200, 40, 80, 230],
                get_line_color=[255, 255, 255],
                stroked=True,
                line_width_min_pixels=2,
            )
        )
    return _deck(layers)


def legend_html(days: list[Itinerary], lang: str, *, operator: bool = False) -> str:
    """The map's legend (HTML), in the page language."""
    items = [
        f'<span><span class="pp-dot" style="background:#e2eedc;border:2px solid #467846"></span>{t("label.district", lang)}</span>',
        f'<span><span class="pp-dot" style="background:#5f6964"></span>{t("label.places", lang)}</span>',
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
        if any(is_estimated(leg.provider) for it in days for leg in it.legs):
            items.append(
                f'<span><span class="pp-sw" style="border-top-style:dashed;border-color:{_hex(day_colour(0))}"></span>'
                f"{t('label.route_estimated', lang)}</span>"
            )
        items.append(
            f'<span><span class="pp-dot" style="background:{_hex(STOP_COLOUR)}"></span>{t("label.stops_numbered", lang)}</span>'
        )
        items.append(
            f'<span><span class="pp-dot" style="background:{_hex(START_COLOUR)}"></span>S / E: {t("label.start_end", lang)}</span>'
        )
    return '<div class="pp-legend">' + "".join(items) + "</div>"
