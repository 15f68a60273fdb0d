"""IRIs of the project and the vocabularies it reuses.

One schema.org namespace only: http://schema.org/ (as CPSV-AP and Wikidata use it).
rdflib binds `schema:` to https://schema.org/ by default, so every graph we serialise
binds it explicitly (see `bind_prefixes`).
"""

from __future__ import annotations

from rdflib import Graph, Namespace
from rdflib.namespace import DCAT, DCTERMS, FOAF, ORG, OWL, PROV, RDF, RDFS, SKOS, VOID, XSD

BASE = "https://w3id.org/ozgkg/"
OZG = Namespace(BASE + "def#")
ID = Namespace(BASE + "id/")
GRAPH = Namespace(BASE + "graph/")
ONTOLOGY_IRI = BASE + "def"

SCHEMA = Namespace("http://schema.org/")
SCHEMA_HTTPS = "https://schema.org/"
CV = Namespace("http://data.europa.eu/m8g/")
CPSV = Namespace("http://purl.org/vocab/cpsv#")
DCATDE = Namespace("http://dcat-ap.de/def/dcatde/")
SH = Namespace("http://www.w3.org/ns/shacl#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
ELI = Namespace("http://data.europa.eu/eli/ontology#")
ADMS = Namespace("http://www.w3.org/ns/adms#")
VANN = Namespace("http://purl.org/vocab/vann/")
WD = Namespace("http://www.wikidata.org/entity/")

ONTOLOGY_GRAPH = GRAPH["ontology"]

PREFIXES: dict[str, str] = {
    "ozg": str(OZG),
    "ozgid": str(ID),
    "ozgg": str(GRAPH),
    "schema": str(SCHEMA),
    "cv": str(CV),
    "cpsv": str(CPSV),
    "org": str(ORG),
    "skos": str(SKOS),
    "prov": str(PROV),
    "dct": str(DCTERMS),
    "dcat": str(DCAT),
    "dcatde": str(DCATDE),
    "foaf": str(FOAF),
    "owl": str(OWL),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "xsd": str(XSD),
    "void": str(VOID),
    "sd": str(SD),
    "sh": str(SH),
    "eli": str(ELI),
    "adms": str(ADMS),
    "vann": str(VANN),
    "wd": str(WD),
    # One prefix per IRI family of the graph (ontology/README.md, "Prefixes for queries"), so that
    # `land:05` works in SPARQL where `ozgid:land/05` cannot (a `/` may not stand in a local name).
    **{
        prefix: f"{ID}{family}/"
        for prefix, family in {
            "land": "land",
            "kommunen": "kommunen",
            "body": "body",
            "solution": "solution",
            "measure": "measure",
            "amount": "amount",
            "rate": "rate",
            "reuse": "reuse",
            "rules": "reuse-rules",
            "agreement": "agreement",
            "standard": "standard",
            "law": "law",
            "themenfeld": "themenfeld",
            "service": "service",
            "catalogue": "catalogue",
            "doc": "doc",
            "refsource": "refsource",
            "modality": "modality",
            "status": "information-status",
            "qualifier": "amount-qualifier",
            "basis": "amount-basis",
            "kind": "amount-kind",
        }.items()
    },
}


def bind_prefixes(graph: Graph) -> Graph:
    """Bind the project's prefixes, replacing rdflib's https schema.org default."""
    for prefix, iri in PREFIXES.items():
        graph.bind(prefix, iri, override=True, replace=True)
    return graph


def sparql_prologue() -> str:
    """PREFIX declarations for queries written by hand."""
    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())
