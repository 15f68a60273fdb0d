"""The graph as a network for graph tools: GraphML (with yEd's keys), GEXF 1.3, DOT, Cytoscape.js JSON, CSV.

A node is a thing the graph describes (the subject of statements) and carries a name for people in the
chosen language: its label, else its amount as describe.py writes amounts. Literals, values of our
controlled vocabularies (qualifier, basis, legal form ...) and IRIs the graph only points at (Wikidata
items, home pages, codes of outside vocabularies) are attributes of the node that states them: as nodes
they would be hubs or leaves without a name. Literals keep their type, so that Gephi can rank by an
amount, a count or a year. An edge carries the ontology's label of its property, its IRI, and the named
graphs and source documents that state it. networkx writes DOT (through pydot) and Cytoscape.js; GraphML
and GEXF are written here, because networkx writes neither yEd's keys nor a valid GEXF 1.3 file.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
import xml.etree.ElementTree as ET
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from pathlib import Path

import networkx as nx
from rdflib import XSD, BNode, Dataset, Graph, Literal, URIRef
from rdflib.namespace import PROV, RDF, SKOS
from rdflib.term import Node

from .describe import TermInfo, Terms, parse_bindings, short_name
from .namespaces import GRAPH, ONTOLOGY_GRAPH, OZG, bind_prefixes
from .store import ResultKind, Store

FORMATS = ("graphml", "gexf", "dot", "cytoscape", "csv")
MEDIA_TYPES = {
    "graphml": "application/graphml+xml",
    "gexf": "application/gexf+xml",
    "dot": "text/vnd.graphviz",
    "cytoscape": "application/json",
    "csv": "text/csv",
}
_NOT_FACTS = {str(ONTOLOGY_GRAPH), str(GRAPH["meta"])}
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


def _attribute_key(predicate: URIRef, obj: Node) -> str:
    key = _local(str(predicate))
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
            values[s][p].append(o)
            if name == _META and p == PROV.wasDerivedFrom:
                self.documents[str(s)].add(str(o))
            if name not in _NOT_FACTS:
                self.graphs_of[(s, p, o)].add(name)
        # describe.py's terms, with a concept as its notation (as Terms.fetch reads qualifier and basis).
        notation = {c: values[c][SKOS.notation][0] for c in self.vocabulary if values[c].get(SKOS.notation)}
        self.types = {s: v.get(RDF.type, []) for s, v in values.items()}
        self.terms = Terms(
            {
                s: TermInfo({p: [notation.get(o, o) for o in objects] for p, objects in v.items()})
                for s, v in values.items()
                if isinstance(s, URIRef)
            }
        )

    def described(self, node: Node) -> bool:
        return node in self.types

    def name(self, node: Node) -> str | None:
        """A name for people in the language: a label, else the amount as people read it."""
        info = self.terms.info(node)
        if info.labels() or info.quantity is not None:
            return self.terms.label(node, self.language)
        return None

    def property_label(self, predicate: URIRef) -> str:
        return self.name(predicate) or _words(_local(str(predicate)))

    def node_type(self, node: Node) -> URIRef | None:
        types = sorted(str(t) for t in self.types.get(node, ()))
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
    for items in (_node_data(network), _edge_data(network)):
        types = attribute_types(items)
        for data in items:
            for key, value in data.items():
                if types[key] == "string" and not isinstance(value, str):
                    data[key] = str(value)
    return nx.relabel_nodes(network, {n: str(n) for n in network.nodes})


def _node_data(network: nx.MultiDiGraph) -> list[dict[str, Value]]:
    return [data for _, data in network.nodes(data=True)]


def _edge_data(network: nx.MultiDiGraph) -> list[dict[str, Value]]:
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

    That is every quad whose subject is one of them (labels, types, amounts, vocabulary membership, the
    named graphs stating each drawn triple; for a property, its label in the ontology) and the source
    document of every named graph.
    """
    iris = sorted({str(t) for triple in triples for t in triple if isinstance(t, URIRef)})
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


def _numbering(network: nx.MultiDiGraph) -> dict[str, str]:
    """Node ids that are XML name tokens (GraphML's and GEXF's ids; ':' is a port in DOT): n0, n1 ..."""
    return {node: f"n{i}" for i, node in enumerate(network)}


def _text(value: Value) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def _dot(network: nx.MultiDiGraph) -> bytes:
    numbered = nx.relabel_nodes(network, _numbering(network))
    colours = type_colours(network)
    for _, attributes in numbered.nodes(data=True):
        attributes["fillcolor"] = colours[attributes["type"]]
    for attributes in (*_node_data(numbered), *_edge_data(numbered)):
        for key, value in list(attributes.items()):
            attributes[key] = json.dumps(_text(value), ensure_ascii=False)
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
    return nx.nx_pydot.to_pydot(numbered).to_string().encode("utf-8")


_XSI = "http://www.w3.org/2001/XMLSchema-instance"
_GRAPHML = "http://graphml.graphdrawing.org/xmlns"
_GEXF = "http://gexf.net/1.3"
_GEXF_TYPES = {"boolean": "boolean", "int": "integer", "long": "long", "double": "double", "string": "string"}
_EDGE_GREY = "#8A96A3"


def _xml(root: ET.Element) -> bytes:
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def _graphml(network: nx.MultiDiGraph) -> bytes:
    """GraphML 1.0 with typed keys, plus yEd's graphics keys (a named, coloured box; a labelled arrow)."""
    root = ET.Element(
        "graphml",
        {
            "xmlns": _GRAPHML,
            "xmlns:xsi": _XSI,
            "xmlns:y": "http://www.yworks.com/xml/graphml",
            "xsi:schemaLocation": f"{_GRAPHML} http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd",
        },
    )
    keys: dict[str, dict[str, str]] = {"node": {}, "edge": {}}
    for domain, items in (("node", _node_data(network)), ("edge", _edge_data(network))):
        for name, kind in sorted(attribute_types(items).items()):
            keys[domain][name] = key = f"d{len(keys['node']) + len(keys['edge'])}"
            ET.SubElement(root, "key", {"id": key, "for": domain, "attr.name": name, "attr.type": kind})
    # yEd draws a node or an edge from the data of the key it marks with yfiles.type, nothing else.
    ET.SubElement(root, "key", {"id": "yn", "for": "node", "yfiles.type": "nodegraphics"})
    ET.SubElement(root, "key", {"id": "ye", "for": "edge", "yfiles.type": "edgegraphics"})
    graph = ET.SubElement(root, "graph", {"id": "G", "edgedefault": "directed"})
    ids, colours = _numbering(network), type_colours(network)
    columns = max(1, math.ceil(math.sqrt(network.number_of_nodes())))
    for i, (node, data) in enumerate(network.nodes(data=True)):
        element = ET.SubElement(graph, "node", {"id": ids[node]})
        for name, value in data.items():
            ET.SubElement(element, "data", {"key": keys["node"][name]}).text = _text(value)
        # A grid to start from, wide enough for the labels; yEd's layouts place them properly.
        shape = ET.SubElement(ET.SubElement(element, "data", {"key": "yn"}), "y:ShapeNode")
        width = 7.0 * len(str(data["label"])) + 20
        position = {"x": f"{(i % columns) * 360.0}", "y": f"{(i // columns) * 80.0}"}
        ET.SubElement(shape, "y:Geometry", {**position, "width": f"{width}", "height": "30.0"})
        ET.SubElement(shape, "y:Fill", {"color": colours[data["type"]], "transparent": "false"})
        ET.SubElement(shape, "y:BorderStyle", {"hasColor": "false", "type": "line", "width": "1.0"})
        label = {"fontFamily": "Dialog", "fontSize": "12", "textColor": "#FFFFFF", "modelName": "internal"}
        ET.SubElement(shape, "y:NodeLabel", label).text = str(data["label"])
        ET.SubElement(shape, "y:Shape", {"type": "roundrectangle"})
    for i, (source, target, data) in enumerate(network.edges(data=True)):
        element = ET.SubElement(graph, "edge", {"id": f"e{i}", "source": ids[source], "target": ids[target]})
        for name, value in data.items():
            ET.SubElement(element, "data", {"key": keys["edge"][name]}).text = _text(value)
        line = ET.SubElement(ET.SubElement(element, "data", {"key": "ye"}), "y:PolyLineEdge")
        ET.SubElement(line, "y:LineStyle", {"color": _EDGE_GREY, "type": "line", "width": "1.0"})
        ET.SubElement(line, "y:Arrows", {"source": "none", "target": "standard"})
        label = {"fontFamily": "Dialog", "fontSize": "10", "textColor": "#5F6B7A"}
        ET.SubElement(line, "y:EdgeLabel", label).text = str(data["label"])
    return _xml(root)


def _gexf(network: nx.MultiDiGraph) -> bytes:
    """GEXF 1.3: the label on the element, every other attribute declared with its type."""
    root = ET.Element(
        "gexf",
        {
            "xmlns": _GEXF,
            "xmlns:xsi": _XSI,
            "xmlns:viz": f"{_GEXF}/viz",
            "xsi:schemaLocation": f"{_GEXF} {_GEXF}/gexf.xsd",
            "version": "1.3",
        },
    )
    ET.SubElement(ET.SubElement(root, "meta"), "creator").text = "ozg-kg"
    graph = ET.SubElement(root, "graph", {"defaultedgetype": "directed", "mode": "static"})
    for domain, items in (("node", _node_data(network)), ("edge", _edge_data(network))):
        declared = ET.SubElement(graph, "attributes", {"class": domain, "mode": "static"})
        for name, kind in sorted(attribute_types(items).items()):
            if name != "label":
                ET.SubElement(declared, "attribute", {"id": name, "title": name, "type": _GEXF_TYPES[kind]})
    ids, colours = _numbering(network), type_colours(network)

    def described(parent: ET.Element, tag: str, fixed: dict[str, str], data: dict[str, Value]) -> ET.Element:
        element = ET.SubElement(parent, tag, {**fixed, "label": str(data["label"])})
        values = ET.SubElement(element, "attvalues")
        for name, value in data.items():
            if name != "label":
                ET.SubElement(values, "attvalue", {"for": name, "value": _text(value)})
        return element

    nodes = ET.SubElement(graph, "nodes")
    for node, data in network.nodes(data=True):
        element = described(nodes, "node", {"id": ids[node]}, data)
        red, green, blue = (int(colours[data["type"]][i : i + 2], 16) for i in (1, 3, 5))
        ET.SubElement(element, "viz:color", {"r": str(red), "g": str(green), "b": str(blue)})
    edges = ET.SubElement(graph, "edges")
    for i, (source, target, data) in enumerate(network.edges(data=True)):
        described(edges, "edge", {"id": f"e{i}", "source": ids[source], "target": ids[target]}, data)
    return _xml(root)


def _csv_lists(network: nx.MultiDiGraph) -> tuple[str, str]:
    node_keys = sorted({k for data in _node_data(network) for k in data} - {"iri", "label", "type"})
    nodes, edges = io.StringIO(), io.StringIO()
    writer = csv.writer(nodes, lineterminator="\n")
    writer.writerow(["id", "label", "type", *node_keys])
    for node, data in sorted(network.nodes(data=True)):
        writer.writerow([node, data["label"], data["type"], *(_text(data.get(k, "")) for k in node_keys)])
    writer = csv.writer(edges, lineterminator="\n")
    writer.writerow(["source", "target", "label", "iri", "graphs", "sources"])
    for source, target, data in sorted(network.edges(data=True), key=lambda e: (e[0], e[1], e[2]["iri"])):
        writer.writerow([source, target, data["label"], data["iri"], data["graphs"], data["sources"]])
    return nodes.getvalue(), edges.getvalue()


def serialise(network: nx.MultiDiGraph, fmt: str) -> dict[str, bytes]:
    """The export as named parts (one part for every format but csv, which has nodes and edges)."""
    if fmt == "graphml":
        return {"graph.graphml": _graphml(network)}
    if fmt == "gexf":
        return {"graph.gexf": _gexf(network)}
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
