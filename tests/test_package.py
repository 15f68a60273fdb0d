"""The built wheel carries the knowledge, so an installed `ozg-kg validate` works outside the repository."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent


def build_wheel(target: Path) -> Path:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(target),
            str(REPOSITORY),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    return next(target.glob("ozg_kg-*.whl"))


def test_wheel_carries_ontology_graph_and_shapes(tmp_path: Path) -> None:
    wheel = build_wheel(tmp_path)
    names = zipfile.ZipFile(wheel).namelist()
    for folder, suffix in (
        ("ontology", ".ttl"),
        ("graph", ".trig"),
        ("shapes", ".ttl"),
        ("graph/queries", ".rq"),
    ):
        assert any(n.startswith(f"ozgkg/data/{folder}/") and n.endswith(suffix) for n in names), folder
    assert "ozgkg/cli.py" in names


def test_installed_wheel_validates_outside_the_repository(tmp_path: Path) -> None:
    wheel = build_wheel(tmp_path / "dist")
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    # PYTHONPATH puts the unpacked wheel before the editable checkout, as an installed copy would be.
    env = {**os.environ, "PYTHONPATH": str(site)}
    where = subprocess.run(
        [sys.executable, "-c", "import ozgkg.paths as p; print(p.data_root())"],
        capture_output=True,
        text=True,
        cwd=elsewhere,
        env=env,
        check=True,
    )
    assert Path(where.stdout.strip()) == site / "ozgkg" / "data"
    result = subprocess.run(
        [sys.executable, "-m", "ozgkg.cli", "validate"],
        capture_output=True,
        text=True,
        cwd=elsewhere,
        env=env,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert "conforms" in result.stdout
