"""The plan page's request: its form, its state and every change to it.

The request lives in the URL (``st.query_params``, the share link); the form's values live in
``st.session_state`` under ``f_<field>``. Every change (the form, a map click, pin or remove on a
stop, "I'm running late") ends in :func:`set_request`, which writes the URL.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import streamlit as st

from planner import Itinerary, Planner, PlannerError, TripRequest
from planner.errors import ItineraryCheckError, RequestError
from planner.i18n.texts import CATEGORY_LABELS, INTEREST_LABELS, LANGS, MODE_LABELS, t
from planner.model import Category, Interest, Mode, Pace, Pin, parse_trip_request
from planner.model.common import TZ
from planner.present.error_text import error_reason
from planner.present.share import request_from_query, request_to_query
from webapp import mapview
from webapp.common import get_planner

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
    "days": "label.days",
    "budget_cny": "label.budget_cny",
    "stay": "label.stay_pick",
    "pins": "label.pins",
    "pace": "label.pace",
}
CROWD_CHOICE: dict[bool | None, str] = {None: "auto", True: "on", False: "off"}
"""TripRequest.crowds as the form's choice: around crowds on festival days, always, never."""
NAMED_FIELDS = ("start", "end", "stay", "must", "avoid")
"""Fields whose options are shown by place name: their widgets are keyed per language."""


# ------------------------------------------------------------------ request <-> form
def next_weekend(today: dt.date) -> dt.date:
    """The coming Saturday (a week later when today is Saturday)."""
    return today + dt.timedelta(days=(5 - today.weekday()) % 7 or 7)


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
    ss["f_days"] = request.days
    ss["f_start"] = request.start
    ss["f_end"] = request.end or ""
    ss["f_stay"] = request.stay
    ss["f_from"] = request.start_time
    ss["f_to"] = request.end_time
    ss["f_interests"] = [Interest(i) for i in request.interests]
    ss["f_mode"] = Mode(request.mode)
    ss["f_pace"] = Pace(request.pace)
    ss["f_crowds"] = CROWD_CHOICE[request.crowds]
    ss["f_budget_cny"] = request.budget_cny
    ss["f_must"] = list(request.must)
    ss["f_avoid"] = list(request.avoid)
    ss["f_pins"] = list(request.pins)  # no widget: kept so that a new press keeps the pins
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
    """The form's values as raw request data (validated by :func:`parse_trip_request`)."""
    ss = st.session_state
    return {
        "date": ss["f_date"],
        "days": ss["f_days"],
        "start": ss["f_start"],
        "end": ss["f_end"] or None,
        "stay": ss["f_stay"],
        "start_time": ss["f_from"],
        "end_time": ss["f_to"],
        "interests": list(ss["f_interests"] or []),
        "mode": ss["f_mode"],
        "pace": ss["f_pace"],
        "crowds": {v: k for k, v in CROWD_CHOICE.items()}[ss.get("f_crowds") or "auto"],
        "budget_cny": ss["f_budget_cny"],
        "must": list(ss["f_must"]),
        "avoid": list(ss["f_avoid"]),
        "pins": [p for p in ss.get("f_pins", []) if p.poi_id not in ss["f_avoid"]],
    }


def set_request(request: TripRequest) -> None:
    """Make ``request`` the page's request: it goes into the URL (the share link)."""
    keep = {k: st.query_params[k] for k in ("lang",) if k in st.query_params}
    st.query_params.from_dict({**request_to_query(request), **keep})
    st.session_state.pop("form_error", None)
    for key in [k for k in st.session_state if isinstance(k, str) and k.startswith("late_error")]:
        del st.session_state[key]  # a new plan: the last re-plan's refusal is old news


def url_request() -> TripRequest | None:
    """The request in the URL, if there is one (raises RequestError for a bad one)."""
    params = st.query_params.to_dict()
    if "date" not in params and "start" not in params:
        return None
    return request_from_query(params)


def sync_form(planner: Planner) -> tuple[TripRequest | None, Exception | None]:
    """The URL's request (or the error that it is not one); the form shows it when it changed."""
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
    return request, st.session_state.get("form_error") or url_error


def error_text(exc: Exception, lang: str, planner: Planner | None = None) -> str:
    """The error in the page's language, its field named once by the form's label; the English
    message where there is no translation (never a CLI command: the form has the lists)."""
    if isinstance(exc, ItineraryCheckError):  # a bug of ours, never the visitor's input
        return t("error.internal", lang)
    text = error_reason(exc, planner.catalog if planner is not None else None)
    if text is not None:
        message = text.zh if lang == "zh" else text.en
    elif isinstance(exc, RequestError):
        message = exc.problem.message
    else:
        message = str(exc)
    message = _CLI_HINT.sub("", message)
    if isinstance(exc, RequestError) and exc.field in FIELD_LABELS:
        return t("error.field", lang, field=t(FIELD_LABELS[exc.field], lang), message=message)
    return t("error.input", lang, message=message)


_CLI_HINT = re.compile(r"\s*\((?:list them with|see) `planner [^`]*`\)")
"""A pointer to a CLI command, which a web visitor cannot follow."""


# ------------------------------------------------------------------ callbacks
def _on_submit() -> None:
    st.session_state.pop("form_touched", None)
    _commit_widgets()
    try:
        set_request(parse_trip_request(form_data()))
    except PlannerError as exc:
        st.session_state["form_error"] = exc


def _edit(request: TripRequest, **update: Any) -> None:
    new = parse_trip_request(request.model_copy(update=update).model_dump())
    st.session_state["_before_edit"] = request.model_dump_json()
    load_form(new)
    set_request(new)


def edit_done() -> None:
    """The edited request planned: nothing to go back to."""
    st.session_state.pop("_before_edit", None)


def undo_edit() -> TripRequest | None:
    """After a pin or removal that cannot be planned, the request before it (back in the form and
    the URL, so the plan shown is never lost), or None when the failure was not such an edit."""
    before = st.session_state.pop("_before_edit", None)
    if before is None:
        return None
    request = TripRequest.model_validate_json(before)
    load_form(request)
    keep = {k: st.query_params[k] for k in ("lang",) if k in st.query_params}
    st.query_params.from_dict({**request_to_query(request), **keep})
    st.session_state["_loaded"] = request.model_dump_json()
    return request


def pin(request: TripRequest, poi_id: str, day: int, position: int) -> None:
    """Keep a stop in the plan, at its place in its day (``day`` 1-based, of ``request``'s trip)."""
    pins = [p for p in request.pins if p.poi_id != poi_id]
    pins.append(Pin(poi_id=poi_id, position=position, day=day if request.days > 1 else None))
    _edit(
        request,
        pins=pins,
        must=[m for m in request.must if m != poi_id],
        avoid=[a for a in request.avoid if a != poi_id],
    )


def unpin(request: TripRequest, poi_id: str) -> None:
    _edit(
        request,
        must=[m for m in request.must if m != poi_id],
        pins=[p for p in request.pins if p.poi_id != poi_id],
    )


def remove(request: TripRequest, poi_id: str) -> None:
    _edit(
        request,
        must=[m for m in request.must if m != poi_id],
        avoid=[*[a for a in request.avoid if a != poi_id], poi_id],
        pins=[p for p in request.pins if p.poi_id != poi_id],
    )


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
    ss["form_touched"] = True  # the form has a change to plan: show it open
    ss.pop("form_error", None)
    _drop_widgets()


def on_map_select() -> None:
    """A click on the map picks a place (any dot with an id) or, in pick mode, that point."""
    hit = mapview.selected("plan_map")
    if hit is None:
        return
    if hit.get("id"):
        st.session_state["picked"] = hit["id"]
    elif "lon" in hit and "lat" in hit:
        st.session_state["picked"] = f"{float(hit['lon']):.5f},{float(hit['lat']):.5f}"


HERE_GPS = "gps"
"""The running-late "I am at" choice that stands for the phone's reported position."""


def on_position() -> None:
    """The phone reported where the visitor is (they asked the map to follow them): the
    "I'm running late" re-plan can start from there."""
    hit = mapview.position("plan_map")
    if hit is None or "lon" not in hit or "lat" not in hit:
        return
    ss = st.session_state
    ss["here_gps"] = (float(hit["lon"]), float(hit["lat"]))
    for key in [k for k in ss if isinstance(k, str) and k.startswith("late_here")]:
        ss[key] = HERE_GPS  # "I am at" follows the phone from now on


def late_key(name: str, day: int) -> str:
    """The running-late widget ``name`` of the trip's ``day`` (0-based; the first day's has no suffix)."""
    return name if day == 0 else f"{name}_{day}"


def _running_late(it: Itinerary, day: int) -> None:
    """Re-plan the rest of the day ``it`` from where the visitor is, now (the planner's replan)."""
    ss = st.session_state
    now = dt.datetime.combine(it.request.date, ss[late_key("late_now", day)], TZ)
    chosen = ss[late_key("late_visited", day)]
    visited = [s.poi_id for s in it.stops if s.poi_id in chosen]
    here = ss[late_key("late_here", day)]
    if here == HERE_GPS:
        here = ss.get("here_gps")
    try:
        new = get_planner().replan(it, now=now, here=here, visited=visited)
    except PlannerError as exc:
        # the day as planned stays on screen: a visitor stranded at 17:20 still needs it
        ss[late_key("late_error", day)] = exc
        return
    ss.pop(late_key("late_error", day), None)
    load_form(new.request)
    set_request(new.request)


# ------------------------------------------------------------------ place names
def place_name(planner: Planner, pid: str, lang: str) -> str:
    """A place's name, or "Point lon,lat" for a point clicked on the map."""
    try:
        return planner.catalog.resolve(pid).name(lang)
    except PlannerError:
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


# ------------------------------------------------------------------ widgets
def form_summary(planner: Planner, request: TripRequest, lang: str) -> str:
    """One line that says what the plan shown was planned for (the collapsed form's label)."""
    interests = ", ".join(INTEREST_LABELS[i][lang] for i in request.interests)
    days = f" · {t('label.days_count', lang, n=request.days)}" if request.days > 1 else ""
    parts = [f"{request.date:%Y-%m-%d}{days}", place_name(planner, request.start, lang)]
    return " · ".join([*parts, interests] if interests else parts)


def folded(request: TripRequest | None, planned: bool) -> bool:
    """Whether the form folds into one line: once there is a plan, and no change waits to be
    planned, so the map and the plan come first (on a phone, above the fold)."""
    return planned and request is not None and not st.session_state.get("form_touched")


def form_box(planner: Planner, request: TripRequest | None, planned: bool, lang: str) -> Any:
    """Where the form goes: open until there is a plan, then folded into one line that says what
    was planned (:func:`folded`); a tap opens it again. The widgets keep their keys, so nothing
    typed is lost."""
    if request is None or not folded(request, planned):
        return st.container()
    return st.expander(
        t("label.change_plan", lang, summary=form_summary(planner, request, lang)),
        icon=":material/edit_calendar:",
    )


def picked_panel(planner: Planner, lang: str) -> None:
    """The place picked on the map, with buttons to use it in the form."""
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


def request_form(planner: Planner, lang: str) -> None:
    """The trip form: date, days, start, interests, and more options in an expander."""
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
        c1, c2 = st.columns([2, 1])
        c1.date_input(t("label.date", lang), key="f_date", format="YYYY-MM-DD")
        c2.number_input(t("label.days", lang), min_value=1, max_value=4, step=1, key="f_days")
        st.selectbox(
            t("label.start", lang),
            starts,
            format_func=label,
            key=widget_key("start", lang),
            placeholder=t("label.choose", lang),
        )
        st.pills(
            t("label.interests", lang),
            list(Interest),
            selection_mode="multi",
            format_func=lambda i: INTEREST_LABELS[i][lang],
            key="f_interests",
        )
        st.segmented_control(
            t("label.crowds", lang),
            list(CROWD_CHOICE.values()),
            format_func=lambda c: t(f"label.crowds.{c}", lang),
            key="f_crowds",
            required=True,
            help=t("label.crowds_help", lang),
        )
        with st.expander(t("label.more_options", lang), icon=":material/tune:"):
            _more_options(planner, lang, starts, visitable)
        st.form_submit_button(
            t("label.plan", lang),
            type="primary",
            width="stretch",
            on_click=_on_submit,
            icon=":material/auto_awesome:",
        )


def _more_options(planner: Planner, lang: str, starts: list[str], visitable: list[str]) -> None:
    label = _place_label(planner, lang)
    st.selectbox(
        t("label.end", lang),
        ["", *starts],
        format_func=label,
        key=widget_key("end", lang),
        placeholder=t("label.choose", lang),
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
    stays = [p.id for p in planner.catalog if p.category == Category.lodging]
    st.selectbox(
        t("label.stay_pick", lang),
        [None, *stays],
        format_func=lambda i: t("label.stay_suggest", lang) if i is None else label(i),
        key=widget_key("stay", lang),
        placeholder=t("label.choose", lang),
    )
    st.segmented_control(
        t("label.pace", lang),
        list(Pace),
        format_func=lambda p: t(f"label.pace.{p.value}", lang),
        key="f_pace",
        required=True,
    )
    st.number_input(
        t("label.budget_cny", lang),
        min_value=0.0,
        step=50.0,
        key="f_budget_cny",
        placeholder=t("label.no_limit", lang),
        help=t("label.budget_help", lang),
    )
    for name in ("must", "avoid"):
        st.multiselect(
            t(f"label.{name}", lang),
            visitable,
            format_func=label,
            key=widget_key(name, lang),
            placeholder=t("label.choose_places", lang),
        )


def running_late(it: Itinerary, day: int, lang: str) -> None:
    """ "I'm running late" for one day of the plan: where, when, what is done; re-plan from there."""
    failed = st.session_state.get(late_key("late_error", day))
    with st.expander(
        t("label.running_late", lang), icon=":material/running_with_errors:", expanded=bool(failed)
    ):
        now = dt.datetime.now(TZ)
        now_t = now.time().replace(second=0, microsecond=0)
        if it.request.date != now.date() or not (
            it.request.start_time < now_t < it.request.end_time
        ):
            now_t = it.stops[0].departure.time() if it.stops else it.request.start_time
        places = [it.start.poi_id, *[s.poi_id for s in it.stops]]
        names = {it.start.poi_id: it.start.name_zh if lang == "zh" else it.start.name_en}
        names |= {s.poi_id: s.name_zh if lang == "zh" else s.name_en for s in it.stops}
        gps = st.session_state.get("here_gps")
        if gps is not None:  # the map follows the phone: start from where it says
            places = [HERE_GPS, *places]
            names[HERE_GPS] = t("label.my_position", lang, lon=f"{gps[0]:.4f}", lat=f"{gps[1]:.4f}")
        done = [s.poi_id for s in it.stops if s.departure.time() <= now_t]
        st.caption(t("label.running_late_help", lang))
        c1, c2 = st.columns(2)
        c1.selectbox(
            t("label.i_am_at", lang),
            places,
            index=0 if gps is not None else (places.index(done[-1]) if done else 0),
            format_func=names.__getitem__,
            key=late_key("late_here", day),
            placeholder=t("label.choose", lang),
        )
        c2.time_input(t("label.now", lang), value=now_t, step=300, key=late_key("late_now", day))
        st.multiselect(
            t("label.visited", lang),
            [s.poi_id for s in it.stops],
            default=done,
            format_func=names.__getitem__,
            key=late_key("late_visited", day),
            placeholder=t("label.choose_places", lang),
        )
        st.button(
            t("label.replan_now", lang),
            on_click=_running_late,
            args=(it, day),
            type="primary",
            key=late_key("late_go", day),
            icon=":material/update:",
        )
        if failed is not None:  # what stopped the re-plan, under its button
            st.error(error_text(failed, lang, get_planner()), icon=":material/error:")
