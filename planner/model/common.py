"""Conventions and vocabulary every model shares: the strict base model, modes, categories, interests, paces, confidences.

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
import os
from enum import StrEnum
from typing import Annotated
from zoneinfo import ZoneInfo

from pydantic import AfterValidator, BaseModel, ConfigDict, ValidationInfo, WithJsonSchema

TIMEZONE = "Asia/Shanghai"
"""The time zone of every clock time in the project (UTC+8, no daylight saving)."""
TZ = ZoneInfo(TIMEZONE)
TODAY_ENV = "PINGGU_TODAY"
"""Environment variable naming the date the planner takes as today (``YYYY-MM-DD``), for
reproducible tests and demos; unset, today is the date in Pinggu now."""


def today() -> dt.date:
    """Today in Pinggu (Asia/Shanghai), or the date in ``$PINGGU_TODAY`` when it is set."""
    given = os.environ.get(TODAY_ENV, "").strip()
    return dt.date.fromisoformat(given) if given else dt.datetime.now(TZ).date()


DAY_S = 24 * 3600
"""Seconds in a day: day ``k`` of a trip is ``k * DAY_S`` seconds after its first midnight."""

LOCAL_TIME_PATTERN = r"^(?:[01][0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9])?$"
"""A clock time as the API takes it (``HH:MM`` or ``HH:MM:SS``, hours 00-23) and returns it
(``HH:MM:SS``). ``[0-9]``, not ``\\d``: the latter also matches non-ASCII digits in Python."""


def _local_clock(v: dt.time, info: ValidationInfo) -> dt.time:
    """A clock time is local and whole seconds: what :data:`LOCAL_TIME_PATTERN` publishes."""
    name = info.field_name or "time"
    if v.tzinfo is not None:
        raise ValueError(
            f"{name} {v.isoformat()} carries a time zone; give local Pinggu time as HH:MM"
        )
    if v.microsecond:
        raise ValueError(
            f"{name} {v.isoformat()} has a fraction of a second; give HH:MM or HH:MM:SS"
        )
    return v


LocalTime = Annotated[
    dt.time,
    AfterValidator(_local_clock),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": LOCAL_TIME_PATTERN,
            "description": f"Local time in Pinggu ({TIMEZONE}, UTC+8), HH:MM or HH:MM:SS, "
            "without a UTC offset",
        }
    ),
]
"""A local clock time in Pinggu (no offset, whole seconds). Serialised as :class:`datetime.time`
is (``HH:MM:SS``); published as a patterned string, not JSON Schema's ``format: time`` (RFC 3339
requires an offset there)."""


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
    osm = "osm"
    """Matched to an OpenStreetMap feature and accepted by an operator (``planner pois apply``):
    the feature's gate, node or centre, within ~100 m; ``source`` names the OSM element."""
    medium = "medium"
    """From a map point of a public source, converted to WGS84 (within a few hundred metres)."""
    low = "low"
    """Estimated from distances in texts (off by 2-5 km): operators must verify."""


class SeasonKind(StrEnum):
    bloom = "bloom"
    picking = "picking"
    festival = "festival"
    open = "open"
