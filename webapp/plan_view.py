"""The plan page's display: the map, the totals, the timeline with its stop cards, the downloads.

Layout only. Catalogue text (place names, descriptions) that goes into raw HTML is escaped.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from functools import partial
from html import escape
from urllib.parse import urlencode

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from planner import Itinerary, Planner, Poi, TripRequest
from planner.i18n.hours import hours_text
from planner.i18n.texts import MODE_LABELS, t
from planner.model import Category, Confidence, Mode, Trip
from planner.plan.crowding import Outlook
from planner.present.exports import (
    itinerary_geojson,
    itinerary_gpx,
    itinerary_ics,
    leg_amap_url,
    printable_html,
)
from planner.present.share import request_to_query
from planner.present.timeline import (
    bus_parts,
    fmt_duration,
    leg_endpoints,
    leg_line,
    stays_put,
    timeline,
)
from planner.present.wording import ticket_text
from webapp import maps, mapview, plan_form
from webapp.common import basemap_extract, district_rings, get_planner


# ------------------------------------------------------------------ the map
def plan_map(result: Trip | None, planner: Planner, lang: str) -> None:
    """The map with the plan's days (or only the places), its legend and the travel-time source."""
    days = result.days if result is not None else []
    spec = maps.plan_map(
        planner.catalog,
        district_rings(),
        days,
        lang,
        travel=planner.travel,
        clickable=bool(st.session_state.get("pick_points", False)),
        extract=basemap_extract(),
    )
    mapview.map_view(
        spec, key="plan_map", on_select=plan_form.on_map_select, on_position=plan_form.on_position
    )
    st.html(maps.legend_html(days, lang))
    c1, c2 = st.columns([3, 2], vertical_alignment="center")
    # no plan yet (or a refused one): what the form's mode would travel on
    transit = planner.transit if st.session_state.get("f_mode") == Mode.bus else None
    provider = days[0].solver.travel_provider if days else (transit or planner.travel).name
    c1.caption(provider_text(provider, lang))
    c2.toggle(t("label.pick_points", lang), key="pick_points")


def provider_text(provider: str, lang: str) -> str:
    kind = (
        "label.provider_roads"
        if provider.startswith("osm")
        else "label.provider_timetable"
        if provider.startswith("gtfs")
        else "label.provider_estimate"
    )
    return t("label.provider", lang, provider=f"{t(kind, lang)} ({provider})")


# ------------------------------------------------------------------ the plan
def show_plan(result: Trip, planner: Planner, lang: str) -> None:
    """Totals, then three tabs: the itinerary, what was left out, what to take along."""
    days = result.days
    tot = result.totals
    cells = [
        (t("label.stops", lang), str(tot.stops)),
        (t("label.on_the_road", lang), fmt_duration(tot.travel_s, lang)),
        (t("label.distance", lang), f"{tot.distance_m / 1000:.0f} km"),
        (t("label.tickets", lang), f"¥{tot.tickets_cny:g}"),
        (t("label.back_at", lang), f"{days[-1].day_end:%H:%M}"),
    ]
    st.html(
        '<div class="pp-totals">'
        + "".join(f'<div><div class="pp-muted">{k}</div><b>{v}</b></div>' for k, v in cells)
        + "</div>"
    )
    tabs = st.tabs(
        [
            f":material/schedule: {t('label.itinerary', lang)}",
            f":material/block: {t('label.left_out', lang)} ({len(result.dropped)})",
            f":material/ios_share: {t('label.take_along', lang)}",
        ]
    )
    with tabs[0]:
        itinerary_tab(result, planner, lang)
    with tabs[1]:
        left_out(result, lang)
    with tabs[2]:
        take_along(result, lang)


def itinerary_tab(result: Trip, planner: Planner, lang: str) -> None:
    days = result.days
    for n, it in enumerate(days):
        if len(days) > 1:
            colour = maps.day_colour(n)
            st.html(
                f'<h4 style="margin:.6rem 0 .2rem"><span class="pp-day" style="background:rgb{colour}">'
                f"</span>{t('label.day_n', lang, n=n + 1)} · {it.day_start:%Y-%m-%d}</h4>"
            )
        show_timeline(it, n, result.request, planner, lang)
        plan_form.running_late(it, n, lang)
        if result.stay is not None and n < len(days) - 1:
            name = result.stay.name_zh if lang == "zh" else result.stay.name_en
            st.info(t("label.night_at", lang, name=name), icon=":material/bed:")
    if result.warnings:
        notes = "\n".join(f"- {w.zh if lang == 'zh' else w.en}" for w in result.warnings)
        st.warning(
            f"**{t('label.notes', lang, n=len(result.warnings))}**\n\n{notes}",
            icon=":material/warning:",
        )


def left_out(result: Trip, lang: str) -> None:
    if not result.dropped:
        st.caption(t("label.nothing_left_out", lang))
        return
    # plain HTML, not a data grid: a grid cuts a long reason off at its column's width
    head = (
        f'<div class="pp-drop pp-drop-head"><div>{t("label.place", lang)}</div>'
        f"<div>{t('label.reason', lang)}</div></div>"
    )
    rows = "".join(
        f'<div class="pp-drop"><div class="pp-drop-name">{escape(d.name_zh if lang == "zh" else d.name_en)}</div>'
        f'<div class="pp-reason">{escape(d.reason.zh if lang == "zh" else d.reason.en)}</div></div>'
        for d in result.dropped
    )
    st.html(f'<div class="pp-dropped">{head}{rows}</div>')


def show_timeline(
    it: Itinerary, day: int, request: TripRequest, planner: Planner, lang: str
) -> None:
    """One day, in order: start, travel, waits, stop cards, end. ``request`` is the trip's."""
    pinned = set(request.required_ids)
    for entry in timeline(it):
        name = entry.name(lang)
        if entry.kind in ("start", "end"):
            icon = ":material/trip_origin:" if entry.kind == "start" else ":material/sports_score:"
            key = "label.start_point" if entry.kind == "start" else "label.end_point"
            st.markdown(f"{icon} **{entry.start:%H:%M}** · {t(key, lang)}: **{name}**")
        elif entry.kind == "travel":
            assert entry.leg is not None
            leg = it.legs[entry.leg]
            est = (
                f'<span class="pp-tag">{t("label.estimated_short", lang)}</span>'
                if entry.estimated
                else ""
            )
            url = escape(leg_amap_url(it, entry.leg, lang))
            link = (
                ""
                if stays_put(leg)
                else f' · <a href="{url}" target="_blank" rel="noopener">'
                f"{t('label.open_amap', lang)} ↗</a>"
            )
            st.html(
                f'<div class="pp-travel">{entry.start:%H:%M} · {escape(leg_line(leg, lang))} '
                f"{est}{link}"
                + "".join(
                    f'<div class="pp-ride">{escape(part)}</div>'
                    for part in bus_parts(leg, lang, to=entry.name(lang))
                )
                + "</div>"
            )
        elif entry.kind == "wait":
            assert entry.stop is not None
            why_wait = (
                "label.shorter_queue" if it.stops[entry.stop - 1].queue_s else "label.opens_at"
            )
            st.html(
                f'<div class="pp-travel">{t("label.wait", lang)} {fmt_duration(entry.seconds, lang)}'
                f" · {t(why_wait, lang, time=f'{entry.end:%H:%M}')}</div>"
            )
        elif entry.kind == "queue":
            st.html(
                f'<div class="pp-travel">'
                f"{t('label.queue_entry', lang, duration=fmt_duration(entry.seconds, lang))}</div>"
            )
        else:
            assert entry.stop is not None
            poi_id = it.stops[entry.stop - 1].poi_id
            stop_card(it, entry.stop, day, request, planner, lang, pinned=poi_id in pinned)


def stop_card(
    it: Itinerary,
    n: int,
    day: int,
    request: TripRequest,
    planner: Planner,
    lang: str,
    *,
    pinned: bool,
) -> None:
    """Stop ``n`` (1-based) of the day: times, facts, why, and pin / remove buttons."""
    zh = lang == "zh"
    stop = it.stops[n - 1]
    poi = planner.catalog.get(stop.poi_id) if stop.poi_id in planner.catalog else None
    name = escape(stop.name_zh if zh else stop.name_en)
    with st.container(border=True):
        top, act = st.columns([4, 1.2], vertical_alignment="top")
        meal = (
            f'<span class="pp-tag">{t("label.meal", lang)}</span>'
            if stop.category == Category.restaurant
            else ""
        )
        pin = f'<span class="pp-tag pp-pin">{t("label.pinned", lang)}</span>' if pinned else ""
        queue = (
            " · "
            + t(
                "label.queue",
                lang,
                minutes=round(stop.queue_s / 60),
                at=f"{stop.visit_start - dt.timedelta(seconds=stop.queue_s):%H:%M}",
            )
            if stop.queue_s >= 60
            else ""
        )
        top.html(
            f'<div class="pp-stop"><span class="pp-badge">{n}</span><b>{name}</b>{meal}{pin}</div>'
            f'<div class="pp-muted">{t("label.arrive", lang)} <b>{stop.arrival:%H:%M}</b>{queue} · '
            f"{t('label.visit', lang)} <b>{stop.visit_start:%H:%M}–{stop.departure:%H:%M}</b> · "
            f"{t('label.leave', lang)} <b>{stop.departure:%H:%M}</b></div>"
        )
        if poi is not None:
            top.markdown(poi.description(lang))
        top.caption(stop_facts(stop.ticket_cny, poi, lang))
        if poi is not None and poi.visitable:
            strip = crowd_strip(
                get_planner().crowd_outlook(poi.id, stop.arrival.date()),
                stop.arrival.hour,
                lang,
                planned=it.crowd_aware,
            )
            if strip:
                top.html(strip)
        why = ("；" if zh else "; ").join(r.zh if zh else r.en for r in stop.why)
        top.markdown(f":material/auto_awesome: **{t('label.why', lang)}:** {why}")
        if stop.kind != "picnic":  # a picnic is a break where you are: nothing to pin or remove
            stop_buttons(act, request, stop.poi_id, day, n, lang, pinned=pinned)


CROWD_COLOURS = ((0.8, "#cfe3c8"), (1.0, "#f1d98a"), (1.3, "#eea567"), (99.0, "#d9534f"))
"""Load (on site over comfortable capacity) up to each bound: quiet, busy, full, packed."""


def crowd_strip(
    outlook: Outlook | None, arrival_hour: int, lang: str, *, planned: bool = True
) -> str:
    """The "busy hours" strip of a place card: one cell an hour coloured by the expected load,
    the stop's hour outlined, and a line saying when it is busy and what that costs at the gate
    (on a plan blind to crowds, that the queue is not in its times)."""
    if outlook is None or not outlook.hours:
        return ""
    cells = []
    for h in outlook.hours:
        colour = next(c for bound, c in CROWD_COLOURS if h.load < bound)
        here = " pp-crowd-here" if h.hour == arrival_hour else ""
        tip = t("label.crowd_cell", lang, hour=f"{h.hour:02d}", load=f"{h.load:.0%}")
        cells.append(
            f'<span class="pp-crowd-cell{here}" style="background:{colour}" title="{tip}">'
            f"{h.hour:02d}</span>"
        )
    spans = ", ".join(f"{a:02d}:00–{b:02d}:00" for a, b in outlook.busy_spans())
    at = next((h for h in outlook.hours if h.hour == arrival_hour), None)
    if spans:
        text = t("label.crowd_busy", lang, spans=spans)
        if at is not None and at.wait_min >= 1:
            key = "label.crowd_wait" if planned else "label.crowd_wait_unplanned"
            text += " · " + t(key, lang, minutes=f"{at.wait_min:.0f}")
    else:
        text = t("label.crowd_quiet", lang)
    source = t(
        "label.crowd_source_forecast"
        if outlook.source.startswith("forecast")
        else "label.crowd_source_curve",
        lang,
    )
    return (
        f'<div class="pp-crowd" role="img" aria-label="{text}">{"".join(cells)}</div>'
        f'<div class="pp-muted pp-crowd-text">{text} <span class="pp-crowd-src">({source})</span></div>'
    )


def stop_facts(ticket_cny: float | None, poi: Poi | None, lang: str) -> str:
    """Hours (in words), ticket ("unknown" when the catalogue does not know it, "free" only for
    an explicit 0) and (when estimated) the point's confidence, as one caption."""
    if poi is not None and poi.ticket_cny is None:
        ticket_cny = None  # the stop may still carry 0 for an unknown price
    ticket = ticket_text(ticket_cny, lang)
    hours = (poi and hours_text(poi.opening_hours, lang)) or t("label.unknown", lang)
    facts = (
        f":material/schedule: {t('label.hours', lang)}: {hours} · "
        f":material/confirmation_number: {t('label.ticket', lang)}: {ticket}"
    )
    if poi is not None and poi.confidence == Confidence.low:
        facts += f" · :material/my_location: {t('label.coords_estimated', lang)}"
    return facts


def stop_buttons(
    col: DeltaGenerator,
    request: TripRequest,
    poi_id: str,
    day: int,
    n: int,
    lang: str,
    *,
    pinned: bool,
) -> None:
    if pinned:
        col.button(
            t("label.unpin", lang),
            icon=":material/keep_off:",
            key=f"unpin_{day}_{poi_id}",
            on_click=plan_form.unpin,
            args=(request, poi_id),
            width="stretch",
        )
    else:
        col.button(
            t("label.pin", lang),
            icon=":material/keep:",
            key=f"pin_{day}_{poi_id}",
            on_click=plan_form.pin,
            args=(request, poi_id, day + 1, n),
            width="stretch",
            help=t("label.pin_help", lang),
        )
    col.button(
        t("label.remove", lang),
        icon=":material/close:",
        key=f"remove_{day}_{poi_id}",
        on_click=plan_form.remove,
        args=(request, poi_id),
        width="stretch",
        help=t("label.remove_help", lang),
    )


# ------------------------------------------------------------------ take it along
def share_url(request: TripRequest, lang: str) -> str:
    base = (st.context.url or "").split("?")[0]
    return f"{base or '/'}?{urlencode({**request_to_query(request), 'lang': lang})}"


def take_along(result: Trip, lang: str) -> None:
    """Downloads (made when pressed, not on every rerun: the calendar alone takes 80 ms), the share
    link and the Amap links."""
    stem = f"pinggu-{result.request.date.isoformat()}"
    downloads: list[tuple[str, Callable[[], str | bytes], str, str, str]] = [
        ("GPX", partial(itinerary_gpx, result), "gpx", "application/gpx+xml", "route"),
        (
            t("label.calendar", lang),
            partial(itinerary_ics, result, lang=lang),
            "ics",
            "text/calendar",
            "event",
        ),
        (
            "GeoJSON",
            lambda: json.dumps(itinerary_geojson(result), ensure_ascii=False),
            "geojson",
            "application/geo+json",
            "map",
        ),
        (
            t("label.printable", lang),
            partial(printable_html, result, lang),
            "html",
            "text/html",
            "print",
        ),
    ]
    for col, (label, make, ext, mime, icon) in zip(st.columns(4), downloads, strict=True):
        col.download_button(
            label,
            make,
            file_name=f"{stem}.{ext}",
            mime=mime,
            width="stretch",
            key=f"dl_{ext}",
            icon=f":material/{icon}:",
            on_click="ignore",  # a download reruns nothing: the page stays as it is
        )
    st.markdown(f":material/link: **{t('label.share_link', lang)}**")
    st.code(share_url(result.request, lang), language=None, wrap_lines=True)
    st.caption(t("label.share_help", lang))
    st.markdown(f":material/navigation: **{t('label.amap_links', lang)}**")
    lines = []
    for d, it in enumerate(result.days):
        prefix = f"{t('label.day_n', lang, n=d + 1)} · " if len(result.days) > 1 else ""
        for k, leg in enumerate(it.legs):
            if stays_put(leg):  # nothing to navigate
                continue
            (_, a_zh, a_en), (_, b_zh, b_en) = leg_endpoints(it, k)
            a, b = (a_zh, b_zh) if lang == "zh" else (a_en, b_en)
            lines.append(
                f"- {prefix}[{a} → {b}]({leg_amap_url(it, k, lang)}) · {MODE_LABELS[leg.mode][lang]}"
            )
    st.markdown("\n".join(lines))
    st.caption(t("label.amap_note", lang))
