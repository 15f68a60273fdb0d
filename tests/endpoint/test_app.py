"""The app as a Flask extension: built in-process and cheaply, its blueprints importing downward only."""

from __future__ import annotations

import subprocess
import sys

import pytest

from ozgkg.web import extension
from ozgkg.web.app import BLUEPRINTS, create_app

from .conftest import InProcess


class _NoProcesses:
    def __init__(self, *args: object, **kwargs: object) -> None:
        raise AssertionError("building the app must not start a process (pyLODE runs on first request)")


def test_building_the_app_starts_no_pylode_run(
    app_server: InProcess, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = app_server.app.extensions[extension.EXTENSION].config
    monkeypatch.setattr(extension, "ProcessPoolExecutor", _NoProcesses)
    app = create_app(config)
    try:
        assert {module.blueprint.name for module in BLUEPRINTS} == set(app.blueprints)
        # /export is a blueprint of its own, not one the UI brings along.
        assert {rule.endpoint for rule in app.url_map.iter_rules() if rule.rule == "/export"} == {
            "graph_export.export_graph"
        }
        with app.test_client() as client:
            assert client.get("/health").status_code == 200
    finally:
        app.extensions[extension.EXTENSION].close()


def test_blueprints_do_not_import_the_app() -> None:
    code = (
        "import sys\n"
        "from ozgkg.web import graph_export, graph_store, meta, pages, sparql, ui\n"
        "assert 'ozgkg.web.app' not in sys.modules, 'a blueprint imports ozgkg.web.app'\n"
        "assert 'ozgkg.store.memory' not in sys.modules, 'the web layer imports the memory store'\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
