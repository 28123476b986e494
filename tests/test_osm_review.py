"""The operators' "Verify with OSM" tab (``webapp/osm_review.py``) without a browser.

A small synthetic extract (``tests/osm_features.py``) is drawn around the catalogue's own points:
Jingdong Grand Canyon's node 1.5 km north-east of its estimate (``moved``), two separate 老象峰 4 km
apart (``ambiguous``), 天云山 8 km off (``far``), Guajiayu's village node 30 m away
(``confirmed``) and a farm restaurant the catalogue lacks (a new place). Its proposal is written
into the private configs' ``proposals/`` folder, as ``planner pois match --discover`` would; the
console then records each decision in that file with who made it and applies the accepted ones
through the versioned catalogue store.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from osm_features import OsmDraft, offset
from streamlit.testing.v1 import AppTest

from planner.data.boundary import load_boundary
from planner.data.catalog import load_catalog
from planner.data.store import CatalogStore
from planner.i18n.texts import t
from planner.model import Confidence
from planner.verify.features import read_osm_file
from planner.verify.proposals import (
    Decision,
    decide,
    default_proposal_path,
    read_proposal,
    write_proposal,
)
from planner.verify.propose import match_proposal, source_of
from webapp.osm_review import widget_key

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "peach-blossom"
CATALOG = load_catalog(ROOT / "configs" / "pois.yaml")
CANYON, PEAK, GUAJIAYU = "jingdong-grand-canyon", "laoxiangfeng", "guajiayu"


def at_place(pid: str) -> tuple[float, float]:
    return CATALOG.get(pid).lonlat


def build_extract() -> OsmDraft:
    d = OsmDraft()
    d.node(offset(at_place(CANYON), 1060, 1060), tourism="attraction", name="京东大峡谷")
    d.node(offset(at_place(PEAK), 2000, 0), tourism="attraction", name="老象峰")
    d.node(offset(at_place(PEAK), -2000, 0), tourism="attraction", name="老象峰")
    d.node(offset(at_place("tianyunshan"), 8000, 0), tourism="attraction", name="天云山")
    d.node(offset(at_place(GUAJIAYU), 20, 20), place="village", name="挂甲峪村")
    d.node(offset(at_place(GUAJIAYU), 300, -200), amenity="restaurant", name="老张农家院")
    return d


@pytest.fixture(scope="module")
def extract(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_extract().write_xml(tmp_path_factory.mktemp("osm") / "pinggu-small.osm")


@pytest.fixture
def configs(tmp_path: Path) -> Path:
    """A private copy of the configs for each test (applies write its pois.yaml)."""
    dst = tmp_path / "configs"
    shutil.copytree(ROOT / "configs", dst, ignore=shutil.ignore_patterns(".history", ".*.lock"))
    return dst


@pytest.fixture(autouse=True)
def env(configs: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("PINGGU_CONFIGS", str(configs))
    monkeypatch.setenv("PINGGU_OPERATOR_PASSWORD", PASSWORD)
    yield


@pytest.fixture
def proposal_path(extract: Path, configs: Path) -> Path:
    """The extract's proposal, matched and written as ``planner pois match --discover`` does."""
    store = CatalogStore(configs / "pois.yaml")
    proposal = match_proposal(
        read_osm_file(extract),
        store,
        source_of(extract, None),
        discover_new=True,
        boundary=load_boundary(),
    )
    path = default_proposal_path(configs, "match")
    write_proposal(proposal, path)
    return path


def run(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, at.exception
    return at


def console() -> AppTest:
    """The operator console, signed in (Chinese: the default language)."""

    def script() -> None:
        import sys

        import streamlit as st

        if st.session_state["_root"] not in sys.path:
            sys.path.insert(0, st.session_state["_root"])
        from webapp import operators

        operators.page()

    at = AppTest.from_function(script, default_timeout=90)
    at.session_state["_root"] = str(ROOT)
    at.session_state["operator_ok"] = True
    return run(at)


def click(at: AppTest, path: Path, key: str, what: str) -> AppTest:
    at.button(key=widget_key(path.name, key, what)).click()
    return run(at)


def errors(at: AppTest) -> list[str]:
    return [str(e.value) for e in at.error]


def map_spec(at: AppTest, key: str) -> dict:
    for element in at.get("bidi_component"):
        if element.proto.component_name == "pinggu_map" and element.proto.id.endswith(key):
            return dict(json.loads(element.proto.json))
    raise AssertionError(f"no map {key!r} on the page")


# ------------------------------------------------------------------ the tab
def test_the_tab_lists_the_proposal_counts_its_items_and_maps_each_move(proposal_path: Path):
    """The newest proposal is selected; the counts per status are shown; the map draws the point
    now, the proposed point and a line between them, and both candidates of the ambiguous place."""
    at = console()
    assert any(t("op.osm_tab", "zh") in tab.label for tab in at.tabs)
    assert at.selectbox(key="osm_file").value == proposal_path.name
    metrics = {m.label: m.value for m in at.metric}
    for status, n in {"moved": 1, "confirmed": 1, "ambiguous": 1, "far": 1, "new": 1}.items():
        assert metrics[t(f"op.osm_status_{status}", "zh")] == str(n), status
    spec = map_spec(at, "osm_map")
    canyon = [p for p in spec["points"] if p.get("id") == CANYON]
    assert {p["kind"] for p in canyon} == {"osm-now", "osm"}, "the point now and the proposed one"
    assert any(p["kind"] == "osm-new" for p in spec["points"]), "the new place"
    lines = [line["path"] for line in spec["lines"]]
    now = [round(x, 6) for x in at_place(CANYON)]
    assert any(path[0] == now for path in lines), "a line from the canyon's point now"
    peak = [p for p in spec["points"] if p.get("id") == PEAK and p["kind"] == "osm"]
    assert len(peak) == 2, "both candidates of the ambiguous place"
    proposal, _ = read_proposal(proposal_path)
    assert proposal.item(CANYON).note.zh in "\n".join(str(m.value) for m in at.markdown).replace(
        "\\", ""
    ), "the item's note in the page language"


def test_accepting_a_move_records_who_and_applying_writes_the_osm_point(
    proposal_path: Path, configs: Path
):
    """Accept (with a name) is written to the proposal file at once, with who and when; Apply
    moves the place to the OSM point with confidence osm and the OSM element first in its source,
    says what it moved, and the console's catalogue reloads (the quality tab counts it)."""
    at = console()
    at.text_input(key="osm_by").set_value("Li Na")
    run(at)
    click(at, proposal_path, CANYON, "accept")
    assert not errors(at), errors(at)
    item = read_proposal(proposal_path)[0].item(CANYON)
    assert item.decision == Decision.accept and item.decided_by == "Li Na" and item.decided_at
    raw = yaml.safe_load(proposal_path.read_text(encoding="utf-8"))
    assert any(m["id"] == CANYON and m["decided_by"] == "Li Na" for m in raw["matches"])
    at.button(key="osm_apply").click()
    run(at)
    assert not errors(at), errors(at)
    assert any("Jingdong Grand Canyon" in str(s.value) for s in at.success), "what moved"
    canyon = CatalogStore(configs / "pois.yaml").load()[0].get(CANYON)
    assert canyon.confidence == Confidence.osm
    assert canyon.source.startswith("osm:node/") and "accepted by Li Na" in canyon.source
    assert canyon.lonlat == pytest.approx(offset(at_place(CANYON), 1060, 1060), abs=1e-6)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics[t("op.osm_confidence_osm", "zh")] == "1", "the console shows the new catalogue"
    assert at.button(key="osm_apply").disabled, "applied: nothing more to apply from this version"


def test_a_decision_without_a_name_is_refused(proposal_path: Path):
    """No name, no decision: a message says to enter one; the file is unchanged."""
    before = proposal_path.read_bytes()
    at = console()
    click(at, proposal_path, CANYON, "accept")
    assert t("op.osm_need_name", "zh") in errors(at)
    assert proposal_path.read_bytes() == before


def test_an_ambiguous_place_is_accepted_only_with_a_chosen_candidate(proposal_path: Path):
    """老象峰 has two separate candidates: Accept without choosing one is refused with a message;
    once one is chosen, the decision records it."""
    before = proposal_path.read_bytes()
    at = console()
    at.text_input(key="osm_by").set_value("Li Na")
    run(at)
    click(at, proposal_path, PEAK, "accept")
    assert t("op.osm_need_choice", "zh") in errors(at)
    assert proposal_path.read_bytes() == before
    radio = at.radio(key=widget_key(proposal_path.name, PEAK, "choice"))
    assert radio.value is None and len(radio.options) == 2
    east = next(
        c
        for c in read_proposal(proposal_path)[0].item(PEAK).candidates
        if c.lon > at_place(PEAK)[0]
    )
    radio.set_value(east.osm_id)
    run(at)
    click(at, proposal_path, PEAK, "accept")
    item = read_proposal(proposal_path)[0].item(PEAK)
    assert item.decision == Decision.accept and item.chosen == east.osm_id


def test_a_new_place_is_accepted_once_its_descriptions_are_filled_in(
    proposal_path: Path, configs: Path
):
    """The drafted farm restaurant shows inputs for its to_fill fields: Accept with them empty is
    refused (the proposal's own check, shown by the item); filled in, it is accepted and applied."""
    proposal, _ = read_proposal(proposal_path)
    new = proposal.new_places[0]
    assert new.to_fill == ["description_zh", "description_en"]
    at = console()
    at.text_input(key="osm_by").set_value("Li Na")
    run(at)
    click(at, proposal_path, new.osm_id, "accept")
    assert any("description_zh" in e for e in errors(at)), errors(at)
    assert read_proposal(proposal_path)[0].item(new.osm_id).decision == Decision.pending
    at.text_area(key=widget_key(proposal_path.name, new.osm_id, "description_zh")).set_value(
        "村里的农家院，做柴锅炖鱼。"
    )
    at.text_area(key=widget_key(proposal_path.name, new.osm_id, "description_en")).set_value(
        "A farm restaurant in the village."
    )
    run(at)
    click(at, proposal_path, new.osm_id, "accept")
    assert not errors(at), errors(at)
    at.button(key="osm_apply").click()
    run(at)
    added = CatalogStore(configs / "pois.yaml").load()[0].get(new.id)
    assert added.description_en == "A farm restaurant in the village."
    assert added.confidence == Confidence.osm


def test_a_proposal_changed_by_someone_else_is_reloaded_not_overwritten(proposal_path: Path):
    """Another operator rejected the canyon after this page was drawn: this Accept is refused
    with a message, and their decision stays."""
    at = console()
    at.text_input(key="osm_by").set_value("Li Na")
    run(at)
    proposal, tag = read_proposal(proposal_path)
    write_proposal(
        decide(proposal, [CANYON], Decision.reject, by="Wang Fang"), proposal_path, if_match=tag
    )
    click(at, proposal_path, CANYON, "accept")
    assert t("op.osm_stale", "zh") in errors(at)
    assert read_proposal(proposal_path)[0].item(CANYON).decided_by == "Wang Fang"


def test_a_stale_apply_names_the_place_and_writes_nothing(proposal_path: Path, configs: Path):
    """The canyon was moved in the console after the match: Apply is refused naming it, and the
    catalogue is not written."""
    at = console()
    at.text_input(key="osm_by").set_value("Li Na")
    run(at)
    click(at, proposal_path, CANYON, "accept")
    store = CatalogStore(configs / "pois.yaml")
    catalog, tag = store.load()
    raw = catalog.get(CANYON).model_dump(mode="json", exclude_none=True)
    store.put(raw | {"lon": raw["lon"] + 0.01}, if_match=tag)
    text = store.file.read()[0]
    at.button(key="osm_apply").click()
    run(at)
    assert any(CANYON in e for e in errors(at)), errors(at)
    assert store.file.read()[0] == text


# ------------------------------------------------------------------ uploads
def test_an_uploaded_extract_is_matched_into_a_new_selected_proposal(extract: Path, configs: Path):
    """Uploading the extract writes a proposal under configs/proposals/ and selects it."""
    at = console()
    assert not at.selectbox(key="osm_file").options
    at.file_uploader(key="osm_upload_0").upload(extract.name, extract.read_bytes())
    run(at)
    assert not errors(at), errors(at)
    files = list((configs / "proposals").glob("*.yaml"))
    assert len(files) == 1
    assert at.selectbox(key="osm_file").value == files[0].name
    proposal, _ = read_proposal(files[0])
    assert proposal.osm.name == extract.name and proposal.counts()["moved"] == 1
    assert any(files[0].name in str(s.value) for s in at.success)


@pytest.mark.parametrize(
    ("name", "content"),
    [("broken.osm", b"not xml at all"), ("broken.osm.pbf", b"garbage")],
)
def test_a_broken_file_shows_an_error_not_a_traceback(name: str, content: bytes, configs: Path):
    """A file that is not OSM data: a message naming it; no proposal is written."""
    at = console()
    at.file_uploader(key="osm_upload_0").upload(name, content)
    run(at)
    assert any(name in e and "could not be read" in e for e in errors(at)), errors(at)
    assert not list((configs / "proposals").glob("*.yaml"))


# ------------------------------------------------------------------ data quality
def test_the_quality_tab_counts_places_by_confidence(configs: Path):
    """Surveyed, osm, medium and low: one count each, adding up to the catalogue; the estimated
    ones are still counted (and listed) as needing a look."""
    catalog = CatalogStore(configs / "pois.yaml").load()[0]
    at = console()
    metrics = {m.label: m.value for m in at.metric}
    for conf in Confidence:
        expected = sum(p.confidence == conf for p in catalog)
        assert metrics[t(f"op.osm_confidence_{conf.value}", "zh")] == str(expected), conf
    low = sum(p.confidence == Confidence.low for p in catalog)
    assert metrics[t("op.estimated_coords", "zh")] == str(low)
