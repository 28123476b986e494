"""The tourist page: one press plans a day; the request lives in the URL, so a link shares the plan.

The form and its state are :mod:`webapp.plan_form`, the plan's display :mod:`webapp.plan_view`;
this page wires them to the (cached) planner.
"""

from __future__ import annotations

import streamlit as st

from planner import PlannerError, TripRequest
from planner.i18n.texts import t
from planner.model import Trip
from webapp import plan_form, plan_view
from webapp.common import configs_dir, get_planner, language_switch, planner_version, style


@st.cache_data(max_entries=200, show_spinner=False)
def _plan(request_json: str, configs: str, version: str) -> Trip:
    """Cached per request, configs folder and configs version (the arguments are the key)."""
    del configs, version
    return get_planner().plan_trip(TripRequest.model_validate_json(request_json))


def plan(request: TripRequest) -> Trip:
    """The plan for ``request`` over the current catalogue (cached per request and catalogue version)."""
    return _plan(request.model_dump_json(), str(configs_dir()), planner_version())


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

    request, problem = plan_form.sync_form(planner)
    # planned before the form is drawn: a pin or removal that cannot be planned puts the request
    # before it back into the form, so the plan shown is never lost
    result: Trip | None = None
    kept = False
    if request is not None and problem is None:
        try:
            result = plan(request)
            plan_form.edit_done()
        except PlannerError as exc:
            problem = exc
            previous = plan_form.undo_edit()
            if previous is not None:
                try:
                    result, kept = plan(previous), True
                except PlannerError:
                    result = None
    planned = result is not None and not kept

    def say_problem() -> None:  # under the form's button: on a phone the map comes after it
        if problem is not None:
            st.error(plan_form.error_text(problem, lang, planner), icon=":material/error:")
            if kept:
                st.info(t("label.edit_kept", lang), icon=":material/undo:")

    if plan_form.folded(request, planned):
        # the plan first: the folded form and a picked place in one row, the map at full width
        form, picked = st.columns([3, 2], gap="large")
        with picked:
            plan_form.picked_panel(planner, lang)
        with form:
            with plan_form.form_box(planner, request, planned, lang):
                plan_form.request_form(planner, lang)
            say_problem()
        plan_view.plan_map(result, planner, lang)
    else:
        left, right = st.columns([1, 2.1], gap="large")
        with left:
            plan_form.picked_panel(planner, lang)
            with plan_form.form_box(planner, request, planned, lang):
                plan_form.request_form(planner, lang)
            say_problem()
        with right:
            plan_view.plan_map(result, planner, lang)
    if result is None:
        if problem is None:
            st.info(t("label.no_plan_yet", lang), icon=":material/touch_app:")
        return
    plan_view.show_plan(result, planner, lang)
