"""What the endpoint says about itself: SPARQL Service Description, VoID statistics, DCAT-AP.de record.

Statistics are counted once at start-up (the graph does not change while served); the RDF is built
per endpoint URL, since `sd:endpoint` must be the URL the client used.
"""

from __future__ import annotations

import functools
import os
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import BNode, Dataset, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF, SKOS, VOID, XSD
from rdflib.term import Node

from ozgkg import __version__
from ozgkg.features.dumps import AVAILABILITY, DUMPS, FILE_TYPES, IANA
from ozgkg.namespaces import BASE, DCATDE, ID, ONTOLOGY_GRAPH, OZG, SD, bind_prefixes
from ozgkg.rdf.formats import RDF_FORMATS, RESULTS_FORMATS
from ozgkg.store import Store

DATASET = URIRef(BASE + "dataset")
SERVICE = URIRef(BASE + "dataset/sparql-service")
DISTRIBUTION = URIRef(BASE + "dataset/sparql-distribution")
DCAT_VERSION = URIRef(str(DCAT) + "version")  # DCAT 3; rdflib's closed DCAT namespace predates it
# The static parts (service description, DCAT-AP.de record) are Turtle, in a TriG file beside this module.
TEMPLATE = Path(__file__).with_name("service_description.trig")
ENDPOINT_PLACEHOLDER = URIRef("urn:ozgkg:endpoint")
_PART_GRAPHS = {"sd": URIRef("urn:ozgkg:part:sd"), "dcat": URIRef("urn:ozgkg:part:dcat")}
# GovData assigns a provider its dcatde:contributorID (an IRI under CONTRIBUTORS) when it registers;
# none is made up here: an operator who has one sets it in this environment variable.
CONTRIBUTOR_ENV = "OZGKG_DCAT_CONTRIBUTOR_ID"
CONTRIBUTORS = "http://dcat-ap.de/def/contributors/"


@functools.cache
def _template() -> dict[str, tuple[tuple[Node, Node, Node], ...]]:
    """The template's triples per part, read once."""
    dataset = Dataset()
    dataset.parse(TEMPLATE, format="trig")
    return {part: tuple(dataset.graph(name)) for part, name in _PART_GRAPHS.items()}


@dataclass
class GraphStatistics:
    """VoID counts of one graph: triples, entities per class, triples per property."""

    triples: int = 0
    classes: dict[str, int] = field(default_factory=dict)
    properties: dict[str, int] = field(default_factory=dict)


@dataclass
class DatasetStatistics:
    union: GraphStatistics
    graphs: dict[str, GraphStatistics]
    distinct_subjects: int = 0
    distinct_objects: int = 0
    first_year: int | None = None  # the earliest and latest year of a date in the graph (not the ontology)
    last_year: int | None = None

    @property
    def quads(self) -> int:
        return sum(g.triples for g in self.graphs.values())


def collect_statistics(store: Store) -> DatasetStatistics:
    """Count triples, classes and properties of the union default graph and of every named graph."""
    graphs: dict[str, GraphStatistics] = defaultdict(GraphStatistics)
    for row in store.rows("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"):
        graphs[row["g"]].triples = int(row["n"])
    for row in store.rows(
        "SELECT ?g ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { GRAPH ?g { ?s a ?c } } GROUP BY ?g ?c"
    ):
        graphs[row["g"]].classes[row["c"]] = int(row["n"])
    for row in store.rows("SELECT ?g ?p (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ?p"):
        graphs[row["g"]].properties[row["p"]] = int(row["n"])
    union = GraphStatistics()
    union.triples = int(store.rows("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")[0]["n"])
    for row in store.rows("SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c"):
        union.classes[row["c"]] = int(row["n"])
    for row in store.rows("SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p"):
        union.properties[row["p"]] = int(row["n"])
    distinct = store.rows(
        "SELECT (COUNT(DISTINCT ?s) AS ?s_n) (COUNT(DISTINCT ?o) AS ?o_n) WHERE { ?s ?p ?o }"
    )[0]
    years = store.rows(_YEARS)[0]
    return DatasetStatistics(
        union=union,
        graphs=dict(sorted(graphs.items())),
        distinct_subjects=int(distinct["s_n"]),
        distinct_objects=int(distinct["o_n"]),
        first_year=int(years["first"]) if "first" in years else None,
        last_year=int(years["last"]) if "last" in years else None,
    )


# The temporal coverage of the catalogue record: the years of the dates and years the graph states.
_YEARS = f"""
PREFIX xsd: <{XSD}>
SELECT (MIN(?year) AS ?first) (MAX(?year) AS ?last) WHERE {{
  GRAPH ?g {{ ?s ?p ?value }}
  FILTER (?g != <{ONTOLOGY_GRAPH}> && isLiteral(?value)
          && DATATYPE(?value) IN (xsd:date, xsd:dateTime, xsd:gYear, xsd:gYearMonth))
  BIND (xsd:integer(SUBSTR(STR(?value), 1, 4)) AS ?year)
}}"""


def statistics_from_json(data: object) -> DatasetStatistics | None:
    """Statistics from `dataclasses.asdict` of them, or None if `data` is not such a record."""
    try:
        return DatasetStatistics(
            union=GraphStatistics(**data["union"]),
            graphs={iri: GraphStatistics(**graph) for iri, graph in data["graphs"].items()},
            distinct_subjects=int(data["distinct_subjects"]),
            distinct_objects=int(data["distinct_objects"]),
            first_year=data.get("first_year"),
            last_year=data.get("last_year"),
        )
    except (TypeError, KeyError, ValueError, AttributeError):
        return None


def _count(value: int) -> Literal:
    return Literal(value, datatype=XSD.integer)


def _void_statistics(graph: Graph, node: URIRef | BNode, stats: GraphStatistics) -> None:
    graph.add((node, RDF.type, VOID.Dataset))
    graph.add((node, VOID.triples, _count(stats.triples)))
    graph.add((node, VOID.classes, _count(len(stats.classes))))
    graph.add((node, VOID.properties, _count(len(stats.properties))))
    for cls, entities in sorted(stats.classes.items()):
        partition = BNode()
        graph.add((node, VOID.classPartition, partition))
        graph.add((partition, VOID["class"], URIRef(cls)))
        graph.add((partition, VOID.entities, _count(entities)))
    for prop, triples in sorted(stats.properties.items()):
        partition = BNode()
        graph.add((node, VOID.propertyPartition, partition))
        graph.add((partition, VOID.property, URIRef(prop)))
        graph.add((partition, VOID.triples, _count(triples)))


def _from_template(graph: Graph, part: str, endpoint: URIRef) -> None:
    """Add one part of the template, with the endpoint the client used in place of the placeholder."""
    for triple in _template()[part]:
        graph.add(tuple(endpoint if term == ENDPOINT_PLACEHOLDER else term for term in triple))


def _service(graph: Graph, endpoint: URIRef, federation: bool) -> None:
    _from_template(graph, "sd", endpoint)
    if federation:
        graph.add((SERVICE, SD.feature, SD.BasicFederatedQuery))
    for fmt in (*RESULTS_FORMATS, *RDF_FORMATS):
        graph.add((SERVICE, SD.resultFormat, URIRef(fmt.w3c)))


def _datasets(graph: Graph, stats: DatasetStatistics, endpoint: URIRef) -> None:
    graph.add((DATASET, RDF.type, SD.Dataset))
    _void_statistics(graph, DATASET, stats.union)
    graph.add((DATASET, VOID.sparqlEndpoint, endpoint))
    graph.add((DATASET, VOID.entities, _count(stats.distinct_subjects)))
    graph.add((DATASET, VOID.distinctSubjects, _count(stats.distinct_subjects)))
    graph.add((DATASET, VOID.distinctObjects, _count(stats.distinct_objects)))
    graph.add((DATASET, VOID.uriSpace, Literal(str(ID))))
    graph.add((DATASET, VOID.vocabulary, URIRef(str(OZG))))
    default_graph = BNode()
    graph.add((DATASET, SD.defaultGraph, default_graph))
    # The default graph is the union: its partitions are the dataset's own, not repeated here.
    graph.add((default_graph, RDF.type, SD.Graph))
    graph.add((default_graph, VOID.triples, _count(stats.union.triples)))
    for name, graph_stats in stats.graphs.items():
        named, described = BNode(), BNode()
        graph.add((DATASET, SD.namedGraph, named))
        graph.add((named, RDF.type, SD.NamedGraph))
        graph.add((named, SD.name, URIRef(name)))
        graph.add((named, SD.graph, described))
        graph.add((described, RDF.type, SD.Graph))
        graph.add((DATASET, VOID.subset, described))
        _void_statistics(graph, described, graph_stats)


def _catalogue_record(graph: Graph, endpoint: URIRef, stats: DatasetStatistics) -> None:
    _from_template(graph, "dcat", endpoint)
    graph.add((DATASET, DCAT_VERSION, Literal(__version__)))
    if stats.first_year is not None and stats.last_year is not None:
        # The years the graph's dates fall in (see `collect_statistics`): facts of the graph, not a claim.
        period = BNode()
        graph.add((DATASET, DCTERMS.temporal, period))
        graph.add((period, RDF.type, DCTERMS.PeriodOfTime))
        graph.add((period, DCAT.startDate, Literal(str(stats.first_year), datatype=XSD.gYear)))
        graph.add((period, DCAT.endDate, Literal(str(stats.last_year), datatype=XSD.gYear)))
    contributor = os.environ.get(CONTRIBUTOR_ENV, "").strip()
    if contributor.startswith(CONTRIBUTORS):
        graph.add((DATASET, DCATDE.contributorID, URIRef(contributor)))


_LICENCE = URIRef("http://dcat-ap.de/def/licenses/dl-by-de/2.0")
_PUBLISHER = URIRef(BASE + "dataset/publisher")
_GZIP = URIRef(IANA + "application/gzip")
DCATAP = Namespace("http://data.europa.eu/r5r/")


def _dumps(graph: Graph, download_base: str, parts: set[str]) -> None:
    """The dumps: VoID data dumps, and DCAT distributions with download URL, media type and format."""
    for dump in DUMPS:
        url = URIRef(download_base + dump.file_name)
        if "void" in parts or "sd" in parts:
            graph.add((DATASET, VOID.dataDump, url))
        if "dcat" not in parts:
            continue
        node = URIRef(dump.iri)
        media_type, file_type = URIRef(IANA + dump.media_type), URIRef(FILE_TYPES + dump.file_type)
        about_en = f"{dump.title}, gzipped; one file per graph version."
        about_de = f"{dump.title_de}, mit gzip komprimiert; eine Datei je Stand des Graphen."
        for triple in (
            (DATASET, DCAT.distribution, node),
            (node, RDF.type, DCAT.Distribution),
            (node, DCTERMS.title, Literal(f"Dump: {dump.title}", lang="en")),
            (node, DCTERMS.title, Literal(f"Abzug: {dump.title_de}", lang="de")),
            (node, DCTERMS.description, Literal(about_en, lang="en")),
            (node, DCTERMS.description, Literal(about_de, lang="de")),
            (node, DCAT.downloadURL, url),
            (node, DCAT.accessURL, url),
            (node, DCAT.mediaType, media_type),
            (node, DCAT.compressFormat, _GZIP),
            (node, DCTERMS.format, file_type),
            (node, DCATAP.availability, URIRef(AVAILABILITY)),
            (node, DCTERMS.license, _LICENCE),
            (node, DCTERMS.publisher, _PUBLISHER),
            # As the template states the vocabularies' values: with class and scheme, for validators
            # that do not load the vocabularies.
            (media_type, RDF.type, DCTERMS.MediaType),
            (_GZIP, RDF.type, DCTERMS.MediaType),
            (file_type, RDF.type, DCTERMS.MediaTypeOrExtent),
            (file_type, SKOS.inScheme, URIRef(FILE_TYPES.rstrip("/"))),
        ):
            graph.add(triple)


PARTS = frozenset({"sd", "void", "dcat"})


def describe(
    endpoint_url: str,
    stats: DatasetStatistics,
    *,
    federation: bool = False,
    parts: Iterable[str] = PARTS,
    download_base: str | None = None,
) -> Graph:
    """The description of the endpoint at `endpoint_url`: any of service (sd), statistics (void), DCAT;
    with the dumps under `download_base` (a URL the file names are appended to) when it is given."""
    parts = set(parts)
    graph = bind_prefixes(Graph())
    graph.bind("formats", "http://www.w3.org/ns/formats/")
    endpoint = URIRef(endpoint_url)
    if "sd" in parts:
        _service(graph, endpoint, federation)
    if "void" in parts or "sd" in parts:
        _datasets(graph, stats, endpoint)
    if "dcat" in parts:
        _catalogue_record(graph, endpoint, stats)
    if download_base is not None:
        _dumps(graph, download_base, parts)
    return graph
