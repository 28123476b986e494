"""Itineraries as portable files: GeoJSON, GPX, iCalendar, a printable page, and map-app links.

Conventions: GeoJSON and GPX carry WGS84 ``[lon, lat]`` as the project does everywhere; only the
Amap navigation link converts to GCJ-02 (:func:`planner.data.coords.wgs84_to_gcj02`), because Amap
expects it. Clock times are local (Asia/Shanghai).

Every shell (web app, CLI, HTTP API) builds its downloads and links here, so a GPX from the app and
one from the API are the same file.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

from planner.model import TIMEZONE, Itinerary, Mode
from planner.present.timeline import (
    Plan,
    bus_parts,
    days_of,
    leg_endpoints,
    leg_line,
    stays_put,
    timeline,
)
from planner.present.wording import ticket_text

AMAP_MODES: dict[Mode, str] = {
    Mode.car: "car",
    Mode.bus: "bus",
    Mode.bicycle: "ride",
    Mode.walk: "walk",
}
"""Amap's ``mode`` for each of ours (Amap rides bicycles, we cycle)."""


def itinerary_geojson(plan: Plan) -> dict[str, Any]:
    """A GeoJSON FeatureCollection: one Point per stop (numbered) and one LineString per leg.

    Coordinates are WGS84 ``[lon, lat]`` (RFC 7946). Leg features say whether their geometry is an
    estimate (a straight line) or follows roads, so maps can draw them differently. Every feature
    says which ``day`` (1-based) it belongs to.
    """
    feats: list[dict[str, Any]] = []
    for n, it in enumerate(days_of(plan), 1):
        feats += _day_features(it, n)
    return {"type": "FeatureCollection", "features": feats}


def _day_features(it: Itinerary, day: int) -> list[dict[str, Any]]:
    feats: list[dict[str, Any]] = []
    for k, s in enumerate(it.stops, 1):
        feats.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [s.lon, s.lat]},
                "properties": {
                    "kind": "stop",
                    "order": k,
                    "day": day,
                    "id": s.poi_id,
                    "name_zh": s.name_zh,
                    "name_en": s.name_en,
                    "category": s.category.value,
                    "arrival": s.arrival.isoformat(),
                    "visit_start": s.visit_start.isoformat(),
                    "departure": s.departure.isoformat(),
                    "ticket_cny": s.ticket_cny,
                },
            }
        )
    for k, leg in enumerate(it.legs):
        feats.append(
            {
                "type": "Feature",
                "geometry": {"type": "LineString", "coordinates": [list(p) for p in leg.geometry]},
                "properties": {
                    "kind": "leg",
                    "order": k,
                    "day": day,
                    "from": leg.from_id,
                    "to": leg.to_id,
                    "depart": leg.depart.isoformat(),
                    "arrive": leg.arrive.isoformat(),
                    "travel_s": leg.travel_s,
                    "distance_m": leg.distance_m,
                    "mode": leg.mode.value,
                    "provider": leg.provider,
                    "estimated": leg.estimated,
                },
            }
        )
    return feats


def itinerary_gpx(plan: Plan) -> str:
    """GPX 1.1: a waypoint per stop (and each day's start and end), a track per leg along its geometry.

    WGS84, as every GPS device expects. Waypoint names carry the stop number and both names;
    a track's ``type`` is ``road`` or ``estimate`` (straight line).
    """
    import gpxpy.gpx

    days = days_of(plan)
    gpx = gpxpy.gpx.GPX()
    gpx.creator = "Pinggu Planner"
    gpx.name = f"Pinggu {plan.request.date.isoformat()}"
    gpx.description = (
        f"{days[0].start.name_en}, {len(days)} day(s), {sum(len(d.stops) for d in days)} stops"
    )

    def waypoint(lon: float, lat: float, name: str, when: dt.datetime, desc: str, sym: str) -> None:
        w = gpxpy.gpx.GPXWaypoint(
            latitude=lat, longitude=lon, name=name, description=desc, symbol=sym
        )
        w.time = when.astimezone(dt.UTC)
        gpx.waypoints.append(w)

    for d, it in enumerate(days, 1):
        prefix = f"D{d} " if len(days) > 1 else ""
        waypoint(
            it.start.lon,
            it.start.lat,
            f"{prefix}S {it.start.name_zh} {it.start.name_en}",
            it.day_start,
            f"start {it.day_start:%H:%M}",
            "Flag, Green",
        )
        for k, s in enumerate(it.stops, 1):
            waypoint(
                s.lon,
                s.lat,
                f"{prefix}{k}. {s.name_zh} {s.name_en}",
                s.arrival,
                f"{s.visit_start:%H:%M}-{s.departure:%H:%M}; " + "; ".join(r.en for r in s.why),
                "Scenic Area",
            )
        waypoint(
            it.end.lon,
            it.end.lat,
            f"{prefix}E {it.end.name_zh} {it.end.name_en}",
            it.day_end,
            f"end {it.day_end:%H:%M}",
            "Flag, Red",
        )
        for k, leg in enumerate(it.legs):
            (_, a_zh, a_en), (_, b_zh, b_en) = leg_endpoints(it, k)
            track = gpxpy.gpx.GPXTrack(
                name=f"{prefix}{k + 1}. {a_en} → {b_en}",
                description=f"{a_zh} → {b_zh}; {leg.travel_s // 60} min, {leg.distance_m} m",
            )
            track.type = "estimate" if leg.estimated else "road"  # type: ignore[assignment]
            seg = gpxpy.gpx.GPXTrackSegment()
            for lon, lat in leg.geometry:
                seg.points.append(gpxpy.gpx.GPXTrackPoint(latitude=lat, longitude=lon))
            if seg.points:
                seg.points[0].time = leg.depart.astimezone(dt.UTC)
                seg.points[-1].time = leg.arrive.astimezone(dt.UTC)
            track.segments.append(seg)
            gpx.tracks.append(track)
    return str(gpx.to_xml(version="1.1"))


def _hours(window: tuple[dt.datetime, dt.datetime]) -> str:
    return f"{window[0]:%H:%M}-{window[1]:%H:%M}"


def itinerary_ics(plan: Plan, *, lang: str = "zh") -> bytes:
    """An iCalendar file: one event per visit and one per leg of travel, in Asia/Shanghai time.

    A visit's description says why it was chosen, its opening hours on the day and the ticket; a
    travel event says how long, how far, and which travel-time provider computed it, with an
    Amap navigation link.
    """
    import icalendar

    from planner.i18n.texts import MODE_LABELS, t
    from planner.present.timeline import fmt_duration

    zh = lang == "zh"
    cal = icalendar.Calendar()
    cal.add("prodid", "-//Pinggu Planner//pinggu-planner//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", f"{t('label.app_title', lang)} {plan.request.date.isoformat()}")
    cal.add("x-wr-timezone", TIMEZONE)
    stamp = dt.datetime.combine(plan.request.date, dt.time(), dt.UTC)
    for it in days_of(plan):
        day = it.day_start.date().isoformat()
        for k, s in enumerate(it.stops, 1):
            ev = icalendar.Event()
            ev.add("uid", f"{day}-stop{k}-{s.poi_id}@pinggu-planner")
            ev.add("dtstamp", stamp)
            ev.add("dtstart", s.visit_start)
            ev.add("dtend", s.departure)
            ev.add("summary", f"{k}. {s.name_zh if zh else s.name_en}")
            ev.add("location", f"{s.name_zh} {s.name_en}")
            ev.add("geo", (s.lat, s.lon))
            ticket = ticket_text(s.ticket_cny, lang)
            why = ("；" if zh else "; ").join(r.zh if zh else r.en for r in s.why)
            lines = [
                f"{t('label.why', lang)}: {why}",
                f"{t('label.hours', lang)}: {_hours(s.opening_window)}",
                f"{t('label.ticket', lang)}: {ticket}",
                f"{t('label.arrive', lang)}: {s.arrival:%H:%M}",
            ]
            if s.queue_s:  # crowd-aware: the queue is before the visit, which the event starts at
                lines.append(t("label.queue_entry", lang, duration=fmt_duration(s.queue_s, lang)))
            ev.add("description", "\n".join(lines))
            cal.add_component(ev)
        for k, leg in enumerate(it.legs):
            if stays_put(leg):  # no travel, so no event (a 1-minute "same place" clutters a day)
                continue
            (a, a_zh, a_en), (b, b_zh, b_en) = leg_endpoints(it, k)
            ev = icalendar.Event()
            ev.add("uid", f"{day}-leg{k}-{leg.from_id}-{leg.to_id}@pinggu-planner")
            ev.add("dtstamp", stamp)
            ev.add("dtstart", leg.depart)
            ev.add("dtend", max(leg.arrive, leg.depart + dt.timedelta(minutes=1)))
            ev.add("transp", "TRANSPARENT")
            mode = MODE_LABELS[leg.mode][lang]
            ev.add("summary", f"→ {b_zh if zh else b_en} ({mode})")
            url = amap_navigation_url(a, b, mode=leg.mode, names=(a_zh, b_zh))
            lines = [
                f"{a_zh if zh else a_en} → {b_zh if zh else b_en}",
                leg_line(leg, lang, sep=", ", mode=False),
                *bus_parts(leg, lang, to=b_zh if zh else b_en),
                t("label.provider", lang, provider=leg.provider),
                url,
            ]
            ev.add("description", "\n".join(lines))
            ev.add("url", url)
            cal.add_component(ev)
    if hasattr(cal, "add_missing_timezones"):  # icalendar >= 6.1 writes the VTIMEZONE
        cal.add_missing_timezones()
    return bytes(cal.to_ical())


def amap_navigation_url(
    from_lonlat: Sequence[float],
    to_lonlat: Sequence[float],
    *,
    mode: Mode | str = Mode.car,
    names: tuple[str, str] = ("", ""),
) -> str:
    """An ``uri.amap.com/navigation`` link that opens turn-by-turn navigation in Amap (or its web page).

    ``from_lonlat`` and ``to_lonlat`` are WGS84 ``[lon, lat]``; they are converted to GCJ-02 here
    (Amap's system, ``coordinate=gaode``), so a point lands on the right road.
    """
    from planner.data.coords import wgs84_to_gcj02

    m = AMAP_MODES[Mode(mode)]

    def point(lonlat: Sequence[float], name: str) -> str:
        lon, lat = wgs84_to_gcj02(float(lonlat[0]), float(lonlat[1]))
        return f"{lon:.6f},{lat:.6f},{quote(name, safe='')}"

    return (
        "https://uri.amap.com/navigation"
        f"?from={point(from_lonlat, names[0])}&to={point(to_lonlat, names[1])}"
        f"&mode={m}&coordinate=gaode&callnative=1"
    )


def leg_amap_url(it: Itinerary, k: int, lang: str = "zh") -> str:
    """The Amap navigation link of leg ``k`` (names in ``lang``)."""
    (a, a_zh, a_en), (b, b_zh, b_en) = leg_endpoints(it, k)
    names = (a_zh, b_zh) if lang == "zh" else (a_en, b_en)
    return amap_navigation_url(a, b, mode=it.legs[k].mode, names=names)


_PRINT_CSS = """
body{font-family:"Noto Sans CJK SC","PingFang SC","Microsoft YaHei",system-ui,sans-serif;
 color:#1f2a24;max-width:820px;margin:24px auto;padding:0 16px;line-height:1.45}
h1{font-size:22px;margin:0}.sub{color:#5b6b62;margin:4px 0 16px}
.tot{display:flex;gap:18px;flex-wrap:wrap;background:#f3f7f2;border-radius:8px;padding:10px 14px}
.tot b{display:block;font-size:18px}table{border-collapse:collapse;width:100%;margin:14px 0}
td,th{border-bottom:1px solid #dde5df;padding:6px 6px;text-align:left;vertical-align:top;font-size:13px}
th{background:#eef3ee}.n{display:inline-block;width:22px;height:22px;border-radius:11px;
 background:#c8324f;color:#fff;text-align:center;font-weight:700;font-size:12px;line-height:22px}
.travel td{color:#5b6b62}.est{color:#b0601a}.warn{color:#8a5a00;font-size:13px}
svg{width:100%;height:auto;border:1px solid #dde5df;border-radius:8px;background:#f8fbf7}
a{color:#1d6fb8}@media print{a{color:inherit;text-decoration:none}.noprint{display:none}
 body{margin:0}tr{page-break-inside:avoid}}
"""


def _sketch_svg(it: Itinerary) -> str:
    """A small SVG sketch of the route (our own drawing: prints without any map tiles)."""
    pts = [(it.start.lon, it.start.lat), (it.end.lon, it.end.lat)]
    pts += [p for leg in it.legs for p in leg.geometry]
    lons, lats = [p[0] for p in pts], [p[1] for p in pts]
    w, h, pad = 760.0, 300.0, 24.0
    x0, x1 = min(lons), max(lons)
    y0, y1 = min(lats), max(lats)
    kx = 0.766  # cos(40°): keep east-west and north-south metres alike
    span = max((x1 - x0) * kx / (w - 2 * pad), (y1 - y0) / (h - 2 * pad), 1e-9)

    def xy(lon: float, lat: float) -> tuple[float, float]:
        return pad + (lon - x0) * kx / span, h - pad - (lat - y0) / span

    parts = [f'<svg viewBox="0 0 {w:.0f} {h:.0f}" xmlns="http://www.w3.org/2000/svg">']
    for leg in it.legs:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in (xy(*p) for p in leg.geometry))
        dash = ' stroke-dasharray="6 5"' if leg.estimated else ""
        parts.append(
            f'<polyline points="{path}" fill="none" stroke="#d9572b" stroke-width="3"{dash}/>'
        )
    sx, sy = xy(it.start.lon, it.start.lat)
    parts.append(f'<rect x="{sx - 7:.1f}" y="{sy - 7:.1f}" width="14" height="14" fill="#1f6b3a"/>')
    for k, s in enumerate(it.stops, 1):
        x, y = xy(s.lon, s.lat)
        parts.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="11" fill="#c8324f" stroke="#fff" stroke-width="2"/>'
            f'<text x="{x:.1f}" y="{y + 4:.1f}" font-size="12" font-weight="700" fill="#fff" '
            f'text-anchor="middle">{k}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _day_rows(it: Itinerary, lang: str) -> str:
    from planner.i18n.texts import t
    from planner.present.timeline import fmt_duration

    zh = lang == "zh"
    e = html.escape
    rows: list[str] = []
    for entry in timeline(it):
        when = f"{entry.start:%H:%M}"
        if entry.kind in ("start", "end"):
            label = t("label.start_point" if entry.kind == "start" else "label.end_point", lang)
            rows.append(
                f"<tr><td>{when}</td><td></td><td><b>{label}: {e(entry.name(lang))}</b></td><td></td></tr>"
            )
        elif entry.kind == "travel":
            assert entry.leg is not None
            leg = it.legs[entry.leg]
            est = (
                f' <span class="est">({t("label.estimated_short", lang)})</span>'
                if entry.estimated
                else ""
            )
            link = (
                ""
                if stays_put(leg)
                else f'<a href="{e(leg_amap_url(it, entry.leg, lang))}">'
                f"{t('label.open_amap', lang)}</a>"
            )
            rides = "".join(f"<br>{e(p)}" for p in bus_parts(leg, lang, to=entry.name(lang)))
            rows.append(
                f'<tr class="travel"><td>{when}</td><td>↓</td><td>{e(leg_line(leg, lang))}'
                f"{est}{rides}</td><td>{link}</td></tr>"
            )
        elif entry.kind == "wait":
            rows.append(
                f'<tr class="travel"><td>{when}</td><td></td><td>{t("label.wait", lang)} '
                f"{fmt_duration(entry.seconds, lang)}</td><td></td></tr>"
            )
        elif entry.kind == "queue":
            queue = t("label.queue_entry", lang, duration=fmt_duration(entry.seconds, lang))
            rows.append(
                f'<tr class="travel"><td>{when}</td><td></td><td>{e(queue)}</td><td></td></tr>'
            )
        else:
            assert entry.stop is not None
            s = it.stops[entry.stop - 1]
            why = ("；" if zh else "; ").join(r.zh if zh else r.en for r in s.why)
            ticket = ticket_text(s.ticket_cny, lang)
            rows.append(
                f'<tr><td>{when}–{entry.end:%H:%M}</td><td><span class="n">{entry.stop}</span></td>'
                f"<td><b>{e(entry.name(lang))}</b><br><small>{e(why)}</small></td>"
                f"<td>{ticket}<br><small>{t('label.hours', lang)} {_hours(s.opening_window)}</small></td></tr>"
            )
    return "".join(rows)


def printable_html(plan: Plan, lang: str = "zh") -> str:
    """A self-contained, printable HTML page (timeline per day, places, left out, totals, links)."""
    from planner.i18n.texts import MODE_LABELS, t
    from planner.present.timeline import fmt_duration

    zh = lang == "zh"
    e = html.escape
    days = days_of(plan)
    req = plan.request
    tot = plan.totals
    end = days[-1].day_end
    body: list[str] = []
    for n, it in enumerate(days, 1):
        if len(days) > 1:
            body.append(f"<h2>{t('label.day_n', lang, n=n)} · {it.day_start:%Y-%m-%d}</h2>")
        body.append(_sketch_svg(it))
        body.append(
            f"<table><thead><tr><th>{t('label.time', lang)}</th><th>#</th>"
            f"<th>{t('label.place', lang)}</th><th>{t('label.ticket', lang)}</th></tr></thead>"
            f"<tbody>{_day_rows(it, lang)}</tbody></table>"
        )
    dropped = "".join(
        f"<li>{e(d.name_zh if zh else d.name_en)}: {e(d.reason.zh if zh else d.reason.en)}</li>"
        for d in plan.dropped
    )
    warnings = "".join(f'<p class="warn">⚠ {e(w.zh if zh else w.en)}</p>' for w in plan.warnings)
    title = t("label.app_title", lang)
    start = days[0].start
    sub = (
        f"{req.date.isoformat()} · {req.start_time:%H:%M}–{req.end_time:%H:%M} · "
        f"{MODE_LABELS[req.mode][lang]} · {e(start.name_zh if zh else start.name_en)}"
    )
    totals = (
        f'<div class="tot"><span>{t("label.stops", lang)}<b>{tot.stops}</b></span>'
        f"<span>{t('label.on_the_road', lang)}<b>{fmt_duration(tot.travel_s, lang)}</b></span>"
        f"<span>{t('label.distance', lang)}<b>{tot.distance_m / 1000:.0f} km</b></span>"
        f"<span>{t('label.tickets', lang)}<b>¥{tot.tickets_cny:g}</b></span>"
        f"<span>{t('label.back_at', lang)}<b>{end:%H:%M}</b></span></div>"
    )
    provider = days[0].solver.travel_provider
    return (
        f'<!doctype html><html lang="{"zh-CN" if zh else "en"}"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{e(title)} {req.date.isoformat()}</title><style>{_PRINT_CSS}</style></head><body>"
        f'<h1>{e(title)}</h1><p class="sub">{sub}</p>{totals}'
        + "".join(body)
        + warnings
        + (f"<h3>{t('label.left_out', lang)}</h3><ul>{dropped}</ul>" if dropped else "")
        + f'<p class="sub">{e(t("label.provider", lang, provider=provider))}</p>'
        + f'<p class="noprint"><button onclick="window.print()">{e(t("label.print", lang))}</button>'
        + "</p></body></html>"
    )
