"""Walking to, from and between stops: settings and the straight-line walk.

Walking time comes from a callable ``walk_seconds(a, b) -> int | None`` on WGS84 ``(lon, lat)``
points, so that a road network can supply it later; None means "cannot walk there". The default,
:func:`straight_line_walk`, takes the great-circle distance times a detour factor at a walking
speed. Which stops are considered at all is decided on the straight line first (within
``access_radius_m``), so a slow walker callable is only asked about nearby stops.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from planner.data.coords import haversine_m

LonLat = tuple[float, float]
WalkSeconds = Callable[[LonLat, LonLat], "int | None"]
"""``walk_seconds(a, b)``: seconds to walk from ``a`` to ``b`` ([lon, lat]), None if impossible."""


@dataclass(frozen=True)
class WalkSettings:
    """How far and how fast visitors walk around the bus network (documented defaults).

    Parameters
    ----------
    speed_kmh
        Walking speed, 4.5 km/h: an unhurried adult pace with a day bag.
    detour
        Walked distance over straight-line distance, 1.3: village lanes and roads rarely run
        straight to the stop.
    access_radius_m
        Stops farther than this straight line from a point are not walked to (1.2 km, about
        20 minutes at the defaults).
    transfer_radius_m
        Two stops this close are linked by a walk for changing lines (300 m: across a junction
        or to the far side of a bus station).
    max_walk_m
        Direct walks between the points themselves up to this straight line (2.5 km); beyond it
        ``ProfileMatrix.walk_only`` is None.
    change_s
        Margin for changing buses, 120 s: rural timetables are not kept to the minute.
    """

    speed_kmh: float = 4.5
    detour: float = 1.3
    access_radius_m: float = 1200.0
    transfer_radius_m: float = 300.0
    max_walk_m: float = 2500.0
    change_s: int = 120

    def metres(self, a: LonLat, b: LonLat) -> int:
        """Walked metres estimated on the straight line times the detour factor."""
        return round(haversine_m(a[0], a[1], b[0], b[1]) * self.detour)

    def key(self) -> tuple[float, ...]:
        """The settings as a tuple, for cache keys."""
        return (
            self.speed_kmh,
            self.detour,
            self.access_radius_m,
            self.transfer_radius_m,
            self.max_walk_m,
            float(self.change_s),
        )


def straight_line_walk(settings: WalkSettings | None = None) -> WalkSeconds:
    """The default walker: straight line x detour at the walking speed, rounded up to seconds."""
    walk = settings or WalkSettings()
    metres_per_s = walk.speed_kmh / 3.6

    def walk_seconds(a: LonLat, b: LonLat) -> int | None:
        return -int(-walk.metres(a, b) // metres_per_s)

    return walk_seconds
