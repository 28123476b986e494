"""The tourist page: one press plans a day; the request lives in the URL, so a link shares the plan."""

from __future__ import annotations

import datetime as dt
import enum
import typing
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import pandas as pd
import streamlit as st

from planner import Itinerary, Planner, PlannerError, TripRequest
from planner.errors import RequestError
from planner.i18n.texts import CATEGORY_LABELS, INTEREST_LABELS, LANGS, MODE_LABELS, t
from planner.model import Category, Confidence, Interest, Mode, parse_trip_request
from planner.model.common import TZ
from planner.present.exports import (
    itinerary_geojson,
    itinerary_gpx,
    itinerary_ics,
    leg_amap_url,
    printable_html,
)
from planner.present.report import fmt_duration
from planner.present.share import request_from_query, request_to_query
from planner.present.timeline import Plan, days_of, leg_endpoints, timeline
from webapp import maps, mapview
from webapp.common import (
    configs_dir,
    district_rings,
    get_planner,
    language_switch,
    planner_version,
    style,
)

DEFAULT_START = "pinggu-bus-station"
DEFAULT_INTERESTS = [Interest.blossom, Interest.lake, Interest.gorge]
MODE_ICONS = {
    Mode.car: ":material/directions_car:",
    Mode.bus: ":material/directions_bus:",
    Mode.bicycle: ":material/directions_bike:",
    Mode.walk: ":material/directions_walk:",
}
FIELD_LABELS = {
    "date": "label.date",
    "start": "label.start",
    "end": "label.end",
    "start_time": "label.from",
    "end_time": "label.to",
    "interests": "label.interests",
    "must": "label.must",
    "avoid": "label.avoid",
    "mode": "label.mode",
}
EXTRA_FIELDS = ("days", "stay", "pace", "budget_cny", "budget")
"""Optional request fields shown when the planner's TripRequest has them (multi-day, pace, budget)."""
NAMED_FIELDS = ("start", "end", "stay", "must", "avoid")
"""Fields whose options are shown by place name: their widgets are keyed per language."""


# ------------------------------------------------------------------ request <-> form
def next_weekend(today: dt.date) -> dt.date:
    """The coming Saturday (a week later when today is Saturday)."""
    return today + dt.timedelta(days=(5 - today.weekday()) % 7 or 7)


def extra_fields() -> list[str]:
    return [f for f in EXTRA_FIELDS if f in TripRequest.model_fields]


def default_request(planner: Planner) -> TripRequest:
    """The one-click day: next weekend, from where visitors arrive, for the popular interests."""
    starts = [p.id for p in planner.catalog if not p.visitable] or planner.catalog.ids
    start = DEFAULT_START if DEFAULT_START in planner.catalog else starts[0]
    return TripRequest(
        date=next_weekend(dt.datetime.now(TZ).date()), start=start, interests=DEFAULT_INTERESTS
    )


def load_form(request: TripRequest) -> None:
    """Put a request into the form's widgets (before they are drawn, or from a callback)."""
    ss = st.session_state
    ss["f_date"] = request.date
    ss["f_start"] = request.start
    ss["f_end"] = request.end or ""
    ss["f_from"] = request.start_time
    ss["f_to"] = request.end_time
    ss["f_interests"] = [Interest(i) for i in request.interests]
    ss["f_mode"] = Mode(request.mode)
    ss["f_must"] = list(request.must)
    ss["f_avoid"] = list(request.avoid)
    for name in extra_fields():
        ss[f"f_{name}"] = getattr(request, name)
    _drop_widgets()


def widget_key(name: str, lang: str) -> str:
    """The widget key of a place-name field in ``lang``; its value lives in ``f_<name>``.

    Why per language: the browser side of a selectbox keeps the label it showed, so after a
    language switch the start would still read in the old language. A widget per language is
    drawn fresh, with the new names.
    """
    return f"f_{name}__{lang}"


def _seed_widgets(lang: str) -> None:
    """Give this language's place-name widgets the form's values (before they are drawn)."""
    ss = st.session_state
    ss["_form_lang"] = lang
    for name in NAMED_FIELDS:
        key = widget_key(name, lang)
        if f"f_{name}" in ss and key not in ss:
            value = ss[f"f_{name}"]
            ss[key] = list(value) if isinstance(value, list) else value


def _drop_widgets() -> None:
    """After the form's values changed: the drawn language's place-name widgets take them (the
    browser is told), the other language's are forgotten and seeded afresh when drawn."""
    ss = st.session_state
    shown = ss.get("_form_lang")
    for name in NAMED_FIELDS:
        for lang in LANGS:
            key = widget_key(name, lang)
            if lang == shown and f"f_{name}" in ss:
                value = ss[f"f_{name}"]
                ss[key] = list(value) if isinstance(value, list) else value
            else:
                ss.pop(key, None)


def _commit_widgets() -> None:
    """Take the place-name widgets' values (as the visitor set them) into the form's values."""
    ss = st.session_state
    lang = ss.get("_form_lang")
    for name in NAMED_FIELDS:
        key = widget_key(name, str(lang))
        if key in ss:
            ss[f"f_{name}"] = ss[key]


def form_data() -> dict[str, Any]:
    ss = st.session_state
    data: dict[str, Any] = {
        "date": ss["f_date"],
        "start": ss["f_start"],
        "end": ss["f_end"] or None,
        "start_time": ss["f_from"],
        "end_time": ss["f_to"],
        "interests": list(ss["f_interests"] or []),
        "mode": ss["f_mode"],
        "must": list(ss["f_must"]),
        "avoid": list(ss["f_avoid"]),
    }
    for name in extra_fields():
        if ss.get(f"f_{name}") is not None:
            data[name] = ss[f"f_{name}"]
    return data


def set_request(request: TripRequest) -> None:
    """Make ``request`` the page's request: it goes into the URL (the share link)."""
    keep = {k: st.query_params[k] for k in ("lang",) if k in st.query_params}
    st.query_params.from_dict({**request_to_query(request), **keep})
    st.session_state.pop("form_error", None)


def url_request() -> TripRequest | None:
    """The request in the URL, if there is one (raises RequestError for a bad one)."""
    params = st.query_params.to_dict()
    if "date" not in params and "start" not in params:
        return None
    return request_from_query(params)


# ------------------------------------------------------------------ planning (cached)
@st.cache_data(max_entries=200, show_spinner=False)
def _plan(request_json: str, configs: str, version: str) -> Plan:
    """Cached per request, configs folder and configs version (the arguments are the key)."""
    del configs, version
    return get_planner().plan_trip(TripRequest.model_validate_json(request_json))


def plan(request: TripRequest) -> Plan:
    """The plan for ``request`` over the current catalogue (cached per request and catalogue version)."""
    return _plan(request.model_dump_json(), str(configs_dir()), planner_version())


def error_text(exc: Exception, lang: str) -> str:
    if isinstance(exc, RequestError) and exc.field in FIELD_LABELS:
        return t("error.field", lang, field=t(FIELD_LABELS[exc.field], lang), message=str(exc))
    return t("error.input", lang, message=str(exc))


# ------------------------------------------------------------------ callbacks
def _on_submit() -> None:
    _commit_widgets()
    try:
        set_request(parse_trip_request(form_data()))
    except PlannerError as exc:
        st.session_state["form_error"] = exc


def _edit(request: TripRequest, **update: Any) -> None:
    new = parse_trip_request(request.model_copy(update=update).model_dump())
    load_form(new)
    set_request(new)


def pinned_ids(request: TripRequest) -> list[str]:
    return list(getattr(request, "required_ids", request.must))


def _pin(request: TripRequest, poi_id: str, day: int, position: int) -> None:
    """Keep a stop in the plan (at its place in the day, when the planner takes pins)."""
    avoid = [a for a in request.avoid if a != poi_id]
    if "pins" in TripRequest.model_fields:
        from planner.model import Pin

        pins = [p for p in request.pins if p.poi_id != poi_id]
        pins.append(Pin(poi_id=poi_id, position=position, day=day if request.days > 1 else None))
        _edit(request, pins=pins, must=[m for m in request.must if m != poi_id], avoid=avoid)
    else:
        _edit(request, must=[*[m for m in request.must if m != poi_id], poi_id], avoid=avoid)


def _unpin(request: TripRequest, poi_id: str) -> None:
    update: dict[str, Any] = {"must": [m for m in request.must if m != poi_id]}
    if "pins" in TripRequest.model_fields:
        update["pins"] = [p for p in request.pins if p.poi_id != poi_id]
    _edit(request, **update)


def _remove(request: TripRequest, poi_id: str) -> None:
    update: dict[str, Any] = {
        "must": [m for m in request.must if m != poi_id],
        "avoid": [*[a for a in request.avoid if a != poi_id], poi_id],
    }
    if "pins" in TripRequest.model_fields:
        update["pins"] = [p for p in request.pins if p.poi_id != poi_id]
    _edit(request, **update)


def _use_picked(role: str) -> None:
    pid = st.session_state.get("picked")
    if not pid:
        return
    ss = st.session_state
    if role == "start":
        ss["f_start"] = pid
    elif role == "end":
        ss["f_end"] = pid
    elif role == "must":
        ss["f_must"] = [*[m for m in ss["f_must"] if m != pid], pid]
        ss["f_avoid"] = [a for a in ss["f_avoid"] if a != pid]
    elif role == "avoid":
        ss["f_avoid"] = [*[a for a in ss["f_avoid"] if a != pid], pid]
        ss["f_must"] = [m for m in ss["f_must"] if m != pid]
    ss.pop("picked", None)
    ss.pop("form_error", None)
    _drop_widgets()


def _on_map_select() -> None:
    """A click on the map picks a place (any dot with an id) or, in pick mode, that point."""
    hit = mapview.selected("plan_map")
    if hit is None:
        return
    if hit.get("id"):
        st.session_state["picked"] = hit["id"]
    elif "lon" in hit and "lat" in hit:
        st.session_state["picked"] = f"{float(hit['lon']):.5f},{float(hit['lat']):.5f}"


def _running_late(it: Itinerary, planner: Planner) -> None:
    """Re-plan the rest of the day from where the visitor is, now."""
    ss = st.session_state
    here: str = ss["late_here"]
    now = dt.datetime.combine(it.request.date, ss["late_now"], TZ)
    visited = [s.poi_id for s in it.stops if s.poi_id in ss["late_visited"]]
    try:
        replan = getattr(planner, "replan", None)
        if replan is not None:
            new_request = replan(it, now=now, here=here, visited=visited).request
        else:  # a planner without replan(): the rest of the day as a new request
            req = it.request
            new_request = parse_trip_request(
                req.model_dump()
                | {
                    "start": here,
                    "end": req.end or req.start,
                    "start_time": now.time(),
                    "must": [m for m in req.must if m not in visited and m != here],
                    "avoid": [*[a for a in req.avoid if a != here], *visited],
                }
            )
        load_form(new_request)
        set_request(new_request)
    except PlannerError as exc:
        ss["form_error"] = exc


# ------------------------------------------------------------------ page
def page() -> None:
    style()
    head, switch = st.columns([5, 1.4], vertical_alignment="center")
    lang = language_switch(switch)
    head.title(t("label.app_title", lang))
    head.caption(t("label.tagline", lang))
    try:
        planner = get_planner()
    except PlannerError as exc:
        st.error(t("error.config", lang, message=exc))
        return

    request: TripRequest | None = None
    url_error: Exception | None = None
    try:
        request = url_request()
    except PlannerError as exc:
        url_error = exc
    loaded = request.model_dump_json() if request is not None else ""
    if "f_date" not in st.session_state or st.session_state.get("_loaded") != loaded:
        load_form(request or default_request(planner))
        st.session_state["_loaded"] = loaded

    left, right = st.columns([1, 2.1], gap="large")
    with left:
        picked_panel(planner, lang)
        request_form(planner, lang)

    result: Plan | None = None
    problem: Exception | None = st.session_state.get("form_error") or url_error
    if request is not None and problem is None:
        try:
            result = plan(request)
        except PlannerError as exc:
            problem = exc
    with right:
        pick_points = st.session_state.get("pick_points", False)
        mapview.map_view(
            _plan_map(result, planner, lang, bool(pick_points)),
            key="plan_map",
            on_select=_on_map_select,
        )
        st.html(maps.legend_html(days_of(result) if result is not None else [], lang))
        c1, c2 = st.columns([3, 2], vertical_alignment="center")
        provider = days_of(result)[0].solver.travel_provider if result else planner.travel.name
        c1.caption(provider_text(provider, lang))
        if hasattr(planner.catalog, "resolve"):
            c2.toggle(t("label.pick_points", lang), key="pick_points")
    if problem is not None:
        st.error(error_text(problem, lang), icon=":material/error:")
    if result is None:
        if problem is None:
            st.info(t("label.no_plan_yet", lang), icon=":material/touch_app:")
        return
    show_plan(result, planner, lang)


def _plan_map(result: Plan | None, planner: Planner, lang: str, clickable: bool) -> dict[str, Any]:
    return maps.plan_map(
        planner.catalog,
        district_rings(),
        days_of(result) if result is not None else [],
        lang,
        travel=planner.travel,
        clickable=clickable,
    )


def provider_text(provider: str, lang: str) -> str:
    kind = "label.provider_roads" if provider.startswith("osm") else "label.provider_estimate"
    return t("label.provider", lang, provider=f"{t(kind, lang)} ({provider})")


def place_name(planner: Planner, pid: str, lang: str) -> str:
    """A place's name, or "Point lon,lat" for a point clicked on the map."""
    if pid in planner.catalog:
        return planner.catalog.get(pid).name(lang)
    resolve = getattr(planner.catalog, "resolve", None)
    if resolve is not None:
        try:
            return str(resolve(pid).name(lang))
        except PlannerError:
            pass
    return pid


def _place_label(planner: Planner, lang: str) -> Callable[[str], str]:
    def label(pid: str) -> str:
        if not pid:
            return t("label.same_as_start", lang)
        if pid in planner.catalog:
            p = planner.catalog.get(pid)
            return ("▸ " if not p.visitable else "") + p.name(lang)
        return "◎ " + place_name(planner, pid, lang)

    return label


def picked_panel(planner: Planner, lang: str) -> None:
    pid = st.session_state.get("picked")
    if not pid:
        return
    p = planner.catalog.get(pid) if pid in planner.catalog else None
    with st.container(border=True):
        kind = CATEGORY_LABELS[p.category][lang] if p else t("label.map_point", lang)
        st.markdown(f":material/location_on: **{place_name(planner, pid, lang)}** · {kind}")
        if p is not None:
            st.caption(p.description(lang))
        roles = ["start", "end"] + (["must", "avoid"] if p is not None and p.visitable else [])
        cols = st.columns(2)  # two a row: the labels fit a narrow column and a phone
        for k, role in enumerate(roles):
            cols[k % 2].button(
                t(f"label.use_as_{role}", lang),
                key=f"use_{role}",
                on_click=_use_picked,
                args=(role,),
                width="stretch",
            )


def _enum_options(name: str) -> list[Any] | None:
    ann = TripRequest.model_fields[name].annotation
    for option in (ann, *typing.get_args(ann)):
        if isinstance(option, type) and issubclass(option, enum.Enum):
            return list(option)
        if typing.get_origin(option) is typing.Literal:
            return list(typing.get_args(option))
    return None


def _option_label(name: str, lang: str) -> Callable[[Any], str]:
    from planner.i18n.texts import MESSAGES

    def label(o: Any) -> str:
        key = f"label.{name}.{getattr(o, 'value', o)}"
        return t(key, lang) if key in MESSAGES else str(getattr(o, "value", o))

    return label


def request_form(planner: Planner, lang: str) -> None:
    catalog = planner.catalog
    label = _place_label(planner, lang)
    ss = st.session_state
    starts = [p.id for p in catalog if not p.visitable] + [p.id for p in catalog if p.visitable]
    visitable = [p.id for p in catalog if p.visitable]
    for key in ("f_start", "f_end"):  # a point clicked on the map is an option too
        if ss.get(key) and ss[key] not in starts:
            starts = [ss[key], *starts]
    _seed_widgets(lang)
    with st.form("trip", border=True):
        c1, c2 = st.columns([2, 1]) if "days" in extra_fields() else (st.container(), None)
        c1.date_input(t("label.date", lang), key="f_date", format="YYYY-MM-DD")
        if c2 is not None:
            c2.number_input(t("label.days", lang), min_value=1, max_value=4, step=1, key="f_days")
        st.selectbox(
            t("label.start", lang), starts, format_func=label, key=widget_key("start", lang)
        )
        st.pills(
            t("label.interests", lang),
            list(Interest),
            selection_mode="multi",
            format_func=lambda i: INTEREST_LABELS[i][lang],
            key="f_interests",
        )
        with st.expander(t("label.more_options", lang), icon=":material/tune:"):
            st.selectbox(
                t("label.end", lang),
                ["", *starts],
                format_func=label,
                key=widget_key("end", lang),
            )
            c1, c2 = st.columns(2)
            c1.time_input(t("label.from", lang), step=900, key="f_from")
            c2.time_input(t("label.to", lang), step=900, key="f_to")
            st.segmented_control(
                t("label.mode", lang),
                list(Mode),
                format_func=lambda m: f"{MODE_ICONS[m]} {MODE_LABELS[m][lang]}",
                key="f_mode",
                required=True,
            )
            for name in extra_fields():
                if name == "days":
                    continue
                if name == "stay":
                    stays = [p.id for p in catalog if p.category == Category.lodging]
                    st.selectbox(
                        t("label.stay_pick", lang),
                        [None, *stays],
                        format_func=lambda i: (
                            t("label.stay_suggest", lang) if i is None else label(i)
                        ),
                        key=widget_key("stay", lang),
                    )
                    continue
                options = _enum_options(name)
                if options is not None:
                    st.segmented_control(
                        t(f"label.{name}", lang),
                        options,
                        format_func=_option_label(name, lang),
                        key=f"f_{name}",
                        required=True,
                    )
                else:
                    st.number_input(
                        t(f"label.{name}", lang),
                        min_value=0.0,
                        step=50.0,
                        key=f"f_{name}",
                        placeholder=t("label.no_limit", lang),
                    )
            for name in ("must", "avoid"):
                st.multiselect(
                    t(f"label.{name}", lang),
                    visitable,
                    format_func=label,
                    key=widget_key(name, lang),
                )
        st.form_submit_button(
            t("label.plan", lang),
            type="primary",
            width="stretch",
            on_click=_on_submit,
            icon=":material/auto_awesome:",
        )


# ------------------------------------------------------------------ the plan
def show_plan(result: Plan, planner: Planner, lang: str) -> None:
    days = days_of(result)
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
        stay = getattr(result, "stay", None)
        for n, it in enumerate(days):
            if len(days) > 1:
                colour = maps.day_colour(n)
                st.html(
                    f'<h4 style="margin:.6rem 0 .2rem"><span class="pp-day" style="background:rgb{colour}">'
                    f"</span>{t('label.day_n', lang, n=n + 1)} · {it.day_start:%Y-%m-%d}</h4>"
                )
            show_timeline(it, n, planner, lang)
            if stay is not None and n < len(days) - 1:
                name = stay.name_zh if lang == "zh" else stay.name_en
                st.info(t("label.night_at", lang, name=name), icon=":material/bed:")
        if len(days) == 1:
            running_late(days[0], planner, lang)
        if result.warnings:
            notes = "\n".join(f"- {w.zh if lang == 'zh' else w.en}" for w in result.warnings)
            st.warning(
                f"**{t('label.notes', lang, n=len(result.warnings))}**\n\n{notes}",
                icon=":material/warning:",
            )
    with tabs[1]:
        if result.dropped:
            st.dataframe(
                pd.DataFrame(
                    [
                        {
                            t("label.place", lang): d.name_zh if lang == "zh" else d.name_en,
                            t("label.reason", lang): d.reason.zh if lang == "zh" else d.reason.en,
                        }
                        for d in result.dropped
                    ]
                ),
                hide_index=True,
                width="stretch",
            )
        else:
            st.caption(t("label.nothing_left_out", lang))
    with tabs[2]:
        take_along(result, lang)


def show_timeline(it: Itinerary, day: int, planner: Planner, lang: str) -> None:
    zh = lang == "zh"
    request = it.request
    pinned = set(pinned_ids(request))
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
            url = leg_amap_url(it, entry.leg, lang)
            st.html(
                f'<div class="pp-travel">{entry.start:%H:%M} · {MODE_LABELS[leg.mode][lang]} '
                f"{fmt_duration(leg.travel_s, lang)} · {leg.distance_m / 1000:.1f} km {est} · "
                f'<a href="{url}" target="_blank" rel="noopener">{t("label.open_amap", lang)} ↗</a></div>'
            )
        elif entry.kind == "wait":
            st.html(
                f'<div class="pp-travel">{t("label.wait", lang)} {fmt_duration(entry.seconds, lang)}'
                f" · {t('label.opens_at', lang, time=f'{entry.end:%H:%M}')}</div>"
            )
        else:
            assert entry.stop is not None
            stop_card(
                it, entry.stop, day, planner, lang, pinned=stop_id(it, entry.stop) in pinned, zh=zh
            )


def stop_id(it: Itinerary, n: int) -> str:
    return it.stops[n - 1].poi_id


def stop_card(
    it: Itinerary, n: int, day: int, planner: Planner, lang: str, *, pinned: bool, zh: bool
) -> None:
    stop = it.stops[n - 1]
    request = it.request
    poi = planner.catalog.get(stop.poi_id) if stop.poi_id in planner.catalog else None
    name = stop.name_zh if zh else stop.name_en
    with st.container(border=True):
        top, act = st.columns([4, 1.2], vertical_alignment="top")
        meal = (
            f'<span class="pp-tag">{t("label.meal", lang)}</span>'
            if stop.category == Category.restaurant
            else ""
        )
        pin = f'<span class="pp-tag pp-pin">{t("label.pinned", lang)}</span>' if pinned else ""
        top.html(
            f'<div class="pp-stop"><span class="pp-badge">{n}</span><b>{name}</b>{meal}{pin}</div>'
            f'<div class="pp-muted">{t("label.arrive", lang)} <b>{stop.arrival:%H:%M}</b> · '
            f"{t('label.visit', lang)} <b>{stop.visit_start:%H:%M}–{stop.departure:%H:%M}</b> · "
            f"{t('label.leave', lang)} <b>{stop.departure:%H:%M}</b></div>"
        )
        if poi is not None:
            top.markdown(poi.description(lang))
        ticket = t("label.free", lang) if stop.ticket_cny == 0 else f"¥{stop.ticket_cny:g}"
        if poi is not None and poi.ticket_cny is None:
            ticket = t("label.unknown", lang)
        hours = (
            poi.opening_hours if poi is not None and poi.opening_hours else t("label.unknown", lang)
        )
        facts = (
            f":material/schedule: {t('label.hours', lang)}: {hours} · "
            f":material/confirmation_number: {t('label.ticket', lang)}: {ticket}"
        )
        if poi is not None and poi.confidence == Confidence.low:
            facts += f" · :material/my_location: {t('label.coords_estimated', lang)}"
        top.caption(facts)
        why = ("；" if zh else "; ").join(r.zh if zh else r.en for r in stop.why)
        top.markdown(f":material/auto_awesome: **{t('label.why', lang)}:** {why}")
        if pinned:
            act.button(
                t("label.unpin", lang),
                icon=":material/keep_off:",
                key=f"unpin_{day}_{stop.poi_id}",
                on_click=_unpin,
                args=(request, stop.poi_id),
                width="stretch",
            )
        else:
            act.button(
                t("label.pin", lang),
                icon=":material/keep:",
                key=f"pin_{day}_{stop.poi_id}",
                on_click=_pin,
                args=(request, stop.poi_id, day + 1, n),
                width="stretch",
                help=t("label.pin_help", lang),
            )
        act.button(
            t("label.remove", lang),
            icon=":material/close:",
            key=f"remove_{day}_{stop.poi_id}",
            on_click=_remove,
            args=(request, stop.poi_id),
            width="stretch",
            help=t("label.remove_help", lang),
        )


def running_late(it: Itinerary, planner: Planner, lang: str) -> None:
    with st.expander(t("label.running_late", lang), icon=":material/running_with_errors:"):
        now = dt.datetime.now(TZ)
        now_t = now.time().replace(second=0, microsecond=0)
        if it.request.date != now.date() or not (
            it.request.start_time < now_t < it.request.end_time
        ):
            now_t = it.stops[0].departure.time() if it.stops else it.request.start_time
        places = [it.start.poi_id, *[s.poi_id for s in it.stops]]
        names = {it.start.poi_id: it.start.name_zh if lang == "zh" else it.start.name_en}
        names |= {s.poi_id: s.name_zh if lang == "zh" else s.name_en for s in it.stops}
        done = [s.poi_id for s in it.stops if s.departure.time() <= now_t]
        st.caption(t("label.running_late_help", lang))
        c1, c2 = st.columns(2)
        c1.selectbox(
            t("label.i_am_at", lang),
            places,
            index=places.index(done[-1]) if done else 0,
            format_func=names.__getitem__,
            key="late_here",
        )
        c2.time_input(t("label.now", lang), value=now_t, step=300, key="late_now")
        st.multiselect(
            t("label.visited", lang),
            [s.poi_id for s in it.stops],
            default=done,
            format_func=names.__getitem__,
            key="late_visited",
        )
        st.button(
            t("label.replan_now", lang),
            on_click=_running_late,
            args=(it, planner),
            type="primary",
            key="late_go",
            icon=":material/update:",
        )


def share_url(request: TripRequest, lang: str) -> str:
    base = ""
    try:
        base = (st.context.url or "").split("?")[0]
    except Exception:  # bare mode
        base = ""
    return f"{base or '/'}?{urlencode({**request_to_query(request), 'lang': lang})}"


def take_along(result: Plan, lang: str) -> None:
    """Downloads (made when pressed, not on every rerun: the calendar alone takes 80 ms), the share
    link and the Amap links."""
    import json
    from functools import partial

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
        )
    st.markdown(f":material/link: **{t('label.share_link', lang)}**")
    st.code(share_url(result.request, lang), language=None, wrap_lines=True)
    st.caption(t("label.share_help", lang))
    st.markdown(f":material/navigation: **{t('label.amap_links', lang)}**")
    lines = []
    for d, it in enumerate(days_of(result)):
        prefix = f"{t('label.day_n', lang, n=d + 1)} · " if len(days_of(result)) > 1 else ""
        for k, leg in enumerate(it.legs):
            (_, a_zh, a_en), (_, b_zh, b_en) = leg_endpoints(it, k)
            a, b = (a_zh, b_zh) if lang == "zh" else (a_en, b_en)
            lines.append(
                f"- {prefix}[{a} → {b}]({leg_amap_url(it, k, lang)}) · {MODE_LABELS[leg.mode][lang]}"
            )
    st.markdown("\n".join(lines))
    st.caption(t("label.amap_note", lang))
