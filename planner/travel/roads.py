"""Travel times on a road network: snapping, many-to-many matrices, leg geometry, and the provider.

:class:`ModeGraph` turns one mode's part of a :class:`~planner.travel.network.RoadNetwork` into a CSR
matrix of edge weights (seconds) and answers many-to-many questions with one call of
``scipy.sparse.csgraph.dijkstra(indices=sources)`` for all sources at once; the metres of each
fastest path are summed along the predecessor trees, vectorised. Nothing calls networkx per pair.

:class:`RoadTravelTimes` implements :class:`~planner.travel.base.TravelTimes` on it:

* each place snaps to its nearest road node (UTM 50N metres, KD-tree); the walk from the place to
  the node (``snap.walk_kmh``, ``snap.detour_factor``) is added to every leg and recorded in a
  :class:`Snap`; places more than ``snap.report_m`` away are flagged ``far`` (reported, and drawn
  as an explicit walking segment of the leg's geometry), places more than ``snap.outside_m`` away
  are ``outside`` the network;
* a pair with no road path (an end ``outside``, or no path in the graph) takes the fallback
  estimate's values for that pair: :class:`RoadTravelMatrix` marks it in ``fallback``, its
  ``provider`` becomes ``"osm:<hash12>+estimate:v2"``, ``estimated`` is true, and
  :meth:`RoadTravelMatrix.leg_provider` and :meth:`RoadTravelMatrix.estimated_pair` name the
  provider of each leg and whether it is estimated;
* a mode whose network the artifact lacks gets the fallback's matrix, labelled as estimated;
* moving legs get the mode's ``access_s`` from ``configs/travel.yaml`` (parking, the gate), as
  the estimate does, so the two providers answer the same question.

Matrices are cached on disk (``cache/matrices/``) under a hash of the artifact, the points, the
mode and every setting that shapes the answer.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import numpy as np
from numpy.typing import NDArray
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import cKDTree

from planner.data.config import TravelSettings
from planner.data.coords import haversine_matrix_m, to_utm_m
from planner.model import Mode
from planner.travel.base import LonLat, TravelMatrix, TravelTimes
from planner.travel.estimate import EstimatedTravelTimes
from planner.travel.network import RoadNetwork, SnapSettings

MATRIX_CACHE_VERSION: Final = 1
_MIN_WEIGHT_S: Final = 1e-6  # csgraph must never see a zero-weight edge as "no edge"
# Packed weights: milliseconds x 2**23 + decimetres, exact integers in a float64 (53 bits), so one
# Dijkstra gives the fastest path's time and (shortest among equally fast) length together.
# Paths must stay under 2**23 dm = 838 km and 2**30 ms = 12 days: checked, else predecessors.
_PACK: Final = float(2**23)
_PACK_LIMIT: Final = float(2**53)


@dataclass(frozen=True)
class Snap:
    """Where a place joins the road network, and the walk between them."""

    point: LonLat
    """The place, ``[lon, lat]``."""
    node: int
    """Index of the road node in the mode's graph."""
    node_lonlat: LonLat
    distance_m: float
    """Straight-line distance from the place to the node, metres (UTM 50N)."""
    walk_m: float
    """Walking distance assumed for it (``distance_m`` x ``snap.detour_factor``)."""
    walk_s: float
    far: bool
    """Farther than ``snap.report_m``: reported, and drawn as an explicit walking leg."""
    outside: bool
    """Farther than ``snap.outside_m``: legs to and from it use the fallback estimate."""


@dataclass(frozen=True, eq=False)
class RoadTravelMatrix(TravelMatrix):
    """A :class:`TravelMatrix` routed on roads, with how each place snapped and which pairs fell back.

    ``provider`` is ``"osm:<hash12>"`` when every pair was routed, ``"osm:<hash12>+<fallback>"``
    when some pairs used the fallback estimate, and the fallback's name when all did;
    ``estimated`` is true in both of those cases, :meth:`estimated_pair` says which pairs.
    """

    snaps: tuple[Snap, ...] = ()
    fallback: NDArray[np.bool_] = field(default_factory=lambda: np.zeros((0, 0), dtype=bool))
    """``fallback[i, j]``: the leg from point i to point j is the fallback estimate."""
    road_provider: str = ""
    fallback_provider: str = ""

    def leg_provider(self, i: int, j: int) -> str:
        """The provider of the leg from point ``i`` to point ``j``."""
        return self.fallback_provider if self.fallback[i, j] else self.road_provider

    def estimated_pair(self, i: int, j: int) -> bool:
        """Whether the leg from point ``i`` to point ``j`` is the fallback estimate."""
        return bool(self.fallback[i, j])

    @property
    def far_places(self) -> list[int]:
        """Indexes of the points that are far from any road (snap farther than ``report_m``)."""
        return [i for i, s in enumerate(self.snaps) if s.far]


@dataclass(frozen=True)
class RoadLeg:
    """One routed leg: what ``planner route`` prints."""

    seconds: int
    metres: int
    provider: str
    estimated: bool
    geometry: list[LonLat]
    """``[lon, lat]`` vertices, including the walking segments at either end."""
    snap_from: Snap | None
    snap_to: Snap | None


class ModeGraph:
    """One mode's road graph as CSR arrays, with snapping and many-to-many shortest paths."""

    def __init__(self, network: RoadNetwork, mode: Mode) -> None:
        network_type = network.network_of(mode)
        if network_type is None:
            raise KeyError(f"the artifact has no network for mode {mode.value!r}")
        self.mode = mode
        self.network_type = network_type
        a = network.array
        self.lon = a(network_type, "node_lon")
        self.lat = a(network_type, "node_lat")
        n = len(self.lon)
        self.n = n
        u = a(network_type, "edge_u").astype(np.int64)
        v = a(network_type, "edge_v").astype(np.int64)
        w = np.maximum(a(network_type, f"weight_s.{mode.value}"), _MIN_WEIGHT_S)
        # parallel edges: keep the fastest (then shortest) of each (u, v); csr_matrix would
        # add them up
        order = np.lexsort((a(network_type, "edge_m"), w, v, u))
        keys = u[order] * n + v[order]
        first = np.ones(len(order), dtype=bool)
        first[1:] = keys[1:] != keys[:-1]
        self.edge_id = order[first]
        self.keys = keys[first]
        rows = u[self.edge_id]
        indptr = np.searchsorted(rows, np.arange(n + 1)).astype(np.int64)
        self.csr = csr_matrix((w[self.edge_id], v[self.edge_id], indptr), shape=(n, n))
        self.edge_m = a(network_type, "edge_m")[self.edge_id]
        packed = np.maximum(np.rint(self.csr.data * 1000) * _PACK + np.rint(self.edge_m * 10), 1)
        self._packed = csr_matrix((packed, self.csr.indices, indptr), shape=(n, n))
        self._geom = (
            a(network_type, "geom_start"),
            a(network_type, "geom_lon"),
            a(network_type, "geom_lat"),
        )
        x, y = to_utm_m(self.lon, self.lat)
        self._tree = cKDTree(np.column_stack([x, y]))
        # packing needs every fastest path under 838 km: true when 8x the extent is
        diagonal = float(np.hypot(np.ptp(x), np.ptp(y))) if n else 0.0
        self.packable = diagonal * 8 < _PACK / 10

    def nearest(self, points: Sequence[LonLat]) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
        """Distance (metres, UTM 50N) and index of the nearest node to each ``[lon, lat]``."""
        pts = np.asarray(points, dtype=np.float64).reshape(-1, 2)
        x, y = to_utm_m(pts[:, 0], pts[:, 1])
        dist, idx = self._tree.query(np.column_stack([x, y]))
        return np.asarray(dist, dtype=np.float64), np.asarray(idx, dtype=np.int64)

    def times(
        self, sources: NDArray[np.int64], targets: NDArray[np.int64]
    ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Seconds and metres of the fastest path from each source node to each target node.

        One multi-source Dijkstra over the unique sources on packed weights (see ``_PACK``):
        seconds to the millisecond per edge, metres to the decimetre; ``inf`` seconds where no
        path exists. Networks too large to pack use exact seconds and sum metres along the
        predecessor trees instead.
        """
        src, src_inv = np.unique(sources, return_inverse=True)
        tgt, tgt_inv = np.unique(targets, return_inverse=True)
        if len(src) == 0 or len(tgt) == 0:
            empty = np.zeros((len(sources), len(targets)))
            return empty, empty.copy()
        packed = (
            dijkstra(self._packed, directed=True, indices=src)[:, tgt]
            if self.packable
            else np.full((len(src), len(tgt)), _PACK_LIMIT)
        )
        finite = np.isfinite(packed)
        if not finite.any() or packed[finite].max() < _PACK_LIMIT:
            whole = np.where(finite, packed, 0.0)
            ms = np.floor(whole / _PACK)
            seconds = np.where(finite, ms / 1000, np.inf)
            metres = (whole - ms * _PACK) / 10
        else:  # a path too long to pack: exact seconds, metres summed along the trees
            dist, pred = dijkstra(self.csr, directed=True, indices=src, return_predecessors=True)
            seconds = dist[:, tgt]
            metres = self._tree_metres(pred, tgt)
        return seconds[src_inv][:, tgt_inv], metres[src_inv][:, tgt_inv]

    def _tree_metres(
        self, pred: NDArray[np.int32], targets: NDArray[np.int64]
    ) -> NDArray[np.float64]:
        """Sum edge metres from every target up its source's predecessor tree, all at once."""
        k, m = pred.shape[0], len(targets)
        rows = np.repeat(np.arange(k), m)
        cur = np.tile(targets, k)
        acc = np.zeros(k * m)
        live = np.arange(k * m)
        while live.size:
            parent = pred[rows[live], cur[live]].astype(np.int64)
            ok = parent >= 0
            live, parent = live[ok], parent[ok]
            pos = np.searchsorted(self.keys, parent * self.n + cur[live])
            acc[live] += self.edge_m[pos]
            cur[live] = parent
        return acc.reshape(k, m)

    def node_path(self, source: int, target: int) -> list[int] | None:
        """Node indexes of the fastest path, or None when there is none."""
        dist, pred = dijkstra(self.csr, directed=True, indices=source, return_predecessors=True)
        if not np.isfinite(dist[target]):
            return None
        path = [target]
        while path[-1] != source:
            path.append(int(pred[path[-1]]))
        return path[::-1]

    def path_geometry(self, nodes: Sequence[int]) -> list[LonLat]:
        """The road polyline along consecutive nodes, from the edges' own geometry."""
        if len(nodes) == 1:
            return [(float(self.lon[nodes[0]]), float(self.lat[nodes[0]]))]
        start, glon, glat = self._geom
        out: list[LonLat] = []
        for a, b in itertools.pairwise(nodes):
            e = self.edge_id[np.searchsorted(self.keys, a * self.n + b)]
            seg = list(
                zip(
                    glon[start[e] : start[e + 1]].tolist(),
                    glat[start[e] : start[e + 1]].tolist(),
                    strict=True,
                )
            )
            out.extend(seg[1:] if out else seg)
        return out


class RoadTravelTimes:
    """Travel times and leg geometry routed on an OSM road network (see the module docstring).

    Parameters
    ----------
    network
        A loaded artifact (:func:`planner.travel.network.load_network`).
    travel
        ``configs/travel.yaml``: each mode's ``access_s``, and the default fallback.
    snap
        ``configs/roads.yaml: snap``.
    fallback
        Provider for pairs with no road path and modes without a network (default: the
        great-circle estimate with ``travel``).
    cache_dir
        Folder for cached matrices; None disables the disk cache.
    """

    def __init__(
        self,
        network: RoadNetwork,
        travel: TravelSettings,
        *,
        snap: SnapSettings,
        fallback: TravelTimes | None = None,
        cache_dir: Path | None = None,
    ) -> None:
        self.network = network
        self.travel = travel
        self.snap_settings = snap
        self.fallback = fallback if fallback is not None else EstimatedTravelTimes(travel)
        self.cache_dir = cache_dir
        self._graphs: dict[Mode, ModeGraph] = {}

    @property
    def name(self) -> str:
        return f"osm:{self.network.short_hash}"

    def graph(self, mode: Mode) -> ModeGraph | None:
        """The mode's graph (built on first use), or None when the artifact lacks its network."""
        if mode not in self._graphs:
            if self.network.network_of(mode) is None:
                return None
            self._graphs[mode] = ModeGraph(self.network, mode)
        return self._graphs[mode]

    def snap(self, points: Sequence[LonLat], mode: Mode) -> list[Snap]:
        """Attach each point to its nearest node of the mode's graph (empty without a graph)."""
        graph = self.graph(mode)
        if graph is None or len(points) == 0:
            return []
        dist, idx = graph.nearest(points)
        s = self.snap_settings
        speed_ms = s.walk_kmh / 3.6
        return [
            Snap(
                point=(float(p[0]), float(p[1])),
                node=int(i),
                node_lonlat=(float(graph.lon[i]), float(graph.lat[i])),
                distance_m=float(d),
                walk_m=float(d) * s.detour_factor,
                walk_s=float(d) * s.detour_factor / speed_ms,
                far=bool(d > s.report_m),
                outside=bool(d > s.outside_m),
            )
            for p, d, i in zip(points, dist, idx, strict=True)
        ]

    def matrix(self, points: Sequence[LonLat], mode: Mode) -> RoadTravelMatrix:
        """Seconds and metres between every ordered pair of ``points`` ([lon, lat], WGS84)."""
        snaps = self.snap(points, mode)
        key = self._cache_key(points, mode)
        cached = self._read_cache(key)
        if cached is not None:
            seconds, metres, fallback = cached
        else:
            seconds, metres, fallback = self._compute(points, snaps, mode)
            self._write_cache(key, seconds, metres, fallback)
        return self._labelled(seconds, metres, fallback, snaps)

    def _labelled(
        self,
        seconds: NDArray[np.int64],
        metres: NDArray[np.int64],
        fallback: NDArray[np.bool_],
        snaps: list[Snap],
    ) -> RoadTravelMatrix:
        n = len(fallback)
        off_diagonal = ~np.eye(n, dtype=bool)
        if (n > 1 and fallback[off_diagonal].all()) or (n <= 1 and not snaps):
            provider, estimated = self.fallback.name, True
        elif fallback[off_diagonal].any():
            provider, estimated = f"{self.name}+{self.fallback.name}", True
        else:
            provider, estimated = self.name, False
        return RoadTravelMatrix(
            seconds=seconds,
            metres=metres,
            provider=provider,
            estimated=estimated,
            snaps=tuple(snaps),
            fallback=fallback,
            road_provider=self.name,
            fallback_provider=self.fallback.name,
        )

    def _compute(
        self, points: Sequence[LonLat], snaps: list[Snap], mode: Mode
    ) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.bool_]]:
        n = len(points)
        estimate = self.fallback.matrix(points, mode)
        fallback = np.ones((n, n), dtype=bool)
        np.fill_diagonal(fallback, False)
        graph = self.graph(mode)
        if graph is None or n == 0:
            return estimate.seconds, estimate.metres, fallback
        nodes = np.array([s.node for s in snaps], dtype=np.int64)
        inside = np.array([not s.outside for s in snaps], dtype=bool)
        net_s = np.full((n, n), np.inf)
        net_m = np.zeros((n, n))
        if inside.any():
            ins = np.flatnonzero(inside)
            s, m = graph.times(nodes[ins], nodes[ins])
            net_s[np.ix_(ins, ins)] = s
            net_m[np.ix_(ins, ins)] = m
        walk_s = np.array([s.walk_s for s in snaps])
        walk_m = np.array([s.walk_m for s in snaps])
        access = self.travel.for_mode(mode).access_s
        routed = np.isfinite(net_s)
        seconds = net_s + walk_s[:, None] + walk_s[None, :] + access
        metres = net_m + walk_m[:, None] + walk_m[None, :]
        lons = np.array([p[0] for p in points], dtype=float)
        lats = np.array([p[1] for p in points], dtype=float)
        still = haversine_matrix_m(lons, lats) <= 1.0  # same spot: no travel, as the estimate
        fallback = ~routed & ~still
        seconds = np.where(still, 0.0, np.where(routed, seconds, 0.0))
        metres = np.where(still, 0.0, np.where(routed, metres, 0.0))
        out_s = np.where(fallback, estimate.seconds, np.rint(seconds).astype(np.int64))
        out_m = np.where(fallback, estimate.metres, np.rint(metres).astype(np.int64))
        return out_s.astype(np.int64), out_m.astype(np.int64), fallback

    def path(self, a: LonLat, b: LonLat, mode: Mode) -> list[LonLat]:
        """The polyline from ``a`` to ``b``: walk to the road, the road, walk to ``b``."""
        return self.route(a, b, mode).geometry

    def route(self, a: LonLat, b: LonLat, mode: Mode) -> RoadLeg:
        """One leg with its seconds, metres, provider and geometry (``planner route``)."""
        m = self.matrix([a, b], mode)
        provider = m.leg_provider(0, 1) if m.snaps else m.provider
        snap_a, snap_b = (m.snaps[0], m.snaps[1]) if m.snaps else (None, None)
        geometry: list[LonLat] = [tuple(a), tuple(b)]  # type: ignore[list-item]
        graph = self.graph(mode)
        if graph is not None and snap_a is not None and snap_b is not None and not m.fallback[0, 1]:
            nodes = graph.node_path(snap_a.node, snap_b.node)
            if nodes is not None:
                road = graph.path_geometry(nodes)
                geometry = _dedupe([snap_a.point, *road, snap_b.point])
        return RoadLeg(
            seconds=int(m.seconds[0, 1]),
            metres=int(m.metres[0, 1]),
            provider=provider,
            estimated=m.estimated_pair(0, 1) if m.snaps else m.estimated,
            geometry=geometry,
            snap_from=snap_a,
            snap_to=snap_b,
        )

    # ---------------------------------------------------------------- disk cache

    def _cache_key(self, points: Sequence[LonLat], mode: Mode) -> str:
        speed = self.travel.modes.get(mode)
        meta = {
            "v": MATRIX_CACHE_VERSION,
            "network": self.network.hash,
            "mode": mode.value,
            "snap": self.snap_settings.model_dump(mode="json"),
            "travel": speed.model_dump(mode="json") if speed is not None else None,
            "fallback": self.fallback.name,
        }
        h = hashlib.sha256(json.dumps(meta, sort_keys=True).encode())
        h.update(np.round(np.asarray(points, dtype=np.float64), 7).tobytes())
        return h.hexdigest()

    def _cache_path(self, key: str) -> Path | None:
        return self.cache_dir / "matrices" / f"{key}.npz" if self.cache_dir is not None else None

    def _read_cache(
        self, key: str
    ) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.bool_]] | None:
        path = self._cache_path(key)
        if path is None or not path.is_file():
            return None
        try:
            with np.load(path, allow_pickle=False) as z:
                return z["seconds"], z["metres"], z["fallback"]
        except (OSError, KeyError, ValueError):
            return None  # a damaged entry is recomputed and overwritten

    def _write_cache(self, key: str, *arrays: NDArray[Any]) -> None:
        path = self._cache_path(key)
        if path is None:
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{key}.{os.getpid()}.tmp.npz")
        np.savez(tmp, seconds=arrays[0], metres=arrays[1], fallback=arrays[2])
        tmp.replace(path)


def _dedupe(points: list[LonLat]) -> list[LonLat]:
    """Drop consecutive repeated vertices."""
    out = [points[0]]
    for p in points[1:]:
        if p != out[-1]:
            out.append(p)
    return out if len(out) > 1 else [points[0], points[-1]]


def default_travel_times(
    configs_dir: Path | None = None,
    *,
    network_path: Path | None = None,
    cache_dir: Path | None = None,
    use_network: bool = True,
) -> TravelTimes:
    """The provider a plan should use: the road network when one is built, else the estimate.

    Parameters
    ----------
    configs_dir
        Folder with ``travel.yaml`` (and ``roads.yaml``, ``travel_calibrated.yaml`` when present).
        Default: the bundled ``configs/``.
    network_path
        Use this artifact instead of searching ``geodata/`` and ``cache/geodata/``.
    cache_dir
        Matrix cache folder (default: ``cache/`` next to ``configs_dir``, the project's).
    use_network
        False forces the estimate (e.g. ``--no-roads``).

    Returns
    -------
    TravelTimes
        :class:`RoadTravelTimes` (named ``osm:<hash12>``) over the newest artifact, falling
        back per pair to the estimate; or the estimate alone (``estimate:v2``, or
        ``estimate:v2+cal:<hash12>`` when ``travel_calibrated.yaml`` exists).
    """
    from planner.data.catalog import default_configs_dir
    from planner.data.config import load_travel_settings
    from planner.data.paths import DataPaths
    from planner.travel.calibrate import load_estimate
    from planner.travel.network import (
        default_geodata_dirs,
        find_network,
        load_network,
        load_road_settings,
    )

    configs = configs_dir if configs_dir is not None else default_configs_dir()
    travel = load_travel_settings(configs / "travel.yaml")
    estimate = load_estimate(configs, travel)
    if not use_network:
        return estimate
    path = network_path or find_network(default_geodata_dirs(configs))
    if path is None:
        return estimate
    roads_file = configs / "roads.yaml"
    roads = load_road_settings(roads_file if roads_file.is_file() else None)
    return RoadTravelTimes(
        load_network(path),
        travel,
        snap=roads.snap,
        fallback=estimate,
        cache_dir=cache_dir if cache_dir is not None else DataPaths.for_configs(configs).cache_dir,
    )
