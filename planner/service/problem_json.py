"""RFC 9457 problem details for the HTTP API: one shape for every error, with a stable code.

Every error the API returns is ``application/problem+json``::

    {"type": "urn:pinggu-planner:problem:invalid_request", "title": "Invalid request",
     "status": 422, "code": "invalid_request", "field": "start",
     "detail": "start: unknown place 'pinggu-bus'; did you mean 'pinggu-bus-station'? ...",
     "instance": "/v1/plan", "errors": [{"field": "start", "message": "..."}]}

``code`` is the planner's stable error code (:attr:`planner.errors.PlannerError.code`) or one of
the HTTP layer's own (``invalid_json``, ``body_too_large``, ...); clients branch on it, never on
``detail``, which is for people and may be reworded.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from planner.errors import REQUEST, problems_from_validation
from planner.errors import Problem as PlannerProblem

PROBLEM_MEDIA_TYPE = "application/problem+json"
TYPE_PREFIX = "urn:pinggu-planner:problem:"

TITLES = {
    "invalid_json": "Body is not valid JSON",
    "invalid_request": "Invalid request",
    "infeasible_request": "No itinerary satisfies the request",
    "invalid_config": "Invalid catalogue entry",
    "catalog_unavailable": "The catalogue cannot be loaded",
    "not_found": "Not found",
    "method_not_allowed": "Method not allowed",
    "unauthorized": "Missing or wrong API key",
    "writes_disabled": "Operator writes are disabled",
    "precondition_required": "If-Match header required",
    "stale_write": "The catalogue changed since you read it",
    "body_too_large": "Request body too large",
    "unsupported_media_type": "Unsupported media type",
    "internal_check_failed": "Internal error: the planner's check failed",
    "internal_error": "Internal error",
}


class FieldProblem(BaseModel):
    """One problem with one field of the request."""

    model_config = ConfigDict(extra="forbid")

    field: str = Field(description="Dotted path of the field, e.g. `start` or `pins.0.poi_id`")
    message: str = Field(description="What is wrong and how to fix it")


class Problem(BaseModel):
    """An error, as RFC 9457 problem details (``application/problem+json``)."""

    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={
            "examples": [
                {
                    "type": TYPE_PREFIX + "invalid_request",
                    "title": "Invalid request",
                    "status": 422,
                    "code": "invalid_request",
                    "field": "start",
                    "detail": "start: unknown place 'pinggu-bus'; did you mean "
                    "'pinggu-bus-station'? (list them with `planner pois list`)",
                    "instance": "/v1/plan",
                }
            ]
        },
    )

    type: str = Field(
        description="URI naming the kind of problem: `urn:pinggu-planner:problem:<code>`"
    )
    title: str = Field(description="Short summary of the kind of problem")
    status: int = Field(description="The HTTP status code")
    code: str = Field(description="Stable machine-readable code; branch on this")
    detail: str = Field(description="What went wrong in this case and how to fix it")
    instance: str | None = Field(default=None, description="The request path")
    field: str | None = Field(default=None, description="The request field at fault, when one is")
    errors: list[FieldProblem] | None = Field(
        default=None, description="Every problem found, when there are several"
    )


def problem_response(
    status: int,
    code: str,
    detail: str,
    *,
    instance: str | None = None,
    field: str | None = None,
    errors: Sequence[FieldProblem] | None = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    """A ``application/problem+json`` response."""
    body: dict[str, Any] = {
        "type": TYPE_PREFIX + code,
        "title": TITLES.get(code, code.replace("_", " ").capitalize()),
        "status": status,
        "code": code,
        "detail": detail,
    }
    if instance is not None:
        body["instance"] = instance
    if field is not None:
        body["field"] = field
    if errors:
        body["errors"] = [e.model_dump() for e in errors]
    return JSONResponse(
        body, status_code=status, media_type=PROBLEM_MEDIA_TYPE, headers=dict(headers or {})
    )


def field_problems(errors: Iterable[Mapping[str, Any]]) -> list[PlannerProblem]:
    """pydantic / FastAPI validation errors as the request's problems, each naming the fix.

    The ``body`` / ``query`` / ``path`` / ``header`` at the start of FastAPI's ``loc`` says where
    the field is; it is dropped from the field path (and is the field when nothing else is left).
    """
    out = []
    for err in errors:
        loc = tuple(err.get("loc", ()))
        where = "body"
        if loc and loc[0] in ("body", "query", "path", "header"):
            where, loc = str(loc[0]), loc[1:]
        (problem,) = problems_from_validation([{**err, "loc": loc}], REQUEST, describe=_message)
        out.append(problem if problem.field else replace(problem, field=where))
    return out


def as_field_problems(
    problems: Iterable[PlannerProblem], default: str = "body"
) -> list[FieldProblem]:
    """The ``errors`` entries of problem details: each problem's field and its whole sentence."""
    return [FieldProblem(field=p.field or default, message=str(p)) for p in problems]


def _message(err: Mapping[str, Any], field: str | None, msg: str) -> str:
    kind = str(err.get("type", ""))
    given = err.get("input")
    if kind == "extra_forbidden":
        return "is not a known field; remove it (see the schema at /openapi.json)"
    if kind == "missing":
        return "is required"
    if kind in ("model_attributes_type", "dict_type") and "." not in (field or ""):
        return f"must be a JSON object, got {_short(given)}"
    if kind.startswith("enum"):
        expected = (err.get("ctx") or {}).get("expected", "")
        return f"{_short(given)} is not one of {expected}"
    if kind.startswith(("date", "time", "datetime")):
        fmt = {"date": "YYYY-MM-DD", "time": "HH:MM", "datetime": "an ISO 8601 date-time"}
        return f"{_short(given)} is not valid; use {fmt[kind.split('_')[0]]}"
    return msg


def _short(value: Any, limit: int = 60) -> str:
    try:
        text = json.dumps(value, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."
