"""Share links: a trip request as URL query parameters and back, so a link reproduces the plan."""

from __future__ import annotations

import json
import types
import typing
from collections.abc import Mapping, Sequence
from typing import Any

from planner.errors import RequestError
from planner.model import TripRequest, parse_trip_request


def _is_list_field(name: str) -> bool:
    ann = TripRequest.model_fields[name].annotation
    options = typing.get_args(ann) if isinstance(ann, types.UnionType) else (ann,)
    return any(typing.get_origin(o) is list for o in options)


def request_to_query(request: TripRequest) -> dict[str, str]:
    """The request as URL query parameters (strings), leaving out fields at their defaults.

    Lists are comma-separated, times ``HH:MM``. :func:`request_from_query` reads it back.
    """
    data = request.model_dump(mode="json", exclude_defaults=True)
    data.setdefault("date", request.date.isoformat())
    data.setdefault("start", request.start)
    out: dict[str, str] = {}
    for key, value in data.items():
        if value is None:
            continue
        if isinstance(value, list) and any(isinstance(v, dict | list) for v in value):
            out[key] = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
        elif isinstance(value, list):
            out[key] = ",".join(str(v) for v in value)
        elif isinstance(value, bool):
            out[key] = "true" if value else "false"
        elif isinstance(value, dict):
            out[key] = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
        elif isinstance(value, str) and len(value) == 8 and value[2] == ":" and value[5] == ":":
            out[key] = value[:5] if value.endswith(":00") else value  # HH:MM:SS -> HH:MM
        else:
            out[key] = str(value)
    return out


CROWD_WORDS: dict[str, bool | None] = {"auto": None, "on": True, "off": False}
"""``crowds=`` in a link: ``auto`` (around the crowds on festival days), ``on``, ``off``; ``true``
and ``false`` too, as the app writes them."""


def request_from_query(params: Mapping[str, str | Sequence[str]]) -> TripRequest:
    """A validated request from URL query parameters (the inverse of :func:`request_to_query`).

    Parameters that are not request fields (the app's own, such as ``lang``) are ignored. A bad
    value raises :class:`~planner.errors.RequestError` naming the parameter.
    """
    data: dict[str, Any] = {}
    for key, raw in params.items():
        if key not in TripRequest.model_fields:
            continue
        value = raw if isinstance(raw, str) else (raw[-1] if raw else "")
        if key == "crowds" and value.lower() in CROWD_WORDS:  # the app's own words for it
            if CROWD_WORDS[value.lower()] is not None:
                data[key] = CROWD_WORDS[value.lower()]
            continue
        if value.startswith(("{", "[")):
            try:
                data[key] = json.loads(value)
            except ValueError:
                raise RequestError(key, f"{value!r} is not valid JSON") from None
        elif _is_list_field(key):
            data[key] = [v.strip() for v in value.split(",") if v.strip()]
        elif value == "" and not TripRequest.model_fields[key].is_required():
            continue
        else:
            data[key] = value
    return parse_trip_request(data)
