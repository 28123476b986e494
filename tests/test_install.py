"""Specification of the installed package: a wheel (``pip install .``, not ``-e``) plans on its own.

The wheel carries the operators' ``configs/`` and the bundled ``geodata/`` as
``planner/_bundled/`` (``[tool.setuptools] package-dir`` in ``pyproject.toml``), where
:func:`planner.data.paths.default_paths` looks when there is no source checkout. The slow test
builds the wheel from a copy of the sources, installs it with ``--no-deps`` into a fresh venv
whose dependencies come from this project's venv (a ``.pth`` line), and plans from a folder
outside the checkout.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys
import sysconfig
import textwrap
import time
import tomllib
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BUNDLED = {"planner._bundled.configs": "configs", "planner._bundled.geodata": "geodata"}


def _setuptools() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"][
        "setuptools"
    ]


def test_pyproject_lists_every_planner_package() -> None:
    """The explicit package list names every folder of ``planner/`` with an ``__init__.py``
    (a new subpackage left out would be missing from the wheel), plus the bundled data."""
    found = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for init in (ROOT / "planner").rglob("__init__.py")
        if "__pycache__" not in init.parts
    }
    listed = set(_setuptools()["packages"])
    assert listed - set(BUNDLED) == found
    assert _setuptools()["package-dir"] == BUNDLED


def _copy_sources(target: Path) -> Path:
    """What the wheel is built from, without caches, backups, locks or built networks."""
    ignore = shutil.ignore_patterns("__pycache__", ".history", ".*.lock", "*.npz", "cache")
    for folder in ("planner", "configs", "geodata"):
        shutil.copytree(ROOT / folder, target / folder, ignore=ignore)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, target / name)
    return target


def _can_build_without_isolation() -> bool:
    """This venv's setuptools is recent enough for pyproject.toml and can write wheels."""
    import setuptools

    major = int(setuptools.__version__.split(".")[0])
    has_wheel = importlib.util.find_spec("wheel") is not None
    return major >= 69 and (has_wheel or major >= 71)


def _build_wheel(source: Path, out: Path) -> Path:
    """``pip wheel --no-deps``, without build isolation when this venv can, else isolated
    (setuptools from the configured package index); skips when neither works."""
    command = [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(out), "."]
    if _can_build_without_isolation():
        command.insert(5, "--no-build-isolation")
    done = subprocess.run(command, cwd=source, capture_output=True, text=True, timeout=180)
    if done.returncode != 0:
        pytest.skip(f"cannot build a wheel here (offline?): {done.stderr.strip()[-500:]}")
    (wheel,) = out.glob("pinggu_planner-*.whl")
    return wheel


def _venv_on_these_dependencies(path: Path) -> Path:
    """A fresh venv without pip whose ``site-packages`` reaches this venv's through a .pth."""
    venv.EnvBuilder(with_pip=False).create(path)
    python = path / "bin" / "python"
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    ours = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (Path(site) / "_project_dependencies.pth").write_text("\n".join(sorted(ours)) + "\n")
    return python


PLAN = """
import json, sys
import planner
from planner import Planner, TripRequest
from planner.data.paths import default_paths

one = Planner.from_configs()
day = one.plan(TripRequest(date="2027-04-17", start="pinggu-bus-station"))
bus = one.plan(TripRequest(date="2027-07-14", start="pinggu-bus-station", mode="bus"))
paths = default_paths()
print(json.dumps({
    "file": planner.__file__,
    "stops": [s.poi_id for s in day.stops],
    "rides": sum(p.kind == "ride" for leg in bus.legs for p in leg.transit),
    "configs": str(paths.configs_dir),
    "geodata": str(paths.geodata_dir),
}))
"""


@pytest.mark.slow
def test_an_installed_wheel_plans_on_its_bundled_data(tmp_path: Path) -> None:
    """Built, installed with ``--no-deps`` into a fresh venv and run from another folder, the
    package plans 2027-04-17 from the bus station on the bundled catalogue (and a car-free
    day on its bundled timetable), imports itself
    from the venv (not from this checkout), and caches its compiled kernels there."""
    began = time.perf_counter()
    wheel = _build_wheel(_copy_sources(tmp_path / "src"), tmp_path / "dist")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {
        "planner/_bundled/configs/pois.yaml",
        "planner/_bundled/configs/roads.yaml",
        "planner/_bundled/configs/transit/stop_times.txt",
        "planner/_bundled/configs/transit/README.md",
        "planner/_bundled/geodata/pinggu_boundary_wgs84.geojson",
        "planner/solve/_lns_kernels.py",
        "planner/py.typed",
    } <= names

    python = _venv_on_these_dependencies(tmp_path / "venv")
    install = [sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps"]
    subprocess.run(
        [*install, str(wheel)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "XDG_CACHE_HOME": str(tmp_path)}
    done = subprocess.run(
        [str(python), "-c", textwrap.dedent(PLAN)],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])

    installed = Path(result["file"]).parent
    assert installed.is_relative_to(tmp_path / "venv"), result["file"]
    assert not installed.is_relative_to(ROOT)
    assert result["stops"], "the installed package planned no stops"
    assert result["rides"], "the installed package's bus day rides no bus (its feed is missing)"
    assert Path(result["configs"]) == installed / "_bundled" / "configs"
    assert Path(result["geodata"]) == installed / "_bundled" / "geodata"
    assert list((installed / "solve" / "__pycache__").glob("_lns_kernels.*.nbi")), (
        "numba did not cache the compiled kernels in the installed copy"
    )
    print(f"wheel built, installed and planned in {time.perf_counter() - began:.1f} s")
