"""Where the planner's files are: the operators' configs, the bundled geodata and the cache.

One object, :class:`DataPaths`, answers for every module (nothing else looks at ``__file__``).
From a source checkout (``pip install -e .``, ``make app``) the folders are the project's own
``configs/``, ``geodata/`` and ``cache/``; from an installed wheel (``pip install .``) the bundled
copies packed inside the package (``planner/_bundled/``, read-only in spirit: point
``configs_dir`` at a folder of your own to edit places) and a per-user cache folder.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parents[1]
_SOURCE_ROOT = _PACKAGE.parent
_BUNDLED = _PACKAGE / "_bundled"


@dataclass(frozen=True)
class DataPaths:
    """The three folders the planner reads and writes.

    Attributes
    ----------
    configs_dir
        ``pois.yaml``, ``seasons.yaml``, ``traffic.yaml``, ``travel.yaml``, ``roads.yaml``.
    geodata_dir
        The district boundary and built road-network artifacts.
    cache_dir
        osmnx's HTTP cache and other results that can be rebuilt (safe to delete).
    """

    configs_dir: Path
    geodata_dir: Path
    cache_dir: Path

    @classmethod
    def for_configs(cls, configs_dir: Path | str | None) -> DataPaths:
        """The paths around ``configs_dir``: its sibling ``geodata/`` and ``cache/`` when the folder
        is part of a project laid out like this one, else the bundled geodata and the default cache.
        ``None`` gives :func:`default_paths`."""
        if configs_dir is None:
            return default_paths()
        configs = Path(configs_dir)
        root = configs.resolve().parent
        base = default_paths()
        geodata = root / "geodata"
        return cls(
            configs_dir=configs,
            geodata_dir=geodata if geodata.is_dir() else base.geodata_dir,
            cache_dir=root / "cache" if geodata.is_dir() else base.cache_dir,
        )


@cache
def default_paths() -> DataPaths:
    """The source checkout's folders when there is one, else the copies bundled in the wheel."""
    if (_SOURCE_ROOT / "configs" / "pois.yaml").is_file():
        return DataPaths(
            configs_dir=_SOURCE_ROOT / "configs",
            geodata_dir=_SOURCE_ROOT / "geodata",
            cache_dir=_SOURCE_ROOT / "cache",
        )
    user_cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return DataPaths(
        configs_dir=_BUNDLED / "configs",
        geodata_dir=_BUNDLED / "geodata",
        cache_dir=user_cache / "pinggu-planner",
    )
