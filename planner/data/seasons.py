"""The season calendar: blossom, picking and festival windows by zone and year.

Operators keep ``configs/seasons.yaml`` current each spring; places name a zone (``plains``,
``valleys``, ...) and the planner looks the window up for the trip's year, falling back to the
zone's typical window when the year is not listed. Peach blossom moves uphill: the plains and the
Peach Blossom Sea first, the high valleys of Zhenluoying and Xiong'erzhai last.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path

from pydantic import Field, model_validator

from planner.model import MonthDay, Poi, Season, SeasonKind, Strict


class Zone(Strict):
    kind: SeasonKind
    name_en: str
    name_zh: str


class DateRange(Strict):
    start: MonthDay
    end: MonthDay
    note: str = ""

    def contains(self, day: dt.date) -> bool:
        return Season(kind=SeasonKind.open, start=self.start, end=self.end).contains(day)


class YearSeasons(Strict):
    festival: DateRange | None = None
    windows: dict[str, DateRange] = Field(default_factory=dict)


class SeasonCalendar(Strict):
    """The contents of ``configs/seasons.yaml``."""

    version: int = 1
    zones: dict[str, Zone] = Field(default_factory=dict)
    default: YearSeasons = Field(default_factory=YearSeasons)
    years: dict[int, YearSeasons] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _known_zones(self) -> SeasonCalendar:
        for label, ys in [("default", self.default), *((str(y), v) for y, v in self.years.items())]:
            unknown = set(ys.windows) - set(self.zones)
            if unknown:
                raise ValueError(
                    f"{label}: windows for unknown zones {sorted(unknown)}; declare them under zones"
                )
        missing = set(self.zones) - set(self.default.windows)
        if missing:
            raise ValueError(
                f"default: no window for zones {sorted(missing)}; every zone needs a default window"
            )
        return self

    def window(self, zone: str, year: int) -> DateRange:
        """The zone's window in ``year`` (the year's own, else the default)."""
        ys = self.years.get(year)
        if ys is not None and zone in ys.windows:
            return ys.windows[zone]
        return self.default.windows[zone]

    def contains(self, season: Season, day: dt.date) -> bool:
        """Whether ``day`` is inside ``season`` (a zone's window that year, or its own dates)."""
        if season.zone is not None and season.zone in self.zones:
            return self.window(season.zone, day.year).contains(day)
        return season.contains(day)

    def festival(self, day: dt.date) -> bool:
        """Whether ``day`` falls in the Peach Blossom Festival of its year."""
        ys = self.years.get(day.year)
        win = ys.festival if ys is not None and ys.festival is not None else self.default.festival
        return win is not None and win.contains(day)


def default_seasons_path() -> Path:
    from planner.data.catalog import default_configs_dir

    return default_configs_dir() / "seasons.yaml"


def load_seasons(path: Path | str | None = None) -> SeasonCalendar:
    """Read and validate ``configs/seasons.yaml`` (every problem at once); empty when absent."""
    from planner.data.config import read_config

    return read_config(
        Path(path) if path is not None else default_seasons_path(), SeasonCalendar, missing_ok=True
    )


def zone_problems(
    pois: Iterable[Poi], calendar: SeasonCalendar, *, source: str = "pois.yaml"
) -> list[str]:
    """Places whose seasons name a zone that ``calendar`` does not declare, or of another kind."""
    out = []
    for p in pois:
        for s in p.seasons:
            if s.zone is None:
                continue
            zone = calendar.zones.get(s.zone)
            if zone is None:
                out.append(
                    f"{source}: poi {p.id!r}: seasons: zone {s.zone!r} is not in seasons.yaml "
                    f"(known: {', '.join(sorted(calendar.zones)) or 'none'})"
                )
            elif zone.kind != s.kind:
                out.append(
                    f"{source}: poi {p.id!r}: seasons: zone {s.zone!r} is a {zone.kind.value} zone, not {s.kind.value}"
                )
    return out
