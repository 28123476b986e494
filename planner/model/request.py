"""What a visitor asks for: a :class:`TripRequest` (date, start, hours, interests, must, avoid, pins)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import Field, ValidationInfo, field_validator, model_validator

from planner.model.common import Interest, LocalTime, Mode, Pace, Strict


class Pin(Strict):
    """A place the visitor insists on, optionally at a fixed position in the day or time."""

    poi_id: str
    position: Annotated[int, Field(ge=1, le=20)] | None = Field(
        default=None, description="1-based position among the day's stops"
    )
    at: LocalTime | None = Field(default=None, description="Start the visit at this local time")
    day: Annotated[int, Field(ge=1, le=4)] | None = Field(
        default=None, description="Which day of a multi-day trip (1-based); None: any day"
    )


class TripRequest(Strict):
    """What a tourist asks for: one day in Pinggu."""

    date: dt.date = Field(description="Day of the trip (local date)", examples=["2027-04-17"])
    start: str = Field(
        description="Catalogue id of the place the day starts", examples=["pinggu-bus-station"]
    )
    end: str | None = Field(default=None, description="Where the day ends; default: back at start")
    start_time: LocalTime = Field(default=dt.time(8, 30), description="Local time the day starts")
    end_time: LocalTime = Field(
        default=dt.time(18, 0), description="Local time the day must end by"
    )
    interests: list[Interest] = Field(default_factory=list)
    must: list[str] = Field(default_factory=list, description="Place ids that must be visited")
    avoid: list[str] = Field(default_factory=list, description="Place ids never to visit")
    mode: Mode = Mode.car
    time_limit_s: Annotated[float, Field(gt=0, le=60)] = Field(
        default=1.0, description="Solver time budget, seconds"
    )
    seed: Annotated[int, Field(ge=0)] = 0
    pace: Pace = Field(default=Pace.normal, description="relaxed, normal or packed")
    budget_cny: Annotated[float, Field(ge=0)] | None = Field(
        default=None, description="Cap on the day's tickets, CNY (None: no cap)"
    )
    pins: list[Pin] = Field(
        default_factory=list,
        description="Places that must be in, optionally at a position or a time (each is also a must)",
    )
    lunch: bool = Field(
        default=True,
        description="Plan lunch each day: at a farm restaurant when one fits, else a picnic break",
    )
    lunch_from: LocalTime = Field(
        default=dt.time(11, 30), description="Local time lunch may start from"
    )
    lunch_to: LocalTime = Field(
        default=dt.time(13, 30), description="Local time lunch must be over by"
    )
    meal_minutes: Annotated[int, Field(ge=30, le=120)] = Field(
        default=50, description="How long a meal (or picnic) lasts, minutes"
    )
    dinner: bool = Field(
        default=False, description="Also plan dinner at a farm restaurant each day (when one fits)"
    )
    dinner_from: LocalTime = Field(
        default=dt.time(17, 30), description="Local time dinner may start from"
    )
    dinner_to: LocalTime = Field(
        default=dt.time(20, 0), description="Local time dinner must be over by"
    )
    days: Annotated[int, Field(ge=1, le=4)] = Field(
        default=1, description="Number of days (1-4); nights are spent at `stay`"
    )
    stay: str | None = Field(
        default=None,
        description="Farm stay (place id) for the nights of a multi-day trip; None: the planner suggests one",
    )
    crowds: bool | None = Field(
        default=None,
        description="Plan around crowds (queues at the gate and packed hours, configs/crowds.yaml): "
        "true, false, or None for on festival days only",
    )

    @property
    def required_ids(self) -> list[str]:
        """``must`` and pinned places, each once, in request order."""
        out = list(self.must)
        out += [p.poi_id for p in self.pins if p.poi_id not in out]
        return out

    @field_validator("end_time")
    @classmethod
    def _end_after_start(cls, v: dt.time, info: ValidationInfo) -> dt.time:
        start = info.data.get("start_time")
        if start is not None and v <= start:
            raise ValueError(
                f"end_time {v:%H:%M} is not after start_time {start:%H:%M}: "
                "give an end time later in the day"
            )
        return v

    @field_validator("avoid")
    @classmethod
    def _not_both(cls, v: list[str], info: ValidationInfo) -> list[str]:
        both = set(v) & set(info.data.get("must") or [])
        if both:
            raise ValueError(f"{sorted(both)} are both in must and avoid: keep each in one list")
        return v

    @field_validator("must", "avoid", "interests")
    @classmethod
    def _no_repeats(cls, v: list[str]) -> list[str]:
        seen = [x for i, x in enumerate(v) if x in v[:i]]
        if seen:
            raise ValueError(f"{sorted(set(map(str, seen)))} listed more than once: list each once")
        return v

    @model_validator(mode="after")
    def _cross_fields(self) -> TripRequest:
        # The field validators above report at the right field when a request is created; this
        # re-check keeps the rules true when a field is assigned later (validate_assignment).
        if self.end_time <= self.start_time:
            raise ValueError(
                f"end_time {self.end_time:%H:%M} is not after start_time {self.start_time:%H:%M}"
            )
        if set(self.must) & set(self.avoid):
            raise ValueError("a place is in both must and avoid: keep each in one list")
        lunch_s = (
            (self.lunch_to.hour - self.lunch_from.hour) * 60
            + self.lunch_to.minute
            - self.lunch_from.minute
        )
        if self.lunch and lunch_s < self.meal_minutes:
            raise ValueError(
                f"lunch_from {self.lunch_from:%H:%M} to lunch_to {self.lunch_to:%H:%M} is shorter than "
                f"meal_minutes {self.meal_minutes}: widen the lunch window or shorten the meal"
            )
        dinner_s = (self.dinner_to.hour - self.dinner_from.hour) * 60 + (
            self.dinner_to.minute - self.dinner_from.minute
        )
        if self.dinner and dinner_s < self.meal_minutes:
            raise ValueError(
                f"dinner_from {self.dinner_from:%H:%M} to dinner_to {self.dinner_to:%H:%M} is shorter "
                f"than meal_minutes {self.meal_minutes}: widen the dinner window or shorten the meal"
            )
        if self.lunch and self.dinner and self.dinner_from < self.lunch_to:
            raise ValueError(
                "dinner_from must be after lunch_to: the two meal windows may not overlap"
            )
        return self


def parse_trip_request(data: object) -> TripRequest:
    """Validate raw request data, raising :class:`~planner.errors.RequestError` naming the first bad field.

    Shells (CLI, HTTP, app) call this so that a bad value becomes one sentence with the field and
    the fix, never a traceback.
    """
    from collections.abc import Mapping
    from dataclasses import replace
    from typing import Any

    from pydantic import ValidationError

    from planner.errors import REQUEST, RequestError, problems_from_validation

    def describe(err: Mapping[str, Any], path: str | None, msg: str) -> str:
        field = (path or REQUEST).split(".")[0]
        if err.get("type") == "extra_forbidden":
            return "is not a known field"
        if err.get("type") == "enum" and field in {"interests", "mode"}:
            allowed = ", ".join(m.value for m in (Interest if field == "interests" else Mode))
            return f"{err.get('input')!r} is not one of: {allowed}"
        if err.get("type", "").startswith(("date", "time")):
            fmt = "YYYY-MM-DD" if field == "date" else "HH:MM"
            return f"{err.get('input')!r} is not a valid {field.replace('_', ' ')}; use {fmt}"
        return msg

    try:
        return TripRequest.model_validate(data)
    except ValidationError as exc:
        (first,) = problems_from_validation(exc.errors()[:1], REQUEST, describe=describe)
        top = first.field.split(".")[0] if first.field else None  # the field a shell names
        raise RequestError(replace(first, field=top)) from None
