"""Shared plumbing of the command-line shells (``planner ...``): how a user error is printed."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from rich.markup import escape

from planner.errors import Problem


def fail(message: str, code: int = 2) -> NoReturn:
    """Print ``error: <message>`` as one line on stderr and exit with ``code`` (2: bad input).

    The message is printed as it is (``[lon, lat]`` is text, not rich markup)."""
    Console(stderr=True, highlight=False, soft_wrap=True).print(
        f"[bold red]error:[/] {escape(message)}", markup=True
    )
    raise typer.Exit(code)


def fail_with(problem: Problem, options: Mapping[str, str] | None = None) -> NoReturn:
    """:func:`fail` naming the problem's field as the command line spells it (``--from: ...``).

    ``options`` maps request fields to options; a field it lacks is named as it is (the
    geodata commands' problems already name their option).
    """
    field = problem.field or problem.entity
    fail(f"{(options or {}).get(field, field)}: {problem.message}")


# Options several commands share, declared once.
RoadsOption = Annotated[
    bool,
    typer.Option("--roads/--no-roads", help="Use the built road network when there is one"),
]
ConfigsOption = Annotated[
    Path | None, typer.Option(help="Configs folder (default: the bundled configs/)")
]
