"""Batch planning (planner/service/batch.py): one output line per request, in order, failures recorded.

The engines share :func:`planner.service.batch.plan_one`; the local engine runs it here, the Ray engine
in Ray tasks (a light local Ray: 2 CPUs, no dashboard, shut down after the test).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from planner import Planner
from planner.cli.service import service_app
from planner.plan.live import PlannerSettings
from planner.service.batch import EngineUnavailable, plan_one, read_lines, run_batch

MINI = Path(__file__).parent / "data" / "mini_pois.yaml"
SETTINGS = PlannerSettings(catalog_path=MINI, use_roads=False, check_boundary=False)
GOOD = {"date": "2027-04-17", "start": "station", "interests": ["lake"], "time_limit_s": 0.2}
LINES = [
    json.dumps(GOOD),
    json.dumps({"id": "family", "party_size": 4, "request": GOOD | {"interests": ["blossom"]}}),
    "{not json",
    json.dumps({"date": "2027-04-17", "start": "nowhere"}),
    json.dumps(GOOD | {"must": ["lake"], "start_time": "17:30", "end_time": "18:00"}),
    json.dumps({"id": "x", "party_size": 0, "request": GOOD}),
    json.dumps(GOOD | {"date": "2027-04-18"}),
]


def test_plan_one_plans_a_request_and_keeps_its_id_and_party(mini_planner: Planner) -> None:
    """A good line gives ok with the itinerary; an envelope's id and party size are kept."""
    rec = plan_one(LINES[1], mini_planner, line_no=2)
    assert rec["ok"] and rec["line"] == 2 and rec["id"] == "family" and rec["party_size"] == 4
    assert rec["itinerary"]["request"]["interests"] == ["blossom"]
    json.dumps(rec)  # plain JSON all the way down


@pytest.mark.parametrize(
    ("line", "code", "field"),
    [
        ("{not json", "invalid_json", "line"),
        (json.dumps({"date": "2027-04-17", "start": "nowhere"}), "invalid_request", "start"),
        (json.dumps({"date": "2027-04-17"}), "invalid_request", "start"),
        (
            json.dumps(GOOD | {"must": ["lake"], "start_time": "17:30", "end_time": "18:00"}),
            "infeasible_request",
            "must",
        ),
        (json.dumps({"party_size": 0, "request": GOOD}), "invalid_request", "party_size"),
        ("[1, 2]", "invalid_request", "request"),
    ],
)
def test_a_bad_line_is_recorded_not_raised(
    mini_planner: Planner, line: str, code: str, field: str
) -> None:
    """Every kind of failure becomes ok=false with a stable code, the field and a message."""
    rec = plan_one(line, mini_planner, line_no=7)
    assert rec["ok"] is False and rec["line"] == 7
    assert rec["error"]["code"] == code and rec["error"]["field"] == field, rec
    assert rec["error"]["detail"]


def test_a_bug_in_one_request_does_not_sink_the_batch(
    mini_planner: Planner, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An unexpected exception inside the planner is recorded as internal_error."""
    monkeypatch.setattr(Planner, "plan", lambda self, request: 1 / 0)
    rec = plan_one(LINES[0], mini_planner)
    assert (
        rec["error"]["code"] == "internal_error" and "ZeroDivisionError" in rec["error"]["detail"]
    )


def test_local_engine_keeps_input_order_and_skips_blank_lines(tmp_path: Path) -> None:
    """Output order is input order; line numbers count blank lines as editors do."""
    src = tmp_path / "requests.jsonl"
    src.write_text("\n".join([LINES[0], "", *LINES[1:]]) + "\n", encoding="utf-8")
    items = read_lines(src)
    records = list(run_batch(items, settings=SETTINGS))
    assert [r["line"] for r in records] == [1, 3, 4, 5, 6, 7, 8]
    assert [r["ok"] for r in records] == [True, True, False, False, False, False, True]


@pytest.mark.slow
def test_ray_engine_gives_the_same_records_in_the_same_order() -> None:
    """Ray tasks (a local Ray with 2 CPUs, chunks of 2) return what the local engine returns."""
    ray = pytest.importorskip("ray", reason="Ray is the optional extra: pip install '.[scale]'")
    items = list(enumerate(LINES, 1))
    local = list(run_batch(items, settings=SETTINGS))
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, _node_ip_address="127.0.0.1")
    try:
        seen: list[int] = []
        remote = list(
            run_batch(items, settings=SETTINGS, engine="ray", chunk_size=2, progress=seen.append)
        )
    finally:
        ray.shutdown()
    assert sum(seen) == len(items)
    strip = [{k: v for k, v in r.items() if k != "itinerary"} for r in remote]
    assert strip == [{k: v for k, v in r.items() if k != "itinerary"} for r in local]
    for a, b in zip(remote, local, strict=True):  # same seed, same plan, in either engine
        if a["ok"]:
            assert [s["poi_id"] for s in a["itinerary"]["stops"]] == [
                s["poi_id"] for s in b["itinerary"]["stops"]
            ]


def test_ray_engine_without_ray_is_a_clear_error(
    monkeypatch: pytest.MonkeyPatch, mini_planner: Planner
) -> None:
    """With the extra missing, --engine ray says how to install it."""
    import builtins

    real_import = builtins.__import__

    def no_ray(name: str, *args: object, **kwargs: object) -> object:
        if name == "ray":
            raise ImportError("No module named 'ray'")
        return real_import(name, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(builtins, "__import__", no_ray)
    with pytest.raises(EngineUnavailable, match=r"pip install '\.\[scale\]'"):
        list(run_batch([(1, LINES[0])], engine="ray", planner=mini_planner))


def test_batch_command_writes_one_line_per_request(tmp_path: Path) -> None:
    """`planner batch` writes every record, reports the failures, and exits 0."""
    src = tmp_path / "requests.jsonl"
    src.write_text("\n".join(LINES) + "\n", encoding="utf-8")
    out = tmp_path / "plans.jsonl"
    result = CliRunner().invoke(
        service_app,
        [
            "batch",
            str(src),
            "--out",
            str(out),
            "--catalog",
            str(MINI),
            "--no-roads",
            "--no-progress",
        ],
    )
    # the mini catalogue lies inside Pinggu, so the default boundary check passes
    assert result.exit_code == 0, result.output
    assert "planned 3 of 7 requests (4 failed" in result.output
    records = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert [r["line"] for r in records] == list(range(1, 8))


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["missing.jsonl", "--out", "p.jsonl"], "REQUESTS:"),
        (["{src}", "--out", "p.jsonl", "--engine", "spark"], "--engine:"),
        (["{src}", "--out", "p.jsonl", "--address", "auto"], "--address: only with --engine ray"),
        (["{src}", "--out", "no/such/dir/p.jsonl"], "--out:"),
        (["{src}", "--out", "p.jsonl", "--engine", "ray", "--chunk-size", "0"], "--chunk-size:"),
    ],
)
def test_batch_command_errors_name_the_option(tmp_path: Path, args: list[str], says: str) -> None:
    """A user error is one line naming the option, exit status 2."""
    src = tmp_path / "r.jsonl"
    src.write_text(LINES[0] + "\n", encoding="utf-8")
    argv = [a.replace("{src}", str(src)) for a in args]
    argv = [
        str(tmp_path / a) if a.endswith(".jsonl") and not a.startswith("/") else a for a in argv
    ]
    result = CliRunner().invoke(service_app, ["batch", *argv])
    assert result.exit_code == 2, result.output
    assert says in result.output
