"""What every page shares: the configs folder, the cached planner, the language, the operator gate.

Layout helpers only; every decision about trips or places is a call into :mod:`planner`.
"""

from __future__ import annotations

import hmac
import os
import threading
from pathlib import Path
from typing import Any

import streamlit as st

from planner import Planner
from planner.data.catalog import default_configs_dir
from planner.data.store import CatalogStore
from planner.i18n.texts import LANGS, t
from planner.plan.live import LivePlanner, PlannerSettings
from planner.solve.solver import warm_up_in_background

LANG_NAMES = {"zh": "中文", "en": "English"}


# ------------------------------------------------------------------ data
def configs_dir() -> Path:
    """The configs the app plans with and operators edit: ``$PINGGU_CONFIGS`` or the repo's."""
    env = os.environ.get("PINGGU_CONFIGS")
    return Path(env) if env else default_configs_dir()


@st.cache_resource(show_spinner=False)
def _live_planner(configs: str) -> LivePlanner:
    """One live planner per configs folder and server: rebuilt when any config file changes."""
    return LivePlanner(PlannerSettings(configs_dir=Path(configs)))


def live_planner() -> LivePlanner:
    return _live_planner(str(configs_dir()))


def catalog_store() -> CatalogStore:
    """The store operators' edits go through (the live planner's, so a save shows at once)."""
    return live_planner().store


def get_planner() -> Planner:
    """The shared planner over the configs as they are now (the same as every other door's)."""
    return live_planner().current()[0]


def planner_version() -> str:
    """A digest of the configs the current planner was built from (keys cached plans)."""
    live = live_planner()
    live.current()
    return live.version


@st.cache_resource(show_spinner=False)
def start_solver_warm_up() -> threading.Thread:
    """Load the solver's compiled kernels once per server, after its first page is drawn.

    Loading them takes about half a second in a new process (seconds right after an install,
    when they are compiled); done in the background, the first press does not wait for it.
    """
    return warm_up_in_background()


@st.cache_data(show_spinner=False)
def boundary_geojson() -> dict:
    from planner.data.boundary import load_boundary

    return dict(load_boundary().__geo_interface__)


@st.cache_data(show_spinner=False)
def district_rings() -> list[list[list[float]]]:
    """The district outline simplified for the maps (computed once per process)."""
    from webapp.maps import boundary_rings

    return boundary_rings(boundary_geojson())


def basemap_extract() -> list[dict[str, Any]]:
    """The base-map layers ``planner geodata build`` took from an OSM extract (lakes, rivers,
    the Great Wall, towns), or none; re-read when a newer one is built."""
    from planner.travel.basemap import find_basemap
    from planner.travel.network import default_geodata_dirs

    path = find_basemap(default_geodata_dirs(configs_dir()))
    if path is None:
        return []
    return _basemap_features(str(path), path.stat().st_mtime)


@st.cache_resource(show_spinner=False, max_entries=2)
def _basemap_features(path: str, _mtime: float) -> list[dict[str, Any]]:
    from planner.travel.basemap import load_basemap

    return list(load_basemap(Path(path)).get("features", []))


# ------------------------------------------------------------------ language
def browser_lang() -> str:
    """``zh`` when the browser asks for Chinese first (or says nothing), else ``en``."""
    locale = st.context.locale or ""
    header = st.context.headers.get("Accept-Language", "") or ""
    first = (header.split(",")[0] if header else locale).strip().lower()
    if not first:
        return "zh"
    return "zh" if first.startswith("zh") else "en"


def lang() -> str:
    """The page language: ``?lang=`` in the URL (set by the switch), else the browser's."""
    q = st.query_params.get("lang")
    return q if q in LANGS else browser_lang()


def _switch_lang() -> None:
    st.query_params["lang"] = st.session_state["lang_switch"]


def language_switch(container: st.delta_generator.DeltaGenerator | None = None) -> str:
    """A 中文 | English switch that writes ``?lang=``; returns the language in force."""
    current = lang()
    st.session_state["lang_switch"] = current
    (container or st).segmented_control(
        t("label.language", current),
        list(LANGS),
        format_func=LANG_NAMES.__getitem__,
        key="lang_switch",
        on_change=_switch_lang,
        label_visibility="collapsed",
        required=True,
    )
    return current


# ------------------------------------------------------------------ operators
def operator_password() -> str | None:
    """``$PINGGU_OPERATOR_PASSWORD`` or ``st.secrets["operator_password"]``; None when neither is set."""
    env = os.environ.get("PINGGU_OPERATOR_PASSWORD")
    if env:
        return env
    try:
        value = st.secrets.get("operator_password")
    except Exception:  # no secrets file
        return None
    return str(value) if value else None


def operator_gate(lang_: str) -> bool:
    """True when the operator is signed in; otherwise shows how to sign in (or to set a password)."""
    password = operator_password()
    if password is None:
        st.warning(t("op.no_password", lang_))
        st.code(
            "export PINGGU_OPERATOR_PASSWORD='…'\n"
            '# or in .streamlit/secrets.toml:\noperator_password = "…"',
            language="bash",
        )
        return False
    if st.session_state.get("operator_ok"):
        return True
    with st.form("operator_login"):
        given = st.text_input(t("op.password", lang_), type="password", key="op_password")
        ok = st.form_submit_button(t("op.unlock", lang_), type="primary")
    if ok:
        if hmac.compare_digest(given.encode(), password.encode()):
            st.session_state["operator_ok"] = True
            st.rerun()
        st.error(t("op.wrong_password", lang_))
    return False


CSS = """
<style>
.block-container{padding-top:2.2rem;padding-bottom:3rem;max-width:1320px}
h1{font-size:1.9rem !important;letter-spacing:-.01em}
.pp-badge{display:inline-block;min-width:1.7em;height:1.7em;line-height:1.7em;border-radius:1em;
 background:#c8324f;color:#fff;text-align:center;font-weight:700;font-size:.85em;margin-right:.4em}
.pp-day{display:inline-block;width:1.1em;height:.35em;border-radius:.2em;vertical-align:middle;margin-right:.35em}
.pp-muted{color:#6b7a71;font-size:.9em}
.pp-crowd{display:flex;gap:2px;margin:.2rem 0 .1rem;max-width:30rem}
.pp-crowd-cell{flex:1;min-width:0;text-align:center;font-size:.68em;line-height:1.5em;color:#2b2f2c;border-radius:3px}
.pp-crowd-here{outline:2px solid #1f2a24;outline-offset:-1px;font-weight:700}
.pp-crowd-text{font-size:.85em}
.pp-crowd-src{color:#5f6b63}
.pp-travel{color:#55635a;font-size:.92em;padding:.15rem 0 .15rem 1.05rem;border-left:3px dotted #c9d4cc;margin-left:.75rem}
.pp-tag{display:inline-block;border-radius:.6em;padding:0 .5em;font-size:.78em;background:#fff3e0;color:#9a5200;margin-left:.4em}
.pp-legend{display:flex;flex-wrap:wrap;gap:.3rem 1rem;font-size:.82em;color:#4a574f;margin:.2rem 0 .4rem}
.pp-legend span{white-space:nowrap}
.pp-sw{display:inline-block;width:22px;height:0;border-top:4px solid;vertical-align:middle;margin-right:.3em}
.pp-dot{display:inline-block;width:.8em;height:.8em;border-radius:50%;vertical-align:middle;margin-right:.3em}
.pp-totals{display:flex;flex-wrap:wrap;gap:.6rem;margin:.8rem 0 .3rem}
.pp-totals>div{flex:1 1 110px;background:#f3f7f2;border:1px solid #e1eadf;border-radius:12px;padding:.5rem .8rem}
.pp-totals b{font-size:1.3rem;font-weight:650}
.pp-stop{font-size:1.08rem;margin-bottom:.15rem}
.pp-pin{background:#e8f1fb;color:#1d5fa0}
.pp-letter{width:1.35em;height:1.35em;line-height:1.35em;color:#fff;font-weight:700;font-size:.85em;
 text-align:center;margin-right:.15em}
.pp-dropped{font-size:.95em}
.pp-drop{display:grid;grid-template-columns:minmax(9rem,2fr) 3fr;gap:.2rem 1rem;padding:.4rem .2rem;
 border-bottom:1px solid #e6ece6}
.pp-drop-head{font-size:.85em;color:#6b7a71;font-weight:600}
.pp-drop>div{min-width:0;white-space:normal;overflow-wrap:anywhere}
.pp-reason{color:#3d4a42}
@media (max-width: 640px){.block-container{padding-left:.8rem;padding-right:.8rem;padding-top:3.6rem}
 h1{font-size:1.45rem !important}
 .pp-legend span{white-space:normal}
 .pp-drop{grid-template-columns:1fr}.pp-drop-head{display:none}.pp-drop-name{font-weight:600}}
</style>
"""


def style() -> None:
    st.html(CSS)
