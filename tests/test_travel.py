"""Specification of planner.travel (the estimated travel times) and planner.settings (its constants).

The estimate, per mode, from ``configs/travel.yaml``::

    time_s     = access_s + great_circle_m * detour_factor / (speed_kmh / 3.6)
    distance_m = great_circle_m * detour_factor

rounded to whole seconds and metres; zero between a point and itself; the same both ways.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planner.data.config import TravelSettings, load_travel_settings
from planner.errors import ConfigError
from planner.model import Mode
from planner.travel.base import TravelMatrix, TravelTimes
from planner.travel.estimate import EstimatedTravelTimes

STATION = (117.10, 40.14)
LAKE = (117.20, 40.16)
GORGE = (117.18, 40.22)


def great_circle_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Haversine distance on the mean Earth sphere (R = 6371.0088 km), written out independently."""
    lon1, lat1, lon2, lat2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6_371_008.8 * math.asin(math.sqrt(h))


def settings_of(**modes: tuple[float, float, int]) -> TravelSettings:
    """Travel settings from ``mode=(speed_kmh, detour_factor, access_s)``."""
    return TravelSettings.model_validate(
        {
            "modes": {
                m: {"speed_kmh": s, "detour_factor": d, "access_s": a}
                for m, (s, d, a) in modes.items()
            }
        }
    )


# --------------------------------------------------------------------------- the formula


@pytest.mark.parametrize("mode", list(Mode))
def test_time_is_access_plus_road_distance_over_speed(
    estimate: EstimatedTravelTimes, mode: Mode
) -> None:
    """Each mode's time and distance follow the documented formula with its configured constants."""
    m = estimate.matrix([STATION, LAKE], mode)
    c = estimate.settings.for_mode(mode)
    road_m = great_circle_m(STATION, LAKE) * c.detour_factor
    expected_s = c.access_s + road_m / (c.speed_kmh / 3.6)
    assert m.seconds[0, 1] == pytest.approx(expected_s, abs=1)
    assert m.metres[0, 1] == pytest.approx(road_m, abs=1)


def test_a_hand_computed_car_leg() -> None:
    """10 km/h, no detour, no access: a great circle of about 8.7 km takes about 52 minutes."""
    m = EstimatedTravelTimes(settings_of(car=(10, 1.0, 0))).matrix([STATION, LAKE], Mode.car)
    straight = great_circle_m(STATION, LAKE)
    assert 8_000 < straight < 9_500
    assert m.metres[0, 1] == round(straight)
    assert m.seconds[0, 1] == round(straight / (10 / 3.6))


def test_access_time_is_added_once_per_leg() -> None:
    """Doubling access_s adds exactly the difference to every off-diagonal entry."""
    points = [STATION, LAKE, GORGE]
    a = EstimatedTravelTimes(settings_of(car=(40, 1.35, 300))).matrix(points, Mode.car)
    b = EstimatedTravelTimes(settings_of(car=(40, 1.35, 600))).matrix(points, Mode.car)
    off = ~np.eye(3, dtype=bool)
    assert np.all((b.seconds - a.seconds)[off] == 300)
    assert np.array_equal(a.metres, b.metres)


def test_slower_modes_take_longer(estimate: EstimatedTravelTimes) -> None:
    """With the bundled constants, walking > cycling > bus > car for the same 9 km leg."""
    times = {mode: estimate.matrix([STATION, LAKE], mode).seconds[0, 1] for mode in Mode}
    assert times[Mode.walk] > times[Mode.bicycle] > times[Mode.bus] > times[Mode.car]


# --------------------------------------------------------------------------- matrix shape


def test_the_matrix_is_integer_square_with_a_zero_diagonal(estimate: EstimatedTravelTimes) -> None:
    """n points give n x n int64 seconds and metres, zero from a point to itself (no access time)."""
    m = estimate.matrix([STATION, LAKE, GORGE], Mode.car)
    assert isinstance(m, TravelMatrix)
    for arr in (m.seconds, m.metres):
        assert arr.shape == (3, 3)
        assert arr.dtype == np.int64
        assert np.all(np.diag(arr) == 0)
    assert np.all(m.seconds[~np.eye(3, dtype=bool)] > 0)


def test_two_places_on_the_same_point_are_zero_apart(estimate: EstimatedTravelTimes) -> None:
    """Places sharing a point (a village and its farm-stays) need no travel and no access time."""
    m = estimate.matrix([LAKE, LAKE, GORGE], Mode.bus)
    assert m.seconds[0, 1] == m.seconds[1, 0] == 0
    assert m.metres[0, 1] == 0


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(st.floats(116.9, 117.5), st.floats(39.9, 40.5)),
        min_size=1,
        max_size=6,
    ),
    st.sampled_from(list(Mode)),
)
def test_the_estimate_is_never_asymmetric(points: list[tuple[float, float]], mode: Mode) -> None:
    """For any points in and around Pinggu: a -> b takes as long and as far as b -> a."""
    m = EstimatedTravelTimes(load_travel_settings()).matrix(points, mode)
    assert np.array_equal(m.seconds, m.seconds.T)
    assert np.array_equal(m.metres, m.metres.T)
    assert np.all(m.seconds >= 0)
    assert np.all(np.diag(m.seconds) == 0)


def test_no_points_give_an_empty_matrix(estimate: EstimatedTravelTimes) -> None:
    """An empty list of points is a 0 x 0 matrix, not an error."""
    assert estimate.matrix([], Mode.car).seconds.shape == (0, 0)


# --------------------------------------------------------------------------- provider


def test_the_provider_names_itself_with_a_version(estimate: EstimatedTravelTimes) -> None:
    """The estimate is ``estimate:v2``, and every matrix says so and that it is estimated."""
    assert estimate.name == "estimate:v2"
    m = estimate.matrix([STATION, LAKE], Mode.car)
    assert m.provider == "estimate:v2"
    assert m.estimated is True


def test_the_estimate_is_a_travel_times_provider(estimate: EstimatedTravelTimes) -> None:
    """EstimatedTravelTimes satisfies the TravelTimes protocol the solver and checker use."""
    assert isinstance(estimate, TravelTimes)


def test_the_estimated_path_is_the_straight_line(estimate: EstimatedTravelTimes) -> None:
    """Leg geometry is the straight segment [a, b] in [lon, lat]."""
    assert estimate.path(STATION, LAKE, Mode.car) == [STATION, LAKE]


def test_a_mode_missing_from_the_settings_is_a_config_error() -> None:
    """Asking for a mode the settings lack names the mode and what to add."""
    only_car = EstimatedTravelTimes(settings_of(car=(40, 1.35, 300)))
    with pytest.raises(ConfigError, match=r"'walk'.*speed_kmh, detour_factor and access_s"):
        only_car.matrix([STATION, LAKE], Mode.walk)


# --------------------------------------------------------------------------- settings


def test_bundled_travel_settings_cover_every_mode() -> None:
    """configs/travel.yaml loads, version 1, with constants for car, bus, bicycle and walk."""
    s = load_travel_settings()
    assert s.version == 1
    assert set(s.modes) == set(Mode)
    car = s.for_mode(Mode.car)
    assert (car.speed_kmh, car.detour_factor, car.access_s) == (40, 1.35, 300)


def test_travel_settings_from_a_given_file(tmp_path: Path) -> None:
    """A path may be given; its values are used as written."""
    path = tmp_path / "travel.yaml"
    path.write_text(
        "modes:\n  walk: {speed_kmh: 5, detour_factor: 1.1, access_s: 0}\n", encoding="utf-8"
    )
    s = load_travel_settings(path)
    assert s.for_mode(Mode.walk).speed_kmh == 5


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "modes:\n  car: {speed_kmh: 0, detour_factor: 1.3, access_s: 60}\n",
            ["travel.yaml: modes.car.speed_kmh:"],
            id="zero-speed",
        ),
        pytest.param(
            "modes:\n  car: {speed_kmh: 40, detour_factor: 0.9, access_s: 60}\n",
            ["travel.yaml: modes.car.detour_factor:"],
            id="detour-below-one",
        ),
        pytest.param(
            "modes:\n  car: {speed_kmh: 40, detour_factor: 1.3, access_s: 60, toll: 5}\n",
            ["travel.yaml: modes.car.toll:"],
            id="unknown-key",
        ),
        pytest.param(
            "modes:\n  plane: {speed_kmh: 100, detour_factor: 1, access_s: 60}\n",
            ["travel.yaml: modes.plane"],
            id="unknown-mode",
        ),
        pytest.param(
            "modes:\n"
            "  car: {speed_kmh: -1, detour_factor: 1.3, access_s: 60}\n"
            "  bus: {speed_kmh: 20, detour_factor: 1.3, access_s: -5}\n",
            ["travel.yaml: modes.car.speed_kmh:", "travel.yaml: modes.bus.access_s:"],
            id="two-problems-at-once",
        ),
    ],
)
def test_invalid_travel_settings_report_every_problem_by_path(
    tmp_path: Path, text: str, expected: list[str]
) -> None:
    """Each bad or unknown value is one problem naming the file and the dotted key."""
    path = tmp_path / "travel.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_travel_settings(path)
    assert len(info.value.problems) == len(expected)
    for problem, start in zip(info.value.problems, expected, strict=True):
        assert str(problem).startswith(start)


def test_travel_settings_that_are_not_yaml_are_a_config_error(tmp_path: Path) -> None:
    """Broken YAML is a ConfigError naming the file."""
    path = tmp_path / "travel.yaml"
    path.write_text("modes: [car\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"travel\.yaml: not valid YAML"):
        load_travel_settings(path)


def test_missing_travel_settings_are_a_config_error(tmp_path: Path) -> None:
    """A missing file is a ConfigError that points at the bundled one."""
    with pytest.raises(ConfigError, match=r"not found.*configs/travel\.yaml"):
        load_travel_settings(tmp_path / "nope.yaml")


# ---------------------------------------------------------------------- long legs
def _bundled_leg(start: str, end: str, mode: Mode) -> tuple[float, float]:
    """Minutes and km of the bundled estimate between two catalogue places."""
    from planner.data.catalog import load_catalog

    catalog = load_catalog()
    a, b = catalog.get(start).lonlat, catalog.get(end).lonlat
    m = EstimatedTravelTimes(load_travel_settings()).matrix([a, b], mode)
    return m.seconds[0, 1] / 60, m.metres[0, 1] / 1000


def test_from_dongzhimen_the_car_takes_about_the_hour_and_a_half_the_sources_give() -> None:
    """Dongzhimen -> Pinggu Bus Station by car: about 1.5 h and 70 km (the catalogue's sources);
    one speed for every distance made it 3 h 45 min. The far part runs on the expressways."""
    minutes, km = _bundled_leg("dongzhimen-hub", "pinggu-bus-station", Mode.car)
    assert 70 <= minutes <= 105
    assert 65 <= km <= 90


def test_from_dongzhimen_the_express_bus_takes_one_and_a_half_to_two_hours() -> None:
    """Buses 852 and 918 take 1.5-2 h from Dongzhimen; with the walk to the stop and the wait
    the estimate stays within that, give or take a quarter of an hour."""
    minutes, _ = _bundled_leg("dongzhimen-hub", "pinggu-bus-station", Mode.bus)
    assert 90 <= minutes <= 135


def test_legs_shorter_than_the_long_leg_threshold_keep_the_near_speed() -> None:
    """Inside the first ``beyond_km`` the estimate is the plain formula; past it every extra
    straight-line metre costs the long-leg detour and speed."""
    settings = TravelSettings.model_validate(
        {
            "modes": {
                "car": {
                    "speed_kmh": 40,
                    "detour_factor": 1.5,
                    "access_s": 0,
                    "long_legs": {"beyond_km": 10, "speed_kmh": 90, "detour_factor": 1.2},
                }
            }
        }
    )
    speed = settings.for_mode(Mode.car)
    d = np.array([5_000.0, 10_000.0, 30_000.0])
    assert speed.road_m(d).tolist() == pytest.approx([7_500, 15_000, 15_000 + 24_000])
    near_s = 15_000 / (40 / 3.6)
    assert speed.moving_s(d).tolist() == pytest.approx(
        [7_500 / (40 / 3.6), near_s, near_s + 24_000 / (90 / 3.6)]
    )
