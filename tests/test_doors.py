"""One planner behind every door: the same request plans the same day everywhere.

The same requests (a Peach Blossom Festival Saturday, a summer weekday, a 2-day trip with a
budget and a relaxed pace, and a re-plan in the afternoon) go through every way in: the Python API
(:meth:`Planner.from_configs`), ``planner plan --json`` / ``planner replan --json``, ``POST
/v1/plan|trip|replan``, ``planner batch`` on the local engine and on Ray, and the web app opened
from the plan's share link. Every door must give the same stops, times and legs (all of the plan
JSON but the solver's wall-clock seconds), over the bundled configs: catalogue, season calendar,
festival traffic, travel settings.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from planner import Planner, TripRequest
from planner.cli.main import app as cli_app
from planner.model import Itinerary, Trip
from planner.plan.live import PlannerSettings
from planner.present.share import request_to_query
from planner.service.api import ApiSettings, create_app
from planner.service.batch import run_batch
from planner.solve.solver import DEFAULT_SETTINGS

FESTIVAL = {"date": "2027-04-17", "start": "pinggu-bus-station", "interests": ["blossom", "lake"]}
WEEKDAY = {
    "date": "2027-07-14",
    "start": "pinggu-bus-station",
    "interests": ["lake", "gorge"],
    "must": ["jinhai-lake"],
}
TWO_DAYS = {
    "date": "2027-04-17",
    "start": "pinggu-bus-station",
    "days": 2,
    "stay": "guajiayu-farm-stays",
    "budget_cny": 150,
    "pace": "relaxed",
}
BLIND = {**FESTIVAL, "crowds": False}
"""The festival Saturday planned blind to its crowds (FESTIVAL is planned around them: the
default on festival days)."""
BUS = {
    "date": "2027-07-14",
    "start": "pinggu-bus-station",
    "mode": "bus",
    "interests": ["lake", "gorge"],
}
"""A car-free weekday on the bundled timetable (configs/transit/)."""
DAYS = {"festival": FESTIVAL, "festival-blind": BLIND, "weekday": WEEKDAY, "bus": BUS}
REQUESTS = {**DAYS, "two-days": TWO_DAYS}
MASKED = {"solve_seconds"}
UNHURRIED_NET = 30.0
"""The solver's wall-clock net, as a multiple of the time limit, for these tests: on a loaded CI
machine the test runner's two workers, their solver processes and Ray's two share two cores, and
a search stopped by its net (a machine-speed safeguard, 3x by default, not the work budget that
defines the plan) would be a different search. Every door gets the same wider net."""
UNHURRIED = PlannerSettings(search=replace(DEFAULT_SETTINGS, safety_factor=UNHURRIED_NET))


@pytest.fixture(scope="module", autouse=True)
def unhurried() -> Iterator[None]:
    """Widen the default search's net for every door in this module (see UNHURRIED_NET)."""
    before = DEFAULT_SETTINGS.safety_factor
    object.__setattr__(DEFAULT_SETTINGS, "safety_factor", UNHURRIED_NET)  # a frozen dataclass
    yield
    object.__setattr__(DEFAULT_SETTINGS, "safety_factor", before)


def masked(data: Any) -> Any:
    """The plan JSON without what depends on the machine's speed (the solver's seconds)."""
    if isinstance(data, dict):
        return {k: masked(v) for k, v in data.items() if k not in MASKED}
    if isinstance(data, list):
        return [masked(v) for v in data]
    return data


def dump(plan: Itinerary | Trip) -> Any:
    return masked(json.loads(plan.model_dump_json()))


@pytest.fixture(scope="module")
def planner() -> Planner:
    return Planner.from_configs()


@pytest.fixture(scope="module")
def python_plans(planner: Planner) -> dict[str, Any]:
    """What the Python API plans: the reference every other door is compared with."""
    return {name: dump(planner.plan_trip(TripRequest(**req))) for name, req in REQUESTS.items()}


@pytest.fixture(scope="module")
def http() -> Iterator[TestClient]:
    with TestClient(create_app(ApiSettings())) as client:
        yield client


def days_of(plan: Any) -> list[Any]:
    return plan.get("days", [plan])


def test_the_reference_plans_use_seasons_and_festival_traffic(python_plans: dict[str, Any]) -> None:
    """The festival Saturday is planned in blossom season with festival traffic factors, and the
    weekday without them: the operators' calendars are in the planner every door shares."""
    festival = python_plans["festival"]["days"][0]
    factors = {leg["traffic_factor"] for leg in festival["legs"]}
    assert max(factors) > 1.0, "festival traffic slows some legs"
    assert any("blossom" in s["poi_id"] for s in festival["stops"])
    weekday = python_plans["weekday"]["days"][0]
    assert {leg["traffic_factor"] for leg in weekday["legs"]} == {1.0}
    # the festival day is planned around its crowds unless asked not to; the weekday is not
    assert festival["crowd_aware"] and not weekday["crowd_aware"]
    assert not python_plans["festival-blind"]["days"][0]["crowd_aware"]
    assert any(s["crowd_load"] is not None for s in festival["stops"])
    # the bus day rides the timetable: every leg but a picnic's walks or rides
    bus = python_plans["bus"]["days"][0]
    assert all(leg["transit"] for leg in bus["legs"] if leg["to_id"] != "picnic")
    assert any(p["kind"] == "ride" for leg in bus["legs"] for p in leg["transit"])


@pytest.mark.parametrize("name", sorted(REQUESTS))
def test_http_plans_what_python_plans(name: str, python_plans: dict[str, Any], http: TestClient):
    """POST /v1/plan (one day) and POST /v1/trip give the Python API's plan."""
    body = REQUESTS[name]
    trip = http.post("/v1/trip", json=body)
    assert trip.status_code == 200, trip.text
    assert masked(trip.json()) == python_plans[name]
    if name in DAYS:
        day = http.post("/v1/plan", json=body)
        assert day.status_code == 200, day.text
        assert masked(day.json()) == python_plans[name]["days"][0]


@pytest.mark.parametrize("name", sorted(REQUESTS))
def test_the_cli_plans_what_python_plans(name: str, python_plans: dict[str, Any]) -> None:
    """``planner plan --json`` with the same options prints the Python API's plan."""
    req = REQUESTS[name]
    args = ["plan", "--json", "--date", req["date"], "--start", req["start"]]
    if req.get("interests"):
        args += ["--interests", ",".join(req["interests"])]
    for m in req.get("must", []):
        args += ["--must", m]
    if "mode" in req:
        args += ["--mode", req["mode"]]
    if req.get("crowds") is not None:
        args += ["--crowds" if req["crowds"] else "--no-crowds"]
    if "days" in req:
        args += ["--days", str(req["days"]), "--stay", req["stay"]]
        args += ["--budget", str(req["budget_cny"]), "--pace", req["pace"]]
    result = CliRunner().invoke(cli_app, args)
    assert result.exit_code == 0, result.output
    printed = masked(json.loads(result.stdout))
    expected = python_plans[name]
    assert printed == (expected["days"][0] if name in DAYS else expected)


@pytest.mark.parametrize("engine", ["local", "ray"])
def test_batch_plans_what_python_plans(engine: str, python_plans: dict[str, Any]) -> None:
    """``planner batch`` (local, and Ray with two workers) plans each line as the Python API does."""
    if engine == "ray":
        ray = pytest.importorskip("ray", reason="Ray is the optional extra: pip install '.[scale]'")
        ray.init(
            num_cpus=2, include_dashboard=False, log_to_driver=False, _node_ip_address="127.0.0.1"
        )
    try:
        lines = [(k, json.dumps(REQUESTS[name])) for k, name in enumerate(sorted(REQUESTS), 1)]
        records = list(run_batch(lines, settings=UNHURRIED, engine=engine, chunk_size=1))
    finally:
        if engine == "ray":
            ray.shutdown()
    for record, name in zip(records, sorted(REQUESTS), strict=True):
        assert record["ok"], record
        got = record.get("itinerary") or record["trip"]
        expected = python_plans[name]
        assert masked(got) == (expected["days"][0] if name in DAYS else expected)


@pytest.fixture(scope="module")
def late(planner: Planner) -> dict[str, Any]:
    """The festival day re-planned at 13:10 with its first stop done, through the Python API."""
    day = planner.plan(TripRequest(**FESTIVAL))
    now = dt.datetime(2027, 4, 17, 13, 10)
    visited = [day.stops[0].poi_id]
    again = planner.replan(day, now=now, visited=visited)
    return {"day": day, "now": now, "visited": visited, "expected": dump(again)}


def test_http_replans_what_python_replans(late: dict[str, Any], http: TestClient) -> None:
    """POST /v1/replan gives the Python API's re-plan of the same day."""
    body = {
        "itinerary": json.loads(late["day"].model_dump_json()),
        "now": late["now"].isoformat(),
        "visited": late["visited"],
    }
    resp = http.post("/v1/replan", json=body)
    assert resp.status_code == 200, resp.text
    assert masked(resp.json()) == late["expected"]


def test_the_cli_replans_what_python_replans(late: dict[str, Any], tmp_path: Path) -> None:
    """``planner replan --json`` gives the Python API's re-plan of the same day."""
    plan_file = tmp_path / "day.json"
    plan_file.write_text(late["day"].model_dump_json(), encoding="utf-8")
    args = ["replan", "--plan", str(plan_file), "--now", f"{late['now']:%H:%M}", "--json"]
    args += ["--visited", ",".join(late["visited"])]
    result = CliRunner().invoke(cli_app, args)
    assert result.exit_code == 0, result.output
    assert masked(json.loads(result.stdout)) == late["expected"]


@pytest.mark.parametrize("name", sorted(REQUESTS))
def test_the_web_app_shows_what_python_plans(
    name: str, python_plans: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The web app opened from the plan's share link draws the Python API's stops, each with its
    arrival and departure, and one leg into every stop and one home per day."""
    from streamlit.testing.v1 import AppTest

    monkeypatch.delenv("PINGGU_CONFIGS", raising=False)  # the bundled configs, as the others
    request = TripRequest(**REQUESTS[name])
    at = AppTest.from_file(str(Path(__file__).resolve().parents[1] / "app.py"), default_timeout=90)
    for key, value in request_to_query(request).items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, at.exception
    spec = next(
        json.loads(e.proto.json)
        for e in at.get("bidi_component")
        if e.proto.component_name == "pinggu_map" and e.proto.id.endswith("plan_map")
    )
    shown = []
    for point in (p for p in spec["points"] if p["kind"] == "stop"):
        for title, body in zip(point["title"].split("\n"), point["body"].split(" · "), strict=True):
            shown.append((title, body))
    expected = []
    for day in days_of(python_plans[name]):
        for k, s in enumerate(day["stops"], 1):
            arrival = dt.datetime.fromisoformat(s["arrival"])
            departure = dt.datetime.fromisoformat(s["departure"])
            expected.append((k, s["name_zh"], f"{arrival:%H:%M} → {departure:%H:%M}"))
    assert len(shown) == len(expected)
    assert sorted(body for _, body in shown) == sorted(times for *_, times in expected)
    day_prefix = re.compile(r"^(第 \d+ 天|Day \d+) · ")  # multi-day titles name their day
    assert sorted(day_prefix.sub("", title) for title, _ in shown) == sorted(
        f"{k}. {n}" for k, n, _ in expected
    )
    legs = [line for line in spec["lines"] if line["kind"] == "leg"]
    assert len(legs) == sum(len(d["legs"]) for d in days_of(python_plans[name]))


def test_a_place_named_in_chinese_plans_the_same_through_python_and_http(
    planner: Planner, http: TestClient
) -> None:
    """``must: ["金海湖"]`` (the name, not the id) plans Jinhai Lake through the Python API and
    POST /v1/plan alike, and the answer's request names it by id."""
    body = WEEKDAY | {"must": ["金海湖"]}
    day = planner.plan(TripRequest(**body))
    assert "jinhai-lake" in [s.poi_id for s in day.stops]
    assert day.request.must == ["jinhai-lake"]
    resp = http.post("/v1/plan", json=body)
    assert resp.status_code == 200, resp.text
    assert masked(resp.json()) == dump(day)
