"""``planner geodata ...`` and ``planner route``: build, inspect and use road networks.

A thin shell over :mod:`planner.travel.network`, :mod:`planner.travel.roads` and :mod:`planner.travel.calibrate`:
it parses, calls them and presents. Every user error is one line on stderr naming the option and
the fix, exit status 2. Registered in ``planner/cli/main.py`` with::

    app.add_typer(geodata_app, name="geodata")
    app.command("route")(route_command)
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from planner.cli._common import fail, fail_with
from planner.errors import PlannerError, RequestError
from planner.model import Mode

geodata_app = typer.Typer(
    help="Build and inspect the road network (OpenStreetMap, via osmnx).", no_args_is_help=True
)


@contextmanager
def _errors_as_one_line() -> Iterator[None]:
    try:
        yield
    except RequestError as exc:  # its field is the option at fault
        fail_with(exc.problem)
    except PlannerError as exc:  # ConfigError messages name the file and the fix
        fail(str(exc))


def _configs(configs: Path | None) -> Path:
    from planner.data.catalog import default_configs_dir

    return configs if configs is not None else default_configs_dir()


def _parse_modes(value: str) -> list[Mode]:
    modes = []
    for part in (v.strip() for v in value.split(",") if v.strip()):
        try:
            modes.append(Mode(part))
        except ValueError:
            raise RequestError(
                "--modes",
                f"{part!r} is not a mode; use a comma-separated list of car, bus, bicycle, walk",
            ) from None
    if not modes:
        raise RequestError("--modes", "give at least one of car, bus, bicycle, walk")
    return modes


@contextmanager
def _progress_display(console: Console) -> Iterator[Any]:
    """A spinner naming the current stage, with each finished stage logged and timed."""
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as progress:
        task = progress.add_task("starting", total=None)
        current = {"line": ""}
        started = {"t": time.perf_counter()}

        def report(line: str) -> None:
            now = time.perf_counter()
            if current["line"]:
                console.log(f"{current['line']} ({now - started['t']:.1f} s)")
            current["line"], started["t"] = line, now
            progress.update(task, description=line)

        yield report
        if current["line"]:
            console.log(f"{current['line']} ({time.perf_counter() - started['t']:.1f} s)")


@geodata_app.command("build")
def build(
    place: Annotated[
        str | None,
        typer.Option(help='Place to download (online), e.g. "Pinggu District, Beijing, China"'),
    ] = None,
    osm_file: Annotated[
        Path | None, typer.Option("--osm-file", help="Local .osm, .osm.bz2 or .osm.pbf extract")
    ] = None,
    graphml: Annotated[
        Path | None, typer.Option(help="A GraphML file saved by osmnx (one network)")
    ] = None,
    boundary: Annotated[
        Path | None,
        typer.Option(help="WGS84 GeoJSON to clip to, e.g. geodata/pinggu_boundary_wgs84.geojson"),
    ] = None,
    modes: Annotated[
        str,
        typer.Option(
            help="Modes to build for: car,bus use the drive network, bicycle bike, walk walk"
        ),
    ] = "car,bus,bicycle,walk",
    output: Annotated[
        Path | None, typer.Option(help="Folder for the artifact (default: geodata/)")
    ] = None,
    configs: Annotated[
        Path | None, typer.Option(help="Configs folder with roads.yaml (default: configs/)")
    ] = None,
    cache_dir: Annotated[
        Path | None, typer.Option(help="osmnx download cache (default: cache/osmnx)")
    ] = None,
) -> None:
    """Build a road network artifact from a download, an OSM file or a GraphML file."""
    from planner.data.basemap import pinggu_frame
    from planner.data.boundary import default_geodata_dir, load_boundary
    from planner.travel.basemap import build_basemap, save_basemap
    from planner.travel.build import OsmnxOptions, build_network
    from planner.travel.network import default_cache_dir, load_road_settings, save_network

    console = Console(stderr=True)
    with _errors_as_one_line():
        if sum(x is not None for x in (place, osm_file, graphml)) != 1:
            raise RequestError("--osm-file", "give exactly one of --place, --osm-file or --graphml")
        settings = load_road_settings(_configs(configs) / "roads.yaml")
        wanted = _parse_modes(modes)
        area = load_boundary(boundary) if boundary is not None else None
        options = OsmnxOptions(cache_folder=cache_dir or default_cache_dir() / "osmnx")
        with _progress_display(console) as report:
            network = build_network(
                settings=settings,
                osm_file=osm_file,
                graphml=graphml,
                place=place,
                boundary=area,
                modes=wanted,
                osmnx_options=options,
                progress=report,
            )
            report("saving")
            path = save_network(network, output or default_geodata_dir())
            if osm_file is not None or place is not None:
                report("base map (water, rivers, towns, the Great Wall)")
                basemap = save_basemap(
                    build_basemap(
                        osm_file=osm_file,
                        place=place,
                        frame=pinggu_frame().bounds,
                        cache_folder=options.cache_folder,
                    ),
                    output or default_geodata_dir(),
                )
                typer.echo(f"base map {basemap.name}")
    _print_summary(network.manifest, path)
    typer.echo(
        "next: `planner geodata calibrate` fits the offline estimate to these roads; "
        "the data is © OpenStreetMap contributors (ODbL): keep the attribution"
    )


def _print_summary(manifest: dict[str, Any] | Any, path: Path) -> None:
    source = manifest["source"]
    typer.echo(f"network  osm:{manifest['hash'][:12]}  ({path})")
    typer.echo(
        f"source   {source.get('kind')} {source.get('name')}, data date {source.get('date')}, "
        f"osmnx {source.get('osmnx')}"
    )
    typer.echo(
        f"built    {manifest['created_utc']}"
        + ("  clipped to boundary" if manifest.get("clipped") else "")
    )
    for nt, info in manifest["networks"].items():
        typer.echo(
            f"{nt:<8} {info['nodes']:>8,} nodes {info['edges']:>9,} edges {info['km']:>9,.1f} km"
            f"  modes {','.join(info['modes'])}  (dropped {info['dropped_nodes']:,} nodes "
            "outside the largest strongly connected component)"
        )


@geodata_app.command("info")
def info(
    network: Annotated[
        Path | None, typer.Option(help="Artifact to describe (default: the one the planner finds)")
    ] = None,
    configs: Annotated[Path | None, typer.Option(help="Configs folder (default: configs/)")] = None,
    verify: Annotated[bool, typer.Option(help="Recompute the content hash")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the manifest as JSON")] = False,
) -> None:
    """Say which travel-time provider plans use: the network, its size, source and date."""
    from planner.data.config import load_travel_settings
    from planner.travel.calibrate import load_estimate
    from planner.travel.network import (
        default_geodata_dirs,
        find_network,
        load_network,
        load_road_settings,
    )

    cfg = _configs(configs)
    with _errors_as_one_line():
        path = network or find_network(default_geodata_dirs(cfg))
        estimate = load_estimate(cfg, load_travel_settings(cfg / "travel.yaml"))
        if path is None:
            dirs = ", ".join(str(d) for d in default_geodata_dirs(cfg))
            typer.echo(
                f"no road network found in {dirs}: plans use {estimate.name} "
                "(great-circle estimate). Build one with `planner geodata build --osm-file FILE` "
                'or `--place "Pinggu District, Beijing, China"`.'
            )
            return
        loaded = load_network(path, verify=verify)
        manifest = dict(loaded.manifest)
        if as_json:
            typer.echo(json.dumps({"path": str(path), **manifest}, indent=2, ensure_ascii=False))
            return
        _print_summary(manifest, path)
        current = load_road_settings(cfg / "roads.yaml").build_digest()
        if current != manifest["settings_digest"]:
            typer.echo("warning  configs/roads.yaml changed since this build: rebuild to use it")
        if verify:
            typer.echo("verified content hash matches")
        typer.echo(f"fallback {estimate.name} for pairs off the network")
        typer.echo(f"data     {manifest['attribution']}")


@geodata_app.command("calibrate")
def calibrate_cmd(
    network: Annotated[Path | None, typer.Option(help="Artifact (default: the one found)")] = None,
    configs: Annotated[Path | None, typer.Option(help="Configs folder (default: configs/)")] = None,
    output: Annotated[
        Path | None, typer.Option(help="Where to write (default: configs/travel_calibrated.yaml)")
    ] = None,
    sample: Annotated[int, typer.Option(help="Random nodes per mode (all pairs routed)")] = 150,
    seed: Annotated[int, typer.Option(help="Random seed")] = 0,
) -> None:
    """Fit the offline estimate (detour factor, speed) to the road network and store it."""
    from planner.data.config import load_travel_settings
    from planner.travel.calibrate import (
        CALIBRATED_FILENAME,
        calibrate,
        report_lines,
        write_calibration,
    )
    from planner.travel.network import default_geodata_dirs, find_network, load_network

    cfg = _configs(configs)
    with _errors_as_one_line():
        if sample < 10:
            raise RequestError("--sample", f"{sample} is too few; use at least 10 nodes")
        path = network or find_network(default_geodata_dirs(cfg))
        if path is None:
            raise RequestError(
                "--network", "no road network found; build one first with `planner geodata build`"
            )
        travel = load_travel_settings(cfg / "travel.yaml")
        result = calibrate(load_network(path), travel, sample=sample, seed=seed)
        written = write_calibration(result, travel, output or cfg / CALIBRATED_FILENAME)
    for line in report_lines(result):
        typer.echo(line)
    typer.echo(f"wrote {written}")


def _lonlat(option: str, value: str) -> tuple[float, float]:
    try:
        lon_s, lat_s = value.split(",")
        lon, lat = float(lon_s), float(lat_s)
    except ValueError:
        raise RequestError(option, f"{value!r} is not LON,LAT; write e.g. 117.10,40.14") from None
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise RequestError(option, f"{value!r} is out of range; write LON,LAT in WGS84 degrees")
    return lon, lat


def route_command(
    from_: Annotated[str, typer.Option("--from", help="Start, LON,LAT (WGS84)")],
    to: Annotated[str, typer.Option("--to", help="End, LON,LAT (WGS84)")],
    mode: Annotated[str, typer.Option(help="car, bus, bicycle or walk")] = "car",
    as_json: Annotated[bool, typer.Option("--json", help="Print the leg as JSON")] = False,
    network: Annotated[
        Path | None, typer.Option(help="Artifact to route on (default: the one found)")
    ] = None,
    configs: Annotated[Path | None, typer.Option(help="Configs folder (default: configs/)")] = None,
) -> None:
    """Route one leg: seconds, metres, provider and the road polyline."""
    from planner.travel.roads import RoadTravelTimes, default_travel_times

    with _errors_as_one_line():
        a, b = _lonlat("--from", from_), _lonlat("--to", to)
        try:
            travel_mode = Mode(mode)
        except ValueError:
            raise RequestError(
                "--mode", f"{mode!r} is not a mode; use car, bus, bicycle or walk"
            ) from None
        provider = default_travel_times(_configs(configs), network_path=network)
        if isinstance(provider, RoadTravelTimes):
            leg = provider.route(a, b, travel_mode)
            out: dict[str, Any] = {
                "from": list(a),
                "to": list(b),
                "mode": travel_mode.value,
                "seconds": leg.seconds,
                "metres": leg.metres,
                "provider": leg.provider,
                "estimated": leg.estimated,
                "snaps": [
                    {
                        "node": list(s.node_lonlat),
                        "distance_m": round(s.distance_m, 1),
                        "walk_s": round(s.walk_s),
                        "far": s.far,
                        "outside": s.outside,
                    }
                    for s in (leg.snap_from, leg.snap_to)
                    if s is not None
                ],
                "geometry": [list(p) for p in leg.geometry],
            }
        else:
            m = provider.matrix([a, b], travel_mode)
            out = {
                "from": list(a),
                "to": list(b),
                "mode": travel_mode.value,
                "seconds": int(m.seconds[0, 1]),
                "metres": int(m.metres[0, 1]),
                "provider": m.provider,
                "estimated": m.estimated,
                "snaps": [],
                "geometry": [list(p) for p in provider.path(a, b, travel_mode)],
            }
    if as_json:
        typer.echo(json.dumps(out, ensure_ascii=False))
        return
    minutes = out["seconds"] / 60
    typer.echo(
        f"{out['mode']}: {minutes:.1f} min, {out['metres'] / 1000:.2f} km via {out['provider']}"
        + (" (straight-line estimate)" if out["estimated"] else "")
    )
    for label, s in zip(("start", "end"), out["snaps"], strict=False):
        if s["far"]:
            typer.echo(
                f"note: the {label} is {s['distance_m']:.0f} m from the nearest road; "
                f"the leg includes a {s['walk_s'] / 60:.0f} min walk"
                + (" (outside the network: estimated)" if s["outside"] else "")
            )
    typer.echo(f"geometry: {len(out['geometry'])} points (--json prints them)")
