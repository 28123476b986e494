"""Specification of the package's layers, read from the source: who may import whom.

Every module's imports are parsed with :mod:`ast`: module level, inside functions, and inside
``if TYPE_CHECKING:`` blocks alike, since a lazy import is still a dependency. The layers, low
to high (``docs/ARCHITECTURE.md`` explains them):

    errors < model < i18n < data < travel < verify < solve < plan < present < cli, service

A module may import its own layer and any lower one, never a higher one. On top of the order:

- ``solve`` is a solver over plain arrays: from ``planner`` it imports only ``errors``
  (no model, travel, data or plan), so it can be benchmarked and tested on its own.
- ``service`` never imports ``cli`` (the CLI may import ``service`` to start it).
- ``planner/__init__.py`` (the curated API) imports core layers only, never the shells; a core
  module importing it counts as importing ``plan``, the highest layer it pulls in.
- Nothing in ``planner`` imports ``webapp`` or ``streamlit``; ``app.py`` and ``webapp/`` may
  import anything in ``planner``.
- The core (everything but ``cli`` and ``service``) imports no shell framework: streamlit,
  fastapi, typer, rich, uvicorn, ray.

Known violations are listed below, each with the reason, and the tests also fail when one of
them is gone, so the lists only shrink.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "planner"

LAYERS = ("errors", "model", "i18n", "data", "travel", "verify", "solve", "plan", "present", "cli", "service")
RANK = {**{name: i for i, name in enumerate(LAYERS)}, "service": LAYERS.index("cli")}
"""Position of each layer; ``cli`` and ``service`` share the top."""
SHELLS = frozenset({"cli", "service"})
FACADE_RANK = RANK["plan"]
"""``import planner`` pulls in the curated API, which reaches up to ``plan``."""
SOLVE_MAY_IMPORT = frozenset({"solve", "errors"})
SHELL_FRAMEWORKS = frozenset({"streamlit", "fastapi", "typer", "rich", "uvicorn", "ray"})
HEAVY_AT_IMPORT = ("osmnx", "numba", "ortools", "streamlit", "fastapi")
"""What ``import planner`` must not load: each costs a second or more, or belongs to a shell."""

KNOWN_LAYER_VIOLATIONS: dict[tuple[str, str], str] = {}
"""Imports that break the layering on purpose, with why (none today; each must say why)."""
KNOWN_FRAMEWORK_IMPORTS: dict[tuple[str, str], str] = {}
KNOWN_STDLIB_NAMES: dict[str, str] = {}
KNOWN_HEAVY_AT_IMPORT: dict[str, str] = {}


@dataclass(frozen=True)
class Import:
    """One import statement: the importing module, the imported module, and where."""

    module: str
    target: str
    line: int


def module_name(path: Path) -> str:
    """``planner/solve/solver.py`` -> ``planner.solve.solver``; packages drop ``__init__``."""
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path, *, module: str | None = None) -> Iterator[Import]:
    """Every import in ``path``, anywhere in the file, with relative imports resolved.

    ``from a import b`` yields ``a.b`` when that is a module of this project, else ``a``.
    ``module`` names the file when it lies outside the project.
    """
    module = module or module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield Import(module, alias.name, node.lineno)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                source = ".".join([*base, node.module] if node.module else base)
            else:
                source = node.module or ""
            for alias in node.names:
                candidate = f"{source}.{alias.name}"
                yield Import(module, candidate if _is_module(candidate) else source, node.lineno)


def _is_module(dotted: str) -> bool:
    path = ROOT.joinpath(*dotted.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def python_files(*roots: Path) -> list[Path]:
    """The ``.py`` files under ``roots`` (files or folders), caches excluded."""
    files: list[Path] = []
    for root in roots:
        files.extend([root] if root.is_file() else sorted(root.rglob("*.py")))
    return [f for f in files if "__pycache__" not in f.parts]


def all_imports(*roots: Path) -> list[Import]:
    return [imp for f in python_files(*roots) for imp in imports_of(f)]


def layer_of(module: str) -> str | None:
    """``planner.solve._lns`` -> ``solve``; ``None`` for ``planner`` itself."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else None


def layer_violations(imports: list[Import]) -> dict[tuple[str, str], str]:
    """Imports inside ``planner`` that break the layer rules, each with the rule it breaks."""
    broken: dict[tuple[str, str], str] = {}
    for imp in imports:
        if imp.target != "planner" and not imp.target.startswith("planner."):
            continue
        source, target = layer_of(imp.module), layer_of(imp.target)
        if source is None:  # the curated API
            if target in SHELLS:
                broken[imp.module, imp.target] = "planner/__init__.py imports a shell"
            continue
        if source == "solve" and (target or "planner") not in SOLVE_MAY_IMPORT:
            broken[imp.module, imp.target] = "solve imports only planner.errors"
        elif source == "service" and target == "cli":
            broken[imp.module, imp.target] = "service imports cli"
        elif RANK[source] < (FACADE_RANK if target is None else RANK[target]):
            broken[imp.module, imp.target] = f"{source} imports the higher layer {target}"
    return broken


def framework_imports(imports: list[Import]) -> dict[tuple[str, str], str]:
    """Imports of webapp/streamlit anywhere in planner, and of shell frameworks in the core."""
    found: dict[tuple[str, str], str] = {}
    for imp in imports:
        top = imp.target.split(".")[0]
        if top in {"webapp", "streamlit"}:
            found[imp.module, top] = f"planner imports {top}"
        elif top in SHELL_FRAMEWORKS and layer_of(imp.module) not in SHELLS:
            found[imp.module, top] = f"the core imports {top}"
    return found


def _check_against_known(found: dict, known: dict) -> None:
    new = {k: v for k, v in found.items() if k not in known}
    assert not new, f"new violations: {new}"
    gone = set(known) - set(found)
    assert not gone, f"fixed, remove from the known list: {sorted(gone)}"


def run_python(code: str, *, cwd: Path = ROOT) -> dict:
    """Run ``code`` in a fresh interpreter; it prints one JSON value, returned here."""
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_parser_sees_imports_in_functions_and_type_checking_blocks(tmp_path: Path) -> None:
    """Lazy imports and ``TYPE_CHECKING`` imports count like module-level ones."""
    source = tmp_path / "m.py"
    source.write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from planner.plan import planner\n"
        "def f():\n    import osmnx\n    from planner.travel.base import TravelTimes\n"
    )
    targets = {imp.target for imp in imports_of(source, module="planner.data.m")}
    assert {"typing", "planner.plan.planner", "osmnx", "planner.travel.base"} <= targets


def test_lower_layers_never_import_higher_ones() -> None:
    """errors < model < i18n < data < travel < solve < plan < present < cli, service."""
    _check_against_known(layer_violations(all_imports(PACKAGE)), KNOWN_LAYER_VIOLATIONS)


def test_the_rules_catch_a_bad_import() -> None:
    """A data module importing the planner, or solve importing travel, is reported."""
    bad = [
        Import("planner.data.catalog", "planner.plan.planner", 1),
        Import("planner.solve.solver", "planner.travel.base", 1),
        Import("planner.solve.solver", "planner.model", 1),
        Import("planner.service.api", "planner.cli.main", 1),
        Import("planner.travel.roads", "planner", 1),
        Import("planner", "planner.cli.main", 1),
    ]
    assert len(layer_violations(bad)) == len(bad)
    ok = [
        Import("planner.plan.planner", "planner.solve.solver", 1),
        Import("planner.cli.service", "planner.service.api", 1),
        Import("planner.present.timeline", "planner.model", 1),
        Import("planner.solve._lns", "planner.errors", 1),
    ]
    assert layer_violations(ok) == {}
    assert framework_imports([Import("planner.plan.live", "streamlit.runtime", 1)])
    assert framework_imports([Import("planner.cli.main", "webapp.plan", 1)])
    assert not framework_imports([Import("planner.cli.main", "typer", 1)])


def test_solve_imports_only_errors_from_planner() -> None:
    """The solver sees plain arrays: no model, travel, data, plan or i18n."""
    used = {
        layer_of(i.target)
        for i in all_imports(PACKAGE / "solve")
        if i.target.startswith("planner.") or i.target == "planner"
    }
    assert used <= SOLVE_MAY_IMPORT, used


def test_planner_never_imports_webapp_and_the_core_no_shell_framework() -> None:
    """streamlit and webapp stay out of planner; fastapi, typer, rich, uvicorn, ray out of
    the core."""
    _check_against_known(framework_imports(all_imports(PACKAGE)), KNOWN_FRAMEWORK_IMPORTS)


def test_the_web_app_reaches_planner_only_through_its_modules() -> None:
    """app.py and webapp/ import existing planner modules (a rename breaks this test first)."""
    for imp in all_imports(ROOT / "app.py", ROOT / "webapp"):
        if imp.target.startswith("planner."):
            assert _is_module(imp.target), imp


def test_no_module_is_named_like_the_standard_library() -> None:
    """A module named ``http`` or ``calendar`` shadows the standard one for scripts run inside
    its folder and confuses readers."""
    found = {
        str(f.relative_to(ROOT))
        for f in python_files(PACKAGE, ROOT / "webapp")
        if f.stem in sys.stdlib_module_names
        or any(part in sys.stdlib_module_names for part in f.relative_to(ROOT).parts[:-1])
    }
    _check_against_known(dict.fromkeys(found, ""), KNOWN_STDLIB_NAMES)


@pytest.mark.parametrize("init", sorted(PACKAGE.glob("*/__init__.py")), ids=lambda p: p.parent.name)
def test_every_subpackage_says_what_it_holds(init: Path) -> None:
    """Each subpackage's ``__init__.py`` opens with a docstring."""
    assert ast.get_docstring(ast.parse(init.read_text(encoding="utf-8"))), init


def test_import_planner_loads_no_heavy_or_shell_library() -> None:
    """``import planner`` does not load osmnx, numba, ortools, streamlit or fastapi."""
    loaded = run_python(
        f"""
        import json, sys
        import planner
        print(json.dumps([m for m in {list(HEAVY_AT_IMPORT)!r} if m in sys.modules]))
        """
    )
    _check_against_known(dict.fromkeys(loaded, ""), KNOWN_HEAVY_AT_IMPORT)


def test_reading_a_road_network_artifact_does_not_import_osmnx(tmp_path: Path) -> None:
    """``load_network`` reads the ``.npz`` with numpy alone; osmnx is for building."""
    loaded = run_python(
        f"""
        import json, sys
        from pathlib import Path
        import numpy as np
        from planner.travel import network as n

        arrays = {{"drive.node_lon": np.array([117.1, 117.2])}}
        manifest = {{
            "format": "pinggu-roads", "version": n.ARTIFACT_VERSION, "settings_digest": "x",
            "networks": {{"drive": {{"modes": ["car"]}}}},
            "hash": n.content_hash(arrays, "x"),
        }}
        path = n.save_network(n.RoadNetwork(manifest=manifest, arrays=arrays), Path({str(tmp_path)!r}))
        loaded = n.load_network(path, verify=True)
        assert loaded.network_types == ["drive"]
        print(json.dumps([m for m in ("osmnx", "networkx") if m in sys.modules]))
        """
    )
    assert loaded == [], loaded
