"""SERVICE on our endpoint, against real and failing remotes on loopback: the federated answer, the
allowlist from its three sources, and every way a remote call may fail."""

from __future__ import annotations

import csv
import io
import subprocess
import time
from collections.abc import Iterator

import pyoxigraph as ox
import pytest
from endpoint.conftest import Listener, Server
from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from ozgkg.namespaces import SD
from ozgkg.rdf.terms import to_rdflib_triple

from .conftest import (
    FUNDING_PER_INHABITANT,
    MAX_ROWS,
    SERVICE_TIMEOUT,
    WIKIDATA,
    Remotes,
    arrange,
    assert_right_answer,
    fixture_populations,
)

LAENDER = """PREFIX ozg: <https://w3id.org/ozgkg/def#>
SELECT ?land WHERE { ?land a ozg:Land }"""


def rows(reply_text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(reply_text)))


def test_funding_per_inhabitant_joins_the_wikidata_fixture(federated: Server, wikidata: str) -> None:
    query = arrange(FUNDING_PER_INHABITANT.read_text(encoding="utf-8"), service=wikidata)
    reply = federated.query(query, accept="text/csv")
    assert reply.status == 200, reply.text
    assert_right_answer(rows(reply.text))
    # A federated answer depends on the remote's data: no ETag, so never a stale 304.
    assert "etag" not in reply.headers


def test_every_land_is_found_in_the_fixture_through_owl_same_as(federated: Server, wikidata: str) -> None:
    query = f"""PREFIX ozg: <https://w3id.org/ozgkg/def#>
        PREFIX owl: <http://www.w3.org/2002/07/owl#>
        PREFIX wdt: <http://www.wikidata.org/prop/direct/>
        SELECT ?item ?population WHERE {{
          ?land a ozg:Land ; owl:sameAs ?item .
          SERVICE <{wikidata}> {{ ?item wdt:P1082 ?population }}
        }}"""
    bindings = federated.query(query).json()["results"]["bindings"]
    got = {URIRef(b["item"]["value"]): int(b["population"]["value"]) for b in bindings}
    assert got == {item: int(population) for item, population in fixture_populations().items()}
    assert len(got) == 16


def test_allowlist_is_the_union_of_flag_config_file_and_environment(
    federated: Server, wikidata: str, remotes: Remotes
) -> None:
    service = federated.get("/health").json()["service"]
    assert service == {
        "allowed": sorted([wikidata, remotes.down, remotes.moved, remotes.elsewhere, remotes.hanging.url]),
        "timeout": SERVICE_TIMEOUT,
        "max_rows": MAX_ROWS,
    }


def test_a_listed_endpoint_is_refused_with_a_message_and_receives_nothing(
    federated: Server, listener: Listener
) -> None:
    for silent in ("", "SILENT "):
        reply = federated.query(f"SELECT * WHERE {{ SERVICE {silent}<{listener.url}> {{ ?s ?p ?o }} }}")
        assert reply.status == 403, reply.text
        assert f"SERVICE <{listener.url}> is not allowed" in reply.text
        assert WIKIDATA not in reply.text  # the message lists what is allowed: the loopback endpoints
    time.sleep(0.5)
    assert listener.connections == 0


def test_a_failing_endpoint_is_a_502_naming_it(federated: Server, remotes: Remotes) -> None:
    reply = federated.query(f"SELECT * WHERE {{ SERVICE <{remotes.down}> {{ ?s ?p ?o }} }}")
    assert reply.status == 502, reply.text
    assert f"SERVICE <{remotes.down}> failed" in reply.text and "cannot be reached" in reply.text


@pytest.mark.parametrize("remote", ["down", "hanging"])
def test_service_silent_to_a_failing_endpoint_proceeds(
    federated: Server, remotes: Remotes, remote: str
) -> None:
    url = remotes.down if remote == "down" else remotes.hanging.url
    # SILENT: the failed SERVICE is one solution without bindings; the rest of the query is answered.
    query = f"""PREFIX ozg: <https://w3id.org/ozgkg/def#>
        SELECT ?land ?remote WHERE {{
          ?land a ozg:Land OPTIONAL {{ SERVICE SILENT <{url}> {{ ?land ?p ?remote }} }}
        }}"""
    reply = federated.query(query)
    assert reply.status == 200, reply.text
    bindings = reply.json()["results"]["bindings"]
    assert len(bindings) == 16 and all("remote" not in b for b in bindings)
    joined = federated.query(f"SELECT * WHERE {{ SERVICE SILENT <{url}> {{ ?s ?p ?o }} BIND (1 AS ?one) }}")
    assert joined.json()["results"]["bindings"] == [{"one": {"type": "literal", "value": "1",
        "datatype": "http://www.w3.org/2001/XMLSchema#integer"}}]  # fmt: skip


def test_a_remote_that_never_answers_is_a_504_within_the_call_timeout(
    federated: Server, remotes: Remotes
) -> None:
    started = time.monotonic()
    reply = federated.query(f"SELECT * WHERE {{ SERVICE <{remotes.hanging.url}> {{ ?s ?p ?o }} }}")
    elapsed = time.monotonic() - started
    assert reply.status == 504, reply.text
    assert f"SERVICE <{remotes.hanging.url}> failed: no answer within {SERVICE_TIMEOUT:g} s" in reply.text
    assert SERVICE_TIMEOUT * 0.9 < elapsed < SERVICE_TIMEOUT + 2, elapsed
    assert remotes.hanging.connections >= 1
    # The worker that waited is free again: the next query is answered at once.
    assert len(federated.query(LAENDER).json()["results"]["bindings"]) == 16


def test_more_rows_than_the_cap_is_a_502(federated: Server, wikidata: str) -> None:
    reply = federated.query(f"SELECT * WHERE {{ SERVICE <{wikidata}> {{ ?s ?p ?o }} }}")
    assert reply.status == 502, reply.text
    assert f"SERVICE <{wikidata}> failed: it returned more than {MAX_ROWS} rows" in reply.text
    limited = federated.query(
        f"SELECT * WHERE {{ SERVICE <{wikidata}> {{ SELECT * {{ ?s ?p ?o }} LIMIT 5 }} }}"
    )
    assert len(limited.json()["results"]["bindings"]) == 5


def test_redirects_are_followed_on_the_same_origin_only(federated: Server, remotes: Remotes) -> None:
    moved = federated.query(f"SELECT ?remote WHERE {{ SERVICE <{remotes.moved}> {{ ?s ?p ?remote }} }}")
    assert moved.status == 200, moved.text
    assert [b["remote"]["value"] for b in moved.json()["results"]["bindings"]] == ["nah"]
    away = federated.query(f"SELECT * WHERE {{ SERVICE <{remotes.elsewhere}> {{ ?s ?p ?o }} }}")
    assert away.status == 502, away.text
    assert f"SERVICE <{remotes.elsewhere}> failed: it redirects to <{remotes.beyond.url}>" in away.text
    time.sleep(0.5)
    assert remotes.beyond.connections == 0


JSON_RESULTS = URIRef("http://www.w3.org/ns/formats/SPARQL_Results_JSON")
# Comunica's Accept header when it reads a source's description (Comunica 4.5.0, shortened).
COMUNICA_ACCEPT = "application/n-quads,application/trig;q=0.95,application/ld+json;q=0.9,text/turtle;q=0.6"


@pytest.mark.parametrize(
    "accept", [COMUNICA_ACCEPT, "application/trig", "application/n-quads", "text/turtle"]
)
def test_the_service_description_serves_federating_clients(federated: Server, accept: str) -> None:
    reply = federated.request("GET", "/sparql", headers={"Accept": accept})
    assert reply.status == 200, reply.text
    quads = list(ox.parse(reply.body, ox.RdfFormat.from_media_type(reply.media_type)))
    # The description is the default graph, in the quad formats too.
    assert quads and all(quad.graph_name == ox.DefaultGraph() for quad in quads)
    graph = Graph()
    for quad in quads:
        graph.add(to_rdflib_triple(quad))
    service = graph.value(predicate=RDF.type, object=SD.Service)
    assert graph.value(service, SD.endpoint) == URIRef(federated.endpoint)
    assert graph.value(service, SD.supportedLanguage) == SD.SPARQL11Query
    assert JSON_RESULTS in set(graph.objects(service, SD.resultFormat))
    assert SD.BasicFederatedQuery in set(graph.objects(service, SD.feature))


@pytest.fixture
def listener() -> Iterator[Listener]:
    probe = Listener()
    yield probe
    probe.close()


def one_line_forms(wikidata: str) -> list[str]:
    """The query of the test above as clients send it: on one line, full IRIs with `#`, with and
    without the `.` before SERVICE, and as Wikidata's published examples lay queries out."""
    same_as, population = (
        "<http://www.w3.org/2002/07/owl#sameAs>",
        "<http://www.wikidata.org/prop/direct/P1082>",
    )
    land = "?land a <https://w3id.org/ozgkg/def#Land>"
    return [
        f"SELECT ?item ?population WHERE {{ {land} . ?land {same_as} ?item . SERVICE <{wikidata}> "
        f"{{ ?item {population} ?population }} }}",
        f"SELECT ?item ?population WHERE {{ {land} . ?land {same_as} ?item SERVICE <{wikidata}> "
        f"{{ ?item {population} ?population }} }}",
        f"SELECT ?item ?population WHERE{{{land}.?land {same_as} ?item.SERVICE<{wikidata}>"
        f"{{?item {population} ?population}}}}",
        "#title: Population of every Land\n"
        "PREFIX wdt: <http://www.wikidata.org/prop/direct/>\nPREFIX owl: <http://www.w3.org/2002/07/owl#>\n"
        "SELECT ?item ?population\nWHERE\n{\n  " + land + " ;\n        owl:sameAs ?item . # the Land's item\n"
        f"  SERVICE <{wikidata}> {{\n    ?item wdt:P1082 ?population . # its population\n  }}\n}}",
    ]


@pytest.mark.parametrize("form", range(4))
def test_federated_queries_in_the_forms_clients_send(federated: Server, wikidata: str, form: int) -> None:
    """The SERVICE check reads what the engine reads: SPARQLWrapper and curl send each form."""
    from SPARQLWrapper import JSON, POST, SPARQLWrapper

    query = one_line_forms(wikidata)[form]
    expected = {str(item): int(population) for item, population in fixture_populations().items()}
    client = SPARQLWrapper(federated.endpoint)
    client.setQuery(query)
    client.setReturnFormat(JSON)
    client.setMethod(POST)
    bindings = client.queryAndConvert()["results"]["bindings"]
    assert {b["item"]["value"]: int(b["population"]["value"]) for b in bindings} == expected
    curl = subprocess.run(
        ["curl", "-sS", "--fail-with-body", "-H", "Accept: text/csv", "--data-urlencode", f"query={query}",
         federated.endpoint],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert curl.returncode == 0, curl.stdout + curl.stderr
    assert {r["item"]: int(r["population"]) for r in rows(curl.stdout)} == expected
