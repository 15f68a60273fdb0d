"""The 3 W3C Service Description tests (sparql/sparql11/service-description/), then VoID and DCAT-AP.de.

The W3C manifest gives no machine-readable action for these tests; the checks follow their names and
the way test runners define them: a GET on the endpoint returns RDF; it holds an `sd:endpoint` equal
to the URL requested; every sd:NamedGraph has an sd:name and every sd:Dataset an sd:defaultGraph.
"""

from __future__ import annotations

import pyshacl
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, VOID, XSD

from ozgkg import paths
from ozgkg.features.service_description import CONTRIBUTOR_ENV, DatasetStatistics, GraphStatistics, describe
from ozgkg.knowledge.validate import shapes_graph
from ozgkg.namespaces import DCATDE, SD

from .conftest import Server
from .test_w3c_protocol import RDF_PARSERS

FORMATS = "http://www.w3.org/ns/formats/"
LICENSE = URIRef("http://dcat-ap.de/def/licenses/dl-by-de/2.0")


def description(server: Server, path: str = "/sparql", accept: str = "text/turtle", **headers: str) -> Graph:
    reply = server.request("GET", path, headers={"Accept": accept, **headers})
    assert reply.status == 200, reply.text
    assert reply.media_type == accept
    assert "Accept" in reply.headers["vary"]
    return Graph().parse(data=reply.body, format=RDF_PARSERS[reply.media_type])


@pytest.mark.parametrize("accept", sorted(RDF_PARSERS))
def test_returns_rdf(server: Server, accept: str) -> None:
    graph = description(server, accept=accept)
    assert (None, RDF.type, SD.Service) in graph


def test_returns_rdf_turtle_by_default(server: Server) -> None:
    reply = server.request("GET", "/sparql")
    assert reply.media_type == "text/turtle"
    assert len(Graph().parse(data=reply.body, format="turtle")) > 0


def test_has_endpoint_triple(server: Server) -> None:
    graph = description(server)
    assert set(graph.objects(None, SD.endpoint)) == {URIRef(server.endpoint)}
    # The URL the client used, whatever host name it reached the server by.
    aliased = description(server, Host=server.base.removeprefix("http://").replace("127.0.0.1", "localhost"))
    assert set(aliased.objects(None, SD.endpoint)) == {
        URIRef(server.endpoint.replace("127.0.0.1", "localhost"))
    }


def test_conforms_to_schema(server: Server) -> None:
    graph = description(server)
    named = list(graph.subjects(RDF.type, SD.NamedGraph))
    assert named
    assert all(graph.value(n, SD.name) is not None for n in named)
    datasets = list(graph.subjects(RDF.type, SD.Dataset))
    assert datasets
    assert all(graph.value(d, SD.defaultGraph) is not None for d in datasets)
    assert all(isinstance(e, URIRef) for e in graph.objects(None, SD.endpoint))


def test_description_lists_languages_formats_and_every_graph(server: Server) -> None:
    graph = description(server)
    service = graph.value(predicate=RDF.type, object=SD.Service)
    assert graph.value(service, SD.supportedLanguage) == SD.SPARQL11Query
    assert {str(f).removeprefix(FORMATS) for f in graph.objects(service, SD.resultFormat)} == {
        "SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV",
        "Turtle", "N-Triples", "RDF_XML", "JSON-LD", "TriG", "N-Quads",
    }  # fmt: skip
    assert SD.UnionDefaultGraph in set(graph.objects(service, SD.feature))
    names = {str(graph.value(n, SD.name)) for n in graph.subjects(RDF.type, SD.NamedGraph)}
    health = server.get("/health").json()
    assert len(names) == health["graphs"]
    assert "http://kasei.us/2009/09/sparql/data/data1.rdf" in names
    assert "https://w3id.org/ozgkg/graph/extra/umlauts" in names


def test_void_statistics_per_named_graph(server: Server) -> None:
    graph = description(server, "/.well-known/void")
    health = server.get("/health").json()
    dataset = graph.value(predicate=RDF.type, object=DCAT.Dataset)
    assert graph.value(dataset, VOID.triples).toPython() == health["triples"]
    assert graph.value(dataset, VOID.sparqlEndpoint) == URIRef(server.endpoint)
    by_name = {
        str(graph.value(n, SD.name)): graph.value(n, SD.graph)
        for n in graph.subjects(RDF.type, SD.NamedGraph)
    }
    data1 = by_name["http://kasei.us/2009/09/sparql/data/data1.rdf"]
    assert graph.value(data1, VOID.triples).toPython() == 2
    classes = {
        graph.value(p, VOID["class"]): graph.value(p, VOID.entities)
        for p in graph.objects(data1, VOID.classPartition)
    }
    assert classes == {URIRef("http://xmlns.com/foaf/0.1/Document"): Literal(1)}
    properties = {graph.value(p, VOID.property) for p in graph.objects(data1, VOID.propertyPartition)}
    assert properties == {RDF.type, DCTERMS.title}
    assert sum(graph.value(g, VOID.triples).toPython() for g in by_name.values()) == health["quads"]


def test_dcat_ap_de_record(server: Server) -> None:
    for path in ("/dataset", "/sparql", "/.well-known/void"):
        graph = description(server, path)
        dataset = graph.value(predicate=RDF.type, object=DCAT.Dataset)
        service = graph.value(predicate=RDF.type, object=DCAT.DataService)
        # The SPARQL distribution (the dumps are distributions too: tests/endpoint/test_linked_data.py).
        distribution = URIRef("https://w3id.org/ozgkg/dataset/sparql-distribution")
        assert (dataset, DCAT.distribution, distribution) in graph
        assert (distribution, RDF.type, DCAT.Distribution) in graph
        assert graph.value(distribution, DCAT.accessService) == service
        assert graph.value(service, DCAT.endpointURL) == URIRef(server.endpoint)
        assert graph.value(service, DCAT.servesDataset) == dataset
        for node in (dataset, service):
            assert graph.value(node, DCTERMS.license) == LICENSE
            assert graph.value(node, DCATDE.licenseAttributionByText) is not None
            assert graph.value(node, DCTERMS.publisher) is not None
            assert {t.language for t in graph.objects(node, DCTERMS.title)} == {"de", "en"}


def dcat_ap_de_violations(graph: Graph) -> str | None:
    """The report of the project's DCAT-AP.de shapes on a record, or None if it conforms."""
    shapes = shapes_graph([paths.shapes_dir() / "ozg-shapes-dcat-ap-de.ttl"])
    conforms, _, text = pyshacl.validate(graph, shacl_graph=shapes, inference="none", allow_warnings=True)
    return None if conforms else text


def test_dcat_ap_de_record_meets_the_shapes(server: Server) -> None:
    """What DCAT-AP.de 3.0 asks (shapes/ozg-shapes-dcat-ap-de.ttl): contact point, temporal coverage,
    publisher IRI with a name, format, media type, licence, description and availability from the
    controlled vocabularies."""
    graph = description(server, "/dataset")
    assert dcat_ap_de_violations(graph) is None
    dataset = graph.value(predicate=RDF.type, object=DCAT.Dataset)
    publisher = graph.value(dataset, DCTERMS.publisher)
    assert isinstance(publisher, URIRef) and graph.value(publisher, FOAF.name) is not None
    period = graph.value(dataset, DCTERMS.temporal)
    start, end = graph.value(period, DCAT.startDate), graph.value(period, DCAT.endDate)
    assert start.datatype == end.datatype == XSD.gYear and int(start) <= int(end)


def statistics(first_year: int | None = 2020, last_year: int | None = 2024) -> DatasetStatistics:
    return DatasetStatistics(GraphStatistics(), {}, first_year=first_year, last_year=last_year)


def test_the_record_without_what_dcat_ap_de_asks_fails_the_shapes() -> None:
    record = describe("http://localhost/sparql", statistics(), parts={"dcat"})
    assert dcat_ap_de_violations(record) is None
    without_period = describe("http://localhost/sparql", statistics(None, None), parts={"dcat"})
    assert "temporal coverage" in dcat_ap_de_violations(without_period)
    for node in record.subjects(DCAT.mediaType, None):
        record.remove((node, DCAT.mediaType, None))
    assert "IANA media type" in dcat_ap_de_violations(record)


def test_contributor_id_only_as_assigned(monkeypatch: pytest.MonkeyPatch) -> None:
    """GovData assigns the dcatde:contributorID; none is made up, a configured one is stated."""
    monkeypatch.delenv(CONTRIBUTOR_ENV, raising=False)
    record = describe("http://localhost/sparql", statistics(), parts={"dcat"})
    assert not list(record.objects(None, DCATDE.contributorID))
    assigned = "http://dcat-ap.de/def/contributors/example"
    monkeypatch.setenv(CONTRIBUTOR_ENV, assigned)
    record = describe("http://localhost/sparql", statistics(), parts={"dcat"})
    assert list(record.objects(None, DCATDE.contributorID)) == [URIRef(assigned)]
    monkeypatch.setenv(CONTRIBUTOR_ENV, "not-an-iri-of-the-list")
    record = describe("http://localhost/sparql", statistics(), parts={"dcat"})
    assert not list(record.objects(None, DCATDE.contributorID))


def test_description_etag_and_format_parameter(server: Server) -> None:
    first = server.get("/sparql", {"Accept": "text/turtle"})
    again = server.get("/sparql", {"Accept": "text/turtle", "If-None-Match": first.headers["etag"]})
    assert again.status == 304 and again.body == b""
    as_xml = server.get("/sparql", format="rdfxml")
    assert as_xml.media_type == "application/rdf+xml"
    assert as_xml.headers["etag"] != first.headers["etag"]
