"""The built wheel is what a practice installs: pure Python, complete, and runs the demo on its own.

`make dist` builds the sdist and, from it, the wheel (``python -m build``). This test does the same
build (without build isolation, so no download), installs the wheel into a fresh virtual environment
and runs ``infusion-billing demo`` from that environment, far from this source tree. The
dependencies come from the project's own environment (a ``.pth`` line), so nothing is downloaded.
"""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow


def quiet_env() -> dict[str, str]:
    """The environment a user builds in (this sandbox sets PYTHONDONTWRITEBYTECODE, which makes
    setuptools print that byte-compiling is skipped)."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


@pytest.fixture(scope="module")
def dist(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    done = subprocess.run([sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out)], cwd=ROOT,
                          env=quiet_env(), capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    warnings = [line for line in (done.stdout + done.stderr).splitlines()
                if "warning" in line.lower() or "deprecat" in line.lower()]
    assert warnings == [], "the build must be quiet"
    return out


def only(folder: Path, pattern: str) -> Path:
    (found,) = folder.glob(pattern)
    return found


def test_make_dist_gives_a_pure_python_wheel_and_an_sdist(dist):
    wheel = only(dist, "*.whl")
    assert wheel.name == "infusion_billing-0.1.0-py3-none-any.whl"
    sdist = only(dist, "*.tar.gz")
    assert sdist.name == "infusion_billing-0.1.0.tar.gz"
    names = set(zipfile.ZipFile(wheel).namelist())
    for member in ("infusion_billing/udfs/__init__.py", "infusion_billing/macros/_runner.py",
                   "infusion_billing/coding/tables/hierarchy.csv", "infusion_billing/reference/drugs.csv",
                   "infusion_billing/store/spark-log4j2.properties",
                   "infusion_billing-0.1.0.dist-info/licenses/LICENSE"):
        assert member in names
    assert not [n for n in names if n.endswith((".so", ".pyd", ".dylib"))]


def test_wheel_metadata_is_ready_for_publishing(dist):
    wheel = zipfile.ZipFile(only(dist, "*.whl"))
    meta = wheel.read("infusion_billing-0.1.0.dist-info/METADATA").decode()
    assert "License-Expression: BSD-3-Clause" in meta
    assert "License-File: LICENSE" in meta
    assert "Classifier: Intended Audience :: Healthcare Industry" in meta
    assert "Project-URL: Homepage, " in meta
    assert "Description-Content-Type: text/markdown" in meta
    license_text = wheel.read("infusion_billing-0.1.0.dist-info/licenses/LICENSE").decode()
    assert license_text.startswith("BSD 3-Clause License")


def test_the_installed_wheel_runs_the_demo_from_a_fresh_environment(dist, tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    fresh_site = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                                     check=True, capture_output=True, text=True).stdout.strip())
    # The dependencies (pandas, pydantic, ...) from this environment; infusion_billing only from the wheel.
    (fresh_site / "project_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    install = subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps",
                              "--no-index", "--quiet", str(only(dist, "*.whl"))], capture_output=True, text=True)
    assert install.returncode == 0, install.stderr

    where = subprocess.run([str(python), "-c", "import infusion_billing.udfs, infusion_billing.macros as m; "
                            "print(m.__file__)"], cwd=tmp_path, capture_output=True, text=True)
    assert where.returncode == 0, where.stderr
    assert Path(where.stdout.strip()).is_relative_to(fresh_site)

    demo = subprocess.run([str(venv / "bin" / "infusion-billing"), "demo", "-o", "demo.xlsx", "--encounters", "40"],
                          cwd=tmp_path, capture_output=True, text=True)
    assert demo.returncode == 0, demo.stderr[-3000:]
    assert "Planted defects found" in demo.stdout
    assert (tmp_path / "demo.xlsx").stat().st_size > 10_000
    assert (tmp_path / "demo-input.xlsx").is_file()
