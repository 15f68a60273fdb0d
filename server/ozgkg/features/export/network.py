"""The network the export draws: which terms are nodes, what they are called, what attributes they carry.

A node is a thing the graph describes (the subject of statements) and carries a name for people in the
chosen language: its label, else its amount as describe.py writes amounts. Literals, values of our
controlled vocabularies (qualifier, basis, legal form ...) and IRIs the graph only points at (Wikidata
items, home pages, codes of outside vocabularies) are attributes of the node that states them: as nodes
they would be hubs or leaves without a name. Literals keep their type, so that Gephi can rank by an
amount, a count or a year. An edge carries the ontology's label of its property, its IRI, and the named
graphs and source documents that state it.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping

import networkx as nx
from rdflib import XSD, BNode, Dataset, Graph, Literal, URIRef
from rdflib.namespace import PROV, RDF, RDFS, SKOS
from rdflib.term import Node

from ozgkg.features.describe import TermInfo, Terms
from ozgkg.namespaces import GRAPH, ONTOLOGY_GRAPH, OZG, bind_prefixes
from ozgkg.rdf.formats import N_TRIPLES, SPARQL_JSON
from ozgkg.rdf.prefixes import short_name
from ozgkg.rdf.results import parse_bindings
from ozgkg.store import ResultKind, Store

# ozgg:inferred restates asserted edges under broader terms (schema:funder beside ozg:funder) and adds
# every superclass as a type: not drawn, so that a node's type is its asserted, most specific one.
_INFERRED = str(GRAPH["inferred"])
_NOT_FACTS = {str(ONTOLOGY_GRAPH), str(GRAPH["meta"]), _INFERRED}
_VOCABULARIES = GRAPH["vocabularies"]
_META = str(GRAPH["meta"])

Value = str | int | float | bool


class ExportError(ValueError):
    """The export cannot be made as asked (wrong query form, unknown format)."""


def _local(iri: str) -> str:
    return iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def _words(name: str) -> str:
    """`wasDerivedFrom` -> `was derived from`: the name of a property the ontology leaves unlabelled."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", name).lower()


def _boolean(text: str) -> bool:
    if text.strip() not in {"true", "false", "1", "0"}:
        raise ValueError(text)
    return text.strip() in {"true", "1"}


_INTEGERS = ("integer", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger", "gYear")
_CASTS = {XSD[name]: int for name in _INTEGERS} | {
    XSD.decimal: float,
    XSD.double: float,
    XSD.float: float,
    XSD.boolean: _boolean,
}


def _typed(literal: Literal) -> Value:
    """The literal as a number or truth value where its datatype says it is one (a year is a number)."""
    cast = _CASTS.get(literal.datatype)
    if cast is not None:
        try:
            return cast(str(literal))
        except ValueError:
            pass
    return str(literal)


# What every node carries; a property of the same name (dct:type) is kept under its prefixed name.
_NODE_KEYS = frozenset({"iri", "label", "type", "typeLabel"})


def _attribute_key(predicate: URIRef, obj: Node) -> str:
    key = _local(str(predicate))
    if key in _NODE_KEYS:
        key = short_name(str(predicate))
    if isinstance(obj, Literal) and obj.language:
        key = f"{key}_{obj.language}"
    return re.sub(r"[^\w.-]", "_", key)  # an XML name token, as GraphML's attr.name must be


class _Context:
    """What the whole dataset says about the terms drawn: names, types, provenance, vocabulary values."""

    def __init__(self, dataset: Dataset, language: str):
        self.language = language
        self.vocabulary = set(dataset.graph(_VOCABULARIES).subjects(SKOS.inScheme, None))
        values: dict[Node, dict[URIRef, list[Node]]] = defaultdict(lambda: defaultdict(list))
        self.documents: dict[str, set[str]] = defaultdict(set)
        self.graphs_of: dict[tuple, set[str]] = defaultdict(set)
        for s, p, o, g in dataset.quads((None, None, None, None)):
            name = str(g.identifier if isinstance(g, Graph) else g)
            if name == _INFERRED:
                continue
            values[s][p].append(o)
            if name == _META and p == PROV.wasDerivedFrom:
                self.documents[str(s)].add(str(o))
            if name not in _NOT_FACTS:
                self.graphs_of[(s, p, o)].add(name)
        self.values = dict(values)  # no longer a defaultdict: a look-up must not add a term
        notations = ((c, values[c].get(SKOS.notation)) for c in self.vocabulary if c in self.values)
        self.notation = {concept: found[0] for concept, found in notations if found}

    def described(self, node: Node) -> bool:
        return node in self.values

    def name(self, node: Node) -> str | None:
        """A name for people in the language: a label, else the amount as people read it."""
        if not isinstance(node, URIRef) or node not in self.values:
            return None
        # describe.py's view of the term, with a concept as its notation (as Terms.fetch reads
        # qualifier and basis), so that its labels and amounts read as on the entity pages.
        objects = self.values[node].items()
        info = TermInfo({p: [self.notation.get(o, o) for o in values] for p, values in objects})
        if info.labels() or info.quantity is not None:
            return Terms({node: info}).label(node, self.language)
        return None

    def property_label(self, predicate: URIRef) -> str:
        return self.name(predicate) or _words(_local(str(predicate)))

    def node_type(self, node: Node) -> URIRef | None:
        types = sorted(str(t) for t in self.values.get(node, {}).get(RDF.type, ()))
        ours = [t for t in types if t.startswith(str(OZG))]
        return URIRef((ours or types)[0]) if types else None


def _term_key(triple: tuple[Node, Node, Node]) -> tuple[str, ...]:
    return tuple(term.n3() for term in triple)


def build_network(triples: Graph, dataset: Dataset, language: str = "de") -> nx.MultiDiGraph:
    """The network of the given triples, described with what `dataset` knows about their terms."""
    context = _Context(dataset, language)
    subjects = {s for s in triples.subjects() if s not in context.vocabulary}
    network = nx.MultiDiGraph()
    folded: dict[Node, dict[str, list[Value]]] = defaultdict(lambda: defaultdict(list))
    for s in sorted(subjects, key=str):
        network.add_node(s)
    for s, p, o in sorted(triples, key=_term_key):
        if s in context.vocabulary or p == RDF.type:  # the type is a node attribute, not an edge to a class
            continue
        described = o in subjects or context.described(o)
        if isinstance(o, URIRef | BNode) and described and o not in context.vocabulary:
            graphs = sorted(context.graphs_of.get((s, p, o), ()))
            sources = " ".join(sorted({d for g in graphs for d in context.documents.get(g, ())}))
            network.add_edge(
                s, o, iri=str(p), label=context.property_label(p), graphs=" ".join(graphs), sources=sources
            )
            continue
        if isinstance(o, Literal):
            value: Value = _typed(o)
        else:
            value = (context.name(o) or str(o)) if o in context.vocabulary else str(o)
        folded[s][_attribute_key(p, o)].append(value)
    for node, attributes in network.nodes(data=True):
        kind = context.node_type(node)
        attributes.update(
            iri=str(node),
            label=context.name(node) or short_name(str(node)),
            type=_local(kind) if kind else "Resource",
            typeLabel=(context.name(kind) or _local(kind)) if kind else "Resource",
        )
        for key, values in folded[node].items():
            attributes[key] = values[0] if len(values) == 1 else " | ".join(str(v) for v in values)
    # One type per attribute: where its values differ in type, all are text.
    for items in (node_data(network), edge_data(network)):
        types = attribute_types(items)
        for data in items:
            for key, value in data.items():
                if types[key] == "string" and not isinstance(value, str):
                    data[key] = str(value)
    return nx.relabel_nodes(network, {n: str(n) for n in network.nodes})


def node_data(network: nx.MultiDiGraph) -> list[dict[str, Value]]:
    return [data for _, data in network.nodes(data=True)]


def edge_data(network: nx.MultiDiGraph) -> list[dict[str, Value]]:
    return [data for *_, data in network.edges(data=True)]


def attribute_types(items: Iterable[Mapping[str, Value]]) -> dict[str, str]:
    """The GraphML type of each attribute (boolean, int, long, double or string), one for all its values."""
    seen: dict[str, set[type]] = defaultdict(set)
    wide: set[str] = set()
    for data in items:
        for key, value in data.items():
            seen[key].add(type(value))
            if type(value) is int and not -(2**31) <= value < 2**31:
                wide.add(key)
    types = {}
    for key, kinds in seen.items():
        if kinds == {bool}:
            types[key] = "boolean"
        elif kinds == {int}:
            types[key] = "long" if key in wide else "int"
        elif kinds <= {int, float}:
            types[key] = "double"
        else:
            types[key] = "string"
    return types


def fact_triples(dataset: Dataset) -> Graph:
    """Every fact of the dataset, without the ontology and the graph descriptions."""
    graph = Graph()
    for s, p, o, g in dataset.quads((None, None, None, None)):
        if str(g.identifier if isinstance(g, Graph) else g) not in _NOT_FACTS:
            graph.add((s, p, o))
    return graph


# A store is read as SELECT rows of quads; a query's drawn triples come as N-Triples (a query whose
# form is not visible before evaluation may still answer a table: it is refused after).
GRAPH_ANSWERS = dict.fromkeys(ResultKind, SPARQL_JSON) | {ResultKind.GRAPH: N_TRIPLES}
QUADS_QUERY = "SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }"


def dataset_of(rows: Iterable[Mapping[str, Node]]) -> Dataset:
    """The dataset of `?s ?p ?o ?g` rows (of QUADS_QUERY or context_query)."""
    dataset = bind_prefixes(Dataset(default_union=True))
    for row in rows:
        dataset.add((row["s"], row["p"], row["o"], row["g"]))
    return dataset


def context_query(triples: Graph) -> str:
    """What build_network needs to know about the triples' IRIs, as `?s ?p ?o ?g` rows.

    That is every quad whose subject is one of them (labels, types, amounts, vocabulary membership, the
    named graphs stating each drawn triple), the source document of every named graph, and the labels
    of the ontology's terms (for the names of properties and types).
    """
    iris = sorted({str(t) for triple in triples for t in (triple[0], triple[2]) if isinstance(t, URIRef)})
    values = " ".join(f"<{iri}>" for iri in iris)
    return (
        "SELECT ?s ?p ?o ?g WHERE {\n"
        f"  {{ VALUES ?s {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }}\n"
        f"  UNION {{ GRAPH <{GRAPH['meta']}> {{ ?s <{PROV.wasDerivedFrom}> ?o }}"
        f" BIND (<{PROV.wasDerivedFrom}> AS ?p) BIND (<{GRAPH['meta']}> AS ?g) }}\n"
        f"  UNION {{ GRAPH <{ONTOLOGY_GRAPH}> {{ ?s <{RDFS.label}> ?o }}"
        f" BIND (<{RDFS.label}> AS ?p) BIND (<{ONTOLOGY_GRAPH}> AS ?g) }}\n"
        "}"
    )


def neighbourhood_query(iri: URIRef, limit: int) -> str:
    """A CONSTRUCT of the statements about `iri` and of those pointing at it (at most `limit`)."""
    return (
        f"CONSTRUCT {{ <{iri}> ?p ?o . ?s ?q <{iri}> }}\n"
        f"WHERE {{ {{ <{iri}> ?p ?o }} UNION {{ ?s ?q <{iri}> }} }} LIMIT {limit}"
    )


def query_triples(store: Store, query: str) -> Graph:
    """The triples a CONSTRUCT or DESCRIBE query gives."""
    answer = store.execute(query, GRAPH_ANSWERS)
    if answer.kind is not ResultKind.GRAPH:
        raise ExportError("an export needs a CONSTRUCT or DESCRIBE query (it draws triples, not a table)")
    return Graph().parse(data=answer.body, format="nt")


def statistics(network: nx.MultiDiGraph) -> str:
    types: dict[str, int] = defaultdict(int)
    for _, data in network.nodes(data=True):
        types[data["type"]] += 1
    kinds = ", ".join(f"{t} {n}" for t, n in sorted(types.items(), key=lambda i: -i[1])[:6])
    return f"{network.number_of_nodes()} nodes, {network.number_of_edges()} edges ({kinds} ...)"


def export_network(store: Store, query: str | None = None, language: str = "de") -> nx.MultiDiGraph:
    """The whole graph in the store, or a CONSTRUCT/DESCRIBE query's result, as a network."""
    dataset = dataset_of(parse_bindings(store.execute(QUADS_QUERY, GRAPH_ANSWERS).body))
    triples = fact_triples(dataset) if query is None else query_triples(store, query)
    return build_network(triples, dataset, language)
