"""Pinggu Planner web app (Streamlit): a thin shell over :mod:`planner`.

Run with ``make app``. Pages hold layout only; every decision is a call into the planner core.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pydeck as pdk
import streamlit as st

from planner import Planner, PlannerError
from planner.boundary import load_boundary
from planner.export import itinerary_geojson
from planner.i18n import CATEGORY_LABELS, INTEREST_LABELS, MODE_LABELS, t
from planner.models import Interest, Itinerary, Mode, parse_trip_request
from planner.report import fmt_duration

DEFAULT_INTERESTS = [Interest.blossom, Interest.lake, Interest.gorge]


@st.cache_resource
def get_planner() -> Planner:
    """The planner over the bundled Pinggu data, shared by all sessions."""
    return Planner.from_configs()


@st.cache_data
def boundary_geojson() -> dict:
    return load_boundary().__geo_interface__


def next_saturday(today: dt.date) -> dt.date:
    return today + dt.timedelta(days=(5 - today.weekday()) % 7 or 7)


def lang() -> str:
    return st.session_state.get("lang", "zh")


def plan_page() -> None:
    L = lang()
    try:
        planner = get_planner()
    except PlannerError as exc:
        st.error(t("error.config", L, message=exc))
        return
    catalog = planner.catalog
    st.title(t("label.app_title", L))
    st.caption(t("label.tagline", L))

    def poi_label(pid: str) -> str:
        p = catalog.get(pid)
        return p.name(L)

    starts = [p.id for p in catalog if not p.visitable] + [p.id for p in catalog if p.visitable]
    with st.sidebar.form("request"):
        date = st.date_input(t("label.date", L), value=next_saturday(dt.date.today()), key="date")
        start = st.selectbox(
            t("label.start", L),
            starts,
            format_func=poi_label,
            key="start",
            index=starts.index("pinggu-bus-station") if "pinggu-bus-station" in starts else 0,
        )
        c1, c2 = st.columns(2)
        t_from = c1.time_input(t("label.from", L), value=dt.time(8, 30), step=900, key="from")
        t_to = c2.time_input(t("label.to", L), value=dt.time(18, 0), step=900, key="to")
        interests = st.multiselect(
            t("label.interests", L),
            list(Interest),
            default=DEFAULT_INTERESTS,
            format_func=lambda i: INTEREST_LABELS[i][L],
            key="interests",
        )
        mode = st.selectbox(
            t("label.mode", L), list(Mode), format_func=lambda m: MODE_LABELS[m][L], key="mode"
        )
        submitted = st.form_submit_button(
            t("label.plan", L), type="primary", use_container_width=True
        )

    if submitted:
        try:
            request = parse_trip_request(
                {
                    "date": date,
                    "start": start,
                    "start_time": t_from,
                    "end_time": t_to,
                    "interests": interests,
                    "mode": mode,
                }
            )
            st.session_state["itinerary"] = planner.plan(request)
            st.session_state.pop("error", None)
        except PlannerError as exc:
            st.session_state["error"] = str(exc)
            st.session_state.pop("itinerary", None)

    if "error" in st.session_state:
        st.error(t("error.input", L, message=st.session_state["error"]))
    it: Itinerary | None = st.session_state.get("itinerary")
    if it is None:
        st.info(t("label.no_plan_yet", L))
        st.pydeck_chart(deck(None, L), height=520)
        return
    show_itinerary(it, L)


def deck(it: Itinerary | None, L: str) -> pdk.Deck:
    """The map: our own layers (district boundary, places, legs, numbered stops) need no tiles."""
    planner = get_planner()
    places = [
        {"lon": p.lon, "lat": p.lat, "name": p.name(L), "cat": CATEGORY_LABELS[p.category][L]}
        for p in planner.catalog
    ]
    layers = [
        pdk.Layer(
            "GeoJsonLayer",
            boundary_geojson(),
            stroked=True,
            filled=True,
            get_fill_color=[120, 180, 120, 25],
            get_line_color=[60, 120, 60, 200],
            line_width_min_pixels=2,
        ),
        pdk.Layer(
            "ScatterplotLayer",
            places,
            get_position=["lon", "lat"],
            get_radius=250,
            get_fill_color=[120, 120, 120, 160],
            pickable=True,
        ),
    ]
    if it is not None:
        gj = itinerary_geojson(it)
        legs = [
            {"path": f["geometry"]["coordinates"], "estimated": f["properties"]["estimated"]}
            for f in gj["features"]
            if f["properties"]["kind"] == "leg"
        ]
        stops = [
            {
                "lon": f["geometry"]["coordinates"][0],
                "lat": f["geometry"]["coordinates"][1],
                "n": str(f["properties"]["order"]),
                "name": f["properties"]["name_zh" if L == "zh" else "name_en"],
                "cat": f"{f['properties']['arrival'][11:16]}-{f['properties']['departure'][11:16]}",
            }
            for f in gj["features"]
            if f["properties"]["kind"] == "stop"
        ]
        layers += [
            pdk.Layer(
                "PathLayer",
                legs,
                get_path="path",
                get_color=[220, 90, 40, 220],
                width_min_pixels=3,
                get_dash_array=[6, 4],
                dash_justified=True,
                extensions=[pdk.types.Function("PathStyleExtension", dash=True)],
            ),
            pdk.Layer(
                "ScatterplotLayer",
                stops,
                get_position=["lon", "lat"],
                get_radius=700,
                get_fill_color=[200, 40, 80, 235],
                get_line_color=[255, 255, 255],
                stroked=True,
                line_width_min_pixels=2,
                pickable=True,
            ),
            pdk.Layer(
                "TextLayer",
                stops,
                get_position=["lon", "lat"],
                get_text="n",
                get_size=16,
                get_color=[255, 255, 255],
                get_alignment_baseline="'center'",
            ),
        ]
    view = pdk.ViewState(longitude=117.15, latitude=40.21, zoom=9.6)
    return pdk.Deck(
        layers=layers, initial_view_state=view, map_style=None, tooltip={"text": "{name}\n{cat}"}
    )


def show_itinerary(it: Itinerary, L: str) -> None:
    tot = it.totals
    st.success(
        t(
            "label.totals",
            L,
            stops=tot.stops,
            travel=fmt_duration(tot.travel_s, L),
            km=f"{tot.distance_m / 1000:.0f}",
            tickets=f"{tot.tickets_cny:g}",
            end=f"{it.day_end:%H:%M}",
        )
    )
    left, right = st.columns([3, 2])
    with left:
        st.pydeck_chart(deck(it, L), height=520)
        st.caption(
            t("label.provider", L, provider=it.solver.travel_provider)
            + " · "
            + t("label.estimate_note", L)
        )
    with right:
        st.subheader(t("label.itinerary", L))
        rows = []
        for k, s in enumerate(it.stops, 1):
            leg = it.legs[k - 1]
            rows.append(
                {
                    "#": k,
                    t("label.place", L): s.name_zh if L == "zh" else s.name_en,
                    t("label.arrive", L): f"{s.arrival:%H:%M}",
                    t("label.visit", L): f"{s.visit_start:%H:%M}",
                    t("label.leave", L): f"{s.departure:%H:%M}",
                    t("label.travel", L): fmt_duration(leg.travel_s, L),
                    t("label.ticket", L): t("label.free", L)
                    if s.ticket_cny == 0
                    else f"¥{s.ticket_cny:g}",
                    t("label.why", L): "；".join(r.zh for r in s.why)
                    if L == "zh"
                    else "; ".join(r.en for r in s.why),
                }
            )
        st.dataframe(pd.DataFrame(rows), hide_index=True, use_container_width=True)
    if it.dropped:
        with st.expander(f"{t('label.left_out', L)} ({len(it.dropped)})"):
            st.dataframe(
                pd.DataFrame(
                    [
                        {
                            t("label.place", L): d.name_zh if L == "zh" else d.name_en,
                            t("label.reason", L): d.reason.zh if L == "zh" else d.reason.en,
                        }
                        for d in it.dropped
                    ]
                ),
                hide_index=True,
                use_container_width=True,
            )
    for w in it.warnings:
        st.warning(w.zh if L == "zh" else w.en)


def main() -> None:
    st.set_page_config(page_title="Pinggu Planner 平谷游线规划", page_icon="🍑", layout="wide")
    st.sidebar.radio(
        t("label.language", lang()),
        ["zh", "en"],
        key="lang",
        horizontal=True,
        format_func=lambda x: {"zh": "中文", "en": "English"}[x],
    )
    page = st.navigation([st.Page(plan_page, title="Plan · 规划", icon="🗺️", default=True)])
    page.run()


main()
