"""Routing on a built network: hand-computed times on the drawn valley, snapping, fallbacks,
geometry and the matrix cache. The map and its expected times are in ``osm_scenarios.VALLEY``.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from osm_scenarios import VALLEY, scenario_road_settings, scenario_travel_settings, write_osm_xml

from planner.model import Mode
from planner.travel.base import TravelTimes
from planner.travel.build import build_network
from planner.travel.estimate import EstimatedTravelTimes
from planner.travel.network import RoadNetwork, save_network
from planner.travel.roads import ModeGraph, RoadTravelMatrix, RoadTravelTimes, default_travel_times

FAR_AWAY = (117.60, 40.60)  # ~60 km north-east: outside any network here


@pytest.fixture(scope="module")
def valley_osm(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_osm_xml(VALLEY, tmp_path_factory.mktemp("osm") / "valley.osm")


@pytest.fixture(scope="module")
def network(valley_osm: Path) -> RoadNetwork:
    return build_network(settings=scenario_road_settings(), osm_file=valley_osm)


def provider(
    network: RoadNetwork, *, access_s: int = 0, cache: Path | None = None
) -> RoadTravelTimes:
    return RoadTravelTimes(
        network,
        scenario_travel_settings(access_s=access_s),
        snap=scenario_road_settings().snap,
        cache_dir=cache,
    )


def car_leg(network: RoadNetwork, a: str, b: str) -> tuple[int, int]:
    m = provider(network).matrix([VALLEY.lonlat(a), VALLEY.lonlat(b)], Mode.car)
    return int(m.seconds[0, 1]), int(m.metres[0, 1])


@pytest.mark.parametrize(
    ("a", "b", "seconds", "metres"),
    [
        ("d", "f", 90, 2000),  # valley road, maxspeed=80 beats the class speed (60)
        ("a", "c", 240, 2000),  # village road at 30 km/h
        ("b", "h", 240, 2000),  # down the one-way lane
        ("h", "b", 390, 4000),  # not up it: round by the county roads
        ("b", "d", 165, 2000),  # lane 120 s + valley road 45 s
        ("d", "b", 210, 2000),  # county road 90 s + village road 120 s
        ("g", "c", 270, 4000),  # via the fast valley road
    ],
)
def test_fastest_car_legs_equal_the_hand_computed_table(network, a, b, seconds, metres) -> None:
    """Each car leg's seconds and metres equal the table drawn with the VALLEY scenario."""
    assert car_leg(network, a, b) == (seconds, metres)


def test_one_way_streets_make_the_matrix_asymmetric(network) -> None:
    """b->h and h->b differ because the lane is one-way; walking ignores oneway."""
    pts = [VALLEY.lonlat("b"), VALLEY.lonlat("h")]
    car = provider(network).matrix(pts, Mode.car)
    assert car.seconds[0, 1] != car.seconds[1, 0]
    walk = provider(network).matrix(pts, Mode.walk)
    assert walk.seconds[0, 1] == walk.seconds[1, 0]
    assert walk.metres[0, 1] == 2000


def test_junction_penalty_is_added_per_junction_entered(valley_osm: Path) -> None:
    """With 4 s per junction, d->f enters two junctions (e and f): 90 + 8 s."""
    net = build_network(
        settings=scenario_road_settings(car_penalty_s=4), osm_file=valley_osm, modes=[Mode.car]
    )
    assert car_leg(net, "d", "f") == (98, 2000)


def test_matrix_is_labelled_with_the_network(network) -> None:
    """A routed matrix names its provider osm:<hash12> and is not an estimate."""
    m = provider(network).matrix([VALLEY.lonlat(c) for c in "abc"], Mode.car)
    assert isinstance(m, RoadTravelMatrix)
    assert m.provider == f"osm:{network.short_hash}" and not m.estimated
    assert not m.fallback.any()
    assert np.all(np.diag(m.seconds) == 0)


def test_access_time_is_added_to_moving_legs_only(network) -> None:
    """travel.yaml's access_s is added to each moving leg, as the estimate does."""
    pts = [VALLEY.lonlat("d"), VALLEY.lonlat("f"), VALLEY.lonlat("f")]
    m = provider(network, access_s=300).matrix(pts, Mode.car)
    assert m.seconds[0, 1] == 390
    assert m.seconds[1, 2] == 0  # the same spot: no travel


def test_a_place_far_from_roads_is_reported_and_walked(network) -> None:
    """P lies ~3 km south of h: its snap is recorded as far, its walk (1 m/s in the test
    settings) is added, and the leg's geometry starts with the explicit walking segment."""
    rt = provider(network)
    m = rt.matrix([VALLEY.lonlat("P"), VALLEY.lonlat("h")], Mode.car)
    snap = m.snaps[0]
    assert snap.far and not snap.outside
    assert snap.distance_m == pytest.approx(3000, abs=10)
    assert m.far_places == [0]
    assert m.seconds[0, 1] == round(snap.walk_s)
    leg = rt.route(VALLEY.lonlat("P"), VALLEY.lonlat("b"), Mode.car)
    assert leg.geometry[0] == pytest.approx(VALLEY.lonlat("P"))
    assert leg.geometry[1] == pytest.approx(VALLEY.lonlat("h"), abs=1e-6)
    assert leg.seconds == round(snap.walk_s) + 390


def test_a_place_by_the_dropped_island_walks_to_the_main_network(network) -> None:
    """Q is beside the island road, which the largest component dropped: it snaps 500 m west
    to f, is reported far, and the walk is in its legs."""
    m = provider(network).matrix([VALLEY.lonlat("Q"), VALLEY.lonlat("f")], Mode.car)
    assert m.snaps[0].far
    assert m.snaps[0].node_lonlat == pytest.approx(VALLEY.lonlat("f"), abs=1e-6)
    # UTM 50N metres run ~0.2 % longer than the drawing's sphere here: 501 m
    assert m.seconds[0, 1] == pytest.approx(500, abs=2)


def test_pairs_outside_the_network_fall_back_to_the_estimate_and_say_so(network) -> None:
    """A point beyond snap.outside_m gets the estimate for its pairs only; the matrix provider
    names both and says some of it is estimated, and each leg names its own."""
    rt = provider(network)
    pts = [VALLEY.lonlat("a"), VALLEY.lonlat("c"), FAR_AWAY]
    m = rt.matrix(pts, Mode.car)
    estimate = EstimatedTravelTimes(scenario_travel_settings()).matrix(pts, Mode.car)
    assert m.provider == f"osm:{network.short_hash}+estimate:v2"
    assert m.estimated, "estimated: some pair is"
    assert m.estimated_pair(0, 2) and m.estimated_pair(2, 1) and not m.estimated_pair(0, 1)
    assert m.fallback.tolist() == [[False, False, True], [False, False, True], [True, True, False]]
    assert m.leg_provider(0, 2) == "estimate:v2"
    assert m.leg_provider(0, 1) == f"osm:{network.short_hash}"
    assert m.seconds[0, 2] == estimate.seconds[0, 2]
    assert m.seconds[0, 1] == 240
    leg = rt.route(VALLEY.lonlat("a"), FAR_AWAY, Mode.car)
    assert leg.estimated and leg.provider == "estimate:v2"
    assert leg.geometry == [VALLEY.lonlat("a"), FAR_AWAY]


def test_a_mode_without_its_network_uses_the_estimate(valley_osm: Path) -> None:
    """An artifact built for cars only answers walking with the labelled estimate."""
    net = build_network(settings=scenario_road_settings(), osm_file=valley_osm, modes=[Mode.car])
    m = provider(net).matrix([VALLEY.lonlat("a"), VALLEY.lonlat("i")], Mode.walk)
    assert m.estimated and m.provider == "estimate:v2"


def test_route_geometry_follows_the_roads(network) -> None:
    """h->b by car follows the county roads round the one-way lane: 6 vertices along roads."""
    leg = provider(network).route(VALLEY.lonlat("h"), VALLEY.lonlat("b"), Mode.car)
    assert (leg.seconds, leg.metres) == (390, 4000)
    assert leg.provider == f"osm:{network.short_hash}" and not leg.estimated
    assert leg.geometry[0] == pytest.approx(VALLEY.lonlat("h"))
    assert leg.geometry[-1] == pytest.approx(VALLEY.lonlat("b"))
    # the path goes round by a corner (a or c, whichever the tie gives), never up the lane e
    lons = [p[0] for p in leg.geometry]
    assert min(lons) < VALLEY.lonlat("b")[0] - 0.01 or max(lons) > VALLEY.lonlat("b")[0] + 0.01
    assert provider(network).path(VALLEY.lonlat("h"), VALLEY.lonlat("b"), Mode.car) == leg.geometry


def test_matrices_are_cached_by_network_points_and_mode(
    network, tmp_path: Path, monkeypatch
) -> None:
    """A second identical request is read from disk; other points or modes are computed."""
    pts = [VALLEY.lonlat(c) for c in "adg"]
    first = provider(network, cache=tmp_path).matrix(pts, Mode.car)
    assert len(list((tmp_path / "matrices").glob("*.npz"))) == 1

    def boom(self, *args):
        raise AssertionError("should have come from the cache")

    monkeypatch.setattr(ModeGraph, "times", boom)
    again = provider(network, cache=tmp_path).matrix(pts, Mode.car)
    np.testing.assert_array_equal(again.seconds, first.seconds)
    assert again.provider == first.provider
    with pytest.raises(AssertionError, match="cache"):
        provider(network, cache=tmp_path).matrix(pts[:2], Mode.car)


def test_default_travel_times_falls_back_to_the_estimate_without_a_network(tmp_path: Path) -> None:
    """With no artifact in geodata/ the planner gets the estimate, labelled as such."""
    configs = _configs_dir(tmp_path)
    travel = default_travel_times(configs)
    assert isinstance(travel, EstimatedTravelTimes)
    m = travel.matrix([VALLEY.lonlat("a"), VALLEY.lonlat("c")], Mode.car)
    assert m.estimated and m.provider == "estimate:v2"


def test_default_travel_times_finds_a_built_network(network, tmp_path: Path) -> None:
    """An artifact in geodata/ next to configs/ is found and used, by the TravelTimes protocol."""
    configs = _configs_dir(tmp_path)
    save_network(network, tmp_path / "geodata")
    travel = default_travel_times(configs)
    assert isinstance(travel, RoadTravelTimes) and isinstance(travel, TravelTimes)
    assert travel.name == f"osm:{network.short_hash}"
    assert not travel.matrix([VALLEY.lonlat("a"), VALLEY.lonlat("c")], Mode.car).estimated
    assert isinstance(default_travel_times(configs, use_network=False), EstimatedTravelTimes)


def _configs_dir(tmp_path: Path) -> Path:
    import yaml

    configs = tmp_path / "configs"
    configs.mkdir()
    (configs / "travel.yaml").write_text(
        yaml.safe_dump(scenario_travel_settings().model_dump(mode="json"))
    )
    (configs / "roads.yaml").write_text(
        yaml.safe_dump(scenario_road_settings().model_dump(mode="json"))
    )
    return configs


@settings(max_examples=25, deadline=None)
@given(
    n=st.integers(min_value=2, max_value=12),
    edges=st.lists(
        st.tuples(st.integers(0, 11), st.integers(0, 11), st.integers(1, 500), st.integers(1, 900)),
        min_size=1,
        max_size=40,
    ),
)
def test_matrix_equals_networkx_per_pair(n: int, edges: list[tuple[int, int, int, int]]) -> None:
    """On any small directed multigraph the CSR matrix equals networkx's per-pair shortest
    path lengths (seconds), its metres are those of a fastest path, and the packed one-pass
    Dijkstra agrees with the predecessor-tree method."""
    edges = [(u % n, v % n, s, m) for u, v, s, m in edges if u % n != v % n]
    if not edges:
        return
    net = _network_of(n, edges)
    graph = ModeGraph(net, Mode.car)
    nodes = np.arange(n)
    seconds, metres = graph.times(nodes, nodes)
    graph.packable = False  # the path for networks too large to pack: predecessor trees
    tree_seconds, tree_metres = graph.times(nodes, nodes)
    np.testing.assert_allclose(tree_seconds, seconds)
    g = nx.MultiDiGraph()
    g.add_nodes_from(range(n))
    for u, v, s, m in edges:
        g.add_edge(u, v, s=s, m=m)
    for a in range(n):
        for b in range(n):
            try:
                expected = nx.shortest_path_length(g, a, b, weight="s")
            except nx.NetworkXNoPath:
                assert np.isinf(seconds[a, b])
                continue
            assert seconds[a, b] == pytest.approx(expected)
            # the metres belong to some path of exactly that time
            best = {_metres_along(g, p) for p in nx.all_shortest_paths(g, a, b, weight="s")}
            assert any(metres[a, b] == pytest.approx(x) for x in best)
            assert any(tree_metres[a, b] == pytest.approx(x) for x in best)


def _metres_along(g: nx.MultiDiGraph, path: list[int]) -> float:
    """Metres along a node path, taking the fastest of parallel edges (shortest of ties)."""
    total = 0.0
    for x, y in itertools.pairwise(path):
        fastest = min(d["s"] for d in g[x][y].values())
        total += min(d["m"] for d in g[x][y].values() if d["s"] == fastest)
    return total


def _network_of(n: int, edges: list[tuple[int, int, int, int]]) -> RoadNetwork:
    """A RoadNetwork built directly from arrays (car on a 'drive' network)."""
    lon = 117.1 + np.arange(n) * 0.001
    lat = np.full(n, 40.14)
    u = np.array([e[0] for e in edges], dtype=np.int32)
    v = np.array([e[1] for e in edges], dtype=np.int32)
    starts = np.arange(0, 2 * len(edges) + 1, 2, dtype=np.int64)
    arrays = {
        "drive.node_lon": lon,
        "drive.node_lat": lat,
        "drive.edge_u": u,
        "drive.edge_v": v,
        "drive.edge_m": np.array([e[3] for e in edges], dtype=float),
        "drive.weight_s.car": np.array([e[2] for e in edges], dtype=float),
        "drive.geom_start": starts,
        "drive.geom_lon": np.column_stack([lon[u], lon[v]]).ravel(),
        "drive.geom_lat": np.column_stack([lat[u], lat[v]]).ravel(),
    }
    manifest = {"hash": "0" * 64, "networks": {"drive": {"modes": ["car"]}}}
    return RoadNetwork(manifest=manifest, arrays=arrays)
