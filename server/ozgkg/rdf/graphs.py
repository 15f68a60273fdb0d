"""rdflib graphs written in any of the RDF formats (the descriptions, reports and pages the web
layer serves, and the rdflib store's CONSTRUCT answers)."""

from __future__ import annotations

import io
from typing import IO

from rdflib import Dataset, Graph

from ozgkg.namespaces import PREFIXES
from ozgkg.rdf.formats import RDF_BY_MEDIA_TYPE

JSON_LD = "json-ld"


def serialise_graph(graph: Graph, media_type: str, destination: IO[bytes]) -> None:
    """Write `graph` to `destination` in one of the RDF formats.

    rdflib writes quads only from a Dataset (from a Graph, N-Quads fails and TriG names the graph
    with a blank node), so for those formats a graph's triples become a dataset's default graph.
    """
    fmt = RDF_BY_MEDIA_TYPE[media_type]
    if fmt.quads and not isinstance(graph, Dataset):
        dataset = Dataset()
        for prefix, namespace in graph.namespaces():
            dataset.bind(prefix, namespace)
        dataset.default_graph += graph
        graph = dataset
    options = {}
    if fmt.rdflib == JSON_LD:
        # Without a context a JSON-LD reader sees full IRIs only; the project's prefixes make it
        # readable as JSON and keep it JSON-LD (a `@context` object, no remote context to fetch).
        options = {"context": dict(PREFIXES), "auto_compact": True}
    graph.serialize(destination, format=fmt.rdflib, encoding="utf-8", **options)


def graph_bytes(graph: Graph, media_type: str) -> bytes:
    buffer = io.BytesIO()
    serialise_graph(graph, media_type, buffer)
    return buffer.getvalue()
