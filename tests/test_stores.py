"""The three store backends behind `Store`: the same answers, the same dataset rules, persistence.

`oxigraph` (embedded pyoxigraph), `memory` (rdflib's Dataset and engine) and `remote` (PyPI oxigraph's
server, reached over the SPARQL 1.1 Protocol and loaded over the Graph Store Protocol) each hold the
shipped graph. The competency questions must give every store the answers the Oxigraph store gives,
which `test_competency_questions.py` checks against the sources.
"""

from __future__ import annotations

import http.server
import json
import re
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from decimal import Decimal
from functools import cache
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib.plugins.sparql
from endpoint.conftest import Listener, free_port, oxigraph_server

from ozgkg import paths
from ozgkg.knowledge.load import load
from ozgkg.rdf import formats
from ozgkg.store import QueryError, ResultKind, ResultTooLarge, Store, StoreUnavailable, open_store
from ozgkg.store import memory as memory_store
from ozgkg.store.base import Marker

JSON = dict.fromkeys(ResultKind, "application/sparql-results+json")
GRAPH = "https://w3id.org/ozgkg/graph/"
NUMERIC = ("#integer", "#decimal", "#double", "#float")
BACKENDS = ("oxigraph", "memory", "remote")


@cache
def quads() -> list[ox.Quad]:
    return load().quads


@pytest.fixture(scope="module")
def remote_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with oxigraph_server(tmp_path_factory.mktemp("remote") / "store") as url:
        yield url


@pytest.fixture(scope="module", params=BACKENDS)
def store(request: pytest.FixtureRequest) -> Store:
    """Each backend holding the shipped graph."""
    spec = f"sparql+{request.getfixturevalue('remote_url')}" if request.param == "remote" else request.param
    store = open_store(spec)
    store.replace(quads())
    return store


@pytest.fixture(scope="module")
def reference() -> Store:
    store = open_store("oxigraph")
    store.replace(quads())
    return store


# `(GROUP_CONCAT(...; SEPARATOR="; ") AS ?names)`: the separator and the variable.
_CONCATENATION = re.compile(r'SEPARATOR\s*=\s*"([^"]*)"\s*\)\s*AS\s*\?(\w+)', re.IGNORECASE)


def _term(term: dict, separator: str | None) -> tuple:
    """A result term compared by value: numbers as numbers (engines write 7.0 or 7.00), blank nodes
    alike, and a GROUP_CONCAT as its parts, whose order SPARQL leaves to each engine. Its language
    tag is left out too: Oxigraph keeps the tag its parts share, as CONCAT does; rdflib drops it."""
    if term["type"] == "bnode":
        return ("bnode",)
    datatype = term.get("datatype", "")
    if term["type"] != "uri" and datatype.endswith(NUMERIC):
        return ("number", Decimal(term["value"]).normalize())
    if separator:
        return ("concatenation", tuple(sorted(term["value"].split(separator))))
    return (term["type"], term["value"], datatype, term.get("xml:lang"))


def answer(store: Store, query: str) -> Counter:
    """The rows of a SELECT as a multiset (rows that tie under ORDER BY may come in any order)."""
    separators = {name: separator for separator, name in _CONCATENATION.findall(query)}
    rows = json.loads(store.execute(query, JSON).body)["results"]["bindings"]
    # A GROUP_CONCAT of nothing is "" on rdflib and unbound on Oxigraph: both count as no value.
    return Counter(
        frozenset(
            (name, _term(term, separators.get(name)))
            for name, term in row.items()
            if not (name in separators and term["value"] == "")
        )
        for row in rows
    )


@pytest.mark.parametrize("path", sorted(paths.queries_dir().glob("cq*.rq")), ids=lambda p: p.stem[:4])
def test_competency_questions_have_the_same_answers(store: Store, reference: Store, path: Path) -> None:
    query = path.read_text(encoding="utf-8")
    expected = answer(reference, query)
    assert expected, f"{path.name} gives no rows"
    assert answer(store, query) == expected


def test_default_graph_is_the_union_of_the_named_graphs(store: Store) -> None:
    union = {(q.subject, q.predicate, q.object) for q in quads()}
    rows = store.rows("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert int(rows[0]["n"]) == len(union)
    assert store.quad_count() == len(set(quads()))
    assert store.named_graphs() == sorted(load().graph_names())


def test_from_and_from_named_pick_among_the_stored_graphs(store: Store) -> None:
    meta, ontology = f"{GRAPH}meta", f"{GRAPH}ontology"
    in_meta = sum(1 for q in quads() if q.graph_name.value == meta)
    rows = store.rows(f"SELECT (COUNT(*) AS ?n) FROM <{meta}> WHERE {{ ?s ?p ?o }}")
    assert int(rows[0]["n"]) == in_meta
    rows = store.rows(f"SELECT DISTINCT ?g FROM NAMED <{ontology}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}")
    assert rows == [{"g": ontology}]
    # FROM NAMED alone leaves the default graph empty.
    assert store.rows(f"SELECT * FROM NAMED <{ontology}> WHERE {{ ?s ?p ?o }}") == []


def test_the_protocol_dataset_replaces_the_querys(store: Store) -> None:
    meta, ontology = f"{GRAPH}meta", f"{GRAPH}ontology"
    in_ontology = sum(1 for q in quads() if q.graph_name.value == ontology)
    query = f"SELECT (COUNT(*) AS ?n) FROM <{meta}> WHERE {{ ?s ?p ?o }}"
    counted = store.execute(query, JSON, default_graphs=[ontology], named_graphs=[])
    assert json.loads(counted.body)["results"]["bindings"][0]["n"]["value"] == str(in_ontology)
    named = store.execute(
        "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", JSON, default_graphs=[], named_graphs=[meta]
    )
    assert [row["g"]["value"] for row in json.loads(named.body)["results"]["bindings"]] == [meta]


def test_from_an_unknown_graph_fetches_nothing(store: Store) -> None:
    listener = Listener()
    try:
        query = f"SELECT * FROM <{listener.url}> FROM NAMED <{listener.url}> WHERE {{ ?s ?p ?o }}"
        assert store.rows(query) == []
        asked = store.execute(f"ASK {{ GRAPH <{listener.url}> {{ ?s ?p ?o }} }}", JSON)
        assert json.loads(asked.body)["boolean"] is False
        assert listener.connections == 0
    finally:
        listener.close()
    if isinstance(store, memory_store.MemoryStore):  # rdflib is adjusted only by the store that uses it
        assert rdflib.plugins.sparql.SPARQL_LOAD_GRAPHS is False


@pytest.mark.parametrize(
    ("query", "kind"),
    [
        ("SELECT ?s WHERE { ?s a <https://w3id.org/ozgkg/def#Land> } LIMIT 2", ResultKind.BINDINGS),
        ("ASK { ?s a <https://w3id.org/ozgkg/def#Land> }", ResultKind.BOOLEAN),
        ("CONSTRUCT WHERE { ?s a <https://w3id.org/ozgkg/def#Land> } LIMIT 2", ResultKind.GRAPH),
        ("DESCRIBE <https://w3id.org/ozgkg/id/land/05>", ResultKind.GRAPH),
    ],
    ids=["select", "ask", "construct", "describe"],
)
def test_every_media_type_is_written(store: Store, query: str, kind: ResultKind) -> None:
    offered = formats.RDF_BY_MEDIA_TYPE if kind is ResultKind.GRAPH else formats.RESULTS_BY_MEDIA_TYPE
    for media_type in offered:
        answer = store.execute(query, JSON | {kind: media_type})
        assert (answer.kind, answer.media_type) == (kind, media_type)
        assert answer.body.strip(), media_type
        if kind is ResultKind.GRAPH and media_type == "application/n-triples":
            assert ox.parse(answer.body, format=ox.RdfFormat.N_TRIPLES)
    # One table (ozgkg.rdf.formats) names each format's writer in both engines.
    assert all(f.rdflib and f.oxigraph is not None for f in offered.values())


def test_tsv_escapes_what_would_break_a_row() -> None:
    store = open_store("memory")
    text = ox.Literal("tab\there\nline")
    store.replace(
        [ox.Quad(ox.NamedNode("http://x/s"), ox.NamedNode("http://x/p"), text, ox.NamedNode("http://x/g"))]
    )
    body = store.execute(
        "SELECT ?o WHERE { ?s ?p ?o }", {ResultKind.BINDINGS: "text/tab-separated-values"}
    ).body
    assert body == b'?o\n"tab\\there\\nline"\n'


def test_syntax_errors_and_size_limit(store: Store) -> None:
    with pytest.raises(QueryError, match="error at 1:6"):
        store.execute("ASK {", JSON)
    with pytest.raises(ResultTooLarge, match="larger than the limit of 1000 bytes"):
        store.execute("SELECT * WHERE { ?s ?p ?o }", JSON, max_bytes=1000)


# ------------------------------------------------------------------ persistence of a store directory


def _sentinel(directory: Path, backend: str) -> None:
    """A quad put into the stored data behind the store's back: it stays only if nothing reloads."""
    quad = ox.Quad(
        ox.NamedNode("http://x/s"), ox.NamedNode("http://x/p"), ox.Literal("kept"), ox.NamedNode("http://x/g")
    )
    if backend == "memory":
        with (directory / memory_store.DUMP).open("ab") as dump:
            ox.serialize([quad], dump, ox.RdfFormat.N_QUADS)
    else:
        raw = ox.Store(str(directory))
        raw.add(quad)
        raw.flush()
        del raw


def _open_and_fill(spec: str, version: str) -> tuple[bool, int, float]:
    started = time.monotonic()
    store = open_store(spec)
    loaded = store.fill(quads(), version)
    seconds = time.monotonic() - started
    count = store.quad_count()
    store.close()
    return loaded, count, seconds


@pytest.mark.parametrize("backend", ["oxigraph", "memory"])
def test_a_directory_is_reopened_not_reloaded_while_the_version_holds(tmp_path: Path, backend: str) -> None:
    spec = f"{backend}:{tmp_path}"
    marker = Marker(str(tmp_path), backend)
    loaded, count, first = _open_and_fill(spec, "v1")
    assert loaded and count == len(quads()) and marker.read() == "v1"

    _sentinel(tmp_path, backend)
    loaded, count, again = _open_and_fill(spec, "v1")
    print(f"\n{backend}: first open and load {first:.3f} s, reopen without reload {again:.3f} s")
    assert not loaded and count == len(quads()) + 1  # the sentinel is still there: nothing was reloaded
    reader = open_store(spec, read_only=True)  # as a query worker opens it
    assert reader.quad_count() == len(quads()) + 1
    reader.close()

    loaded, count, _ = _open_and_fill(spec, "v2")  # other files: reloaded, the sentinel gone
    assert loaded and count == len(quads()) and marker.read() == "v2"


@pytest.mark.parametrize("backend", ["oxigraph", "memory"])
def test_a_load_cut_short_leaves_no_marker(tmp_path: Path, backend: str) -> None:
    def failing() -> Iterator[ox.Quad]:
        yield from quads()[:10]
        raise OSError("disk full")

    spec = f"{backend}:{tmp_path}"
    assert _open_and_fill(spec, "v1")[0]
    store = open_store(spec)
    with pytest.raises(OSError, match="disk full"):
        store.replace(failing(), "v2")
    store.close()
    assert Marker(str(tmp_path), backend).read() is None
    assert _open_and_fill(spec, "v1")[0]  # not trusted any more: loaded again


def test_the_marker_names_its_backend(tmp_path: Path) -> None:
    assert _open_and_fill(f"memory:{tmp_path}", "v1")[0]
    assert _open_and_fill(f"oxigraph:{tmp_path}", "v1")[0]  # the memory store's files are not its data
    with pytest.raises(OSError, match="no complete dataset"):
        open_store(f"memory:{tmp_path / 'empty'}", read_only=True)


# ------------------------------------------------------------------ the remote store


def test_loading_a_remote_replaces_what_it_held(remote_url: str) -> None:
    store = open_store(f"sparql+{remote_url}")
    stale = ox.Quad(
        ox.NamedNode("http://x/s"),
        ox.NamedNode("http://x/p"),
        ox.Literal("old"),
        ox.NamedNode("http://x/old"),
    )
    store.replace([stale])
    assert store.named_graphs() == ["http://x/old"]
    store.replace(quads())
    assert "http://x/old" not in store.named_graphs()
    assert store.quad_count() == len(set(quads()))
    assert store.version() is None  # a remote keeps no marker: every load pushes the graph


def test_a_wrong_graph_store_url_is_reported(remote_url: str) -> None:
    store = open_store(f"sparql+{remote_url}", gsp=remote_url.replace("/query", "/nowhere"))
    with pytest.raises(StoreUnavailable, match="HTTP 404.*--store-gsp"):
        store.replace(quads()[:5])


OZG_KG = [sys.executable, "-m", "ozgkg.cli"]


def ozg_kg(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*OZG_KG, *args], capture_output=True, text=True, timeout=300)


class _NotSparql(http.server.BaseHTTPRequestHandler):
    """A web server that answers every request with an HTML page."""

    def _page(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        body = b"<html><body>Hello</body></html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PUT = _page

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def not_sparql() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _NotSparql)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/query"
    server.shutdown()
    server.server_close()


def test_command_line_on_each_store(remote_url: str, tmp_path: Path) -> None:
    directory = tmp_path / "store"
    validated = ozg_kg("validate", "--store", f"oxigraph:{directory}")  # files that conform are stored
    assert validated.returncode == 0 and Marker(str(directory), "oxigraph").read(), validated.stderr
    sparql = (
        "PREFIX ozg: <https://w3id.org/ozgkg/def#> SELECT ?key WHERE { ?l a ozg:Land ; ozg:stateKey ?key }"
    )
    for spec in ("memory", f"oxigraph:{directory}", f"sparql+{remote_url}"):
        result = ozg_kg("query", "--store", spec, sparql, "--format", "csv")
        assert result.returncode == 0, result.stderr
        assert len(result.stdout.splitlines()) == 17, spec
        exported = ozg_kg(
            "export", "--store", spec, "--format", "graphml", "--output", str(tmp_path / "g.graphml")
        )
        assert exported.returncode == 0 and "nodes" in exported.stderr, exported.stderr


@pytest.mark.parametrize(
    ("args", "code", "words"),
    [
        (["--store", "nosuch"], 2, "unknown store 'nosuch'"),
        (["--store", "sparql+ftp://example.org/q"], 2, "a remote store is sparql+http://"),
        (
            ["--store", "memory", "--store-gsp", "http://127.0.0.1:9/store"],
            2,
            "--store-gsp goes with a remote",
        ),
        (["--store", "sparql+http://127.0.0.1:{port}/query"], 1, "cannot be reached"),
        (["--store", "sparql+{not_sparql}"], 1, "is it a SPARQL endpoint?"),
    ],
    ids=["unknown", "not-http", "gsp-without-remote", "unreachable", "not-sparql"],
)
@pytest.mark.parametrize("command", ["query", "validate", "export"])
def test_a_wrong_store_is_a_readable_error(
    command: str, args: list[str], code: int, words: str, not_sparql: str
) -> None:
    args = [a.format(port=free_port(), not_sparql=not_sparql) for a in args]
    extra = {"query": ["ASK {}"], "validate": [], "export": ["--format", "graphml"]}
    result = ozg_kg(command, *args, *extra[command])
    assert result.returncode == code, result.stderr
    assert words in result.stderr and "Traceback" not in result.stderr, result.stderr
