"""The HTTP API: a thin, versioned shell over :class:`~planner.plan.planner.Planner` (FastAPI).

Build the app with :func:`create_app` and an :class:`ApiSettings` object; nothing is read or
built at import. Each process builds its :class:`~planner.plan.planner.Planner` lazily on the first
request and rebuilds it when the catalogue file's etag changes, so an operator edit (through
``PUT /v1/pois/{id}`` on any worker, or on disk) shows up in the next plan of every worker.

Endpoints (all JSON; every error is RFC 9457 ``application/problem+json`` with a stable ``code``):

========================  ==================================================================
``POST /v1/plan``         a :class:`~planner.model.TripRequest` in, a checked one-day
                          :class:`~planner.model.Itinerary` out
``POST /v1/trip``         the same for trips of several days (:class:`~planner.model.Trip`)
``POST /v1/replan``       re-plan the rest of a day from ``now`` and ``here``
``GET /v1/pois``          the catalogue, filtered by ``category``, ``interest``, ``visitable``
``GET /v1/pois/{id}``     one place, with the catalogue's ``ETag``
``PUT /v1/pois/{id}``     operators: add or replace a place (``X-API-Key``, ``If-Match``)
``DELETE /v1/pois/{id}``  operators: remove a place (``X-API-Key``, ``If-Match``)
``GET /v1/healthz``       liveness and the catalogue in use
``GET /v1/version``       package and API version
========================  ==================================================================

The service keeps no state but the catalogue files, so it scales by adding workers or machines
(see ``docs/API.md``).
"""

from __future__ import annotations

import datetime as dt
import hmac
import logging
import os
from collections.abc import Awaitable, Callable, Mapping, MutableMapping
from pathlib import Path
from typing import Annotated, Any

from fastapi import Body, Depends, FastAPI, Header, Query, Request, Security
from fastapi import Path as PathParam
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.security import APIKeyHeader
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    ValidatorFunctionWrapHandler,
    WrapValidator,
)
from pydantic_core import PydanticCustomError
from starlette.exceptions import HTTPException as StarletteHTTPException

from planner.data.store import StaleWriteError
from planner.errors import ConfigError, PlannerError, RequestError
from planner.model import POI_ID_PATTERN, Category, Interest, Itinerary, Poi, Trip, TripRequest
from planner.plan.crowding import report
from planner.plan.live import CatalogUnavailable, LivePlanner, PlannerSettings
from planner.plan.planner import Planner
from planner.service.problem_json import (
    PROBLEM_MEDIA_TYPE,
    Problem,
    field_problems,
    problem_response,
)
from planner.solve.solver import warm_up_in_background

_log = logging.getLogger("planner.service.api")

API_VERSION = "1"
ENV_PREFIX = "PINGGU_"
_STATUS_OF_CODE = {
    "invalid_request": 422,
    "infeasible_request": 422,
    "invalid_config": 422,
    "not_found": 404,
    "stale_write": 412,
    "internal_check_failed": 500,
}


# ---------------------------------------------------------------------- settings
class ApiSettings(BaseModel):
    """How one API process is configured. Passed to :func:`create_app`; documented defaults.

    ``serve`` hands these to its uvicorn workers as ``PINGGU_*`` environment variables
    (:meth:`to_env`, :meth:`from_env`), since each worker builds its own app.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    configs_dir: Path | None = Field(
        default=None,
        description="Folder with pois.yaml, travel.yaml, roads.yaml (default: the bundled configs/)",
    )
    catalog_path: Path | None = Field(
        default=None, description="Catalogue file (default: pois.yaml in configs_dir)"
    )
    use_roads: bool = Field(default=True, description="Use the built road network when one exists")
    check_boundary: bool = Field(
        default=True, description="Refuse catalogue writes that put a place outside Pinggu"
    )
    api_key: SecretStr | None = Field(
        default=None,
        description="Key for the operator endpoints; default: the api_key_env environment "
        "variable; with neither, operator writes are disabled (403)",
    )
    api_key_env: str = Field(default="PINGGU_API_KEY", min_length=1)
    cors_origins: list[str] = Field(
        default_factory=list,
        description='Origins allowed by CORS, e.g. ["https://visit-pinggu.example"]; ["*"] for any',
    )
    max_body_bytes: Annotated[int, Field(ge=1024, le=16 * 1024 * 1024)] = Field(
        default=256 * 1024, description="Largest request body accepted, bytes (413 above)"
    )
    max_solver_seconds: Annotated[float, Field(gt=0, le=60)] = Field(
        default=5.0, description="Largest time_limit_s a request may ask for, seconds (422 above)"
    )

    def planner_settings(self) -> PlannerSettings:
        """The configs this service plans over, as every other door names them."""
        return PlannerSettings(
            configs_dir=self.configs_dir,
            catalog_path=self.catalog_path,
            use_roads=self.use_roads,
            check_boundary=self.check_boundary,
        )

    def resolved_api_key(self) -> str | None:
        """The given key, else the one in the environment variable, else None (writes off)."""
        if self.api_key is not None:
            return self.api_key.get_secret_value() or None
        return os.environ.get(self.api_key_env) or None

    def to_env(self) -> dict[str, str]:
        """These settings as ``PINGGU_*`` variables (the API key under ``api_key_env``)."""
        env = {
            "PINGGU_USE_ROADS": "1" if self.use_roads else "0",
            "PINGGU_CHECK_BOUNDARY": "1" if self.check_boundary else "0",
            "PINGGU_CORS_ORIGINS": ",".join(self.cors_origins),
            "PINGGU_MAX_BODY_BYTES": str(self.max_body_bytes),
            "PINGGU_MAX_SOLVER_SECONDS": str(self.max_solver_seconds),
            "PINGGU_API_KEY_ENV": self.api_key_env,
        }
        if self.configs_dir is not None:
            env["PINGGU_CONFIGS_DIR"] = str(self.configs_dir.resolve())
        if self.catalog_path is not None:
            env["PINGGU_CATALOG"] = str(self.catalog_path.resolve())
        if self.api_key is not None:
            env[self.api_key_env] = self.api_key.get_secret_value()
        return env

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> ApiSettings:
        """Settings from ``PINGGU_*`` variables; a bad value is a :class:`ConfigError` naming it."""
        env = os.environ if environ is None else environ
        names = {
            "configs_dir": "PINGGU_CONFIGS_DIR",
            "catalog_path": "PINGGU_CATALOG",
            "use_roads": "PINGGU_USE_ROADS",
            "check_boundary": "PINGGU_CHECK_BOUNDARY",
            "cors_origins": "PINGGU_CORS_ORIGINS",
            "max_body_bytes": "PINGGU_MAX_BODY_BYTES",
            "max_solver_seconds": "PINGGU_MAX_SOLVER_SECONDS",
            "api_key_env": "PINGGU_API_KEY_ENV",
        }
        raw: dict[str, Any] = {k: env[v] for k, v in names.items() if env.get(v, "") != ""}
        if "cors_origins" in raw:
            raw["cors_origins"] = [o.strip() for o in raw["cors_origins"].split(",") if o.strip()]
        try:
            return cls.model_validate(raw)
        except ValidationError as exc:
            problems = [
                f"{names.get(str(e['loc'][0]), e['loc'][0]) if e['loc'] else 'settings'}: "
                f"{e['msg']} (got {e.get('input')!r})"
                for e in exc.errors()
            ]
            raise ConfigError(problems, source="environment") from None


# ---------------------------------------------------------------------- API models
def _never_type_error(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
    """Turn a TypeError raised by a model validator into a validation error (a 422, not a 500).

    The core's cross-field validators compare values (e.g. ``end_time`` with ``start_time``);
    a time with a UTC offset next to one without makes that comparison raise TypeError.
    """
    try:
        return handler(value)
    except TypeError as exc:
        hint = (
            "; times are local Pinggu times: give HH:MM without an offset"
            if "offset" in str(exc)
            else ""
        )
        raise PydanticCustomError(
            "value_error", "Value error, {problem}", {"problem": f"{exc}{hint}"}
        ) from None


TripBody = Annotated[TripRequest, WrapValidator(_never_type_error)]
ItineraryBody = Annotated[Itinerary, WrapValidator(_never_type_error)]


class ReplanRequest(BaseModel):
    """The day as planned, and where the visitor is now."""

    model_config = ConfigDict(extra="forbid")

    itinerary: ItineraryBody = Field(description="The itinerary returned by POST /v1/plan")
    now: dt.datetime = Field(
        description="Current time (ISO 8601; without an offset it is Pinggu local time)",
        examples=["2027-04-17T12:40:00+08:00"],
    )
    here: tuple[float, float] | str | None = Field(
        default=None,
        description='Where the visitor is: [lon, lat] (WGS84), "lon,lat" or a place id; '
        "default: the last visited place, else the day's start",
    )
    visited: list[str] = Field(default_factory=list, description="Place ids already visited")


class PoiList(BaseModel):
    """Places of the catalogue, in catalogue order."""

    model_config = ConfigDict(extra="forbid")

    etag: str = Field(description="Version of the catalogue (send it as If-Match when editing)")
    count: int
    pois: list[Poi]


class Health(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: str = Field(description='"ok", or "degraded" when the file on disk is invalid')
    places: int
    catalog_etag: str
    travel_provider: str
    problem: str | None = None


class VersionInfo(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    version: str
    api: str


# ---------------------------------------------------------------------- errors
class HttpProblem(Exception):
    """An error of the HTTP layer itself (auth, preconditions)."""

    def __init__(
        self,
        status: int,
        code: str,
        detail: str,
        *,
        field: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status, self.code, self.detail, self.field = status, code, detail, field
        self.headers = dict(headers or {})


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(HttpProblem)
    async def _http_problem(request: Request, exc: HttpProblem) -> Response:
        return problem_response(
            exc.status,
            exc.code,
            exc.detail,
            instance=request.url.path,
            field=exc.field,
            headers=exc.headers,
        )

    @app.exception_handler(PlannerError)
    async def _planner_error(request: Request, exc: PlannerError) -> Response:
        status = _STATUS_OF_CODE.get(exc.code, 400)
        if isinstance(exc, CatalogUnavailable):
            status = 503
        field = exc.field if isinstance(exc, RequestError) else None
        errors = None
        if isinstance(exc, ConfigError) and len(exc.problems) > 1:
            from planner.service.problem_json import as_field_problems

            errors = as_field_problems(exc.problems)
        if status >= 500:
            _log.error("%s on %s: %s", exc.code, request.url.path, exc)
        return problem_response(
            status, exc.code, str(exc), instance=request.url.path, field=field, errors=errors
        )

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        errs = list(exc.errors())
        if any(e.get("type") == "json_invalid" for e in errs):
            ctx = errs[0].get("ctx") or {}
            return problem_response(
                400,
                "invalid_json",
                f"body: not valid JSON ({ctx.get('error', 'parse error')}); send a JSON object "
                "with Content-Type: application/json",
                instance=request.url.path,
                field="body",
            )
        media = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if request.method in ("POST", "PUT") and media and not media.endswith(("/json", "+json")):
            return problem_response(
                415,
                "unsupported_media_type",
                f"Content-Type: {media!r} is not accepted; send the body as application/json",
                instance=request.url.path,
                field="Content-Type",
            )
        from planner.service.problem_json import as_field_problems

        problems = field_problems(errs)
        first = problems[0] if problems else None
        return problem_response(
            422,
            "invalid_request",
            str(first) if first else "the request is not valid",
            instance=request.url.path,
            field=first.field if first else None,
            errors=as_field_problems(problems),
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        detail = {
            404: f"{request.url.path} is not an endpoint of this API; see /docs",
            405: f"{request.method} is not allowed on {request.url.path}; see /docs",
        }.get(exc.status_code, str(exc.detail))
        return problem_response(
            exc.status_code,
            code,
            detail,
            instance=request.url.path,
            headers=getattr(exc, "headers", None),
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        _log.exception("unexpected error on %s %s", request.method, request.url.path)
        return problem_response(
            500,
            "internal_error",
            "an unexpected error occurred; it has been logged. Please report it with the "
            "request that caused it",
            instance=request.url.path,
        )


# ---------------------------------------------------------------------- body size limit
ASGIApp = Callable[[MutableMapping[str, Any], Any, Any], Awaitable[None]]


class BodyLimit:
    """ASGI middleware: refuse bodies over ``max_bytes`` with 413, declared or streamed."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope: MutableMapping[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        too_big = problem_response(
            413,
            "body_too_large",
            f"body: larger than this service accepts ({self.max_bytes} bytes); send a smaller "
            "request (one trip per request; use `planner batch` for many)",
            instance=scope.get("path"),
            field="body",
        )
        if declared is not None:
            try:
                size = int(declared)
            except ValueError:
                size = -1
            if size < 0:
                await problem_response(
                    400, "invalid_request", "Content-Length: not a valid length", field="body"
                )(scope, receive, send)
                return
            if size > self.max_bytes:
                await too_big(scope, receive, send)
                return
        chunks: list[bytes] = []
        total = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                await self.app(scope, _replay([message], receive), send)
                return
            chunks.append(message.get("body", b""))
            total += len(chunks[-1])
            if total > self.max_bytes:
                await too_big(scope, receive, send)
                return
            if not message.get("more_body", False):
                break
        body = {"type": "http.request", "body": b"".join(chunks), "more_body": False}
        await self.app(scope, _replay([body], receive), send)


def _replay(messages: list[dict[str, Any]], receive: Any) -> Callable[[], Awaitable[Any]]:
    pending = list(messages)

    async def replayed() -> Any:
        if pending:
            return pending.pop(0)
        return await receive()

    return replayed


# ---------------------------------------------------------------------- examples for OpenAPI
_PLAN_EXAMPLES: dict[str, Any] = {
    "blossom-saturday": {
        "summary": "A spring Saturday for blossoms and a lake, by car",
        "value": {
            "date": "2027-04-17",
            "start": "pinggu-bus-station",
            "interests": ["blossom", "lake"],
        },
    },
    "bus-with-must": {
        "summary": "By bus, one must-visit place, home by 17:00",
        "value": {
            "date": "2027-07-10",
            "start": "pinggu-bus-station",
            "start_time": "09:00",
            "end_time": "17:00",
            "must": ["jinhai-lake"],
            "mode": "bus",
        },
    },
}
_POI_EXAMPLE: dict[str, Any] = {
    "id": "jinhai-lake",
    "name_zh": "金海湖风景区",
    "name_en": "Jinhai Lake Scenic Area",
    "description_zh": "平谷东部的水库湖泊景区。",
    "description_en": "A reservoir lake in eastern Pinggu.",
    "category": "lake",
    "interests": ["lake", "family"],
    "lon": 117.3285,
    "lat": 40.1783,
    "confidence": "medium",
    "source": "operator survey",
    "opening_hours": "Mo-Su 08:00-17:30",
    "visit_minutes": 150,
    "ticket_cny": 60,
}

_KEY_HEADER = APIKeyHeader(
    name="X-API-Key", auto_error=False, description="Operator key (PINGGU_API_KEY)"
)

_ERRORS: dict[int, str] = {
    400: "Body is not valid JSON",
    401: "Missing or wrong X-API-Key",
    403: "Operator writes are disabled on this server",
    404: "No such place",
    412: "Stale If-Match: someone else changed this place since you read it; reload and retry",
    413: "Body larger than the configured limit",
    415: "Body is not application/json",
    422: "A field is invalid (the problem names it and the fix)",
    428: "If-Match header missing",
    500: "Internal error (a bug; never caused by input)",
    503: "The catalogue cannot be loaded",
}


def _responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    return {c: {"description": _ERRORS[c], "model": Problem} for c in (*codes, 500)}


def _problem_content_openapi(schema: dict[str, Any]) -> dict[str, Any]:
    """Error responses are documented as application/problem+json (as they are sent)."""
    for item in schema.get("paths", {}).values():
        for op in item.values():
            for status, resp in op.get("responses", {}).items():
                if status.isdigit() and int(status) >= 400 and "content" in resp:
                    content = resp["content"]
                    media = content.pop("application/json", None) or {
                        "schema": {"$ref": "#/components/schemas/Problem"}
                    }
                    content[PROBLEM_MEDIA_TYPE] = media
    return schema


def _solver_cap_openapi(schema: dict[str, Any], cap: float) -> dict[str, Any]:
    """``time_limit_s`` is published with this server's cap as its maximum (a request above it
    gets a 422), not the model's own bound."""
    for model in schema.get("components", {}).get("schemas", {}).values():
        limit = model.get("properties", {}).get("time_limit_s")
        if limit is not None and "maximum" in limit:
            limit["maximum"] = min(float(limit["maximum"]), cap)
    return schema


# ---------------------------------------------------------------------- the app
def create_app(settings: ApiSettings | None = None) -> FastAPI:
    """The HTTP API over the catalogue and configs named in ``settings`` (default: bundled)."""
    from planner import __version__

    settings = settings or ApiSettings()
    holder = LivePlanner(settings.planner_settings())
    api_key = settings.resolved_api_key()
    app = FastAPI(
        title="Pinggu Planner API",
        version=f"{API_VERSION}.0 ({__version__})",
        summary="Verified rural-tourism itineraries for Pinggu District, Beijing.",
        description=(
            "Conventions: coordinates are WGS84 `[lon, lat]` degrees; durations seconds "
            "(`*_s`) or minutes (`*_minutes`); distances metres (`*_m`); clock times are local "
            "time in Pinggu (Asia/Shanghai, UTC+8); money CNY (`*_cny`). Every error is "
            "`application/problem+json` (RFC 9457) with a stable `code` and, when a field is "
            "at fault, its name in `field`. A request's `time_limit_s` may be at most "
            f"{settings.max_solver_seconds:g} s on this server; bodies at most "
            f"{settings.max_body_bytes} bytes."
        ),
        openapi_tags=[
            {"name": "planning", "description": "Plan and re-plan days"},
            {"name": "catalogue", "description": "Read the places"},
            {"name": "operators", "description": "Edit the places (API key, If-Match)"},
            {"name": "service", "description": "Health and version"},
        ],
    )
    app.state.settings = settings
    app.state.planner = holder
    # the solver's compiled kernels load in the background, not in the first request
    warm_up_in_background()
    _install_error_handlers(app)
    if settings.cors_origins:
        from fastapi.middleware.cors import CORSMiddleware

        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "PUT", "DELETE"],
            allow_headers=["Content-Type", "If-Match", "X-API-Key"],
            expose_headers=["ETag", "Location"],
            max_age=600,
        )
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)

    def require_operator(key: Annotated[str | None, Security(_KEY_HEADER)] = None) -> None:
        if api_key is None:
            raise HttpProblem(
                403,
                "writes_disabled",
                "operator writes are disabled on this server; start it with PINGGU_API_KEY set",
            )
        if key is None or not hmac.compare_digest(key.encode(), api_key.encode()):
            raise HttpProblem(
                401,
                "unauthorized",
                "X-API-Key: missing or wrong; send the operator key in the X-API-Key header",
                field="X-API-Key",
                headers={"WWW-Authenticate": 'ApiKey header="X-API-Key"'},
            )

    def check_solver_cap(request: TripRequest) -> None:
        cap = settings.max_solver_seconds
        if request.time_limit_s > cap:
            raise RequestError(
                "time_limit_s",
                f"{request.time_limit_s:g} s is more solver time than this server allows; "
                f"ask for at most {cap:g} s",
            )

    # ------------------------------------------------------------------ planning
    @app.post(
        "/v1/plan",
        tags=["planning"],
        response_model=Itinerary,
        summary="Plan one day",
        responses=_responses(400, 413, 415, 422, 503),
    )
    def plan(
        request: Annotated[TripBody, Body(openapi_examples=_PLAN_EXAMPLES)],
    ) -> Response:
        """A checked one-day itinerary: stops with times, legs, totals, and every place left
        out with the reason. An impossible request (a must-visit place closed that day) is a
        422 ``infeasible_request`` naming the field and the fix."""
        check_solver_cap(request)
        if request.days != 1:
            raise RequestError(
                "days",
                f"POST /v1/plan plans one day; send trips of {request.days} days to POST /v1/trip",
            )
        planner, _ = holder.current()
        return _json(planner.plan(request))

    @app.post(
        "/v1/trip",
        tags=["planning"],
        response_model=Trip,
        summary="Plan a trip of one to four days",
        responses=_responses(400, 413, 415, 422, 503),
    )
    def trip(request: Annotated[TripBody, Body(openapi_examples=_PLAN_EXAMPLES)]) -> Response:
        """Several days with nights at ``stay`` (or a farm stay the planner suggests)."""
        check_solver_cap(request)
        planner, _ = holder.current()
        return _json(planner.plan_trip(request))

    @app.post(
        "/v1/replan",
        tags=["planning"],
        response_model=Itinerary,
        summary="Re-plan the rest of a day",
        responses=_responses(400, 413, 415, 422, 503),
    )
    def replan(body: ReplanRequest) -> Response:
        """The rest of the day from ``now`` and ``here``: places in ``visited`` are done, the
        must-visit places not yet visited stay required, the end point and time are kept."""
        check_solver_cap(body.itinerary.request)
        planner, _ = holder.current()
        return _json(
            planner.replan(body.itinerary, now=body.now, here=body.here, visited=list(body.visited))
        )

    # ------------------------------------------------------------------ catalogue
    @app.get(
        "/v1/pois",
        tags=["catalogue"],
        response_model=PoiList,
        summary="List places",
        responses=_responses(422, 503),
    )
    def list_pois(
        category: Annotated[Category | None, Query(description="Only this category")] = None,
        interest: Annotated[Interest | None, Query(description="Only places offering it")] = None,
        visitable: Annotated[
            bool | None, Query(description="true: places to visit; false: start/end points")
        ] = None,
    ) -> Response:
        """The places, in catalogue order; the ``ETag`` header is the catalogue's version."""
        planner, tag = holder.current()
        pois = planner.catalog.filter(category=category, visitable=visitable, interest=interest)
        body = PoiList(etag=tag, count=len(pois), pois=pois)
        return _json(body, headers={"ETag": _quote(tag)})

    @app.get(
        "/v1/crowds",
        tags=["catalogue"],
        summary="Expected crowding per place and hour on a date",
        responses=_responses(422, 503),
    )
    def crowds(
        date: Annotated[dt.date, Query(description="The date, YYYY-MM-DD")],
        poi: Annotated[
            str | None, Query(max_length=200, description="Only this place (id or name)")
        ] = None,
    ) -> Response:
        """Busy hours, load (visitors on site over the comfortable capacity) and minutes at the
        gate for every visitable place, busiest first, from the day type's curve in
        ``configs/crowds.yaml`` (the same as ``planner crowds --json``)."""
        planner, _ = holder.current()
        kind, outlooks = planner.crowd_day(date, place=poi, field="poi")
        return JSONResponse(report(outlooks, date, kind))

    @app.get(
        "/v1/pois/{poi_id}",
        tags=["catalogue"],
        response_model=Poi,
        summary="One place",
        responses=_responses(404, 422, 503),
    )
    def get_poi(poi_id: Annotated[str, PathParam(max_length=200)]) -> Response:
        """One place; its ``ETag`` (the catalogue's version) is what an edit sends as If-Match."""
        planner, tag = holder.current()
        return _json(_find(planner, poi_id), headers={"ETag": _quote(tag)})

    # ------------------------------------------------------------------ operators
    @app.put(
        "/v1/pois/{poi_id}",
        tags=["operators"],
        response_model=Poi,
        summary="Add or replace a place",
        status_code=200,
        responses={
            201: {"description": "Created", "model": Poi},
            **_responses(400, 401, 403, 412, 413, 415, 422, 428, 503),
        },
        dependencies=[Depends(require_operator)],
    )
    def put_poi(
        poi_id: Annotated[str, PathParam(pattern=POI_ID_PATTERN, max_length=64)],
        entry: Annotated[Poi, Body(openapi_examples={"lake": {"value": _POI_EXAMPLE}})],
        if_match: Annotated[
            str | None, Header(description="The ETag read with GET (required)")
        ] = None,
    ) -> Response:
        """Validated (the whole catalogue must stay valid), written atomically, the previous
        version kept in ``configs/.history/``. An ``If-Match`` of an older version is merged when
        nobody else changed this place since; otherwise 412 and nothing is written: reload,
        re-apply the edit, and send it again. Fields left out are removed
        (defaults apply), as in any PUT."""
        if entry.id != poi_id:
            raise RequestError(
                "id", f"the body's id {entry.id!r} differs from the path's {poi_id!r}; use one id"
            )
        tag = _precondition(if_match, holder)
        planner, _ = holder.current()
        existed = poi_id in planner.catalog
        new_tag = holder.store.put(entry.model_dump(mode="json", exclude_unset=True), if_match=tag)
        planner, _ = holder.current()
        headers = {"ETag": _quote(new_tag)}
        if not existed:
            headers["Location"] = f"/v1/pois/{poi_id}"
        return _json(_find(planner, poi_id), headers=headers, status=200 if existed else 201)

    @app.delete(
        "/v1/pois/{poi_id}",
        tags=["operators"],
        status_code=204,
        summary="Remove a place",
        responses={
            204: {"description": "Removed; ETag is the new catalogue version"},
            **_responses(401, 403, 404, 412, 422, 428, 503),
        },
        dependencies=[Depends(require_operator)],
    )
    def delete_poi(
        poi_id: Annotated[str, PathParam(max_length=200)],
        if_match: Annotated[
            str | None, Header(description="The ETag read with GET (required)")
        ] = None,
    ) -> Response:
        """Remove a place (validated, atomic, previous version kept; 412 when stale)."""
        tag = _precondition(if_match, holder)
        new_tag = holder.store.delete(poi_id, if_match=tag)
        holder.current()
        return Response(status_code=204, headers={"ETag": _quote(new_tag)})

    # ------------------------------------------------------------------ service
    @app.get(
        "/v1/healthz",
        tags=["service"],
        response_model=Health,
        summary="Health",
        responses=_responses(503),
    )
    def healthz() -> Health:
        """``ok`` when the catalogue is loaded (the first call builds the planner)."""
        planner, tag = holder.current()
        return Health(
            status="degraded" if holder.problem else "ok",
            places=len(planner.catalog),
            catalog_etag=tag,
            travel_provider=planner.travel.name,
            problem=holder.problem,
        )

    @app.get("/v1/version", tags=["service"], response_model=VersionInfo, summary="Version")
    def version() -> VersionInfo:
        return VersionInfo(name="pinggu-planner", version=__version__, api=API_VERSION)

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            from fastapi.openapi.utils import get_openapi

            schema = get_openapi(
                title=app.title,
                version=app.version,
                summary=app.summary,
                description=app.description,
                routes=app.routes,
                tags=app.openapi_tags,
            )
            schema = _problem_content_openapi(schema)
            app.openapi_schema = _solver_cap_openapi(schema, settings.max_solver_seconds)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app


def app_from_env() -> FastAPI:
    """Factory for uvicorn workers (``planner serve``): :func:`create_app` with the environment's settings."""
    return create_app(ApiSettings.from_env())


# ---------------------------------------------------------------------- helpers
def _json(
    model: BaseModel, *, headers: Mapping[str, str] | None = None, status: int = 200
) -> Response:
    return Response(
        model.model_dump_json(),
        status_code=status,
        media_type="application/json",
        headers=dict(headers or {}),
    )


def _quote(tag: str) -> str:
    return f'"{tag}"'


def _find(planner: Planner, poi_id: str) -> Poi:
    if poi_id not in planner.catalog:
        from planner.data.catalog import unknown_id_message

        raise HttpProblem(404, "not_found", unknown_id_message(poi_id, planner.catalog.ids))
    return planner.catalog.get(poi_id)


def _precondition(if_match: str | None, holder: LivePlanner) -> str:
    """The etag an edit was based on, from If-Match (quoted or not)."""
    if if_match is None or not if_match.strip():
        raise HttpProblem(
            428,
            "precondition_required",
            "If-Match: required; send the ETag from GET /v1/pois/{id} so no edit is lost",
            field="If-Match",
        )
    tags = [t.strip().removeprefix("W/").strip('"') for t in if_match.split(",") if t.strip()]
    if "*" in tags:
        raise HttpProblem(
            428,
            "precondition_required",
            "If-Match: '*' would overwrite other operators' edits; send the ETag you read",
            field="If-Match",
        )
    _, current = holder.current()
    if not tags:
        raise StaleWriteError(holder.store.path, "", current)
    if current in tags:
        return current
    # an older version: the store merges the edit when nobody else changed this place since
    # (it keeps every version), and refuses it (412) when someone did or the version is unknown
    return tags[0]


__all__ = ["ApiSettings", "app_from_env", "create_app"]
