"""A place of the catalogue (:class:`Poi`) and its seasons, as operators write them in ``configs/pois.yaml``."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated

from pydantic import Field, field_validator, model_validator

from planner.model.common import Category, Confidence, Interest, SeasonKind, Strict

POI_ID_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"


_MONTH_DAY = re.compile(r"^(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$")


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
    capacity_at_once: Annotated[int, Field(ge=1, le=200_000)] | None = Field(
        default=None,
        description="Comfortable number of visitors on site at once; None: the category's "
        "estimate in configs/crowds.yaml",
    )
    capacity_per_hour: Annotated[int, Field(ge=1, le=100_000)] | None = Field(
        default=None,
        description="Visitors an hour the gate and car park let in without queues; None: the "
        "category's estimate in configs/crowds.yaml",
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
        from planner.model.hours import parse_opening_hours

        parse_opening_hours(v)  # raises ValueError with a readable message
        return v

    @model_validator(mode="after")
    def _visitable_needs_time(self) -> Poi:
        if self.visitable and self.visit_minutes == 0:
            raise ValueError("visit_minutes: a visitable place needs a visit of at least 1 minute")
        return self

    @model_validator(mode="after")
    def _capacity_for_visits(self) -> Poi:
        if not self.visitable and (self.capacity_at_once or self.capacity_per_hour):
            raise ValueError(
                "capacity_at_once/capacity_per_hour: only visitable places have a capacity; "
                "remove them from this start or end point"
            )
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
