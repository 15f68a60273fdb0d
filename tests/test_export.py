"""`ozg-kg export`: the graph for graph tools, read back by readers and validators other than the writer.

Each file is written by the command and read by tools we did not write: the GraphML by networkx, igraph
and graphology (Gephi Lite's parser) and checked against the GraphML schema; the GEXF by networkx and
graphology and checked against the nearest GEXF schema a registry ships; the DOT laid out by Graphviz;
the Cytoscape.js JSON and the CSV lists read with the standard library. What they read is compared
with the network the export drew: the same nodes and edges, labels and typed attributes.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
import struct
import subprocess
import sys
from collections import Counter
from functools import cache
from pathlib import Path

import igraph
import networkx as nx
import pytest
from graph_readers import (
    GRAPHML,
    gexf_errors,
    graphology,
    needs_graphology,
    needs_schemas,
    schemas,
    without_yfiles,
    xsd_errors,
)
from lxml import etree
from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, RDFS, SKOS

import ozgkg
from ozgkg.features import export
from ozgkg.knowledge.load import load
from ozgkg.namespaces import ONTOLOGY_GRAPH
from ozgkg.rdf.results import parse_bindings
from ozgkg.store import open_store

ARTIFACTS = Path(__file__).parent / "artifacts"
ID = "https://w3id.org/ozgkg/id/"
OZG = "https://w3id.org/ozgkg/def#"
AMOUNT = ID + "amount/by-digitales-rathaus-je-kommune"
needs_graphviz = pytest.mark.skipif(
    shutil.which("dot") is None, reason="Graphviz is installed by `bash server/dev.sh test`"
)


def ozg_kg(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ozgkg.cli", *args], capture_output=True, text=True, timeout=300, check=False
    )


@cache
def store():
    loaded = open_store()
    loaded.replace(load().quads)
    return loaded


@cache
def drawn(language: str = "de") -> nx.MultiDiGraph:
    """The network the export draws: what every reader must find in every file."""
    return export.export_network(store(), language=language)


def labels(network: nx.MultiDiGraph) -> dict[str, str]:
    return {data["iri"]: data["label"] for _, data in network.nodes(data=True)}


def edge_labels(network: nx.MultiDiGraph) -> Counter[tuple[str, str, str]]:
    """(source IRI, label, target IRI) of every edge, as many times as it is drawn."""
    iri = {node: data["iri"] for node, data in network.nodes(data=True)}
    return Counter((iri[s], data["label"], iri[t]) for s, t, data in network.edges(data=True))


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every format as the command writes it (the whole graph, in German)."""
    folder = tmp_path_factory.mktemp("export")
    written = {}
    for fmt in export.FORMATS:
        written[fmt] = folder / ("lists" if fmt == "csv" else f"ozg.{fmt}")
        result = ozg_kg("export", "--format", fmt, "--output", str(written[fmt]))
        assert result.returncode == 0, result.stderr
    return written


@pytest.fixture(scope="module")
def xsd(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return schemas(tmp_path_factory.mktemp("xsd"))


# ------------------------------------------------------------------ what is drawn


def test_every_node_and_edge_has_a_name_for_people() -> None:
    """No node is named by a slug, a code or an IRI, no edge by a CURIE: labels, amounts, property labels."""
    network = drawn()
    dataset = export.dataset_of(
        parse_bindings(store().execute(export.QUADS_QUERY, export.GRAPH_ANSWERS).body)
    )
    for node, data in network.nodes(data=True):
        given = {
            str(quad[2])
            for p in (SKOS.prefLabel, RDFS.label, DCTERMS.title)
            for quad in dataset.quads((URIRef(node), p, None, None))
        }
        assert data["label"] in given or data["type"] in {"MonetaryAmount", "FundingRate"}, (node, data)
    assert labels(network)[AMOUNT] == "bis zu 20.000 EUR je Kommune"  # describe.py's German amounts
    assert labels(network)[ID + "rate/by-digitales-rathaus-max"] == "bis zu 80 %"
    ontology: dict[str, set[str]] = {}
    for prop, label in dataset.graph(ONTOLOGY_GRAPH).subject_objects(RDFS.label):
        ontology.setdefault(str(prop), set()).add(str(label))
    for *_, data in network.edges(data=True):
        assert data["label"].strip() and not re.match(r"\w+:", data["label"]), data
        if data["iri"].startswith(OZG):
            assert data["label"] in ontology[data["iri"]], data
    assert {d["label"] for *_, d in network.edges(data=True) if d["iri"] == OZG + "inLand"} == {"im Land"}


def test_outside_iris_and_literals_are_typed_attributes() -> None:
    nodes = {data["iri"]: data for _, data in drawn().nodes(data=True)}
    assert not any(iri.startswith("http://www.wikidata.org/") for iri in nodes), "pointed at, not described"
    nrw = nodes[ID + "land/05"]
    assert nrw["sameAs"] == "http://www.wikidata.org/entity/Q1198"
    assert nrw["stateKey"] == "05", "a key is text, not a number"
    amount = nodes[AMOUNT]
    assert amount["maxValue"] == 20000 and isinstance(amount["maxValue"], float)
    assert amount["basis"] == "je Kommune", "a vocabulary value is its label"
    document = nodes[ID + "doc/landtag-nrw-vorlage-17-4771"]
    assert (document["type"], document["dct_type"]) == ("SourceDocument", "http://purl.org/dc/dcmitype/Text")
    years = [d["year"] for d in nodes.values() if "year" in d]
    assert years and all(isinstance(y, int) for y in years)


def test_labels_follow_the_language() -> None:
    english = drawn("en")
    assert labels(english)[ID + "land/05"] == "North Rhine-Westphalia"
    assert labels(drawn())[ID + "land/05"] == "Nordrhein-Westfalen"
    inland = {d["label"] for *_, d in english.edges(data=True) if d["iri"] == OZG + "inLand"}
    assert inland == {"in Land"}
    assert english.number_of_edges() == drawn().number_of_edges()


# ------------------------------------------------------------------ GraphML


@needs_schemas
def test_graphml_is_valid_under_the_graphml_schema(files: dict[str, Path], xsd: Path) -> None:
    document = etree.parse(str(files["graphml"]))
    # The GraphML schema itself checks the file without yEd's additions: NMTOKEN ids, unique edge
    # ids, edges between declared nodes, data of declared keys, the attribute types it allows.
    assert xsd_errors(xsd / "graphml.xsd", without_yfiles(document)) == []
    assert xsd_errors(xsd / "graphml-yfiles.xsd", document) == []
    # The schema does find what the export used to write: IRIs as ids.
    broken = etree.fromstring(etree.tostring(document))
    broken.find(f".//{{{GRAPHML}}}node").set("id", ID + "land/05")
    assert any("NMTOKEN" in error for error in xsd_errors(xsd / "graphml-yfiles.xsd", broken))


def test_graphml_carries_yeds_labels(files: dict[str, Path], tmp_path: Path) -> None:
    """yEd shows only what its graphics keys hold. networkx reads those the way yEd writes them
    (y:ShapeNode/y:NodeLabel, y:PolyLineEdge/y:EdgeLabel): with our own label data taken out, it must
    still find every node's and edge's label there."""
    root = etree.parse(str(files["graphml"])).getroot()
    keys = {k.get("yfiles.type"): k.get("for") for k in root.iterfind(f"{{{GRAPHML}}}key[@yfiles.type]")}
    assert keys == {"nodegraphics": "node", "edgegraphics": "edge"}
    for key in root.iterfind(f"{{{GRAPHML}}}key[@attr.name='label']"):
        for data in root.findall(f".//{{{GRAPHML}}}data[@key='{key.get('id')}']"):
            data.getparent().remove(data)
        root.remove(key)
    yed_only = tmp_path / "yed-only.graphml"
    yed_only.write_bytes(etree.tostring(root))
    graph = nx.read_graphml(yed_only, force_multigraph=True)
    assert labels(graph) == labels(drawn())
    assert edge_labels(graph) == edge_labels(drawn())
    assert {data["shape_type"] for _, data in graph.nodes(data=True)} == {"roundrectangle"}


def test_graphml_read_back_by_networkx(files: dict[str, Path]) -> None:
    graph = nx.read_graphml(files["graphml"], force_multigraph=True)
    assert labels(graph) == labels(drawn())
    assert edge_labels(graph) == edge_labels(drawn())
    nodes = {data["iri"]: data for _, data in graph.nodes(data=True)}
    assert nodes[AMOUNT]["maxValue"] == 20000.0 and isinstance(nodes[AMOUNT]["maxValue"], float)
    assert all(isinstance(d["year"], int) for d in nodes.values() if "year" in d)
    assert nodes[ID + "land/05"]["stateKey"] == "05"


def test_graphml_read_back_by_igraph(files: dict[str, Path]) -> None:
    graph = igraph.Graph.Read_GraphML(str(files["graphml"]))
    assert (graph.vcount(), graph.ecount()) == (drawn().number_of_nodes(), drawn().number_of_edges())
    nodes = {v["iri"]: v for v in graph.vs}
    assert {iri: v["label"] for iri, v in nodes.items()} == labels(drawn())
    assert nodes[AMOUNT]["maxValue"] == 20000.0  # igraph keeps numbers as numbers
    ccd, kdn = nodes[ID + "body/ccd-kdn"], nodes[ID + "body/kdn"]
    unit_of = [
        e for e in graph.es.select(_source=ccd.index, _target=kdn.index) if e["iri"].endswith("#unitOf")
    ]
    assert unit_of, "CCD KDN -> KDN (org:unitOf) is missing"
    assert "landtag-nrw-vorlage-17-4771" in unit_of[0]["sources"]
    assert (nodes[ID + "land/16"]["label"], nodes[ID + "land/16"]["stateKey"]) == ("Thüringen", "16")


@needs_graphology
def test_graphml_read_back_by_graphology(files: dict[str, Path]) -> None:
    read = graphology("graphml", files["graphml"])
    assert (read["order"], read["size"]) == (drawn().number_of_nodes(), drawn().number_of_edges())
    nodes = {a["iri"]: a for a in read["nodes"].values()}
    assert {iri: a["label"] for iri, a in nodes.items()} == labels(drawn())
    assert nodes[AMOUNT]["maxValue"] == 20000 and isinstance(nodes[AMOUNT]["maxValue"], int | float)
    assert all(isinstance(a["year"], int) for a in nodes.values() if "year" in a)
    assert nodes[ID + "land/05"]["stateKey"] == "05"
    assert Counter(e["attributes"]["label"] for e in read["edges"]) == Counter(
        d["label"] for *_, d in drawn().edges(data=True)
    )


# ------------------------------------------------------------------ GEXF


@needs_schemas
def test_gexf_is_version_1_3_and_valid_where_a_schema_can_tell(files: dict[str, Path], xsd: Path) -> None:
    root = etree.parse(str(files["gexf"])).getroot()
    assert (root.tag, root.get("version")) == ("{http://gexf.net/1.3}gexf", "1.3")
    # GEXF 1.3's RELAX NG grammar (gexf.rng, the normative form) allows only `version` and
    # `variant` on the root: an xsi:schemaLocation made the file invalid under it (checked by hand).
    assert set(root.attrib) <= {"version", "variant"}
    assert {e.tag for e in root.iter("{http://gexf.net/1.3/viz}*")} == {"{http://gexf.net/1.3/viz}color"}
    assert gexf_errors(xsd, files["gexf"]) == []
    types = {a.get("title"): a.get("type") for a in root.iter("{http://gexf.net/1.3}attribute")}
    assert (types["maxValue"], types["year"], types["voluntary"], types["stateKey"]) == (
        "double",
        "integer",
        "boolean",
        "string",
    )


def test_gexf_read_back_by_networkx(files: dict[str, Path]) -> None:
    graph = nx.read_gexf(files["gexf"], version="1.3")
    assert (graph.number_of_nodes(), graph.number_of_edges()) == (
        drawn().number_of_nodes(),
        drawn().number_of_edges(),
    )
    assert labels(graph) == labels(drawn())
    assert edge_labels(graph) == edge_labels(drawn())
    nodes = {data["iri"]: data for _, data in graph.nodes(data=True)}
    assert nodes[AMOUNT]["maxValue"] == 20000.0 and isinstance(nodes[AMOUNT]["maxValue"], float)


@needs_graphology
def test_gexf_read_back_by_graphology(files: dict[str, Path]) -> None:
    read = graphology("gexf", files["gexf"])
    assert (read["order"], read["size"], read["type"]) == (
        drawn().number_of_nodes(),
        drawn().number_of_edges(),
        "directed",
    )
    nodes = {a["iri"]: a for a in read["nodes"].values()}
    assert {iri: a["label"] for iri, a in nodes.items()} == labels(drawn())
    assert nodes[AMOUNT]["maxValue"] == 20000 and nodes[ID + "land/05"]["stateKey"] == "05"
    assert all(isinstance(a["year"], int) for a in nodes.values() if "year" in a)
    assert nodes[ID + "land/05"]["color"].startswith("rgb(")  # viz:color, which Gephi Lite shows
    assert Counter(e["attributes"]["label"] for e in read["edges"]) == Counter(
        d["label"] for *_, d in drawn().edges(data=True)
    )


# ------------------------------------------------------------------ DOT, Cytoscape.js, CSV


@needs_graphviz
def test_dot_laid_out_by_graphviz(files: dict[str, Path]) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    png = ARTIFACTS / "export-graph.png"
    rendered = subprocess.run(
        ["dot", "-Tpng", str(files["dot"]), "-o", str(png)], capture_output=True, text=True, timeout=300
    )
    assert rendered.returncode == 0, rendered.stderr
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # A layered layout of the whole graph was a strip too wide for a bitmap, which Graphviz shrank.
    assert "too large" not in rendered.stderr
    laid_out = subprocess.run(
        ["dot", "-Tjson", str(files["dot"])], capture_output=True, text=True, timeout=300, check=True
    )
    read = json.loads(laid_out.stdout)
    assert {o["iri"]: o["label"] for o in read["objects"]} == labels(drawn())
    iri = {i: o["iri"] for i, o in enumerate(read["objects"])}
    assert Counter((iri[e["tail"]], e["label"], iri[e["head"]]) for e in read["edges"]) == edge_labels(
        drawn()
    )


@needs_graphviz
def test_dot_of_a_query_is_a_small_layered_drawing(tmp_path: Path) -> None:
    query = Path(ozgkg.__file__).parent / "web" / "graph_examples" / "g04-coordination.rq"
    out = tmp_path / "coordination.dot"
    assert ozg_kg("export", "--format", "dot", "--query", str(query), "--output", str(out)).returncode == 0
    text = out.read_text(encoding="utf-8")
    assert "rankdir=LR" in text and 'label="Koordinierungsstelle „OZG Kommunal“ (Hessen)"' in text
    ARTIFACTS.mkdir(exist_ok=True)
    png = ARTIFACTS / "export-coordination.png"
    subprocess.run(["dot", "-Tpng", str(out), "-o", str(png)], check=True, timeout=60)
    width, height = struct.unpack(">II", png.read_bytes()[16:24])  # the PNG header's IHDR chunk
    assert width < 2000 and height < 2000, (width, height)


def test_cytoscape_json(files: dict[str, Path]) -> None:
    data = json.loads(files["cytoscape"].read_text(encoding="utf-8"))
    nodes, edges = data["elements"]["nodes"], data["elements"]["edges"]
    assert {n["data"]["iri"]: n["data"]["label"] for n in nodes} == labels(drawn())
    assert len(edges) == drawn().number_of_edges()
    ids = {n["data"]["id"] for n in nodes}
    assert all(e["data"]["source"] in ids and e["data"]["target"] in ids for e in edges)
    amounts = {n["data"]["iri"]: n["data"] for n in nodes if n["data"]["type"] == "MonetaryAmount"}
    assert amounts[AMOUNT]["maxValue"] == 20000.0
    assert amounts[ID + "amount/by-bayernapp-entwicklung"]["value"] == 920000.0  # schema:value, the amount


def test_csv_node_and_edge_lists(files: dict[str, Path]) -> None:
    nodes = list(csv.DictReader((files["csv"] / "nodes.csv").open(encoding="utf-8")))
    edges = list(csv.DictReader((files["csv"] / "edges.csv").open(encoding="utf-8")))
    assert {n["id"]: n["label"] for n in nodes} == labels(drawn())
    assert Counter((e["source"], e["label"], e["target"]) for e in edges) == edge_labels(drawn())


# ------------------------------------------------------------------ queries and errors


def test_export_of_a_construct_query_in_english(tmp_path: Path) -> None:
    query = tmp_path / "coordination.rq"
    query.write_text(
        f"CONSTRUCT {{ ?body <{OZG}coordinatesMunicipalOZGIn> ?land }} "
        f"WHERE {{ ?body <{OZG}coordinatesMunicipalOZGIn> ?land }}",
        encoding="utf-8",
    )
    out = tmp_path / "coordination.graphml"
    result = ozg_kg(
        "export", "--format", "graphml", "--query", str(query), "--lang", "en", "--output", str(out)
    )
    assert result.returncode == 0, result.stderr
    graph = igraph.Graph.Read_GraphML(str(out))
    assert graph.ecount() == 5
    assert {v["type"] for v in graph.vs} >= {"Land", "CoordinationBody"}
    assert "Saxony" in {v["label"] for v in graph.vs}
    assert set(graph.es["label"]) == {"coordinates the municipal OZG implementation in"}


def test_export_refuses_a_select_query(tmp_path: Path) -> None:
    query = tmp_path / "select.rq"
    query.write_text("SELECT * WHERE { ?s ?p ?o }", encoding="utf-8")
    result = ozg_kg("export", "--format", "dot", "--query", str(query))
    assert result.returncode == 2
    assert "CONSTRUCT or DESCRIBE" in result.stderr
    assert "Traceback" not in result.stderr


def test_csv_needs_a_folder() -> None:
    result = ozg_kg("export", "--format", "csv")
    assert result.returncode == 2
    assert "--output" in result.stderr


def test_a_node_named_nowhere_keeps_its_short_iri() -> None:
    """A CONSTRUCT may draw IRIs the graph does not describe: they are named by their short IRI."""
    triples = Graph()
    triples.add((URIRef("x:a"), URIRef(OZG + "inLand"), URIRef("x:b")))
    triples.add((URIRef("x:b"), URIRef(OZG + "inLand"), URIRef(ID + "land/05")))
    network = export.build_network(triples, export.dataset_of([]))
    assert labels(network)["x:a"] == "x:a"
    assert network.number_of_edges() == 1, "x:b is a subject, land/05 described nowhere here"
