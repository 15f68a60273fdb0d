"""The graph as a network for graph tools: GraphML, GEXF, DOT, Cytoscape.js JSON and CSV lists.

Entities become nodes with their label, their type (for colouring) and their literal properties as
attributes; links between entities become edges carrying the property's label and IRI, and the named
graphs and source documents that state them. Values of our controlled vocabularies (qualifier, basis,
legal form ...) are attributes too, not nodes: as nodes they would tie every amount to one hub.
rdflib's networkx bridge builds the graph; networkx's writers write it.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

import networkx as nx
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.extras.external_graph_libs import rdflib_to_networkx_multidigraph
from rdflib.namespace import PROV, RDF, RDFS, SKOS
from rdflib.term import Node

from .describe import parse_bindings
from .namespaces import GRAPH, ONTOLOGY_GRAPH, OZG, PREFIXES, bind_prefixes
from .store import ResultKind, Store

FORMATS = ("graphml", "gexf", "dot", "cytoscape", "csv")
MEDIA_TYPES = {
    "graphml": "application/graphml+xml",
    "gexf": "application/gexf+xml",
    "dot": "text/vnd.graphviz",
    "cytoscape": "application/json",
    "csv": "text/csv",
}
# ozgg:inferred restates asserted edges under broader terms (schema:funder beside ozg:funder): not drawn.
_NOT_FACTS = {str(ONTOLOGY_GRAPH), str(GRAPH["meta"]), str(GRAPH["inferred"])}
_VOCABULARIES = GRAPH["vocabularies"]


class ExportError(ValueError):
    """The export cannot be made as asked (wrong query form, unknown format)."""


def _short(iri: str) -> str:
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace):
            return f"{prefix}:{iri[len(namespace) :]}"
    return iri


def _local(iri: str) -> str:
    return iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


class _Context:
    """What the whole dataset says about the terms drawn: labels, types, provenance, vocabulary values."""

    def __init__(self, dataset: Dataset, language: str):
        self.dataset, self.language = dataset, language
        self.vocabulary = set(dataset.graph(_VOCABULARIES).subjects(SKOS.inScheme, None))
        self.documents: dict[str, set[str]] = defaultdict(set)
        for graph, document in dataset.graph(GRAPH["meta"]).subject_objects(PROV.wasDerivedFrom):
            self.documents[str(graph)].add(str(document))
        self.graphs_of: dict[tuple, set[str]] = defaultdict(set)
        for s, p, o, g in dataset.quads((None, None, None, None)):
            name = str(g.identifier if isinstance(g, Graph) else g)
            if name not in _NOT_FACTS:
                self.graphs_of[(s, p, o)].add(name)

    def label(self, node: URIRef) -> str:
        labels = [o for p in (SKOS.prefLabel, RDFS.label) for o in self.dataset.objects(node, p)]
        for wanted in (self.language, "en", "de", None):
            for label in labels:
                if isinstance(label, Literal) and label.language == wanted:
                    return str(label)
        notation = self.dataset.value(node, SKOS.notation)
        return str(notation) if notation is not None else _local(str(node))

    def node_type(self, node: URIRef) -> str:
        # The asserted (most specific) types; ozgg:inferred adds every superclass.
        inferred = self.dataset.graph(GRAPH["inferred"])
        types = sorted(
            str(t) for t in self.dataset.objects(node, RDF.type) if (node, RDF.type, t) not in inferred
        )
        ours = [t for t in types if t.startswith(str(OZG))]
        return _local((ours or types or ["Resource"])[0])


def _fold_literals(network: nx.MultiDiGraph, context: _Context) -> None:
    """Turn literal and vocabulary-value nodes into attributes of the nodes that point at them."""
    for node in list(network.nodes):
        if not (isinstance(node, Literal) or node in context.vocabulary):
            continue
        for subject, _, data in network.in_edges(node, data=True):
            key = _local(data["iri"])
            if isinstance(node, Literal) and node.language:
                key = f"{key}_{node.language}"
            value = str(node) if isinstance(node, Literal) else context.label(node)
            attributes = network.nodes[subject]
            attributes[key] = f"{attributes[key]} | {value}" if key in attributes else value
        network.remove_node(node)


def build_network(triples: Graph, dataset: Dataset, language: str = "de") -> nx.MultiDiGraph:
    """The network of the given triples, described with what `dataset` knows about their terms."""
    context = _Context(dataset, language)
    drawn = Graph()
    for triple in triples:
        if triple[1] != RDF.type:  # the type is a node attribute, not an edge to a class
            drawn.add(triple)

    def edge_attributes(s, p, o) -> dict[str, str]:
        graphs = sorted(context.graphs_of.get((s, p, o), ()))
        sources = sorted({d for g in graphs for d in context.documents.get(g, ())})
        return {
            "iri": str(p),
            "label": _short(str(p)),
            "graphs": " ".join(graphs),
            "sources": " ".join(sources),
        }

    network = rdflib_to_networkx_multidigraph(drawn, edge_attrs=edge_attributes)
    for s in set(triples.subjects(RDF.type, None)):
        network.add_node(s)
    _fold_literals(network, context)
    for node in list(network.nodes):
        attributes = network.nodes[node]
        attributes.update(iri=str(node), label=context.label(node), type=context.node_type(node))
    # Node keys become IRIs as plain strings: every writer handles those.
    return nx.relabel_nodes(network, {n: str(n) for n in network.nodes})


def fact_triples(dataset: Dataset) -> Graph:
    """Every fact of the dataset, without the ontology and the graph descriptions."""
    graph = Graph()
    for s, p, o, g in dataset.quads((None, None, None, None)):
        if str(g.identifier if isinstance(g, Graph) else g) not in _NOT_FACTS:
            graph.add((s, p, o))
    return graph


# A store is read as SELECT rows of quads; a query's drawn triples come as N-Triples (a query whose
# form is not visible before evaluation may still answer a table: it is refused after).
GRAPH_ANSWERS = dict.fromkeys(ResultKind, "application/sparql-results+json") | {
    ResultKind.GRAPH: "application/n-triples"
}
QUADS_QUERY = "SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }"


def dataset_of(rows: Iterable[Mapping[str, Node]]) -> Dataset:
    """The dataset of `?s ?p ?o ?g` rows (of QUADS_QUERY or context_query)."""
    dataset = bind_prefixes(Dataset(default_union=True))
    for row in rows:
        dataset.add((row["s"], row["p"], row["o"], row["g"]))
    return dataset


def context_query(triples: Graph) -> str:
    """What build_network needs to know about the triples' IRIs, as `?s ?p ?o ?g` rows.

    That is every quad whose subject is one of them (labels, types, vocabulary membership, the named
    graphs stating each drawn triple) and the source document of every named graph.
    """
    iris = sorted({str(t) for triple in triples for t in (triple[0], triple[2]) if isinstance(t, URIRef)})
    values = " ".join(f"<{iri}>" for iri in iris)
    return (
        "SELECT ?s ?p ?o ?g WHERE {\n"
        f"  {{ VALUES ?s {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }}\n"
        f"  UNION {{ GRAPH <{GRAPH['meta']}> {{ ?s <{PROV.wasDerivedFrom}> ?o }}"
        f" BIND (<{PROV.wasDerivedFrom}> AS ?p) BIND (<{GRAPH['meta']}> AS ?g) }}\n"
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


# The graph view's palette (ui_graph.js), so a type has the same colour in the browser and in Graphviz.
PALETTE = (
    "#0b5cad",
    "#d1495b",
    "#2a9d8f",
    "#e9a23b",
    "#7b4fa0",
    "#5c8d2f",
    "#c05a1c",
    "#d66ba0",
    "#3d9bd9",
    "#8c6d46",
    "#14a3a3",
    "#a8a000",
)
OTHER_COLOUR = "#9aa5b1"
# Past this many nodes dot's layered layout grows into a strip tens of thousands of pixels wide;
# sfdp's force-directed one stays square enough to read.
DOT_LAYERED_UP_TO = 60


def type_colours(network: nx.MultiDiGraph) -> dict[str, str]:
    """A colour per node type, the most frequent types first; the rest share a grey."""
    counts = Counter(data["type"] for _, data in network.nodes(data=True))
    ranked = sorted(counts, key=lambda t: (-counts[t], t))
    return {t: PALETTE[i] if i < len(PALETTE) else OTHER_COLOUR for i, t in enumerate(ranked)}


def _dot(network: nx.MultiDiGraph) -> bytes:
    """Graphviz reads ':' in a node id as a port: number the nodes and show the label instead."""
    numbered = nx.convert_node_labels_to_integers(network, label_attribute="iri")
    colours = type_colours(network)
    for _, attributes in numbered.nodes(data=True):
        attributes["fillcolor"] = colours[attributes["type"]]
    every = itertools.chain(numbered.nodes.values(), (data for *_, data in numbered.edges(data=True)))
    for attributes in every:
        for key, value in list(attributes.items()):
            attributes[key] = json.dumps(str(value), ensure_ascii=False)
    layered = network.number_of_nodes() <= DOT_LAYERED_UP_TO
    # to_pydot writes these three dicts as the graph's `graph [...]`, `node [...]` and `edge [...]`.
    numbered.graph["graph"] = {
        **({"rankdir": "LR"} if layered else {"layout": "sfdp", "overlap": "prism", "K": "1.2"}),
        "fontname": "sans-serif",
    }
    numbered.graph["node"] = {
        "shape": "box",
        "style": '"rounded,filled"',
        "fontname": "sans-serif",
        "fontsize": "10",
        "fontcolor": "white",
        "penwidth": "0",
    }
    numbered.graph["edge"] = {
        "fontname": "sans-serif",
        "fontsize": "8",
        "color": '"#8a96a3"',
        "fontcolor": '"#5f6b7a"',
    }
    dot = nx.nx_pydot.to_pydot(numbered)
    return dot.to_string().encode("utf-8")


def _csv_lists(network: nx.MultiDiGraph) -> tuple[str, str]:
    node_keys = sorted({k for _, data in network.nodes(data=True) for k in data} - {"iri", "label", "type"})
    nodes, edges = io.StringIO(), io.StringIO()
    writer = csv.writer(nodes, lineterminator="\n")
    writer.writerow(["id", "label", "type", *node_keys])
    for node, data in sorted(network.nodes(data=True)):
        writer.writerow([node, data["label"], data["type"], *(data.get(k, "") for k in node_keys)])
    writer = csv.writer(edges, lineterminator="\n")
    writer.writerow(["source", "target", "label", "iri", "graphs", "sources"])
    for source, target, data in sorted(network.edges(data=True), key=lambda e: (e[0], e[1], e[2]["iri"])):
        writer.writerow([source, target, data["label"], data["iri"], data["graphs"], data["sources"]])
    return nodes.getvalue(), edges.getvalue()


def _write_text(write: Callable[[nx.MultiDiGraph, io.BytesIO], None], network: nx.MultiDiGraph) -> bytes:
    buffer = io.BytesIO()
    write(network, buffer)
    return buffer.getvalue()


def serialise(network: nx.MultiDiGraph, fmt: str) -> dict[str, bytes]:
    """The export as named parts (one part for every format but csv, which has nodes and edges)."""
    if fmt == "graphml":
        return {"graph.graphml": _write_text(nx.write_graphml, network)}
    if fmt == "gexf":
        return {"graph.gexf": _write_text(nx.write_gexf, network)}
    if fmt == "dot":
        return {"graph.dot": _dot(network)}
    if fmt == "cytoscape":
        data = nx.cytoscape_data(network, name="iri", ident="id")
        return {"graph.cyjs": json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8")}
    if fmt == "csv":
        nodes, edges = _csv_lists(network)
        return {"nodes.csv": nodes.encode("utf-8"), "edges.csv": edges.encode("utf-8")}
    raise ExportError(f"unknown export format {fmt!r} (known: {', '.join(FORMATS)})")


def write(parts: dict[str, bytes], output: Path | None, stdout: io.BufferedWriter) -> list[Path]:
    """Write the parts: to `output` (a file; a folder for several parts), or to stdout."""
    if output is None:
        if len(parts) > 1:
            raise ExportError(f"this format writes {' and '.join(parts)}: give --output FOLDER")
        for content in parts.values():
            stdout.write(content)
        return []
    if len(parts) == 1:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_bytes(next(iter(parts.values())))
        return [output]
    output.mkdir(parents=True, exist_ok=True)
    written = []
    for name, content in parts.items():
        (output / name).write_bytes(content)
        written.append(output / name)
    return written


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
