"""Fitting the great-circle fallback to a road network, and using the fit offline."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from osm_scenarios import VALLEY, scenario_road_settings, scenario_travel_settings, write_osm_xml

from planner.data.config import load_travel_settings
from planner.errors import ConfigError
from planner.model import Mode
from planner.travel.build import build_network
from planner.travel.calibrate import (
    CALIBRATED_FILENAME,
    CalibratedEstimate,
    calibrate,
    load_estimate,
    report_lines,
    write_calibration,
)
from planner.travel.roads import default_travel_times


@pytest.fixture(scope="module")
def network(tmp_path_factory: pytest.TempPathFactory):
    path = write_osm_xml(VALLEY, tmp_path_factory.mktemp("osm") / "valley.osm")
    return build_network(settings=scenario_road_settings(), osm_file=path)


def test_fit_recovers_the_grid_detour_and_is_reproducible(network) -> None:
    """On a square grid the road/straight ratio lies between 1 and sqrt(2); the fitted speed
    makes the median time error about zero and beats the unfitted settings; same seed, same fit."""
    travel = scenario_travel_settings()
    fit = calibrate(network, travel, modes=[Mode.car], sample=50, seed=1)
    car = fit.fits[Mode.car]
    assert 1.0 <= car.detour_factor <= 1.42
    assert car.error_median_pct <= car.before_median_pct
    assert car.error_median_pct < 30  # 9 nodes, four road classes: one speed fits roughly
    assert car.pairs == 9 * 8  # every ordered pair of the 9 nodes is >= 500 m apart
    assert sum(b.pairs for b in car.bands) == car.pairs
    assert calibrate(network, travel, modes=[Mode.car], sample=50, seed=1).fits == fit.fits
    assert any("time error median" in line for line in report_lines(fit))


def test_calibration_file_is_a_valid_travel_yaml_and_names_its_network(
    network, tmp_path: Path
) -> None:
    """The written file loads as travel settings (access kept) and the estimate built from it
    says it was calibrated, and on which network."""
    travel = scenario_travel_settings(access_s=120)
    fit = calibrate(network, travel, sample=50)
    path = write_calibration(fit, travel, tmp_path / CALIBRATED_FILENAME)
    loaded = load_travel_settings(path)
    assert loaded.for_mode(Mode.car).access_s == 120
    assert loaded.for_mode(Mode.car).detour_factor == pytest.approx(
        fit.fits[Mode.car].detour_factor, abs=1e-3
    )
    estimate = load_estimate(tmp_path, travel)
    assert isinstance(estimate, CalibratedEstimate)
    assert estimate.name == f"estimate:v2+cal:{network.short_hash}"


def test_offline_plans_use_the_calibrated_estimate(network, tmp_path: Path) -> None:
    """With a calibration file and no network, default_travel_times gives the calibrated
    estimate, labelled estimated."""
    configs = tmp_path / "configs"
    configs.mkdir()
    travel = scenario_travel_settings()
    (configs / "travel.yaml").write_text(yaml.safe_dump(travel.model_dump(mode="json")))
    write_calibration(calibrate(network, travel, sample=50), travel, configs / CALIBRATED_FILENAME)
    provider = default_travel_times(configs)
    m = provider.matrix([VALLEY.lonlat("a"), VALLEY.lonlat("i")], Mode.car)
    assert m.estimated and m.provider.startswith("estimate:v2+cal:")


def test_a_network_too_small_to_fit_is_a_clear_error(network) -> None:
    """Too few pairs to fit (e.g. everything closer than min_straight_m) is a ConfigError."""
    with pytest.raises(ConfigError, match="too small to fit"):
        calibrate(network, scenario_travel_settings(), modes=[Mode.car], min_straight_m=50_000)


def test_the_far_part_of_long_legs_is_fitted_from_what_the_near_part_leaves() -> None:
    """Pairs timed with known long-leg constants give those constants back (threshold kept)."""
    import numpy as np

    from planner.data.config import LongLegs, ModeSpeed
    from planner.travel.calibrate import _fit_long_legs

    truth = ModeSpeed(
        speed_kmh=40,
        detour_factor=1.4,
        access_s=0,
        long_legs=LongLegs(beyond_km=10, speed_kmh=80, detour_factor=1.2),
    )
    d = np.linspace(12_000, 60_000, 40)
    fitted = _fit_long_legs(
        LongLegs(beyond_km=10, speed_kmh=50, detour_factor=1.5),
        truth.moving_s(d),
        truth.road_m(d),
        d,
        1.4,
        40 / 3.6,
    )
    assert fitted == LongLegs(beyond_km=10, speed_kmh=80, detour_factor=1.2)
