"""Festival and holiday traffic: travel-time multipliers by day type and time of day.

A leg's travel time is the provider's time multiplied by the factor in force when the leg departs
(``configs/traffic.yaml``). The day type comes from the calendars: a Peach Blossom Festival day
(``configs/seasons.yaml``), a public holiday (:mod:`planner.model.holidays`), a weekend, or a weekday.
"""

from __future__ import annotations

import datetime as dt
import itertools
from enum import StrEnum
from pathlib import Path
from typing import Annotated

from pydantic import Field, field_validator

from planner.data.seasons import SeasonCalendar
from planner.model import Strict
from planner.model.holidays import public_holiday


class DayType(StrEnum):
    weekday = "weekday"
    weekend = "weekend"
    holiday = "holiday"
    festival = "festival"


class Band(Strict):
    """A time-of-day band with its multiplier (``from`` inclusive, ``to`` exclusive)."""

    start: dt.time = Field(alias="from")
    end: dt.time = Field(alias="to")
    factor: Annotated[float, Field(ge=0.5, le=4)]


class TrafficSettings(Strict):
    """The contents of ``configs/traffic.yaml``."""

    version: int = 1
    profiles: dict[DayType, list[Band]] = Field(default_factory=dict)
    festival_dates: list[dt.date] = Field(default_factory=list)

    @field_validator("profiles")
    @classmethod
    def _bands_in_order(cls, v: dict[DayType, list[Band]]) -> dict[DayType, list[Band]]:
        for day_type, bands in v.items():
            for a in bands:
                if a.end <= a.start:
                    raise ValueError(
                        f"{day_type.value}: band {a.start:%H:%M}-{a.end:%H:%M} ends before it starts"
                    )
            for a, b in itertools.pairwise(bands):
                if b.start < a.end:
                    raise ValueError(
                        f"{day_type.value}: bands {a.start:%H:%M}-{a.end:%H:%M} and {b.start:%H:%M} overlap"
                    )
        return v


class Traffic:
    """Day types and factors for any date and time; neutral (1.0 everywhere) without settings."""

    def __init__(
        self, settings: TrafficSettings | None = None, seasons: SeasonCalendar | None = None
    ) -> None:
        self.settings = settings if settings is not None else TrafficSettings()
        self.seasons = seasons if seasons is not None else SeasonCalendar()

    def day_type(self, day: dt.date) -> DayType:
        if day in self.settings.festival_dates or self.seasons.festival(day):
            return DayType.festival
        if public_holiday(day):
            return DayType.holiday
        if day.weekday() >= 5:
            return DayType.weekend
        return DayType.weekday

    def factor(self, day: dt.date, seconds: int) -> float:
        """The multiplier for a leg leaving at ``seconds`` after midnight of ``day``."""
        t = (dt.datetime.combine(day, dt.time()) + dt.timedelta(seconds=seconds % 86400)).time()
        for band in self.settings.profiles.get(self.day_type(day), []):
            if band.start <= t < band.end:
                return band.factor
        return 1.0

    def travel_s(self, base_s: int, day: dt.date, seconds: int) -> int:
        """``base_s`` seconds of travel leaving at ``seconds`` after midnight of ``day``."""
        return round(base_s * self.factor(day, seconds))

    def typical(self, day: dt.date, start_s: int, end_s: int) -> float:
        """The time-weighted mean factor over a day window (what the solver plans with)."""
        total = sum(self.factor(day, s) for s in range(start_s, end_s, 300))
        n = len(range(start_s, end_s, 300))
        return total / n if n else 1.0


def default_traffic_path() -> Path:
    from planner.data.catalog import default_configs_dir

    return default_configs_dir() / "traffic.yaml"


def load_traffic(path: Path | str | None = None) -> TrafficSettings:
    """Read and validate ``configs/traffic.yaml``; neutral settings when the file is absent."""
    from planner.data.config import read_config

    return read_config(
        Path(path) if path is not None else default_traffic_path(), TrafficSettings, missing_ok=True
    )
