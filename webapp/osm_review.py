"""The operators' "Verify with OSM" tab: match the places against OpenStreetMap, review, apply.

Layout only; every decision is a call into :mod:`planner.verify`. An uploaded extract goes through
:func:`planner.verify.propose.match_proposal` (the sequence ``planner pois match --discover``
runs) into a new proposal file under ``<configs>/proposals/``. The tab lists those files, shows
one on a map (each place's point now, the proposed OSM point and a line between them; the
candidates of an ambiguous or far place), and records each Accept or Reject in the file at once
with who decided (:func:`planner.verify.proposals.decide`, written only over the version shown:
a file someone else changed since is reloaded, not overwritten). "Apply accepted" writes the
accepted items into the catalogue in one versioned write (:func:`planner.verify.apply.apply_proposal`),
refused as a whole when a place changed since the match.
"""

from __future__ import annotations

import hashlib
import json
import re
import tempfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import streamlit as st

from planner.data.store import StaleWriteError
from planner.errors import ConfigError, PlannerError, RequestError
from planner.i18n.texts import t
from planner.model.common import today
from planner.verify.apply import StaleProposalError, apply_proposal
from planner.verify.match import MatchStatus
from planner.verify.proposals import (
    Decision,
    MatchItem,
    NewPlace,
    OsmCandidate,
    Proposal,
    decide,
    default_proposal_path,
    parse_proposal,
    read_proposal,
    write_proposal,
)
from planner.verify.propose import distance_text
from webapp import maps, mapview
from webapp.common import catalog_store, district_rings

STATUSES = ("moved", "confirmed", "ambiguous", "far", "missing", "new")
"""The counts shown, in this order (``new``: the drafted places OSM knows and the catalogue lacks)."""
SHOWN_BY_DEFAULT = ("moved", "confirmed", "ambiguous", "far", "new")
"""A ``missing`` place proposes nothing to decide: listed by name only."""
CHOOSE = {MatchStatus.ambiguous, MatchStatus.far}
"""Statuses whose items name no point of their own: a candidate must be chosen to accept."""
COLOURS = {
    "moved": (38, 110, 190),
    "confirmed": (31, 107, 58),
    "ambiguous": (235, 140, 0),
    "far": (128, 60, 170),
    "missing": (200, 50, 80),
    "new": (20, 140, 110),
}
BADGES = {
    "moved": "blue",
    "confirmed": "green",
    "ambiguous": "orange",
    "far": "violet",
    "missing": "red",
    "new": "primary",
}
CONTEXT_STYLE = {"r": 4, "fill": "rgba(95,105,100,0.55)", "stroke": "#fff"}
"""The catalogue's other places, drawn for context under the items."""
UPLOAD_TYPES = ["osm", "pbf", "bz2"]
MAP_KEY = "osm_map"

Item = MatchItem | NewPlace


# ------------------------------------------------------------------ files and keys
def proposals_dir() -> Path:
    """Where proposal files live: ``proposals/`` beside the catalogue (``configs/proposals``)."""
    return catalog_store().path.parent / "proposals"


def proposal_files() -> list[Path]:
    """The proposal files, newest first (by when each was last written)."""
    folder = proposals_dir()
    if not folder.is_dir():
        return []
    files = [p for p in folder.glob("*.yaml") if p.is_file()]
    return sorted(files, key=lambda p: (p.stat().st_mtime_ns, p.name), reverse=True)


def item_key(item: Item) -> str:
    """How an item is named to :func:`~planner.verify.proposals.decide` and on the map: a
    place's id, a new place's OSM id."""
    return item.osm_id if isinstance(item, NewPlace) else item.id


def widget_key(file: str, key: str, what: str) -> str:
    """The session key of one item's widget (``what``: accept, reject, choice, a field name),
    distinct per proposal file so that two files' items never share a widget."""
    raw = f"{Path(file).stem}__{key}"
    safe = re.sub(r"[^0-9A-Za-z]+", "_", raw)  # readable; the digest keeps a-b and a_b apart
    return f"osm_{what}__{safe}_{hashlib.sha1(raw.encode()).hexdigest()[:6]}"


def status_of(item: Item) -> str:
    return "new" if isinstance(item, NewPlace) else item.status.value


def _md(text: object) -> str:
    """``text`` shown literally in Markdown (names and values come from OSM and operators)."""
    return re.sub(r"([\\`*_{}\[\]<>()#+\-.!|~$:])", r"\\\1", str(text))


def _note(item: Item, lang: str) -> str:
    return item.note.zh if lang == "zh" else item.note.en


def _name(item: Item) -> str:
    if isinstance(item, MatchItem):
        return item.name
    e = item.entry
    return " / ".join(str(v) for v in (e.get("name_zh"), e.get("name_en")) if v) or item.osm_id


def _notice(kind: str, text: str, key: str | None = None) -> None:
    """What the last action did, shown at the top of the tab (or, with ``key``, by its item)."""
    st.session_state["osm_notice"] = (kind, text, key)


# ------------------------------------------------------------------ matching an upload
def match_upload(name: str, data: bytes, configs: Path) -> Path:
    """Match an uploaded OSM file (kept under its own name, which says its format) against the
    catalogue, with the district's new places; write the proposal and return its path."""
    from planner.data.boundary import load_boundary
    from planner.verify.features import read_osm_file
    from planner.verify.propose import match_proposal, source_of

    with tempfile.TemporaryDirectory(prefix="pinggu-osm-") as tmp:
        osm = Path(tmp) / (Path(name).name or "upload.osm")
        osm.write_bytes(data)
        proposal = match_proposal(
            read_osm_file(osm),
            catalog_store(),
            source_of(osm, None),
            discover_new=True,
            boundary=load_boundary(),
        )
    path = default_proposal_path(configs, "match")
    k = 2
    while path.exists():  # two matches in one second
        path = path.with_name(f"{path.stem.rsplit('~', 1)[0]}~{k}{path.suffix}")
        k += 1
    write_proposal(proposal, path)
    return path


def error_message(exc: PlannerError, *, fields: bool = True) -> str:
    """An error of the core as one line: a request's problem without its field (``--osm-file``
    names a CLI option); every problem of a config, with its field unless ``fields`` is false
    (a decision's problem is the item's, shown by it: ``new_places.3`` would be noise)."""
    if isinstance(exc, RequestError):
        return exc.problem.message
    if isinstance(exc, ConfigError):
        return "; ".join(
            f"{p.field}: {p.message}" if fields and p.field else p.message for p in exc.problems
        )
    return str(exc)


def upload_box(lang: str) -> None:
    """The uploader; a new file is matched once and its proposal selected."""
    ss = st.session_state
    n = ss.get("osm_upload_n", 0)
    uploaded = st.file_uploader(
        t("op.osm_upload", lang),
        type=UPLOAD_TYPES,
        help=t("op.osm_upload_help", lang),
        key=f"osm_upload_{n}",
    )
    if uploaded is None:
        ss.pop("osm_upload_error", None)
        return
    refused = ss.get("osm_upload_error")
    if refused is None or refused[0] != uploaded.file_id:  # a new file: matched once
        try:
            with st.spinner(t("op.osm_matching", lang, name=uploaded.name)):
                path = match_upload(uploaded.name, uploaded.getvalue(), catalog_store().path.parent)
        except PlannerError as exc:
            refused = ss["osm_upload_error"] = (uploaded.file_id, error_message(exc))
        else:
            refused = None
    if refused is not None:
        message = t("op.osm_upload_failed", lang, name=uploaded.name, message=refused[1])
        st.error(message, icon=":material/block:")
        return
    ss["osm_upload_n"] = n + 1  # an empty uploader for the next file
    ss["osm_file"] = path.name
    ss.pop("osm_pick", None)
    _notice("success", t("op.osm_matched", lang, name=uploaded.name, file=path.name))
    st.rerun()


# ------------------------------------------------------------------ decisions
def _save_decision(
    path: Path, etag: str, key: str, decision: Decision, lang: str, chosen: str | None = None
) -> None:
    """Record one decision in the proposal file, over the version the operator saw."""
    ss = st.session_state
    by = str(ss.get("osm_by") or "").strip()
    if not by:
        _notice("error", t("op.osm_need_name", lang), key)
        return
    try:
        proposal, now = read_proposal(path)
        if now != etag:
            raise StaleWriteError(path, etag, now)
        item = proposal.item(key)
        if isinstance(item, NewPlace):
            proposal = _with_fills(proposal, item, path)
        elif decision == Decision.accept and item.status in CHOOSE and chosen is None:
            _notice("error", t("op.osm_need_choice", lang), key)
            return
        decided = decide(proposal, [key], decision, by=by, chosen=chosen)
        write_proposal(decided, path, if_match=etag)
    except StaleWriteError:
        _notice("error", t("op.osm_stale", lang), key)
        return
    except PlannerError as exc:
        message = error_message(exc, fields=False)
        _notice("error", t("op.osm_not_accepted", lang, message=message), key)
        return
    ss.pop("osm_notice", None)


def _with_fills(proposal: Proposal, item: NewPlace, path: Path) -> Proposal:
    """The proposal with what the operator typed into a new place's ``to_fill`` fields."""
    ss = st.session_state
    typed = {}
    for f in item.to_fill:
        value = ss.get(widget_key(path.name, item.osm_id, f))
        if value is not None:
            typed[f] = str(value).strip() or None
    if not typed:
        return proposal
    data = proposal.model_dump(mode="json")
    for raw in data["new_places"]:
        if raw["osm_id"] == item.osm_id:
            raw["entry"] |= typed
    return parse_proposal(data, source=path.name)


def _on_decide(path: Path, etag: str, key: str, decision: Decision, lang: str) -> None:
    chosen = st.session_state.get(widget_key(path.name, key, "choice"))
    _save_decision(path, etag, key, decision, lang, chosen=chosen or None)


def _on_apply(path: Path, etag: str, lang: str, on_applied: Callable[[], None]) -> None:
    """Apply the accepted items (all or nothing) and reload the console's catalogue."""
    try:
        proposal, now = read_proposal(path)
        if now != etag:  # decided on since this page was drawn: show that first
            _notice("error", t("op.osm_stale", lang))
            return
        applied = apply_proposal(proposal, catalog_store(), today=today())
    except StaleProposalError as exc:
        places = "; ".join(f"{pid}: {why}" for pid, why in exc.changed.items())
        _notice("error", t("op.osm_stale_apply", lang, n=len(exc.changed), places=places))
        return
    except PlannerError as exc:  # the catalogue saved in between, or an entry it refuses
        _notice("error", t("op.osm_apply_failed", lang, message=error_message(exc)))
        return
    on_applied()
    st.session_state["osm_applied"] = (path.name, etag)  # this version is in the catalogue now

    def names(keys: Sequence[str]) -> str:
        return ", ".join(_name(proposal.item(k)) for k in keys) or "—"

    _notice(
        "success",
        t(
            "op.osm_applied",
            lang,
            moved=names(applied.moved),
            confirmed=names(applied.confirmed),
            added=names(applied.added),
        ),
    )


# ------------------------------------------------------------------ the map
def _rgba(rgb: tuple[int, int, int], alpha: float = 1.0) -> str:
    return f"rgba({rgb[0]},{rgb[1]},{rgb[2]},{alpha:g})"


def _candidate_point(c: OsmCandidate, key: str, colour: tuple[int, int, int], lang: str) -> dict:
    return {
        "kind": "osm",
        "id": key,
        "lon": c.lon,
        "lat": c.lat,
        "r": 7,
        "fill": _rgba(colour, 0.95),
        "stroke": "#fff",
        "stroke_width": 2,
        "name": maps.short_name(c.osm_name),
        "prio": 0,
        "title": f"OSM: {c.osm_name} ({c.osm_id})",
        "body": f"{t(f'osm.point.{c.point.value}', lang)} · {distance_text(c.distance_m)}",
    }


def _line(
    a: tuple[float, float], c: OsmCandidate, colour: tuple[int, int, int], dashed: bool
) -> dict:
    return {
        "kind": "osm",
        "path": [[round(a[0], 6), round(a[1], 6)], [round(c.lon, 6), round(c.lat, 6)]],
        "colour": _rgba(colour, 0.85),
        "width": 3,
        "dashed": dashed,
    }


def item_layers(items: Sequence[Item], lang: str) -> tuple[list[dict], list[dict]]:
    """The points and lines of the items: each place's point now, the proposed point and a line
    between them (every candidate of an ambiguous or far place, dashed); each new place."""
    points: list[dict[str, Any]] = []
    lines: list[dict[str, Any]] = []
    for item in items:
        status, key = status_of(item), item_key(item)
        colour = COLOURS[status]
        if isinstance(item, NewPlace):
            e = item.entry
            points.append(
                {
                    "kind": "osm-new",
                    "id": key,
                    "lon": float(e["lon"]),
                    "lat": float(e["lat"]),
                    "r": 8,
                    "label": "+",
                    "fill": _rgba(colour, 0.95),
                    "stroke_width": 2,
                    "name": maps.short_name(_name(item)),
                    "prio": 0,
                    "title": _name(item),
                    "body": _note(item, lang),
                }
            )
            continue
        now = (item.current.lon, item.current.lat)
        points.append(
            {
                "kind": "osm-now",
                "id": key,
                "lon": now[0],
                "lat": now[1],
                "r": 5,
                "fill": "rgba(255,255,255,0.95)",
                "stroke": _rgba(colour),
                "stroke_width": 2.5,
                "name": "",
                "prio": 0,
                "title": f"{item.name} · {t(f'op.osm_status_{status}', lang)}",
                "body": t(
                    "op.osm_now",
                    lang,
                    lon=f"{now[0]:.5f}",
                    lat=f"{now[1]:.5f}",
                    confidence=item.current.confidence.value,
                ),
            }
        )
        target = item.target
        others = [c for c in item.candidates if target is None or c.osm_id != target.osm_id]
        if target is not None:
            lines.append(_line(now, target, colour, dashed=False))
            points.append(_candidate_point(target, key, colour, lang))
        for c in others if item.status in CHOOSE else []:
            lines.append(_line(now, c, colour, dashed=True))
            points.append(
                _candidate_point(c, key, colour, lang) | {"r": 6, "fill": _rgba(colour, 0.55)}
            )
    return points, lines


def _bbox(points: Sequence[Mapping[str, Any]]) -> list[float] | None:
    if not points:
        return None
    xs, ys = [float(p["lon"]) for p in points], [float(p["lat"]) for p in points]
    pad = 0.01
    return [min(xs) - pad, min(ys) - pad, max(xs) + pad, max(ys) + pad]


def proposal_map(
    proposal: Proposal, entries: Sequence[Mapping[str, Any]], file: str, lang: str
) -> dict[str, Any]:
    """The map spec of one proposal: the operators' map (the district; the catalogue's other
    places, for context) with the items drawn on it, fitted to them."""
    from planner.data.catalog import build_catalog

    catalog = build_catalog(list(entries), source="snapshot")
    spec = maps.operator_map(catalog, district_rings(), lang, height=460)
    drawn = [i for i in proposal.items() if _decidable(i)]  # a missing place: a plain place
    keys = {item_key(i) for i in drawn}
    context = [  # in grey: the orange of the operators' map (estimated) is a status colour here
        p | CONTEXT_STYLE for p in spec["points"] if p.get("id") not in keys
    ]
    points, lines = item_layers(drawn, lang)
    spec["points"] = maps.label_points([*context, *points])
    spec["lines"] = lines
    spec["clickable"] = False
    spec["bbox"] = _bbox(points) or spec["bbox"]
    spec["fit"] = hashlib.sha1(json.dumps([file, spec["bbox"]]).encode()).hexdigest()[:12]
    return spec


def legend_html(lang: str) -> str:
    """The map's legend: the shapes (in grey), then the colour of each status."""
    grey = "#5f6964"
    dot = '<span class="pp-dot" style="background:{fill};border:2px solid {stroke}"></span>'
    sw = '<span class="pp-sw" style="border-color:{c};border-top-style:{style}"></span>'
    shapes = [
        (dot.format(fill="#fff", stroke=grey), "op.osm_legend_now"),
        (
            sw.format(c=grey, style="solid") + dot.format(fill=grey, stroke="#fff"),
            "op.osm_legend_proposed",
        ),
        (
            sw.format(c=grey, style="dashed")
            + dot.format(fill="rgba(95,105,100,0.55)", stroke="#fff"),
            "op.osm_legend_candidate",
        ),
        (
            f'<span class="pp-dot pp-letter" style="background:{_rgba(COLOURS["new"])}">+</span>',
            "op.osm_legend_new",
        ),
    ]
    items = [f"<span>{shape}{t(key, lang)}</span>" for shape, key in shapes]
    items += [
        f'<span><span class="pp-dot" style="background:{_rgba(COLOURS[s])}"></span>'
        f"{t(f'op.osm_status_{s}', lang)}</span>"
        for s in ("moved", "confirmed", "ambiguous", "far")
    ]
    return f'<div class="pp-legend">{"".join(items)}</div>'


def _on_pick() -> None:
    hit = mapview.selected(MAP_KEY)
    if hit is not None and hit.get("id"):
        st.session_state["osm_pick"] = str(hit["id"])


def _show_all() -> None:
    st.session_state.pop("osm_pick", None)


# ------------------------------------------------------------------ the tab
def verify_tab(
    entries: Sequence[Mapping[str, Any]],
    etag: str,
    lang: str,
    *,
    on_applied: Callable[[], None],
) -> None:
    """The tab: choose or make a proposal, review its items, apply the accepted ones.

    ``on_applied`` reloads the console's catalogue after an apply wrote it.
    """
    ss = st.session_state
    st.caption(t("op.osm_help", lang))
    pick, upload = st.columns([1.3, 1], gap="large")
    with upload:  # first: a new proposal is selected before the list is drawn
        upload_box(lang)
    with pick:
        st.text_input(
            t("op.osm_your_name", lang),
            key="osm_by",
            help=t("op.osm_your_name_help", lang),
            max_chars=80,
        )
        files = proposal_files()
        names = [p.name for p in files]
        if ss.get("osm_file") not in names:
            ss.pop("osm_file", None)
        chosen = st.selectbox(
            t("op.osm_proposal", lang),
            names,
            key="osm_file",
            placeholder=t("op.osm_choose_proposal", lang),
            on_change=_show_all,
        )
    show_notice(None)
    if not files:
        st.info(t("op.osm_no_proposals", lang), icon=":material/travel_explore:")
        return
    if chosen is None:
        return
    path = proposals_dir() / chosen
    try:
        proposal, file_etag = read_proposal(path)
    except PlannerError as exc:
        st.error(t("op.osm_bad_proposal", lang, file=chosen, message=error_message(exc)))
        return
    review(proposal, path, file_etag, entries, etag, lang, on_applied=on_applied)


def show_notice(key: str | None) -> None:
    """The last action's message, where it belongs (the tab's top, or its item)."""
    notice = st.session_state.get("osm_notice")
    if not notice or notice[2] != key:
        return
    kind, text, _ = notice
    if kind == "success":
        st.success(text, icon=":material/check_circle:")
    else:
        st.error(text, icon=":material/block:")


def review(
    proposal: Proposal,
    path: Path,
    file_etag: str,
    entries: Sequence[Mapping[str, Any]],
    etag: str,
    lang: str,
    *,
    on_applied: Callable[[], None],
) -> None:
    created = f"{proposal.created:%Y-%m-%d %H:%M}"
    st.caption(
        t(
            "op.osm_from",
            lang,
            source=proposal.osm.name,
            created=created,
            etag=proposal.catalog.etag,
        )
    )
    if proposal.catalog.etag != etag:
        st.warning(
            t("op.osm_catalog_changed", lang, then=proposal.catalog.etag, now=etag),
            icon=":material/history:",
        )
    counts = proposal.counts()
    for column, status in zip(st.columns(len(STATUSES)), STATUSES, strict=True):
        column.metric(t(f"op.osm_status_{status}", lang), counts.get(status, 0))
    decided = {d: [i for i in proposal.items() if i.decision == d] for d in Decision}
    accepted = len(decided[Decision.accept])
    bar = st.columns([3, 1.2], vertical_alignment="center")
    bar[0].markdown(
        t(
            "op.osm_summary",
            lang,
            accepted=accepted,
            rejected=len(decided[Decision.reject]),
            pending=len([i for i in decided[Decision.pending] if _decidable(i)]),
        )
    )
    bar[1].button(
        f":material/done_all: {t('op.osm_apply', lang, n=accepted)}",
        type="primary",
        key="osm_apply",
        disabled=accepted == 0 or st.session_state.get("osm_applied") == (path.name, file_etag),
        on_click=_on_apply,
        args=(path, file_etag, lang, on_applied),
        width="stretch",
    )
    mapview.map_view(
        proposal_map(proposal, entries, path.name, lang), key=MAP_KEY, on_select=_on_pick
    )
    st.html(legend_html(lang))
    items_list(proposal, path, file_etag, lang)


def _decidable(item: Item) -> bool:
    return isinstance(item, NewPlace) or item.status != MatchStatus.missing


def items_list(proposal: Proposal, path: Path, file_etag: str, lang: str) -> None:
    ss = st.session_state
    items = list(proposal.items())
    picked = next((i for i in items if item_key(i) == ss.get("osm_pick")), None)
    if picked is not None:
        row = st.columns([4, 1], vertical_alignment="center")
        row[0].markdown(t("op.osm_picked", lang, name=_md(_name(picked))))
        row[1].button(t("op.osm_show_all", lang), key="osm_show_all", on_click=_show_all)
        shown = [picked]
    else:
        row = st.columns([4, 1.3], vertical_alignment="center")
        statuses = row[0].pills(
            t("op.osm_show", lang),
            list(SHOWN_BY_DEFAULT),
            selection_mode="multi",
            default=list(SHOWN_BY_DEFAULT),
            format_func=lambda s: t(f"op.osm_status_{s}", lang),
            key=f"osm_show_{lang}",
        )
        only = row[1].toggle(t("op.osm_only_pending", lang), key="osm_only_pending")
        shown = [
            i
            for i in items
            if status_of(i) in (statuses or []) and (not only or i.decision == Decision.pending)
        ]
    places = [i for i in shown if isinstance(i, MatchItem)]
    new = [i for i in shown if isinstance(i, NewPlace)]
    if not places and not new:
        st.info(t("op.osm_nothing_shown", lang))
    if places:
        st.subheader(t("op.osm_places", lang))
        for item in places:
            item_card(item, path, file_etag, lang)
    if new:
        st.subheader(t("op.osm_new_places", lang))
        for place in new:
            item_card(place, path, file_etag, lang)
    missing = [i.name for i in proposal.matches if i.status == MatchStatus.missing]
    if missing and picked is None:
        with st.expander(t("op.osm_missing_list", lang, n=len(missing))):
            st.markdown("\n".join(f"- {_md(n)}" for n in missing))


def _decision_text(item: Item, lang: str) -> str:
    if item.decision == Decision.pending:
        return f":gray-badge[{t('op.osm_pending', lang)}]"
    at = f"{item.decided_at:%Y-%m-%d %H:%M}" if item.decided_at else "—"
    if item.decision == Decision.accept:
        text = t("op.osm_accepted_by", lang, by=_md(item.decided_by), at=at)
        return f":green-badge[:material/check: {text}]"
    text = t("op.osm_rejected_by", lang, by=_md(item.decided_by), at=at)
    return f":red-badge[:material/close: {text}]"


def item_card(item: Item, path: Path, file_etag: str, lang: str) -> None:
    key, status = item_key(item), status_of(item)
    with st.container(border=True, key=widget_key(path.name, key, "card")):
        st.markdown(
            f"**{_md(_name(item))}** &nbsp; :{BADGES[status]}-badge[{t(f'op.osm_status_{status}', lang)}]"
            f" &nbsp; {_decision_text(item, lang)}"
        )
        st.markdown(_md(_note(item, lang)))
        if isinstance(item, MatchItem):
            match_details(item, path, lang)
        else:
            new_place_fields(item, path, lang)
        show_notice(key)
        if not _decidable(item):
            return
        left, right, _ = st.columns([1, 1, 4])
        left.button(
            f":material/check: {t('op.osm_accept', lang)}",
            key=widget_key(path.name, key, "accept"),
            on_click=_on_decide,
            args=(path, file_etag, key, Decision.accept, lang),
            type="primary" if item.decision == Decision.pending else "secondary",
            width="stretch",
        )
        right.button(
            f":material/close: {t('op.osm_reject', lang)}",
            key=widget_key(path.name, key, "reject"),
            on_click=_on_decide,
            args=(path, file_etag, key, Decision.reject, lang),
            width="stretch",
        )


def _evidence(lines: Sequence[str], lang: str) -> None:
    if lines:
        st.caption(f"{t('op.osm_evidence', lang)}: " + " · ".join(_md(x) for x in lines))


def match_details(item: MatchItem, path: Path, lang: str) -> None:
    if item.status in CHOOSE:
        options = [c.osm_id for c in item.candidates]
        by_id = {c.osm_id: c for c in item.candidates}
        key = widget_key(path.name, item.id, "choice")
        st.radio(
            t("op.osm_candidates", lang),
            options,
            index=options.index(item.chosen) if item.chosen in options else None,
            format_func=lambda o: t(
                "op.osm_candidate",
                lang,
                name=by_id[o].osm_name,
                osm_id=o,
                distance=distance_text(by_id[o].distance_m),
                point=t(f"osm.point.{by_id[o].point.value}", lang),
                score=f"{by_id[o].score:.2f}",
            ),
            key=key,
        )
        for c in item.candidates:
            _evidence([f"{c.osm_id}: {c.evidence[0]}", *c.evidence[1:]] if c.evidence else [], lang)
        return
    target = item.target
    if target is not None:
        _evidence(target.evidence, lang)


def new_place_fields(item: NewPlace, path: Path, lang: str) -> None:
    """The drafted entry: its fields (estimated ones flagged), inputs for the ones to fill in."""
    st.caption(t("op.osm_entry", lang))
    lines = []
    for field, value in item.entry.items():
        if field in item.to_fill:
            continue
        shown = ", ".join(map(str, value)) if isinstance(value, list) else value
        flag = f" :orange[{t('op.osm_estimated', lang)}]" if field in item.estimated else ""
        lines.append(f"- `{field}`: {_md('—' if shown in (None, '') else shown)}{flag}")
    st.markdown("\n".join(lines))
    for field in item.to_fill:
        label = f"{field} · {t('op.osm_to_fill', lang)}"
        key = widget_key(path.name, item.osm_id, field)
        value = str(item.entry.get(field) or "")
        if field.startswith("description"):
            st.text_area(label, value, key=key, height=80)
        else:
            st.text_input(label, value, key=key)
