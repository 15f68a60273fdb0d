"""Outside tools read the endpoint as it is (issue 14, items 2-5): rdflib and Comunica read entity
documents by URL, every IRI kind the project mints dereferences in HTML and RDF, the dumps parse back
with the counts /health reports, and everyday clients (a browser, a plain JSON client, pandas reading
CSV by URL, a client that sends media type parameters) get what they asked for.

What a tool does over a socket is tested on the real server (`server`); the HTTP rules in-process.
"""

from __future__ import annotations

import gzip
import io
import subprocess
import urllib.parse
import urllib.request
from pathlib import Path

import pandas
import pyoxigraph as ox
import pytest
from rdflib import Dataset, Graph, URIRef
from rdflib.namespace import DCAT, DCTERMS, OWL, PROV, RDF, VOID

from ozgkg.features.dumps import DUMPS, FILE_TYPES, IANA
from ozgkg.namespaces import BASE, GRAPH, ID, ONTOLOGY_IRI, OZG

from .conftest import Client, InProcess, Server

LAND_05 = URIRef(ID["land/05"])
META = URIRef(GRAPH["meta"])
DATASET = URIRef(BASE + "dataset")
BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8"
COMUNICA = Path(__file__).parents[1] / "federation" / "node_modules" / ".bin" / "comunica-sparql"
GRAPHS_QUERY = "SELECT ?g WHERE { GRAPH ?g { } } ORDER BY ?g"


def fetch(url: str, accept: str | None = None) -> tuple[dict[str, str], bytes]:
    """GET as a plain client does (urllib: no Accept unless given)."""
    request = urllib.request.Request(url, headers={"Accept": accept} if accept else {})
    with urllib.request.urlopen(request, timeout=120) as reply:
        return {k.lower(): v for k, v in reply.headers.items()}, reply.read()


def one_value(client: Client, query: str) -> str:
    reply = client.query(query)
    assert reply.status == 200, reply.text
    bindings = reply.json()["results"]["bindings"]
    assert bindings, f"no answer to {query}"
    return next(iter(bindings[0].values()))["value"]


# ------------------------------------------------------------------ item 2: entity documents


def test_rdflib_reads_the_facts_of_an_entity_in_every_triple_format(server: Server) -> None:
    url = f"{server.base}/id/land/05"
    sizes = {}
    for name in ("json-ld", "turtle", "xml", "nt"):
        graph = Graph().parse(url, format=name)  # rdflib sends the format's Accept header
        assert (LAND_05, RDF.type, OZG.Land) in graph, name
        sizes[name] = len(graph)
    assert len(set(sizes.values())) == 1, f"every format carries the same triples: {sizes}"
    headers, body = fetch(url, "application/ld+json")
    assert b'"@context"' in body and headers["content-type"].startswith("application/ld+json")


def test_dataset_formats_carry_the_facts_in_the_default_graph_and_their_sources(server: Server) -> None:
    url = f"{server.base}/id/land/05"
    facts = set(Graph().parse(url, format="turtle"))
    for name, query in (("nquads", "?format=nquads"), ("trig", "")):
        dataset = Dataset()
        dataset.parse(url + query, format=name)
        assert set(dataset.default_graph) == facts, name
        named = {
            (s, p, o) for s, p, o, g in dataset.quads() if g not in (None, dataset.default_graph.identifier)
        }
        assert facts <= named, f"{name}: every fact also lies in the named graph of its source"
        assert any(dataset.graph(META).triples((None, PROV.wasDerivedFrom, None))), name


@pytest.mark.skipif(not COMUNICA.exists(), reason="Comunica: npm ci in tests/federation")
def test_comunica_queries_an_entity_document(server: Server) -> None:
    url = f"{server.base}/id/land/05"
    expected = set(Graph().parse(url, format="turtle").predicate_objects(LAND_05))
    query = f"SELECT ?p ?o WHERE {{ <{LAND_05}> ?p ?o }}"
    result = subprocess.run(
        [str(COMUNICA), url, query, "-t", "text/csv"], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-3000:]
    rows = pandas.read_csv(io.StringIO(result.stdout))
    assert len(rows) == len(expected) > 0
    assert f"<{OZG.Land}>" in set(rows["o"])  # Comunica writes IRIs in CSV as <...>


# ------------------------------------------------------------------ item 3: every IRI dereferences


def minted_iris(client: Client) -> list[str]:
    """One IRI of each kind the project mints: entity, source document, ontology term, provenance
    graph, the dataset and each of its distributions."""
    derived = f"GRAPH <{META}> {{ ?g <{PROV.wasDerivedFrom}> ?d }}"
    document = one_value(client, f"SELECT ?d WHERE {{ {derived} }} ORDER BY ?d LIMIT 1")
    passage = one_value(client, f"SELECT ?g WHERE {{ {derived} }} ORDER BY ?g LIMIT 1")
    record = Graph().parse(data=client.get("/dataset", {"Accept": "text/turtle"}).body, format="turtle")
    distributions = [str(d) for d in record.objects(DATASET, DCAT.distribution)]
    assert len(distributions) == 1 + len(DUMPS)
    return [str(LAND_05), document, str(OZG.Land), passage, str(META), str(DATASET), *distributions]


def local(iri: str) -> str:
    return "/" + iri.removeprefix(BASE).split("#")[0]


def test_every_minted_iri_dereferences_to_html_and_rdf(app_server: InProcess) -> None:
    for iri in minted_iris(app_server):
        path = local(iri)
        page = app_server.get(path, {"Accept": BROWSER_ACCEPT})
        assert page.status == 200 and page.media_type == "text/html", (iri, page.status)
        reply = app_server.get(path, {"Accept": "text/turtle"})
        assert reply.status == 200 and reply.media_type == "text/turtle", (iri, reply.text[:300])
        graph = Graph().parse(data=reply.body, format="turtle")
        if iri.startswith(str(GRAPH)):
            # A graph's document holds the graph's statements (all of them, for graphs this small).
            contents = app_server.get("/rdf-graph-store", {"Accept": "text/turtle"}, graph=iri)
            held = set(Graph().parse(data=contents.body, format="turtle"))
            assert held and held <= set(graph), path
        else:
            assert (URIRef(iri), None, None) in graph, f"{path} describes <{iri}>"
        # The policy (ontology/README.md): 200, Content-Location for this format, Link to every one.
        assert reply.headers["content-location"].endswith(f"{path}?format=turtle"), iri
        links = reply.headers["link"]
        for media_type in ("text/html", "text/turtle", "application/ld+json", "application/rdf+xml"):
            assert f'rel="alternate"; type="{media_type}"' in links, (iri, media_type)
    ontology = Graph().parse(data=app_server.get("/def", {"Accept": "text/turtle"}).body, format="turtle")
    assert (OZG.Land, RDF.type, OWL.Class) in ontology
    version = ontology.value(URIRef(ONTOLOGY_IRI), OWL.versionIRI)
    assert (
        version is not None and app_server.get(local(str(version)), {"Accept": "text/turtle"}).status == 200
    )
    assert app_server.get("/def/0.0.0-never", {"Accept": "text/turtle"}).status == 404


def test_an_unknown_iri_is_a_404_page(app_server: InProcess) -> None:
    for path in ("/id/land/99", "/graph/no-such-graph", "/dataset/no-such-distribution"):
        page = app_server.get(path, {"Accept": BROWSER_ACCEPT})
        assert page.status == 404 and page.media_type == "text/html", path
        assert "404" in page.text
        text = app_server.get(path, {"Accept": "text/turtle"})
        assert text.status == 404 and text.media_type == "text/plain", path


def test_the_graph_view_moved_to_explore_with_a_redirect(app_server: InProcess) -> None:
    assert app_server.get("/explore", {"Accept": BROWSER_ACCEPT}).status == 200
    bare = app_server.get("/graph", {"Accept": BROWSER_ACCEPT})
    assert bare.status == 301 and bare.headers["location"].endswith("/explore")
    query = urllib.parse.urlencode({"iri": str(LAND_05)})
    old = app_server.request("GET", f"/graph?{query}", headers={"Accept": BROWSER_ACCEPT})
    assert old.status == 301 and old.headers["location"].endswith(f"/explore?{query}")


# ------------------------------------------------------------------ item 4: dumps


def test_dumps_parse_back_with_the_counts_health_reports(server: Server) -> None:
    health = server.get("/health").json()
    record = Graph().parse(f"{server.base}/dataset", format="turtle")
    void = Graph().parse(f"{server.base}/.well-known/void", format="turtle")
    counts = {}
    for dump in DUMPS:
        distribution = URIRef(dump.iri)
        (url,) = record.objects(distribution, DCAT.downloadURL)
        assert (distribution, DCAT.mediaType, URIRef(IANA + dump.media_type)) in record
        assert (distribution, DCTERMS["format"], URIRef(FILE_TYPES + dump.file_type)) in record
        assert (DATASET, VOID.dataDump, url) in void
        headers, body = fetch(str(url))
        assert headers["content-type"] == "application/gzip" and headers["etag"]
        again = server.get(urllib.parse.urlsplit(str(url)).path, {"If-None-Match": headers["etag"]})
        assert again.status == 304
        data = gzip.decompress(body)
        if dump.media_type == "application/n-quads":
            counts[dump.file_name] = len(list(ox.parse(data, format=ox.RdfFormat.N_QUADS)))
        elif dump.media_type == "application/trig":
            dataset = Dataset()
            dataset.parse(data=data, format="trig")
            counts[dump.file_name] = sum(1 for _ in dataset.quads())
        else:
            counts[dump.file_name] = len(Graph().parse(data=data, format="turtle"))
    assert counts == {
        "ozgkg.nq.gz": health["quads"],
        "ozgkg.trig.gz": health["quads"],
        "ozgkg-facts.ttl.gz": health["triples"],
    }


def test_the_graph_store_without_a_graph_is_the_whole_store(server: Server) -> None:
    health = server.get("/health").json()
    headers, body = fetch(f"{server.base}/rdf-graph-store", "application/n-quads")
    assert headers["content-type"].startswith("application/n-quads")
    assert len(list(ox.parse(body, format=ox.RdfFormat.N_QUADS))) == health["quads"]
    headers, body = fetch(f"{server.base}/rdf-graph-store", "text/turtle")
    assert len(Graph().parse(data=body, format="turtle")) == health["triples"]


# ------------------------------------------------------------------ item 5: everyday clients


def test_a_browser_asking_for_the_endpoint_gets_a_page(app_server: InProcess) -> None:
    page = app_server.get("/sparql", {"Accept": BROWSER_ACCEPT})
    assert page.status == 200 and page.media_type == "text/html"
    assert "/sparql" in page.text and "query=" in page.text
    # SPARQL clients that ask for the service description keep getting RDF.
    for accept in ("*/*", "text/turtle", ""):
        reply = app_server.get("/sparql", {"Accept": accept} if accept else {})
        assert reply.status == 200 and reply.media_type == "text/turtle", accept


def test_plain_json_clients_get_json(app_server: InProcess) -> None:
    json = {"Accept": "application/json"}
    select = app_server.get("/sparql", json, query="SELECT ?s WHERE { ?s ?p ?o } LIMIT 2")
    assert (
        select.media_type == "application/sparql-results+json"
        and len(select.json()["results"]["bindings"]) == 2
    )
    ask = app_server.get("/sparql", json, query="ASK { ?s ?p ?o }")
    assert ask.media_type == "application/sparql-results+json" and ask.json()["boolean"] is True
    construct = app_server.get("/sparql", json, query=f"CONSTRUCT WHERE {{ <{LAND_05}> ?p ?o }}")
    assert construct.status == 200 and construct.media_type == "application/ld+json"
    assert (LAND_05, RDF.type, OZG.Land) in Graph().parse(data=construct.body, format="json-ld")
    entity = app_server.get("/id/land/05", json)
    assert entity.status == 200 and entity.media_type == "application/ld+json"


def test_output_and_results_name_the_format_like_format(app_server: InProcess) -> None:
    query = "SELECT ?g WHERE { GRAPH ?g { } } LIMIT 3"
    for parameter, value, media_type in (
        ("output", "csv", "text/csv"),
        ("results", "tsv", "text/tab-separated-values"),
        ("output", "xml", "application/sparql-results+xml"),
        ("format", "csv", "text/csv"),
    ):
        reply = app_server.get("/sparql", query=query, **{parameter: value})
        assert reply.status == 200 and reply.media_type == media_type, (parameter, value)
    for parameter in ("format", "output", "results"):
        reply = app_server.get("/sparql", query=query, **{parameter: "excel"})
        assert reply.status == 400, parameter
        assert "'excel'" in reply.text and "csv" in reply.text and "tsv" in reply.text, reply.text


def test_pandas_reads_a_select_as_csv_by_url(server: Server) -> None:
    expected = [b["g"]["value"] for b in server.query(GRAPHS_QUERY).json()["results"]["bindings"]]
    url = f"{server.endpoint}?{urllib.parse.urlencode({'query': GRAPHS_QUERY, 'output': 'csv'})}"
    frame = pandas.read_csv(url)
    assert list(frame.columns) == ["g"]
    assert list(frame["g"]) == expected and len(expected) == server.get("/health").json()["graphs"]


@pytest.mark.parametrize(
    ("method", "path", "params"),
    [
        ("GET", "/id/land/05", {}),
        ("GET", "/sparql", {"query": f"CONSTRUCT WHERE {{ <{LAND_05}> ?p ?o }}"}),
        ("GET", "/sparql", {}),
        ("HEAD", "/rdf-graph-store", {"default": ""}),
        ("GET", "/rdf-graph-store", {"graph": str(META)}),
        ("GET", "/def", {}),
        ("GET", "/dataset", {}),
        ("GET", "/.well-known/void", {}),
        ("GET", "/validation", {}),
    ],
)
def test_media_types_with_parameters_are_negotiated(
    app_server: InProcess, method: str, path: str, params: dict[str, str]
) -> None:
    query = urllib.parse.urlencode(params)
    reply = app_server.request(
        method, f"{path}?{query}" if query else path, headers={"Accept": "text/turtle; charset=utf-8"}
    )
    assert reply.status == 200, (path, reply.text[:300])
    assert reply.media_type == "text/turtle"
