"""SPARQLWrapper, the client named in the card: every query form in every format, parsed back.

The checks use facts of the shipped graph only: the Länder with `ozg:stateKey` and German labels,
whose umlauts ("Thüringen", "Baden-Württemberg") must survive every format both ways.
"""

from __future__ import annotations

import csv
import io
import warnings

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import SKOS
from SPARQLWrapper import CSV, GET, JSON, JSONLD, N3, POST, RDFXML, TSV, TURTLE, XML, SPARQLWrapper

from .conftest import Server

LAND = "https://w3id.org/ozgkg/id/land/"
PREFIXES = "PREFIX ozg: <https://w3id.org/ozgkg/def#>\nPREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
EXPECTED = {"08": "Baden-Württemberg", "16": "Thüringen"}
SELECT = (
    PREFIXES + f"SELECT ?key ?label WHERE {{ VALUES ?land {{ <{LAND}08> <{LAND}16> }}\n"
    '  ?land ozg:stateKey ?key ; skos:prefLabel ?label FILTER(lang(?label) = "de") } ORDER BY ?key'
)
ASK = PREFIXES + f'ASK {{ <{LAND}16> skos:prefLabel "Thüringen"@de }}'
CONSTRUCT = (
    PREFIXES
    + f"CONSTRUCT {{ ?land skos:prefLabel ?label }} WHERE {{ VALUES ?land {{ <{LAND}08> <{LAND}16> }}\n"
    "  ?land skos:prefLabel ?label }"
)
DESCRIBE = f"DESCRIBE <{LAND}16>"
SRX = "{http://www.w3.org/2005/sparql-results#}"


def wrapper(server: Server, query: str, return_format: str, method: str = GET) -> SPARQLWrapper:
    client = SPARQLWrapper(server.endpoint, returnFormat=return_format)
    client.setQuery(query)
    client.setMethod(method)
    client.setTimeout(60)
    return client


def run(client: SPARQLWrapper, expected_type: str) -> object:
    with warnings.catch_warnings():
        # SPARQLWrapper warns (RuntimeWarning) when the media type is not the one it asked for.
        warnings.simplefilter("error", RuntimeWarning)
        result = client.query()
        assert result.response.headers["Content-Type"].split(";")[0] == expected_type
        return result.convert()


@pytest.mark.parametrize("method", [GET, POST])
def test_select_json(server: Server, method: str) -> None:
    rows = run(wrapper(server, SELECT, JSON, method), "application/sparql-results+json")["results"][
        "bindings"
    ]
    assert {r["key"]["value"]: r["label"]["value"] for r in rows} == EXPECTED
    assert all(r["label"]["xml:lang"] == "de" for r in rows)


def test_select_xml(server: Server) -> None:
    document = run(wrapper(server, SELECT, XML), "application/sparql-results+xml")
    found = {}
    for result in document.getElementsByTagName("result"):
        values = {
            b.getAttribute("name"): b.getElementsByTagName("literal")[0]
            for b in result.getElementsByTagName("binding")
        }
        assert values["label"].getAttribute("xml:lang") == "de"
        found[values["key"].firstChild.data] = values["label"].firstChild.data
    assert found == EXPECTED


@pytest.mark.parametrize(
    ("fmt", "media_type", "delimiter"), [(CSV, "text/csv", ","), (TSV, "text/tab-separated-values", "\t")]
)
def test_select_csv_tsv(server: Server, fmt: str, media_type: str, delimiter: str) -> None:
    text = run(wrapper(server, SELECT, fmt), media_type).decode("utf-8")
    if fmt == TSV:  # TSV writes RDF terms: ?var headers, quoted literals with language tags
        rows = [line.split(delimiter) for line in text.splitlines()]
        assert rows == [["?key", "?label"], *([f'"{k}"', f'"{v}"@de'] for k, v in EXPECTED.items())]
    else:
        rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
        assert rows == [["key", "label"], *([k, v] for k, v in EXPECTED.items())]


@pytest.mark.parametrize(
    ("fmt", "media_type"),
    [(JSON, "application/sparql-results+json"), (XML, "application/sparql-results+xml")],
)
def test_ask(server: Server, fmt: str, media_type: str) -> None:
    result = run(wrapper(server, ASK, fmt), media_type)
    if fmt == JSON:
        assert result["boolean"] is True
    else:
        assert result.getElementsByTagName("boolean")[0].firstChild.data == "true"
    negative = run(wrapper(server, ASK.replace("Thüringen", "Thueringen"), fmt, POST), media_type)
    assert (
        negative["boolean"] if fmt == JSON else negative.getElementsByTagName("boolean")[0].firstChild.data
    ) in (
        False,
        "false",
    )


@pytest.mark.parametrize(("fmt", "media_type"), [(CSV, "text/csv"), (TSV, "text/tab-separated-values")])
def test_ask_csv_tsv(server: Server, fmt: str, media_type: str) -> None:
    assert run(wrapper(server, ASK, fmt), media_type).decode().strip().lower().endswith("true")


# SPARQLWrapper 2.0 parses RDF/XML and JSON-LD into an rdflib Graph but hands Turtle/N3 back as bytes.
GRAPH_FORMATS = [
    (TURTLE, "text/turtle", None),
    (RDFXML, "application/rdf+xml", None),
    (JSONLD, "application/ld+json", None),
    # SPARQLWrapper has no N-Triples format of its own: ask for it by conneg, read it as N3 (a superset).
    (N3, "application/n-triples", "application/n-triples"),
]


def graph_of(server: Server, query: str, fmt: str, media_type: str, accept: str | None) -> Graph:
    client = wrapper(server, query, fmt)
    if accept:
        client.setOnlyConneg(True)
        client.addCustomHttpHeader("Accept", accept)
    result = run(client, media_type)
    if isinstance(result, bytes):
        return Graph().parse(data=result.decode("utf-8"), format="turtle" if fmt == TURTLE else "nt")
    assert isinstance(result, Graph)
    return result


@pytest.mark.parametrize(("fmt", "media_type", "accept"), GRAPH_FORMATS)
def test_construct(server: Server, fmt: str, media_type: str, accept: str | None) -> None:
    graph = graph_of(server, CONSTRUCT, fmt, media_type, accept)
    for key, label in EXPECTED.items():
        assert (URIRef(LAND + key), SKOS.prefLabel, Literal(label, lang="de")) in graph
    assert {o.language for o in graph.objects()} == {"de", "en"}


@pytest.mark.parametrize(("fmt", "media_type", "accept"), GRAPH_FORMATS)
def test_describe(server: Server, fmt: str, media_type: str, accept: str | None) -> None:
    graph = graph_of(server, DESCRIBE, fmt, media_type, accept)
    assert (URIRef(LAND + "16"), SKOS.prefLabel, Literal("Thüringen", lang="de")) in graph
    assert set(graph.subjects()) >= {URIRef(LAND + "16")}
