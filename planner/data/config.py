"""Settings objects: read from ``configs/``, validated, passed in (nothing configures itself at import)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Annotated, TypeVar

import yaml
from pydantic import BaseModel, Field, ValidationError

from planner.errors import ConfigError, problems_from_validation
from planner.model import Mode, Strict

M = TypeVar("M", bound=BaseModel)


class ModeSpeed(Strict):
    """Great-circle estimate constants for one travel mode."""

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
