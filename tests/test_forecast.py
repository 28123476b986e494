"""Festival forecast (planner/service/forecast.py): visitors per place per local hour, CSV and a chart.

Hand-made batch records make the arithmetic visible: a party of 2 at the lake from 09:30 to
11:15 is 2 visitors in hours 9, 10 and 11, on site on average 1.0, 2.0 and 0.5 people.
"""

from __future__ import annotations

import csv
import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from planner import Itinerary
from planner.cli.service import service_app
from planner.errors import RequestError
from planner.service.batch import plan_one
from planner.service.forecast import CSV_COLUMNS, forecast, read_plans, render_html, render_svg


def stop(pid: str, begin: str, end: str, day: str = "2027-04-17") -> dict[str, Any]:
    return {
        "poi_id": pid,
        "name_en": pid.title(),
        "name_zh": "测试",
        "visit_start": f"{day}T{begin}:00+08:00",
        "departure": f"{day}T{end}:00+08:00",
    }


def record(*stops: dict[str, Any], party: int = 1) -> dict[str, Any]:
    return {"line": 1, "ok": True, "party_size": party, "itinerary": {"stops": list(stops)}}


FAILED = {"line": 9, "ok": False, "error": {"code": "invalid_request"}}


def cells(fc: Any) -> dict[tuple[str, int], tuple[float, float, float]]:
    return {(c.poi_id, c.hour): (c.arrivals, c.visitors, c.mean_on_site) for c in fc.cells}


def test_a_visit_counts_in_every_hour_it_touches() -> None:
    """2 people 09:30-11:15: arrive in hour 9; present in 9, 10, 11; mean 1.0, 2.0, 0.5."""
    fc = forecast([record(stop("lake", "09:30", "11:15"), party=2)])
    assert cells(fc) == {
        ("lake", 9): (2, 2, 1.0),
        ("lake", 10): (0, 2, 2.0),
        ("lake", 11): (0, 2, 0.5),
    }
    assert fc.plans == 1 and fc.people == 2


def test_parties_add_up_failures_are_counted_not_summed_and_scale_multiplies() -> None:
    """Visitors add over plans; failed records are counted apart; scale multiplies people."""
    recs = [
        record(stop("lake", "10:00", "11:00")),
        record(stop("lake", "10:30", "12:00"), party=3),
        FAILED,
    ]
    fc = forecast(recs, scale=10)
    assert cells(fc)[("lake", 10)] == (40, 40, 25.0)  # 10x(1 full hour + 3 half hours)
    assert cells(fc)[("lake", 11)] == (0, 30, 30.0)
    assert fc.failed == 1 and fc.plans == 2 and fc.people == 40
    assert fc.busiest(1)[0].hour == 10
    with pytest.raises(RequestError, match="scale"):
        forecast(recs, scale=0)


def test_times_are_counted_in_pinggu_local_hours() -> None:
    """A visit given in UTC lands in the local (UTC+8) hour."""
    utc = stop("lake", "00:00", "00:30") | {
        "visit_start": "2027-04-17T01:10:00+00:00",
        "departure": "2027-04-17T01:40:00+00:00",
    }
    (cell,) = forecast([record(utc)]).cells
    assert (cell.hour, cell.mean_on_site) == (9, 0.5)


def test_multi_day_trips_count_every_day() -> None:
    """A trip record contributes the stops of each of its days."""
    trip = {
        "ok": True,
        "party_size": 1,
        "trip": {
            "days": [
                {"stops": [stop("lake", "10:00", "11:00")]},
                {"stops": [stop("gorge", "10:00", "11:00", day="2027-04-18")]},
            ]
        },
    }
    fc = forecast([trip])
    assert {(c.date.isoformat(), c.poi_id) for c in fc.cells} == {
        ("2027-04-17", "lake"),
        ("2027-04-18", "gorge"),
    }


def test_real_plans_from_the_batch_function(mini_planner: Any) -> None:
    """Records written by plan_one aggregate to one arrival per stop."""
    line = json.dumps({"date": "2027-04-17", "start": "station", "interests": ["lake", "blossom"]})
    rec = plan_one(line, mini_planner)
    fc = forecast([rec])
    it = Itinerary.model_validate(rec["itinerary"])
    places = [s for s in it.stops if s.kind != "picnic"]  # a picnic break is not a place
    assert sum(c.arrivals for c in fc.cells) == len(places)
    assert {c.poi_id for c in fc.cells} == {s.poi_id for s in places}


def test_the_chart_is_valid_svg_and_the_page_self_contained() -> None:
    """The SVG parses as XML, has one cell per place and hour; the HTML embeds it, no scripts."""
    fc = forecast(
        [record(stop("lake", "09:30", "11:15"), stop("gorge", "12:00", "13:00"), party=2)]
    )
    svg = render_svg(fc)
    root = ET.fromstring(svg)
    rects = root.findall("{http://www.w3.org/2000/svg}rect")
    assert len(rects) == 1 + 2 * 4  # background + 2 places x hours 9..12
    page = render_html(fc)
    assert (
        "<svg" in page
        and "<script" not in page
        and "http://" not in page.replace("http://www.w3.org", "")
    )
    ET.fromstring(render_svg(forecast([])))  # an empty forecast still draws
    long = stop("a-b", "09:00", "10:00") | {"name_en": "Fish & Chips " * 8, "name_zh": "<鱼>"}
    ET.fromstring(render_svg(forecast([record(long)])))  # long names with & and < stay valid XML


def test_read_plans_names_a_broken_line(tmp_path: Path) -> None:
    """A file that is not a batch output is refused with its line number."""
    bad = tmp_path / "plans.jsonl"
    bad.write_text('{"ok": true}\n{"date": "2027-04-17"}\n', encoding="utf-8")
    with pytest.raises(RequestError, match="line 2"):
        list(read_plans(bad))


def test_forecast_command_writes_csv_and_chart(tmp_path: Path) -> None:
    """`planner forecast` writes the CSV (with a BOM for spreadsheets) and the HTML chart."""
    plans = tmp_path / "plans.jsonl"
    lines = [record(stop("lake", "09:30", "11:15"), party=2), FAILED]
    plans.write_text("\n".join(json.dumps(r) for r in lines) + "\n", encoding="utf-8")
    out = tmp_path / "fc.csv"
    result = CliRunner().invoke(
        service_app, ["forecast", str(plans), "--out", str(out), "--scale", "5"]
    )
    assert result.exit_code == 0, result.output
    assert "1 failed" in result.output and "Lake (lake): 10 visitors" in result.output
    with out.open(encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == CSV_COLUMNS
    assert [(r["hour"], r["visitors"], r["mean_on_site"]) for r in rows] == [
        ("09:00", "10", "5"),
        ("10:00", "10", "10"),
        ("11:00", "10", "2.5"),
    ]
    assert (tmp_path / "fc.html").read_text(encoding="utf-8").startswith("<!doctype html>")


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["nothing.jsonl"], "PLANS:"),
        (["{plans}", "--scale", "0"], "--scale:"),
        (["{plans}", "--chart", "{dir}/c.png"], "--chart:"),
        (["{plans}", "--out", "{dir}/no/such/f.csv"], "--out:"),
    ],
)
def test_forecast_command_errors_name_the_option(
    tmp_path: Path, args: list[str], says: str
) -> None:
    """A user error is one line naming the option, exit status 2."""
    plans = tmp_path / "plans.jsonl"
    plans.write_text(json.dumps(FAILED) + "\n", encoding="utf-8")
    argv = [a.replace("{plans}", str(plans)).replace("{dir}", str(tmp_path)) for a in args]
    result = CliRunner().invoke(
        service_app,
        ["forecast", *argv, "--out", str(tmp_path / "f.csv")]
        if "--out" not in argv
        else ["forecast", *argv],
    )
    assert result.exit_code == 2, result.output
    assert says in result.output
