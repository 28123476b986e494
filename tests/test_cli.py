"""The ``planner`` command: readable itineraries, JSON that matches the schema, one-line errors.

Bad input must end as exactly one line on stderr that names the option and the fix, with exit
status 2 and no traceback.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from typer.testing import CliRunner

from planner.cli.main import app

DATA = Path(__file__).parent / "data"
MINI = str(DATA / "mini_pois.yaml")
TOPTW = Path(__file__).resolve().parents[2] / "shared" / "benchmarks" / "toptw" / "instances"

runner = CliRunner(env={"COLUMNS": "200"})  # a wide terminal: table cells stay on one line


def plan(*args: str):
    return runner.invoke(app, ["plan", "--catalog", MINI, "--start", "station", *args])


def test_plan_prints_a_readable_itinerary():
    """Each stop with arrival, visit start, departure, ticket and reason; then totals and provider."""
    result = plan("--date", "2027-04-17", "--interests", "lake,blossom", "--lang", "en")
    assert result.exit_code == 0, result.output
    out = result.output
    for text in (
        "Test Lake",
        "Test Blossom Field",
        "Arrive",
        "Leave",
        "Matches your interests",
        "estimate:v2",
    ):
        assert text in out
    assert "Back at" not in out  # the totals line says "back at HH:MM"
    assert "back at" in out


def test_plan_speaks_chinese():
    """--lang zh renders names, headers and reasons in Chinese."""
    result = plan("--date", "2027-04-17", "--interests", "lake", "--lang", "zh")
    assert result.exit_code == 0, result.output
    assert "测试湖" in result.output and "到达" in result.output and "符合您的兴趣" in result.output


def test_plan_lists_what_was_left_out_and_why():
    """A Monday closes the museum: it is listed under 'Left out' with the reason."""
    result = plan("--date", "2027-04-19", "--lang", "en")
    assert result.exit_code == 0, result.output
    assert "Left out" in result.output
    assert "Test Museum" in result.output and "Closed on 2027-04-19" in result.output


def test_plan_json_validates_against_the_published_schema():
    """`plan --json` is the Itinerary as JSON and validates against `planner schema`."""
    result = plan("--date", "2027-04-17", "--json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    schema = json.loads(runner.invoke(app, ["schema"]).stdout)
    jsonschema.validate(doc, schema)
    assert doc["request"]["date"] == "2027-04-17"
    assert doc["legs"][0]["from_id"] == "station"


@pytest.mark.parametrize("model", ["itinerary", "request", "poi"])
def test_schema_prints_each_model(model: str):
    """`planner schema --model X` prints a JSON Schema object."""
    result = runner.invoke(app, ["schema", "--model", model])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["type"] == "object"


@pytest.mark.parametrize(
    ("args", "option", "hint"),
    [
        (["--start", "statoin"], "--start", "did you mean 'station'"),
        (["--must", "lakee"], "--must", "did you mean 'lake'"),
        (["--avoid", "nowhere"], "--avoid", "unknown place 'nowhere'"),
        (["--date", "2027-13-01"], "--date", "YYYY-MM-DD"),
        (["--date", "next week"], "--date", "YYYY-MM-DD"),
        (["--from", "18:00", "--to", "08:00"], "--", "later in the day"),
        (["--from", "8h"], "--from", "HH:MM"),
        (["--interests", "karaoke"], "--interests", "blossom"),
        (["--mode", "plane"], "--mode", "car"),
        (["--lang", "fr"], "--lang", "en or zh"),
        (["--must", "station"], "--must", "not a place to visit"),
    ],
    ids=lambda v: v if isinstance(v, str) else " ".join(v),
)
def test_bad_input_is_one_line_naming_the_option_and_the_fix(args, option, hint):
    """Each bad input: exit 2, one line on stderr, the option and the fix named, no traceback."""
    result = (
        plan("--date", "2027-04-17", *args)
        if "--date" not in args
        else runner.invoke(app, ["plan", "--catalog", MINI, "--start", "station", *args])
    )
    assert result.exit_code == 2, result.output
    err = result.stderr.strip()
    assert len(err.splitlines()) == 1, err
    assert option in err and hint in err
    assert "Traceback" not in result.output


def test_an_unreadable_catalogue_is_reported_not_raised(tmp_path: Path):
    """A missing catalogue file: exit 2 and a message naming the file."""
    result = runner.invoke(app, ["plan", "--catalog", str(tmp_path / "nope.yaml")])
    assert result.exit_code == 2
    assert "nope.yaml" in result.stderr and "not found" in result.stderr


def test_must_visit_that_cannot_fit_is_explained():
    """A must-visit place closed that day is an infeasible request: exit 2, with the reason."""
    result = plan("--date", "2027-04-19", "--must", "museum")
    assert result.exit_code == 2
    assert "--must" in result.stderr and "museum" in result.stderr and "2027-04-19" in result.stderr


def test_pois_validate_accepts_a_good_file_and_lists_every_problem_of_a_bad_one(tmp_path: Path):
    """`pois validate` exits 0 on a valid file, 1 with one line per problem on a broken one."""
    ok = runner.invoke(app, ["pois", "validate", MINI])
    assert ok.exit_code == 0 and "all valid" in ok.stdout
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        Path(MINI)
        .read_text(encoding="utf-8")
        .replace('opening_hours: "Mo-Su 08:00-17:00"', 'opening_hours: "Mo-Su 8-5pm"')
        .replace("visit_minutes: 150", "visit_minutes: -5"),
        encoding="utf-8",
    )
    result = runner.invoke(app, ["pois", "validate", str(bad)])
    assert result.exit_code == 1
    assert "poi 'lake'" in result.stderr and "opening_hours" in result.stderr
    assert "poi 'gorge'" in result.stderr and "visit_minutes" in result.stderr


def test_pois_list_filters_by_category():
    """`pois list --category lake --json` lists just the lakes."""
    result = runner.invoke(app, ["pois", "list", "--catalog", MINI, "--category", "lake", "--json"])
    assert result.exit_code == 0
    assert [p["id"] for p in json.loads(result.stdout)] == ["lake"]
    bad = runner.invoke(app, ["pois", "list", "--catalog", MINI, "--category", "beach"])
    assert bad.exit_code == 2 and "category" in bad.stderr


@pytest.mark.skipif(
    not TOPTW.is_dir(), reason="../shared/benchmarks/toptw is not beside the project"
)
def test_solve_toptw_json_prints_score_and_routes():
    """`solve-toptw --json` prints {"score": int, "routes": [[vertex ids]]} with depot excluded."""
    result = runner.invoke(
        app, ["solve-toptw", str(TOPTW / "c101.txt"), "--time-limit", "0.3", "--json"]
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert set(doc) == {"score", "routes"} and len(doc["routes"]) == 1
    assert doc["score"] > 0 and 0 not in doc["routes"][0]


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["--routes", "7"], "--routes"),
        (["--distance-rounding", "nearest"], "--distance-rounding"),
        (["--time-limit", "0"], "--time-limit"),
    ],
)
def test_solve_toptw_rejects_bad_options(args, option, tmp_path: Path):
    """Out-of-range options of solve-toptw: exit 2 naming the option."""
    f = tmp_path / "x.txt"
    f.write_text("1 1 1 1\n1 1\n0 0 0 0 0 0 0 0 100\n1 1 1 1 1 0 0 0 100\n", encoding="utf-8")
    result = runner.invoke(app, ["solve-toptw", str(f), *args])
    assert result.exit_code == 2 and option in result.stderr


def test_solve_toptw_on_a_missing_file_names_the_file(tmp_path: Path):
    """A missing instance file: exit 2 and a message naming FILE."""
    result = runner.invoke(app, ["solve-toptw", str(tmp_path / "missing.txt")])
    assert result.exit_code == 2 and "missing.txt" in result.stderr


def test_console_script_runs_without_a_traceback():
    """The installed `planner` entry point runs and reports a bad id in one line (a real process)."""
    exe = Path(sys.executable).with_name("planner")
    proc = subprocess.run(
        [str(exe), "plan", "--catalog", MINI, "--start", "nowhere", "--date", "2027-04-17"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2
    assert proc.stderr.strip().startswith("error: --start: unknown place 'nowhere'")
    assert "Traceback" not in proc.stderr


def test_replan_continues_a_saved_plan_from_now(tmp_path: Path):
    """`replan --plan FILE --now HH:MM --visited ID` re-plans the rest of the day from there."""
    saved = plan("--date", "2027-04-17", "--interests", "lake,gorge", "--json")
    assert saved.exit_code == 0, saved.output
    first = json.loads(saved.stdout)["stops"][0]["poi_id"]
    f = tmp_path / "plan.json"
    f.write_text(saved.stdout, encoding="utf-8")
    result = runner.invoke(
        app,
        [
            "replan",
            "--catalog",
            MINI,
            "--plan",
            str(f),
            "--now",
            "12:40",
            "--visited",
            first,
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["visited"] == [first] and doc["day_start"].startswith("2027-04-17T12:40")
    assert first not in [s["poi_id"] for s in doc["stops"]]


@pytest.mark.parametrize(
    ("args", "option"),
    [(["--now", "noon"], "--now"), (["--now", "12:00", "--here", "nowhere"], "--here")],
)
def test_replan_bad_input_names_the_option(tmp_path: Path, args, option):
    """A malformed time or an unknown place: exit 2 naming the option."""
    saved = plan("--date", "2027-04-17", "--json")
    f = tmp_path / "plan.json"
    f.write_text(saved.stdout, encoding="utf-8")
    result = runner.invoke(app, ["replan", "--catalog", MINI, "--plan", str(f), *args])
    assert result.exit_code == 2 and option in result.stderr


def test_pois_list_shows_every_id_in_full_on_a_narrow_terminal():
    """The ids a user must type are never cut short, even 80 columns wide."""
    from planner.data.catalog import load_catalog

    narrow = CliRunner(env={"COLUMNS": "80"})
    result = narrow.invoke(app, ["pois", "list"])
    assert result.exit_code == 0, result.output
    for p in load_catalog():
        assert p.id in result.output


def test_places_may_be_given_by_their_chinese_names():
    """--must 金海湖 --start 平谷汽车站 plans the same as the ids."""
    result = runner.invoke(
        app,
        [
            *["plan", "--date", "2027-04-17", "--no-roads", "--json"],
            "--start",
            "平谷汽车站",
            "--must",
            "金海湖",
        ],
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert doc["request"]["start"] == "pinggu-bus-station"
    assert "jinhai-lake" in [s["poi_id"] for s in doc["stops"]]


def test_a_day_too_short_for_any_visit_says_so_and_no_interests_says_popular():
    """10:00-11:00 plans no stop: a warning names the quickest visit and what it needs; with no
    interests, a tip says the popular places were planned."""
    result = runner.invoke(
        app, ["plan", "--date", "2027-04-17", "--no-roads", "--from", "10:00", "--to", "11:00"]
    )
    assert result.exit_code == 0, result.output
    out = " ".join(result.output.split())
    assert "No place fits in 60 min (10:00-11:00)" in out
    assert "No interests chosen" in out


def test_a_forecast_makes_any_day_crowd_aware_and_contradicting_it_is_refused(tmp_path: Path):
    """``--forecast`` is a forecast to plan around: a summer weekday (not crowd-aware by default)
    given one plans around it; ``--no-crowds`` with a forecast would ignore it, so it is refused."""
    path = tmp_path / "counts.csv"
    path.write_text(
        "date,hour,poi_id,arrivals,mean_on_site\n"
        + "".join(f"2027-07-14,{h},jinhai-lake,3000,2500\n" for h in range(9, 13)),
        encoding="utf-8",
    )
    day = ["plan", "--date", "2027-07-14", "--start", "pinggu-bus-station", "--no-roads"]
    blind = runner.invoke(app, [*day, "--json"])
    assert blind.exit_code == 0, blind.output
    assert json.loads(blind.output)["crowd_aware"] is False
    aware = runner.invoke(app, [*day, "--json", "--forecast", str(path)])
    assert aware.exit_code == 0, aware.output
    assert json.loads(aware.output)["crowd_aware"] is True
    both = runner.invoke(app, [*day, "--no-crowds", "--forecast", str(path)])
    assert both.exit_code == 2
    assert both.output.strip().startswith("error: --forecast:") and "--no-crowds" in both.output


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--place", "nowhere"], "error: --place: unknown place 'nowhere'"),
        (["--place", "pinggu-bus-station"], "error: --place: 'pinggu-bus-station' is not a place"),
        (["--top", "0"], "error: --top:"),
    ],
)
def test_planner_crowds_refuses_what_it_cannot_show_naming_the_option(args: list[str], says: str):
    result = runner.invoke(app, ["crowds", "--date", "2027-04-17", *args])
    assert result.exit_code == 2
    assert result.output.strip().startswith(says), result.output


def test_planner_crowds_json_lists_every_place_like_the_http_api():
    """The table shows the 15 busiest; ``--json`` is GET /v1/crowds's body: every place, unless
    ``--top`` says otherwise."""
    every = json.loads(runner.invoke(app, ["crowds", "--date", "2027-04-17", "--json"]).output)
    top = json.loads(
        runner.invoke(app, ["crowds", "--date", "2027-04-17", "--json", "--top", "3"]).output
    )
    assert len(every["places"]) > 15 and len(top["places"]) == 3
    assert top["places"] == every["places"][:3]


def test_replan_names_an_unknown_visited_place_as_visited(tmp_path: Path):
    """--here defaults to the last visited place: an unknown one is --visited's fault."""
    day = runner.invoke(app, ["plan", "--date", "2027-07-14", "--no-roads", "--json"])
    assert day.exit_code == 0, day.output
    path = tmp_path / "day.json"
    path.write_text(day.output, encoding="utf-8")
    result = runner.invoke(
        app, ["replan", "--plan", str(path), "--now", "12:00", "--visited", "nowhere"]
    )
    assert result.exit_code == 2
    assert result.output.strip().startswith("error: --visited: unknown place 'nowhere'")


def test_planner_crowds_speaks_the_asked_language():
    """The table's title, headers, place names and durations follow --lang."""
    zh = runner.invoke(app, ["crowds", "--date", "2027-04-17", "--top", "1", "--lang", "zh"])
    assert zh.exit_code == 0, zh.output
    for text in ("节庆日", "地点", "拥挤时段", "金海湖风景区", "分钟", "负荷"):
        assert text in zh.output, text
    en = runner.invoke(app, ["crowds", "--date", "2027-04-17", "--top", "1", "--lang", "en"])
    assert "festival day" in en.output and "Jinhai Lake" in en.output and "节庆日" not in en.output


@pytest.mark.parametrize("command", ["plan", "crowds"])
def test_a_forecast_naming_a_place_the_catalogue_lacks_is_refused(tmp_path: Path, command: str):
    """A typo in a forecast's poi_id is named with its row and a suggestion, not silently
    planned as if the place had no counts."""
    path = tmp_path / "counts.csv"
    path.write_text(
        "date,hour,poi_id,arrivals,mean_on_site\n2027-04-17,10,jinhai-lak,900,800\n",
        encoding="utf-8",
    )
    args = ["--date", "2027-04-17", "--forecast", str(path)]
    if command == "plan":
        args += ["--start", "pinggu-bus-station", "--no-roads"]
    result = runner.invoke(app, [command, *args])
    assert result.exit_code == 2
    out = result.output.strip()
    assert out.startswith("error: --forecast: counts.csv row 2: unknown place 'jinhai-lak'"), out
    assert "jinhai-lake" in out
