"""The export's files: GraphML with yEd's keys, GEXF 1.3, DOT, Cytoscape.js JSON and CSV lists.

networkx writes DOT (through pydot) and Cytoscape.js; GraphML and GEXF are written here, because
networkx writes neither yEd's keys nor a valid GEXF 1.3 file (its 1.3 writer misspells the
XMLSchema-instance namespace). Node ids are n0, n1 ... in the GraphML, GEXF and DOT files (XML name
tokens, and no ':' that DOT would read as a port); the IRI is an attribute.
"""

from __future__ import annotations

import csv
import io
import json
import math
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import networkx as nx

from ozgkg.features.export.network import ExportError, Value, attribute_types, edge_data, node_data
from ozgkg.rdf.formats import CSV

FORMATS = ("graphml", "gexf", "dot", "cytoscape", "csv")
MEDIA_TYPES = {
    "graphml": "application/graphml+xml",
    "gexf": "application/gexf+xml",
    "dot": "text/vnd.graphviz",
    "cytoscape": "application/json",
    "csv": CSV,
}


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
EDGE_COLOUR, EDGE_TEXT_COLOUR = "#8a96a3", "#5f6b7a"
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
    for attributes in (*node_data(numbered), *edge_data(numbered)):
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
        "color": f'"{EDGE_COLOUR}"',
        "fontcolor": f'"{EDGE_TEXT_COLOUR}"',
    }
    return nx.nx_pydot.to_pydot(numbered).to_string().encode("utf-8")


_XSI = "http://www.w3.org/2001/XMLSchema-instance"
_GRAPHML = "http://graphml.graphdrawing.org/xmlns"
_GEXF = "http://gexf.net/1.3"
_GEXF_TYPES = {"boolean": "boolean", "int": "integer", "long": "long", "double": "double", "string": "string"}


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
    for domain, items in (("node", node_data(network)), ("edge", edge_data(network))):
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
        label = {"fontFamily": "Dialog", "fontSize": "12", "textColor": "#FFFFFF"}
        label |= {"modelName": "internal", "modelPosition": "c"}
        ET.SubElement(shape, "y:NodeLabel", label).text = str(data["label"])
        ET.SubElement(shape, "y:Shape", {"type": "roundrectangle"})
    for i, (source, target, data) in enumerate(network.edges(data=True)):
        element = ET.SubElement(graph, "edge", {"id": f"e{i}", "source": ids[source], "target": ids[target]})
        for name, value in data.items():
            ET.SubElement(element, "data", {"key": keys["edge"][name]}).text = _text(value)
        # In the order yEd writes them: Path, LineStyle, Arrows, EdgeLabel, BendStyle.
        line = ET.SubElement(ET.SubElement(element, "data", {"key": "ye"}), "y:PolyLineEdge")
        ET.SubElement(line, "y:Path", dict.fromkeys(("sx", "sy", "tx", "ty"), "0.0"))
        ET.SubElement(line, "y:LineStyle", {"color": EDGE_COLOUR, "type": "line", "width": "1.0"})
        ET.SubElement(line, "y:Arrows", {"source": "none", "target": "standard"})
        label = {"fontFamily": "Dialog", "fontSize": "10", "textColor": EDGE_TEXT_COLOUR}
        ET.SubElement(line, "y:EdgeLabel", label).text = str(data["label"])
        ET.SubElement(line, "y:BendStyle", {"smoothed": "false"})
    return _xml(root)


def _gexf(network: nx.MultiDiGraph) -> bytes:
    """GEXF 1.3: the label on the element, every other attribute declared with its type."""
    root = ET.Element(
        "gexf",
        {
            # No xsi:schemaLocation: GEXF 1.3's normative RELAX NG grammar allows no other attribute here
            "xmlns": _GEXF,
            "xmlns:viz": f"{_GEXF}/viz",
            "version": "1.3",
        },
    )
    ET.SubElement(ET.SubElement(root, "meta"), "creator").text = "ozg-kg"
    graph = ET.SubElement(root, "graph", {"defaultedgetype": "directed", "mode": "static"})
    for domain, items in (("node", node_data(network)), ("edge", edge_data(network))):
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


def _cytoscape(network: nx.MultiDiGraph) -> dict:
    """Cytoscape.js elements: a node's id is its IRI. (networkx's cytoscape_data would overwrite an
    attribute named `value`, an amount's, with the node's key.)"""
    nodes = [{"data": {"id": node, **data}} for node, data in network.nodes(data=True)]
    edges = [
        {"data": {"id": f"e{i}", "source": source, "target": target, **data}}
        for i, (source, target, data) in enumerate(network.edges(data=True))
    ]
    return {"data": {}, "directed": True, "multigraph": True, "elements": {"nodes": nodes, "edges": edges}}


def _csv_lists(network: nx.MultiDiGraph) -> tuple[str, str]:
    node_keys = sorted({k for data in node_data(network) for k in data} - {"iri", "label", "type"})
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
        return {"graph.cyjs": json.dumps(_cytoscape(network), ensure_ascii=False, indent=1).encode("utf-8")}
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
