"""Road networks as stored artifacts: their settings, and finding, reading and saving them.

The artifact is one uncompressed ``.npz`` file, ``roads.v1.<hash12>.npz``: a JSON manifest
(source, date, settings, sizes) and per network type the node coordinates, the edges (from, to,
metres, highway class, polyline) and one weight array per mode (seconds, junction penalty
included). Its ``hash`` is a SHA-256 of the arrays and the settings that made them; it keys
every cache downstream. Loading it takes milliseconds where the same network as GraphML takes
seconds (``bench/matrix.py`` measures both). Reading an artifact never imports osmnx: building
one is :mod:`planner.travel.build`.

Road data from OpenStreetMap is (c) OpenStreetMap contributors, ODbL 1.0.
"""

from __future__ import annotations

import hashlib
import json
import logging
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Final, Literal

import numpy as np
from numpy.typing import NDArray
from pydantic import Field

from planner.errors import ConfigError
from planner.model import Mode, Strict

ARTIFACT_VERSION: Final = 1
"""Format version of the artifact; a loader refuses other versions (rebuild them)."""


ARTIFACT_GLOB: Final = f"roads.v{ARTIFACT_VERSION}.*.npz"


ATTRIBUTION: Final = (
    "© OpenStreetMap contributors, ODbL 1.0 (https://www.openstreetmap.org/copyright)"
)


NetworkType = Literal["drive", "bike", "walk"]


_log = logging.getLogger(__name__)


class ModeProfile(Strict):
    """How one travel mode moves on the road network (``configs/roads.yaml: modes.<mode>``)."""

    network: NetworkType
    use_maxspeed: bool = Field(description="Use a road's maxspeed tag when it has one")
    max_kmh: Annotated[float, Field(gt=0, le=150)]
    intersection_penalty_s: Annotated[float, Field(ge=0, le=120)]
    fallback_kmh: Annotated[float, Field(gt=0, le=150)]
    highway_kmh: dict[str, Annotated[float, Field(gt=0, le=150)]]


class SnapSettings(Strict):
    """How places attach to the road network (``configs/roads.yaml: snap``)."""

    report_m: Annotated[float, Field(ge=0)]
    outside_m: Annotated[float, Field(gt=0)]
    walk_kmh: Annotated[float, Field(gt=0, le=10)]
    detour_factor: Annotated[float, Field(ge=1, le=3)]


class RoadSettings(Strict):
    """The contents of ``configs/roads.yaml``."""

    version: int = 1
    boundary_buffer_m: Annotated[float, Field(ge=0, le=50_000)] = 3000
    node_spacing_m: Annotated[float, Field(ge=0)] = 250
    snap: SnapSettings
    modes: dict[Mode, ModeProfile]

    def build_digest(self) -> str:
        """SHA-256 of the settings that shape an artifact (everything but ``snap``)."""
        data = self.model_dump(mode="json", exclude={"snap"})
        return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()

    def modes_on(self, network_type: str) -> list[Mode]:
        """The modes that travel on one network type, in a stable order."""
        return sorted(m for m, p in self.modes.items() if p.network == network_type)


def load_road_settings(path: Path | str | None = None) -> RoadSettings:
    """Read and validate ``configs/roads.yaml`` (or the given file), reporting all problems.

    Raises
    ------
    ConfigError
        If the file is missing, not YAML, or any entry is invalid (each problem names its key).
    """
    from planner.data.catalog import default_configs_dir
    from planner.data.config import read_config

    p = Path(path) if path is not None else default_configs_dir() / "roads.yaml"
    return read_config(p, RoadSettings, bundled="roads.yaml")


@dataclass(frozen=True)
class RoadNetwork:
    """A built road network: manifest plus flat arrays (see the module docstring).

    Arrays are named ``"<network>.<name>"``, e.g. ``drive.node_lon`` or ``drive.weight_s.car``.
    """

    manifest: Mapping[str, Any]
    arrays: Mapping[str, NDArray[Any]]
    path: Path | None = None

    @property
    def hash(self) -> str:
        """SHA-256 (hex) of the arrays and the build settings: the version of this network."""
        return str(self.manifest["hash"])

    @property
    def short_hash(self) -> str:
        """First 12 hex digits of :attr:`hash`, used in names."""
        return self.hash[:12]

    @property
    def network_types(self) -> list[str]:
        """Network types built (``drive``, ``bike``, ``walk``)."""
        return list(self.manifest["networks"])

    def network_of(self, mode: Mode) -> str | None:
        """The network type a mode travels on, or None when this artifact lacks it."""
        for nt, info in self.manifest["networks"].items():
            if mode.value in info["modes"]:
                return str(nt)
        return None

    def array(self, network_type: str, name: str) -> NDArray[Any]:
        """One array of one network type."""
        return self.arrays[f"{network_type}.{name}"]


def content_hash(arrays: Mapping[str, NDArray[Any]], settings_digest: str) -> str:
    """SHA-256 over every array (name, dtype, shape, bytes, in name order) and the settings."""
    h = hashlib.sha256()
    h.update(f"pinggu-roads v{ARTIFACT_VERSION} {settings_digest}".encode())
    for name in sorted(arrays):
        a = np.ascontiguousarray(arrays[name])
        h.update(f"{name}|{a.dtype.str}|{a.shape}".encode())
        h.update(a.tobytes())
    return h.hexdigest()


def save_network(network: RoadNetwork, directory: Path) -> Path:
    """Write ``roads.v1.<hash12>.npz`` into ``directory`` (atomically) and return its path."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"roads.v{ARTIFACT_VERSION}.{network.short_hash}.npz"
    tmp = path.with_suffix(".tmp.npz")
    members: dict[str, Any] = dict(network.arrays)
    members["manifest"] = np.array(json.dumps(dict(network.manifest), sort_keys=True))
    np.savez(tmp, **members)
    tmp.replace(path)
    return path


def read_manifest(path: Path) -> dict[str, Any]:
    """Read only the manifest of an artifact (cheap: one member of the zip).

    Raises
    ------
    ConfigError
        If the file is not a road-network artifact of this version.
    """
    try:
        with np.load(path, allow_pickle=False) as z:
            manifest: dict[str, Any] = json.loads(str(z["manifest"]))
    except (OSError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        raise ConfigError(
            f"{path}: not a road-network artifact ({exc}); rebuild it with `planner geodata build`",
            source=str(path),
        ) from None
    if manifest.get("format") != "pinggu-roads" or manifest.get("version") != ARTIFACT_VERSION:
        raise ConfigError(
            f"{path}: artifact format {manifest.get('format')!r} v{manifest.get('version')} is "
            f"not pinggu-roads v{ARTIFACT_VERSION}; rebuild it with `planner geodata build`",
            source=str(path),
        )
    return manifest


def load_network(path: Path, *, verify: bool = False) -> RoadNetwork:
    """Load an artifact written by :func:`save_network`.

    Parameters
    ----------
    path
        The ``.npz`` file.
    verify
        Recompute the content hash and refuse a file whose arrays do not match it.
    """
    manifest = read_manifest(path)
    with np.load(path, allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files if k != "manifest"}
    if verify:
        actual = content_hash(arrays, manifest["settings_digest"])
        if actual != manifest["hash"]:
            raise ConfigError(
                f"{path}: content hash {actual[:12]} does not match the manifest's "
                f"{manifest['hash'][:12]} (file damaged or edited); rebuild it",
                source=str(path),
            )
    return RoadNetwork(manifest=manifest, arrays=arrays, path=path)


def default_geodata_dirs(configs_dir: Path | None = None) -> list[Path]:
    """Where artifacts are looked for: ``geodata/`` next to ``configs/``, then ``cache/geodata``."""
    from planner.data.paths import DataPaths

    paths = DataPaths.for_configs(configs_dir)
    return [paths.geodata_dir, paths.cache_dir / "geodata"]


def default_cache_dir() -> Path:
    """The cache folder (``cache/`` in a checkout, git-ignored): osmnx HTTP cache, matrices."""
    from planner.data.paths import default_paths

    return default_paths().cache_dir


def find_network(dirs: Sequence[Path] | None = None) -> Path | None:
    """The newest valid artifact in ``dirs`` (default :func:`default_geodata_dirs`), or None.

    Files that are not readable artifacts of this version are skipped with a log warning.
    """
    best: tuple[str, Path] | None = None
    for d in dirs if dirs is not None else default_geodata_dirs():
        for path in sorted(d.glob(ARTIFACT_GLOB)) if d.is_dir() else []:
            try:
                created = str(read_manifest(path)["created_utc"])
            except ConfigError as exc:
                _log.warning("skipping %s: %s", path, exc)
                continue
            if best is None or created > best[0]:
                best = (created, path)
    return best[1] if best is not None else None
