"""Specification of planner.models: places, seasons and trip requests, validated at the edge.

Unknown keys are errors (``extra="forbid"``) and values are validated on assignment too;
``parse_trip_request`` turns any invalid request into one :class:`RequestError` naming the field.
"""

from __future__ import annotations

import datetime as dt
import re
import typing
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

import planner.model
from planner.errors import (
    ConfigError,
    InfeasibleRequest,
    ItineraryCheckError,
    PlannerError,
    RequestError,
)
from planner.model import Mode, Pin, Poi, Season, TripRequest, parse_trip_request
from planner.model.common import LOCAL_TIME_PATTERN


def lake(**changes: Any) -> dict[str, Any]:
    """Fields of a valid visitable place (the test lake), with ``changes`` applied."""
    data: dict[str, Any] = {
        "id": "test-lake",
        "name_zh": "测试湖",
        "name_en": "Test Lake",
        "description_zh": "一个湖。",
        "description_en": "A lake.",
        "category": "lake",
        "interests": ["lake", "family"],
        "lon": 117.20,
        "lat": 40.16,
        "confidence": "medium",
        "source": "synthetic test data",
        "opening_hours": "Mo-Su 08:00-17:00",
        "visit_minutes": 120,
    }
    data.update(changes)
    return data


def request(**changes: Any) -> dict[str, Any]:
    """Raw data of a valid trip request, with ``changes`` applied."""
    data: dict[str, Any] = {"date": "2027-04-17", "start": "station"}
    data.update(changes)
    return data


# --------------------------------------------------------------------------- Poi


def test_a_valid_place_has_documented_defaults() -> None:
    """Optional fields default to: no season, value all year, popularity 0.5, visitable, unknowns None."""
    poi = Poi.model_validate(lake(opening_hours=None))
    assert poi.seasons == []
    assert poi.off_season_value == 1.0
    assert poi.popularity == 0.5
    assert poi.visitable is True
    assert poi.ticket_cny is None
    assert poi.opening_hours is None
    assert poi.lonlat == (117.20, 40.16)


def test_names_and_descriptions_in_both_languages() -> None:
    """``name``/``description`` give Chinese for ``zh`` and English otherwise."""
    poi = Poi.model_validate(lake())
    assert (poi.name("zh"), poi.name("en")) == ("测试湖", "Test Lake")
    assert (poi.description("zh"), poi.description("en")) == ("一个湖。", "A lake.")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        pytest.param({"id": "Test_Lake"}, "id", id="id-not-kebab-case"),
        pytest.param({"id": "test--lake"}, "id", id="id-double-hyphen"),
        pytest.param({"id": "湖"}, "id", id="id-not-ascii"),
        pytest.param({"name_en": ""}, "name_en", id="empty-name"),
        pytest.param({"category": "beach"}, "category", id="unknown-category"),
        pytest.param({"interests": ["swimming"]}, "interests", id="unknown-interest"),
        pytest.param({"interests": ["lake", "lake"]}, "interests", id="interest-twice"),
        pytest.param({"lon": 181}, "lon", id="lon-out-of-range"),
        pytest.param({"lat": -91}, "lat", id="lat-out-of-range"),
        pytest.param({"confidence": "high"}, "confidence", id="unknown-confidence"),
        pytest.param({"source": ""}, "source", id="no-source"),
        pytest.param({"opening_hours": "8 to 5"}, "opening_hours", id="bad-hours"),
        pytest.param({"visit_minutes": -1}, "visit_minutes", id="negative-visit"),
        pytest.param({"visit_minutes": 13 * 60}, "visit_minutes", id="visit-over-12-h"),
        pytest.param({"ticket_cny": -5}, "ticket_cny", id="negative-ticket"),
        pytest.param({"popularity": 0}, "popularity", id="zero-popularity"),
        pytest.param({"popularity": 1.2}, "popularity", id="popularity-over-1"),
        pytest.param({"off_season_value": 1.5}, "off_season_value", id="off-season-over-1"),
        pytest.param({"colour": "blue"}, "colour", id="unknown-field"),
    ],
)
def test_an_invalid_place_is_rejected_naming_the_field(changes: dict[str, Any], field: str) -> None:
    """Each invalid value (or unknown key) is a validation error located at its field."""
    with pytest.raises(ValidationError) as info:
        Poi.model_validate(lake(**changes))
    assert field in {str(e["loc"][0]) for e in info.value.errors() if e["loc"]}


def test_a_visitable_place_needs_a_visit_time() -> None:
    """A visitable place with ``visit_minutes: 0`` is rejected with a message naming the field."""
    with pytest.raises(ValidationError, match="visit_minutes"):
        Poi.model_validate(lake(visit_minutes=0))


def test_a_start_or_end_point_may_have_no_visit_time() -> None:
    """``visitable: false`` places (stations, farm-stays) may have ``visit_minutes: 0``."""
    poi = Poi.model_validate(lake(category="transport", visit_minutes=0, visitable=False))
    assert poi.visit_minutes == 0


def test_a_place_is_validated_on_assignment() -> None:
    """Assigning an invalid value to a place raises instead of corrupting it."""
    poi = Poi.model_validate(lake())
    with pytest.raises(ValidationError):
        poi.opening_hours = "garbage"


# --------------------------------------------------------------------------- Season


@pytest.mark.parametrize(
    ("day", "inside"),
    [
        ("2027-04-09", False),
        ("2027-04-10", True),
        ("2027-04-18", True),
        ("2027-04-26", True),
        ("2027-04-27", False),
        ("2027-10-15", False),
        ("2030-04-15", True),
    ],
)
def test_a_season_is_an_inclusive_window_in_any_year(day: str, inside: bool) -> None:
    """``04-10..04-26`` contains both ends and holds every year."""
    bloom = Season(kind="bloom", start="04-10", end="04-26")
    assert bloom.contains(dt.date.fromisoformat(day)) is inside


@pytest.mark.parametrize(
    ("day", "inside"),
    [
        ("2027-11-14", False),
        ("2027-11-15", True),
        ("2027-12-31", True),
        ("2028-01-01", True),
        ("2028-02-15", True),
        ("2028-02-16", False),
        ("2028-07-01", False),
    ],
)
def test_a_season_may_wrap_the_new_year(day: str, inside: bool) -> None:
    """``11-15..02-15`` runs through December into February and excludes the summer."""
    winter = Season(kind="festival", start="11-15", end="02-15")
    assert winter.contains(dt.date.fromisoformat(day)) is inside


def test_a_one_day_season_contains_only_that_day() -> None:
    """A festival on ``05-01..05-01`` is that day only."""
    may_day = Season(kind="festival", start="05-01", end="05-01")
    assert may_day.contains(dt.date(2027, 5, 1))
    assert not may_day.contains(dt.date(2027, 5, 2))


def test_a_leap_day_is_inside_a_season_that_spans_it() -> None:
    """29 February falls between 02-28 and 03-01."""
    assert Season(kind="bloom", start="02-28", end="03-01").contains(dt.date(2028, 2, 29))


@pytest.mark.parametrize("text", ["4-10", "13-01", "00-10", "04-00", "04-32", "04/10", "0410"])
def test_season_dates_are_month_day_with_two_digits(text: str) -> None:
    """Season bounds are ``MM-DD`` with a real month and a day 01-31."""
    with pytest.raises(ValidationError):
        Season(kind="bloom", start=text, end="05-01")


# --------------------------------------------------------------------------- TripRequest


def test_a_request_has_documented_defaults() -> None:
    """By default a day runs 08:30-18:00 by car, back at the start, 1 s of search, seed 0."""
    req = TripRequest(date="2027-04-17", start="station")
    assert req.date == dt.date(2027, 4, 17)
    assert (req.start_time, req.end_time) == (dt.time(8, 30), dt.time(18, 0))
    assert req.end is None
    assert req.mode == Mode.car
    assert (req.interests, req.must, req.avoid) == ([], [], [])
    assert (req.time_limit_s, req.seed) == (1.0, 0)


@pytest.mark.parametrize(
    ("start_time", "end_time"),
    [("18:00", "08:00"), ("09:00", "09:00")],
    ids=["end-before-start", "end-equals-start"],
)
def test_the_day_must_end_after_it_starts(start_time: str, end_time: str) -> None:
    """An end time not after the start time is rejected, the message naming both times."""
    with pytest.raises(ValidationError, match=f"end_time {end_time} is not after"):
        TripRequest(**request(start_time=start_time, end_time=end_time))


def test_a_place_cannot_be_both_must_and_avoid() -> None:
    """must and avoid overlapping is rejected, naming the place."""
    with pytest.raises(ValidationError, match=r"\['lake'\] are both in must and avoid"):
        TripRequest(**request(must=["lake", "gorge"], avoid=["lake"]))


def test_unknown_request_keys_are_rejected() -> None:
    """A misspelt option (``interest`` for ``interests``) is an error, never silently dropped."""
    with pytest.raises(ValidationError, match="interest"):
        TripRequest(**request(interest=["lake"]))


@pytest.mark.parametrize(
    ("field", "value"),
    [
        pytest.param("start_time", dt.time(19, 0), id="start-after-end"),
        pytest.param("must", ["lake"], id="must-overlaps-avoid"),
    ],
)
def test_cross_field_rules_hold_on_assignment(field: str, value: object) -> None:
    """Assigning a value that breaks end-after-start or must/avoid is rejected like at creation."""
    req = TripRequest(**request(avoid=["lake"]))
    with pytest.raises(ValidationError):
        setattr(req, field, value)


def test_a_request_is_validated_on_assignment() -> None:
    """Assigning an end time before the start raises (requests are never silently invalid)."""
    req = TripRequest(**request())
    with pytest.raises(ValidationError):
        req.end_time = dt.time(7, 0)


# --------------------------------------------------------------------------- parse_trip_request


def test_parse_trip_request_returns_the_validated_request() -> None:
    """Valid raw data (strings, as from JSON or a form) becomes a TripRequest."""
    req = parse_trip_request(request(start_time="07:45", interests=["lake"], mode="bus"))
    assert req.start_time == dt.time(7, 45)
    assert req.mode == Mode.bus


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        pytest.param(
            request(start_time="18:00", end_time="08:00"),
            "end_time",
            "end_time: 08:00 is not after start_time 18:00",
            id="end-before-start",
        ),
        pytest.param(request(colour="red"), "colour", "is not a known field", id="unknown-key"),
        pytest.param(
            request(date="2027-13-01"),
            "date",
            "'2027-13-01' is not a valid date; use YYYY-MM-DD",
            id="bad-date",
        ),
        pytest.param(
            request(start_time="8h"),
            "start_time",
            "'8h' is not a valid start time; use HH:MM",
            id="bad-time",
        ),
        pytest.param(
            request(interests=["lake", "beach"]),
            "interests",
            "'beach' is not one of: blossom, lake,",
            id="unknown-interest",
        ),
        pytest.param(
            request(mode="plane"),
            "mode",
            "'plane' is not one of: car, bus, bicycle, walk",
            id="unknown-mode",
        ),
        pytest.param({"start": "station"}, "date", "required", id="missing-date"),
        pytest.param(request(time_limit_s=0), "time_limit_s", "greater than 0", id="no-time"),
        pytest.param("2027-04-17", "request", "valid dictionary", id="not-a-mapping"),
    ],
)
def test_parse_trip_request_names_the_field_and_the_fix(
    data: object, field: str, message: str
) -> None:
    """Every invalid request becomes one RequestError naming the field, worded for a user."""
    with pytest.raises(RequestError) as info:
        parse_trip_request(data)
    assert info.value.field == field
    assert str(info.value).startswith(f"{field}: ")
    assert message in str(info.value)
    assert "Value error" not in str(info.value)


def test_parse_trip_request_names_must_or_avoid_for_an_overlap() -> None:
    """A place in both must and avoid is reported on one of those two fields, naming the place."""
    with pytest.raises(RequestError) as info:
        parse_trip_request(request(must=["lake"], avoid=["lake"]))
    assert info.value.field in {"must", "avoid"}
    assert "'lake'" in str(info.value)


def test_request_error_is_a_value_error_with_a_stable_code() -> None:
    """RequestError is a PlannerError and a ValueError, with code ``invalid_request``."""
    with pytest.raises(RequestError) as info:
        parse_trip_request(request(mode="plane"))
    assert isinstance(info.value, PlannerError)
    assert isinstance(info.value, ValueError)
    assert info.value.code == "invalid_request"


# --------------------------------------------------------------------------- the exception tree


@pytest.mark.parametrize(
    ("error", "base", "code"),
    [
        pytest.param(ConfigError("x.yaml: bad"), ValueError, "invalid_config", id="config"),
        pytest.param(RequestError("date", "bad"), ValueError, "invalid_request", id="request"),
        pytest.param(
            InfeasibleRequest("must", "no"), RequestError, "infeasible_request", id="infeasible"
        ),
        pytest.param(
            ItineraryCheckError(["bad"]), AssertionError, "internal_check_failed", id="check"
        ),
    ],
)
def test_every_planner_error_has_a_stable_code(
    error: PlannerError, base: type[Exception], code: str
) -> None:
    """Each error derives from PlannerError and a built-in, with the code the shells map to a status."""
    assert isinstance(error, PlannerError)
    assert isinstance(error, base)
    assert error.code == code


def test_a_config_error_with_one_problem_is_that_sentence() -> None:
    """One problem is the whole message; several get a count header naming the source."""
    assert str(ConfigError("x.yaml: poi 'a': bad", source="x.yaml")) == "x.yaml: poi 'a': bad"
    several = ConfigError(["first", "second"], source="x.yaml")
    assert str(several) == "x.yaml: 2 problems\nfirst\nsecond"
    assert [str(p) for p in several.problems] == ["first", "second"]


# --------------------------------------------------------------------------- clock times


def _models() -> list[type[BaseModel]]:
    """Every model planner.model exports."""
    return [
        m
        for m in vars(planner.model).values()
        if isinstance(m, type) and issubclass(m, BaseModel) and m is not planner.model.Strict
    ]


def _clock_fields() -> list[tuple[type[BaseModel], str]]:
    """(model, field) for every ``dt.time`` field (optional or not) of the models."""
    return [
        (model, name)
        for model in _models()
        for name, info in model.model_fields.items()
        if dt.time in _types(info.annotation)
    ]


def _types(annotation: object) -> set[object]:
    """The types an annotation names: through unions (``X | None``) and ``Annotated``."""
    args = typing.get_args(annotation)
    if typing.get_origin(annotation) is typing.Annotated:
        return _types(args[0])
    return set().union(*map(_types, args)) if args else {annotation}


def test_the_clock_time_fields_are_found() -> None:
    """The search below sees the request's six times and the pin's time (and misses none)."""
    found = {f"{model.__name__}.{name}" for model, name in _clock_fields()}
    assert found >= {
        *(
            f"TripRequest.{f}"
            for f in (
                "start_time",
                "end_time",
                "lunch_from",
                "lunch_to",
                "dinner_from",
                "dinner_to",
            )
        ),
        "Pin.at",
    }


@pytest.mark.parametrize(
    ("model", "name"), _clock_fields(), ids=lambda v: getattr(v, "__name__", v)
)
def test_a_clock_time_is_published_as_a_local_hh_mm_string(
    model: type[BaseModel], name: str
) -> None:
    """Not JSON Schema's ``format: time`` (RFC 3339: an offset is required) but a string
    with the pattern of what the API takes and returns, in validation and serialisation schemas."""
    for mode in ("validation", "serialization"):
        prop = model.model_json_schema(mode=mode)["properties"][name]
        (schema,) = [s for s in prop.get("anyOf", [prop]) if s.get("type") != "null"]
        assert schema["type"] == "string"
        assert schema["pattern"] == LOCAL_TIME_PATTERN
        assert "format" not in schema


def test_no_model_publishes_format_time() -> None:
    """Nowhere in the published schemas (nested models included) is a ``format: time``."""
    for model in _models():
        for mode in ("validation", "serialization"):
            assert '"format": "time"' not in str(model.model_json_schema(mode=mode)).replace(
                "'", '"'
            ), model.__name__


def test_the_pattern_accepts_what_the_model_serialises() -> None:
    """Every clock time a request serialises (defaults, HH:MM input, a pin) matches the pattern,
    and the JSON is unchanged: ``HH:MM:SS``."""
    req = TripRequest(
        **request(
            start_time="07:05",
            end_time="23:59:59",
            pins=[{"poi_id": "lake", "at": "00:00"}],
            lunch_from="11:00:30",
        )
    )
    dumped = req.model_dump(mode="json")
    times = [dumped[f] for f in ("start_time", "end_time", "lunch_from", "lunch_to")]
    times += [dumped["dinner_from"], dumped["dinner_to"], dumped["pins"][0]["at"]]
    assert times == [
        "07:05:00",
        "23:59:59",
        "11:00:30",
        "13:30:00",
        "17:30:00",
        "20:00:00",
        "00:00:00",
    ]
    assert all(re.fullmatch(LOCAL_TIME_PATTERN, t) for t in times)
    assert TripRequest.model_validate(dumped) == req


@pytest.mark.parametrize("text", ["08:30", "08:30:00", "00:00", "23:59:59"])
def test_the_pattern_accepts_what_the_api_takes(text: str) -> None:
    """HH:MM and HH:MM:SS, hours 00-23: matched by the pattern and accepted by the model."""
    assert re.fullmatch(LOCAL_TIME_PATTERN, text)
    assert Pin(poi_id="lake", at=text).at is not None


@pytest.mark.parametrize(
    "text", ["8:30", "24:00", "08:60", "08:30:60", "08:30+08:00", "08:30Z", "08:30:00.5", "0830"]
)
def test_the_pattern_refuses_what_the_api_refuses(text: str) -> None:
    """What the pattern refuses, the model refuses too (the schema tells the truth both ways)."""
    assert not re.search(LOCAL_TIME_PATTERN, text)
    with pytest.raises(ValidationError):
        Pin(poi_id="lake", at=text)
    with pytest.raises(ValidationError):
        TripRequest(**request(start_time=text))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        pytest.param(
            request(start_time="08:30+08:00"),
            "start_time: 08:30:00+08:00 carries a time zone; give local Pinggu time as HH:MM",
            id="offset",
        ),
        pytest.param(
            request(pins=[{"poi_id": "lake", "at": "10:00Z"}]),
            "pins: at 10:00:00+00:00 carries a time zone",
            id="pin-offset",
        ),
        pytest.param(
            request(lunch_to="13:30:00.5"),
            "lunch_to: 13:30:00.500000 has a fraction of a second; give HH:MM or HH:MM:SS",
            id="fraction",
        ),
    ],
)
def test_a_clock_time_is_local_and_in_whole_seconds(data: dict[str, Any], message: str) -> None:
    """An offset (the planner would ignore it) or a fraction of a second (the planner works in
    whole seconds) is refused with a sentence, for every clock-time field, pins included."""
    with pytest.raises(RequestError) as info:
        parse_trip_request(data)
    assert str(info.value).startswith(message)
