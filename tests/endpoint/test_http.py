"""HTTP behaviour around the protocol: negotiation, CORS, gzip, ETags, the graph store, health, the log."""

from __future__ import annotations

import gzip
import json
import re
import urllib.parse
from xml.etree import ElementTree

import pytest
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import SKOS

from ozgkg.sparql.safety import READ_ONLY

from .conftest import InProcess, Server


@pytest.fixture(scope="module")
def server(app_server: InProcess) -> InProcess:
    """The HTTP rules need no socket: these tests speak to the app in-process."""
    return app_server


LABELS = (
    "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> SELECT ?label WHERE { ?s skos:prefLabel ?label }"
)
CONSTRUCT = "CONSTRUCT WHERE { <https://w3id.org/ozgkg/id/land/16> ?p ?o }"
EXTRA_GRAPH = "https://w3id.org/ozgkg/graph/extra/umlauts"
GREETING = Literal("Grüße aus Thüringen – Größe, Maß, Übermut", lang="de")


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("text/csv;q=0.5, application/sparql-results+xml;q=0.9", "application/sparql-results+xml"),
        ("text/tab-separated-values, */*;q=0.1", "text/tab-separated-values"),
        ("application/json", "application/sparql-results+json"),
        ("*/*", "application/sparql-results+json"),
        ("text/*", "text/csv"),
    ],
)
def test_q_value_negotiation_for_results(server: Server, accept: str, expected: str) -> None:
    reply = server.query("SELECT * WHERE { ?s ?p ?o } LIMIT 1", accept=accept)
    assert reply.status == 200 and reply.media_type == expected
    assert "Accept" in reply.headers["vary"]


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("application/trig", "application/trig"),
        ("application/n-quads", "application/n-quads"),
        ("application/rdf+xml;q=0.2, text/turtle;q=0.8", "text/turtle"),
        ("application/sparql-results+json, */*;q=0.5", "text/turtle"),
    ],
)
def test_q_value_negotiation_for_graphs(server: Server, accept: str, expected: str) -> None:
    reply = server.query(CONSTRUCT, accept=accept)
    assert reply.status == 200 and reply.media_type == expected
    if expected in {"application/trig", "application/n-quads"}:
        dataset = Dataset().parse(
            data=reply.body, format={"application/trig": "trig"}.get(expected, "nquads")
        )
        assert (
            URIRef("https://w3id.org/ozgkg/id/land/16"),
            SKOS.prefLabel,
            Literal("Thüringen", lang="de"),
        ) in dataset


def test_not_acceptable_lists_what_is_available(server: Server) -> None:
    reply = server.query("SELECT * WHERE { ?s ?p ?o } LIMIT 1", accept="image/png")
    assert reply.status == 406
    assert "application/sparql-results+json" in reply.text and "text/tab-separated-values" in reply.text
    construct = server.query(CONSTRUCT, accept="text/csv")
    assert construct.status == 406 and "text/turtle" in construct.text


@pytest.mark.parametrize(
    ("query", "fmt", "expected"),
    [
        (LABELS, "csv", "text/csv"),
        (LABELS, "tsv", "text/tab-separated-values"),
        (LABELS, "xml", "application/sparql-results+xml"),
        (CONSTRUCT, "xml", "application/rdf+xml"),
        (CONSTRUCT, "json", "application/ld+json"),
        (CONSTRUCT, "ntriples", "application/n-triples"),
        (CONSTRUCT, "text/turtle", "text/turtle"),
    ],
)
def test_format_parameter_overrides_accept(server: Server, query: str, fmt: str, expected: str) -> None:
    reply = server.query(query, accept="application/sparql-results+json", format=fmt)
    assert reply.status == 200 and reply.media_type == expected


def test_format_parameter_errors(server: Server) -> None:
    unknown = server.query(LABELS, format="yaml")
    assert unknown.status == 400 and "unknown format" in unknown.text
    wrong_kind = server.query(CONSTRUCT, format="csv")
    assert wrong_kind.status == 406 and "text/turtle" in wrong_kind.text


def test_umlauts_in_every_result_format(server: Server) -> None:
    query = f"SELECT ?label WHERE {{ GRAPH <{EXTRA_GRAPH}> {{ ?s ?p ?label }} }}"
    # Read as each format is read: JSON's \u escapes and XML's character references (Virtuoso's
    # answers, passed on by the remote store) are the same characters.
    decoded = {
        "json": lambda text: json.dumps(json.loads(text), ensure_ascii=False),
        "xml": lambda text: "".join(ElementTree.fromstring(text).itertext()),
    }
    for fmt in ("json", "xml", "csv", "tsv"):
        reply = server.query(query, format=fmt)
        text = decoded.get(fmt, str)(reply.text)
        assert reply.status == 200 and str(GREETING) in text, reply.text
        if reply.media_type.startswith("text/"):
            assert "charset=utf-8" in reply.headers["content-type"]


def test_extra_file_is_its_own_named_graph(server: Server) -> None:
    reply = server.query(f"SELECT ?label WHERE {{ GRAPH <{EXTRA_GRAPH}> {{ ?s ?p ?label }} }}")
    assert [b["label"]["value"] for b in reply.json()["results"]["bindings"]] == [str(GREETING)]


def test_cors(server: Server) -> None:
    reply = server.get("/sparql", {"Origin": "https://example.org"}, query="ASK {}")
    assert reply.headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-credentials" not in reply.headers
    preflight = server.request(
        "OPTIONS",
        "/sparql",
        headers={
            "Origin": "https://example.org",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert preflight.status in (200, 204)
    assert preflight.headers["access-control-allow-origin"] == "*"
    assert set(preflight.headers["access-control-allow-methods"].replace(" ", "").split(",")) == {
        "GET",
        "POST",
        "OPTIONS",
    }
    assert "content-type" in preflight.headers["access-control-allow-headers"].lower()
    assert "access-control-allow-credentials" not in preflight.headers


def test_gzip_when_accepted_and_large(server: Server) -> None:
    plain = server.query(LABELS, accept="text/csv")
    zipped = server.request(
        "GET", "/sparql?" + urllib.parse.urlencode({"query": LABELS}),
        headers={"Accept": "text/csv", "Accept-Encoding": "gzip"},
    )  # fmt: skip
    assert len(plain.body) > 1024 and "content-encoding" not in plain.headers
    assert zipped.headers["content-encoding"] == "gzip"
    assert "Accept-Encoding" in zipped.headers["vary"]
    assert gzip.decompress(zipped.body) == plain.body
    assert len(zipped.body) < len(plain.body)
    small = server.request("GET", "/sparql?query=ASK%20%7B%7D", headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in small.headers


def test_etag_answers_a_repeated_query_with_304(server: Server) -> None:
    first = server.query(LABELS, accept="text/csv")
    etag = first.headers["etag"]
    assert etag.startswith('W/"')
    again = server.get("/sparql", {"Accept": "text/csv", "If-None-Match": etag}, query=LABELS)
    assert again.status == 304 and again.body == b"" and again.headers["etag"] == etag
    # Another format or another query is another representation.
    assert (
        server.get(
            "/sparql", {"Accept": "text/tab-separated-values", "If-None-Match": etag}, query=LABELS
        ).status
        == 200
    )
    assert (
        server.get("/sparql", {"Accept": "text/csv", "If-None-Match": etag}, query=LABELS + " LIMIT 1").status
        == 200
    )


def test_result_cache_answers_a_repeated_query(server: Server) -> None:
    query = LABELS + " # result cache probe"
    before = server.get("/health").json()["result_cache"]
    first = server.query(query, accept="text/csv")
    second = server.request(
        "POST", "/sparql", query.encode(), {"Content-Type": "application/sparql-query", "Accept": "text/csv"}
    )
    assert first.headers["x-cache"] == "miss" and second.headers["x-cache"] == "hit"
    assert second.status == 200 and second.body == first.body
    # Another format is another answer, evaluated once and kept too.
    tsv = server.query(query, accept="text/tab-separated-values")
    assert tsv.headers["x-cache"] == "miss" and tsv.media_type == "text/tab-separated-values"
    after = server.get("/health").json()["result_cache"]
    assert after["hits"] == before["hits"] + 1 and after["misses"] == before["misses"] + 2
    assert after["entries"] == before["entries"] + 2 and 0 < after["bytes"] <= after["capacity_bytes"]
    assert "X-Cache" in first.headers["access-control-expose-headers"]


def test_result_cache_keeps_no_errors_and_no_federated_answers(
    server: Server, remote_endpoint: tuple[str, list[str]]
) -> None:
    for _ in range(2):
        broken = server.query("SELECT ?x WHERE { ?x ?y }")
        assert broken.status == 400 and "x-cache" not in broken.headers
    url, calls = remote_endpoint
    federated = f"SELECT ?remote WHERE {{ SERVICE <{url}> {{ ?s ?p ?remote }} }} # cache probe"
    made = len(calls)
    for _ in range(2):  # remote data is not covered by the graph version: asked again every time
        reply = server.query(federated)
        assert reply.status == 200 and "x-cache" not in reply.headers
    assert len(calls) == made + 2


def test_graph_store_read(server: Server) -> None:
    named = server.get("/rdf-graph-store", {"Accept": "application/n-triples"}, graph=EXTRA_GRAPH)
    assert named.status == 200 and named.media_type == "application/n-triples"
    assert GREETING in set(Graph().parse(data=named.body, format="nt").objects())
    default = server.get("/rdf-graph-store", {"Accept": "text/turtle"}, default="")
    assert default.status == 200
    graph = Graph().parse(data=default.body, format="turtle")
    assert len(graph) == server.get("/health").json()["triples"]
    assert (
        URIRef("https://w3id.org/ozgkg/id/land/08"),
        SKOS.prefLabel,
        Literal("Baden-Württemberg", lang="de"),
    ) in graph
    again = server.get(
        "/rdf-graph-store", {"Accept": "text/turtle", "If-None-Match": default.headers["etag"]}, default=""
    )
    assert again.status == 304


def test_graph_store_errors(server: Server) -> None:
    assert server.get("/rdf-graph-store", graph="http://example.org/not-served").status == 404
    # No graph parameter is the whole store (tests/endpoint/test_linked_data.py), in a dump's format only.
    assert server.get("/rdf-graph-store", {"Accept": "application/rdf+xml"}).status == 406
    assert server.get("/rdf-graph-store", graph=EXTRA_GRAPH, default="").status == 400
    assert server.get("/rdf-graph-store", {"Accept": "text/csv"}, graph=EXTRA_GRAPH).status == 406
    for method in ("PUT", "POST", "DELETE"):
        reply = server.request(
            method, "/rdf-graph-store?default", "<a> <b> <c> .", {"Content-Type": "text/turtle"}
        )
        assert reply.status == 405 and READ_ONLY in reply.text
        assert "GET" in reply.headers["allow"]


def test_health(server: Server) -> None:
    health = server.get("/health").json()
    assert health["status"] == "ok"
    assert health["triples"] > 0 and health["graphs"] > 3 and health["quads"] >= health["triples"]
    assert re.fullmatch(r"\d+\.\d+\.\d+.*", health["version"])


def test_head_and_unknown_paths(server: Server) -> None:
    head = server.request("HEAD", "/sparql?query=ASK%20%7B%7D")
    assert head.status == 200 and head.body == b""
    missing = server.get("/nowhere")
    assert missing.status == 404 and missing.media_type == "text/plain"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/"),
        ("GET", "/graph"),
        ("GET", "/sparql?query=ASK%7B%7D"),
        ("GET", "/sparql?query=ASK%7B"),
        ("POST", "/rdf-graph-store"),
        ("GET", "/health"),
        ("GET", "/id/land/16"),
        ("GET", "/search?q=Bayern"),
        ("GET", "/validation"),
        ("GET", "/static/vendor/yasgui.min.js"),
        ("GET", "/no/such/page"),
        ("OPTIONS", "/sparql"),
    ],
)
def test_security_headers_on_every_response(server: Server, method: str, path: str) -> None:
    reply = server.request(method, path, headers={"Accept": "text/html"})
    assert reply.headers["x-content-type-options"] == "nosniff"
    assert reply.headers["x-frame-options"] == "DENY"
    policy = dict(part.strip().split(" ", 1) for part in reply.headers["content-security-policy"].split(";"))
    assert policy["script-src"] == "'self'" and policy["frame-ancestors"] == "'none'"
    assert "unsafe-eval" not in reply.headers["content-security-policy"]


def test_pages_load_nothing_from_elsewhere(server: Server) -> None:
    """The policy allows this server only: a page that named a script or style elsewhere would break."""
    for path in ("/", "/graph", "/id/land/16", "/validation", "/ontology"):
        page = server.request("GET", path, headers={"Accept": "text/html"}).text
        external = re.findall(r"<(?:script|link|img)[^>]+(?:src|href)=[\"']?(?:https?:)?//[^>]*>", page)
        assert [tag for tag in external if 'rel="alternate"' not in tag] == [], path
        assert not re.search(r"<script(?![^>]*\b(?:src=|type=\"application/(?:ld\+)?json\"))[^>]*>", page), (
            path
        )
