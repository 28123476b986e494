"""Pinggu Planner web app (Streamlit): a router over the pages in ``webapp/``.

Run with ``make app``. Pages hold layout only; every decision is a call into :mod:`planner`.
The configs the app plans with (and operators edit) are ``$PINGGU_CONFIGS`` or ``configs/``.
"""

from __future__ import annotations

import streamlit as st

from planner.i18n.texts import t
from webapp import history, operators, plan
from webapp.common import lang, start_solver_warm_up

st.set_page_config(
    page_title="平谷游线规划 · Pinggu Planner",
    page_icon="🍑",
    layout="wide",
    initial_sidebar_state="collapsed",
)
L = lang()
page = st.navigation(
    [
        st.Page(
            plan.page, title=t("nav.plan", L), icon=":material/map:", url_path="plan", default=True
        ),
        st.Page(
            operators.page,
            title=t("nav.operator", L),
            icon=":material/admin_panel_settings:",
            url_path="operator",
        ),
        st.Page(
            history.page, title=t("nav.history", L), icon=":material/history:", url_path="history"
        ),
    ],
    position="top",
)
page.run()
# after the page is drawn, so that loading the solver's kernels does not slow the first one
start_solver_warm_up()
