"""Reader for the literature TOPTW instances, and a solve that answers in literature terms.

The team orienteering problem with time windows (TOPTW) is the core of a day-trip planner, and its
public instances (Solomon-based ``c/r/rc`` sets, Cordeau-based ``pr`` set) with their best-known
scores are how the planner's solver is measured. Format and conventions are described in
``benchmarks/toptw/README.md``; the essentials:

* line 1 ``k v N t`` (``N`` = number of places), line 2 unused, then ``N + 1`` vertex lines
  ``i x y d S f a <a values> O C`` where vertex 0 is the depot; ``O`` and ``C`` are the *last two*
  tokens (the list before them varies in length) and bound the *start* of the visit;
* every route leaves the depot at ``O_0`` and must be back by ``C_0``;
* travel time is the Euclidean distance with the literature's rounding, which changes the
  answers: rounded down to one decimal for ``c/r/rc``, up to two decimals for ``pr``.

The solver only takes integers, so every time (travel, service, windows, horizon) is multiplied
by a scale factor: 10 for ``down1``, 100 for ``up2``, 1000 for ``exact``. Distances are computed
in exact rational arithmetic (coordinates are read as decimals), so the rounding is never off by a
floating-point hair.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from pathlib import Path
from typing import Literal

import numpy as np

from planner.errors import ConfigError
from planner.solve.problem import OrienteeringProblem, Route

__all__ = ["Rounding", "TopTwInstance", "read_toptw", "solve_toptw"]

Rounding = Literal["down1", "up2", "exact"]

SCALES: dict[str, int] = {"down1": 10, "up2": 100, "exact": 1000}
"""Time units per literature unit for each rounding convention."""


@dataclass(frozen=True)
class TopTwInstance:
    """A literature instance as the solver sees it, plus what is needed to answer in its terms."""

    name: str
    """File stem, e.g. ``c101``."""
    problem: OrienteeringProblem
    """The problem in scaled integer time units; node 0 is the depot."""
    vertex_ids: tuple[int, ...]
    """Literature vertex id of each node (node index -> ``i`` of its line)."""
    scale: int
    """Integer time units per literature time unit."""
    rounding: Rounding
    """Distance convention used for the travel matrix."""


@dataclass(frozen=True)
class _Vertex:
    vid: int
    x: Fraction
    y: Fraction
    service: Fraction
    score: int
    open: Fraction
    close: Fraction


def default_rounding(name: str) -> Rounding:
    """The literature's convention for an instance name: ``up2`` for ``pr*``, else ``down1``."""
    return "up2" if name.lower().startswith("pr") else "down1"


def read_toptw(
    path: str | Path, *, routes: int = 1, rounding: Rounding | None = None
) -> TopTwInstance:
    """Read a TOPTW instance file into an :class:`OrienteeringProblem` with ``routes`` routes.

    Parameters
    ----------
    path
        Instance file (LF or CRLF line endings).
    routes
        Number of routes ``m``; it is not in the file (the literature runs m = 1..4).
    rounding
        Travel-time convention; ``None`` picks the literature's one from the file name
        (``up2`` for ``pr*`` files, ``down1`` otherwise). See :func:`travel_units` for ``exact``.

    Raises
    ------
    ConfigError
        If the file cannot be read or a line is malformed; every problem names the file and line.
    """
    path = Path(path)
    if routes < 1:
        raise ConfigError(f"{path}: routes must be at least 1, not {routes}", source=str(path))
    rounding = rounding or default_rounding(path.stem)
    if rounding not in SCALES:
        raise ConfigError(f"{path}: unknown rounding {rounding!r}", source=str(path))
    vertices = _parse(path)
    scale = SCALES[rounding]
    return TopTwInstance(
        name=path.stem,
        problem=_build(vertices, routes=routes, rounding=rounding, scale=scale),
        vertex_ids=tuple(v.vid for v in vertices),
        scale=scale,
        rounding=rounding,
    )


def solve_toptw(
    instance: TopTwInstance, *, time_limit_s: float, seed: int = 0
) -> tuple[int, list[list[int]]]:
    """Solve a literature instance; return the total score and each route's vertex ids.

    Routes list literature vertex ids in visiting order, depot excluded (the CLI prints exactly
    ``{"score": ..., "routes": [[...], ...]}``).
    """
    from planner.solve.solver import solve  # the solver imports OR-Tools: only load it when solving

    solution = solve(instance.problem, time_limit_s=time_limit_s, seed=seed)
    ids = instance.vertex_ids
    return solution.score, [[ids[node] for node in route] for route in solution.routes]


def travel_units(squared: Fraction, rounding: Rounding) -> int:
    """Travel time in scaled integer units for a squared Euclidean distance, under a convention.

    ``down1``: ``floor(10 d)`` (distance rounded down to 0.1, times 10). ``up2``: ``ceil(100 d)``.
    ``exact``: ``ceil(1000 d)``: rounding *up* keeps every route the solver accepts feasible
    with exact real distances (arrival times only move later, and all windows and the horizon
    are scaled exactly or rounded inwards), at the price of rejecting a route whose slack is
    below 0.001 per leg. Rounding down would instead accept routes a little infeasible.
    """
    scale = SCALES[rounding]
    target = squared * scale * scale  # (scale * d)^2, an exact rational
    if rounding == "down1":
        return math.isqrt(math.floor(target))  # floor(sqrt(x)) == isqrt(floor(x))
    ceiling = math.ceil(target)
    return 0 if ceiling == 0 else math.isqrt(ceiling - 1) + 1  # smallest n with n^2 >= x


def _parse(path: Path) -> list[_Vertex]:
    """Vertex lines of a file; all malformed lines are reported together."""
    try:
        text = path.read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read the file ({exc})", source=str(path)) from exc
    lines = [(number, line.split()) for number, line in enumerate(text.splitlines(), start=1)]
    lines = [(number, tokens) for number, tokens in lines if tokens]
    if len(lines) < 3:
        raise ConfigError(
            f"{path}: line {len(lines) + 1}: expected a header line, a second line and vertex "
            f"lines; the file has only {len(lines)} non-empty lines",
            source=str(path),
        )
    problems: list[str] = []
    header_line, header = lines[0]
    places = _header_places(header)
    if places is None:
        problems.append(
            f"{path}: line {header_line}: header must be 'k v N t' with an integer N "
            f"(number of places), got {' '.join(header)!r}"
        )
    vertices: list[_Vertex] = []
    for number, tokens in lines[2:]:
        vertex = _vertex(tokens)
        if isinstance(vertex, str):
            problems.append(f"{path}: line {number}: {vertex}")
            continue
        if vertex.vid != len(vertices):
            problems.append(
                f"{path}: line {number}: vertex id {vertex.vid} out of sequence "
                f"(expected {len(vertices)})"
            )
        vertices.append(vertex)
    if places is not None and not problems and len(vertices) != places + 1:
        problems.append(
            f"{path}: line {lines[-1][0]}: header announces {places} places (plus the depot) "
            f"but the file has {len(vertices)} vertex lines"
        )
    if problems:
        raise ConfigError(problems, source=str(path))
    return vertices


def _header_places(tokens: list[str]) -> int | None:
    """``N`` from a ``k v N t`` header, or ``None`` if it is not there."""
    if len(tokens) < 3:
        return None
    try:
        places = int(tokens[2])
    except ValueError:
        return None
    return places if places >= 0 else None


def _vertex(tokens: list[str]) -> _Vertex | str:
    """One vertex line, or a message saying what is wrong with it."""
    if len(tokens) < 7:
        return f"vertex line needs at least 'i x y d S O C' (7 values), got {len(tokens)}"
    try:
        vid = int(tokens[0])
        x, y, service, score, open_, close = (_number(tokens[k]) for k in (1, 2, 3, 4, -2, -1))
    except (ValueError, InvalidOperation):
        return f"vertex line has a value that is not a number: {' '.join(tokens)!r}"
    if score.denominator != 1 or score < 0:
        return f"score S must be a non-negative integer, got {tokens[4]!r}"
    if service < 0:
        return f"visit duration d must be non-negative, got {tokens[3]!r}"
    if close < open_:
        return f"window closes (C = {tokens[-1]}) before it opens (O = {tokens[-2]})"
    return _Vertex(vid, x, y, service, int(score), open_, close)


def _number(token: str) -> Fraction:
    value = Decimal(token)
    if not value.is_finite():
        raise ValueError(token)
    return Fraction(value)


def _build(
    vertices: list[_Vertex], *, routes: int, rounding: Rounding, scale: int
) -> OrienteeringProblem:
    """The scaled integer problem; times that are not multiples of a unit are rounded inwards."""
    n = len(vertices)
    # Integer coordinates on a common denominator keep the exact arithmetic fast.
    denominator = math.lcm(*(c.denominator for v in vertices for c in (v.x, v.y)))
    xs = [int(v.x * denominator) for v in vertices]
    ys = [int(v.y * denominator) for v in vertices]
    travel = np.zeros((n, n), dtype=np.int64)
    for i in range(n):
        for j in range(i + 1, n):
            squared = Fraction((xs[i] - xs[j]) ** 2 + (ys[i] - ys[j]) ** 2, denominator**2)
            travel[i, j] = travel[j, i] = travel_units(squared, rounding)
    depot = vertices[0]
    begin, horizon = math.ceil(depot.open * scale), math.floor(depot.close * scale)
    windows: list[tuple[tuple[int, int], ...]] = [((begin, horizon),)]
    for v in vertices[1:]:
        lo, hi = math.ceil(v.open * scale), math.floor(v.close * scale)
        windows.append(((lo, hi),) if lo <= hi else ())
    return OrienteeringProblem(
        travel=travel,
        service=(0, *(math.ceil(v.service * scale) for v in vertices[1:])),
        score=(0, *(v.score for v in vertices[1:])),
        windows=tuple(windows),
        routes=tuple(Route(0, 0, begin, horizon) for _ in range(routes)),
    )
