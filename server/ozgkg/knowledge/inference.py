"""What the ontology entails, materialised once at load in a named graph of its own.

owlrl computes the OWL 2 RL closure of ontology plus graph (subclass, subproperty, inverse, equivalent
class and property, domain and range, so also the alignments to CPSV-AP, W3C ORG, schema.org, FOAF and
DCAT). Only the useful part of the closure is kept (see `_useful`): entailed facts about the graph's own
nodes, not the closure's axioms about vocabulary terms, `owl:Thing`/`rdfs:Resource` types, reflexive
`owl:sameAs` or the typing of literals.

`owl:sameAs` links to outside entities (Wikidata) are left out of the reasoner's input: OWL RL would
otherwise copy every fact of a Land onto its Wikidata item and back (smushing), which says nothing the
link does not.

What CPSV-AP asks and OWL cannot entail (a dct:title from the node's skos:prefLabel, a dct:identifier
from its IRI) is added by the SPARQL rule `ontology/cpsv-ap.rq`, which the embedded store evaluates over
the asserted and entailed facts.

The closure takes ~6 s in pure Python on the shipped graph; it is cached as an N-Quads file keyed by a
hash of the input files, this package's version and owlrl's version, so a start with unchanged files
only reads it back.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable, Iterable
from importlib.metadata import version as package_version
from pathlib import Path
from typing import BinaryIO

import owlrl
import pyoxigraph as ox
from rdflib import BNode, Graph, URIRef
from rdflib.namespace import OWL, PROV, RDF, RDFS, XSD

from ozgkg import __version__, paths
from ozgkg.namespaces import GRAPH, ID, ONTOLOGY_GRAPH
from ozgkg.rdf.terms import to_oxigraph, to_rdflib_triple

INFERRED_GRAPH = GRAPH["inferred"]
META_GRAPH = GRAPH["meta"]
ACTIVITY = GRAPH["inferred#owl-rl-closure"]
RULES_ACTIVITY = GRAPH["inferred#cpsv-ap-rules"]
OWLRL_VERSION = package_version("owlrl")
REASONER = URIRef(f"https://pypi.org/project/owlrl/{OWLRL_VERSION}/")

# Predicates that state something about vocabulary terms, never about the graph's entities.
_SCHEMA_PREDICATES = frozenset(
    {
        RDFS.subClassOf,
        RDFS.subPropertyOf,
        RDFS.domain,
        RDFS.range,
        OWL.equivalentClass,
        OWL.equivalentProperty,
        OWL.inverseOf,
        OWL.disjointWith,
        OWL.propertyDisjointWith,
        OWL.sameAs,
        OWL.differentFrom,
    }
)
# Types every node has under OWL RL, or that only a vocabulary term has: they tell a client nothing.
_EMPTY_TYPES = frozenset(
    {
        OWL.Thing,
        RDFS.Resource,
        OWL.NamedIndividual,
        RDFS.Class,
        OWL.Class,
        RDF.Property,
        OWL.ObjectProperty,
        OWL.DatatypeProperty,
        OWL.AnnotationProperty,
        RDFS.Datatype,
        RDFS.Literal,
    }
)
_VOCABULARY_NAMESPACES = (str(RDF), str(RDFS), str(OWL), str(XSD))


def _is_external_same_as(quad: ox.Quad) -> bool:
    """An owl:sameAs whose either side lies outside the project's own entity IRIs."""
    return quad.predicate.value == str(OWL.sameAs) and not (
        quad.subject.value.startswith(str(ID)) and quad.object.value.startswith(str(ID))
    )


def ontology_version(quads: Iterable[ox.Quad]) -> URIRef | None:
    """The owl:versionIRI of the ontology in the ontology graph, if it states one."""
    for quad in quads:
        if quad.graph_name == ox.NamedNode(str(ONTOLOGY_GRAPH)) and quad.predicate.value == str(
            OWL.versionIRI
        ):
            return URIRef(quad.object.value)
    return None


def _useful(triple: tuple, vocabulary_terms: set) -> bool:
    """Whether an entailed triple says something a client querying the graph's entities wants."""
    subject, predicate, obj = triple
    if not isinstance(subject, URIRef) or isinstance(obj, BNode):
        return False  # literals as subjects are OWL RL's datatype bookkeeping; blank nodes: the axioms'
    if predicate in _SCHEMA_PREDICATES or subject in vocabulary_terms:
        return False
    if str(subject).startswith(_VOCABULARY_NAMESPACES):
        return False
    return not (predicate == RDF.type and (obj in _EMPTY_TYPES or str(obj).startswith(str(XSD))))


def entailed(quads: list[ox.Quad]) -> list[ox.Quad]:
    """The useful triples that the ontology entails from the quads, as quads of the inferred graph,
    followed by the provenance of that graph (in the meta graph)."""
    graph = Graph()
    vocabulary_terms: set = set()
    for quad in quads:
        if _is_external_same_as(quad):
            continue
        triple = to_rdflib_triple(quad)
        graph.add(triple)
        if quad.graph_name.value == str(ONTOLOGY_GRAPH):
            vocabulary_terms.add(triple[0])
    asserted = set(graph)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, axiomatic_triples=False, datatype_axioms=False).expand(
        graph
    )
    target = ox.NamedNode(str(INFERRED_GRAPH))
    found = sorted(t for t in graph if t not in asserted and _useful(t, vocabulary_terms))
    entailed_triples = [ox.Triple(*(to_oxigraph(term) for term in triple)) for triple in found]
    ruled = _apply_rules(quads, entailed_triples)
    result = [ox.Quad(t.subject, t.predicate, t.object, target) for t in [*entailed_triples, *ruled]]
    return result + _provenance(ontology_version(quads))


def rules_file() -> Path:
    return paths.ontology_dir() / "cpsv-ap.rq"


def _apply_rules(quads: list[ox.Quad], entailed_triples: list[ox.Triple]) -> list[ox.Triple]:
    """The CPSV-AP rule's new triples, evaluated by Oxigraph over asserted plus entailed facts."""
    store = ox.Store()
    store.extend(ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph()) for q in quads)
    store.extend(ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in entailed_triples)
    known = set(entailed_triples)
    new = {t for t in store.query(rules_file().read_text(encoding="utf-8")) if t not in known}
    return sorted(new, key=str)


def _provenance(ontology: URIRef | None) -> list[ox.Quad]:
    meta = ox.NamedNode(str(META_GRAPH))
    graph, activity, rules, reasoner = (
        ox.NamedNode(str(iri)) for iri in (INFERRED_GRAPH, ACTIVITY, RULES_ACTIVITY, REASONER)
    )
    rdf_type, label = ox.NamedNode(str(RDF.type)), ox.NamedNode(str(RDFS.label))

    def prov(name: str) -> ox.NamedNode:
        return ox.NamedNode(str(PROV[name]))

    triples = [
        (graph, rdf_type, prov("Entity")),
        (graph, label, ox.Literal("Aus der Ontologie abgeleitete Fakten (OWL-2-RL-Hülle)", language="de")),
        (graph, label, ox.Literal("Facts entailed by the ontology (OWL 2 RL closure)", language="en")),
        (graph, prov("wasGeneratedBy"), activity),
        (activity, rdf_type, prov("Activity")),
        (activity, label, ox.Literal(f"OWL-2-RL-Hülle, berechnet mit owlrl {OWLRL_VERSION}", language="de")),
        (activity, label, ox.Literal(f"OWL 2 RL closure computed by owlrl {OWLRL_VERSION}", language="en")),
        (activity, prov("wasAssociatedWith"), reasoner),
        (reasoner, rdf_type, prov("SoftwareAgent")),
        (reasoner, label, ox.Literal(f"owlrl {OWLRL_VERSION}")),
        (graph, prov("wasGeneratedBy"), rules),
        (rules, rdf_type, prov("Activity")),
        (
            rules,
            label,
            ox.Literal(
                "CPSV-AP-Titel, -Kennungen und -Gebiete (SPARQL-Regel ontology/cpsv-ap.rq)", language="de"
            ),
        ),
        (
            rules,
            label,
            ox.Literal(
                "CPSV-AP titles, identifiers and areas (SPARQL rule ontology/cpsv-ap.rq)", language="en"
            ),
        ),
        (rules, prov("wasInformedBy"), activity),  # it reads the closure's facts
    ]
    if ontology is not None:
        version = ox.NamedNode(str(ontology))
        triples += [
            (activity, prov("used"), version),
            (rules, prov("used"), version),
            (graph, prov("wasDerivedFrom"), version),
        ]
    return [ox.Quad(s, p, o, meta) for s, p, o in triples]


def cache_dir() -> Path:
    """Where inferred graphs are kept: $OZGKG_CACHE_DIR, else the user's cache directory."""
    configured = os.environ.get("OZGKG_CACHE_DIR")
    if configured:
        return Path(configured)
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "ozg-kg"


def cache_key(files_digest: str) -> str:
    """The inferred graph depends on the input files, this package (the filter), owlrl and the rule."""
    digest = hashlib.sha256(f"{files_digest}\x1f{__version__}\x1fowlrl {OWLRL_VERSION}\x1f".encode())
    digest.update(rules_file().read_bytes())
    return digest.hexdigest()


def cached_path(files_digest: str) -> Path:
    return cache_dir() / f"inferred-{cache_key(files_digest)[:32]}.nq"


def write_atomically(path: Path, write: Callable[[BinaryIO], object]) -> None:
    """Keep in `path` what `write` writes to the binary file it is given, the cache's way: under a
    temporary name, then renamed, so that a process reading the cache never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=path.suffix, dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as file:
            write(file)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_cached(path: Path, quads: list[ox.Quad]) -> None:
    """Compute the entailed quads and keep them at `path` (N-Quads)."""
    entailed_quads = entailed(quads)
    write_atomically(path, lambda file: ox.serialize(entailed_quads, file, ox.RdfFormat.N_QUADS))
