"""`ozg-kg export`: the graph for graph tools, checked by readers other than the writer.

igraph reads the GraphML back, Graphviz renders the DOT to PNG (kept in tests/artifacts/ to look at),
the Cytoscape.js JSON and the CSV lists are read with the standard library.
"""

from __future__ import annotations

import csv
import json
import shutil
import struct
import subprocess
import sys
import xml.etree.ElementTree as ET
from functools import cache
from pathlib import Path

import igraph
import pytest

import ozgkg
from ozgkg import export
from ozgkg.load import load
from ozgkg.store import open_store

ARTIFACTS = Path(__file__).parent / "artifacts"
ID = "https://w3id.org/ozgkg/id/"
OZG = "https://w3id.org/ozgkg/def#"


def ozg_kg(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ozgkg.cli", *args], capture_output=True, text=True, timeout=300, check=False
    )


@cache
def expected_counts() -> tuple[int, int]:
    store = open_store()
    store.replace(load().quads)
    network = export.export_network(store)
    return network.number_of_nodes(), network.number_of_edges()


def test_graphml_read_back_by_igraph(tmp_path: Path) -> None:
    out = tmp_path / "ozg.graphml"
    result = ozg_kg("export", "--format", "graphml", "--output", str(out))
    assert result.returncode == 0, result.stderr
    graph = igraph.Graph.Read_GraphML(str(out))
    assert (graph.vcount(), graph.ecount()) == expected_counts()
    nodes = {v["iri"]: v for v in graph.vs}
    ccd = nodes[ID + "body/ccd-kdn"]
    assert ccd["type"] == "CoordinationBody"
    assert ccd["label"].startswith("Competence Center Digitalisierung")
    kdn = nodes[ID + "body/kdn"]
    unit_of = [
        e for e in graph.es.select(_source=ccd.index, _target=kdn.index) if e["iri"].endswith("#unitOf")
    ]
    assert unit_of, "CCD KDN -> KDN (org:unitOf) is missing"
    assert "landtag-nrw-vorlage-17-4771" in unit_of[0]["sources"]
    land = nodes[ID + "land/16"]
    assert (land["label"], land["stateKey"]) == ("Thüringen", "16")  # literals are attributes, umlauts intact


def test_gexf_is_well_formed_with_all_nodes(tmp_path: Path) -> None:
    out = tmp_path / "ozg.gexf"
    assert ozg_kg("export", "--format", "gexf", "--output", str(out)).returncode == 0
    root = ET.parse(out).getroot()
    namespace = root.tag.split("}")[0] + "}"
    assert len(root.findall(f".//{namespace}node")) == expected_counts()[0]
    assert len(root.findall(f".//{namespace}edge")) == expected_counts()[1]


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz is installed by `bash server/dev.sh test`")
def test_dot_renders_with_graphviz(tmp_path: Path) -> None:
    out = tmp_path / "ozg.dot"
    assert ozg_kg("export", "--format", "dot", "--output", str(out)).returncode == 0
    ARTIFACTS.mkdir(exist_ok=True)
    png = ARTIFACTS / "export-graph.png"
    rendered = subprocess.run(
        ["dot", "-Tpng", str(out), "-o", str(png)], capture_output=True, text=True, timeout=300
    )
    assert rendered.returncode == 0, rendered.stderr
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # A layered layout of the whole graph was a strip too wide for a bitmap, which Graphviz shrank.
    assert "too large" not in rendered.stderr
    plain = subprocess.run(
        ["dot", "-Tplain", str(out)], capture_output=True, text=True, timeout=300, check=True
    )
    assert sum(line.startswith("node ") for line in plain.stdout.splitlines()) == expected_counts()[0]


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz is installed by `bash server/dev.sh test`")
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


def test_cytoscape_json(tmp_path: Path) -> None:
    out = tmp_path / "ozg.cyjs"
    assert ozg_kg("export", "--format", "cytoscape", "--output", str(out)).returncode == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    nodes, edges = data["elements"]["nodes"], data["elements"]["edges"]
    assert (len(nodes), len(edges)) == expected_counts()
    ids = {n["data"]["id"] for n in nodes}
    assert all(e["data"]["source"] in ids and e["data"]["target"] in ids for e in edges)
    assert all({"label", "type"} <= n["data"].keys() for n in nodes)


def test_csv_node_and_edge_lists(tmp_path: Path) -> None:
    out = tmp_path / "lists"
    assert ozg_kg("export", "--format", "csv", "--output", str(out)).returncode == 0
    nodes = list(csv.DictReader((out / "nodes.csv").open(encoding="utf-8")))
    edges = list(csv.DictReader((out / "edges.csv").open(encoding="utf-8")))
    assert (len(nodes), len(edges)) == expected_counts()
    assert {e["source"] for e in edges} | {e["target"] for e in edges} <= {n["id"] for n in nodes}


def test_export_of_a_construct_query(tmp_path: Path) -> None:
    query = tmp_path / "coordination.rq"
    query.write_text(
        f"CONSTRUCT {{ ?body <{OZG}coordinatesMunicipalOZGIn> ?land }} "
        f"WHERE {{ ?body <{OZG}coordinatesMunicipalOZGIn> ?land }}",
        encoding="utf-8",
    )
    out = tmp_path / "coordination.graphml"
    result = ozg_kg("export", "--format", "graphml", "--query", str(query), "--output", str(out))
    assert result.returncode == 0, result.stderr
    graph = igraph.Graph.Read_GraphML(str(out))
    assert graph.ecount() == 5
    assert {v["type"] for v in graph.vs} >= {"Land", "CoordinationBody"}
    assert "Sachsen" in {v["label"] for v in graph.vs}


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
