"""Settings objects: read from ``configs/``, validated, passed in (nothing configures itself at import)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Annotated, TypeVar

import numpy as np
import yaml
from numpy.typing import NDArray
from pydantic import BaseModel, Field, ValidationError

from planner.errors import ConfigError, problems_from_validation
from planner.model import Mode, Strict

M = TypeVar("M", bound=BaseModel)


class LongLegs(Strict):
    """How the part of a long leg beyond ``beyond_km`` (straight line) is travelled: on
    expressways, straighter and faster than the county and mountain roads of the first stretch."""

    beyond_km: Annotated[
        float, Field(gt=0, le=200, description="Straight-line km after which a leg is long")
    ]
    speed_kmh: Annotated[
        float, Field(gt=0, le=150, description="Average speed over the road distance past it")
    ]
    detour_factor: Annotated[
        float, Field(ge=1, le=3, description="Road distance / straight-line distance past it")
    ]


class ModeSpeed(Strict):
    """Great-circle estimate constants for one travel mode.

    A leg of ``d`` straight-line metres: the first ``long_legs.beyond_km`` (all of it without
    ``long_legs``) at ``detour_factor`` and ``speed_kmh``, the rest at the long-leg ones, plus
    ``access_s`` (see :meth:`road_m` and :meth:`travel_s`).
    """

    speed_kmh: Annotated[
        float, Field(gt=0, le=150, description="Average door-to-door speed over the road distance")
    ]
    detour_factor: Annotated[
        float, Field(ge=1, le=3, description="Road distance / straight-line distance")
    ]
    access_s: Annotated[
        int,
        Field(
            ge=0, le=3600, description="Fixed time per leg: parking, walking to the gate, waiting"
        ),
    ]
    long_legs: LongLegs | None = Field(
        default=None, description="Expressway speed and detour for the far part of long legs"
    )

    def _split(self, straight_m: NDArray[np.float64]) -> tuple[NDArray[np.float64], ...]:
        if self.long_legs is None:
            return straight_m, np.zeros_like(straight_m)
        near = np.minimum(straight_m, self.long_legs.beyond_km * 1000.0)
        return near, straight_m - near

    def road_m(self, straight_m: NDArray[np.float64]) -> NDArray[np.float64]:
        """Estimated road metres for straight-line metres (element-wise)."""
        near, far = self._split(straight_m)
        far_detour = self.long_legs.detour_factor if self.long_legs else 1.0
        return near * self.detour_factor + far * far_detour

    def moving_s(self, straight_m: NDArray[np.float64]) -> NDArray[np.float64]:
        """Estimated seconds on the move (no access time) for straight-line metres."""
        near, far = self._split(straight_m)
        seconds = near * self.detour_factor / (self.speed_kmh / 3.6)
        if self.long_legs is not None:
            seconds = seconds + far * self.long_legs.detour_factor / (
                self.long_legs.speed_kmh / 3.6
            )
        return seconds


class TravelSettings(Strict):
    """The contents of ``configs/travel.yaml``."""

    version: int = 1
    modes: dict[Mode, ModeSpeed]

    def for_mode(self, mode: Mode) -> ModeSpeed:
        try:
            return self.modes[mode]
        except KeyError:
            raise ConfigError(
                f"travel.yaml: modes: no entry for mode {mode.value!r}; add speed_kmh, detour_factor and access_s for it"
            ) from None


def default_travel_path() -> Path:
    from planner.data.catalog import default_configs_dir

    return default_configs_dir() / "travel.yaml"


def read_config(path: Path, model: type[M], *, bundled: str = "", missing_ok: bool = False) -> M:
    """Read a YAML config file into ``model``, every problem at once, each naming its key.

    The one path all ``configs/*.yaml`` settings files take (travel, roads, seasons, traffic).
    With ``missing_ok``, an absent file gives the model's defaults (an optional config).
    """
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        if missing_ok:
            return model()
        raise ConfigError(
            f"{path}: file not found; the bundled one is configs/{bundled or path.name}",
            source=str(path),
        ) from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path.name}: not valid YAML: {exc}", source=str(path)) from None
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = [
            p if p.field else replace(p, field="file")
            for p in problems_from_validation(exc, path.name)
        ]
        raise ConfigError(problems, source=path.name) from None


def load_travel_settings(path: Path | str | None = None) -> TravelSettings:
    """Read and validate ``configs/travel.yaml`` (or the given file), all problems at once."""
    p = Path(path) if path is not None else default_travel_path()
    return read_config(p, TravelSettings, bundled="travel.yaml")
