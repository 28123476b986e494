"""Typed, validated data models at the planner's edges.

Conventions (they hold everywhere in the project):

* coordinates are WGS84 (as in OpenStreetMap), ``lon`` and ``lat`` in degrees, pairs as ``[lon, lat]``;
* durations are seconds (``*_s``) or minutes (``*_minutes``), distances metres (``*_m``);
* clock times are local time in Pinggu (``Asia/Shanghai``, UTC+8, no daylight saving);
* money is Chinese yuan (``*_cny``).

Configs and requests are validated here (``extra="forbid"``: an unknown key is an error, not a
silent no-op); the solver and the rest of the core trust these objects.
"""

from __future__ import annotations

import datetime as dt
import re
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

TIMEZONE = "Asia/Shanghai"
POI_ID_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
_MONTH_DAY = re.compile(r"^(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$")


class Strict(BaseModel):
    """Base for every model: unknown keys are rejected, values validated on assignment."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class Mode(StrEnum):
    """How the traveller moves between places."""

    car = "car"
    bus = "bus"
    bicycle = "bicycle"
    walk = "walk"


class Category(StrEnum):
    """What kind of place a POI is. Drives icons, filters and default interests."""

    blossom = "blossom"
    lake = "lake"
    gorge = "gorge"
    mountain = "mountain"
    temple = "temple"
    village = "village"
    farm = "farm"
    museum = "museum"
    restaurant = "restaurant"
    lodging = "lodging"
    transport = "transport"
    market = "market"


class Interest(StrEnum):
    """What a visitor can ask for. A place matches the interests listed on it."""

    blossom = "blossom"
    lake = "lake"
    gorge = "gorge"
    mountain = "mountain"
    hiking = "hiking"
    culture = "culture"
    village = "village"
    farm = "farm"
    picking = "picking"
    food = "food"
    family = "family"
    great_wall = "great_wall"


class Pace(StrEnum):
    """How full the day is: scales visit durations and keeps a buffer between stops."""

    relaxed = "relaxed"
    normal = "normal"
    packed = "packed"

    @property
    def visit_factor(self) -> float:
        """Multiplier on every place's ``visit_minutes``."""
        return {"relaxed": 1.25, "normal": 1.0, "packed": 0.8}[self.value]

    @property
    def buffer_s(self) -> int:
        """Slack added after every leg into a visit: a rest, a photo stop, a wrong turn.

        Parking and walking to the gate are already in the travel modes' ``access_s``
        (configs/travel.yaml), so the normal pace adds nothing; a relaxed day keeps 15 minutes.
        """
        return {"relaxed": 15 * 60, "normal": 0, "packed": 0}[self.value]

    def visit_s(self, visit_minutes: int) -> int:
        """A place's visit length at this pace, in whole minutes, as seconds."""
        return max(1, round(visit_minutes * self.visit_factor)) * 60 if visit_minutes else 0


class Confidence(StrEnum):
    """How sure we are of a place's coordinates."""

    surveyed = "surveyed"
    """Checked on the ground or on an authoritative map (within ~50 m)."""
    medium = "medium"
    """From a map point of a public source, converted to WGS84 (within a few hundred metres)."""
    low = "low"
    """Estimated from distances in texts (off by 2-5 km): operators must verify."""


class SeasonKind(StrEnum):
    bloom = "bloom"
    picking = "picking"
    festival = "festival"
    open = "open"


MonthDay = Annotated[str, Field(pattern=_MONTH_DAY.pattern, examples=["04-10"])]


class Season(Strict):
    """A yearly window (``MM-DD`` to ``MM-DD``, inclusive, may wrap the new year) when a place is at its best."""

    kind: SeasonKind
    start: MonthDay | None = None
    end: MonthDay | None = None
    zone: str | None = Field(
        default=None,
        description="A zone of configs/seasons.yaml whose window that year applies (start/end then optional)",
    )
    note: str = ""

    @model_validator(mode="after")
    def _dates_or_zone(self) -> Season:
        if self.zone is None and (self.start is None or self.end is None):
            raise ValueError(
                "a season needs start and end (MM-DD), or a zone from configs/seasons.yaml"
            )
        return self

    @field_validator("start", "end")
    @classmethod
    def _real_day(cls, v: str | None) -> str | None:
        if v is None:
            return v
        try:
            dt.date(2024, int(v[:2]), int(v[3:]))  # a leap year: 02-29 is a real day
        except ValueError:
            raise ValueError(f"{v!r} is not a day of the year; use MM-DD, e.g. 04-10") from None
        return v

    def contains(self, day: dt.date) -> bool:
        """Whether ``day`` falls in this window (any year); a zone-only season is never "in" here:
        resolve zones with :meth:`planner.data.seasons.SeasonCalendar.contains`."""
        if self.start is None or self.end is None:
            return False
        md = f"{day.month:02d}-{day.day:02d}"
        if self.start <= self.end:
            return self.start <= md <= self.end
        return md >= self.start or md <= self.end


class Poi(Strict):
    """A point of interest in the catalogue (``configs/pois.yaml``), as operators maintain it."""

    id: Annotated[str, Field(pattern=POI_ID_PATTERN, max_length=64, examples=["jinhai-lake"])]
    name_zh: Annotated[str, Field(min_length=1)]
    name_en: Annotated[str, Field(min_length=1)]
    description_zh: Annotated[str, Field(min_length=1)]
    description_en: Annotated[str, Field(min_length=1)]
    category: Category
    interests: list[Interest] = Field(default_factory=list)
    lon: Annotated[float, Field(ge=-180, le=180, description="WGS84 longitude, degrees")]
    lat: Annotated[float, Field(ge=-90, le=90, description="WGS84 latitude, degrees")]
    confidence: Confidence
    source: Annotated[
        str, Field(min_length=1, description="Where the facts and the point come from")
    ]
    opening_hours: str | None = Field(
        default=None,
        description="OpenStreetMap opening_hours syntax; None when unknown (planned as 08:00-17:00 "
        "and flagged)",
        examples=["Mo-Su 08:00-17:30"],
    )
    visit_minutes: Annotated[int, Field(ge=0, le=12 * 60)]
    ticket_cny: Annotated[float, Field(ge=0)] | None = Field(
        default=None, description="Adult ticket in CNY; None when unknown (counted as 0, flagged)"
    )
    seasons: list[Season] = Field(default_factory=list)
    off_season_value: Annotated[float, Field(ge=0, le=1)] = Field(
        default=1.0,
        description="Share of the place's value outside all its seasons (1: as good all year; "
        "0: pointless out of season)",
    )
    popularity: Annotated[float, Field(gt=0, le=1)] = Field(
        default=0.5, description="How strongly visitors rate it, 0-1"
    )
    visitable: bool = Field(
        default=True,
        description="False for places that are only start/end points (stations, lodging)",
    )

    @field_validator("interests")
    @classmethod
    def _unique_interests(cls, v: list[Interest]) -> list[Interest]:
        if len(set(v)) != len(v):
            raise ValueError("each interest may be listed once")
        return v

    @field_validator("opening_hours")
    @classmethod
    def _parse_hours(cls, v: str | None) -> str | None:
        if v is None:
            return v
        from planner.data.hours import parse_opening_hours

        parse_opening_hours(v)  # raises ValueError with a readable message
        return v

    @model_validator(mode="after")
    def _visitable_needs_time(self) -> Poi:
        if self.visitable and self.visit_minutes == 0:
            raise ValueError("visit_minutes: a visitable place needs a visit of at least 1 minute")
        return self

    @property
    def lonlat(self) -> tuple[float, float]:
        """``(lon, lat)`` in WGS84."""
        return (self.lon, self.lat)

    def name(self, lang: str) -> str:
        return self.name_zh if lang == "zh" else self.name_en

    def description(self, lang: str) -> str:
        return self.description_zh if lang == "zh" else self.description_en

    def active_seasons(self, day: dt.date) -> list[Season]:
        return [s for s in self.seasons if s.contains(day)]


class Pin(Strict):
    """A place the visitor insists on, optionally at a fixed position in the day or time."""

    poi_id: str
    position: Annotated[int, Field(ge=1, le=20)] | None = Field(
        default=None, description="1-based position among the day's stops"
    )
    at: dt.time | None = Field(default=None, description="Start the visit at this local time")
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
    start_time: dt.time = Field(default=dt.time(8, 30), description="Local time the day starts")
    end_time: dt.time = Field(default=dt.time(18, 0), description="Local time the day must end by")
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
    lunch_from: dt.time = Field(default=dt.time(11, 30), description="Lunch may start from")
    lunch_to: dt.time = Field(default=dt.time(13, 30), description="Lunch must be over by")
    meal_minutes: Annotated[int, Field(ge=30, le=120)] = Field(
        default=50, description="How long a meal (or picnic) lasts, minutes"
    )
    dinner: bool = Field(
        default=False, description="Also plan dinner at a farm restaurant each day (when one fits)"
    )
    dinner_from: dt.time = Field(default=dt.time(17, 30), description="Dinner may start from")
    dinner_to: dt.time = Field(default=dt.time(20, 0), description="Dinner must be over by")
    days: Annotated[int, Field(ge=1, le=4)] = Field(
        default=1, description="Number of days (1-4); nights are spent at `stay`"
    )
    stay: str | None = Field(
        default=None,
        description="Farm stay (place id) for the nights of a multi-day trip; None: the planner suggests one",
    )

    @property
    def required_ids(self) -> list[str]:
        """``must`` and pinned places, each once, in request order."""
        out = list(self.must)
        out += [p.poi_id for p in self.pins if p.poi_id not in out]
        return out

    @field_validator("start_time", "end_time", "lunch_from", "lunch_to", "dinner_from", "dinner_to")
    @classmethod
    def _local_clock(cls, v: dt.time, info: ValidationInfo) -> dt.time:
        if v.tzinfo is not None:
            raise ValueError(
                f"{info.field_name} {v.isoformat()} carries a time zone; give local Pinggu time as HH:MM"
            )
        return v

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


class Reason(Strict):
    """Why a place is in (or out of) a plan: a stable code and its text in both languages."""

    code: str
    en: str
    zh: str


class Endpoint(Strict):
    """Where the day starts or ends."""

    poi_id: str
    name_zh: str
    name_en: str
    lon: float
    lat: float


class Stop(Strict):
    """One visit in an itinerary: a place, a meal at a farm restaurant, or a picnic break."""

    kind: Literal["visit", "meal", "picnic"] = "visit"
    poi_id: str
    name_zh: str
    name_en: str
    category: Category
    lon: float
    lat: float
    arrival: dt.datetime
    visit_start: dt.datetime
    departure: dt.datetime
    wait_s: int
    visit_s: int
    ticket_cny: float
    value: float = Field(
        description="The value the planner gave this visit (interests x popularity x season)"
    )
    opening_window: tuple[dt.datetime, dt.datetime] = Field(
        description="The opening interval the visit falls in (visit starts and ends inside it)"
    )
    why: list[Reason]


class Leg(Strict):
    """Travel between two consecutive points of the day."""

    from_id: str
    to_id: str
    depart: dt.datetime
    arrive: dt.datetime
    travel_s: int
    traffic_factor: float = Field(
        default=1.0, description="Traffic multiplier in force at departure (configs/traffic.yaml)"
    )
    buffer_s: int = Field(default=0, description="Slack kept after arriving (the pace's buffer)")
    distance_m: int
    mode: Mode
    provider: str = Field(description="Which travel-time provider computed this leg")
    geometry: list[tuple[float, float]] = Field(
        default_factory=list, description="Polyline [lon, lat] (WGS84); straight when estimated"
    )


class Dropped(Strict):
    """A place that was considered but is not in the plan, and why."""

    poi_id: str
    name_zh: str
    name_en: str
    value: float
    reason: Reason


class Totals(Strict):
    stops: int
    travel_s: int
    buffer_s: int = 0
    visit_s: int
    wait_s: int
    distance_m: int
    tickets_cny: float
    value: float


class SolverStatus(Strict):
    status: Literal["optimal", "feasible", "time_limit", "empty"]
    solve_seconds: float
    time_limit_s: float
    seed: int
    objective_value: int
    travel_provider: str


class Itinerary(Strict):
    """A verified one-day plan. Leaves the library only after :func:`planner.plan.checker.check` passed."""

    request: TripRequest
    start: Endpoint
    end: Endpoint
    day_start: dt.datetime
    day_end: dt.datetime = Field(
        description="When the day actually ends (arrival at the end point)"
    )
    stops: list[Stop]
    legs: list[Leg]
    dropped: list[Dropped]
    totals: Totals
    solver: SolverStatus
    warnings: list[Reason] = Field(default_factory=list)
    visited: list[str] = Field(
        default_factory=list, description="Places already visited before this plan (re-planning)"
    )


class Trip(Strict):
    """A verified trip of one or more days; each day is a checked :class:`Itinerary`."""

    request: TripRequest
    days: list[Itinerary]
    stay: Endpoint | None = Field(default=None, description="Where the nights are spent")
    stay_suggested: bool = Field(default=False, description="True when the planner chose the stay")
    totals: Totals
    dropped: list[Dropped]
    warnings: list[Reason] = Field(default_factory=list)


def parse_trip_request(data: object) -> TripRequest:
    """Validate raw request data, raising :class:`~planner.errors.RequestError` naming the first bad field.

    Shells (CLI, HTTP, app) call this so that a bad value becomes one sentence with the field and
    the fix, never a traceback.
    """
    from pydantic import ValidationError

    from planner.errors import RequestError

    try:
        return TripRequest.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = [str(x) for x in err.get("loc", ())]
        field = loc[0] if loc else "request"
        msg = str(err.get("msg", "invalid")).removeprefix("Value error, ")
        if err.get("type") == "extra_forbidden":
            msg = "is not a known field"
        elif err.get("type") == "enum" and field in {"interests", "mode"}:
            allowed = ", ".join(m.value for m in (Interest if field == "interests" else Mode))
            msg = f"{err.get('input')!r} is not one of: {allowed}"
        elif err.get("type", "").startswith(("date", "time")):
            fmt = "YYYY-MM-DD" if field == "date" else "HH:MM"
            msg = f"{err.get('input')!r} is not a valid {field.replace('_', ' ')}; use {fmt}"
        raise RequestError(field, msg) from None


class Alternative(Strict):
    """One of several clearly different plans for the same request, with its theme."""

    theme: Reason
    trip: Trip
