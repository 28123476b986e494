"""Specification of ``planner pois match | discover | apply`` from the command line, and of what
follows an apply: plans over the moved points, warning only about the places still estimated."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from osm_features import build_extract, offset
from typer.testing import CliRunner

from planner import Planner, TripRequest
from planner.cli.main import app
from planner.data.catalog import load_catalog
from planner.data.coords import haversine_m

ROOT = Path(__file__).resolve().parents[1]
runner = CliRunner(env={"COLUMNS": "200"})


@pytest.fixture
def configs(tmp_path: Path) -> Path:
    dst = tmp_path / "configs"
    dst.mkdir()
    for src in (ROOT / "configs").glob("*.yaml"):
        shutil.copy(src, dst / src.name)
    return dst


@pytest.fixture
def extract(tmp_path: Path) -> Path:
    return build_extract().write_pbf(tmp_path / "pinggu.osm.pbf")


def _match(extract: Path, configs: Path, out: Path) -> str:
    result = runner.invoke(
        app,
        [
            "pois",
            "match",
            "--osm-file",
            str(extract),
            "--catalog",
            str(configs / "pois.yaml"),
            "-o",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    return result.output


def _accept_canyon(configs: Path, proposal: Path) -> None:
    """``planner pois apply`` accepting the Grand Canyon's move, by Li Na."""
    result = runner.invoke(
        app,
        [
            "pois",
            "apply",
            str(proposal),
            "--accept",
            "jingdong-grand-canyon",
            "--by",
            "Li Na",
            "--catalog",
            str(configs / "pois.yaml"),
        ],
    )
    assert result.exit_code == 0, result.output


def test_match_writes_a_reviewable_proposal_and_says_what_it_found(extract, configs, tmp_path):
    out = _match(extract, configs, tmp_path / "p.yaml")
    assert "jingdong-grand-canyon" in out and "moved" in out and "ambiguous" in out
    assert f"wrote {tmp_path / 'p.yaml'}" in out
    text = (tmp_path / "p.yaml").read_text(encoding="utf-8")
    assert text.startswith("# Pinggu Planner: places matched against OpenStreetMap")
    data = yaml.safe_load(text)
    assert {m["status"] for m in data["matches"]} >= {
        "moved",
        "confirmed",
        "ambiguous",
        "far",
        "missing",
    }
    assert data["new_places"] == []


def test_match_writes_under_configs_proposals_by_default(extract, configs):
    result = runner.invoke(
        app, ["pois", "match", "--osm-file", str(extract), "--catalog", str(configs / "pois.yaml")]
    )
    assert result.exit_code == 0, result.output
    assert len(list((configs / "proposals").glob("osm-match-*.yaml"))) == 1


def test_discover_drafts_new_places(extract, configs, tmp_path):
    result = runner.invoke(
        app,
        [
            "pois",
            "discover",
            "--osm-file",
            str(extract),
            "--catalog",
            str(configs / "pois.yaml"),
            "-o",
            str(tmp_path / "d.yaml"),
            "--lang",
            "zh",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "老张农家院" in result.output and "需填写" in result.output
    data = yaml.safe_load((tmp_path / "d.yaml").read_text(encoding="utf-8"))
    assert data["matches"] == [] and len(data["new_places"]) == 5


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--osm-file", "missing.osm.pbf"], "--osm-file: missing.osm.pbf does not exist"),
        ([], "--osm-file: give exactly one of --osm-file or --place"),
    ],
)
def test_bad_match_input_names_the_option(args, message, configs):
    result = runner.invoke(app, ["pois", "match", *args, "--catalog", str(configs / "pois.yaml")])
    assert result.exit_code == 2
    assert message in result.output


def test_apply_records_who_decided_and_writes_the_catalogue(extract, configs, tmp_path):
    _match(extract, configs, tmp_path / "p.yaml")
    result = runner.invoke(
        app,
        [
            "pois",
            "apply",
            str(tmp_path / "p.yaml"),
            "--accept",
            "jingdong-grand-canyon,guajiayu",
            "--reject",
            "yajishan",
            "--by",
            "Li Na",
            "--catalog",
            str(configs / "pois.yaml"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "moved 1, confirmed 1, added 0 (rejected 1" in result.output
    decided = {
        m["id"]: m
        for m in yaml.safe_load((tmp_path / "p.yaml").read_text(encoding="utf-8"))["matches"]
    }
    assert decided["jingdong-grand-canyon"]["decided_by"] == "Li Na"
    assert decided["yajishan"]["decision"] == "reject"
    assert load_catalog(configs / "pois.yaml").get("guajiayu").confidence.value == "osm"
    again = runner.invoke(
        app, ["pois", "apply", str(tmp_path / "p.yaml"), "--catalog", str(configs / "pois.yaml")]
    )
    assert again.exit_code == 2
    assert "jingdong-grand-canyon: this proposal was applied already" in again.output


def test_apply_needs_a_name_and_known_items(extract, configs, tmp_path):
    _match(extract, configs, tmp_path / "p.yaml")
    base = ["pois", "apply", str(tmp_path / "p.yaml"), "--catalog", str(configs / "pois.yaml")]
    nameless = runner.invoke(app, [*base, "--accept", "shilinxia"])
    assert nameless.exit_code == 2 and "--by: say who decides" in nameless.output
    unknown = runner.invoke(app, [*base, "--accept", "atlantis", "--by", "Li Na"])
    assert unknown.exit_code == 2 and "--accept: no item atlantis" in unknown.output
    ambiguous = runner.invoke(app, [*base, "--accept", "laoxiangfeng", "--by", "Li Na"])
    assert ambiguous.exit_code == 2 and "chosen" in ambiguous.output


def test_plans_follow_the_applied_points_and_stop_warning_about_them(extract, configs, tmp_path):
    request = TripRequest(
        date="2027-05-15",
        start="pinggu-bus-station",
        interests=["gorge"],
        must=["jingdong-grand-canyon"],
    )
    before = Planner.from_configs(configs, use_roads=False).plan(request)
    _match(extract, configs, tmp_path / "p.yaml")
    _accept_canyon(configs, tmp_path / "p.yaml")
    after = Planner.from_configs(configs, use_roads=False).plan(request)
    stop = next(s for s in after.stops if s.poi_id == "jingdong-grand-canyon")
    assert (
        haversine_m(
            stop.lon,
            stop.lat,
            *offset(load_catalog().get("jingdong-grand-canyon").lonlat, 1060, 1060),
        )
        < 1
    )

    def low_named(itinerary) -> set[str]:
        return {w.en for w in itinerary.warnings if w.code == "warn.low_confidence"}

    assert any("Jingdong Grand Canyon" in w for w in low_named(before))
    assert not any("Jingdong Grand Canyon" in w for w in low_named(after))
    now = load_catalog(configs / "pois.yaml")
    used = {s.poi_id for s in after.stops} | {after.request.start, after.request.end}
    still_low = {pid for pid in used if now.get(pid).confidence.value == "low"}
    assert len(low_named(after)) == len(still_low)


def test_travel_times_follow_on_a_network_built_from_the_same_extract(configs, tmp_path):
    """The extract also has the road from the bus station to the canyon's OSM point, north and
    then east. Before the apply, the canyon's estimated point is 1.06 km south of that road (a
    walk to it); after it, the point is on the road: the leg needs no walk."""
    from planner.model import Mode
    from planner.travel.build import build_network
    from planner.travel.network import load_road_settings, save_network

    draft = build_extract()
    station = load_catalog().get("pinggu-bus-station").lonlat
    canyon = offset(load_catalog().get("jingdong-grand-canyon").lonlat, 1060, 1060)
    corner = (station[0], canyon[1])  # north from the station, then east along the valley road

    def along(
        a: tuple[float, float], b: tuple[float, float], steps: int = 30
    ) -> list[tuple[float, float]]:
        return [
            (a[0] + (b[0] - a[0]) * k / steps, a[1] + (b[1] - a[1]) * k / steps)
            for k in range(steps + 1)
        ]

    draft.line(
        along(station, corner) + along(corner, canyon)[1:],
        highway="primary",
        name="平谷—黄松峪公路",
    )
    extract = draft.write_pbf(tmp_path / "pinggu-roads.osm.pbf")
    network = build_network(
        settings=load_road_settings(configs / "roads.yaml"), osm_file=extract, modes=[Mode.car]
    )
    artifact = save_network(network, tmp_path / "geodata")
    others = [p.id for p in load_catalog() if p.visitable and p.id != "jingdong-grand-canyon"]
    request = TripRequest(
        date="2027-05-15",
        start="pinggu-bus-station",
        must=["jingdong-grand-canyon"],
        avoid=others,
        start_time="08:00",
        end_time="18:00",
        mode="car",
    )

    def leg_in(planner_: Planner):
        it = planner_.plan(request)
        return next(leg for leg in it.legs if leg.to_id == "jingdong-grand-canyon")

    before = leg_in(Planner.from_configs(configs, network_path=artifact))
    _match(extract, configs, tmp_path / "p.yaml")
    _accept_canyon(configs, tmp_path / "p.yaml")
    after = leg_in(Planner.from_configs(configs, network_path=artifact))
    assert after.provider.startswith("osm:") and not after.estimated
    assert after.geometry[-1] == pytest.approx(canyon, abs=1e-5)
    assert before.travel_s - after.travel_s > 10 * 60  # the 1.06 km walk at 4 km/h is gone
