"""Oxigraph embedded through pyoxigraph: the query string goes straight to Oxigraph's own engine.

Evaluating through rdflib's algebra on top of an Oxigraph-backed rdflib store was measured slower
than plain rdflib; handing the whole query string to `pyoxigraph.Store.query` is what makes it fast.

The union of the named graphs is also stored as the default graph. Oxigraph's
`use_default_graph_as_union` option would override a query's own FROM clause (measured with
pyoxigraph 0.5.13), so the union is materialised instead and queries run with Oxigraph's plain
dataset semantics: FROM/FROM NAMED pick among the stored graphs and never fetch anything.

Files (`load.FileQuads`) are read by Oxigraph's bulk loader straight from their paths, no Python object
per quad; the union is then copied from the store's own quads. Measured at 10^6 quads (pyoxigraph
0.5.13, 2 shared cores): bulk_load 16-22 s; the union by one SPARQL `INSERT ... WHERE { GRAPH ?g ...}`
25 s and 1135 MiB peak (one transaction holds every new quad), by one such update per graph 35 s, by
the bulk loader fed from the store's iterator 23 s and 930 MiB, which also streams at any size.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

import pyoxigraph as ox

from ozgkg.rdf.formats import RDF_BY_MEDIA_TYPE, RESULTS_BY_MEDIA_TYPE

from .base import Answer, CappedBuffer, Marker, Overflow, Query, QueryError, ResultKind, Store, too_large

if TYPE_CHECKING:
    from ozgkg.knowledge.load import KnowledgeFile


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
        # Imported here: the query workers, which only read the store, need not import rdflib and owlrl.
        from ozgkg.knowledge.load import FileQuads

        self._store.clear()  # a store directory from an earlier run may hold graphs that are gone
        if isinstance(quads, FileQuads):
            for file in quads.files:
                self._load_file(file)
            # The union from the store's own quads, as they are read (see the module's note).
            default = ox.DefaultGraph()
            self._store.bulk_extend(
                ox.Quad(q.subject, q.predicate, q.object, default)
                for q in self._store.quads_for_pattern(None, None, None, None)
            )
        else:
            # Streamed: the bulk loader takes the quads in batches, so millions never sit in a list.
            self._store.bulk_extend(_with_union(quads))
        if self.directory:
            self._store.flush()  # on disk before the marker says so

    def _load_file(self, file: KnowledgeFile) -> None:
        """One file by the bulk loader, into the named graphs it names and its target graph
        (`load.iter_quads`'s rule: a quad file's triples outside a graph go to the target, and without
        one they are refused). Before the union is built, the default graph holds only such triples."""
        from ozgkg.knowledge.load import base_iri, checked_file, is_quad_format, outside_graph, parse_errors

        fmt, target = checked_file(file)
        quads = is_quad_format(fmt)
        with parse_errors(file.path):
            self._store.bulk_load(
                path=str(file.path),
                format=fmt,
                base_iri=base_iri(file.path),
                to_graph=None if quads else target,
            )
        if quads and self._store.query("ASK { ?s ?p ?o }"):
            if target is None:
                raise outside_graph(file.path, "a triple of the default graph")
            self._store.update(f"ADD DEFAULT TO {target}; CLEAR DEFAULT")

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
