"""What a routing answer is made of: walk legs, ride legs and the journeys they form.

Times are seconds since the midnight of the day planned (a bus after midnight is past 86 400);
coordinates WGS84 ``(lon, lat)``.
"""

from __future__ import annotations

from dataclasses import dataclass

from .feed import Confidence, LonLat


@dataclass(frozen=True)
class WalkLeg:
    """Walking from a point or stop to another one."""

    from_lonlat: LonLat
    to_lonlat: LonLat
    depart: int
    arrive: int
    seconds: int
    metres: int
    """Estimated on the straight line times the detour factor."""
    from_stop: str | None = None
    """Name of the stop walked from (None for the visitor's own point)."""
    to_stop: str | None = None
    """Name of the stop walked to (None for the visitor's own point)."""


@dataclass(frozen=True)
class RideLeg:
    """Riding one bus from the stop boarded to the stop alighted."""

    line: str
    """The line's short name as on the bus (``852``, ``平25``)."""
    line_id: str
    headsign: str
    board_stop: str
    board_stop_en: str | None
    alight_stop: str
    alight_stop_en: str | None
    depart: int
    arrive: int
    path: tuple[LonLat, ...]
    """The stops' coordinates from boarding to alighting, so a map draws the ride along them."""
    trip_id: str
    """The GTFS trip (``trip_id@HH:MM:SS`` for a departure expanded from frequencies)."""
    estimated: bool
    """The line's timetable is an estimate: the plan must say so."""
    confidence: Confidence
    source: str
    headway_s: int | None
    """Set when the departure comes from a headway (frequencies.txt), None for a timetable."""


Leg = WalkLeg | RideLeg


@dataclass(frozen=True)
class Journey:
    """Leaving point i at ``depart`` (the latest time that still works) and reaching j at
    ``arrive``; waits at stops are the gaps between one leg's arrival and the next departure."""

    depart: int
    arrive: int
    legs: tuple[Leg, ...]

    @property
    def seconds(self) -> int:
        return self.arrive - self.depart

    @property
    def rides(self) -> tuple[RideLeg, ...]:
        return tuple(leg for leg in self.legs if isinstance(leg, RideLeg))

    @property
    def estimated(self) -> bool:
        """True when any ride's timetable is estimated."""
        return any(leg.estimated for leg in self.rides)
