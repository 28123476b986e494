"""Errors as data: :class:`planner.errors.Problem`, its sentence, and the pydantic builder."""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Annotated

import pytest
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from planner.data.config import read_config
from planner.errors import (
    REQUEST,
    ConfigError,
    InfeasibleRequest,
    Problem,
    RequestError,
    problems_from_validation,
)


class Leg(BaseModel):
    model_config = ConfigDict(extra="forbid")

    speed_kmh: Annotated[float, Field(gt=0)]
    name: str = "leg"

    @field_validator("name")
    @classmethod
    def _named(cls, v: str) -> str:
        if v.strip() == "":
            raise ValueError("name is empty: give the leg a name")
        if v == "x":
            raise ValueError("one letter is too short")
        return v


class Plan(BaseModel):
    model_config = ConfigDict(extra="forbid")

    legs: list[Leg]


def validation_error(data: object) -> ValidationError:
    with pytest.raises(ValidationError) as info:
        Plan.model_validate(data)
    return info.value


# ------------------------------------------------------------------ rendering
@pytest.mark.parametrize(
    ("problem", "sentence"),
    [
        pytest.param(
            Problem("travel.yaml", "modes.car.speed_kmh", "Input should be greater than 0"),
            "travel.yaml: modes.car.speed_kmh: Input should be greater than 0",
            id="file-field",
        ),
        pytest.param(
            Problem("pois.yaml: poi 'lake'", "colour", "is not a known field", subject=True),
            "pois.yaml: poi 'lake': colour is not a known field",
            id="field-as-subject",
        ),
        pytest.param(
            Problem("pois.yaml: poi #3", None, "must be a mapping of fields, got str"),
            "pois.yaml: poi #3: must be a mapping of fields, got str",
            id="whole-entry",
        ),
        pytest.param(
            Problem(REQUEST, "start", "unknown place 'x'"),
            "start: unknown place 'x'",
            id="request-field",
        ),
        pytest.param(Problem(REQUEST, None, "bad"), "request: bad", id="whole-request"),
        pytest.param(Problem("", None, "roads.yaml: modes: add one"), "roads.yaml: modes: add one"),
    ],
)
def test_a_problem_reads_as_one_sentence(problem: Problem, sentence: str) -> None:
    """``str()`` names the entity (a request's is implied by its field), the field, the fix."""
    assert str(problem) == sentence


def test_a_request_error_carries_its_problem() -> None:
    """``RequestError(field, message)`` builds the problem; ``field`` and the text follow from it."""
    err = RequestError("start", "unknown place 'x'")
    assert err.problem == Problem(REQUEST, "start", "unknown place 'x'")
    assert err.field == "start" and str(err) == "start: unknown place 'x'"
    whole = RequestError(Problem(REQUEST, None, "send a JSON object"))
    assert whole.field == "request" and str(whole) == "request: send a JSON object"


def test_errors_survive_pickling_with_their_problems() -> None:
    """Errors cross process boundaries (batch, search workers) intact."""
    err = pickle.loads(pickle.dumps(InfeasibleRequest("must", "closed all day")))
    assert type(err) is InfeasibleRequest and err.problem.field == "must"
    assert str(err) == "must: closed all day"
    cfg = pickle.loads(pickle.dumps(ConfigError([Problem("a.yaml", "x", "bad"), "b"], source="a")))
    assert cfg.problems == [Problem("a.yaml", "x", "bad"), Problem("", None, "b")]
    assert str(cfg) == "a: 2 problems\na.yaml: x: bad\nb"


def test_a_config_error_wraps_plain_sentences() -> None:
    """A string is a problem with no entity or field; the error's text is every sentence."""
    err = ConfigError("x.yaml: bad")
    assert err.problems == [Problem("", None, "x.yaml: bad")] and str(err) == "x.yaml: bad"


# ------------------------------------------------------------------ pydantic to Problems
def test_every_validation_error_is_a_problem_with_its_dotted_path() -> None:
    """loc becomes the dotted field path; every error is reported, in order, with the entity."""
    exc = validation_error(
        {"legs": [{"speed_kmh": 0}, {"speed_kmh": 5, "colour": "red"}, {}], "extra": 1}
    )
    problems = problems_from_validation(exc, "plan.yaml")
    assert [p.field for p in problems] == [
        "legs.0.speed_kmh",
        "legs.1.colour",
        "legs.2.speed_kmh",
        "extra",
    ]
    assert {p.entity for p in problems} == {"plan.yaml"}
    assert problems[0].message == "Input should be greater than 0"
    assert str(problems[0]) == "plan.yaml: legs.0.speed_kmh: Input should be greater than 0"


def test_the_value_error_prefix_and_a_repeated_field_are_stripped() -> None:
    """pydantic's ``Value error, `` goes, and so does the field's path at the message's start."""
    exc = validation_error({"legs": [{"speed_kmh": 1, "name": "x"}]})
    (nested,) = problems_from_validation(exc, "plan.yaml")
    assert (nested.field, nested.message) == ("legs.0.name", "one letter is too short")
    with pytest.raises(ValidationError) as info:
        Leg.model_validate({"speed_kmh": 1, "name": " "})
    (top,) = problems_from_validation(info.value, "leg.yaml")
    assert (top.field, top.message) == ("name", "is empty: give the leg a name")
    assert str(top) == "leg.yaml: name: is empty: give the leg a name"
    assert "Value error" not in str(nested) + str(top)


def test_a_problem_of_the_whole_object_has_no_field() -> None:
    """An error at the top (loc ``()``) belongs to the entity itself."""
    exc = validation_error([1, 2])
    (problem,) = problems_from_validation(exc, "plan.yaml")
    assert problem.field is None
    assert str(problem).startswith("plan.yaml: Input should be")


def test_describe_rewords_and_subject_joins_with_a_space() -> None:
    """``describe`` gets the raw error and the path; ``subject`` reads ``<field> <message>``."""
    exc = validation_error({"legs": [{"speed_kmh": 1, "wheels": 4}]})
    (problem,) = problems_from_validation(
        exc,
        "pois.yaml: poi 'lake'",
        describe=lambda err, field, msg: (
            f"is not a known field ({field})" if err["type"] == "extra_forbidden" else msg
        ),
        subject=True,
    )
    assert (
        str(problem) == "pois.yaml: poi 'lake': legs.0.wheels is not a known field (legs.0.wheels)"
    )


def test_fastapi_style_error_dicts_are_accepted() -> None:
    """The builder also takes ``errors()`` dicts (FastAPI's RequestValidationError gives those)."""
    (problem,) = problems_from_validation(
        [{"loc": ("start",), "msg": "Field required", "type": "missing"}], REQUEST
    )
    assert str(problem) == "start: Field required"


def test_read_config_reports_every_problem_of_a_file(tmp_path: Path) -> None:
    """A settings file with several mistakes: one ConfigError, one Problem per mistake, by path."""
    path = tmp_path / "plan.yaml"
    path.write_text("legs:\n  - speed_kmh: -1\n  - name: x\n    speed_kmh: 2\nspeed: 3\n")
    with pytest.raises(ConfigError) as info:
        read_config(path, Plan)
    problems = info.value.problems
    assert [(p.entity, p.field) for p in problems] == [
        ("plan.yaml", "legs.0.speed_kmh"),
        ("plan.yaml", "legs.1.name"),
        ("plan.yaml", "speed"),
    ]
    assert str(problems[1]) == "plan.yaml: legs.1.name: one letter is too short"
    assert str(info.value).startswith("plan.yaml: 3 problems\n")


def test_read_config_names_the_file_when_the_whole_file_is_wrong(tmp_path: Path) -> None:
    """A file that is not a mapping is a problem of the ``file`` itself."""
    path = tmp_path / "plan.yaml"
    path.write_text("- 1\n- 2\n")
    with pytest.raises(ConfigError) as info:
        read_config(path, Plan)
    (problem,) = info.value.problems
    assert problem.field == "file" and str(problem).startswith("plan.yaml: file: Input should be")
