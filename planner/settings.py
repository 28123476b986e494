"""Settings objects: read from ``configs/``, validated, passed in (nothing configures itself at import)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import yaml
from pydantic import Field, ValidationError

from planner.errors import ConfigError
from planner.models import Mode, Strict


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
    from planner.catalog import default_configs_dir

    return default_configs_dir() / "travel.yaml"


def load_travel_settings(path: Path | str | None = None) -> TravelSettings:
    """Read and validate ``configs/travel.yaml`` (or the given file), all problems at once."""
    p = Path(path) if path is not None else default_travel_path()
    try:
        data = yaml.safe_load(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(
            f"{p}: file not found; the bundled one is configs/travel.yaml", source=str(p)
        ) from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{p.name}: not valid YAML: {exc}", source=str(p)) from None
    try:
        return TravelSettings.model_validate(data)
    except ValidationError as exc:
        problems = [
            f"{p.name}: {'.'.join(str(x) for x in e['loc'])}: {e['msg']}" for e in exc.errors()
        ]
        raise ConfigError(problems, source=p.name) from None
