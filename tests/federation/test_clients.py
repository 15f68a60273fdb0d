"""Federating clients from outside this project: each joins our endpoint with the Wikidata stand-in
and must get the same funding per inhabitant. Comunica (Node.js) federates the two as sources,
rdflib from the client side with its own SERVICE, roqet (C, Debian's rasqal-utils) asks our endpoint,
which evaluates the SERVICE."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
from pathlib import Path

import pytest
from endpoint.conftest import Server
from rdflib import Graph
from reference import LAENDER_CSV

from .conftest import (
    COMUNICA,
    FIXTURE,
    FUNDING_PER_INHABITANT,
    arrange,
    assert_right_answer,
    fixture_populations,
    need,
)
from .test_service import one_line_forms

QUERY = FUNDING_PER_INHABITANT.read_text(encoding="utf-8")


def csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def comunica(*args: str) -> str:
    command = [str(need(COMUNICA, "Comunica (npm ci in tests/federation)")), *args, "-t", "text/csv"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def test_comunica_federates_our_endpoint_and_the_fixture_as_two_sources(
    federated: Server, wikidata: str
) -> None:
    # No SERVICE: Comunica itself decides which source answers which pattern, and joins them.
    answer = comunica(f"sparql@{federated.endpoint}", f"sparql@{wikidata}", arrange(QUERY))
    assert_right_answer(csv_rows(answer))


def test_comunica_joins_labels_across_the_sources(federated: Server, wikidata: str) -> None:
    # Language-tagged labels cross from one source into the other's bound join.
    query = """PREFIX ozg: <https://w3id.org/ozgkg/def#>
        PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        PREFIX owl: <http://www.w3.org/2002/07/owl#>
        PREFIX wdt: <http://www.wikidata.org/prop/direct/>
        SELECT ?landName ?item ?population WHERE {
          ?land a ozg:Land ; skos:prefLabel ?landName ; owl:sameAs ?item .
          FILTER (LANG(?landName) = "de")
          ?item wdt:P1082 ?population .
        }"""
    rows = csv_rows(comunica(f"sparql@{federated.endpoint}", f"sparql@{wikidata}", query))
    populations = {str(item): int(value) for item, value in fixture_populations().items()}
    # Comunica's CSV writes IRIs in angle brackets.
    assert {r["item"].strip("<>"): int(r["population"]) for r in rows} == populations
    names = {row["name_de"] for row in csv.DictReader(LAENDER_CSV.open(encoding="utf-8"))}
    assert {r["landName"] for r in rows} == names and len(rows) == 16


def test_rdflib_service_from_a_client_side_graph(federated: Server) -> None:
    # The client holds the Wikidata part itself and sends our part to our endpoint with SERVICE.
    client = Graph().parse(FIXTURE)
    result = client.query(arrange(QUERY, local_service=federated.endpoint))
    assert_right_answer([{str(k): str(v) for k, v in row.asdict().items()} for row in result])


def test_roqet_asks_our_endpoint_which_evaluates_the_service(federated: Server, wikidata: str) -> None:
    roqet = shutil.which("roqet") or need(Path("/usr/bin/roqet"), "roqet (Debian's rasqal-utils)")
    command = [str(roqet), "-p", federated.endpoint, "-e", arrange(QUERY, service=wikidata), "-r", "csv"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    assert_right_answer(csv_rows(result.stdout))


@pytest.mark.parametrize("form", range(4))
def test_comunica_sends_the_federated_forms(federated: Server, wikidata: str, form: int) -> None:
    """The one-line and Wikidata-style forms of a federated query (test_service.one_line_forms) through
    Comunica with our endpoint as its one source: the right rows, whoever evaluates the SERVICE."""
    rows = csv_rows(comunica(f"sparql@{federated.endpoint}", one_line_forms(wikidata)[form]))
    expected = {str(item): int(population) for item, population in fixture_populations().items()}
    assert {r["item"].strip("<>"): int(r["population"]) for r in rows} == expected
