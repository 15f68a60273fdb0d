"""What the endpoint says about itself: SPARQL Service Description, VoID statistics, DCAT-AP.de record.

Statistics are counted once at start-up (the graph does not change while served); the RDF is built
per endpoint URL, since `sd:endpoint` must be the URL the client used.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, VOID, XSD

from . import __version__
from .namespaces import BASE, DCATDE, ID, OZG, SD, bind_prefixes
from .protocol import RDF_FORMATS, RESULTS_FORMATS
from .store import Store

DATASET = URIRef(BASE + "dataset")
SERVICE = URIRef(BASE + "dataset/sparql-service")
DISTRIBUTION = URIRef(BASE + "dataset/sparql-distribution")
LICENSE = URIRef("http://dcat-ap.de/def/licenses/dl-by-de/2.0")
PUBLISHER_NAME = "ozg-kg contributors"
ATTRIBUTION = "ozg-kg contributors: Wissensgraph zur OZG-Umsetzung (https://w3id.org/ozgkg/)"
_EU = "http://publications.europa.eu/resource/authority/"
DCAT_VERSION = URIRef(str(DCAT) + "version")  # DCAT 3; rdflib's closed DCAT namespace predates it


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
    return DatasetStatistics(
        union=union,
        graphs=dict(sorted(graphs.items())),
        distinct_subjects=int(distinct["s_n"]),
        distinct_objects=int(distinct["o_n"]),
    )


def statistics_from_json(data: object) -> DatasetStatistics | None:
    """Statistics from `dataclasses.asdict` of them, or None if `data` is not such a record."""
    try:
        return DatasetStatistics(
            union=GraphStatistics(**data["union"]),
            graphs={iri: GraphStatistics(**graph) for iri, graph in data["graphs"].items()},
            distinct_subjects=int(data["distinct_subjects"]),
            distinct_objects=int(data["distinct_objects"]),
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


def _titled(graph: Graph, node: URIRef, de: str, en: str) -> None:
    graph.add((node, DCTERMS.title, Literal(de, lang="de")))
    graph.add((node, DCTERMS.title, Literal(en, lang="en")))


def _service(graph: Graph, endpoint: URIRef, federation: bool) -> None:
    graph.add((SERVICE, RDF.type, SD.Service))
    graph.add((SERVICE, SD.endpoint, endpoint))
    graph.add((SERVICE, SD.supportedLanguage, SD.SPARQL11Query))
    graph.add((SERVICE, SD.feature, SD.UnionDefaultGraph))
    if federation:
        graph.add((SERVICE, SD.feature, SD.BasicFederatedQuery))
    graph.add((SERVICE, SD.defaultEntailmentRegime, URIRef("http://www.w3.org/ns/entailment/Simple")))
    for fmt in (*RESULTS_FORMATS, *RDF_FORMATS):
        graph.add((SERVICE, SD.resultFormat, URIRef(fmt.w3c)))
    graph.add((SERVICE, SD.defaultDataset, DATASET))


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


def _catalogue_record(graph: Graph, endpoint: URIRef) -> None:
    publisher = BNode()
    graph.add((publisher, RDF.type, FOAF.Agent))
    graph.add((publisher, FOAF.name, Literal(PUBLISHER_NAME)))

    graph.add((DATASET, RDF.type, DCAT.Dataset))
    _titled(graph, DATASET, "Wissensgraph zur OZG-Umsetzung", "Knowledge graph of the OZG implementation")
    graph.add(
        (
            DATASET,
            DCTERMS.description,
            Literal(
                "Wie Bund, Länder und Kommunen das Onlinezugangsgesetz umsetzen: Stellen, Portale, Förderung "
                "und Nachnutzung, jede Aussage mit ihrer Quelle.",
                lang="de",
            ),
        )
    )
    graph.add(
        (
            DATASET,
            DCTERMS.description,
            Literal(
                "How the Federation, the Länder and municipalities implement the Online Access Act: bodies, "
                "portals, funding and reuse, every statement with its source.",
                lang="en",
            ),
        )
    )
    graph.add((DATASET, DCAT_VERSION, Literal(__version__)))
    graph.add((DATASET, DCAT.theme, URIRef(_EU + "data-theme/GOVE")))
    graph.add((DATASET, DCTERMS.spatial, URIRef(_EU + "country/DEU")))
    graph.add((DATASET, DCTERMS.language, URIRef(_EU + "language/DEU")))
    graph.add(
        (
            DATASET,
            DCATDE.politicalGeocodingLevelURI,
            URIRef("http://dcat-ap.de/def/politicalGeocoding/Level/federal"),
        )
    )
    for keyword in ("Onlinezugangsgesetz", "OZG", "E-Government", "Verwaltungsdigitalisierung"):
        graph.add((DATASET, DCAT.keyword, Literal(keyword, lang="de")))
    graph.add((DATASET, DCAT.distribution, DISTRIBUTION))

    graph.add((DISTRIBUTION, RDF.type, DCAT.Distribution))
    _titled(graph, DISTRIBUTION, "SPARQL-Endpunkt", "SPARQL endpoint")
    graph.add((DISTRIBUTION, DCAT.accessURL, endpoint))
    graph.add((DISTRIBUTION, DCAT.accessService, SERVICE))

    graph.add((SERVICE, RDF.type, DCAT.DataService))
    _titled(
        graph, SERVICE, "SPARQL-Endpunkt des OZG-Wissensgraphen", "SPARQL endpoint of the OZG knowledge graph"
    )
    graph.add((SERVICE, DCAT.endpointURL, endpoint))
    graph.add((SERVICE, DCAT.endpointDescription, endpoint))
    graph.add((SERVICE, DCAT.servesDataset, DATASET))
    graph.add((SERVICE, DCTERMS.conformsTo, URIRef("https://www.w3.org/TR/sparql11-protocol/")))

    for node in (DATASET, DISTRIBUTION, SERVICE):
        graph.add((node, DCTERMS.license, LICENSE))
        graph.add((node, DCATDE.licenseAttributionByText, Literal(ATTRIBUTION, lang="de")))
        graph.add((node, DCTERMS.publisher, publisher))


PARTS = frozenset({"sd", "void", "dcat"})


def describe(
    endpoint_url: str, stats: DatasetStatistics, *, federation: bool = False, parts: Iterable[str] = PARTS
) -> Graph:
    """The description of the endpoint at `endpoint_url`: any of service (sd), statistics (void), DCAT."""
    parts = set(parts)
    graph = bind_prefixes(Graph())
    graph.bind("formats", "http://www.w3.org/ns/formats/")
    endpoint = URIRef(endpoint_url)
    if "sd" in parts:
        _service(graph, endpoint, federation)
    if "void" in parts or "sd" in parts:
        _datasets(graph, stats, endpoint)
    if "dcat" in parts:
        _catalogue_record(graph, endpoint)
    return graph
