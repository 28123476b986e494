"""Building road networks with osmnx: from an OSM file, a GraphML file or an online download.

Every input ends in one builder, :func:`network_from_graphs`: an OSM file (``.osm``,
``.osm.bz2``, ``.osm.pbf``; filtered per network type by :mod:`planner.travel._osmfile` and read by
``osmnx.graph_from_xml``), an osmnx GraphML file, or an online download by place name or polygon
(``osmnx.graph_from_polygon``, through osmnx's own HTTP cache in a project folder). The builder
clips to a buffered boundary, adds osmnx speeds per highway class (``configs/roads.yaml``) and
travel times per mode, simplifies, keeps the largest strongly connected component, and turns the
graph into flat arrays.

Road data from OpenStreetMap is (c) OpenStreetMap contributors, ODbL 1.0.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib.metadata import version as package_version
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import osmnx as ox
import pyproj
import shapely
from numpy.typing import NDArray
from shapely.geometry import MultiPolygon, Polygon

from planner.data.coords import UTM_50N_EPSG, to_utm_m
from planner.errors import ConfigError, RequestError
from planner.model import Mode
from planner.travel import _osmfile
from planner.travel.network import (
    ARTIFACT_VERSION,
    ATTRIBUTION,
    ModeProfile,
    RoadNetwork,
    RoadSettings,
    content_hash,
    default_cache_dir,
)

Progress = Callable[[str], None]
"""Called with a short line naming the stage a long build is in."""


@dataclass(frozen=True)
class OsmnxOptions:
    """The osmnx settings a download uses, applied only around the call (never at import).

    ``cache_folder`` holds osmnx's HTTP cache (Nominatim and Overpass answers), so a second
    build of the same place reads no network.
    """

    cache_folder: Path
    use_cache: bool = True
    requests_timeout: float = 180.0
    overpass_url: str = "https://overpass-api.de/api"
    nominatim_url: str = "https://nominatim.openstreetmap.org/"
    log_console: bool = False


@contextmanager
def osmnx_settings(options: OsmnxOptions) -> Iterator[None]:
    """Apply ``options`` to ``osmnx.settings`` for the duration of a block, then restore them."""
    values: dict[str, Any] = {
        "cache_folder": str(options.cache_folder),
        "use_cache": options.use_cache,
        "requests_timeout": options.requests_timeout,
        "overpass_url": options.overpass_url,
        "nominatim_url": options.nominatim_url,
        "log_console": options.log_console,
    }
    saved = {name: getattr(ox.settings, name) for name in values}
    try:
        for name, value in values.items():
            setattr(ox.settings, name, value)
        yield
    finally:
        for name, value in saved.items():
            setattr(ox.settings, name, value)


@dataclass
class BuildReport:
    """What a build did, per network type: kept and dropped nodes, edges, kilometres."""

    lines: list[str] = field(default_factory=list)


def build_network(
    *,
    settings: RoadSettings,
    osm_file: Path | None = None,
    graphml: Path | None = None,
    place: str | None = None,
    polygon: Polygon | MultiPolygon | None = None,
    boundary: Polygon | MultiPolygon | None = None,
    modes: Sequence[Mode] | None = None,
    osmnx_options: OsmnxOptions | None = None,
    progress: Progress | None = None,
) -> RoadNetwork:
    """Build a road network from exactly one source; the result goes to :func:`save_network`.

    Parameters
    ----------
    settings
        Speeds, penalties, buffer and node spacing (``configs/roads.yaml``).
    osm_file
        A local ``.osm``, ``.osm.bz2``, ``.osm.gz`` or ``.osm.pbf`` file.
    graphml
        A GraphML file saved by osmnx (one network type; used for every mode asked).
    place
        A place name that Nominatim can geocode to a polygon (online).
    polygon
        A WGS84 polygon to download the roads of (online).
    boundary
        WGS84 polygon to clip to (buffered by ``settings.boundary_buffer_m``). For ``place``
        the geocoded polygon is the default boundary; ``polygon`` is its own boundary.
    modes
        Travel modes to build for (default: every mode in ``settings``).
    osmnx_options
        osmnx settings for downloads (cache folder etc.); default: the project ``cache/osmnx``.
    progress
        Called with a line per stage.

    Raises
    ------
    RequestError
        No source or several; a place that cannot be geocoded or downloaded; no roads of a
        network type in the area. Each names the option at fault and the fix.
    ConfigError
        A file that is not OSM data or not GraphML.
    """
    given = [s for s in (osm_file, graphml, place, polygon) if s is not None]
    if len(given) != 1:
        raise RequestError(
            "--osm-file", "give exactly one of --osm-file, --graphml, --place or --polygon"
        )
    say = progress or (lambda _line: None)
    wanted = list(modes) if modes is not None else sorted(settings.modes)
    missing = [m.value for m in wanted if m not in settings.modes]
    if missing:
        raise ConfigError(f"roads.yaml: modes: no entry for {', '.join(missing)}; add one")
    network_types = sorted({settings.modes[m].network for m in wanted})
    options = osmnx_options or OsmnxOptions(cache_folder=default_cache_dir() / "osmnx")

    clip: Polygon | MultiPolygon | None = None
    if boundary is not None:
        clip = buffer_wgs84(boundary, settings.boundary_buffer_m)
    with osmnx_settings(options):
        if osm_file is not None:
            graphs, source = _graphs_from_osm_file(osm_file, network_types, clip, say)
        elif graphml is not None:
            graphs, source = _graphs_from_graphml(graphml, network_types, say)
        else:
            if place is not None:
                area = _geocode(place, say)
                source = {"kind": "place", "name": place}
            else:
                assert polygon is not None
                area = polygon
                source = {"kind": "polygon", "name": f"polygon bounds {polygon.bounds}"}
            download_area = buffer_wgs84(boundary or area, settings.boundary_buffer_m)
            clip = download_area
            graphs = _graphs_online(download_area, network_types, say)
            source["date"] = _now()
    source["osmnx"] = package_version("osmnx")
    return network_from_graphs(
        graphs,
        settings=settings,
        modes=wanted,
        clip=clip,
        source=source,
        progress=say,
    )


def _now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


def buffer_wgs84(geometry: Polygon | MultiPolygon, metres: float) -> Polygon | MultiPolygon:
    """Buffer a WGS84 polygon by ``metres`` (in UTM 50N), returned in WGS84."""
    if metres <= 0:
        return geometry
    to_wgs = pyproj.Transformer.from_crs(UTM_50N_EPSG, 4326, always_xy=True)

    def forward(xy: NDArray[np.float64]) -> NDArray[np.float64]:
        x, y = to_utm_m(xy[:, 0], xy[:, 1])
        return np.column_stack([x, y])

    def back(xy: NDArray[np.float64]) -> NDArray[np.float64]:
        lon, lat = to_wgs.transform(xy[:, 0], xy[:, 1])
        return np.column_stack([lon, lat])

    buffered = shapely.transform(shapely.transform(geometry, forward).buffer(metres), back)
    assert isinstance(buffered, Polygon | MultiPolygon)
    return buffered


def _graphs_from_osm_file(
    path: Path,
    network_types: Sequence[str],
    clip: Polygon | MultiPolygon | None,
    say: Progress,
) -> tuple[dict[str, nx.MultiDiGraph], dict[str, Any]]:
    """Filter an OSM file per network type with pyosmium, then read each with osmnx."""
    if path.suffix.lower() == ".graphml":
        return _graphs_from_graphml(path, network_types, say)
    say(f"reading {path.name}")
    keep = set(ox.settings.useful_tags_way) | {"highway", "maxspeed", "oneway", "junction"}
    extract = _osmfile.read_osm_file(
        path,
        network_types,
        keep_tags=keep,
        bbox=clip.bounds if clip is not None else None,
        progress=say,
    )
    date = (
        extract.timestamp
        or dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC)
        .replace(microsecond=0)
        .isoformat()
    )
    source = {"kind": "osm-file", "name": path.name, "date": date, "sha256": _file_sha256(path)}
    graphs: dict[str, nx.MultiDiGraph] = {}
    with tempfile.TemporaryDirectory(prefix="pinggu-osm-") as tmp:
        for nt in network_types:
            xml = Path(tmp) / f"{nt}.osm"
            ways = extract.write_xml(nt, xml)
            if ways == 0:
                raise RequestError(
                    "--osm-file",
                    f"{path.name} has no {nt} roads"
                    + (" inside the boundary (+ buffer)" if clip is not None else "")
                    + f" among its {extract.ways_read:,} ways; give an extract that covers the "
                    "area (or check --boundary)",
                )
            say(f"{nt}: osmnx graph_from_xml ({ways:,} ways)")
            graphs[nt] = ox.graph_from_xml(
                xml,
                bidirectional=nt in ox.settings.bidirectional_network_types,
                simplify=False,
                retain_all=True,
            )
    return graphs, source


def _file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _graphs_from_graphml(
    path: Path, network_types: Sequence[str], say: Progress
) -> tuple[dict[str, nx.MultiDiGraph], dict[str, Any]]:
    """Load an osmnx GraphML file; it is one network, used for every network type asked."""
    if not path.is_file():
        raise RequestError("--graphml", f"{path} does not exist; give the path of a .graphml file")
    say(f"reading {path.name} (GraphML)")
    try:
        graph = ox.io.load_graphml(path)
    except Exception as exc:  # networkx raises a zoo of parse errors
        raise ConfigError(
            f"--graphml: {path} is not a GraphML file saved by osmnx ({type(exc).__name__}: "
            f"{exc}); save one with osmnx.io.save_graphml or give an OSM file",
            source=str(path),
        ) from None
    date = str(graph.graph.get("created_date", "")) or None
    source = {"kind": "graphml", "name": path.name, "date": date, "sha256": _file_sha256(path)}
    return {nt: graph.copy() for nt in network_types}, source


def _geocode(place: str, say: Progress) -> Polygon | MultiPolygon:
    """Geocode a place name to its polygon with osmnx (Nominatim, cached)."""
    import requests

    say(f"geocoding {place!r}")
    try:
        gdf = ox.geocode_to_gdf(place)
    except requests.RequestException as exc:
        raise RequestError(
            "--place",
            f"cannot reach Nominatim to geocode {place!r} ({type(exc).__name__}); this machine "
            "may be offline: download an extract and use --osm-file instead",
        ) from None
    except (ValueError, TypeError) as exc:
        raise RequestError(
            "--place",
            f"{place!r} cannot be geocoded to an area ({exc}); try the full name, e.g. "
            '"Pinggu District, Beijing, China", or use --osm-file with --boundary',
        ) from None
    geometry = gdf.geometry.iloc[0]
    if not isinstance(geometry, Polygon | MultiPolygon):
        raise RequestError("--place", f"{place!r} geocodes to a point, not an area; name an area")
    return geometry


def _graphs_online(
    area: Polygon | MultiPolygon, network_types: Sequence[str], say: Progress
) -> dict[str, nx.MultiDiGraph]:
    """Download each network type inside ``area`` with osmnx (Overpass, cached)."""
    import requests

    graphs = {}
    for nt in network_types:
        say(f"{nt}: downloading with osmnx graph_from_polygon")
        try:
            graphs[nt] = ox.graph_from_polygon(
                area, network_type=nt, simplify=False, retain_all=True, truncate_by_edge=True
            )
        except requests.RequestException as exc:
            raise RequestError(
                "--place",
                f"cannot reach Overpass ({type(exc).__name__}); this machine may be offline: "
                "download an extract and use --osm-file instead",
            ) from None
        except ValueError as exc:
            raise RequestError("--place", f"no {nt} roads found in the area ({exc})") from None
    return graphs


def network_from_graphs(
    graphs: Mapping[str, nx.MultiDiGraph],
    *,
    settings: RoadSettings,
    modes: Sequence[Mode],
    clip: Polygon | MultiPolygon | None,
    source: Mapping[str, Any],
    progress: Progress | None = None,
) -> RoadNetwork:
    """The one builder every input ends in: osmnx graphs per network type -> :class:`RoadNetwork`.

    Per network type: clip to ``clip``; speeds (``osmnx.add_edge_speeds`` with the class speeds,
    or class speeds alone for modes that ignore maxspeed, capped at ``max_kmh``) and travel
    times (``osmnx.add_edge_travel_times``) per mode, on the unsimplified graph so each segment
    keeps its own class; mark nodes to keep every ``node_spacing_m``; ``osmnx.simplify_graph``
    (summing lengths and times); ``osmnx.truncate.largest_component(strongly=True)``; arrays.

    Raises
    ------
    RequestError
        When a network type has no roads inside ``clip``.
    """
    say = progress or (lambda _line: None)
    arrays: dict[str, NDArray[Any]] = {}
    networks: dict[str, Any] = {}
    classes: set[str] = set()
    prepared: dict[str, nx.MultiDiGraph] = {}
    for nt, raw in graphs.items():
        nt_modes = [m for m in modes if settings.modes[m].network == nt]
        graph, info = _prepare(raw, nt, nt_modes, settings, clip, say)
        prepared[nt] = graph
        networks[nt] = info
        classes.update(_first(d.get("highway")) for _, _, d in graph.edges(data=True))
    class_list = sorted(classes)
    for nt, graph in prepared.items():
        say(f"{nt}: arrays")
        nt_modes = [Mode(m) for m in networks[nt]["modes"]]
        arrays.update(_graph_arrays(graph, nt, nt_modes, settings, class_list))
        networks[nt]["km"] = round(float(arrays[f"{nt}.edge_m"].sum()) / 1000, 1)
    digest = settings.build_digest()
    all_lon = np.concatenate([arrays[f"{nt}.node_lon"] for nt in prepared])
    all_lat = np.concatenate([arrays[f"{nt}.node_lat"] for nt in prepared])
    manifest = {
        "format": "pinggu-roads",
        "version": ARTIFACT_VERSION,
        "hash": content_hash(arrays, digest),
        "created_utc": _now(),
        "source": dict(source),
        "clipped": clip is not None,
        "bbox": [
            float(all_lon.min()),
            float(all_lat.min()),
            float(all_lon.max()),
            float(all_lat.max()),
        ],
        "networks": networks,
        "highway_classes": class_list,
        "settings_digest": digest,
        "settings": settings.model_dump(mode="json", exclude={"snap"}),
        "attribution": ATTRIBUTION,
    }
    return RoadNetwork(manifest=manifest, arrays=arrays)


def _first(value: Any) -> str:
    """The first of a list-valued osmnx attribute (simplified edges carry lists), as a string."""
    if isinstance(value, list):
        value = value[0] if value else ""
    return str(value) if value is not None else ""


def _prepare(
    raw: nx.MultiDiGraph,
    network_type: str,
    modes: Sequence[Mode],
    settings: RoadSettings,
    clip: Polygon | MultiPolygon | None,
    say: Progress,
) -> tuple[nx.MultiDiGraph, dict[str, Any]]:
    """Clip, time, simplify and keep the largest strongly connected component of one graph."""
    graph = raw
    if clip is not None:
        say(f"{network_type}: clipping to the boundary")
        try:
            graph = ox.truncate.truncate_graph_polygon(graph, clip, truncate_by_edge=True)
        except ValueError:
            graph = nx.MultiDiGraph(**raw.graph)
    if graph.number_of_edges() == 0:
        raise RequestError(
            "--boundary",
            f"no {network_type} roads inside the boundary (+ buffer); check that the OSM data "
            "covers the area and that the boundary is in WGS84",
        )
    say(f"{network_type}: speeds and travel times for {', '.join(m.value for m in modes)}")
    for mode in modes:
        _add_mode_times(graph, mode, settings.modes[mode])
    before = graph.number_of_nodes()
    if not graph.graph.get("simplified"):
        say(f"{network_type}: simplifying {before:,} nodes")
        if settings.node_spacing_m > 0:
            _mark_spaced_nodes(graph, settings.node_spacing_m)
        aggs: dict[str, Any] = {"length": sum} | {f"travel_time_{m.value}": sum for m in modes}
        graph = ox.simplify_graph(graph, node_attrs_include=["planner_keep"], edge_attr_aggs=aggs)
    simplified = graph.number_of_nodes()
    say(f"{network_type}: largest strongly connected component")
    graph = ox.truncate.largest_component(graph, strongly=True)
    info = {
        "modes": [m.value for m in modes],
        "nodes": graph.number_of_nodes(),
        "edges": graph.number_of_edges(),
        "osm_nodes_read": before,
        "dropped_nodes": simplified - graph.number_of_nodes(),
    }
    return graph, info


def _add_mode_times(graph: nx.MultiDiGraph, mode: Mode, profile: ModeProfile) -> None:
    """Set ``travel_time_<mode>`` (seconds) on every edge with osmnx speeds and travel times."""
    if profile.use_maxspeed:
        ox.add_edge_speeds(
            graph, hwy_speeds=dict(profile.highway_kmh), fallback=profile.fallback_kmh
        )
    else:  # osmnx's advice for modes that ignore speed limits: set speed_kph directly
        speeds = {
            (u, v, k): profile.highway_kmh.get(_first(d.get("highway")), profile.fallback_kmh)
            for u, v, k, d in graph.edges(keys=True, data=True)
        }
        nx.set_edge_attributes(graph, speeds, "speed_kph")
    for _, _, d in graph.edges(data=True):
        d["speed_kph"] = min(float(d["speed_kph"]), profile.max_kmh)
    ox.add_edge_travel_times(graph)
    for _, _, d in graph.edges(data=True):
        d[f"travel_time_{mode.value}"] = d.pop("travel_time")
        d[f"speed_kph_{mode.value}"] = d.pop("speed_kph")


def _mark_spaced_nodes(graph: nx.MultiDiGraph, spacing_m: float) -> None:
    """Mark one node per ``spacing_m`` square (the one nearest its centre) to survive simplify."""
    ids = np.array(list(graph.nodes), dtype=np.int64)
    lon = np.array([graph.nodes[n]["x"] for n in ids], dtype=float)
    lat = np.array([graph.nodes[n]["y"] for n in ids], dtype=float)
    x, y = to_utm_m(lon, lat)
    cx, cy = np.floor(x / spacing_m), np.floor(y / spacing_m)
    off = np.hypot(x - (cx + 0.5) * spacing_m, y - (cy + 0.5) * spacing_m)
    order = np.lexsort((off, cy, cx))
    cells = np.column_stack([cx[order], cy[order]])
    first = np.ones(len(order), dtype=bool)
    first[1:] = np.any(cells[1:] != cells[:-1], axis=1)
    for n in ids[order[first]]:
        graph.nodes[int(n)]["planner_keep"] = True


def _graph_arrays(
    graph: nx.MultiDiGraph,
    nt: str,
    modes: Sequence[Mode],
    settings: RoadSettings,
    classes: list[str],
) -> dict[str, NDArray[Any]]:
    """Flatten one prepared graph into the artifact's arrays (see the module docstring)."""
    ids = sorted(graph.nodes)
    index = {n: i for i, n in enumerate(ids)}
    lon = np.array([graph.nodes[n]["x"] for n in ids], dtype=np.float64)
    lat = np.array([graph.nodes[n]["y"] for n in ids], dtype=np.float64)
    edges = sorted(
        graph.edges(keys=True, data=True), key=lambda e: (index[e[0]], index[e[1]], e[2])
    )
    u = np.array([index[e[0]] for e in edges], dtype=np.int32)
    v = np.array([index[e[1]] for e in edges], dtype=np.int32)
    class_index = {c: i for i, c in enumerate(classes)}
    geom_parts: list[NDArray[np.float64]] = []
    starts = np.zeros(len(edges) + 1, dtype=np.int64)
    for i, (a, b, _, d) in enumerate(edges):
        geometry = d.get("geometry")
        if geometry is not None:
            coords = np.asarray(geometry.coords, dtype=np.float64)[:, :2]
        else:
            coords = np.array([[lon[index[a]], lat[index[a]]], [lon[index[b]], lat[index[b]]]])
        geom_parts.append(coords)
        starts[i + 1] = starts[i] + len(coords)
    geom = np.concatenate(geom_parts) if geom_parts else np.zeros((0, 2))
    junction = _junctions(u, v, len(ids))
    out: dict[str, NDArray[Any]] = {
        f"{nt}.node_lon": lon,
        f"{nt}.node_lat": lat,
        f"{nt}.node_osmid": np.array(ids, dtype=np.int64),
        f"{nt}.edge_u": u,
        f"{nt}.edge_v": v,
        f"{nt}.edge_m": np.array([float(e[3]["length"]) for e in edges], dtype=np.float64),
        f"{nt}.edge_class": np.array(
            [class_index[_first(e[3].get("highway"))] for e in edges], dtype=np.int16
        ),
        f"{nt}.geom_start": starts,
        f"{nt}.geom_lon": np.ascontiguousarray(geom[:, 0]),
        f"{nt}.geom_lat": np.ascontiguousarray(geom[:, 1]),
    }
    for mode in modes:
        travel = np.array([float(e[3][f"travel_time_{mode.value}"]) for e in edges])
        penalty = settings.modes[mode].intersection_penalty_s
        out[f"{nt}.weight_s.{mode.value}"] = travel + penalty * junction[v]
    return out


def _junctions(u: NDArray[np.int32], v: NDArray[np.int32], n: int) -> NDArray[np.float64]:
    """1.0 for nodes where three or more roads meet (distinct neighbours), else 0.0."""
    pairs = np.unique(np.column_stack([np.minimum(u, v), np.maximum(u, v)]), axis=0)
    pairs = pairs[pairs[:, 0] != pairs[:, 1]]
    degree = np.bincount(pairs.ravel(), minlength=n)
    return (degree >= 3).astype(np.float64)
