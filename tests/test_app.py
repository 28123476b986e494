"""The web app without a browser (streamlit.testing.v1.AppTest): every page, every bad input.

Every decision is the planner's; these tests check that the pages show its answers, keep the
request in the URL, and never let an exception reach the page. The app plans over a temporary copy
of ``configs/`` (``PINGGU_CONFIGS``) so operator saves never touch the repository.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from planner import Planner
from planner.data.store import CatalogStore
from planner.i18n.texts import t
from planner.model import TripRequest
from planner.present.share import request_from_query, request_to_query
from webapp import mapview, plan_form

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")
SPRING = {"date": "2027-04-17", "start": "pinggu-bus-station", "interests": "blossom,lake,gorge"}
PASSWORD = "peach-blossom"


@pytest.fixture(scope="module")
def configs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A private copy of the bundled configs (the catalogue operators edit in these tests)."""
    dst = tmp_path_factory.mktemp("app") / "configs"
    shutil.copytree(ROOT / "configs", dst, ignore=shutil.ignore_patterns(".history", ".*.lock"))
    return dst


@pytest.fixture(autouse=True)
def env(configs: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("PINGGU_CONFIGS", str(configs))
    monkeypatch.setenv("PINGGU_OPERATOR_PASSWORD", PASSWORD)
    yield


def run(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, at.exception
    keep_layers(at)
    return at


def plan_page(**params: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=90)
    for k, v in params.items():
        at.query_params[k] = v
    return run(at)


def page_app(name: str) -> AppTest:
    """One page of ``webapp/`` on its own (the router shows the plan page by default)."""

    def script() -> None:
        import importlib
        import sys

        import streamlit as st

        if st.session_state["_root"] not in sys.path:
            sys.path.insert(0, st.session_state["_root"])
        module = importlib.import_module(f"webapp.{st.session_state['_page']}")
        module.page()

    at = AppTest.from_function(script, default_timeout=90)
    at.session_state["_page"] = name
    at.session_state["_root"] = str(ROOT)
    return at


def markdown_text(at: AppTest) -> str:
    return "\n".join(str(m.value) for m in at.markdown) + "\n".join(
        str(h.value) for h in at.get("html")
    )


_KEPT: dict[str, dict] = {}
"""Keyed map layers as a browser keeps them (sent in full once per session, then by key)."""


def keep_layers(at: AppTest) -> None:
    """Keep every keyed layer the page sent in full, as the browser does: a later run sends
    only its key (so a test that reads the map after a rerun does not depend on another test
    having read it first)."""
    for element in at.get("bidi_component"):
        if element.proto.component_name == "pinggu_map":
            sent = json.loads(element.proto.json)
            for name in mapview.KEYED:
                layer = sent.get(name)
                if layer and len(layer) > 1:
                    _KEPT[layer["key"]] = layer


def map_spec(at: AppTest, key: str = "plan_map") -> dict:
    """What the page asked its map to draw (the JSON spec sent to static/map/map.js), with the
    layers sent earlier by key put back where :mod:`webapp.maps` had them."""
    for element in at.get("bidi_component"):
        if element.proto.component_name == "pinggu_map" and element.proto.id.endswith(key):
            sent = dict(json.loads(element.proto.json))
            for name in mapview.KEYED:
                layer = sent.get(name)
                if layer and len(layer) > 1:
                    _KEPT[layer["key"]] = layer
            spec = dict(sent)
            if sent.get("district"):
                spec["areas"] = _KEPT[sent["district"]["key"]]["areas"]
            if sent.get("places"):
                spec["points"] = _KEPT[sent["places"]["key"]]["points"] + sent["points"]
            return spec
    raise AssertionError(f"no map {key!r} on the page")


# ------------------------------------------------------------------ the plan page
def test_first_page_renders_the_form_the_map_and_a_hint_in_chinese():
    """No request yet: title, the one button, the map with our layers, a hint; Chinese by default."""
    at = plan_page()
    assert at.title[0].value == "平谷游线规划"
    assert [b.label for b in at.button if "生成行程" in b.label]
    spec = map_spec(at)
    assert spec["areas"] and len(spec["areas"][0]["rings"][0]) > 100, "the district is drawn"
    places = [p for p in spec["points"] if p["kind"] == "place"]
    assert len(places) == len(Planner.from_configs().catalog), "every place is on the map"
    assert not [p for p in spec["points"] if p["kind"] == "stop"], "no plan yet"
    assert at.info and "生成行程" in at.info[0].value
    assert at.date_input(key="f_date").value.weekday() == 5  # the next Saturday


def test_one_press_plans_the_default_day_and_puts_it_in_the_url():
    """Pressing the button with the defaults plans a day: timeline, totals, exports, share link."""
    at = plan_page()
    at.date_input(key="f_date").set_value(dt.date(2027, 4, 17))
    at.button[0].click()
    run(at)
    assert not at.error, [e.value for e in at.error]
    req = request_from_query(at.query_params)
    assert req.date == dt.date(2027, 4, 17) and req.start == "pinggu-bus-station"
    text = markdown_text(at)
    assert "到达" in text and "理由" in text  # stop cards with arrival and why
    labels = {b.label for b in at.download_button}
    assert {"GPX", "GeoJSON"} <= labels and len(labels) == 4
    spec = map_spec(at)
    stops = [p for p in spec["points"] if p["kind"] == "stop"]
    assert stops and stops[0]["label"].startswith("1"), "numbered stops on the map"
    legs = [line for line in spec["lines"] if line["kind"] == "leg"]
    visits = sum(len(p["label"].split("/")) for p in stops)  # "2/3": two stops, one point
    assert len(legs) == visits + 1, "a leg into every stop, and one home"
    assert all(leg["dashed"] for leg in legs), "estimated legs are dashed"
    assert "date=2027-04-17" in at.code[0].value  # the share link


def test_a_festival_day_is_planned_around_its_crowds_unless_the_visitor_says_not_to():
    """The crowds choice: by default a festival day is crowd-aware (the page says so and the
    plan's stops carry their hour's load); "ignore" plans it blind, and the link says so."""
    at = plan_page()
    assert at.session_state["f_crowds"] == "auto"
    at.date_input(key="f_date").set_value(dt.date(2027, 4, 17))
    at.button[0].click()
    run(at)
    assert "客流" in markdown_text(at) or any("客流" in w.value for w in at.warning)
    assert "crowds" not in at.query_params  # the default: not in the link
    at.session_state["f_crowds"] = "off"
    at.button[0].click()
    run(at)
    req = request_from_query(at.query_params)
    assert req.crowds is False
    assert not any("客流" in w.value for w in at.warning)


def test_a_share_link_reproduces_the_plan():
    """Opening the app with the request in the URL shows the plan the planner makes for it."""
    at = plan_page(**SPRING)
    expected = Planner.from_configs().plan(request_from_query(SPRING))
    text = markdown_text(at)
    for s in expected.stops:
        assert s.name_zh in text
    assert at.query_params["interests"] == SPRING["interests"]


def test_switching_language_shows_english_and_keeps_the_plan():
    """The switch writes ?lang=en; every label turns English; the request stays in the URL."""
    at = plan_page(**SPRING)
    at.segmented_control(key="lang_switch").set_value("en")
    run(at)
    assert at.query_params["lang"] == "en"
    assert at.title[0].value == "Pinggu Planner"
    assert any("Plan my day" in b.label for b in at.button)
    assert "Arrive" in markdown_text(at)
    start = at.selectbox(key="f_start__en")  # a fresh widget per language shows the new names
    english = Planner.from_configs().catalog.get(SPRING["start"]).name("en")
    assert start.value == SPRING["start"] and english in start.options[start.index]
    at = plan_page(**SPRING, lang="en")
    assert at.title[0].value == "Pinggu Planner"


def test_remove_and_pin_a_stop_replan_the_day():
    """Remove puts the place in avoid (it leaves the plan); pin keeps a stop in its place."""
    at = plan_page(**SPRING)
    first = request_from_query(at.query_params)
    stops = [b.key for b in at.button if b.key and b.key.startswith("remove_")]
    assert stops
    gone = stops[0].split("_", 2)[2]
    at.button(key=stops[0]).click()
    run(at)
    req = request_from_query(at.query_params)
    assert gone in req.avoid and req.date == first.date
    assert f"remove_0_{gone}" not in [b.key for b in at.button]
    pin = next(b.key for b in at.button if b.key and b.key.startswith("pin_"))
    at.button(key=pin).click()
    run(at)
    req = request_from_query(at.query_params)
    pinned = pin.split("_", 2)[2]
    assert pinned in req.required_ids
    assert any(b.key == f"unpin_0_{pinned}" for b in at.button)


TRIP = {
    "date": "2027-04-17",
    "start": "pinggu-bus-station",
    "days": "2",
    "stay": "guajiayu-farm-stays",
    "budget_cny": "150",
    "pace": "relaxed",
    "must": "jinhai-lake",
    "avoid": "yajishan",
}


@pytest.mark.parametrize("action", ["remove", "pin"])
def test_editing_a_stop_of_a_trip_keeps_the_whole_trip(action: str):
    """Remove or Pin on a stop of a 2-day trip keeps both days, the stay, the budget, the pace,
    the must-see and the avoided place (it used to become a 1-day plan, options lost)."""
    at = plan_page(**TRIP)
    assert not at.error, [e.value for e in at.error]
    keys = [b.key for b in at.button if b.key and b.key.startswith(f"{action}_")]
    day2 = [k for k in keys if k.startswith(f"{action}_1_")]
    key = (day2 or keys)[0]
    poi = key.split("_", 2)[2]
    at.button(key=key).click()
    run(at)
    req = request_from_query(at.query_params)
    assert (req.days, req.stay, req.budget_cny, req.pace.value) == (
        2,
        "guajiayu-farm-stays",
        150,
        "relaxed",
    )
    assert "jinhai-lake" in req.required_ids and "yajishan" in req.avoid
    if action == "remove":
        assert poi in req.avoid
    else:
        pin = next(p for p in req.pins if p.poi_id == poi)
        assert pin.day == (2 if day2 else 1)
    assert not at.error, [e.value for e in at.error]
    assert len([h for h in at.get("html") if "pp-badge" in str(h.value)]) > 0, "the trip is shown"


def test_an_edit_that_cannot_be_planned_keeps_the_plan_shown(monkeypatch: pytest.MonkeyPatch):
    """A pin that cannot be planned shows why, and the previous plan stays on the page (and in
    the URL): a failed edit never wipes the plan."""
    from planner import InfeasibleRequest

    at = plan_page(**SPRING)
    before = request_from_query(at.query_params)
    pin = next(b.key for b in at.button if b.key and b.key.startswith("pin_"))
    from planner.plan import planner as core

    real = core.Planner.plan_trip

    def refuse_pins(self, request):  # the pinned request is refused, as an impossible pin is
        if request.pins:
            raise InfeasibleRequest("pins", "cannot be stop 3: the day has room for 2 stops")
        return real(self, request)

    monkeypatch.setattr(core.Planner, "plan_trip", refuse_pins)
    from webapp import plan as page_module

    page_module._plan.clear()
    at.button(key=pin).click()
    run(at)
    assert at.error and "stop 3" in at.error[0].value
    assert at.info and "之前的行程" in at.info[0].value
    assert request_from_query(at.query_params) == before
    assert [b.key for b in at.button if b.key and b.key.startswith("pin_")], "the plan is shown"


def test_a_picnic_card_has_nothing_to_pin_or_remove():
    """A picnic is a break where you are: its card has no Pin or Remove (they said 'unknown
    place picnic')."""
    at = plan_page(**SPRING)
    assert not [b.key for b in at.button if b.key and b.key.endswith("_picnic")]


def test_a_failed_independent_check_is_never_blamed_on_the_visitor():
    """A plan that fails the planner's own check reads as our bug, not "check your input"."""
    from planner.errors import ItineraryCheckError
    from webapp.plan_form import error_text

    text = error_text(ItineraryCheckError(["day 1: x is stop 4, pinned at 3"]), "zh")
    assert "程序错误" in text and "请检查输入" not in text
    assert "bug on our side" in error_text(ItineraryCheckError(["x"]), "en")


def test_running_late_replans_from_where_you_are():
    """The running-late form re-plans from the chosen place and time, without the visited stops."""
    at = plan_page(**SPRING)
    it = Planner.from_configs().plan(request_from_query(SPRING))
    here = it.stops[0].poi_id
    at.selectbox(key="late_here").set_value(here)
    at.time_input(key="late_now").set_value(dt.time(11, 0))
    at.multiselect(key="late_visited").set_value([here])
    at.button(key="late_go").click()
    run(at)
    assert not at.error, [e.value for e in at.error]
    req = request_from_query(at.query_params)
    assert req.start == here and req.start_time == dt.time(11, 0) and here in req.avoid


def test_a_re_plan_that_cannot_be_keeps_the_day_on_screen_and_says_why():
    """At 17:59, one minute before the day's end, nothing can be re-planned from the first stop:
    the refusal shows under the re-plan button and the planned day stays (the link unchanged),
    for a visitor who still needs it; a new plan clears it."""
    at = plan_page(**SPRING)
    before = dict(at.query_params)
    it = Planner.from_configs().plan(request_from_query(SPRING))
    at.selectbox(key="late_here").set_value(it.stops[0].poi_id)
    at.time_input(key="late_now").set_value(dt.time(17, 59))
    at.button(key="late_go").click()
    run(at)
    assert len(at.error) == 1 and "17:59" in at.error[0].value, [e.value for e in at.error]
    assert dict(at.query_params) == before
    assert at.button(key="late_go")  # the day and its re-plan form are still there


def test_running_late_on_a_later_day_of_a_trip_replans_that_day():
    """Each day of a trip has its own running-late form; it re-plans the rest of that day."""
    at = plan_page(**SPRING, days="2")
    assert not at.error, [e.value for e in at.error]
    at.time_input(key="late_now_1").set_value(dt.time(10, 0))
    at.button(key="late_go_1").click()
    run(at)
    assert not at.error, [e.value for e in at.error]
    req = request_from_query(at.query_params)
    assert req.date == dt.date(2027, 4, 18) and req.days == 1
    assert req.start_time == dt.time(10, 0)


def test_catalogue_text_in_the_page_html_is_escaped(
    configs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """A place named ``<b>x</b>`` shows as that text on its stop card, never as markup."""
    own = tmp_path / "configs"
    shutil.copytree(configs, own, ignore=shutil.ignore_patterns(".history", ".*.lock"))
    pois = own / "pois.yaml"
    text = pois.read_text(encoding="utf-8")
    assert "name_zh: 金海湖风景区\n" in text
    pois.write_text(text.replace("name_zh: 金海湖风景区\n", "name_zh: 金海湖<b>x</b>\n"), "utf-8")
    monkeypatch.setenv("PINGGU_CONFIGS", str(own))
    at = plan_page(**SPRING, must="jinhai-lake")
    assert not at.error, [e.value for e in at.error]
    cards = "\n".join(str(h.proto.body) for h in at.get("html"))
    assert "金海湖&lt;b&gt;x&lt;/b&gt;" in cards
    assert "<b>x</b>" not in cards


BAD_URLS = [
    ({"date": "2027-02-30", "start": "pinggu-bus-station"}, "date"),
    ({"date": "2027-04-17", "start": "no-such-place"}, "start"),
    ({"date": "2027-04-17", "start": "pinggu-bus-station", "mode": "rocket"}, "mode"),
    ({"date": "2027-04-17", "start": "pinggu-bus-station", "interests": "ufo"}, "interests"),
    ({"date": "2027-04-17", "start": "pinggu-bus-station", "must": "atlantis"}, "must"),
    (
        {"date": "2027-04-17", "start": "pinggu-bus-station", "start_time": "18", "end_time": "9"},
        "start_time",
    ),
    ({"date": "2027-04-17", "start": "pinggu-bus-station", "days": "9"}, "days"),
    ({"date": "2027-04-17", "start": "pinggu-bus-station", "pins": "[{oops"}, "pins"),
]


@pytest.mark.parametrize(("params", "field"), BAD_URLS, ids=[f for _, f in BAD_URLS])
def test_a_bad_share_link_shows_an_error_naming_the_field(params: dict[str, str], field: str):
    """A hand-edited link never crashes the page: one readable error that names the field."""
    at = plan_page(**params)
    assert at.error, "an error message"
    assert t(plan_form.FIELD_LABELS[field], "zh") in at.error[0].value, "named by its label"
    assert "planner pois" not in at.error[0].value, "no CLI command on a web page"
    assert map_spec(at)["points"], "the map is still there"


def test_end_before_start_in_the_form_is_an_error_not_an_exception():
    """End before start: the page shows a readable error naming the field, nothing is planned."""
    at = plan_page()
    at.time_input(key="f_from").set_value(dt.time(17, 0))
    at.time_input(key="f_to").set_value(dt.time(9, 0))
    at.button[0].click()
    run(at)
    assert at.error and at.error[0].value.startswith("返回时间：")
    assert "end_time" not in at.error[0].value, "the field is named once, by its label, in Chinese"
    assert "不晚于出发时间" in at.error[0].value
    assert "date" not in at.query_params


def test_an_impossible_must_see_is_explained():
    """A must-see that cannot fit is an InfeasibleRequest shown as an error with the fix."""
    ids = [p.id for p in Planner.from_configs().catalog if p.visitable]
    at = plan_page(
        date="2027-04-17",
        start="pinggu-bus-station",
        start_time="08:30",
        end_time="09:00",
        must=ids[0],
    )
    assert at.error and at.error[0].value.startswith(t("label.must", "zh"))


def test_the_form_speaks_the_page_language_in_placeholders_and_budget_help():
    """No Streamlit default "Choose an option" on a Chinese page; the budget says tickets only."""
    at = plan_page()
    widgets = [*at.selectbox, *at.multiselect]
    assert widgets and all(w.proto.placeholder != "Choose an option" for w in widgets)
    budget = at.number_input(key="f_budget_cny")
    assert "仅含门票" in budget.proto.help


def test_a_map_click_sets_the_start():
    """Picking a place on the map offers it as start; the form's start follows."""
    at = plan_page()
    at.session_state["picked"] = "jinhai-lake"
    run(at)
    at.button(key="use_start").click()
    run(at)
    assert at.selectbox(key="f_start__zh").value == "jinhai-lake"


# ------------------------------------------------------------------ operators
def test_operator_page_stays_locked_without_a_password(monkeypatch: pytest.MonkeyPatch):
    """With neither the env var nor a secret, the page says how to set one and shows nothing else."""
    monkeypatch.delenv("PINGGU_OPERATOR_PASSWORD")
    at = run(page_app("operators"))
    assert at.warning and "PINGGU_OPERATOR_PASSWORD" in at.warning[0].value
    assert not at.data_editor and not at.text_input


def test_operator_wrong_password_is_refused():
    """A wrong password shows an error and keeps the page locked."""
    at = run(page_app("operators"))
    at.text_input(key="op_password").set_value("nope")
    at.button[0].click()
    run(at)
    assert at.error and not at.data_editor


def unlocked(name: str) -> AppTest:
    at = page_app(name)
    at.session_state["operator_ok"] = True
    return run(at)


def test_operator_sees_the_table_the_map_and_data_quality():
    """Signed in: the places table, the click map, seasons and the data-quality counts."""
    at = run(page_app("operators"))
    at.text_input(key="op_password").set_value(PASSWORD)
    at.button[0].click()
    run(at)
    assert at.data_editor, "the places table"
    assert map_spec(at, "op_map")["clickable"], "a click anywhere picks a point"
    metrics = {m.label: m.value for m in at.metric}
    assert int(metrics["坐标为估算"]) > 0


def _place_form_input(at: AppTest, label: str):
    return next(w for w in at.text_input if w.label == label)


def test_a_bad_place_edit_shows_the_problem_next_to_the_field_and_writes_nothing(configs: Path):
    """Hours in a wrong syntax: an error under the hours field; the file is unchanged."""
    before = (configs / "pois.yaml").read_bytes()
    at = unlocked("operators")
    at.selectbox(key="op_target").set_value("jinhai-lake")
    run(at)
    _place_form_input(at, "开放时间").set_value("8-5")
    next(b for b in at.button if "保存景点" in b.label).click()
    run(at)
    assert any("opening_hours" in e.value or "hours" in e.value.lower() for e in at.error)
    assert (configs / "pois.yaml").read_bytes() == before


def test_a_place_edit_is_saved_versioned_and_used_by_the_next_plan(configs: Path):
    """A valid edit is written (previous version kept) and the tourist page plans with it."""
    store = CatalogStore(configs / "pois.yaml")
    n_before = len(store.file.history())
    at = unlocked("operators")
    at.selectbox(key="op_target").set_value("jinhai-lake")
    run(at)
    _place_form_input(at, "name_en").set_value("Jinhai Lake (edited)")
    next(b for b in at.button if "保存景点" in b.label).click()
    run(at)
    assert at.success, [e.value for e in at.error]
    assert len(store.file.history()) == n_before + 1
    assert store.load()[0].get("jinhai-lake").name_en == "Jinhai Lake (edited)"
    tourist = plan_page(**SPRING, lang="en", must="jinhai-lake")
    assert "Jinhai Lake (edited)" in markdown_text(tourist)


def test_a_stale_save_to_the_same_place_is_refused(configs: Path):
    """Another operator saved the same place after this one loaded: the save is refused, naming
    the place, and their edit is kept."""
    store = CatalogStore(configs / "pois.yaml")
    at = unlocked("operators")
    at.selectbox(key="op_target").set_value("jinhai-lake")
    run(at)
    cat, tag = store.load()
    store.put(cat.get("jinhai-lake").model_dump(mode="json") | {"ticket_cny": 77.0}, if_match=tag)
    _place_form_input(at, "name_zh").set_value("金海湖（过期的修改）")
    next(b for b in at.button if "保存景点" in b.label).click()
    run(at)
    assert at.error and any("其他人" in e.value and "jinhai-lake" in e.value for e in at.error)
    assert store.load()[0].get("jinhai-lake").ticket_cny == 77.0


def test_a_stale_save_to_another_place_is_merged(configs: Path):
    """Another operator saved a different place after this one loaded: both edits are saved."""
    store = CatalogStore(configs / "pois.yaml")
    at = unlocked("operators")
    at.selectbox(key="op_target").set_value("jinhai-lake")
    run(at)
    cat, tag = store.load()
    store.put(
        cat.get("dongzhimen-hub").model_dump(mode="json") | {"popularity": 0.32}, if_match=tag
    )
    _place_form_input(at, "name_en").set_value("Jinhai Lake (merged)")
    next(b for b in at.button if "保存景点" in b.label).click()
    run(at)
    assert at.success, [e.value for e in at.error]
    cat, _ = store.load()
    assert cat.get("jinhai-lake").name_en == "Jinhai Lake (merged)"
    assert cat.get("dongzhimen-hub").popularity == 0.32


def test_a_refused_place_save_keeps_what_was_typed_after_reload(configs: Path):
    """Both operators changed the lake's Chinese name; the other also its ticket. This save is
    refused; after Reload the form holds this operator's names over the other's version (their
    ticket in it), the other's name shown as what is on file; saving then writes both."""
    store = CatalogStore(configs / "pois.yaml")
    at = unlocked("operators")
    at.selectbox(key="op_target").set_value("jinhai-lake")
    run(at)
    cat, tag = store.load()
    theirs = cat.get("jinhai-lake").model_dump(mode="json")
    store.put(theirs | {"name_zh": "金海湖（对方）", "ticket_cny": 66.0}, if_match=tag)
    _place_form_input(at, "name_zh").set_value("金海湖（我的）")
    _place_form_input(at, "name_en").set_value("Jinhai Lake (mine)")
    next(b for b in at.button if "保存景点" in b.label).click()
    run(at)
    assert any("jinhai-lake" in e.value for e in at.error), "refused, naming the place"
    at.button(key="op_reload_stale").click()
    run(at)
    assert at.selectbox(key="op_target").value == "jinhai-lake"
    assert _place_form_input(at, "name_zh").value == "金海湖（我的）", "typed value kept"
    assert _place_form_input(at, "name_en").value == "Jinhai Lake (mine)"
    ticket = next(w for w in at.number_input if w.label == t("label.ticket", "zh") + " ¥")
    assert ticket.value == 66.0, "the other operator's change is in the form too"
    assert any("金海湖（对方）" in c.value for c in at.caption), "what is on file, side by side"
    assert any("jinhai-lake" in i.value for i in at.info)
    next(b for b in at.button if "保存景点" in b.label).click()
    run(at)
    assert at.success, [e.value for e in at.error]
    lake = store.load()[0].get("jinhai-lake")
    assert (lake.name_zh, lake.name_en, lake.ticket_cny) == (
        "金海湖（我的）",
        "Jinhai Lake (mine)",
        66.0,
    )
    assert "op_typed" not in at.session_state, "saved: nothing kept any more"


def test_a_refused_seasons_save_keeps_what_was_typed_after_reload(configs: Path):
    """This operator added a festival and set the off-season value while another set it too: the
    save is refused; after Reload the seasons editor holds the festival and this value, the
    file's value shown next to it; saving writes them over the other's version."""
    store = CatalogStore(configs / "pois.yaml")
    at = unlocked("operators")
    at.selectbox(key="op_season_place").set_value("hudongshui")
    run(at)
    cat, tag = store.load()
    theirs = cat.get("hudongshui").model_dump(mode="json")
    store.put(theirs | {"off_season_value": 0.4, "popularity": 0.21}, if_match=tag)
    editor = next(d for d in at.data_editor if (d.key or "").startswith("op_seasons_hudongshui"))
    festival = {"kind": "festival", "start": "05-01", "end": "05-03", "note": "mine"}
    at.session_state[editor.key] = {"edited_rows": {}, "added_rows": [festival], "deleted_rows": []}
    next(n for n in at.number_input if (n.key or "").startswith("op_osv_")).set_value(0.6)
    at.button(key="op_save_seasons").click()
    run(at)
    assert any("hudongshui" in e.value for e in at.error), "refused, naming the place"
    at.button(key="op_reload_stale").click()
    run(at)
    editor = next(d for d in at.data_editor if (d.key or "").startswith("op_seasons_hudongshui"))
    assert "mine" in list(editor.value["note"]), "the typed festival is still in the editor"
    assert next(n for n in at.number_input if (n.key or "").startswith("op_osv_")).value == 0.6
    assert any("0.4" in c.value for c in at.caption), "what is on file, side by side"
    at.button(key="op_save_seasons").click()
    run(at)
    assert at.success, [e.value for e in at.error]
    place = store.load()[0].get("hudongshui")
    assert any(s.note == "mine" for s in place.seasons) and place.off_season_value == 0.6
    assert place.popularity == 0.21, "the other operator's change is kept"


def test_saving_the_seasons_of_a_zoned_place_keeps_its_zones(configs: Path):
    """The Peach Blossom Sea's bloom follows a zone of seasons.yaml: its seasons editor shows the
    zone, and a save that changes only the off-season value keeps every season as it was (the
    editor used to drop the zone, losing the season or failing validation)."""
    store = CatalogStore(configs / "pois.yaml")
    before = store.load()[0].get("peach-blossom-sea").seasons
    assert any(s.zone for s in before)
    at = unlocked("operators")
    at.selectbox(key="op_season_place").set_value("peach-blossom-sea")
    run(at)
    editor = next(d for d in at.data_editor if (d.key or "").startswith("op_seasons_peach"))
    assert "zone" in editor.value.columns
    next(n for n in at.number_input if (n.key or "").startswith("op_osv_")).set_value(0.25)
    at.button(key="op_save_seasons").click()
    run(at)
    assert at.success, [e.value for e in at.error]
    place = store.load()[0].get("peach-blossom-sea")
    assert place.seasons == before and place.off_season_value == 0.25


def test_the_table_save_reports_every_problem_by_place_and_field(configs: Path):
    """A table with a bad value is refused before writing; the problems list names place and field."""
    before = (configs / "pois.yaml").read_bytes()
    at = unlocked("operators")
    at.session_state[at.data_editor[0].key] = {
        "edited_rows": {0: {"visit_minutes": -5}, 1: {"opening_hours": "always"}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.button(key="op_save_table").click()
    run(at)
    problems = next(d.value for d in at.dataframe if "字段" in d.value.columns)
    assert set(problems["字段"]) >= {"visit_minutes", "opening_hours"}
    assert set(problems["行"]) == {1, 2}, "each problem names the table row to fix"
    assert (configs / "pois.yaml").read_bytes() == before
    table = at.data_editor[0]
    assert at.session_state[table.key]["edited_rows"][0] == {"visit_minutes": -5}, "edits kept"


def test_a_table_conflict_names_the_places_and_reload_keeps_the_other_edits(configs: Path):
    """Both operators edited the roundabout; this one also the bus station. The save is refused
    naming the roundabout; Reload shows their roundabout and this operator's unsaved bus-station
    edit, which the next save writes."""
    store = CatalogStore(configs / "pois.yaml")
    at = unlocked("operators")
    table = at.data_editor[0]
    assert list(table.value["id"][:2]) == ["pinggu-bus-station", "pinggu-yingbin-roundabout"]
    cat, tag = store.load()
    theirs = cat.get("pinggu-yingbin-roundabout").model_dump(mode="json") | {"popularity": 0.31}
    store.put(theirs, if_match=tag)
    at.session_state[table.key] = {
        "edited_rows": {0: {"popularity": 0.33}, 1: {"popularity": 0.35}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.button(key="op_save_table").click()
    run(at)
    (error,) = [e.value for e in at.error if "pinggu-yingbin-roundabout" in e.value]
    assert "pinggu-bus-station" not in error
    assert store.load()[0].get("pinggu-bus-station").popularity != 0.33, "nothing written"
    at.button(key="op_reload_stale").click()
    run(at)
    assert any("pinggu-bus-station" in w.value for w in at.warning), "the kept edit is named"
    shown = at.data_editor[0].value.set_index("id")["popularity"]
    assert shown["pinggu-bus-station"] == 0.33 and shown["pinggu-yingbin-roundabout"] == 0.31
    at.button(key="op_save_table").click()
    run(at)
    assert at.success, [e.value for e in at.error]
    cat, _ = store.load()
    assert cat.get("pinggu-bus-station").popularity == 0.33
    assert cat.get("pinggu-yingbin-roundabout").popularity == 0.31


def test_history_shows_diffs_and_restores_a_version(configs: Path):
    """After a save the history lists the old version with its diff; restore brings it back."""
    store = CatalogStore(configs / "pois.yaml")
    cat, tag = store.load()
    store.put(cat.get("shilinxia").model_dump(mode="json") | {"popularity": 0.11}, if_match=tag)
    at = unlocked("history")
    assert at.code and "popularity: 0.11" in at.code[0].value
    at.button(key="hist_restore").click()
    run(at)
    assert at.success
    assert store.load()[0].get("shilinxia").popularity != 0.11


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_operator_pages_choose_in_the_page_language_never_streamlit_default(
    configs: Path, lang: str
):
    """Every selectbox and multiselect of the operator and history pages has its own placeholder
    in the page's language, never Streamlit's "Choose an option" / "Choose options"."""
    from planner.i18n.texts import MESSAGES

    store = CatalogStore(configs / "pois.yaml")
    cat, tag = store.load()
    store.put(cat.get("shilinxia").model_dump(mode="json") | {"popularity": 0.12}, if_match=tag)
    ours = {entry.get(lang, entry["en"]) for entry in MESSAGES.values()}
    for name in ("operators", "history"):
        at = page_app(name)
        at.query_params["lang"] = lang
        at.session_state["operator_ok"] = True
        run(at)
        widgets = [*at.selectbox, *at.multiselect]
        assert widgets, name
        for w in widgets:
            assert w.proto.placeholder not in ("", "Choose an option", "Choose options"), w.label
            assert w.proto.placeholder in ours, (w.label, w.proto.placeholder)


def test_history_and_operator_pages_need_the_password_too():
    """The history page is behind the same gate."""
    at = run(page_app("history"))
    assert at.text_input(key="op_password") is not None and not at.code


def test_the_router_has_three_pages():
    """app.py is a router: plan (default), operators, history."""
    source = (ROOT / "app.py").read_text(encoding="utf-8")
    assert source.count("st.Page(") == 3 and "st.navigation" in source


def test_request_query_round_trip_matches_what_the_page_writes():
    """The page writes request_to_query(request) into the URL (plus lang): the same round-trip."""
    req = TripRequest(date="2027-04-17", start="pinggu-bus-station", interests=["lake"])
    assert request_from_query(request_to_query(req) | {"lang": "zh"}) == req


def test_a_refused_bus_day_still_says_the_timetable_times_it():
    """A bus day refused (no bus reaches the must-see) names the bus timetable as its travel
    source under the map, not the straight-line estimate it never used."""
    at = plan_page(
        date="2027-07-14", start="pinggu-bus-station", mode="bus", must="hudongshui", lang="en"
    )
    assert at.error and "Hudongshui" in at.error[0].value  # named by its name
    captions = " ".join(c.value for c in at.caption)
    assert "the bus timetable" in captions and "straight-line" not in captions


def test_a_refusal_shows_under_the_form_where_a_phone_sees_it():
    """The error sits in the form's column, under its button: on a phone the columns stack and
    an error after the map was 1,500 px below the button pressed."""
    at = plan_page(date="2031-01-05", start="pinggu-bus-station", mode="bus", lang="en")
    assert at.error and "2031-01-05" in at.error[0].value
    (form,) = [c for c in at.columns if any(b.label == "Plan my day" for b in c.button)]
    assert [e.value for e in form.error] == [e.value for e in at.error]
