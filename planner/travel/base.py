"""Travel times between places, behind one protocol.

The solver and the checker ask a :class:`TravelTimes` provider for a :class:`TravelMatrix` and never
know where it came from: a great-circle estimate (:mod:`planner.travel.estimate`), a road network
(:mod:`planner.travel.roads`), or a matrix supplied by a caller. Every matrix carries the provider's
``name`` so plans can say which one they used.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np
from numpy.typing import NDArray

from planner.model import Mode

LonLat = tuple[float, float]


@dataclass(frozen=True)
class TravelMatrix:
    """Travel between every ordered pair of points: integer seconds and metres (row = from)."""

    seconds: NDArray[np.int64]
    metres: NDArray[np.int64]
    provider: str
    """Which provider made it, with its version (e.g. ``estimate:v2`` or ``osm:3fa2...``)."""
    estimated: bool
    """True when any pair's time is a straight-line estimate rather than routed on roads."""

    def leg_provider(self, i: int, j: int) -> str:
        """The provider of the pair ``i -> j`` (a road matrix may estimate single pairs)."""
        return self.provider

    def estimated_pair(self, i: int, j: int) -> bool:
        """Whether the time from point ``i`` to point ``j`` is a straight-line estimate."""
        return self.estimated


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
