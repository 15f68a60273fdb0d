"""Oxigraph embedded through pyoxigraph: the query string goes straight to Oxigraph's own engine.

Evaluating through rdflib's algebra on top of an Oxigraph-backed rdflib store was measured slower
than plain rdflib; handing the whole query string to `pyoxigraph.Store.query` is what makes it fast.

The union of the named graphs is also stored as the default graph. Oxigraph's
`use_default_graph_as_union` option would override a query's own FROM clause (measured with
pyoxigraph 0.5.13), so the union is materialised instead and queries run with Oxigraph's plain
dataset semantics: FROM/FROM NAMED pick among the stored graphs and never fetch anything.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import pyoxigraph as ox

from ..rdf.formats import RDF_BY_MEDIA_TYPE, RESULTS_BY_MEDIA_TYPE
from .base import Answer, CappedBuffer, Marker, Overflow, Query, QueryError, ResultKind, Store, too_large


def _with_union(quads: Iterable[ox.Quad]) -> Iterator[ox.Quad]:
    """Each quad, and its triple in the default graph."""
    for quad in quads:
        yield quad
        yield ox.Quad(quad.subject, quad.predicate, quad.object, ox.DefaultGraph())


class OxigraphStore(Store):
    def __init__(self, directory: str | None = None, *, read_only: bool = False):
        self.directory = directory
        self.read_only = read_only
        if directory:
            self.marker = Marker(directory, "oxigraph")
        if read_only:  # a store another process wrote and closed; several processes may open it at once
            if not directory:
                raise ValueError("a read-only store needs a directory")
            self._store = ox.Store.read_only(directory)
        else:
            self._store = ox.Store(directory) if directory else ox.Store()

    def _replace(self, quads: Iterable[ox.Quad]) -> None:
        self._store.clear()  # a store directory from an earlier run may hold graphs that are gone
        # Streamed: the bulk loader takes the quads in batches, so millions never sit in a list.
        self._store.bulk_extend(_with_union(quads))
        if self.directory:
            self._store.flush()  # on disk before the marker says so

    def close(self) -> None:
        """Write everything to disk and release the directory so that read-only openers may use it."""
        if self.directory and not self.read_only:
            self._store.flush()
        del self._store

    def evaluate(self, query: Query) -> Answer:
        options: dict = {"base_iri": query.base_iri}
        if query.default_graphs is not None:
            options["default_graph"] = [ox.NamedNode(g) for g in query.default_graphs]
        if query.named_graphs is not None:
            options["named_graphs"] = [ox.NamedNode(g) for g in query.named_graphs]
        try:
            result = self._store.query(query.text, **options)
        except SyntaxError as error:
            raise QueryError(f"SPARQL syntax error: {error}") from None
        except (OSError, ValueError) as error:
            raise QueryError(f"query failed: {error}") from None
        if isinstance(result, ox.QueryTriples):
            kind, formats = ResultKind.GRAPH, RDF_BY_MEDIA_TYPE
        elif isinstance(result, ox.QueryBoolean):
            kind, formats = ResultKind.BOOLEAN, RESULTS_BY_MEDIA_TYPE
        else:
            kind, formats = ResultKind.BINDINGS, RESULTS_BY_MEDIA_TYPE
        media_type = query.media_types[kind]
        try:
            buffer = CappedBuffer(query.max_bytes)
            result.serialize(buffer, format=formats[media_type].oxigraph)
        except Overflow:
            raise too_large(query.max_bytes) from None
        except (OSError, ValueError) as error:  # evaluation is lazy: errors may surface here
            raise QueryError(f"query failed: {error}") from None
        return Answer(kind, media_type, buffer.getvalue())
