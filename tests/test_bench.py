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


def run_bench(tmp_path: Path, *options: str) -> dict:
    """`python -m bench --scales 1e4 OPTIONS` on two queries, a few repetitions; its results.json."""
    results = tmp_path / "results"
    command = [sys.executable, "-m", "bench", "--scales", "1e4", "--queries", "cq01,lookup-iri", *options]
    command += ["--repetitions", "3", "--budget", "0.2", "--validate-up-to", "1e4"]
    command += ["--results", str(results), "--workdir", str(tmp_path / "work")]
    environment = {**os.environ, "PYTHONPATH": str(SERVER)}
    done = subprocess.run(command, env=environment, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    return json.loads((results / "results.json").read_text())


def test_smallest_benchmark_run(tmp_path: Path) -> None:
    results = tmp_path / "results"
    document = run_bench(tmp_path, "--servers", "ozg-kg,pyoxigraph,rdflib")
    runs = {run["server"]: run for run in document["runs"]}
    assert set(runs) == {"ozg-kg[oxigraph]", "pyoxigraph", "rdflib"}
    ours = runs["ozg-kg[oxigraph]"]
    # 10^4 generated quads, validated at this scale and so with their OWL-RL entailments beside them
    assert 10_000 <= ours["quads"] < 20_000
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

    # A second run of our endpoint with its result cache joins the first run's records.
    merged = run_bench(tmp_path, "--servers", "ozg-kg,pyoxigraph", "--stores", "oxigraph+cache")
    runs = {run["server"]: run for run in merged["runs"]}
    assert set(runs) == {"ozg-kg[oxigraph]", "ozg-kg[oxigraph+cache]", "pyoxigraph", "rdflib"}
    first, second = (c["command"] for c in merged["commands"])
    assert runs["rdflib"]["command"] == first and runs["pyoxigraph"]["command"] == second
    assert runs["ozg-kg[oxigraph]"]["command"] == first and "oxigraph+cache" in second
    for query in runs["ozg-kg[oxigraph+cache]"]["queries"]:
        assert not query["error"] and query["answer"] in {"same", "same set"}, query
    report = results / "report.md"
    assert "ozg-kg[oxigraph+cache]" in report.read_text()
    report.unlink()
    # --report-only writes the report again from results.json, running nothing.
    assert run_bench(tmp_path, "--report-only") == merged
    assert "ours beside the others" in report.read_text() and "ours warm p50" in report.read_text()
