"""The built wheel carries the knowledge, so an installed `ozg-kg validate` works outside the repository."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

from playwright.sync_api import Playwright

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


def test_installed_wheel_serves_the_whole_ui(tmp_path: Path, playwright: Playwright) -> None:
    """`pip install` of the wheel into a fresh venv, then `ozg-kg serve` outside the repository: `/`
    and `/graph` load in Chromium with their browser libraries, no console error and no 404."""
    from browser.conftest import CHROMIUM, CHROMIUM_ARGS
    from endpoint.conftest import start_server, stop_server

    wheel = build_wheel(tmp_path / "dist")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    python = str(venv / "bin" / "python")
    pip = [python, "-m", "pip", "install", "-q", "--disable-pip-version-check", str(wheel)]
    installed = subprocess.run(pip, capture_output=True, text=True, timeout=600, check=False)
    assert installed.returncode == 0, installed.stderr[-3000:]
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {"PYTHONPATH": ""}  # nothing of the checkout: the venv's own ozgkg
    server = start_server(["--workers", "1"], tmp_path / "serve.log", env=env, python=python, cwd=elsewhere)
    failures: list[str] = []
    try:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(base_url=server.base)
        page.on("console", lambda m: failures.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda error: failures.append(str(error)))
        page.on("response", lambda r: failures.append(f"{r.status} {r.url}") if r.status >= 400 else None)
        page.goto("/")
        page.wait_for_selector(".yasgui .CodeMirror", timeout=30_000)
        page.goto("/explore")
        page.wait_for_function("() => window.cytoscape !== undefined", timeout=30_000)
        page.wait_for_function("() => document.querySelector('[data-graph]').cy?.nodes().length > 0")
        browser.close()
    finally:
        stop_server(server)
    assert not failures, failures
