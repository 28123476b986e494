"""The one way to get a planner: over the configs named by :class:`PlannerSettings`, as they are now.

Every door (the Python API's :meth:`Planner.from_configs`, the CLI, the HTTP API, batch planning
locally or on Ray, the web app) builds its planner with :func:`build_planner`, or keeps a
:class:`LivePlanner` that rebuilds it when a config file changes. So the same request plans the same
day everywhere: the same catalogue, season calendar, traffic profiles, travel settings and road
network, and the same search.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from planner.data.catalog import Catalog, load_catalog
from planner.data.crowds import load_crowds
from planner.data.paths import DataPaths
from planner.data.seasons import SeasonCalendar, load_seasons, zone_problems
from planner.data.store import CatalogStore
from planner.errors import ConfigError, PlannerError
from planner.plan.planner import Planner
from planner.solve.solver import DEFAULT_SETTINGS, SearchSettings
from planner.travel.base import TravelTimes
from planner.travel.traffic import load_traffic
from planner.travel.transit import load_feed

_log = logging.getLogger(__name__)

TRAVEL_FILES = ("travel.yaml", "travel_calibrated.yaml", "roads.yaml")
"""Config files the travel-time provider is built from (a change rebuilds it)."""
TRANSIT_FILES = (
    "agency",
    "stops",
    "routes",
    "trips",
    "stop_times",
    "calendar",
    "calendar_dates",
    "frequencies",
)
"""The GTFS files of ``configs/transit/`` a running planner watches."""

PLAN_FILES = (
    "seasons.yaml",
    "traffic.yaml",
    "crowds.yaml",
    *(f"transit/{name}.txt" for name in TRANSIT_FILES),
)
"""Config files read with the catalogue into every planner."""


class PlannerSettings(BaseModel):
    """Which configs a planner plans over, and how it searches. Documented defaults.

    Every shell turns its own options (CLI flags, ``PINGGU_*`` variables, app settings) into one of
    these; :func:`build_planner` is the only place that reads the files they name.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)

    configs_dir: Path | None = Field(
        default=None,
        description="Folder with pois.yaml, seasons.yaml, traffic.yaml, travel.yaml, roads.yaml "
        "(default: the bundled configs)",
    )
    catalog_path: Path | None = Field(
        default=None, description="Catalogue file (default: pois.yaml in configs_dir)"
    )
    use_roads: bool = Field(default=True, description="Use the built road network when one exists")
    network_path: Path | None = Field(
        default=None, description="A road-network artifact (default: the newest one found)"
    )
    check_boundary: bool = Field(
        default=True, description="Refuse places outside Pinggu (catalogue loads and writes)"
    )
    search: SearchSettings = Field(
        default=DEFAULT_SETTINGS,
        description="Solver settings; batch engines run the same searches one process each",
    )

    @property
    def configs(self) -> Path:
        """The configs folder in use (the bundled one when none is given)."""
        return DataPaths.for_configs(self.configs_dir).configs_dir

    @property
    def catalog_file(self) -> Path:
        return self.catalog_path if self.catalog_path is not None else self.configs / "pois.yaml"


def build_travel(settings: PlannerSettings) -> TravelTimes:
    """The travel-time provider for ``settings``: the road network when one is built, else the
    (calibrated, when fitted) estimate."""
    from planner.travel.roads import default_travel_times

    return default_travel_times(
        settings.configs_dir, network_path=settings.network_path, use_network=settings.use_roads
    )


def build_planner(
    settings: PlannerSettings | None = None,
    *,
    catalog: Catalog | None = None,
    travel: TravelTimes | None = None,
) -> Planner:
    """A planner over every config ``settings`` names: catalogue, seasons, traffic and travel.

    ``catalog`` and ``travel`` reuse ones already loaded (a :class:`LivePlanner` reloads only what
    changed). Raises :class:`ConfigError` naming the file, entry and field of every problem.
    """
    settings = settings or PlannerSettings()
    configs = settings.configs
    if catalog is None:
        catalog = load_catalog(settings.catalog_file, check_boundary=settings.check_boundary)
    seasons = _seasons(configs, catalog)
    traffic = load_traffic(configs / "traffic.yaml")
    return Planner(
        catalog,
        travel if travel is not None else build_travel(settings),
        seasons=seasons,
        traffic=traffic,
        search=settings.search,
        crowds=load_crowds(configs / "crowds.yaml"),
        transit=load_feed(configs / "transit")
        if (configs / "transit" / "stops.txt").exists()
        else None,
    )


def _seasons(configs: Path, catalog: Catalog) -> SeasonCalendar:
    seasons = load_seasons(configs / "seasons.yaml")
    problems = zone_problems(catalog, seasons, source=catalog.source)
    if problems:
        raise ConfigError(problems, source=catalog.source)
    return seasons


class CatalogUnavailable(PlannerError):
    """The configs cannot be loaded and there is no earlier good planner in memory."""

    code = "catalog_unavailable"


@dataclass(frozen=True)
class _Stamp:
    """What a planner was built from: the catalogue's etag and the other files' signatures."""

    catalog: str
    plan: tuple[tuple[int, int] | None, ...]
    travel: tuple[tuple[int, int] | None, ...]


class LivePlanner:
    """The planner over the configs as they are now, for long-running shells (HTTP API, web app).

    :meth:`current` returns the planner, rebuilt when ``pois.yaml``, ``seasons.yaml`` or
    ``traffic.yaml`` changed (an operator's save shows in the next plan of every process); the
    travel-time provider is rebuilt only when ``travel.yaml``, its calibration or ``roads.yaml``
    changed, so a road network is loaded once. When a file on disk turns invalid (a bad hand edit;
    the store's validated writes cannot cause it), the last good planner keeps serving and
    :attr:`problem` says why.
    """

    def __init__(self, settings: PlannerSettings | None = None) -> None:
        self.settings = settings or PlannerSettings()
        self.store = CatalogStore(
            self.settings.catalog_file, check_boundary=self.settings.check_boundary
        )
        self.problem: str | None = None
        """Why the files on disk are not in use (None when they are)."""
        self.version = ""
        """A digest of every config file the current planner was built from (keys caches)."""
        self._lock = threading.Lock()
        self._planner: Planner | None = None
        self._stamp: _Stamp | None = None

    def current(self) -> tuple[Planner, str]:
        """The planner over the configs as they are now, and the catalogue's etag."""
        try:
            stamp = self._read_stamp()
        except ConfigError as exc:
            if self._planner is None or self._stamp is None:
                raise CatalogUnavailable(str(exc)) from None
            self.problem = str(exc)
            return self._planner, self._stamp.catalog
        if self._planner is not None and stamp == self._stamp:
            return self._planner, stamp.catalog
        with self._lock:
            if self._planner is not None and self._read_stamp() == self._stamp:
                assert self._stamp is not None
                return self._planner, self._stamp.catalog
            return self._rebuild(stamp)

    def _read_stamp(self) -> _Stamp:
        configs = self.settings.configs
        return _Stamp(
            catalog=self.store.file.etag(),
            plan=tuple(_signature(configs / name) for name in PLAN_FILES),
            travel=tuple(_signature(configs / name) for name in TRAVEL_FILES),
        )

    def _rebuild(self, stamp: _Stamp) -> tuple[Planner, str]:
        old = self._planner
        try:
            catalog, tag = self.store.load()
            travel = (
                old.travel
                if old is not None
                and self._stamp is not None
                and self._stamp.travel == stamp.travel
                else None
            )
            planner = build_planner(self.settings, catalog=catalog, travel=travel)
        except ConfigError as exc:
            self.problem = str(exc)
            if old is None or self._stamp is None:
                raise CatalogUnavailable(str(exc)) from None
            _log.error("configs on disk are invalid; still serving %s: %s", self._stamp, exc)
            return old, self._stamp.catalog
        self._planner, self.problem = planner, None
        self._stamp = _Stamp(catalog=tag, plan=stamp.plan, travel=stamp.travel)
        self.version = hashlib.sha256(repr(self._stamp).encode()).hexdigest()[:16]
        _log.info("planner ready: %d places, catalogue %s, %s", len(catalog), tag, travel)
        return planner, tag


def _signature(path: Path) -> tuple[int, int] | None:
    """A cheap change signature of a file (modification time and size), None when absent."""
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return (st.st_mtime_ns, st.st_size)


__all__ = [
    "CatalogUnavailable",
    "LivePlanner",
    "PlannerSettings",
    "build_planner",
    "build_travel",
]
