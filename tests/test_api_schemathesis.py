"""Schemathesis against the live OpenAPI: no 5xx, and every response conforms to its schema.

A real uvicorn server (127.0.0.1, a free port, a thread of this process) serves the API over a
private copy of the bundled configs; schemathesis reads ``/openapi.json`` from it and sends
generated requests (valid and invalid) to every operation. The checks are the contract:

* ``not_a_server_error``: no 5xx, whatever the input;
* ``status_code_conformance``, ``content_type_conformance``, ``response_headers_conformance``,
  ``response_schema_conformance``: every status, media type, header and body is documented;
* ``negative_data_rejection``: schema-invalid requests are refused with a 4xx.

Bounded: a few examples per operation and a small solver budget, so it runs in seconds.
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
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from planner.service.http import ApiSettings, create_app

ROOT = Path(__file__).resolve().parent.parent
KEY = "schemathesis-key"
MAX_EXAMPLES = 10
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
]


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
    return schemathesis.openapi.from_url(f"{live_url}/openapi.json")


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
        case.call_and_validate(headers=headers, checks=CHECKS, timeout=30)

    check()
