"""The great-circle estimate: the offline travel-time provider when no road network is built."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from planner.data.config import TravelSettings
from planner.data.coords import haversine_matrix_m
from planner.model import Mode
from planner.travel.base import LonLat, TravelMatrix


class EstimatedTravelTimes:
    """Great-circle distance x a detour factor, at a speed per mode, plus a fixed access time per leg;
    the far part of a long leg at the mode's expressway speed and detour (``long_legs``).

    Deterministic and offline: the fallback when no road network is present, calibrated by
    ``configs/travel.yaml`` (whose comments give the reasoning for each constant).
    """

    VERSION = 2
    """2: long legs travel their far part at the mode's expressway speed (``long_legs``)."""

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
        road_m = speed.road_m(straight)
        seconds = speed.moving_s(straight)
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
