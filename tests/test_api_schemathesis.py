"""Schemathesis against the live OpenAPI: every built-in check, on every operation.

A real uvicorn server (127.0.0.1, a free port, a thread of this process) serves the API over a
private copy of the bundled configs; schemathesis reads ``/openapi.json`` from it and sends
generated requests (valid and invalid) to every operation. ``call_and_validate`` is given no
``checks``, so it runs all of schemathesis' built-in checks (``ALL_CHECKS``), among them:

* ``not_a_server_error``: no 5xx, whatever the input;
* ``status_code_conformance``, ``content_type_conformance``, ``response_headers_conformance``,
  ``response_schema_conformance`` (with JSON Schema ``format`` checks): every status, media type,
  header and body is documented;
* ``negative_data_rejection``: schema-invalid requests are refused with a 4xx;
* ``positive_data_acceptance``: schema-valid requests are not refused as malformed (400, 415...);
  a 422 is accepted for the rules a schema cannot state (place ids must be in the catalogue, the
  day must be feasible, cross-field rules), 412/428 for writes without a current ``If-Match``;
* ``missing_required_header``, ``unsupported_method``, ``allow_header_conformance``,
  ``ignored_auth`` and the stateful ones (with no stateful run, they have nothing to compare).

Generated requests rarely name real places, so the documented examples, and a re-plan of one of
them, are sent too: they reach the success bodies (clock times, date-times) the schema describes.
Bounded: a few examples per operation and a tiny solver budget, so it runs in seconds.
"""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
import uvicorn
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import CHECKS, load_all_checks
from schemathesis.config import SchemathesisConfig

from planner.service.api import ApiSettings, create_app

ROOT = Path(__file__).resolve().parent.parent
KEY = "schemathesis-key"
MAX_EXAMPLES = 10
SOLVER_S = 0.05
CONFIG = SchemathesisConfig.from_dict(
    {
        "checks": {
            "response_schema_conformance": {"validate-formats": True},
            "positive_data_acceptance": {
                "expected-statuses": ["2xx", "401", "403", "404", "409", "412", "422", "428"]
            },
        }
    }
)
load_all_checks()
ALL_CHECKS = sorted(CHECKS.get_all_names())


@pytest.fixture(scope="module")
def live_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The API served by uvicorn on 127.0.0.1 for the duration of this module."""
    configs = tmp_path_factory.mktemp("configs")
    for src in (ROOT / "configs").glob("*.yaml"):
        shutil.copy(src, configs / src.name)
    app = create_app(
        ApiSettings(configs_dir=configs, use_roads=False, api_key=KEY, max_solver_seconds=0.5)
    )
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


@pytest.fixture(scope="module")
def api_schema(live_url: str) -> schemathesis.BaseSchema:
    """The OpenAPI document as the live server serves it."""
    return schemathesis.openapi.from_url(f"{live_url}/openapi.json", config=CONFIG)


def test_every_builtin_check_is_enabled(api_schema: schemathesis.BaseSchema) -> None:
    """No check is switched off: the config only widens positive_data_acceptance's statuses."""
    checks = api_schema.config.checks_config_for()
    assert {
        "not_a_server_error",
        "response_schema_conformance",
        "negative_data_rejection",
        "positive_data_acceptance",
    } <= set(ALL_CHECKS)
    assert all(checks.get_by_name(name=name).enabled for name in ALL_CHECKS)
    assert checks.response_schema_conformance.validate_formats


def _operations() -> list[tuple[str, str, GenerationMode]]:
    """Every (method, path) of the API, with valid data, and with invalid data where it takes
    input; building the app does no work, so this is cheap."""
    schema = create_app(ApiSettings(use_roads=False)).openapi()
    out = []
    for path, item in schema["paths"].items():
        for method, op in item.items():
            out.append((method.upper(), path, GenerationMode.POSITIVE))
            if op.get("parameters") or op.get("requestBody"):
                out.append((method.upper(), path, GenerationMode.NEGATIVE))
    return out


def _cheap_solver(body: object, path: str) -> None:
    """Keep the solver cheap: a trip request's ``time_limit_s`` (the default, 1 s, is over this
    server's cap) becomes at most SOLVER_S; values out of the schema's range stay, to be refused."""
    if path == "/v1/replan" and isinstance(body, dict):
        body = body.get("itinerary")
        body = body.get("request") if isinstance(body, dict) else None
    elif path not in ("/v1/plan", "/v1/trip"):
        return
    if isinstance(body, dict):
        limit = body.get("time_limit_s", SOLVER_S)
        if isinstance(limit, float | int) and not isinstance(limit, bool) and 0 < limit <= 60:
            body["time_limit_s"] = min(limit, SOLVER_S)


@pytest.mark.parametrize(("method", "path", "mode"), _operations())
def test_every_operation_conforms_and_never_fails(
    api_schema: schemathesis.BaseSchema, method: str, path: str, mode: GenerationMode
) -> None:
    """Generated requests (valid and invalid) get documented, conformant answers, never a 5xx."""
    operation = api_schema[path][method]

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def check(case: schemathesis.Case) -> None:
        body = case.body
        limit = body.get("time_limit_s") if isinstance(body, dict) else None
        if isinstance(body, dict) and isinstance(limit, float | int) and 0 < limit <= 60:
            # keep the solver cheap; values over the cap are refused with 422 (test_api.py)
            body["time_limit_s"] = min(limit, 0.05)
        headers = {"X-API-Key": KEY} if method in ("PUT", "DELETE") else None
        case.call_and_validate(headers=headers, timeout=30)

    check()


def _operations_with_examples() -> list[tuple[str, str]]:
    """Every (method, path) whose request body documents examples (the plans a consumer copies)."""
    schema = create_app(ApiSettings(use_roads=False)).openapi()
    return [
        (method.upper(), path)
        for path, item in schema["paths"].items()
        for method, op in item.items()
        if any(
            media.get("examples") or media.get("example")
            for media in op.get("requestBody", {}).get("content", {}).values()
        )
    ]


@pytest.mark.parametrize(("method", "path"), _operations_with_examples())
def test_documented_examples_get_conformant_answers(
    api_schema: schemathesis.BaseSchema, method: str, path: str
) -> None:
    """The documented examples (real places, so real plans) pass every check: this is where
    the success bodies (times, datetimes) meet the response schema."""
    operation = api_schema[path][method]
    strategies = operation.get_strategies_from_examples()
    assert strategies, f"{method} {path}: no examples found"
    for strategy in strategies:

        @given(case=strategy)
        @settings(
            max_examples=MAX_EXAMPLES,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def check(case: schemathesis.Case) -> None:
            _cheap_solver(case.body, path)
            headers = {"X-API-Key": KEY} if method in ("PUT", "DELETE") else None
            case.call_and_validate(headers=headers, timeout=30)

        check()


def test_replanning_a_documented_plan_gets_conformant_answers(
    api_schema: schemathesis.BaseSchema,
) -> None:
    """POST /v1/replan documents no example (its body is a whole itinerary): re-plan the first
    documented plan after its first stop, so its success body meets the schema too."""
    plan_op = api_schema["/v1/plan"]["POST"]
    content = plan_op.definition.raw["requestBody"]["content"]["application/json"]
    body = dict(next(iter(content["examples"].values()))["value"], time_limit_s=SOLVER_S)
    plan = plan_op.Case(body=body, media_type="application/json").call_and_validate(timeout=30)
    assert plan.status_code == 200, plan.text
    itinerary = plan.json()
    first = itinerary["stops"][0]
    replan = api_schema["/v1/replan"]["POST"].Case(
        body={"itinerary": itinerary, "now": first["departure"], "visited": [first["poi_id"]]},
        media_type="application/json",
    )
    response = replan.call_and_validate(timeout=30)
    assert response.status_code == 200, response.text
