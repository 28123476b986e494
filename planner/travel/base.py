"""Travel times between places, behind one protocol.

The solver and the checker ask a :class:`TravelTimes` provider for a :class:`TravelMatrix` and never
know where it came from: a great-circle estimate (here), a road network (``planner.travel.base.network``), or a
matrix supplied by a caller. Every matrix carries the provider's ``name`` so plans can say which one
they used.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np
from numpy.typing import NDArray

from planner.data.config import TravelSettings
from planner.data.coords import haversine_matrix_m
from planner.model.models import Mode

LonLat = tuple[float, float]


@dataclass(frozen=True)
class TravelMatrix:
    """Travel between every ordered pair of points: integer seconds and metres (row = from)."""

    seconds: NDArray[np.int64]
    metres: NDArray[np.int64]
    provider: str
    """Which provider made it, with its version (e.g. ``estimate:v1`` or ``osm:3fa2...``)."""
    estimated: bool
    """True when the times are a straight-line estimate rather than routed on roads."""

    def leg_provider(self, i: int, j: int) -> str:
        """The provider of the pair ``i -> j`` (a road matrix may estimate single pairs)."""
        return self.provider


@runtime_checkable
class TravelTimes(Protocol):
    """Anything that can give travel times and leg geometry between WGS84 points for a mode."""

    @property
    def name(self) -> str:
        """Stable identifier, including a version or content hash, used to key caches."""
        ...

    def matrix(self, points: Sequence[LonLat], mode: Mode) -> TravelMatrix:
        """Seconds and metres between every ordered pair of ``points`` ([lon, lat], WGS84)."""
        ...

    def path(self, a: LonLat, b: LonLat, mode: Mode) -> list[LonLat]:
        """The polyline a traveller follows from ``a`` to ``b`` ([lon, lat] vertices)."""
        ...


class EstimatedTravelTimes:
    """Great-circle distance x a detour factor, at a speed per mode, plus a fixed access time per leg.

    Deterministic and offline: the fallback when no road network is present, calibrated by
    ``configs/travel.yaml`` (whose comments give the reasoning for each constant).
    """

    VERSION = 1

    def __init__(self, settings: TravelSettings) -> None:
        self.settings = settings

    @property
    def name(self) -> str:
        return f"estimate:v{self.VERSION}"

    def matrix(self, points: Sequence[LonLat], mode: Mode) -> TravelMatrix:
        speed = self.settings.for_mode(mode)
        lons = np.array([p[0] for p in points], dtype=float)
        lats = np.array([p[1] for p in points], dtype=float)
        straight = haversine_matrix_m(lons, lats)
        road_m = straight * speed.detour_factor
        seconds = road_m / (speed.speed_kmh / 3.6)
        moving = straight > 1.0  # same spot: no travel and no access time
        seconds = np.where(moving, seconds + speed.access_s, 0.0)
        return TravelMatrix(
            seconds=np.rint(seconds).astype(np.int64),
            metres=np.rint(np.where(moving, road_m, 0.0)).astype(np.int64),
            provider=self.name,
            estimated=True,
        )

    def path(self, a: LonLat, b: LonLat, mode: Mode) -> list[LonLat]:
        return [a, b]
