"""Fit the great-circle fallback to a road network, so offline plans are calibrated to real roads.

The estimate (:class:`~planner.travel.estimate.EstimatedTravelTimes`) predicts a leg's moving time as
``straight_m x detour_factor / speed``. On a built network, :func:`calibrate` samples node pairs,
routes them (:class:`~planner.travel.roads.ModeGraph`, no snapping or access time), and fits per mode:

* ``detour_factor`` = median of road metres / straight-line metres;
* ``speed_kmh`` = median of ``straight x detour / road seconds``, so the median relative time
  error is about zero;
* for the record, the median road speed and detour in straight-line distance bands (the estimate
  has one speed per mode; the bands show how far that is from the truth).

It reports the fit's error (median and 90th percentile of ``|predicted - routed| / routed``) for
the fitted and the current settings. :func:`write_calibration` stores the result as
``configs/travel_calibrated.yaml``, a valid ``travel.yaml`` whose comments carry the report;
:func:`load_estimate` then gives a :class:`CalibratedEstimate` named
``estimate:v2+cal:<network hash12>``, so a plan says its estimate was calibrated, and on what.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import numpy as np
import yaml
from numpy.typing import NDArray

from planner.data.config import LongLegs, ModeSpeed, TravelSettings, load_travel_settings
from planner.data.coords import haversine_matrix_m
from planner.errors import ConfigError
from planner.model import Mode
from planner.travel.estimate import EstimatedTravelTimes
from planner.travel.network import ATTRIBUTION, RoadNetwork
from planner.travel.roads import ModeGraph

CALIBRATED_FILENAME: Final = "travel_calibrated.yaml"
BANDS_M: Final = (500.0, 2000.0, 5000.0, 10_000.0, 20_000.0, float("inf"))
_TAG = re.compile(r"^# calibrated-on: osm:([0-9a-f]{12})", re.MULTILINE)


@dataclass(frozen=True)
class BandFit:
    """Median road speed and detour for pairs whose straight-line distance is in a band."""

    lo_m: float
    hi_m: float
    pairs: int
    speed_kmh: float
    detour_factor: float


@dataclass(frozen=True)
class ModeFit:
    """The fitted estimate constants of one mode, and how well they (and the old ones) fit."""

    mode: Mode
    pairs: int
    detour_factor: float
    speed_kmh: float
    error_median_pct: float
    error_p90_pct: float
    before_median_pct: float
    """The same errors for the settings in use before calibration."""
    before_p90_pct: float
    bands: tuple[BandFit, ...]
    long_legs: LongLegs | None = None
    """The fitted far part of long legs (the settings' threshold kept), when the mode has one."""


@dataclass(frozen=True)
class Calibration:
    """Fits per mode on one network."""

    network: str
    """Provider name of the network fitted on (``osm:<hash12>``)."""
    source: str
    created_utc: str
    fits: dict[Mode, ModeFit]

    def settings(self, base: TravelSettings) -> TravelSettings:
        """``base`` with each fitted mode's detour factor and speed replaced (access kept)."""
        modes = dict(base.modes)
        for mode, fit in self.fits.items():
            access = base.for_mode(mode).access_s
            modes[mode] = ModeSpeed(
                speed_kmh=round(fit.speed_kmh, 1),
                detour_factor=round(min(max(fit.detour_factor, 1.0), 3.0), 3),
                access_s=access,
                long_legs=fit.long_legs,
            )
        return TravelSettings(version=base.version, modes=modes)


def calibrate(
    network: RoadNetwork,
    travel: TravelSettings,
    *,
    modes: Sequence[Mode] | None = None,
    sample: int = 150,
    seed: int = 0,
    min_straight_m: float = 500.0,
) -> Calibration:
    """Fit the estimate's detour factor and speed per mode to routed node pairs.

    Parameters
    ----------
    network
        The built network.
    travel
        The current estimate settings (for the "before" error and the access times).
    modes
        Modes to fit (default: every mode the network has and ``travel`` knows).
    sample
        Nodes drawn at random (seeded) per mode; all ordered pairs among them are routed.
    seed
        Random seed: same seed, same fit.
    min_straight_m
        Pairs closer than this are left out (snapping, not roads, dominates them).

    Raises
    ------
    ConfigError
        When a mode has too few usable pairs to fit (network too small).
    """
    wanted = modes or [m for m in Mode if network.network_of(m) and m in travel.modes]
    fits = {}
    for mode in wanted:
        fits[mode] = _fit_mode(
            ModeGraph(network, mode), travel.for_mode(mode), sample, seed, min_straight_m
        )
    source = network.manifest.get("source", {})
    return Calibration(
        network=f"osm:{network.short_hash}",
        source=f"{source.get('kind', '?')} {source.get('name', '?')} ({source.get('date', '?')})",
        created_utc=dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
        fits=fits,
    )


def _fit_mode(graph: ModeGraph, before: ModeSpeed, sample: int, seed: int, min_m: float) -> ModeFit:
    rng = np.random.default_rng(seed)
    nodes = np.sort(rng.choice(graph.n, size=min(sample, graph.n), replace=False))
    seconds, metres = graph.times(nodes, nodes)
    straight = haversine_matrix_m(graph.lon[nodes], graph.lat[nodes])
    ok = np.isfinite(seconds) & (straight >= min_m) & (seconds > 0)
    if ok.sum() < 10:
        raise ConfigError(
            f"calibrate: only {int(ok.sum())} routable node pairs at least {min_m:.0f} m apart "
            f"for mode {graph.mode.value!r}; the network is too small to fit (need 10)"
        )
    s, m, d = seconds[ok], metres[ok], straight[ok]
    # legs up to the long-leg threshold fit the near part; the far part of longer ones fits the
    # rest of their road metres and seconds (the settings' threshold is kept)
    near_only = d < before.long_legs.beyond_km * 1000 if before.long_legs else np.ones_like(d, bool)
    sel = near_only if near_only.sum() >= 10 else np.ones_like(d, bool)
    detour = float(np.median(m[sel] / d[sel]))
    speed_ms = float(np.median(d[sel] * detour / s[sel]))
    long_legs = _fit_long_legs(before.long_legs, s, m, d, detour, speed_ms)
    fitted = ModeSpeed(
        speed_kmh=speed_ms * 3.6,
        detour_factor=min(max(detour, 1.0), 3.0),
        access_s=0,
        long_legs=long_legs,
    )

    def errors(speed: ModeSpeed) -> tuple[float, float]:
        rel = np.abs(speed.moving_s(d) - s) / s * 100
        return float(np.median(rel)), float(np.percentile(rel, 90))

    after = errors(fitted)
    old = errors(before)
    bands = []
    for lo, hi in itertools.pairwise(BANDS_M):
        sel = (d >= lo) & (d < hi)
        if sel.any():
            bands.append(
                BandFit(
                    lo_m=lo,
                    hi_m=hi,
                    pairs=int(sel.sum()),
                    speed_kmh=float(np.median(m[sel] / s[sel])) * 3.6,
                    detour_factor=float(np.median(m[sel] / d[sel])),
                )
            )
    return ModeFit(
        mode=graph.mode,
        pairs=int(ok.sum()),
        detour_factor=detour,
        speed_kmh=speed_ms * 3.6,
        error_median_pct=after[0],
        error_p90_pct=after[1],
        before_median_pct=old[0],
        before_p90_pct=old[1],
        bands=tuple(bands),
        long_legs=long_legs,
    )


def _fit_long_legs(
    before: LongLegs | None,
    s: NDArray[np.float64],
    m: NDArray[np.float64],
    d: NDArray[np.float64],
    detour: float,
    speed_ms: float,
) -> LongLegs | None:
    """The far part of long legs fitted to what the near part leaves of their metres and seconds;
    the settings' own when fewer than 10 pairs are long (a district network rarely has many)."""
    if before is None:
        return None
    near_m = before.beyond_km * 1000
    far = d > near_m
    rest_m = m[far] - near_m * detour
    rest_s = s[far] - near_m * detour / speed_ms
    good = (rest_m > 0) & (rest_s > 0)
    if good.sum() < 10:
        return before
    far_detour = float(np.median(rest_m[good] / (d[far][good] - near_m)))
    far_detour = min(max(far_detour, 1.0), 3.0)
    far_speed = float(np.median((d[far][good] - near_m) * far_detour / rest_s[good])) * 3.6
    return LongLegs(
        beyond_km=before.beyond_km,
        speed_kmh=round(min(max(far_speed, 1.0), 150.0), 1),
        detour_factor=round(far_detour, 3),
    )


def report_lines(calibration: Calibration) -> list[str]:
    """A human-readable report of a calibration, one line per mode and band."""
    lines = [f"calibrated on {calibration.network}: {calibration.source}"]
    for fit in calibration.fits.values():
        lines.append(
            f"{fit.mode.value}: detour {fit.detour_factor:.3f}, speed {fit.speed_kmh:.1f} km/h "
            f"over {fit.pairs} pairs; time error median {fit.error_median_pct:.1f} % "
            f"(p90 {fit.error_p90_pct:.1f} %), before {fit.before_median_pct:.1f} % "
            f"(p90 {fit.before_p90_pct:.1f} %)"
        )
        if fit.long_legs is not None:
            lines.append(
                f"  past {fit.long_legs.beyond_km:g} km: detour {fit.long_legs.detour_factor:.3f}, "
                f"speed {fit.long_legs.speed_kmh:.1f} km/h"
            )
        for b in fit.bands:
            hi = "inf" if b.hi_m == float("inf") else f"{b.hi_m / 1000:g}"
            lines.append(
                f"  {b.lo_m / 1000:g}-{hi} km: {b.pairs} pairs, road speed {b.speed_kmh:.1f} km/h, "
                f"detour {b.detour_factor:.3f}"
            )
    return lines


def write_calibration(calibration: Calibration, base: TravelSettings, path: Path) -> Path:
    """Write the calibrated settings as a ``travel.yaml`` whose comments hold the report."""
    body = yaml.safe_dump(calibration.settings(base).model_dump(mode="json"), sort_keys=False)
    header = [
        f"# calibrated-on: {calibration.network}",
        "# Written by `planner geodata calibrate`: configs/travel.yaml with each mode's detour",
        "# factor and speed fitted to a road network (access_s kept). Delete it to go back to",
        "# travel.yaml. Derived from OpenStreetMap data, " + ATTRIBUTION + ".",
        f"# created {calibration.created_utc}",
        *(f"# {line}" for line in report_lines(calibration)),
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(header) + "\n" + body, encoding="utf-8")
    return path


class CalibratedEstimate(EstimatedTravelTimes):
    """The great-circle estimate with constants fitted to a road network; says so in its name."""

    def __init__(self, settings: TravelSettings, network_tag: str) -> None:
        super().__init__(settings)
        self.network_tag = network_tag

    @property
    def name(self) -> str:
        return f"estimate:v{self.VERSION}+cal:{self.network_tag}"


def load_estimate(configs_dir: Path, travel: TravelSettings) -> EstimatedTravelTimes:
    """The estimate to use: calibrated when ``travel_calibrated.yaml`` exists, else ``travel``."""
    path = configs_dir / CALIBRATED_FILENAME
    if not path.is_file():
        return EstimatedTravelTimes(travel)
    tag = _TAG.search(path.read_text(encoding="utf-8"))
    return CalibratedEstimate(load_travel_settings(path), tag.group(1) if tag else "unknown")
