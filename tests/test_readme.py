"""The README tells the truth: its Python example and its command-line examples run as written.

Examples that need what a clone does not have (an OSM extract, the network) are skipped by name.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from typer.testing import CliRunner

from planner.cli.main import app as cli_app

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
NEEDS_OUTSIDE = ("geodata build", "pois match", "pois discover", "pois apply")
"""Examples that read a user's own OSM extract or download one: not runnable offline here."""


def blocks(lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", README, flags=re.S)


def cli_examples() -> list[str]:
    lines = [
        ln for b in blocks("sh") for ln in b.splitlines() if ln.startswith(".venv/bin/planner")
    ]
    return [re.sub(r"\s+#.*$", "", ln) for ln in lines if not any(n in ln for n in NEEDS_OUTSIDE)]


def test_the_python_example_runs() -> None:
    """The Python block plans a day, a trip, a re-plan and alternatives without an error."""
    (code,) = blocks("python")
    namespace: dict[str, object] = {}
    exec(compile(code, "README.md", "exec"), namespace)
    assert namespace["day"] is not None and namespace["late"] is not None


@pytest.mark.parametrize("line", cli_examples())
def test_every_command_line_example_runs(line: str) -> None:
    """Each ``planner ...`` line of the README exits 0."""
    args = shlex.split(line)[1:]
    result = CliRunner().invoke(cli_app, args)
    assert result.exit_code == 0, (line, result.output[-2000:])
