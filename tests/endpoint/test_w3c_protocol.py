"""The 34 tests of the W3C SPARQL 1.1 Protocol suite (w3c/rdf-tests, sparql/sparql11/protocol/manifest.ttl).

Each test function is named after the W3C test and replays its request(s) against the real server;
the manifest's `/sparql/` paths become this server's `/sparql`. The graphs the tests preload
(`data1.rdf` ... `data3.rdf`) come from `data/w3c-protocol.trig`.

This endpoint is read-only, so the `update_*` tests, which expect 2xx for SPARQL Update, assert the
clear refusal instead (403 with the read-only message) and that the follow-up query sees no change.
"""

from __future__ import annotations

import urllib.parse
import xml.etree.ElementTree as ET

import pytest
from rdflib import Graph

from ozgkg.sparql.safety import READ_ONLY

from .conftest import InProcess, Reply, Server


@pytest.fixture(scope="module")
def server(app_server: InProcess) -> InProcess:
    """The HTTP rules need no socket: these tests speak to the app in-process."""
    return app_server


KASEI = "http://kasei.us/2009/09/sparql/data/"
DATA0 = urllib.parse.quote(KASEI + "data0.rdf", safe="")
DATA1 = urllib.parse.quote(KASEI + "data1.rdf", safe="")
DATA2 = urllib.parse.quote(KASEI + "data2.rdf", safe="")
DATA3 = urllib.parse.quote(KASEI + "data3.rdf", safe="")
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
DIRECT = {"Content-Type": "application/sparql-query"}
UPDATE = {"Content-Type": "application/sparql-update"}
RDF_PARSERS = {
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "application/rdf+xml": "xml",
    "application/ld+json": "json-ld",
}


def ok(reply: Reply) -> None:
    assert 200 <= reply.status < 400, (reply.status, reply.text)


def boolean(reply: Reply) -> bool:
    ok(reply)
    if reply.media_type == "application/sparql-results+json":
        return reply.json()["boolean"]
    assert reply.media_type == "application/sparql-results+xml", reply.media_type
    element = ET.fromstring(reply.body).find("{http://www.w3.org/2005/sparql-results#}boolean")
    return element.text == "true"


def tabular(reply: Reply) -> list[dict]:
    ok(reply)
    assert reply.media_type in {
        "application/sparql-results+json",
        "application/sparql-results+xml",
        "text/csv",
        "text/tab-separated-values",
    }
    assert reply.media_type == "application/sparql-results+json", (
        "these tests send no Accept: JSON is the default"
    )
    return reply.json()["results"]["bindings"]


def rdf(reply: Reply) -> Graph:
    ok(reply)
    assert reply.media_type in RDF_PARSERS, reply.media_type
    return Graph().parse(data=reply.body, format=RDF_PARSERS[reply.media_type])


def refused(reply: Reply) -> None:
    assert reply.status == 403, (reply.status, reply.text)
    assert READ_ONLY in reply.text


def client_error(reply: Reply, status: int, words: str) -> None:
    assert reply.status == status, (reply.status, reply.text)
    assert words in reply.text, reply.text


# -- positive query tests ---------------------------------------------------------------------------


def test_query_post_form(server: Server) -> None:
    reply = server.request("POST", f"/sparql?default-graph-uri={DATA0}", "query=ASK%20%7B%7D", FORM)
    assert boolean(reply) is True


def test_query_dataset_default_graphs_get(server: Server) -> None:
    query = urllib.parse.quote(f"ASK {{ <{KASEI}data1.rdf> a ?type . <{KASEI}data2.rdf> a ?type . }}")
    reply = server.request(
        "GET", f"/sparql?query={query}&default-graph-uri={DATA1}&default-graph-uri={DATA2}"
    )
    assert boolean(reply) is True


def test_query_dataset_default_graphs_post(server: Server) -> None:
    query = f"ASK {{ <{KASEI}data1.rdf> a ?type . <{KASEI}data2.rdf> a ?type . }}"
    reply = server.request(
        "POST", f"/sparql?default-graph-uri={DATA1}&default-graph-uri={DATA2}", query, DIRECT
    )
    assert boolean(reply) is True


def test_query_dataset_named_graphs_post(server: Server) -> None:
    query = f"ASK {{ GRAPH ?g1 {{ <{KASEI}data1.rdf> a ?type }} GRAPH ?g2 {{ <{KASEI}data2.rdf> a ?type }} }}"
    reply = server.request("POST", f"/sparql?named-graph-uri={DATA1}&named-graph-uri={DATA2}", query, DIRECT)
    assert boolean(reply) is True


def test_query_dataset_named_graphs_get(server: Server) -> None:
    query = urllib.parse.quote(
        f"ASK {{ GRAPH ?g1 {{ <{KASEI}data1.rdf> a ?type }} GRAPH ?g2 {{ <{KASEI}data2.rdf> a ?type }} }}"
    )
    reply = server.request("GET", f"/sparql?query={query}&named-graph-uri={DATA1}&named-graph-uri={DATA2}")
    assert boolean(reply) is True


def test_query_dataset_full(server: Server) -> None:
    query = (
        f"ASK {{\n  <{KASEI}data3.rdf> a ?type\n"
        f"  GRAPH ?g1 {{ <{KASEI}data1.rdf> a ?type }}\n  GRAPH ?g2 {{ <{KASEI}data2.rdf> a ?type }}\n}}"
    )
    path = f"/sparql?default-graph-uri={DATA3}&named-graph-uri={DATA1}&named-graph-uri={DATA2}"
    assert boolean(server.request("POST", path, query, DIRECT)) is True
    # The protocol's dataset is exact: data3 is not among the named graphs, data1 not in the default graph.
    assert (
        boolean(server.request("POST", path, f"ASK {{ GRAPH ?g {{ <{KASEI}data3.rdf> ?p ?o }} }}", DIRECT))
        is False
    )
    assert boolean(server.request("POST", path, f"ASK {{ <{KASEI}data1.rdf> ?p ?o }}", DIRECT)) is False


def test_query_multiple_dataset(server: Server) -> None:
    # The manifest percent-encodes the second parameter's "&" (one odd IRI); the validator the test was
    # taken from sends two named graphs (w3c/rdf-tests#78), which is what is replayed here.
    query = (
        f"ASK FROM <{KASEI}data3.rdf> {{ GRAPH ?g1 {{ <{KASEI}data1.rdf> a ?type }} "
        f"GRAPH ?g2 {{ <{KASEI}data2.rdf> a ?type }} }}"
    )
    path = f"/sparql?named-graph-uri={DATA1}&named-graph-uri={DATA2}"
    assert boolean(server.request("POST", path, query, DIRECT)) is True
    # The protocol's dataset replaces FROM: data3 is not the default graph now.
    probe = f"ASK FROM <{KASEI}data3.rdf> {{ <{KASEI}data3.rdf> ?p ?o }}"
    assert boolean(server.request("POST", path, probe, DIRECT)) is False
    assert boolean(server.request("POST", "/sparql", probe, DIRECT)) is True
    # As written in the manifest (one named-graph-uri holding an encoded "&"): no such graph, no match.
    odd = f"/sparql?named-graph-uri={DATA1}%26named-graph-uri%3D{DATA2}"
    assert boolean(server.request("POST", odd, query, DIRECT)) is False


def test_query_get(server: Server) -> None:
    reply = server.request("GET", f"/sparql?query=ASK%20%7B%7D&default-graph-uri={DATA0}")
    assert boolean(reply) is True


def test_query_content_type_select(server: Server) -> None:
    reply = server.request("POST", f"/sparql?default-graph-uri={DATA0}", "SELECT (1 AS ?value) {}", DIRECT)
    assert tabular(reply) == [
        {"value": {"type": "literal", "value": "1", "datatype": "http://www.w3.org/2001/XMLSchema#integer"}}
    ]


def test_query_content_type_ask(server: Server) -> None:
    reply = server.request("POST", f"/sparql?default-graph-uri={DATA0}", "ASK {}", DIRECT)
    assert reply.media_type in {"application/sparql-results+json", "application/sparql-results+xml"}
    assert boolean(reply) is True


def test_query_content_type_describe(server: Server) -> None:
    reply = server.request(
        "POST", f"/sparql?default-graph-uri={DATA0}", "DESCRIBE <http://example.org/>", DIRECT
    )
    assert reply.media_type in {"application/rdf+xml", "text/turtle", "application/n-triples"}
    assert len(rdf(reply)) == 0


def test_query_content_type_construct(server: Server) -> None:
    reply = server.request(
        "POST", f"/sparql?default-graph-uri={DATA0}", "CONSTRUCT { <s> <p> 1 } WHERE {}", DIRECT
    )
    assert reply.media_type in {"application/rdf+xml", "text/turtle", "application/n-triples"}
    graph = rdf(reply)
    # Relative IRIs resolve against the endpoint URL, the protocol's suggested base.
    assert [(str(s), str(p), o.toPython()) for s, p, o in graph] == [
        (server.base + "/s", server.base + "/p", 1)
    ]


def test_query_post_direct(server: Server) -> None:
    assert boolean(server.request("POST", "/sparql", "ASK {}", DIRECT)) is True


# -- update tests: a read-only endpoint refuses them clearly, and nothing changes ------------------------

_DOCS = "\n".join(
    f"    GRAPH <{KASEI}data{n}.rdf> {{ <{KASEI}data{n}.rdf> a foaf:Document }}" for n in (1, 2, 3)
)
_PREFIXES = "PREFIX dc: <http://purl.org/dc/terms/>\nPREFIX foaf: <http://xmlns.com/foaf/0.1/>\n"


def _update_refused_and_unseen(server: Server, path: str, update: str, check: str) -> None:
    refused(server.request("POST", path, update, UPDATE))
    assert boolean(server.request("POST", "/sparql", check, DIRECT)) is False


def test_update_dataset_default_graph(server: Server) -> None:
    target = "http://example.org/protocol-update-dataset-test/"
    update = (
        f"{_PREFIXES}CLEAR ALL ;\n"
        f"INSERT DATA {{ GRAPH <{KASEI}data1.rdf> {{ <{KASEI}data1.rdf> a foaf:Document }} }} ;\n"
        f"INSERT {{ GRAPH <{target}> {{ ?s a dc:BibliographicResource }} }} WHERE {{ ?s a foaf:Document }}"
    )
    resource = "<http://purl.org/dc/terms/BibliographicResource>"
    check = f"ASK {{ GRAPH <{target}> {{ <{KASEI}data1.rdf> a {resource} }} }}"
    _update_refused_and_unseen(server, f"/sparql?using-graph-uri={DATA1}", update, check)
    assert boolean(server.request("POST", "/sparql", f"ASK {{ <{KASEI}data1.rdf> ?p ?o }}", DIRECT)) is True


def test_update_dataset_default_graphs(server: Server) -> None:
    target = "http://example.org/protocol-update-dataset-graphs-test/"
    update = (
        f"{_PREFIXES}DROP ALL ;\nINSERT DATA {{\n{_DOCS}\n}} ;\n"
        f"INSERT {{ GRAPH <{target}> {{ ?s a dc:BibliographicResource }} }} WHERE {{ ?s a foaf:Document }}"
    )
    check = f"ASK {{ GRAPH <{target}> {{ ?s ?p ?o }} }}"
    _update_refused_and_unseen(
        server, f"/sparql?using-graph-uri={DATA1}&using-graph-uri={DATA2}", update, check
    )


def test_update_dataset_named_graphs(server: Server) -> None:
    target = "http://example.org/protocol-update-dataset-named-graphs-test/"
    update = (
        f"{_PREFIXES}DROP ALL ;\nINSERT DATA {{\n{_DOCS}\n}} ;\n"
        f"INSERT {{ GRAPH <{target}> {{ ?s a dc:BibliographicResource }} }} "
        "WHERE { GRAPH ?g { ?s a foaf:Document } }"
    )
    check = f"ASK {{ GRAPH <{target}> {{ ?s ?p ?o }} }}"
    path = f"/sparql?using-named-graph-uri={DATA1}&using-named-graph-uri={DATA2}"
    _update_refused_and_unseen(server, path, update, check)


def test_update_dataset_full(server: Server) -> None:
    target = "http://example.org/protocol-update-dataset-full-test/"
    update = (
        f"{_PREFIXES}DROP ALL ;\nINSERT DATA {{\n{_DOCS}\n}} ;\n"
        f"INSERT {{ GRAPH <{target}> {{ ?s <http://example.org/in> ?in }} }} WHERE {{\n"
        "  { GRAPH ?g { ?s a foaf:Document } BIND(?g AS ?in) }\n"
        '  UNION { ?s a foaf:Document . BIND("default" AS ?in) }\n}'
    )
    check = f"ASK {{ GRAPH <{target}> {{ ?s ?p ?o }} }}"
    path = f"/sparql?using-graph-uri={DATA1}&using-named-graph-uri={DATA2}"
    _update_refused_and_unseen(server, path, update, check)


def test_update_post_form(server: Server) -> None:
    refused(server.request("POST", "/sparql", "update=CLEAR+ALL", FORM))
    assert boolean(server.request("POST", "/sparql", "ASK { ?s ?p ?o }", DIRECT)) is True


def test_update_post_direct(server: Server) -> None:
    refused(server.request("POST", "/sparql", "CLEAR ALL", UPDATE))
    assert boolean(server.request("POST", "/sparql", "ASK { ?s ?p ?o }", DIRECT)) is True


def test_update_base_uri(server: Server) -> None:
    update = (
        "CLEAR GRAPH <http://example.org/protocol-base-test/> ;\n"
        "INSERT DATA { GRAPH <http://example.org/protocol-base-test/> {\n"
        "  <http://example.org/s> <http://example.org/p> <test> } }"
    )
    refused(server.request("POST", "/sparql", update, UPDATE))
    select = (
        "SELECT ?o WHERE { GRAPH <http://example.org/protocol-base-test/> {\n"
        "  <http://example.org/s> <http://example.org/p> ?o } }"
    )
    assert tabular(server.request("POST", "/sparql", select, DIRECT)) == []


# -- negative tests: each gets a 4xx with a message -------------------------------------------------------


def test_bad_query_method(server: Server) -> None:
    reply = server.request("PUT", f"/sparql?query=ASK%20%7B%7D&default-graph-uri={DATA0}", b"", FORM)
    client_error(reply, 405, "PUT is not allowed")
    assert "POST" in reply.headers["allow"]


def test_bad_multiple_queries(server: Server) -> None:
    client_error(
        server.request("GET", "/sparql?query=ASK%20%7B%7D&query=SELECT%20%2A%20%7B%7D"),
        400,
        "exactly one query",
    )


def test_bad_query_wrong_media_type(server: Server) -> None:
    client_error(
        server.request("POST", "/sparql", "ASK {}", {"Content-Type": "text/plain"}), 415, "text/plain"
    )


def test_bad_query_missing_form_type(server: Server) -> None:
    client_error(server.request("POST", "/sparql", "query=ASK%20%7B%7D"), 415, "needs a Content-Type")


def test_bad_query_missing_direct_type(server: Server) -> None:
    client_error(server.request("POST", "/sparql", "ASK {}"), 415, "needs a Content-Type")


def test_bad_query_non_utf8(server: Server) -> None:
    headers = {"Content-Type": "application/sparql-query; charset=UTF-16"}
    client_error(server.request("POST", "/sparql", "ASK {}".encode("utf-16"), headers), 415, "send UTF-8")


def test_bad_query_syntax(server: Server) -> None:
    # Each store's parser words the cause its own way; all of them give the place as "error at L:C".
    client_error(server.request("GET", "/sparql?query=ASK%20%7B"), 400, "error at 1:6")


def test_bad_update_get(server: Server) -> None:
    refused(server.request("GET", "/sparql?update=CLEAR%20ALL"))


def test_bad_multiple_updates(server: Server) -> None:
    refused(server.request("POST", "/sparql", "update=CLEAR%20NAMED&update=CLEAR%20DEFAULT", FORM))


def test_bad_update_wrong_media_type(server: Server) -> None:
    client_error(
        server.request("POST", "/sparql", "CLEAR NAMED", {"Content-Type": "text/plain"}), 415, "text/plain"
    )


def test_bad_update_missing_form_type(server: Server) -> None:
    client_error(server.request("POST", "/sparql", "update=CLEAR%20NAMED"), 415, "needs a Content-Type")


def test_bad_update_non_utf8(server: Server) -> None:
    headers = {"Content-Type": "application/sparql-update; charset=UTF-16"}
    client_error(
        server.request("POST", "/sparql", "CLEAR NAMED".encode("utf-16"), headers), 415, "send UTF-8"
    )


def test_bad_update_syntax(server: Server) -> None:
    refused(server.request("POST", "/sparql", "update=CLEAR%20XYZ", FORM))


def test_bad_update_dataset_conflict(server: Server) -> None:
    update = (
        "PREFIX foaf:  <http://xmlns.com/foaf/0.1/>\nWITH <http://example/addresses>\n"
        "DELETE { ?person foaf:givenName 'Bill' }\nINSERT { ?person foaf:givenName 'William' }\n"
        "WHERE {\n    ?person foaf:givenName 'Bill'\n}"
    )
    path = "/sparql?using-named-graph-uri=" + urllib.parse.quote("http://example/people", safe="")
    refused(server.request("POST", path, update, UPDATE))


@pytest.mark.parametrize("accept", ["application/sparql-results+xml", "application/sparql-results+json"])
def test_query_get_boolean_formats(server: Server, accept: str) -> None:
    """Both boolean result formats the manifest names parse back to true."""
    reply = server.request("GET", "/sparql?query=ASK%20%7B%7D", headers={"Accept": accept})
    assert reply.media_type == accept
    assert boolean(reply) is True
