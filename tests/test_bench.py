"""The benchmark's smallest mode runs end to end: our endpoint and the two in-process engines at 10^4
quads, two queries, a few repetitions. It checks that the script works and writes its files, never how
fast anything is (timings on a shared CI machine prove nothing); Virtuoso and rdflib-endpoint run only
with `bash server/dev.sh bench`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

SERVER = Path(__file__).resolve().parent.parent / "server"


def test_smallest_benchmark_run(tmp_path: Path) -> None:
    results = tmp_path / "results"
    command = [sys.executable, "-m", "bench", "--scales", "1e4", "--servers", "ozg-kg,pyoxigraph,rdflib"]
    command += [
        "--queries",
        "cq01,lookup-iri",
        "--repetitions",
        "3",
        "--budget",
        "0.2",
        "--validate-up-to",
        "1e4",
    ]
    command += ["--results", str(results), "--workdir", str(tmp_path / "work")]
    environment = {**os.environ, "PYTHONPATH": str(SERVER)}
    done = subprocess.run(command, env=environment, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stdout + done.stderr

    runs = {run["server"]: run for run in json.loads((results / "results.json").read_text())["runs"]}
    assert set(runs) == {"ozg-kg[oxigraph]", "pyoxigraph", "rdflib"}
    ours = runs["ozg-kg[oxigraph]"]
    assert 10_000 <= ours["quads"] < 11_000
    assert ours["ready_s"] > 0 and ours["peak_rss"] > 0 and ours["disk_bytes"] > 0
    assert "validation_s" in ours
    for run in runs.values():
        assert "skipped" not in run, run
        queries = {q["query"]: q for q in run["queries"]}
        assert set(queries) == {"cq01-municipal-ozg-coordination", "lookup-iri"}
        for query in queries.values():
            assert not query["error"], query
            assert query["phases"][0]["n"] >= 1
            # Duplicates across named graphs: Oxigraph's union default graph keeps them, ours and
            # rdflib's do not, so the rows may agree as a set only.
            assert query["answer"] in {"same", "same set"}, query
    assert ours["queries"][0]["phases"][1]["concurrency"] == 8
    for name in ("latency.csv", "servers.csv", "report.md", "latency-by-class.png", "memory-and-load.png"):
        assert (results / name).stat().st_size > 0, name
