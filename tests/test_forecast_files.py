"""Specification of forecast files (``--forecast``): what ``planner forecast`` writes is read back
as written, and a bad file is one clear error naming ``--forecast``, the file, the row and the
fix, never a traceback.

The documented pipeline (README, docs/API.md): ``planner batch reqs.jsonl --out plans.jsonl``,
``planner forecast plans.jsonl --out fc.csv``, then ``planner crowds --forecast fc.csv`` and
``planner plan --forecast fc.csv``.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from planner.cli.main import app
from planner.data.catalog import load_catalog
from planner.data.crowds import capacity_of, load_crowds
from planner.errors import RequestError
from planner.plan.crowding import (
    MAX_QUEUE_MIN,
    check_places,
    parse_forecast,
    read_forecast,
    unknown_places,
)

ROOT = Path(__file__).resolve().parents[1]
CATALOG = load_catalog(ROOT / "configs" / "pois.yaml")
CROWDS = load_crowds(ROOT / "configs" / "crowds.yaml")
FESTIVAL = "2027-04-17"
HEADER = "date,hour,poi_id,arrivals,mean_on_site\n"
SCALE = 300
"""Real visitors per planned person: enough for some place's arrivals to outrun its gate."""


def strict_json(text: str) -> Any:
    """JSON as any other program reads it: ``NaN`` or ``Infinity`` are not JSON."""

    def refuse(constant: str) -> None:
        raise ValueError(f"{constant} is not JSON")

    return json.loads(text, parse_constant=refuse)


def expected_waits(rows: list[dict[str, str]], poi_id: str) -> dict[int, float]:
    """The specification of a forecast's queue, per hour: what the gate (``per_hour``) cannot
    let in during an hour waits into the next, up to MAX_QUEUE_MIN of it (more are turned
    away); an arrival waits for the queue ahead of it to clear."""
    cap = capacity_of(CATALOG.get(poi_id), CROWDS)
    assert cap is not None and cap.per_hour is not None
    arrivals = {int(r["hour"][:2]): float(r["arrivals"]) for r in rows if r["poi_id"] == poi_id}
    backlog, out = 0.0, {}
    for h in range(24):
        backlog = min(
            cap.per_hour * MAX_QUEUE_MIN / 60, max(0.0, backlog + arrivals.get(h, 0) - cap.per_hour)
        )
        out[h] = round(60 * backlog / cap.per_hour, 1)
    return out


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A few festival-day requests planned with `planner batch`, turned into a forecast with
    `planner forecast`: the files as the commands wrote them."""
    tmp = tmp_path_factory.mktemp("pipeline")
    requests = tmp / "reqs.jsonl"
    interests = (["blossom"], ["lake"], ["culture"], ["gorge", "lake"], ["farm", "food"])
    requests.write_text(
        "".join(
            json.dumps(
                {
                    "date": FESTIVAL,
                    "start": "pinggu-bus-station",
                    "interests": wants,
                    "seed": k,
                    "time_limit_s": 0.2,
                }
            )
            + "\n"
            for k, wants in enumerate(interests)
        ),
        encoding="utf-8",
    )
    plans, fc = tmp / "plans.jsonl", tmp / "fc.csv"
    batch = CliRunner().invoke(
        app, ["batch", str(requests), "--out", str(plans), "--no-roads", "--no-progress"]
    )
    assert batch.exit_code == 0, batch.output
    made = CliRunner().invoke(
        app, ["forecast", str(plans), "--out", str(fc), "--scale", str(SCALE)]
    )
    assert made.exit_code == 0, made.output
    with fc.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    return {"csv": fc, "rows": rows}


def crowds_json(*args: str) -> dict[str, Any]:
    result = CliRunner().invoke(
        app, ["crowds", "--date", FESTIVAL, "--json", "--top", "999", *args]
    )
    assert result.exit_code == 0, result.output
    return strict_json(result.output)


def test_planner_forecast_output_is_what_planner_crowds_reads(pipeline):
    """The file is the writer's own format (a byte-order mark, hours as 13:00, names and
    visitors), and every place it counts takes its figures: load = mean on site over the
    comfortable capacity, and the queue its arrivals make at the gate."""
    fc: Path = pipeline["csv"]
    rows: list[dict[str, str]] = pipeline["rows"]
    assert fc.read_bytes().startswith(b"\xef\xbb\xbf")
    assert rows and all(r["hour"].endswith(":00") for r in rows)
    assert {"name_en", "name_zh", "visitors"} <= set(rows[0])
    places = {p["poi_id"]: p for p in crowds_json("--forecast", str(fc))["places"]}
    counted = {r["poi_id"] for r in rows}
    assert counted <= set(places)
    waits_seen = []
    for pid in counted:
        cap = capacity_of(CATALOG.get(pid), CROWDS)
        assert cap is not None and cap.at_once is not None
        place = places[pid]
        assert place["source"].startswith("forecast"), pid
        on_site = {int(r["hour"][:2]): float(r["mean_on_site"]) for r in rows if r["poi_id"] == pid}
        waits = expected_waits(rows, pid)
        for h in place["hours"]:
            assert h["load"] == round(on_site.get(h["hour"], 0.0) / cap.at_once, 3), (pid, h)
            assert h["wait_min"] == waits[h["hour"]], (pid, h)
            waits_seen.append(h["wait_min"])
    assert max(waits_seen) > 0  # the queue, not only the load, comes from the file
    assert all(p["source"].startswith("curve") for pid, p in places.items() if pid not in counted)
    check_places(read_forecast(fc), CATALOG.ids)  # every place it counts is in the catalogue


def test_planner_plan_plans_around_the_forecast_it_is_given(pipeline):
    """`planner plan --forecast` plans with the file's figures: the busiest place of the
    forecast, asked for, queues and is loaded exactly as the file says for the hours it is
    joined and visited, and every other stop matches `planner crowds --forecast`."""
    fc: Path = pipeline["csv"]
    rows: list[dict[str, str]] = pipeline["rows"]
    sights = [r for r in rows if CATALOG.get(r["poi_id"]).category.value != "restaurant"]
    busiest = max(sights, key=lambda r: (float(r["arrivals"]), r["poi_id"]))["poi_id"]
    argv = ["plan", "--date", FESTIVAL, "--start", "pinggu-bus-station", "--must", busiest]
    result = CliRunner().invoke(
        app, [*argv, "--forecast", str(fc), "--json", "--no-roads", "--time-limit", "0.3"]
    )
    assert result.exit_code == 0, result.output
    day = strict_json(result.output)
    assert day["crowd_aware"]
    assert "warn.crowds_forecast" in {w["code"] for w in day["warnings"]}
    figures = {
        (p["poi_id"], h["hour"]): h
        for p in crowds_json("--forecast", str(fc))["places"]
        for h in p["hours"]
    }
    (stop,) = [s for s in day["stops"] if s["poi_id"] == busiest]
    start = dt.datetime.fromisoformat(stop["visit_start"])
    join = start - dt.timedelta(seconds=stop["queue_s"])
    at_once = capacity_of(CATALOG.get(busiest), CROWDS).at_once
    on_site = {int(r["hour"][:2]): float(r["mean_on_site"]) for r in rows if r["poi_id"] == busiest}
    assert stop["crowd_load"] == round(on_site.get(start.hour, 0.0) / at_once, 3)
    assert stop["queue_s"] == round(60 * expected_waits(rows, busiest)[join.hour])
    for s in day["stops"]:
        if s["kind"] == "picnic":
            continue
        start = dt.datetime.fromisoformat(s["visit_start"])
        join = start - dt.timedelta(seconds=s["queue_s"])
        here = figures.get((s["poi_id"], start.hour))
        assert s["crowd_load"] == (here["load"] if here else None), s["poi_id"]
        joined = figures.get((s["poi_id"], join.hour))
        assert s["queue_s"] == (round(60 * joined["wait_min"]) if joined else 0), s["poi_id"]


@pytest.mark.parametrize("hour", ["13", "13:00", "13:00:00", " 13 ", "07", "7"])
def test_hours_are_read_as_operators_and_planner_forecast_write_them(hour):
    text = "\ufeff" + HEADER + f"{FESTIVAL},{hour},jinhai-lake,10,20\n"
    (key,) = parse_forecast(text).cells
    assert key == (dt.date(2027, 4, 17), "jinhai-lake", int(hour.strip()[:2]))


def test_columns_may_come_in_any_order_with_others_besides():
    text = (
        "mean_on_site,poi_id,visitors,hour,name_zh,date,arrivals\n"
        f"20,jinhai-lake,30,09:00,金海湖,{FESTIVAL},10\n"
    )
    assert parse_forecast(text).cells == {(dt.date(2027, 4, 17), "jinhai-lake", 9): (10.0, 20.0)}


ROW = f"{FESTIVAL},9,jinhai-lake"


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (b"", "f.csv is empty"),
        (b"\n \n", "f.csv is empty"),
        (HEADER.encode(), "f.csv has a header but no rows"),
        ("\ufeff".encode() + HEADER.encode() + b"\r\n", "f.csv has a header but no rows"),
        (b"date,hour,poi_id,arrivals\n" + f"{ROW},1\n".encode(), "row 1: no column mean_on_site"),
        (b"date;hour;poi_id;arrivals;mean_on_site\n", "row 1: no column date, hour"),
        (HEADER.encode() + f"{ROW},inf,1\n".encode(), "row 2: arrivals 'inf' is not a number"),
        (HEADER.encode() + f"{ROW},1,nan\n".encode(), "row 2: mean_on_site 'nan' is not a number"),
        (HEADER.encode() + f"{ROW},-5,1\n".encode(), "row 2: arrivals '-5' is not a number"),
        (HEADER.encode() + f"{ROW},many,1\n".encode(), "row 2: arrivals 'many' is not a number"),
        (HEADER.encode() + f"{ROW},,1\n".encode(), "row 2: no value for arrivals"),
        (HEADER.encode() + f"{ROW},1\n".encode(), "row 2: no value for mean_on_site"),
        (
            HEADER.encode() + f"{ROW},1,1,Lake, north\n".encode(),
            "row 2: 7 values for the header's 5",
        ),
        (
            HEADER.encode() + f"{FESTIVAL},25,jinhai-lake,1,1\n".encode(),
            "row 2: hour '25' is not an hour",
        ),
        (HEADER.encode() + f"{FESTIVAL},24:00,jinhai-lake,1,1\n".encode(), "hour '24:00' is not"),
        (HEADER.encode() + f"{FESTIVAL},13:30,jinhai-lake,1,1\n".encode(), "hour '13:30' is not"),
        (HEADER.encode() + f"{FESTIVAL},-1,jinhai-lake,1,1\n".encode(), "hour '-1' is not"),
        (
            HEADER.encode() + b"17/04/2027,9,jinhai-lake,1,1\n",
            "row 2: date '17/04/2027' is not a date",
        ),
        (
            HEADER.encode()
            + f"{ROW},1,1\n{FESTIVAL},10,jinhai-lake,1,1\n{FESTIVAL},09:00,jinhai-lake,2,2\n".encode(),
            "row 4: repeats row 2 (2027-04-17 09:00 at jinhai-lake)",
        ),
        (HEADER.encode() + f"{ROW},1,1,Café\n".encode("latin-1"), "f.csv is not UTF-8 text (byte"),
        ("date,hour".encode("utf-16"), "f.csv is not UTF-8 text"),
    ],
)
def test_a_bad_forecast_file_is_one_line_naming_the_option_file_row_and_fix(
    tmp_path, content, says
):
    """Read directly and through the CLI: one RequestError for --forecast, one line of output,
    exit status 2, no traceback."""
    path = tmp_path / "f.csv"
    path.write_bytes(content)
    with pytest.raises(RequestError) as err:
        read_forecast(path)
    assert err.value.field == "--forecast"
    assert says in str(err.value) and "\n" not in str(err.value)
    result = CliRunner().invoke(app, ["crowds", "--date", FESTIVAL, "--forecast", str(path)])
    assert result.exit_code == 2, result.output
    assert result.output.startswith("error: --forecast: ") and says in result.output
    assert result.output.count("\n") == 1 and "Traceback" not in result.output


def test_a_folder_or_an_unreadable_file_is_refused_by_name(tmp_path, monkeypatch):
    for option in (["crowds", "--date", FESTIVAL], ["plan", "--date", FESTIVAL, "--no-roads"]):
        result = CliRunner().invoke(app, [*option, "--forecast", str(tmp_path)])
        assert result.exit_code == 2 and "Traceback" not in result.output
        assert f"--forecast: {tmp_path} is a folder, not a file" in result.output
    locked = tmp_path / "locked.csv"
    locked.write_text(HEADER + f"{ROW},1,1\n", encoding="utf-8")

    read_bytes = Path.read_bytes

    def refuse(self: Path) -> bytes:
        if self.name == locked.name:
            raise PermissionError(13, "Permission denied", str(self))
        return read_bytes(self)

    monkeypatch.setattr(Path, "read_bytes", refuse)  # root may read any file: refuse this one
    with pytest.raises(RequestError, match=r"locked.csv cannot be read \(Permission denied\)"):
        read_forecast(locked)
    result = CliRunner().invoke(app, ["crowds", "--date", FESTIVAL, "--forecast", str(locked)])
    assert result.exit_code == 2 and "cannot be read (Permission denied)" in result.output
    missing = CliRunner().invoke(app, ["crowds", "--date", FESTIVAL, "--forecast", "nowhere.csv"])
    assert missing.exit_code == 2 and "nowhere.csv does not exist" in missing.output


def test_the_field_is_the_callers_and_the_name_is_the_files():
    """The console's upload names its own field and the uploaded file."""
    with pytest.raises(RequestError) as err:
        parse_forecast(HEADER + f"{ROW},1,inf\n", name="counts.csv", field="forecast")
    assert err.value.field == "forecast" and "counts.csv row 2" in str(err.value)


def test_places_the_catalogue_does_not_know_are_found_with_their_row():
    """parse_forecast cannot know the catalogue; where the two meet, unknown ids are named
    (first the first one in the file, with its row and the closest ids)."""
    text = HEADER + "".join(
        f"{FESTIVAL},9,{pid},1,1\n"
        for pid in ("jinhai-lake", "jinhai-lak", "atlantis", "el-dorado")
    )
    forecast = parse_forecast(text, name="fc.csv")
    assert unknown_places(forecast, CATALOG.ids) == ["jinhai-lak", "atlantis", "el-dorado"]
    with pytest.raises(RequestError) as err:
        check_places(forecast, CATALOG.ids)
    message = str(err.value)
    assert err.value.field == "--forecast" and "fc.csv row 3: unknown place 'jinhai-lak'" in message
    assert (
        "did you mean 'jinhai-lake'" in message
        and "also unknown: 'atlantis', 'el-dorado'" in message
    )
    good = parse_forecast(HEADER + f"{ROW},1,1\n")
    assert unknown_places(good, CATALOG.ids) == [] and check_places(good, CATALOG.ids) is None


def test_a_forecast_saved_by_a_chinese_excel_reads_as_gbk(tmp_path):
    """Excel's "CSV (逗号分隔)" on a Chinese Windows writes GBK: such a file (Chinese names in
    its extra columns) reads as the same forecast as its UTF-8 twin."""
    text = "date,hour,poi_id,name_zh,arrivals,mean_on_site\n" + "".join(
        f"{FESTIVAL},{h},jinhai-lake,金海湖风景区,900,800\n" for h in (9, 10)
    )
    gbk, utf8 = tmp_path / "gbk.csv", tmp_path / "utf8.csv"
    gbk.write_bytes(text.encode("gbk"))
    utf8.write_text(text, encoding="utf-8")
    assert read_forecast(gbk).cells == read_forecast(utf8).cells
    assert len(read_forecast(gbk).cells) == 2
