"""The geodata commands and `planner route`, through typer's test runner (no network)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
import yaml
from osm_scenarios import VALLEY, scenario_road_settings, scenario_travel_settings, write_osm_xml
from typer.testing import CliRunner

from planner.cli.geodata import geodata_app, route_command

runner = CliRunner()


def _route_app() -> typer.Typer:
    app = typer.Typer()
    app.command("route")(route_command)
    app.command("noop")(lambda: None)  # two commands, so "route" is a subcommand as in planner
    return app


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    """A project folder with configs/ (test speeds) and an OSM file, but no network yet."""
    configs = tmp_path / "configs"
    configs.mkdir()
    (configs / "travel.yaml").write_text(
        yaml.safe_dump(scenario_travel_settings().model_dump(mode="json"))
    )
    (configs / "roads.yaml").write_text(
        yaml.safe_dump(scenario_road_settings().model_dump(mode="json"))
    )
    write_osm_xml(VALLEY, tmp_path / "valley.osm")
    return tmp_path


def _lonlat(letter: str) -> str:
    lon, lat = VALLEY.lonlat(letter)
    return f"{lon:.7f},{lat:.7f}"


def test_build_info_calibrate_route(project: Path) -> None:
    """build writes an artifact in geodata/ that info, calibrate and route then find by themselves."""
    cfg = ["--configs", str(project / "configs")]
    built = runner.invoke(
        geodata_app,
        [
            "build",
            "--osm-file",
            str(project / "valley.osm"),
            "--output",
            str(project / "geodata"),
            *cfg,
        ],
    )
    assert built.exit_code == 0, built.output
    assert "network  osm:" in built.output and "drive" in built.output
    artifacts = list((project / "geodata").glob("roads.v1.*.npz"))
    assert len(artifacts) == 1

    info = runner.invoke(geodata_app, ["info", "--verify", *cfg])
    assert info.exit_code == 0, info.output
    assert "valley.osm" in info.output and "verified" in info.output
    assert "OpenStreetMap" in info.output

    cal = runner.invoke(geodata_app, ["calibrate", "--sample", "20", *cfg])
    assert cal.exit_code == 0, cal.output
    assert (project / "configs" / "travel_calibrated.yaml").is_file()

    route = runner.invoke(
        _route_app(), ["route", "--from", _lonlat("h"), "--to", _lonlat("b"), "--json", *cfg]
    )
    assert route.exit_code == 0, route.output
    leg = json.loads(route.output)
    assert leg["provider"].startswith("osm:") and leg["estimated"] is False
    # the bundled car access time (test settings: 0) + 390 s round the one-way lane
    assert (leg["seconds"], leg["metres"]) == (390, 4000)
    assert len(leg["geometry"]) >= 4


def test_info_and_route_without_a_network_say_the_estimate_is_used(project: Path) -> None:
    """With no artifact, info says plans use the estimate, and route prints a labelled estimate."""
    cfg = ["--configs", str(project / "configs")]
    info = runner.invoke(geodata_app, ["info", *cfg])
    assert info.exit_code == 0
    assert "no road network found" in info.output and "estimate:v2" in info.output
    route = runner.invoke(
        _route_app(), ["route", "--from", _lonlat("a"), "--to", _lonlat("i"), *cfg]
    )
    assert route.exit_code == 0, route.output
    assert "estimate:v2" in route.output and "straight-line estimate" in route.output


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["build"], "--osm-file: give exactly one of"),
        (["build", "--osm-file", "missing.osm.pbf"], "--osm-file"),
        (["build", "--osm-file", "valley.osm", "--modes", "car,boat"], "--modes: 'boat'"),
        (["calibrate"], "--network: no road network found"),
    ],
)
def test_geodata_errors_are_one_line_with_exit_2(project: Path, monkeypatch, args, needle) -> None:
    """User errors exit with status 2 and one line that names the option."""
    monkeypatch.chdir(project)
    result = runner.invoke(geodata_app, [*args, "--configs", str(project / "configs")])
    assert result.exit_code == 2, result.output
    assert needle in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_route_rejects_bad_coordinates(project: Path) -> None:
    """--from must be LON,LAT in degrees."""
    result = runner.invoke(
        _route_app(),
        ["route", "--from", "40.1", "--to", _lonlat("a"), "--configs", str(project / "configs")],
    )
    assert result.exit_code == 2
    assert "--from: '40.1' is not LON,LAT" in result.output
