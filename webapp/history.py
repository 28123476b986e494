"""The catalogue's history: every saved version, its diff to the current file, restore any of them."""

from __future__ import annotations

import streamlit as st

from planner.data.store import StaleWriteError
from planner.i18n.texts import t
from webapp.common import catalog_store, language_switch, operator_gate, style


def _restore(version_id: str, etag: str) -> None:
    ss = st.session_state
    try:
        catalog_store().file.restore(version_id, if_match=etag)
    except StaleWriteError:
        ss["hist_result"] = ("stale", version_id)
        return
    except Exception as exc:  # a kept version that no longer validates, say
        ss["hist_result"] = ("error", str(exc))
        return
    ss["hist_result"] = ("restored", version_id)
    for key in ("op_snapshot", "op_pending", "op_unsaved"):  # the operator page reloads it all
        ss.pop(key, None)


def page() -> None:
    style()
    head, switch = st.columns([5, 1.4], vertical_alignment="center")
    lang = language_switch(switch)
    head.title(t("hist.title", lang))
    if not operator_gate(lang):
        return
    store = catalog_store()
    etag = store.file.etag()
    res = st.session_state.pop("hist_result", None)
    if res:
        kind, detail = res
        if kind == "restored":
            st.success(t("hist.restored", lang, version=detail), icon=":material/check_circle:")
        elif kind == "stale":
            st.error(t("op.stale", lang), icon=":material/lock:")
        else:
            st.error(detail)
    versions = store.file.history()
    st.caption(t("hist.help", lang, n=len(versions), etag=etag))
    if not versions:
        st.info(t("hist.none", lang))
        return
    labels = {
        v.id: f"{v.saved_at.astimezone():%Y-%m-%d %H:%M:%S} · {v.etag} · {v.size / 1024:.1f} KB"
        for v in versions
    }
    chosen = st.selectbox(
        t("hist.version", lang),
        list(labels),
        format_func=labels.__getitem__,
        placeholder=t("hist.choose_version", lang),
    )
    diff = store.file.diff(chosen)
    st.markdown(f"**{t('hist.diff', lang)}**")
    if diff:
        st.code(diff, language="diff", height=420)
    else:
        st.caption(t("hist.same", lang))
    st.button(
        f":material/restore: {t('hist.restore', lang)}",
        type="primary",
        on_click=_restore,
        args=(chosen, etag),
        disabled=not diff,
        key="hist_restore",
    )
