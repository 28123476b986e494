"""What the planner answers: checked :class:`Itinerary` days, :class:`Trip` s and :class:`Alternative` s."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field

from planner.model.common import Category, Mode, Strict
from planner.model.request import TripRequest


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
    ticket_cny: float | None = Field(
        description="Ticket per person in CNY; None when the catalogue does not know it "
        "(0 is free). Unknown prices count as 0 in a budget, and the plan warns about them"
    )
    value: float = Field(
        description="The value the planner gave this visit (interests x popularity x season)"
    )
    opening_window: tuple[dt.datetime, dt.datetime] = Field(
        description="The opening interval the visit falls in (visit starts and ends inside it)"
    )
    why: list[Reason]
    queue_s: int = Field(
        default=0,
        description="Of wait_s, the seconds expected queuing at the gate and car park (crowd-aware "
        "plans); the queue is joined at visit_start - queue_s",
    )
    crowd_load: float | None = Field(
        default=None,
        description="Expected visitors on site over the comfortable capacity in the hour the visit "
        "starts (1.0: full); None when the plan is not crowd-aware or the place has no capacity",
    )


class TransitPart(Strict):
    """One part of a bus leg: a walk (to a stop, between stops, from a stop) or a ride."""

    kind: Literal["walk", "ride"]
    depart: dt.datetime
    arrive: dt.datetime
    from_name: str | None = Field(
        default=None, description="The stop walked from or boarded at (None: the place itself)"
    )
    to_name: str | None = Field(
        default=None, description="The stop walked to or alighted at (None: the place itself)"
    )
    from_name_en: str | None = None
    to_name_en: str | None = None
    line: str | None = Field(default=None, description="The bus line, as on the bus (852, 平25)")
    headsign: str | None = None
    trip_id: str | None = None
    metres: int = 0
    estimated: bool = Field(
        default=False, description="The line's timetable is an estimate (configs/transit/README.md)"
    )
    last: bool = Field(
        default=False,
        description="The leg's first ride is the last bus of the day that gets it to its end: "
        "miss it and no later bus does",
    )
    path: list[tuple[float, float]] = Field(
        default_factory=list,
        description="[lon, lat] (WGS84): the walk's ends, or the ride's stops boarded to alighted",
    )


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
    estimated: bool = Field(
        default=False,
        description="True when this leg's time is a straight-line estimate, not routed on roads",
    )
    geometry: list[tuple[float, float]] = Field(
        default_factory=list, description="Polyline [lon, lat] (WGS84); straight when estimated"
    )
    transit: list[TransitPart] = Field(
        default_factory=list,
        description="A bus leg on the timetable: its walks and rides in order (empty otherwise); "
        "travel_s includes the wait at the stop",
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
    """Tickets with a known price, in CNY."""
    tickets_unknown: int = Field(
        default=0, description="Visits whose ticket price is unknown (not in tickets_cny)"
    )
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
    crowd_aware: bool = Field(
        default=False,
        description="Whether the plan was made around the day's expected crowds (queues timed "
        "in, packed hours worth less); request.crowds decides, None meaning festival days",
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


class Alternative(Strict):
    """One of several clearly different plans for the same request, with its theme."""

    theme: Reason
    trip: Trip
