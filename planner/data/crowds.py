"""How many visitors a place takes in comfort: the catalogue's figure, else its category's estimate.

A place may carry ``capacity_at_once`` (visitors on site at once) and ``capacity_per_hour`` (what
its gate and car park let in an hour without queues) in ``configs/pois.yaml``. Few places publish
such figures, so ``configs/crowds.yaml`` holds a reasoned estimate per category, each with its
reason; :func:`capacity_of` gives a place's capacity and says which figures are estimates. This
is what crowd-aware planning and district-wide balancing (issue "festival crowds") measure load
against.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field

from planner.model import Category, Poi
from planner.model.common import Strict


class CategoryCapacity(Strict):
    """The estimate for places of one category, and why."""

    at_once: Annotated[int, Field(ge=1, le=200_000)]
    per_hour: Annotated[int, Field(ge=1, le=100_000)]
    why: Annotated[str, Field(min_length=1, description="The reasoning behind the estimate")]


DayKind = Literal["festival", "holiday", "weekend", "weekday"]
"""The day types of ``configs/traffic.yaml`` (:class:`planner.travel.traffic.DayType`)."""


class CrowdSettings(Strict):
    """The contents of ``configs/crowds.yaml``."""

    version: int = 1
    default_capacity: dict[Category, CategoryCapacity] = Field(default_factory=dict)
    load_by_hour: dict[
        DayKind, dict[Annotated[int, Field(ge=0, le=23)], Annotated[float, Field(ge=0, le=5)]]
    ] = Field(
        default_factory=dict,
        description="Expected visitors on site over the comfortable capacity, by local hour, at a "
        "place of popularity 1 (others scale by their popularity); hours not listed: 0",
    )
    gate_minutes_per_overload: Annotated[float, Field(ge=0, le=240)] = Field(
        default=40.0,
        description="Extra minutes at the gate and car park per 100 % of load over capacity",
    )
    busy_from: Annotated[float, Field(gt=0, le=5)] = Field(
        default=0.8, description="The load from which an hour is called busy"
    )
    value_lost_per_overload: Annotated[float, Field(ge=0, le=1)] = Field(
        default=0.4,
        description="Share of a visit's value lost per 100 % of load over busy_from (a packed "
        "viewpoint is worth less than a quiet one)",
    )
    least_value_share: Annotated[float, Field(gt=0, le=1)] = Field(
        default=0.5, description="A visit in the most packed hour keeps at least this share"
    )

    def value_share(self, load: float) -> float:
        """The share of a visit's value left when it starts in an hour of this load."""
        lost = self.value_lost_per_overload * max(0.0, load - self.busy_from)
        return max(self.least_value_share, 1.0 - lost)


@dataclass(frozen=True)
class Capacity:
    """A place's comfortable capacity, and whether each figure is the category's estimate."""

    at_once: int | None
    per_hour: int | None
    at_once_estimated: bool
    per_hour_estimated: bool
    why: str
    """Where the figures come from: the catalogue, or the category estimate's reason."""


def default_crowds_path(configs_dir: Path | None = None) -> Path:
    from planner.data.catalog import default_configs_dir

    return (configs_dir or default_configs_dir()) / "crowds.yaml"


def load_crowds(path: Path | str | None = None) -> CrowdSettings:
    """Read and validate ``configs/crowds.yaml`` (no estimates when the file is absent)."""
    from planner.data.config import read_config

    return read_config(
        Path(path) if path is not None else default_crowds_path(), CrowdSettings, missing_ok=True
    )


def capacity_of(poi: Poi, settings: CrowdSettings) -> Capacity | None:
    """The place's capacity (its own figures first, then its category's), or None when it is
    not visited or nothing is known."""
    if not poi.visitable:
        return None
    estimate = settings.default_capacity.get(poi.category)
    at_once = poi.capacity_at_once or (estimate.at_once if estimate else None)
    per_hour = poi.capacity_per_hour or (estimate.per_hour if estimate else None)
    if at_once is None and per_hour is None:
        return None
    own = poi.capacity_at_once is not None and poi.capacity_per_hour is not None
    return Capacity(
        at_once=at_once,
        per_hour=per_hour,
        at_once_estimated=poi.capacity_at_once is None,
        per_hour_estimated=poi.capacity_per_hour is None,
        why="catalogue" if own or estimate is None else f"{poi.category.value}: {estimate.why}",
    )
