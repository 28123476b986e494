"""Specification of verifying the catalogue against OpenStreetMap (``planner.verify``).

One synthetic extract, built here around the bundled catalogue's own points, holds one case of
each kind the matcher must get right: an exact name, a name with the suffix 风景区, a name in
pinyin only, two separate features of one name, a scenic area whose centroid lies in its lake, a
place OSM lacks, the right name 8 km away, a point that is already right; and for discovery a farm
restaurant, a guesthouse, a viewpoint, an orchard, a temple, and features that must not be
proposed (unnamed, outside the district, already in the catalogue).
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
import yaml
from osm_features import CATALOG, at, build_extract, offset
from shapely.geometry import Point

from planner.data.boundary import load_boundary
from planner.data.catalog import load_catalog
from planner.data.coords import haversine_m
from planner.data.store import CatalogStore
from planner.errors import ConfigError
from planner.model import Confidence
from planner.verify.apply import StaleProposalError, apply_proposal
from planner.verify.discover import discover
from planner.verify.features import PointKind, read_osm_file
from planner.verify.match import MatchStatus, match_catalog
from planner.verify.names import core, name_score, pinyin
from planner.verify.proposals import Decision, decide, read_proposal, write_proposal
from planner.verify.propose import build_proposal, source_of

ROOT = Path(__file__).resolve().parents[1]
TODAY = dt.date(2026, 12, 3)


@pytest.fixture(scope="module")
def extract(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_extract().write_pbf(tmp_path_factory.mktemp("osm") / "pinggu-test.osm.pbf")


@pytest.fixture(scope="module")
def matches(extract: Path) -> dict[str, object]:
    data = read_osm_file(extract)
    return {m.poi.id: m for m in match_catalog(list(CATALOG), data)}


# ------------------------------------------------------------------ names
@pytest.mark.parametrize(
    ("ours", "theirs", "rule"),
    [
        (["金海湖"], ["金海湖"], "exact"),
        (["金海湖"], ["北京金海湖风景区"], "without generic parts"),
        (["挂甲峪"], ["挂甲峪村"], "without generic parts"),
        (["京东大峡谷"], ["大峡谷景区"], "without generic parts"),
        (["Jinhai Lake"], ["Jinhai Lake Scenic Area"], "without generic parts"),
        (["丫髻山"], ["Yajishan"], "pinyin"),
        (["金海湖"], ["Jinhai Hu"], "pinyin"),
    ],
)
def test_names_agree_across_suffixes_scripts_and_pinyin(ours, theirs, rule):
    found = name_score(ours, theirs)
    assert found.rule == rule and found.score >= 0.8


@pytest.mark.parametrize(
    ("ours", "theirs"),
    [
        (["京东大峡谷"], ["京东大溶洞"]),
        (["挂甲峪村"], ["黑豆峪村"]),
        (["金海湖"], ["金海"]),
        (["石林峡"], ["Shilin"]),
    ],
)
def test_different_places_do_not_agree(ours, theirs):
    assert name_score(ours, theirs).score < 0.8


def test_generic_parts_and_pinyin():
    assert core("北京平谷金海湖风景区") == "金海湖"
    assert core("Jingdong Grand Canyon Scenic Area") == "jingdonggrandcanyon"
    assert pinyin("金海湖") == "jinhaihu"


# ------------------------------------------------------------------ matching
def test_an_exact_name_moves_the_estimate_to_the_node(matches):
    m = matches["jingdong-grand-canyon"]
    assert m.status == MatchStatus.moved
    assert m.best.point == PointKind.node and m.best.name.rule == "exact"
    assert m.best.distance_m == pytest.approx(1500, abs=5)


def test_a_suffixed_area_is_reached_at_its_gate(matches):
    m = matches["shilinxia"]
    assert m.status == MatchStatus.moved and m.best.point == PointKind.entrance
    gate = offset(offset(at("shilinxia"), 0, 900), -150, -150)
    assert haversine_m(m.best.lon, m.best.lat, *gate) < 1


def test_a_pinyin_only_name_is_found(matches):
    m = matches["xuanyuan-terrace"]  # 轩辕台 / Xuanyuan Terrace: OSM says only Xuanyuantai
    assert m.status == MatchStatus.moved and m.best.name.rule == "pinyin"


def test_two_features_of_one_name_are_listed_not_guessed(matches):
    m = matches["laoxiangfeng"]
    assert m.status == MatchStatus.ambiguous and m.best is None
    assert len(m.candidates) == 2


def test_an_area_whose_centroid_lies_in_its_lake_gets_a_point_on_land(matches, extract):
    m = matches["jinhai-lake"]
    assert m.status == MatchStatus.moved
    assert m.best.point == PointKind.inside
    data = read_osm_file(extract)
    p = Point(m.best.lon, m.best.lat)
    assert not data.water_at(p)
    area = next(
        f
        for f in data.features
        if f.tags.get("tourism") == "attraction" and "金海湖" in f.tags["name"]
    )
    assert area.geometry.contains(p)
    assert any("way/" in o for o in m.best.same_place)  # the lake itself is the same place


def test_a_place_missing_from_osm_is_reported_missing(matches):
    assert matches["dongzhihu"].status == MatchStatus.missing


def test_the_right_name_8_km_away_is_not_proposed(matches):
    m = matches["tianyunshan"]
    assert m.status == MatchStatus.far and m.best is None
    assert m.candidates[0].distance_m == pytest.approx(8000, abs=5)


def test_a_point_already_right_is_confirmed(matches):
    m = matches["guajiayu"]
    assert m.status == MatchStatus.confirmed and m.best.distance_m < 50


def test_places_sharing_a_point_with_a_match_are_not_moved_by_it(matches):
    assert matches["guajiayu-farm-stays"].status == MatchStatus.missing


def test_xml_and_pbf_read_the_same(extract, tmp_path):
    xml = build_extract().write_xml(tmp_path / "same.osm")
    a, b = read_osm_file(xml), read_osm_file(extract)
    assert sorted(f.osm_id for f in a.features) == sorted(f.osm_id for f in b.features)


def test_osmnx_frames_give_the_same_features(tmp_path):
    """The online path (osmnx's features API) converts its GeoDataFrame with ``from_frame``;
    ``features_from_xml`` returns the same frame from this file."""
    import osmnx as ox

    from planner.verify.features import OSMNX_TAGS, from_frame

    xml = build_extract().write_xml(tmp_path / "same.osm")
    frame = ox.features_from_xml(xml, tags=OSMNX_TAGS)
    online = {m.poi.id: m.status for m in match_catalog(list(CATALOG), from_frame(frame, "test"))}
    offline = {m.poi.id: m.status for m in match_catalog(list(CATALOG), read_osm_file(xml))}
    assert online == offline


# ------------------------------------------------------------------ discovery
def test_discovery_proposes_the_districts_new_places_only(extract):
    found = discover(
        read_osm_file(extract), list(CATALOG), boundary=load_boundary(), today="2026-12-03"
    )
    by_name = {d.entry["name_zh"]: d for d in found}
    assert set(by_name) == {"老张农家院", "山里人家", "望京台", "大桃采摘园", "兴隆寺"}
    restaurant = by_name["老张农家院"]
    assert restaurant.entry["category"] == "restaurant"
    assert restaurant.entry["opening_hours"] == "Mo-Su 10:00-21:00"
    assert restaurant.to_fill == ["description_zh", "description_en"]
    assert "name_en" in restaurant.estimated  # pinyin, not an official English name
    inn = by_name["山里人家"]
    assert inn.entry["name_en"] == "Mountain Home Inn" and inn.entry["visitable"] is False
    assert by_name["兴隆寺"].entry["ticket_cny"] == 0
    assert by_name["大桃采摘园"].entry["interests"] == ["farm", "picking"]
    assert all(
        d.entry["confidence"] == "osm" and d.entry["source"].startswith("osm:") for d in found
    )
    assert len({d.entry["id"] for d in found}) == len(found)


# ------------------------------------------------------------------ proposal and apply
@pytest.fixture
def configs(tmp_path: Path) -> Path:
    dst = tmp_path / "configs"
    dst.mkdir()
    for src in (ROOT / "configs").glob("*.yaml"):
        shutil.copy(src, dst / src.name)
    return dst


def _proposal(extract: Path, configs: Path, path: Path) -> Path:
    store = CatalogStore(configs / "pois.yaml")
    catalog, etag = store.load()
    data = read_osm_file(extract)
    proposal = build_proposal(
        source=source_of(extract, None),
        catalog_file="pois.yaml",
        etag=etag,
        matches=match_catalog(list(catalog), data),
        discoveries=discover(data, list(catalog), boundary=load_boundary(), today="2026-12-03"),
    )
    write_proposal(proposal, path)
    return path


def test_the_proposal_file_round_trips_and_says_why_in_both_languages(extract, configs, tmp_path):
    path = _proposal(extract, configs, tmp_path / "p.yaml")
    proposal, _ = read_proposal(path)
    item = proposal.item("jingdong-grand-canyon")
    assert item.status == MatchStatus.moved and item.decision == Decision.pending
    assert "1.5 km" in item.note.en and "1.5 km" in item.note.zh and "京东大峡谷" in item.note.zh
    assert proposal.counts()["ambiguous"] == 1
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert raw["osm"]["sha256"] and raw["catalog"]["etag"]


def test_applying_accepted_items_writes_them_at_once_with_the_old_version_kept(
    extract, configs, tmp_path
):
    path = _proposal(extract, configs, tmp_path / "p.yaml")
    proposal, _ = read_proposal(path)
    proposal = decide(
        proposal, ["jingdong-grand-canyon", "shilinxia", "guajiayu"], Decision.accept, by="Li Na"
    )
    proposal = decide(proposal, ["yajishan"], Decision.reject, by="Li Na")
    store = CatalogStore(configs / "pois.yaml")
    before = store.file.read()[0]
    applied = apply_proposal(proposal, store, today=TODAY)
    assert applied.moved == ["jingdong-grand-canyon", "shilinxia"] and applied.confirmed == [
        "guajiayu"
    ]
    assert applied.rejected == ["yajishan"]
    catalog, _ = store.load()
    canyon = catalog.get("jingdong-grand-canyon")
    assert canyon.confidence == Confidence.osm
    assert canyon.source.startswith("osm:node/") and "accepted by Li Na" in canyon.source
    assert "research PG" in canyon.source  # the facts' sources stay
    assert haversine_m(*canyon.lonlat, *offset(at("jingdong-grand-canyon"), 1060, 1060)) < 1
    assert catalog.get("yajishan").lonlat == CATALOG.get("yajishan").lonlat
    assert [v.path.read_text(encoding="utf-8") for v in store.file.history()] == [before]
    # the file keeps its comments: only the changed lines differ
    assert store.file.read()[0].startswith(before.split("\n", 1)[0])


def test_a_stale_apply_is_refused_and_writes_nothing(extract, configs, tmp_path):
    path = _proposal(extract, configs, tmp_path / "p.yaml")
    proposal, _ = read_proposal(path)
    proposal = decide(proposal, ["jingdong-grand-canyon", "shilinxia"], Decision.accept, by="Li Na")
    store = CatalogStore(configs / "pois.yaml")
    # someone moves the canyon in the console after the match
    catalog, etag = store.load()
    raw = catalog.get("jingdong-grand-canyon").model_dump(mode="json", exclude_none=True)
    store.put(raw | {"lon": raw["lon"] + 0.01}, if_match=etag)
    text = store.file.read()[0]
    with pytest.raises(StaleProposalError) as err:
        apply_proposal(proposal, store, today=TODAY)
    assert "jingdong-grand-canyon" in str(err.value) and "shilinxia" not in err.value.changed
    assert store.file.read()[0] == text


def test_applying_the_same_proposal_twice_is_refused(extract, configs, tmp_path):
    path = _proposal(extract, configs, tmp_path / "p.yaml")
    proposal = decide(read_proposal(path)[0], ["shilinxia"], Decision.accept, by="Li Na")
    store = CatalogStore(configs / "pois.yaml")
    apply_proposal(proposal, store, today=TODAY)
    with pytest.raises(StaleProposalError, match="shilinxia: this proposal was applied already"):
        apply_proposal(proposal, store, today=TODAY)


def test_ambiguous_items_are_accepted_only_with_a_chosen_candidate(extract, configs, tmp_path):
    path = _proposal(extract, configs, tmp_path / "p.yaml")
    proposal, _ = read_proposal(path)
    with pytest.raises(ConfigError, match="chosen"):
        decide(proposal, ["laoxiangfeng"], Decision.accept, by="Li Na")
    east = next(
        c for c in proposal.item("laoxiangfeng").candidates if c.lon > at("laoxiangfeng")[0]
    )
    chosen = decide(proposal, ["laoxiangfeng"], Decision.accept, by="Li Na", chosen=east.osm_id)
    applied = apply_proposal(chosen, CatalogStore(configs / "pois.yaml"), today=TODAY)
    assert applied.moved == ["laoxiangfeng"]
    assert load_catalog(configs / "pois.yaml").get("laoxiangfeng").lon == pytest.approx(east.lon)


def test_a_new_place_is_accepted_only_once_filled_in(extract, configs, tmp_path):
    path = _proposal(extract, configs, tmp_path / "p.yaml")
    proposal, _ = read_proposal(path)
    new = next(p for p in proposal.new_places if p.entry["name_zh"] == "老张农家院")
    with pytest.raises(ConfigError, match="description_zh"):
        decide(proposal, [new.id], Decision.accept, by="Li Na")
    data = proposal.model_dump(mode="json")
    for item in data["new_places"]:
        if item["osm_id"] == new.osm_id:
            item["entry"] |= {
                "description_zh": "村里的农家院，做柴锅炖鱼。",
                "description_en": "A farm restaurant in the village.",
            }
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    filled = decide(read_proposal(path)[0], [new.id], Decision.accept, by="Li Na")
    applied = apply_proposal(filled, CatalogStore(configs / "pois.yaml"), today=TODAY)
    assert applied.added == [new.id]
    added = load_catalog(configs / "pois.yaml").get(new.id)
    assert added.confidence == Confidence.osm and added.category.value == "restaurant"


def test_decisions_say_who(extract, configs, tmp_path):
    proposal, _ = read_proposal(_proposal(extract, configs, tmp_path / "p.yaml"))
    with pytest.raises(ConfigError, match="decided_by"):
        decide(proposal, ["shilinxia"], Decision.accept, by=" ")
    done = decide(
        proposal,
        ["shilinxia"],
        Decision.reject,
        by="Wang Fang",
        now=dt.datetime(2026, 12, 3, 9, 30),
    )
    item = done.item("shilinxia")
    assert item.decided_by == "Wang Fang" and item.decided_at.hour == 9
