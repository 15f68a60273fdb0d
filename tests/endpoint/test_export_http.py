"""`/export` over HTTP on a real `ozg-kg serve`, read back by tools other than the writer.

The server serves the graph plus this suite's two fixture files, so the expected counts come from
`ozg-kg export` given the same files: the HTTP export must draw exactly what the command draws.
"""

from __future__ import annotations

import csv
import io
import subprocess
import sys
import urllib.parse
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import igraph
import pytest
from graph_readers import (
    gexf_errors,
    graphology,
    needs_graphology,
    needs_schemas,
    schemas,
    without_yfiles,
    xsd_errors,
)
from lxml import etree

from ozgkg import paths

from .conftest import UMLAUT_DATA, W3C_DATA, InProcess, Server
from .html_page import Page


@pytest.fixture(scope="module")
def server(app_server: InProcess) -> InProcess:
    """The HTTP rules need no socket: these tests speak to the app in-process."""
    return app_server


ID = "https://w3id.org/ozgkg/id/"
OZG = "https://w3id.org/ozgkg/def#"
COORDINATION = (
    f"CONSTRUCT {{ ?body <{OZG}coordinatesMunicipalOZGIn> ?land }} "
    f"WHERE {{ ?body <{OZG}coordinatesMunicipalOZGIn> ?land }}"
)
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def cli_graphml(tmp: Path, *args: str) -> igraph.Graph:
    """What `ozg-kg export` writes for the served files (and the extra arguments)."""
    out = tmp / "cli.graphml"
    data = ["--data", str(W3C_DATA), "--data", str(UMLAUT_DATA)]
    command = [sys.executable, "-m", "ozgkg.cli", "export", "--format", "graphml", *data, *args]
    result = subprocess.run([*command, "--output", str(out)], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    return igraph.Graph.Read_GraphML(str(out))


@pytest.fixture(scope="module")
def expected(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, int]:
    """The whole graph's node and edge counts as `ozg-kg export` draws them."""
    graph = cli_graphml(tmp_path_factory.mktemp("cli"))
    return graph.vcount(), graph.ecount()


def read_graphml(body: bytes, tmp: Path) -> igraph.Graph:
    path = tmp / "http.graphml"
    path.write_bytes(body)
    return igraph.Graph.Read_GraphML(str(path))


def test_whole_graph_graphml_has_the_commands_counts(
    server: Server, expected: tuple[int, int], tmp_path: Path
) -> None:
    reply = server.get("/export", format="graphml")
    assert reply.status == 200, reply.text
    assert reply.media_type == "application/graphml+xml"
    assert reply.headers["content-disposition"] == 'attachment; filename="ozg-kg-graph.graphml"'
    graph = read_graphml(reply.body, tmp_path)
    assert (graph.vcount(), graph.ecount()) == expected
    nodes = {v["iri"]: v for v in graph.vs}
    assert nodes[ID + "body/ccd-kdn"]["type"] == "CoordinationBody"
    assert nodes[ID + "land/16"]["label"] == "Thüringen"


def test_cytoscape_json_parses_and_matches(server: Server, expected: tuple[int, int]) -> None:
    reply = server.get("/export", format="cytoscape")
    assert reply.status == 200
    assert reply.media_type == "application/json"
    assert reply.headers["content-disposition"].endswith('filename="ozg-kg-graph.cyjs"')
    elements = reply.json()["elements"]
    nodes, edges = elements["nodes"], elements["edges"]
    assert (len(nodes), len(edges)) == expected
    ids = {n["data"]["id"] for n in nodes}
    assert all(e["data"]["source"] in ids and e["data"]["target"] in ids for e in edges)
    assert all({"label", "type"} <= n["data"].keys() for n in nodes)


def test_gexf_and_dot(server: Server, expected: tuple[int, int]) -> None:
    gexf = server.get("/export", format="gexf")
    assert gexf.media_type == "application/gexf+xml"
    root = ET.fromstring(gexf.body)
    assert (root.tag, root.get("version")) == ("{http://gexf.net/1.3}gexf", "1.3")
    assert len(root.findall(".//{http://gexf.net/1.3}node")) == expected[0]
    dot = server.get("/export", format="dot")
    assert dot.headers["content-type"] == "text/vnd.graphviz; charset=utf-8"
    assert dot.text.startswith("digraph")


@needs_schemas
def test_graphml_and_gexf_are_valid_under_their_schemas(server: Server, tmp_path: Path) -> None:
    folder = schemas(tmp_path)
    graphml = etree.ElementTree(etree.fromstring(server.get("/export", format="graphml").body))
    assert xsd_errors(folder / "graphml.xsd", without_yfiles(graphml)) == []
    assert xsd_errors(folder / "graphml-yfiles.xsd", graphml) == []
    gexf = tmp_path / "http.gexf"
    gexf.write_bytes(server.get("/export", format="gexf", iri=ID + "body/ccd-kdn").body)
    assert gexf_errors(folder, gexf) == []


@needs_graphology
def test_gephi_lites_parsers_read_what_the_command_draws(
    server: Server, expected: tuple[int, int], tmp_path: Path
) -> None:
    for fmt in ("graphml", "gexf"):
        path = tmp_path / f"http.{fmt}"
        path.write_bytes(server.get("/export", format=fmt, lang="en").body)
        read = graphology(fmt, path)
        assert (read["order"], read["size"]) == expected, fmt
        nodes = {a["iri"]: a for a in read["nodes"].values()}
        assert nodes[ID + "land/05"]["label"] == "North Rhine-Westphalia", fmt


def test_csv_is_a_zip_of_both_lists_or_one_part(server: Server, expected: tuple[int, int]) -> None:
    reply = server.get("/export", format="csv")
    assert reply.media_type == "application/zip"
    assert reply.headers["content-disposition"].endswith('filename="ozg-kg-graph-csv.zip"')
    with zipfile.ZipFile(io.BytesIO(reply.body)) as archive:
        assert sorted(archive.namelist()) == ["edges.csv", "nodes.csv"]
        nodes = list(csv.DictReader(io.StringIO(archive.read("nodes.csv").decode("utf-8"))))
        edges = list(csv.DictReader(io.StringIO(archive.read("edges.csv").decode("utf-8"))))
    assert (len(nodes), len(edges)) == expected
    part = server.get("/export", format="csv", part="edges")
    assert part.headers["content-type"] == "text/csv; charset=utf-8"
    assert part.headers["content-disposition"].endswith('filename="ozg-kg-graph-edges.csv"')
    assert len(list(csv.DictReader(io.StringIO(part.text)))) == expected[1]


@pytest.mark.parametrize("method", ["GET", "POST form", "POST direct"])
def test_construct_query_export_matches_the_command(server: Server, tmp_path: Path, method: str) -> None:
    if method == "GET":
        reply = server.get("/export", format="graphml", query=COORDINATION)
    elif method == "POST form":
        body = urllib.parse.urlencode({"format": "graphml", "query": COORDINATION})
        reply = server.request("POST", "/export", body, FORM)
    else:
        headers = {"Content-Type": "application/sparql-query"}
        reply = server.request("POST", "/export?format=graphml", COORDINATION, headers)
    assert reply.status == 200, reply.text
    assert reply.headers["content-disposition"].endswith('filename="ozg-kg-query.graphml"')
    graph = read_graphml(reply.body, tmp_path)
    query_file = tmp_path / "coordination.rq"
    query_file.write_text(COORDINATION, encoding="utf-8")
    cli = cli_graphml(tmp_path, "--query", str(query_file))
    assert (graph.vcount(), graph.ecount()) == (cli.vcount(), cli.ecount()) == (cli.vcount(), 5)
    assert {v["type"] for v in graph.vs} >= {"Land", "CoordinationBody"}
    edge = graph.es[0]
    assert edge["iri"] == OZG + "coordinatesMunicipalOZGIn"
    assert edge["sources"].startswith(ID + "doc/"), "the source documents must survive as an attribute"


def test_neighbourhood_of_an_entity(server: Server) -> None:
    reply = server.get("/export", format="cytoscape", iri=ID + "body/ccd-kdn", lang="en")
    assert reply.status == 200, reply.text
    assert reply.headers["content-disposition"].endswith('filename="ozg-kg-neighbourhood.cyjs"')
    nodes = {n["data"]["id"]: n["data"] for n in reply.json()["elements"]["nodes"]}
    assert nodes[ID + "body/ccd-kdn"]["type"] == "CoordinationBody"
    assert ID + "body/kdn" in nodes
    assert nodes[ID + "land/05"]["label"] == "North Rhine-Westphalia"
    # Names of types and properties come from the ontology, as in the whole graph's export.
    assert nodes[ID + "body/kdn"]["typeLabel"] == "association"
    edges = {e["data"]["iri"]: e["data"]["label"] for e in reply.json()["elements"]["edges"]}
    assert edges[OZG + "coordinatesMunicipalOZGIn"] == "coordinates the municipal OZG implementation in"


@pytest.mark.parametrize(
    ("params", "status", "message"),
    [
        ({}, 400, "format=graphml|gexf|dot|cytoscape|csv"),
        ({"format": "png"}, 400, "format must be one of"),
        ({"format": "dot", "lang": "fr"}, 400, "lang must be one of de, en"),
        ({"format": "graphml", "part": "nodes"}, 400, "format=csv only"),
        ({"format": "csv", "part": "both"}, 400, "part must be one of nodes, edges"),
        ({"format": "dot", "query": "SELECT * WHERE { ?s ?p ?o }"}, 400, "CONSTRUCT or DESCRIBE"),
        ({"format": "dot", "query": "# a comment first\nASK {}"}, 400, "CONSTRUCT or DESCRIBE"),
        ({"format": "dot", "query": "CONSTRUCT {"}, 400, ""),
        ({"format": "dot", "query": "INSERT DATA { <x:a> <x:b> <x:c> }"}, 403, "read-only"),
        ({"format": "dot", "query": COORDINATION, "iri": ID + "body/kdn"}, 400, "export one thing"),
        ({"format": "dot", "iri": "not an IRI"}, 400, "not an absolute IRI"),
    ],
)
def test_bad_requests_get_a_message(
    server: Server, params: dict[str, str], status: int, message: str
) -> None:
    reply = server.get("/export", **params)
    assert reply.status == status, reply.text
    assert reply.media_type == "text/plain"
    assert message in reply.text


def test_export_query_has_the_endpoints_deadline(server: Server) -> None:
    runaway = (
        "CONSTRUCT { <x:count> <x:is> ?n } WHERE { "
        "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o } }"
    )
    reply = server.get("/export", format="dot", query=runaway, timeout="1")
    assert reply.status == 503
    assert "deadline of 1 s passed" in reply.text


def test_etag_answers_not_modified(server: Server) -> None:
    first = server.get("/export", format="dot", query=COORDINATION)
    again = server.get("/export", {"If-None-Match": first.headers["etag"]}, format="dot", query=COORDINATION)
    assert again.status == 304
    other = server.get("/export", {"If-None-Match": first.headers["etag"]}, format="gexf", query=COORDINATION)
    assert other.status == 200


def test_ui_pages_load_only_this_servers_files(server: Server) -> None:
    for path in ("/", "/explore", "/explore?iri=" + urllib.parse.quote(ID + "body/kdn", safe="")):
        reply = server.request("GET", path)
        assert reply.status == 200, (path, reply.text)
        assert reply.media_type == "text/html"
        page = Page(reply.text)
        assets = [t["src"] for t in page.tags("script") if t.get("src")]
        assets += [t["href"] for t in page.tags("link") if t.get("rel") == "stylesheet"]
        assert len(assets) >= 2
        assert all(asset.startswith("/static/") for asset in assets), (path, assets)
        assert all(server.request("GET", asset).status == 200 for asset in assets)
    options = Page(server.request("GET", "/").text).tags("option")
    questions = sorted(path.stem for path in paths.queries_dir().glob("*.rq"))
    assert [o["value"] for o in options if o["value"]] == questions


@pytest.mark.parametrize(
    ("name", "status", "media_type"),
    [
        ("yasgui.min.js", 200, "text/javascript"),
        ("yasgui.min.css", 200, "text/css"),
        ("cytoscape.min.js", 200, "text/javascript"),
        ("package.json", 404, "text/plain"),
        ("..%2Fpackage.json", 404, "text/plain"),
    ],
)
def test_vendor_files_come_from_a_whitelist(server: Server, name: str, status: int, media_type: str) -> None:
    reply = server.request("GET", f"/static/vendor/{name}")
    assert reply.status == status
    assert reply.media_type == media_type
    if status == 200:
        assert "max-age" in reply.headers["cache-control"]
