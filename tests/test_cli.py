"""The `ozg-kg` command as a user runs it: exit codes, readable errors, answers."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

OZG_KG = [sys.executable, "-m", "ozgkg.cli"]


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*OZG_KG, *args], capture_output=True, text=True, cwd=cwd, timeout=300)


def test_validate_shipped_graph_conforms() -> None:
    result = run("validate")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "conforms: 0 violation(s)" in result.stdout


def test_turtle_syntax_error_names_file_line_and_cause(tmp_path: Path) -> None:
    broken = tmp_path / "broken.ttl"
    broken.write_text(
        '@prefix ex: <http://example.org/> .\nex:a ex:b ex:c .\nex:d ex:e "open .\n', encoding="utf-8"
    )
    result = run("validate", "--data", str(broken))
    assert result.returncode == 2
    assert f"{broken}:3:" in result.stderr
    assert "syntax error" in result.stderr
    assert "Traceback" not in result.stderr


def test_missing_data_file_is_reported(tmp_path: Path) -> None:
    result = run("query", "ASK {}", "--data", str(tmp_path / "absent.ttl"))
    assert result.returncode == 2
    assert "no such file" in result.stderr


def test_query_table_json_and_csv() -> None:
    sparql = (
        "PREFIX ozg: <https://w3id.org/ozgkg/def#> "
        "SELECT ?key WHERE { ?land a ozg:Land ; ozg:stateKey ?key } ORDER BY ?key"
    )
    table = run("query", sparql)
    assert table.returncode == 0, table.stderr
    assert table.stdout.splitlines()[0].strip() == "key"
    assert "(16 rows)" in table.stdout

    as_json = json.loads(run("query", sparql, "--format", "json").stdout)
    keys = [b["key"]["value"] for b in as_json["results"]["bindings"]]
    assert keys == [f"{n:02d}" for n in range(1, 17)]

    rows = list(csv.reader(io.StringIO(run("query", sparql, "--format", "csv").stdout)))
    assert rows[0] == ["key"] and rows[1] == ["01"] and len(rows) == 17


def test_query_from_file_and_construct(tmp_path: Path) -> None:
    query_file = tmp_path / "q.rq"
    query_file.write_text(
        "PREFIX ozg: <https://w3id.org/ozgkg/def#>\nCONSTRUCT { ?l a ozg:Land } WHERE { ?l a ozg:Land }\n",
        encoding="utf-8",
    )
    result = run("query", "--file", str(query_file), "--format", "ntriples")
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.strip().splitlines()) == 16


def test_query_syntax_error_is_readable() -> None:
    result = run("query", "SELEKT * WHERE { ?s ?p ?o }")
    assert result.returncode == 2
    assert "syntax error" in result.stderr.lower()
    assert "1:1" in result.stderr
    assert "Traceback" not in result.stderr


def test_query_without_text_is_a_usage_error() -> None:
    result = run("query")
    assert result.returncode == 2
    assert "give a SPARQL query" in result.stderr
