"""`ozg-kg serve` as a user starts it: refusals before serving, a persistent store directory, a remote
store that is down. These tests start their own servers on the stores they name."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from pathlib import Path

from ozgkg.serve import STATISTICS
from ozgkg.store.base import Marker

from .conftest import DATA, UMLAUT_DATA, W3C_DATA, free_port, oxigraph_server, start_server, stop_server


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
    unknown = serve("--store", "nosuch")
    assert unknown.returncode == 2 and "unknown store 'nosuch'" in unknown.stderr
    assert serve("--timeout", "0").returncode == 2
    negative = serve("--result-cache", "-1")
    assert negative.returncode == 2 and "--result-cache not negative" in negative.stderr
    memory = serve("--worker-memory", "-1")
    assert memory.returncode == 2 and "--worker-memory not negative" in memory.stderr


def test_persistent_store_directory_is_reopened_while_the_files_are_unchanged(tmp_path: Path) -> None:
    store = tmp_path / "store"
    counts = []
    # The same files twice (the second start only reopens the store), then one file more (reloaded).
    for run, (data, done) in enumerate(
        [([UMLAUT_DATA], "loaded"), ([UMLAUT_DATA], "reopened"), ([UMLAUT_DATA, W3C_DATA], "loaded")]
    ):
        log = tmp_path / f"serve-{run}.log"
        server = start_server(
            ["--store", f"oxigraph:{store}", *(f"--data={path}" for path in data), "--no-validate-extra",
             "--timeout", "5", "--workers", "1", "--result-cache", "0"],
            log,
        )  # fmt: skip
        try:
            health = server.get("/health").json()
            assert health["timeout"] == 5 and health["workers"] == 1
            assert health["result_cache"]["capacity_bytes"] == 0
            reply = server.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
            assert "x-cache" not in reply.headers  # the cache is off: every query is evaluated
            counts.append(int(reply.json()["results"]["bindings"][0]["n"]["value"]))
            assert counts[-1] == health["quads"]
        finally:
            stop_server(server)
        assert f"store oxigraph:{store} {done}" in log.read_text(), log.read_text()[-2000:]
    assert counts[0] == counts[1] < counts[2]
    marker = store / Marker.NAME
    recorded = json.loads(marker.read_text())
    assert recorded["annotations"][STATISTICS]["union"]["triples"] > 0

    # The VoID statistics of a reopened store are read from the marker, not counted again: a
    # figure changed there shows in /health (and the service description) after a restart.
    recorded["annotations"][STATISTICS]["union"]["triples"] = 7
    marker.write_text(json.dumps(recorded))
    server = start_server(
        ["--store", f"oxigraph:{store}", f"--data={UMLAUT_DATA}", f"--data={W3C_DATA}", "--no-validate-extra",
         "--workers", "1"],
        tmp_path / "serve-reopened.log",
    )  # fmt: skip
    try:
        assert server.get("/health").json()["triples"] == 7
    finally:
        stop_server(server)


def test_a_remote_store_that_is_down_is_reported_at_start_and_per_query(tmp_path: Path) -> None:
    down = serve("--store", f"sparql+http://127.0.0.1:{free_port()}/query")
    assert down.returncode == 1 and "cannot be reached" in down.stderr, down.stderr[-2000:]
    assert "Traceback" not in down.stderr

    with oxigraph_server(tmp_path / "remote") as url:
        server = start_server(["--store", f"sparql+{url}", "--workers", "1"], tmp_path / "serve.log")
        assert server.query("ASK { ?s ?p ?o }").json()["boolean"] is True
    try:  # the remote has stopped; the endpoint goes on and says why each query fails
        reply = server.query("ASK { ?s ?p ?o . }")
        assert reply.status == 502 and "cannot be reached" in reply.text, reply.text
        # An answer already given is still at hand, from the result cache.
        again = server.query("ASK { ?s ?p ?o }")
        assert again.status == 200 and again.headers["x-cache"] == "hit"
        assert server.get("/health").status == 200
    finally:
        stop_server(server)


def test_a_taken_port_missing_data_or_an_unwritable_store_fail_before_loading(tmp_path: Path) -> None:
    """Told at once, with the cause and what to do, before seconds of reading and validating."""
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        command = [sys.executable, "-m", "ozgkg.cli", "serve", "--port", str(port)]
        busy = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert busy.returncode == 1, busy.stdout + busy.stderr
    assert f"port {port} on 127.0.0.1 is already in use" in busy.stderr and "--port" in busy.stderr
    assert "read " not in busy.stdout  # nothing was loaded
    directory = serve("--data", str(tmp_path))
    assert directory.returncode == 2 and "is a directory" in directory.stderr
    missing = serve("--data", str(tmp_path / "nosuch.ttl"))
    assert missing.returncode == 2 and "no such file" in missing.stderr
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    store = serve("--store", f"oxigraph:{blocker}/store")
    assert store.returncode == 1 and "cannot be written" in store.stderr and "Traceback" not in store.stderr


def test_a_broken_or_empty_file_leaves_the_persistent_store_as_it_was(tmp_path: Path) -> None:
    store = tmp_path / "store"
    first = start_server(
        ["--store", f"oxigraph:{store}", f"--data={UMLAUT_DATA}", "--no-validate-extra", "--workers", "1"],
        tmp_path / "serve.log",
    )
    try:
        quads = first.get("/health").json()["quads"]
    finally:
        stop_server(first)
    marker = (store / Marker.NAME).read_text()
    broken = tmp_path / "broken.trig"
    # Its first part parses: a load that streams into the store would have cleared it by the error.
    broken.write_text(
        "GRAPH <http://g> { <http://a> <http://b> <http://c> . }\n<a> <b> .\n", encoding="utf-8"
    )
    empty = tmp_path / "empty.trig"
    empty.write_text("# nothing here\n", encoding="utf-8")
    for bad, words in ((broken, f"{broken}:2"), (empty, "holds no triples")):
        result = serve(
            "--store", f"oxigraph:{store}", f"--data={UMLAUT_DATA}", f"--data={bad}", "--no-validate-extra"
        )
        assert result.returncode == 2 and words in result.stderr, result.stderr[-2000:]
        assert (store / Marker.NAME).read_text() == marker  # the store still vouches for its data
    again = start_server(
        ["--store", f"oxigraph:{store}", f"--data={UMLAUT_DATA}", "--no-validate-extra", "--workers", "1"],
        tmp_path / "serve-again.log",
    )
    try:
        assert again.get("/health").json()["quads"] == quads
    finally:
        stop_server(again)
    assert f"store oxigraph:{store} reopened" in (tmp_path / "serve-again.log").read_text()
