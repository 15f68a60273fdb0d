"""`ozg-kg serve` as a user starts it: refusals before serving, a persistent store directory."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from .conftest import DATA, UMLAUT_DATA, free_port, start_server, stop_server


def serve(*args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "ozgkg.cli", "serve", "--port", str(free_port()), *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=300)


def test_refuses_to_serve_an_invalid_graph() -> None:
    result = serve("--data", str(DATA / "invalid-land.ttl"))
    assert result.returncode == 1, result.stdout[-2000:] + result.stderr[-2000:]
    assert "does NOT conform" in result.stdout
    assert "nowhere" in result.stdout  # the report names the offending node
    assert "not serving an invalid graph" in result.stderr
    assert "SPARQL endpoint at" not in result.stdout


def test_unreadable_file_and_bad_options_are_reported(tmp_path: Path) -> None:
    broken = tmp_path / "broken.ttl"
    broken.write_text("<a> <b> .\n", encoding="utf-8")
    loading = serve("--data", str(broken), "--no-validate-extra")
    assert loading.returncode == 2 and f"{broken}:1" in loading.stderr and "Traceback" not in loading.stderr
    assert serve("--store", "memory").returncode == 2
    assert serve("--timeout", "0").returncode == 2


def test_persistent_store_directory_is_reloaded_not_appended(tmp_path: Path) -> None:
    store = tmp_path / "store"
    counts = []
    for run in range(2):
        server = start_server(
            ["--store", f"oxigraph:{store}", "--data", str(UMLAUT_DATA), "--no-validate-extra",
             "--timeout", "5", "--workers", "1"],
            tmp_path / f"serve-{run}.log",
        )  # fmt: skip
        try:
            health = server.get("/health").json()
            assert health["timeout"] == 5 and health["workers"] == 1
            reply = server.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
            counts.append(int(reply.json()["results"]["bindings"][0]["n"]["value"]))
            assert counts[-1] == health["quads"]
        finally:
            stop_server(server)
    assert counts[0] == counts[1]
    assert any(store.iterdir())
