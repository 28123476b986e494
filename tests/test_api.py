"""The HTTP API (planner/service/api.py): endpoints, problem+json errors, operator writes, golden pairs.

Every app here runs over a temporary copy of ``configs/`` (or of ``tests/data/mini_pois.yaml``)
with the estimated travel times, so no test writes the repository's files.

Golden request/response pairs live in ``docs/api/*.json`` (they are the documentation's
examples). ``test_golden_pair`` replays each one against a fresh app and compares the response
with the stored one: ``"*"`` in a stored value matches anything (timings, etags, versions), and
keys the stored body does not have are allowed (models grow additive optional fields).
After an intended change, regenerate them with::

    PINGGU_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_api.py -k golden
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from planner.errors import ConfigError
from planner.service.api import ApiSettings, create_app

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "docs" / "api"
MINI = Path(__file__).parent / "data" / "mini_pois.yaml"
KEY = "test-operator-key"
MASKED = {"solve_seconds", "etag", "catalog_etag", "version"}
ETAG_IN_TEXT = re.compile(r"\b[0-9a-f]{16}\b")
UPDATE = os.environ.get("PINGGU_UPDATE_GOLDEN") == "1"

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def copy_configs(dst: Path, *, catalog: Path | None = None) -> Path:
    """A private configs folder: the bundled travel settings and the bundled (or given) catalogue."""
    dst.mkdir(parents=True, exist_ok=True)
    for src in (ROOT / "configs").glob("*.yaml"):  # travel, roads, seasons, ... as bundled
        shutil.copy(src, dst / src.name)
    shutil.copy(catalog or ROOT / "configs" / "pois.yaml", dst / "pois.yaml")
    return dst


def client_for(configs: Path, **settings: Any) -> TestClient:
    base: dict[str, Any] = {"configs_dir": configs, "use_roads": False, "api_key": KEY}
    return TestClient(create_app(ApiSettings(**(base | settings))))


@pytest.fixture
def mini(tmp_path: Path) -> Iterator[TestClient]:
    """An app over a private copy of the five-place test catalogue, operator key ``KEY``."""
    with client_for(copy_configs(tmp_path / "configs", catalog=MINI)) as client:
        yield client


def problem(resp: Any, status: int, code: str, field: str | None = None) -> dict[str, Any]:
    """Assert an RFC 9457 problem with this status, code and field; return its body."""
    assert resp.status_code == status, resp.text
    assert resp.headers["content-type"] == "application/problem+json"
    body = resp.json()
    assert body["status"] == status and body["code"] == code, body
    assert body["type"].endswith(code) and body["title"] and body["detail"]
    if field is not None:
        assert body.get("field") == field, body
    return body


def operator(etag: str | None = None) -> dict[str, str]:
    headers = {"X-API-Key": KEY}
    if etag is not None:
        headers["If-Match"] = etag
    return headers


# ---------------------------------------------------------------------- golden pairs
def _mask(value: Any) -> Any:
    """Timings and versions become ``"*"``; etags quoted in messages become ``<etag>``."""
    if isinstance(value, dict):
        return {k: "*" if k in MASKED else _mask(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_mask(v) for v in value]
    if isinstance(value, str):
        return ETAG_IN_TEXT.sub("<etag>", value)
    return value


def _matches(expected: Any, actual: Any, where: str = "body") -> list[str]:
    """Differences between a stored (masked) value and the live one; extra live keys are fine."""
    if expected == "*":
        return []
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return [f"{where}: expected an object, got {actual!r}"]
        out = []
        for k, v in expected.items():
            if k not in actual:
                out.append(f"{where}.{k}: missing")
            else:
                out += _matches(v, actual[k], f"{where}.{k}")
        return out
    if isinstance(expected, list):
        if not isinstance(actual, list) or len(actual) != len(expected):
            return [f"{where}: expected {len(expected)} items, got {actual!r:.200}"]
        return [
            d
            for k, (e, a) in enumerate(zip(expected, actual, strict=True))
            for d in _matches(e, a, f"{where}[{k}]")
        ]
    return [] if expected == actual else [f"{where}: expected {expected!r}, got {actual!r}"]


@pytest.mark.parametrize(
    "name", sorted(p.stem for p in GOLDEN.glob("*.json") if p.name != "openapi.json")
)
def test_golden_pair(name: str, tmp_path: Path) -> None:
    """Each documented request still gets the documented response (stable fields compared)."""
    path = GOLDEN / f"{name}.json"
    pair = json.loads(path.read_text(encoding="utf-8"))
    req = pair["request"]
    with client_for(copy_configs(tmp_path / "configs"), api_key="golden-key") as client:
        etag = client.get("/v1/healthz").json()["catalog_etag"]
        headers = {k: v.replace("{etag}", etag) for k, v in req.get("headers", {}).items()}
        kwargs: dict[str, Any] = {"headers": headers}
        if "body" in req:
            kwargs["json"] = req["body"]
        resp = client.request(req["method"], req["path"], **kwargs)
    live: dict[str, Any] = {
        "status": resp.status_code,
        "headers": {"content-type": resp.headers.get("content-type")},
    }
    if "etag" in resp.headers:
        live["headers"]["etag"] = "*"
    if resp.content:
        live["body"] = _mask(resp.json())
    if UPDATE:
        pair["response"] = live
        path.write_text(json.dumps(pair, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        return
    expected = pair["response"]
    assert expected, f"{path.name} has no response yet; run with PINGGU_UPDATE_GOLDEN=1"
    assert resp.status_code == expected["status"], resp.text[:500]
    diffs = _matches(expected.get("headers", {}), live["headers"], "headers")
    diffs += _matches(expected.get("body"), live.get("body"))
    assert not diffs, f"{path.name} differs (regenerate if intended):\n" + "\n".join(diffs[:20])


def test_openapi_snapshot_is_the_live_schema(tmp_path: Path) -> None:
    """docs/api/openapi.json (for consumers) has the live schema's operations and the same
    models, field for field (it had drifted: bus legs and queues were missing)."""
    live = client_for(copy_configs(tmp_path / "c")).get("/openapi.json").json()
    snap_path = GOLDEN / "openapi.json"
    if UPDATE or not snap_path.exists():
        snap_path.write_text(
            json.dumps(live, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
    snap = json.loads(snap_path.read_text(encoding="utf-8"))

    def ops(schema: dict[str, Any]) -> set[tuple[str, str]]:
        return {(p, m) for p, item in schema["paths"].items() for m in item}

    assert ops(snap) == ops(live), "regenerate docs/api/openapi.json (PINGGU_UPDATE_GOLDEN=1)"
    models, live_models = snap["components"]["schemas"], live["components"]["schemas"]
    drifted = sorted(
        k for k in models.keys() | live_models.keys() if models.get(k) != live_models.get(k)
    )
    assert not drifted, f"models differ: {drifted}; regenerate docs/api/openapi.json"
    assert snap == live, "regenerate docs/api/openapi.json (PINGGU_UPDATE_GOLDEN=1)"


# ---------------------------------------------------------------------- service and OpenAPI
def test_healthz_and_version(mini: TestClient) -> None:
    """healthz names the catalogue in use; version names the package and the API version."""
    health = mini.get("/v1/healthz").json()
    assert health["status"] == "ok" and health["places"] == 5
    assert health["travel_provider"].startswith("estimate")
    version = mini.get("/v1/version").json()
    assert version["name"] == "pinggu-planner" and version["api"] == "1"


def test_openapi_documents_errors_as_problem_json_with_examples(mini: TestClient) -> None:
    """Every 4xx/5xx response is documented as application/problem+json; requests have examples."""
    schema = mini.get("/openapi.json").json()
    assert {
        "/v1/plan",
        "/v1/replan",
        "/v1/pois",
        "/v1/pois/{poi_id}",
        "/v1/healthz",
        "/v1/version",
    } <= set(schema["paths"])
    for item in schema["paths"].values():
        for op in item.values():
            for status, resp in op["responses"].items():
                if int(status) >= 400:
                    assert list(resp["content"]) == ["application/problem+json"], (
                        op["summary"],
                        status,
                    )
    plan_body = schema["paths"]["/v1/plan"]["post"]["requestBody"]["content"]["application/json"]
    assert plan_body["schema"] == {"$ref": "#/components/schemas/TripRequest"}
    assert plan_body["examples"]
    assert schema["paths"]["/v1/pois/{poi_id}"]["put"]["security"] == [{"APIKeyHeader": []}]


def test_no_work_at_import_and_planner_built_once(tmp_path: Path) -> None:
    """create_app builds nothing; the first request builds the planner, later ones reuse it."""
    app = create_app(
        ApiSettings(configs_dir=copy_configs(tmp_path / "c", catalog=MINI), use_roads=False)
    )
    holder = app.state.planner
    assert holder._planner is None
    with TestClient(app) as client:
        client.get("/v1/healthz")
        first = holder._planner
        client.get("/v1/pois")
        assert holder._planner is first is not None


# ---------------------------------------------------------------------- planning
def test_plan_returns_a_checked_itinerary(mini: TestClient) -> None:
    """A good request gets 200 and an itinerary with the request echoed and the stops in order."""
    resp = mini.post(
        "/v1/plan", json={"date": "2027-04-17", "start": "station", "interests": ["lake"]}
    )
    assert resp.status_code == 200, resp.text
    it = resp.json()
    assert it["request"]["start"] == "station" and it["start"]["poi_id"] == "station"
    assert [s["poi_id"] for s in it["stops"]] and it["totals"]["stops"] == len(it["stops"])


@pytest.mark.parametrize(
    ("body", "field", "says"),
    [
        ({"date": "2027-04-17", "start": "statoin"}, "start", "did you mean 'station'"),
        ({"date": "17/04/2027", "start": "station"}, "date", "YYYY-MM-DD"),
        ({"date": "2027-04-17", "start": "station", "start_time": "8h"}, "start_time", "HH:MM"),
        ({"date": "2027-04-17", "start": "station", "mode": "plane"}, "mode", "'bus'"),
        ({"date": "2027-04-17", "start": "station", "hotel": "x"}, "hotel", "not a known field"),
        ({"start": "station"}, "date", "required"),
        ({"date": "2027-04-17", "start": "station", "end_time": "08:00"}, "end_time", "not after"),
        (
            {"date": "2027-04-17", "start": "station", "must": ["lake"], "avoid": ["lake"]},
            "avoid",
            "both",
        ),
        ({"date": "2027-04-17", "start": "station", "must": ["station"]}, "must", "station"),
        (
            {"date": "2027-04-17", "start": "station", "time_limit_s": -1},
            "time_limit_s",
            "greater than 0",
        ),
    ],
)
def test_bad_input_is_a_422_naming_the_field_and_the_fix(
    mini: TestClient, body: dict[str, Any], field: str, says: str
) -> None:
    """Every bad field is a 422 problem whose ``field`` and ``detail`` say what to change."""
    err = problem(mini.post("/v1/plan", json=body), 422, "invalid_request", field)
    assert says in err["detail"], err["detail"]


def test_an_impossible_request_is_a_422_infeasible_not_a_500(mini: TestClient) -> None:
    """A must-visit place closed for the whole day is infeasible_request, naming must."""
    body = {
        "date": "2027-04-17",
        "start": "station",
        "must": ["lake"],
        "start_time": "17:30",
        "end_time": "18:00",
    }
    err = problem(mini.post("/v1/plan", json=body), 422, "infeasible_request", "must")
    assert "lake" in err["detail"]


def test_solver_time_is_capped_by_the_server(tmp_path: Path) -> None:
    """A request may not ask for more solver time than max_solver_seconds; the cap is named."""
    client = client_for(copy_configs(tmp_path / "c", catalog=MINI), max_solver_seconds=2)
    body = {"date": "2027-04-17", "start": "station", "time_limit_s": 3}
    err = problem(client.post("/v1/plan", json=body), 422, "invalid_request", "time_limit_s")
    assert "at most 2 s" in err["detail"]
    assert client.post("/v1/plan", json=body | {"time_limit_s": 0.5}).status_code == 200


def test_malformed_bodies_are_4xx(mini: TestClient) -> None:
    """Broken JSON is 400, a form body 415, a JSON array 422: never a 500."""
    problem(
        mini.post("/v1/plan", content=b'{"date": ', headers={"content-type": "application/json"}),
        400,
        "invalid_json",
        "body",
    )
    problem(
        mini.post(
            "/v1/plan",
            content=b"date=2027-04-17",
            headers={"content-type": "application/x-www-form-urlencoded"},
        ),
        415,
        "unsupported_media_type",
    )
    problem(mini.post("/v1/plan", json=[1, 2]), 422, "invalid_request", "body")


def test_bodies_over_the_limit_are_refused_with_413(tmp_path: Path) -> None:
    """The size limit holds for a declared Content-Length and for a streamed (chunked) body."""
    client = client_for(copy_configs(tmp_path / "c", catalog=MINI), max_body_bytes=2048)
    big = json.dumps({"date": "2027-04-17", "start": "station", "avoid": ["x" * 10] * 300}).encode()
    problem(
        client.post("/v1/plan", content=big, headers={"content-type": "application/json"}),
        413,
        "body_too_large",
        "body",
    )

    def chunks() -> Iterator[bytes]:
        for k in range(0, len(big), 512):
            yield big[k : k + 512]

    problem(
        client.post("/v1/plan", content=chunks(), headers={"content-type": "application/json"}),
        413,
        "body_too_large",
    )


def test_unknown_paths_and_methods_are_problems(mini: TestClient) -> None:
    """404 and 405 come as problem+json too."""
    problem(mini.get("/v1/nothing"), 404, "not_found")
    problem(mini.delete("/v1/healthz"), 405, "method_not_allowed")


def test_replan_keeps_visited_places_done(mini: TestClient) -> None:
    """Re-planning from the first stop at its departure never plans it again."""
    it = mini.post(
        "/v1/plan",
        json={"date": "2027-04-17", "start": "station", "interests": ["lake", "blossom"]},
    ).json()
    first = it["stops"][0]
    body = {
        "itinerary": it,
        "now": first["departure"],
        "here": first["poi_id"],
        "visited": [first["poi_id"]],
    }
    resp = mini.post("/v1/replan", json=body)
    assert resp.status_code == 200, resp.text
    again = resp.json()
    assert first["poi_id"] in again["visited"]
    assert first["poi_id"] not in [s["poi_id"] for s in again["stops"]]
    late = body | {"now": "2027-04-17T23:00:00+08:00"}
    problem(mini.post("/v1/replan", json=late), 422, "infeasible_request", "now")


# ---------------------------------------------------------------------- catalogue
def test_pois_filters(mini: TestClient) -> None:
    """category, interest and visitable filter the list; the ETag header is the catalogue's."""
    resp = mini.get("/v1/pois")
    assert resp.json()["count"] == 5 and resp.headers["etag"] == f'"{resp.json()["etag"]}"'
    assert [p["id"] for p in mini.get("/v1/pois?category=lake").json()["pois"]] == ["lake"]
    assert [p["id"] for p in mini.get("/v1/pois?interest=hiking").json()["pois"]] == ["gorge"]
    assert [p["id"] for p in mini.get("/v1/pois?visitable=false").json()["pois"]] == ["station"]
    problem(mini.get("/v1/pois?category=beach"), 422, "invalid_request", "category")


def test_one_poi_and_an_unknown_one(mini: TestClient) -> None:
    """GET /v1/pois/{id} gives the place and an ETag; an unknown id is 404 with the closest ids."""
    resp = mini.get("/v1/pois/lake")
    assert resp.json()["name_en"] == "Test Lake" and resp.headers["etag"]
    err = problem(mini.get("/v1/pois/lak"), 404, "not_found")
    assert "'lake'" in err["detail"]


# ---------------------------------------------------------------------- operators
def test_writes_need_the_key_and_an_if_match(mini: TestClient) -> None:
    """No key or a wrong key is 401; no If-Match is 428; '*' is refused too."""
    lake = mini.get("/v1/pois/lake")
    tag = lake.headers["etag"]
    problem(
        mini.put("/v1/pois/lake", json=lake.json(), headers={"If-Match": tag}),
        401,
        "unauthorized",
        "X-API-Key",
    )
    problem(
        mini.put("/v1/pois/lake", json=lake.json(), headers={"X-API-Key": "nope", "If-Match": tag}),
        401,
        "unauthorized",
    )
    problem(
        mini.put("/v1/pois/lake", json=lake.json(), headers=operator()),
        428,
        "precondition_required",
        "If-Match",
    )
    problem(
        mini.put("/v1/pois/lake", json=lake.json(), headers=operator("*")),
        428,
        "precondition_required",
    )
    problem(mini.delete("/v1/pois/lake", headers=operator()), 428, "precondition_required")


def test_writes_are_disabled_without_a_configured_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With no key given and PINGGU_API_KEY unset, operator endpoints answer 403."""
    monkeypatch.delenv("PINGGU_API_KEY", raising=False)
    client = TestClient(
        create_app(
            ApiSettings(configs_dir=copy_configs(tmp_path / "c", catalog=MINI), use_roads=False)
        )
    )
    lake = client.get("/v1/pois/lake")
    resp = client.put(
        "/v1/pois/lake",
        json=lake.json(),
        headers={"X-API-Key": "x", "If-Match": lake.headers["etag"]},
    )
    problem(resp, 403, "writes_disabled")


def test_the_key_can_come_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ApiSettings without api_key reads the key from PINGGU_API_KEY when the app is created."""
    monkeypatch.setenv("PINGGU_API_KEY", "from-env")
    client = TestClient(
        create_app(
            ApiSettings(configs_dir=copy_configs(tmp_path / "c", catalog=MINI), use_roads=False)
        )
    )
    lake = client.get("/v1/pois/lake")
    headers = {"X-API-Key": "from-env", "If-Match": lake.headers["etag"]}
    assert client.put("/v1/pois/lake", json=lake.json(), headers=headers).status_code == 200


def test_an_edit_is_saved_versioned_and_used_by_the_next_plan(mini: TestClient) -> None:
    """PUT writes the place, keeps the old file, returns the new ETag; the next plan uses it."""
    lake = mini.get("/v1/pois/lake")
    entry = lake.json() | {"ticket_cny": 99.0}
    resp = mini.put("/v1/pois/lake", json=entry, headers=operator(lake.headers["etag"]))
    assert resp.status_code == 200 and resp.json()["ticket_cny"] == 99.0
    assert resp.headers["etag"] != lake.headers["etag"]
    assert mini.get("/v1/pois/lake").headers["etag"] == resp.headers["etag"]
    store = mini.app.state.planner.store  # type: ignore[attr-defined]
    (kept,) = store.file.history()
    assert f'"{kept.etag}"' == lake.headers["etag"]
    it = mini.post(
        "/v1/plan", json={"date": "2027-04-17", "start": "station", "must": ["lake"]}
    ).json()
    assert [s["ticket_cny"] for s in it["stops"] if s["poi_id"] == "lake"] == [99.0]


def test_a_stale_write_is_412_and_loses_nothing(mini: TestClient) -> None:
    """Two operators read the same version; the second save is refused and the first kept."""
    lake = mini.get("/v1/pois/lake")
    tag = lake.headers["etag"]
    first = mini.put(
        "/v1/pois/lake", json=lake.json() | {"ticket_cny": 41.0}, headers=operator(tag)
    )
    assert first.status_code == 200
    err = problem(
        mini.put("/v1/pois/lake", json=lake.json() | {"ticket_cny": 42.0}, headers=operator(tag)),
        412,
        "stale_write",
    )
    assert "reload" in err["detail"]
    assert mini.get("/v1/pois/lake").json()["ticket_cny"] == 41.0


def test_an_edit_from_an_older_version_to_another_place_is_merged(mini: TestClient) -> None:
    """Two operators read the same version and edit different places: both edits are kept (the
    store merges per place); editing the place the other changed is still 412, naming it."""
    tag = mini.get("/v1/pois").headers["etag"]
    lake, gorge = mini.get("/v1/pois/lake").json(), mini.get("/v1/pois/gorge").json()
    first = mini.put("/v1/pois/lake", json=lake | {"ticket_cny": 41.0}, headers=operator(tag))
    assert first.status_code == 200
    second = mini.put("/v1/pois/gorge", json=gorge | {"ticket_cny": 61.0}, headers=operator(tag))
    assert second.status_code == 200, second.text
    assert mini.get("/v1/pois/lake").json()["ticket_cny"] == 41.0
    assert mini.get("/v1/pois/gorge").json()["ticket_cny"] == 61.0
    err = problem(
        mini.put("/v1/pois/lake", json=lake | {"ticket_cny": 43.0}, headers=operator(tag)),
        412,
        "stale_write",
    )
    assert "lake" in err["detail"]
    assert mini.get("/v1/pois/lake").json()["ticket_cny"] == 41.0


def test_a_new_place_is_201_and_a_deleted_one_leaves_the_plans(mini: TestClient) -> None:
    """PUT of an unknown id creates it (201, Location); DELETE removes it (204) and plans forget it."""
    tag = mini.get("/v1/pois").headers["etag"]
    pond = mini.get("/v1/pois/lake").json() | {"id": "pond", "name_en": "Test Pond", "lon": 117.15}
    created = mini.put("/v1/pois/pond", json=pond, headers=operator(tag))
    assert created.status_code == 201 and created.headers["location"] == "/v1/pois/pond"
    gone = mini.delete("/v1/pois/pond", headers=operator(created.headers["etag"]))
    assert gone.status_code == 204 and gone.headers["etag"] and not gone.content
    problem(mini.get("/v1/pois/pond"), 404, "not_found")
    body = {"date": "2027-04-17", "start": "station", "must": ["pond"]}
    problem(mini.post("/v1/plan", json=body), 422, "invalid_request", "must")
    problem(mini.delete("/v1/pois/pond", headers=operator(gone.headers["etag"])), 404, "not_found")


def test_an_invalid_entry_is_422_and_writes_nothing(mini: TestClient) -> None:
    """Bad hours, a mismatched id or a place outside Pinggu are refused; the file is unchanged."""
    store = mini.app.state.planner.store  # type: ignore[attr-defined]
    before = store.path.read_bytes()
    lake = mini.get("/v1/pois/lake")
    tag = lake.headers["etag"]
    err = problem(
        mini.put(
            "/v1/pois/lake", json=lake.json() | {"opening_hours": "8-5"}, headers=operator(tag)
        ),
        422,
        "invalid_request",
        "opening_hours",
    )
    assert "opening_hours" in err["detail"]
    problem(
        mini.put("/v1/pois/lake", json=lake.json() | {"id": "pond"}, headers=operator(tag)),
        422,
        "invalid_request",
        "id",
    )
    far = lake.json() | {"lon": 116.30, "lat": 39.90}
    err = problem(mini.put("/v1/pois/lake", json=far, headers=operator(tag)), 422, "invalid_config")
    assert "outside Pinggu" in err["detail"]
    assert store.path.read_bytes() == before and not store.file.history()


def test_a_broken_file_on_disk_keeps_the_last_good_catalogue(mini: TestClient) -> None:
    """A bad hand edit of pois.yaml does not take the service down: healthz says degraded."""
    assert mini.get("/v1/healthz").json()["status"] == "ok"
    store = mini.app.state.planner.store  # type: ignore[attr-defined]
    store.path.write_text("pois: [", encoding="utf-8")
    health = mini.get("/v1/healthz").json()
    assert health["status"] == "degraded" and "YAML" in health["problem"]
    assert mini.post("/v1/plan", json={"date": "2027-04-17", "start": "station"}).status_code == 200


def test_a_missing_catalogue_is_503(tmp_path: Path) -> None:
    """With no catalogue at all the API answers 503 catalog_unavailable, not 500."""
    client = TestClient(
        create_app(ApiSettings(catalog_path=tmp_path / "none.yaml", use_roads=False))
    )
    problem(client.get("/v1/pois"), 503, "catalog_unavailable")


# ---------------------------------------------------------------------- CORS and settings
def test_cors_is_off_by_default_and_configurable(tmp_path: Path) -> None:
    """Only the configured origins get CORS headers (ETag exposed, If-Match allowed)."""
    configs = copy_configs(tmp_path / "c", catalog=MINI)
    plain = client_for(configs).get("/v1/version", headers={"Origin": "https://a.example"})
    assert "access-control-allow-origin" not in plain.headers
    client = client_for(configs, cors_origins=["https://a.example"])
    pre = client.options(
        "/v1/pois/lake",
        headers={
            "Origin": "https://a.example",
            "Access-Control-Request-Method": "PUT",
            "Access-Control-Request-Headers": "if-match,x-api-key",
        },
    )
    assert (
        pre.status_code == 200 and pre.headers["access-control-allow-origin"] == "https://a.example"
    )
    got = client.get("/v1/pois/lake", headers={"Origin": "https://a.example"})
    assert "etag" in got.headers["access-control-expose-headers"].lower()
    other = client.get("/v1/version", headers={"Origin": "https://b.example"})
    assert "access-control-allow-origin" not in other.headers


def test_settings_round_trip_through_the_environment(tmp_path: Path) -> None:
    """serve hands settings to its workers as PINGGU_* variables; a bad one is named."""
    settings = ApiSettings(
        configs_dir=tmp_path,
        use_roads=False,
        cors_origins=["https://a.example"],
        max_solver_seconds=2.5,
        api_key="k",
    )
    env = settings.to_env()
    back = ApiSettings.from_env(env)
    assert back.configs_dir == tmp_path.resolve() and back.max_solver_seconds == 2.5
    assert back.cors_origins == ["https://a.example"] and not back.use_roads
    assert env["PINGGU_API_KEY"] == "k" and back.api_key is None
    with pytest.raises(ConfigError, match="PINGGU_MAX_SOLVER_SECONDS"):
        ApiSettings.from_env({"PINGGU_MAX_SOLVER_SECONDS": "lots"})


def test_an_if_match_with_no_version_in_it_is_412(mini: TestClient) -> None:
    """``If-Match: ,`` names no version: refused like a stale one, never taken as current."""
    lake = mini.get("/v1/pois/lake").json()
    problem(mini.put("/v1/pois/lake", json=lake, headers=operator(" , ")), 412, "stale_write")


@pytest.mark.parametrize(
    ("poi", "says"),
    [("nowhere", "unknown place 'nowhere'"), ("station", "not a place visitors queue at")],
)
def test_crowds_of_a_place_not_there_name_the_poi_parameter(
    mini: TestClient, poi: str, says: str
) -> None:
    """GET /v1/crowds?poi=... for an unknown place, or one without a queue (a start point),
    is a 422 naming ``poi``, the parameter the caller sent (not an internal "id")."""
    err = problem(
        mini.get("/v1/crowds", params={"date": "2027-04-17", "poi": poi}),
        422,
        "invalid_request",
        "poi",
    )
    assert says in err["detail"], err["detail"]
