"""Specification of :mod:`planner.solve.toptw`: reading the literature TOPTW instances.

The literature files live in ``../shared/benchmarks/toptw/instances`` (tests that need them skip
when the folder is absent); small hand-made files, valid and broken, are in ``tests/data/toptw``.
"""

from __future__ import annotations

import math
import random
from fractions import Fraction
from pathlib import Path

import pytest

from planner.errors import ConfigError
from planner.solve.solver import is_feasible
from planner.solve.toptw import default_rounding, read_toptw, solve_toptw, travel_units

DATA = Path(__file__).parent / "data" / "toptw"
LITERATURE = Path(__file__).resolve().parents[2] / "shared" / "benchmarks" / "toptw" / "instances"
needs_literature = pytest.mark.skipif(
    not LITERATURE.is_dir(), reason=f"literature instances not found at {LITERATURE}"
)


@needs_literature
def test_reads_c101_counts_and_units() -> None:
    """c101: 100 places plus the depot, times x10 (down1), horizon 1236 -> 12360, scores kept."""
    instance = read_toptw(LITERATURE / "c101.txt")
    problem = instance.problem
    assert (instance.name, instance.rounding, instance.scale) == ("c101", "down1", 10)
    assert problem.size == 101
    assert instance.vertex_ids == tuple(range(101))
    assert problem.travel.shape == (101, 101)
    assert len(problem.routes) == 1
    assert problem.routes[0].latest_end == 12360
    assert problem.windows[1] == ((9120, 9670),)
    assert problem.service[1] == 900
    assert problem.score[:3] == (0, 10, 30)
    # (40, 50) -> (45, 68): sqrt(349) = 18.681..., rounded down to 18.6 -> 186 units.
    assert problem.travel[0, 1] == 186


@needs_literature
def test_reads_pr01_counts_with_crlf_and_m_routes() -> None:
    """pr01 (CRLF endings): 48 places, times x100 (up2), and m routes from the caller."""
    instance = read_toptw(LITERATURE / "pr01.txt", routes=3)
    problem = instance.problem
    assert (instance.rounding, instance.scale) == ("up2", 100)
    assert problem.size == 49
    assert len(problem.routes) == 3
    assert all(r.start == r.end == 0 and r.latest_end == 100_000 for r in problem.routes)
    # O and C are the last two tokens even though the list before them varies in length.
    assert problem.windows[1] == ((35400, 50900),)
    assert sum(problem.score) > 0


def test_default_rounding_follows_the_file_name() -> None:
    """The literature's convention: ``up2`` for Cordeau ``pr*`` files, ``down1`` otherwise."""
    assert default_rounding("pr07") == "up2"
    assert default_rounding("rc101") == "down1"
    assert default_rounding("c201") == "down1"


def test_rounding_conventions_on_the_square_root_of_two() -> None:
    """sqrt(2) = 1.41421...: down1 -> 1.4 (14), up2 -> 1.42 (142), exact -> 1415 (ceil, x1000)."""
    two = Fraction(2)
    assert travel_units(two, "down1") == 14
    assert travel_units(two, "up2") == 142
    assert travel_units(two, "exact") == 1415


def test_exact_distances_round_exactly_without_float_error() -> None:
    """A 3-4-5 triangle is exactly 5 in every convention: no rounding up of an exact value."""
    assert travel_units(Fraction(25), "down1") == 50
    assert travel_units(Fraction(25), "up2") == 500
    assert travel_units(Fraction(25), "exact") == 5000
    assert travel_units(Fraction(0), "exact") == 0


def test_exact_rounding_never_underestimates_travel() -> None:
    """``exact`` rounds up, so a route feasible in the integer model is feasible with real distances."""
    rng = random.Random(7)
    for _ in range(500):
        squared = Fraction(rng.randint(0, 10**6), 100) ** 2 + Fraction(rng.randint(0, 10**6), 100)
        units = travel_units(squared, "exact")
        assert units / 1000 >= math.sqrt(squared) - 1e-9
        assert (units - 1) / 1000 < math.sqrt(squared)


def test_tiny_crlf_file_reads_and_solves_to_its_known_optimum() -> None:
    """tiny.txt: all three places fit (1, 2, then wait for 3's window); the shortest order wins."""
    instance = read_toptw(DATA / "tiny.txt")
    assert instance.problem.size == 4
    assert instance.problem.travel[2, 3] == 67  # sqrt(45) = 6.708 -> 6.7
    score, routes = solve_toptw(instance, time_limit_s=0.2)
    assert score == 35
    assert routes == [[1, 2, 3]]


def test_routes_must_be_positive() -> None:
    """m = 0 routes is a configuration error, not an empty plan."""
    with pytest.raises(ConfigError, match="routes must be at least 1"):
        read_toptw(DATA / "tiny.txt", routes=0)


def test_malformed_values_are_all_reported_with_file_and_line() -> None:
    """A non-numeric score (line 5) and a window closing before it opens (line 6): both named."""
    with pytest.raises(ConfigError) as caught:
        read_toptw(DATA / "bad_values.txt")
    problems = [str(p) for p in caught.value.problems]
    assert len(problems) == 2
    assert "bad_values.txt: line 5:" in problems[0] and "not a number" in problems[0]
    assert "bad_values.txt: line 6:" in problems[1] and "closes" in problems[1]


def test_missing_vertex_lines_name_the_last_line() -> None:
    """The header announces 5 places but only 2 vertex lines follow: the error says so."""
    with pytest.raises(ConfigError, match=r"missing_vertices\.txt: line 4: header announces 5"):
        read_toptw(DATA / "missing_vertices.txt")


def test_bad_header_names_line_one() -> None:
    """A header without an integer N is reported at line 1."""
    with pytest.raises(ConfigError, match=r"bad_header\.txt: line 1: header must be"):
        read_toptw(DATA / "bad_header.txt")


def test_missing_file_is_a_config_error() -> None:
    """An unreadable file is a ConfigError naming the file, not an OSError."""
    with pytest.raises(ConfigError, match=r"no_such_file\.txt: cannot read"):
        read_toptw(DATA / "no_such_file.txt")


@needs_literature
def test_c101_solution_is_feasible_and_scored_in_literature_ids() -> None:
    """solve_toptw answers in vertex ids; the score is the sum of those vertices' scores."""
    instance = read_toptw(LITERATURE / "c101.txt")
    score, routes = solve_toptw(instance, time_limit_s=0.3, seed=0)
    ids = list(instance.vertex_ids)
    nodes = tuple(tuple(ids.index(v) for v in route) for route in routes)
    assert is_feasible(instance.problem, nodes) == []
    assert score == sum(instance.problem.score[n] for route in nodes for n in route)
    assert score >= 280  # best known 320; a broken solver returns far less


@needs_literature
def test_c101_truncated_gives_the_same_routes_for_the_same_seed() -> None:
    """A mid-size literature problem (c101, first 50 places) with two routes and two worker
    processes: the same seed returns the very same routes."""
    import dataclasses

    from planner.solve.solver import SearchSettings, solve

    problem = read_toptw(LITERATURE / "c101.txt", routes=2).problem
    keep = 51
    small = dataclasses.replace(
        problem,
        travel=problem.travel[:keep, :keep],
        service=problem.service[:keep],
        score=problem.score[:keep],
        windows=problem.windows[:keep],
    )
    roomy = SearchSettings(safety_factor=100)  # the net must not decide on a loaded machine
    first = solve(small, time_limit_s=0.3, seed=3, settings=roomy)
    second = solve(small, time_limit_s=0.3, seed=3, settings=roomy)
    assert first.routes == second.routes
    assert is_feasible(small, first.routes) == []


@needs_literature
def test_pr01_with_two_routes_is_feasible_and_good() -> None:
    """pr01, m = 2: a feasible plan within a few percent of the best known 502."""
    instance = read_toptw(LITERATURE / "pr01.txt", routes=2)
    score, routes = solve_toptw(instance, time_limit_s=0.5, seed=0)
    ids = list(instance.vertex_ids)
    assert is_feasible(instance.problem, [[ids.index(v) for v in r] for r in routes]) == []
    assert score >= 460
