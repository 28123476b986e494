"""Benchmark: travel-time matrices on a district-sized synthetic road network.

Builds a synthetic network the size of Pinggu's drive network (~20,000 nodes, ~50,000 directed
edges: a jittered 250 m grid over ~35 x 35 km, a random spanning tree plus extra roads, some of
them one-way, four road classes) through the same builder as real OSM data
(``planner.travel.build.network_from_graphs``), then measures:

* artifact load time: the compact ``.npz`` artifact against the same graph as osmnx GraphML;
* matrices of 50, 100 and 200 points with :class:`planner.travel.roads.RoadTravelTimes` (snapping,
  one multi-source Dijkstra, metres along the trees; disk cache off), against networkx in the
  same run: per pair (``nx.shortest_path_length``, one call per ordered pair; timed on a sample
  of pairs and extrapolated unless ``--full``) and per source (``single_source_dijkstra``).

Goal (issue 3): 200 x 200 under 1 s, and at least 50x faster than per-pair networkx.

Run from the project root::

    .venv/bin/python bench/matrix.py            # about a minute
    .venv/bin/python bench/matrix.py --full     # per-pair networkx on every pair (slow)
"""

from __future__ import annotations

import argparse
import math
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import networkx as nx
import numpy as np
import osmnx as ox

from planner.data.config import load_travel_settings
from planner.model import Mode
from planner.travel.build import network_from_graphs
from planner.travel.network import load_network, load_road_settings, save_network
from planner.travel.roads import RoadTravelTimes

CLASSES = ("secondary", "tertiary", "unclassified", "residential")


def synthetic_graph(
    *, side: int = 142, spacing_m: float = 250.0, undirected: int = 26_000, seed: int = 0
) -> nx.MultiDiGraph:
    """A raw osmnx-style graph: jittered grid, spanning tree + extra edges, 8 % one-way."""
    rng = np.random.default_rng(seed)
    lat0, lon0 = 40.0, 116.95
    m_lat = 111_195.0
    m_lon = m_lat * math.cos(math.radians(lat0 + 0.15))
    ij = np.array([(i, j) for i in range(side) for j in range(side)])
    jitter = rng.uniform(-0.3, 0.3, size=ij.shape) * spacing_m
    x = ij[:, 1] * spacing_m + jitter[:, 1]
    y = ij[:, 0] * spacing_m + jitter[:, 0]
    lon, lat = lon0 + x / m_lon, lat0 + y / m_lat
    idx = ij[:, 0] * side + ij[:, 1]
    right = [(a, a + 1) for a in idx if (a % side) < side - 1]
    down = [(a, a + side) for a in idx if a // side < side - 1]
    candidates = np.array(right + down)
    rng.shuffle(candidates)
    parent = np.arange(side * side)

    def find(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return int(a)

    tree, extra = [], []
    for a, b in candidates:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[ra] = rb
            tree.append((a, b))
        else:
            extra.append((a, b))
    chosen = tree + extra[: max(0, undirected - len(tree))]
    graph = nx.MultiDiGraph(crs="epsg:4326", simplified=True)
    for n in range(side * side):
        graph.add_node(n, x=float(lon[n]), y=float(lat[n]))
    oneway = rng.random(len(chosen)) < 0.08
    for k, (a, b) in enumerate(chosen):
        length = float(math.hypot(x[a] - x[b], y[a] - y[b]))
        attrs = {"highway": CLASSES[k % 4], "length": length, "oneway": bool(oneway[k])}
        if k % 7 == 0:
            attrs["maxspeed"] = "60"
        graph.add_edge(int(a), int(b), **attrs)
        if not oneway[k] or k >= len(tree):  # keep the tree two-way: strongly connected
            graph.add_edge(int(b), int(a), **attrs)
    return graph


def best_of(fn: Callable[[], object], repeat: int) -> float:
    """Median wall time of ``repeat`` calls, seconds."""
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="time every pair with networkx")
    parser.add_argument("--sample-pairs", type=int, default=300)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    settings = load_road_settings()
    travel = load_travel_settings()
    t = time.perf_counter()
    raw = synthetic_graph(seed=args.seed)
    net = network_from_graphs(
        {"drive": raw},
        settings=settings,
        modes=[Mode.car],
        clip=None,
        source={"kind": "synthetic", "name": "bench grid"},
    )
    info = net.manifest["networks"]["drive"]
    print(
        f"network: {info['nodes']:,} nodes, {info['edges']:,} directed edges "
        f"(built in {time.perf_counter() - t:.1f} s through network_from_graphs)"
    )

    with tempfile.TemporaryDirectory() as tmp:
        path = save_network(net, Path(tmp))
        npz_s = best_of(lambda: load_network(path), 5)
        g = raw.copy()
        ox.io.save_graphml(g, Path(tmp) / "net.graphml")
        graphml_s = best_of(lambda: ox.io.load_graphml(Path(tmp) / "net.graphml"), 2)
        size_npz = path.stat().st_size / 1e6
        size_graphml = (Path(tmp) / "net.graphml").stat().st_size / 1e6
    print(
        f"artifact load: npz {npz_s * 1000:.0f} ms ({size_npz:.1f} MB) vs GraphML "
        f"{graphml_s * 1000:.0f} ms ({size_graphml:.1f} MB): {graphml_s / npz_s:.0f}x faster"
    )

    provider = RoadTravelTimes(net, travel, snap=settings.snap, cache_dir=None)
    t = time.perf_counter()
    graph = provider.graph(Mode.car)
    assert graph is not None
    print(
        f"CSR graph + KD-tree for car: {(time.perf_counter() - t) * 1000:.0f} ms (once per process)"
    )

    dg = nx.DiGraph()
    u, v, w = graph.csr.nonzero()[0], graph.csr.indices, graph.csr.data
    dg.add_weighted_edges_from(zip(u.tolist(), v.tolist(), w.tolist(), strict=True))
    rng = np.random.default_rng(args.seed)
    print(
        f"{'points':>6} {'ours':>9} {'nx per pair':>14} {'ratio':>7} "
        f"{'nx per source':>14} {'ratio':>6}  check"
    )
    for n_points in (50, 100, 200):
        nodes = rng.choice(graph.n, size=n_points, replace=False)
        pts = [(float(graph.lon[i]), float(graph.lat[i])) for i in nodes]
        ours = best_of(lambda pts=pts: provider.matrix(pts, Mode.car), 3)
        m = provider.matrix(pts, Mode.car)
        pairs = [(a, b) for a in range(n_points) for b in range(n_points) if a != b]
        if not args.full:
            pairs = [pairs[i] for i in rng.choice(len(pairs), args.sample_pairs, replace=False)]
        t = time.perf_counter()
        worst = 0.0
        for a, b in pairs:
            d = nx.shortest_path_length(dg, int(nodes[a]), int(nodes[b]), weight="weight")
            worst = max(worst, abs(d + travel.modes[Mode.car].access_s - m.seconds[a, b]))
        per_pair = (time.perf_counter() - t) / len(pairs) * n_points * (n_points - 1)
        t = time.perf_counter()
        for s in nodes:
            nx.single_source_dijkstra_path_length(dg, int(s), weight="weight")
        per_source = time.perf_counter() - t
        label = "" if args.full else "*"
        print(
            f"{n_points:>6} {ours * 1000:>7.0f}ms {per_pair:>12.1f}s{label} {per_pair / ours:>6.0f}x "
            f"{per_source:>13.2f}s {per_source / ours:>5.0f}x  max |diff| {worst:.1f} s"
        )
    if not args.full:
        print(f"* per-pair networkx timed on {args.sample_pairs} random pairs, scaled to all pairs")


if __name__ == "__main__":
    main()
