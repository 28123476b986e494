"""The operators' page: edit places (table, map, seasons), see data quality, verify the places
with OpenStreetMap (:mod:`webapp.osm_review`). Behind a password.

Every save goes through :class:`planner.data.store.CatalogStore`: validated first (each problem shown
next to its field), written atomically with the previous version kept, and merged with what another
operator saved in between unless both changed the same places. Then the page names those places, and
"Reload" shows the newer catalogue with this operator's unsaved edits to every other place kept.
A refused save of one place (its form, or its seasons) keeps what the operator typed there too:
after "Reload" the form holds their changes on top of the version on file now, with the file's
value shown next to each field where the two differ, until they save it or discard it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

import pandas as pd
import streamlit as st

from planner.data.catalog import entry_entity
from planner.data.coords import gcj02_to_wgs84
from planner.data.store import ConflictError, StaleWriteError, rebase_entries
from planner.errors import ConfigError, PlannerError, Problem, RequestError
from planner.i18n.texts import CATEGORY_LABELS, INTEREST_LABELS, t
from planner.model import Category, Confidence, Interest, SeasonKind
from webapp import maps, mapview, osm_review
from webapp.common import (
    basemap_extract,
    catalog_store,
    district_rings,
    get_planner,
    language_switch,
    operator_gate,
    style,
)

TABLE_FIELDS = [
    "id",
    "name_zh",
    "name_en",
    "category",
    "interests",
    "lon",
    "lat",
    "confidence",
    "opening_hours",
    "visit_minutes",
    "ticket_cny",
    "popularity",
    "off_season_value",
    "capacity_at_once",
    "capacity_per_hour",
    "visitable",
    "description_zh",
    "description_en",
    "source",
]
INT_FIELDS = {"visit_minutes", "capacity_at_once", "capacity_per_hour"}


# ------------------------------------------------------------------ snapshot and saving
def snapshot(*, reload: bool = False) -> tuple[list[dict[str, Any]], str]:
    """The catalogue as this operator loaded it, and its etag (kept until a save or a reload)."""
    ss = st.session_state
    if reload or "op_snapshot" not in ss:
        catalog, etag = catalog_store().load()
        ss["op_snapshot"] = ([p.model_dump(mode="json") for p in catalog], etag)
        ss["op_base"] = ss["op_snapshot"][0]  # the file at that etag (the table may hold more)
        ss["op_version"] = ss.get("op_version", 0) + 1
    entries, etag = ss["op_snapshot"]
    return entries, etag


def _clean(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "tolist"):
        value = value.tolist()
    if isinstance(value, str) and value.strip() == "":
        return None
    return value


def row_to_entry(row: dict[str, Any], seasons: list[dict[str, Any]] | None) -> dict[str, Any]:
    entry = {k: _clean(v) for k, v in row.items() if k in TABLE_FIELDS}
    for k in INT_FIELDS:
        if isinstance(entry.get(k), float) and float(entry[k]).is_integer():
            entry[k] = int(entry[k])
    if entry.get("interests") is None:
        entry["interests"] = []
    else:
        entry["interests"] = list(entry["interests"])
    if seasons:
        entry["seasons"] = seasons
    return {k: v for k, v in entry.items() if v is not None}


def catalog_source() -> str:
    """The name the store's problems give the catalogue (``pois.yaml``)."""
    return catalog_store().path.name


def field_problems(entries: Sequence[Mapping[str, Any]]) -> list[Problem]:
    """Every problem the store would find in these entries (their fields, repeated ids), at once.

    The boundary is the store's to check, on save; each problem names its entry as the store's do.
    """
    from planner.data.catalog import build_catalog

    try:
        build_catalog(entries, source=catalog_source())
    except ConfigError as exc:
        return exc.problems
    return []


def form_errors(problems: Sequence[Problem], entity: str) -> dict[str, list[str]]:
    """One entry's problems by the form input they belong to (``""``: the place as a whole),
    each naming its field (``opening_hours "8-5" is not valid ...``) but not the place."""
    out: dict[str, list[str]] = {}
    for p in problems:
        if p.entity == entity:
            key = (p.field or "").split(".")[0].split("/")[0]  # seasons.0.start, lon/lat
            out.setdefault(key, []).append(str(replace(p, entity="")))
    return out


def save(
    action: str, fn: Any, lang: str, *, mine: Sequence[Mapping[str, Any]] | None = None
) -> bool:
    """Run a store write; record the outcome for the page. True when it was saved.

    ``mine`` is the whole catalogue as this save would leave it: kept when the save is refused for
    a conflict, so that "Reload" can carry the edits to the other places over.
    """
    ss = st.session_state
    try:
        fn()
    except ConflictError as exc:
        ss["op_result"] = ("conflict", exc.places)
        base = ss.get("op_base", snapshot()[0])
        ss["op_pending"] = (list(base), list(mine or []), exc.places)
        return False
    except StaleWriteError:
        ss["op_result"] = ("stale", action)
        return False
    except ConfigError as exc:
        ss["op_result"] = ("invalid", action)
        ss["op_problems"] = exc.problems
        return False
    except PlannerError as exc:
        ss["op_result"] = ("error", str(exc))
        return False
    ss["op_result"] = ("saved", action)
    for key in ("op_problems", "op_pending", "op_unsaved", "op_typed"):
        ss.pop(key, None)
    snapshot(reload=True)
    return True


def _same(a: Any, b: Any) -> bool:
    """Equal as an operator sees it: numbers to the coordinates' 6 decimals."""
    if all(isinstance(v, int | float) and not isinstance(v, bool) for v in (a, b)):
        return math.isclose(a, b, abs_tol=1e-6)
    return bool(a == b)


def keep_typed(kind: str, typed: Mapping[str, Any], base: Mapping[str, Any] | None) -> None:
    """Keep what the operator typed for one place (``kind``: ``place`` or ``seasons``) when its
    save was refused, with the version it was typed over, so no reload loses it."""
    st.session_state["op_typed"] = {
        "kind": kind,
        "id": typed.get("id"),
        "typed": dict(typed),
        "base": dict(base or {}),
    }


def typed_values(
    kind: str, pid: str | None, on_file: Mapping[str, Any] | None
) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """The values to show for place ``pid`` when a refused save of it was kept: the version on
    file now with this operator's changes on top, and, of the fields they changed, the file's
    value where it differs from theirs. None when nothing is kept for this place."""
    kept = st.session_state.get("op_typed")
    if not kept or kept["kind"] != kind or pid is None or kept["id"] != pid:
        return None
    typed, base, now = kept["typed"], kept["base"], dict(on_file or {})
    changed = sorted(k for k in {*typed, *base} if not _same(typed.get(k), base.get(k)))
    values = dict(now)
    for k in changed:
        if k in typed:
            values[k] = typed[k]
        else:
            values.pop(k, None)
    differs = {k: now.get(k) for k in changed if not _same(values.get(k), now.get(k))}
    return values, differs


def _shown(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "—"
    return str(value)


def _discard_typed() -> None:
    st.session_state.pop("op_typed", None)


def show_typed_kept(pid: str, lang: str) -> None:
    """Say that this place holds the operator's unsaved values, with a way to drop them."""
    st.info(t("op.typed_kept", lang, place=pid), icon=":material/edit_note:")
    st.button(t("op.discard_typed", lang), key="op_discard_typed", on_click=_discard_typed)


def _with_entry(entries: Sequence[Mapping[str, Any]], entry: Mapping[str, Any]) -> list[Any]:
    """The catalogue with one place added or replaced (what a place save would leave)."""
    out = [entry if e.get("id") == entry.get("id") else e for e in entries]
    return out if any(e is entry for e in out) else [*out, entry]


def show_result(lang: str) -> None:
    res = st.session_state.get("op_result")
    if not res:
        return
    kind, detail = res
    if kind == "saved":
        st.success(t("op.saved", lang), icon=":material/check_circle:")
    elif kind == "stale":
        st.error(t("op.stale", lang), icon=":material/lock:")
        st.button(t("op.reload", lang), key="op_reload_stale", on_click=_reload)
    elif kind == "conflict":
        st.error(t("op.conflict", lang, places=", ".join(detail)), icon=":material/lock:")
        st.button(t("op.reload", lang), key="op_reload_stale", on_click=_reload_keeping_edits)
    elif kind == "invalid":
        st.error(t("op.invalid", lang), icon=":material/block:")
    else:
        st.error(detail)


def _reload() -> None:
    snapshot(reload=True)
    for key in ("op_result", "op_problems", "op_pending", "op_unsaved"):
        st.session_state.pop(key, None)
    kept = st.session_state.get("op_typed")  # kept across reloads: the form shows it on theirs
    if kept and kept["kind"] == "place":
        st.session_state["op_target"] = kept["id"]


def _reload_keeping_edits() -> None:
    """The catalogue as it is now, with this operator's unsaved edits to the places nobody else
    changed (they stay unsaved: the table shows them, "Save table" writes them)."""
    ss = st.session_state
    pending = ss.get("op_pending")
    _reload()
    if pending is None:
        return
    base, mine, conflicts = pending
    theirs, etag = snapshot()
    entries, kept = rebase_entries(base, mine, theirs, conflicts)
    ss["op_snapshot"] = ([dict(e) for e in entries], etag)
    if kept:
        ss["op_unsaved"] = kept


def show_problems(problems: Sequence[Problem], lang: str, ids: list[str] | None = None) -> None:
    """Every problem of a refused save: place, field, what is wrong (and the table row, when
    ``ids`` gives the table's order; a new row has none)."""
    if not problems:
        return
    source = catalog_source()
    place_of = {entry_entity(source, 0, {"id": pid}): pid for pid in ids or []}
    rows = []
    for p in problems:
        pid = place_of.get(p.entity)
        row = {t("op.row", lang): ids.index(pid) + 1 if pid is not None else None} if ids else {}
        rows.append(
            row
            | {
                t("label.place", lang): pid or p.entity or "—",
                t("op.field", lang): p.field or "—",
                t("op.problem", lang): p.message,
            }
        )
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch", key="op_problem_table")


# ------------------------------------------------------------------ page
def page() -> None:
    style()
    head, switch = st.columns([5, 1.4], vertical_alignment="center")
    lang = language_switch(switch)
    head.title(t("op.title", lang))
    if not operator_gate(lang):
        return
    entries, etag = snapshot()
    bar = st.columns([4, 1], vertical_alignment="center")
    bar[0].caption(t("op.version", lang, etag=etag, path=str(catalog_store().path)))
    bar[1].button(f":material/refresh: {t('op.reload', lang)}", on_click=_reload, width="stretch")
    show_result(lang)
    if st.session_state.get("op_unsaved"):
        st.warning(
            t("op.unsaved_kept", lang, places=", ".join(st.session_state["op_unsaved"])),
            icon=":material/edit_note:",
        )
    tabs = st.tabs(
        [
            f":material/table: {t('op.tab_table', lang)}",
            f":material/add_location_alt: {t('op.tab_map', lang)}",
            f":material/local_florist: {t('op.tab_seasons', lang)}",
            f":material/fact_check: {t('op.tab_quality', lang)}",
            f":material/travel_explore: {t('op.osm_tab', lang)}",
            f":material/groups: {t('op.crowds_tab', lang)}",
        ],
        key=f"op_tabs_{lang}",  # the open tab is kept across a save's rerun (labels differ by language)
        on_change="rerun",
    )
    with tabs[0]:
        table_tab(entries, etag, lang)
    with tabs[1]:
        map_tab(entries, etag, lang)
    with tabs[2]:
        seasons_tab(entries, etag, lang)
    with tabs[3]:
        quality_tab(entries, lang)
    with tabs[4]:
        osm_review.verify_tab(entries, etag, lang, on_applied=_reload)
    with tabs[5]:
        crowds_tab(lang)


def table_tab(entries: list[dict[str, Any]], etag: str, lang: str) -> None:
    st.caption(t("op.table_help", lang))
    df = pd.DataFrame([{k: e.get(k) for k in TABLE_FIELDS} for e in entries], columns=TABLE_FIELDS)
    config = {
        "id": st.column_config.TextColumn("id", required=True, pinned=True),
        "category": st.column_config.SelectboxColumn(
            t("op.category", lang), options=[c.value for c in Category], required=True
        ),
        "interests": st.column_config.MultiselectColumn(
            t("label.interests", lang),
            options=[i.value for i in Interest],
            format_func=lambda v: INTEREST_LABELS[Interest(v)][lang],
        ),
        "confidence": st.column_config.SelectboxColumn(
            t("op.confidence", lang), options=[c.value for c in Confidence], required=True
        ),
        "lon": st.column_config.NumberColumn(
            "lon (WGS84)", format="%.5f", min_value=-180, max_value=180
        ),
        "lat": st.column_config.NumberColumn(
            "lat (WGS84)", format="%.5f", min_value=-90, max_value=90
        ),
        "opening_hours": st.column_config.TextColumn(t("label.hours", lang), width="medium"),
        "visit_minutes": st.column_config.NumberColumn(t("op.visit_minutes", lang), step=1),
        "ticket_cny": st.column_config.NumberColumn(t("label.ticket", lang) + " ¥", step=1),
        "popularity": st.column_config.NumberColumn(t("op.popularity", lang), step=0.05),
        "capacity_at_once": st.column_config.NumberColumn(
            t("op.capacity_at_once", lang), step=1, min_value=1, help=t("op.capacity_help", lang)
        ),
        "capacity_per_hour": st.column_config.NumberColumn(
            t("op.capacity_per_hour", lang), step=1, min_value=1, help=t("op.capacity_help", lang)
        ),
        "visitable": st.column_config.CheckboxColumn(t("op.visitable", lang)),
        "description_zh": st.column_config.TextColumn("description_zh", width="large"),
        "description_en": st.column_config.TextColumn("description_en", width="large"),
        "source": st.column_config.TextColumn("source", width="large"),
    }
    # After a refused save the problems sit right above the table, each with its row and column.
    # (Not inside the cells: the editor forgets unsaved edits whenever its columns change.)
    show_problems(
        st.session_state.get("op_problems", []), lang, [str(e.get("id")) for e in entries]
    )
    edited = st.data_editor(
        df,
        column_config=config,
        num_rows="dynamic",
        hide_index=True,
        width="stretch",
        height=460,
        key=f"op_table_{st.session_state.get('op_version', 0)}",
    )
    if st.button(
        f":material/save: {t('op.save_table', lang)}", type="primary", key="op_save_table"
    ):
        seasons = {e["id"]: e.get("seasons") for e in entries}
        new: list[Mapping[str, Any]] = [
            row_to_entry(r, seasons.get(str(r.get("id")))) for r in edited.to_dict(orient="records")
        ]
        problems = field_problems(new)
        if problems:
            st.session_state["op_result"] = ("invalid", "table")
            st.session_state["op_problems"] = problems
        else:
            save("table", lambda: catalog_store().replace_all(new, if_match=etag), lang, mine=new)
        st.rerun()


# ------------------------------------------------------------------ add or move on the map
def _on_op_click() -> None:
    """A click picks that exact point (a new place goes there); a click on a place selects it."""
    hit = mapview.selected("op_map")
    if hit is None or "lon" not in hit or "lat" not in hit:
        return
    st.session_state["op_click"] = (float(hit["lon"]), float(hit["lat"]))
    st.session_state["op_click_n"] = st.session_state.get("op_click_n", 0) + 1
    if hit.get("id"):
        st.session_state["op_target"] = hit["id"]


def map_tab(entries: list[dict[str, Any]], etag: str, lang: str) -> None:
    from planner.data.catalog import build_catalog

    st.caption(t("op.map_help", lang))
    ids = [e["id"] for e in entries]
    target = st.selectbox(
        t("op.target", lang),
        ["", *ids],
        format_func=lambda i: i if i else f"+ {t('op.new_place', lang)}",
        key="op_target",
        placeholder=t("op.choose_place", lang),
    )
    base = next((e for e in entries if e["id"] == target), None)
    click = st.session_state.get("op_click")
    marker = click or ((base["lon"], base["lat"]) if base else None)
    catalog = build_catalog(entries, source="snapshot")
    left, right = st.columns([1.6, 1], gap="large")
    with left:
        mapview.map_view(
            maps.operator_map(
                catalog, district_rings(), lang, marker=marker, extract=basemap_extract()
            ),
            key="op_map",
            on_select=_on_op_click,
        )
        st.html(maps.legend_html([], lang, operator=True))
    with right:
        place_form(base, click, etag, lang)


def place_form(
    base: dict[str, Any] | None, click: tuple[float, float] | None, etag: str, lang: str
) -> None:
    ss = st.session_state
    kept = typed_values("place", (base or {}).get("id"), base)
    tag = f"{(base or {}).get('id', '_new')}_{ss.get('op_click_n', 0)}_{ss.get('op_version', 0)}"
    errors: dict[str, list[str]] = ss.get("op_form_errors", {})
    b = base or {"category": "village", "confidence": "low", "visit_minutes": 60, "visitable": True}
    on_file: dict[str, Any] = {}
    if kept is not None:  # a refused save of this place: what they typed, over the file's version
        b, on_file = kept
        tag += "_typed"
        show_typed_kept(str(b["id"]), lang)
    lon0, lat0 = (
        (b["lon"], b["lat"])
        if kept is not None
        else click
        if click
        else (b.get("lon", 117.12), b.get("lat", 40.14))
    )

    def problems_of(field: str) -> None:
        for m in errors.get(field, []):
            st.error(m, icon=":material/error:")
        if field in on_file:
            st.caption(f"{field} · {t('op.on_file', lang, value=_shown(on_file[field]))}")

    with st.form(f"op_place_{tag}"):
        problems_of("")
        values: dict[str, Any] = {}
        values["id"] = st.text_input("id", b.get("id", ""), disabled=base is not None)
        problems_of("id")
        for f in ("name_zh", "name_en"):
            values[f] = st.text_input(f, b.get(f, ""))
            problems_of(f)
        c1, c2 = st.columns(2)
        values["lon"] = c1.number_input(
            "lon (WGS84)", value=float(lon0), format="%.5f", step=0.0005
        )
        values["lat"] = c2.number_input(
            "lat (WGS84)", value=float(lat0), format="%.5f", step=0.0005
        )
        gcj = st.checkbox(t("op.gcj_numbers", lang), value=False)
        problems_of("lon")
        problems_of("lat")
        values["category"] = st.selectbox(
            t("op.category", lang),
            [c.value for c in Category],
            index=[c.value for c in Category].index(b.get("category", "village")),
            format_func=lambda c: CATEGORY_LABELS[Category(c)][lang],
            placeholder=t("op.choose_category", lang),
        )
        problems_of("category")
        values["confidence"] = st.selectbox(
            t("op.confidence", lang),
            [c.value for c in Confidence],
            index=[c.value for c in Confidence].index(b.get("confidence", "low")),
            placeholder=t("op.choose_confidence", lang),
        )
        problems_of("confidence")
        values["interests"] = st.multiselect(
            t("label.interests", lang),
            [i.value for i in Interest],
            default=b.get("interests", []),
            format_func=lambda v: INTEREST_LABELS[Interest(v)][lang],
            placeholder=t("op.choose_interests", lang),
        )
        problems_of("interests")
        values["opening_hours"] = st.text_input(
            t("label.hours", lang), b.get("opening_hours") or "", placeholder="Mo-Su 08:00-17:00"
        )
        problems_of("opening_hours")
        c3, c4 = st.columns(2)
        values["visit_minutes"] = c3.number_input(
            t("op.visit_minutes", lang), value=int(b.get("visit_minutes", 60)), step=15
        )
        ticket = b.get("ticket_cny")
        values["ticket_cny"] = c4.number_input(
            t("label.ticket", lang) + " ¥",
            value=None if ticket is None else float(ticket),
            step=5.0,
        )
        problems_of("visit_minutes")
        problems_of("ticket_cny")
        values["visitable"] = st.checkbox(
            t("op.visitable", lang), value=bool(b.get("visitable", True))
        )
        problems_of("visitable")
        for f in ("description_zh", "description_en", "source"):
            values[f] = st.text_area(f, b.get(f, ""), height=80)
            problems_of(f)
        submitted = st.form_submit_button(
            f":material/save: {t('op.save_place', lang)}", type="primary"
        )
    if submitted:
        if base is not None:
            values["id"] = base["id"]
        if gcj:
            values["lon"], values["lat"] = gcj02_to_wgs84(values["lon"], values["lat"])
        values["lon"], values["lat"] = round(values["lon"], 6), round(values["lat"], 6)
        entry = {**(base or {}), **{k: v for k, v in values.items() if v not in ("", None)}}
        for k in ("opening_hours", "ticket_cny"):
            if values.get(k) in ("", None):
                entry.pop(k, None)
        entity = entry_entity(catalog_source(), 0, entry)
        by_field = form_errors(field_problems([entry]), entity)
        if by_field:
            ss["op_form_errors"] = by_field
            ss["op_result"] = ("invalid", "place")
        else:
            ss.pop("op_form_errors", None)
            ok = save(
                "place",
                lambda: catalog_store().put(entry, if_match=etag),
                lang,
                mine=_with_entry(snapshot()[0], entry),
            )
            if ss.get("op_result", ("",))[0] in ("conflict", "stale"):
                keep_typed("place", entry, base)
            if not ok and "op_problems" in ss:
                ss["op_form_errors"] = form_errors(ss["op_problems"], entity)
            if ok:
                ss.pop("op_click", None)
        st.rerun()


# ------------------------------------------------------------------ seasons and festivals
def seasons_tab(entries: list[dict[str, Any]], etag: str, lang: str) -> None:
    st.caption(t("op.seasons_help", lang))
    ids = [e["id"] for e in entries if e.get("visitable", True)]
    pid = st.selectbox(
        t("label.place", lang), ids, key="op_season_place", placeholder=t("op.choose_place", lang)
    )
    entry = next(e for e in entries if e["id"] == pid)
    shown, tag = entry, f"{pid}_{st.session_state.get('op_version', 0)}"
    kept = typed_values("seasons", pid, entry)
    # a season names its dates, or a zone of configs/seasons.yaml whose window that year applies
    columns = ["kind", "zone", "start", "end", "note"]
    zones = sorted(get_planner().seasons.zones)
    if kept is not None:  # a refused save of these seasons: what they typed, next to the file's
        shown, on_file = kept
        tag += "_typed"
        show_typed_kept(pid, lang)
        if on_file:
            mine, now = st.columns(2)
            mine.caption(t("op.yours", lang))
            now.caption(t("op.on_file_title", lang))
            now.dataframe(
                pd.DataFrame(entry.get("seasons") or [], columns=columns),
                hide_index=True,
                key="op_seasons_on_file",
            )
            if "off_season_value" in on_file:
                now.caption(
                    f"{t('op.off_season_value', lang)} · "
                    + t("op.on_file", lang, value=_shown(entry.get("off_season_value", 1.0)))
                )
    df = pd.DataFrame(shown.get("seasons") or [], columns=columns)
    edited = st.data_editor(
        df,
        num_rows="dynamic",
        hide_index=True,
        width="stretch",
        column_config={
            "kind": st.column_config.SelectboxColumn(
                t("op.kind", lang), options=[k.value for k in SeasonKind], required=True
            ),
            "zone": st.column_config.SelectboxColumn(t("op.zone", lang), options=zones),
            "start": st.column_config.TextColumn("start (MM-DD)", max_chars=5),
            "end": st.column_config.TextColumn("end (MM-DD)", max_chars=5),
            "note": st.column_config.TextColumn(t("op.note", lang), width="large"),
        },
        key=f"op_seasons_{tag}",
    )
    value = st.number_input(
        t("op.off_season_value", lang),
        0.0,
        1.0,
        float(shown.get("off_season_value", 1.0)),
        0.05,
        key=f"op_osv_{tag}",
    )
    if st.button(
        f":material/save: {t('op.save_seasons', lang)}", type="primary", key="op_save_seasons"
    ):
        seasons = [
            {k: v for k, v in {k: _clean(v) for k, v in r.items()}.items() if v is not None}
            for r in edited.to_dict(orient="records")
            if any(_clean(v) is not None for v in r.values())
        ]
        new = {**entry, "seasons": seasons, "off_season_value": value}
        problems = field_problems([new])
        if problems:
            st.session_state["op_result"] = ("invalid", "seasons")
            st.session_state["op_problems"] = problems
        else:
            save(
                "seasons",
                lambda: catalog_store().put(new, if_match=etag),
                lang,
                mine=_with_entry(entries, new),
            )
            if st.session_state.get("op_result", ("",))[0] in ("conflict", "stale"):
                keep_typed("seasons", new, entry)
        st.rerun()


# ------------------------------------------------------------------ data quality
def quality_tab(entries: list[dict[str, Any]], lang: str) -> None:
    rows = []
    for e in entries:
        visitable = e.get("visitable", True)
        rows.append(
            {
                "id": e["id"],
                t("label.place", lang): e["name_zh"] if lang == "zh" else e["name_en"],
                t("op.estimated_coords", lang): e.get("confidence") == "low",
                t("op.missing_hours", lang): visitable and not e.get("opening_hours"),
                t("op.missing_price", lang): visitable and e.get("ticket_cny") is None,
                t("op.confidence", lang): e.get("confidence"),
                "source": e.get("source", ""),
            }
        )
    df = pd.DataFrame(rows)
    st.caption(t("op.osm_by_confidence", lang))
    by_confidence = {c: sum(e.get("confidence") == c.value for e in entries) for c in Confidence}
    for column, (conf, n) in zip(
        st.columns(len(by_confidence)), by_confidence.items(), strict=True
    ):
        column.metric(t(f"op.osm_confidence_{conf.value}", lang), n)
    st.caption(t("op.osm_needs_look", lang))
    c = st.columns(3)
    c[0].metric(t("op.estimated_coords", lang), int(df[t("op.estimated_coords", lang)].sum()))
    c[1].metric(t("op.missing_hours", lang), int(df[t("op.missing_hours", lang)].sum()))
    c[2].metric(t("op.missing_price", lang), int(df[t("op.missing_price", lang)].sum()))
    only = st.toggle(t("op.only_problems", lang), value=True, key="op_only_problems")
    flags = [
        t("op.estimated_coords", lang),
        t("op.missing_hours", lang),
        t("op.missing_price", lang),
    ]
    if only:
        df = df[df[flags].any(axis=1)]
    st.dataframe(
        df,
        hide_index=True,
        width="stretch",
        column_config={f: st.column_config.CheckboxColumn(f) for f in flags},
    )


# ------------------------------------------------------------------ expected crowding
def crowds_tab(lang: str) -> None:
    """The district's expected load for a chosen date: visitors on site per hour across the
    district, and per place its busy hours and load hour by hour (planner.plan.crowding)."""
    from planner.data.crowds import capacity_of
    from planner.plan.crowding import check_places, forecast_text, parse_forecast

    planner = get_planner()
    st.caption(t("op.crowds_help", lang))
    day = st.date_input(t("label.date", lang), key="op_crowd_date", format="YYYY-MM-DD")
    upload = st.file_uploader(
        t("op.crowds_forecast", lang),
        type=["csv"],
        key="op_crowd_forecast",
        help=t("op.crowds_forecast_help", lang),
    )
    forecast = None
    if upload is not None:
        try:
            text = forecast_text(upload.getvalue(), name=upload.name, field="forecast")
            counts = parse_forecast(text, name=upload.name, field="forecast")
            check_places(counts, planner.catalog.ids, field="forecast")
            forecast = counts  # only a forecast that names known places is used
        except RequestError as exc:  # the file's problem, without a command line to follow
            problem = re.sub(r"\s*\(list them with `planner [^`]*`\)", "", exc.problem.message)
            st.error(t("op.crowds_forecast_bad", lang, problem=problem))
    kind, outlooks = planner.crowd_day(day, forecast=forecast)
    if forecast is not None and upload is not None:
        counted = sum(o.source.startswith("forecast") for o in outlooks)
        st.caption(t("op.crowds_forecast_used", lang, places=counted, name=upload.name))
    st.markdown(t("op.crowds_day", lang, date=f"{day:%Y-%m-%d}", kind=t(f"op.day_{kind}", lang)))
    totals: dict[str, float] = {}
    rows = []
    for o in outlooks:
        poi = planner.catalog.get(o.poi_id)
        cap = capacity_of(poi, planner.crowds)
        at_once = cap.at_once if cap is not None and cap.at_once else 0
        row: dict[str, Any] = {
            t("label.place", lang): poi.name(lang),
            t("op.crowds_busy", lang): ", ".join(f"{a:02d}-{b:02d}" for a, b in o.busy_spans())
            or "—",
        }
        for h in o.hours:
            row[f"{h.hour:02d}"] = round(100 * h.load)
            totals[f"{h.hour:02d}:00"] = totals.get(f"{h.hour:02d}:00", 0.0) + h.load * at_once
        rows.append(row)
    if not rows:
        st.info(t("op.crowds_none", lang))
        return
    st.markdown(f"**{t('op.crowds_total', lang)}**")
    st.bar_chart(pd.DataFrame({t("op.crowds_people", lang): totals}), height=220, color="#c8324f")
    hours = [k for k in rows[0] if k.isdigit()]
    st.dataframe(
        pd.DataFrame(rows),
        hide_index=True,
        width="stretch",
        column_config={  # the place stays in view while a phone scrolls through the hours
            t("label.place", lang): st.column_config.TextColumn(width=150, pinned=True),
            t("op.crowds_busy", lang): st.column_config.TextColumn(width="small"),
            **{
                h: st.column_config.ProgressColumn(
                    h, min_value=0, max_value=200, format="%d%%", width="small"
                )
                for h in hours
            },
        },
        key="op_crowd_table",
    )
