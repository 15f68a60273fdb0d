"""Files read by Oxigraph's bulk loader (`load.FileQuads` given to the Oxigraph store) hold what the
same files parsed quad by quad hold: the same graphs, the same union default graph, the same VoID
statistics, and the same refusals (a triple outside a graph, a syntax error with its line)."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from ozgkg.features.service_description import collect_statistics
from ozgkg.knowledge.load import (
    FileQuads,
    KnowledgeFile,
    LoadError,
    extra_file,
    iter_quads,
    knowledge_files,
    load,
)
from ozgkg.store import Store, open_store

EXTRA = "https://w3id.org/ozgkg/graph/extra/"


def shipped() -> list[KnowledgeFile]:
    files = knowledge_files()
    inferred = load(files).inferred
    return [*files, *([inferred] if inferred else [])]


def filled(files: list[KnowledgeFile], bulk: bool, directory: Path | None = None) -> Store:
    store = open_store(f"oxigraph:{directory}" if directory else "oxigraph")
    store.replace(FileQuads(files) if bulk else [q for f in files for q in iter_quads(f)])
    return store


def without_blank_nodes(store: Store) -> set[tuple[str, ...]]:
    """The store's quads with no blank node (whose labels each parse makes anew), as strings."""
    rows = store.rows(
        "SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } FILTER (!isBlank(?s) && !isBlank(?o)) }"
    )
    return {(r["s"], r["p"], r["o"], r["g"]) for r in rows}


def test_the_bulk_loader_holds_what_parsing_holds(tmp_path: Path) -> None:
    files = shipped()
    bulk, parsed = filled(files, True, tmp_path / "store"), filled(files, False)
    assert bulk.named_graphs() == parsed.named_graphs()
    assert bulk.quad_count() == parsed.quad_count() > 4000
    assert without_blank_nodes(bulk) == without_blank_nodes(parsed)
    # The union default graph and every VoID count come from the store's own queries.
    assert collect_statistics(bulk) == collect_statistics(parsed)


def test_a_quad_files_triples_outside_a_graph_go_to_its_target(tmp_path: Path) -> None:
    path = tmp_path / "mine.trig"
    path.write_text(
        "<urn:a> <urn:p> <urn:b> .\nGRAPH <urn:g> { <urn:c> <urn:p> <urn:d> . }\n", encoding="utf-8"
    )
    store = filled([extra_file(path)], True)
    assert store.named_graphs() == [f"{EXTRA}mine", "urn:g"]
    union = store.rows("SELECT ?s WHERE { ?s <urn:p> ?o } ORDER BY ?s")
    assert [r["s"] for r in union] == ["urn:a", "urn:c"]  # the default graph is exactly the union
    assert store.rows(f"SELECT ?s WHERE {{ GRAPH <{EXTRA}mine> {{ ?s ?p ?o }} }}") == [{"s": "urn:a"}]


def test_a_graph_file_with_a_triple_outside_a_graph_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "graph.trig"
    path.write_text("<urn:a> <urn:p> <urn:b> .\n", encoding="utf-8")
    with pytest.raises(LoadError, match="outside a GRAPH block"):
        filled([KnowledgeFile(path)], True)


def test_a_syntax_error_names_the_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.nq"
    path.write_text("<urn:a> <urn:p> <urn:b> <urn:g> .\n<urn:a> <urn:p> .\n", encoding="utf-8")
    with pytest.raises(LoadError) as raised:
        filled([extra_file(path)], True)
    assert raised.value.path == path and raised.value.line == 2


def test_quads_as_objects_still_load() -> None:
    """The other callers (`ozg-kg query`, the tests) hand the store quads, not files."""
    store = open_store("oxigraph")
    store.replace(
        [ox.Quad(ox.NamedNode("urn:a"), ox.NamedNode("urn:p"), ox.Literal("x"), ox.NamedNode("urn:g"))]
    )
    assert store.quad_count() == 1 and store.rows("SELECT ?o { ?s ?p ?o }") == [{"o": "x"}]
