"""Oxigraph embedded through pyoxigraph: the query string goes straight to Oxigraph's own engine.

Evaluating through rdflib's algebra on top of an Oxigraph-backed rdflib store was measured slower
than plain rdflib; handing the whole query string to `pyoxigraph.Store.query` is what makes it fast.

The union of the named graphs is also stored as the default graph. Oxigraph's
`use_default_graph_as_union` option would override a query's own FROM clause (measured with
pyoxigraph 0.5.13), so the union is materialised instead and queries run with Oxigraph's plain
dataset semantics: FROM/FROM NAMED pick among the stored graphs and never fetch anything.
"""

from __future__ import annotations

import io
from collections.abc import Iterable

import pyoxigraph as ox

from .base import Answer, QueryError, ResultKind, ResultTooLarge, Store

RESULTS_FORMATS: dict[str, ox.QueryResultsFormat] = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
RDF_FORMATS: dict[str, ox.RdfFormat] = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/trig": ox.RdfFormat.TRIG,
    "application/n-quads": ox.RdfFormat.N_QUADS,
}


class _Overflow(Exception):
    pass


class _CappedBuffer(io.RawIOBase):
    """Collects serialised bytes and stops the (lazy) evaluation once the cap is passed."""

    def __init__(self, cap: int):
        self._buffer = io.BytesIO()
        self._cap = cap

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:  # noqa: ANN001 - bytes-like from pyoxigraph
        if self._buffer.tell() + len(data) > self._cap:
            raise _Overflow
        return self._buffer.write(data)

    def getvalue(self) -> bytes:
        return self._buffer.getvalue()


class OxigraphStore(Store):
    def __init__(self, directory: str | None = None, *, read_only: bool = False):
        self.directory = directory
        if read_only:
            if not directory:
                raise ValueError("a read-only store needs a directory")
            self._store = ox.Store.read_only(directory)
        else:
            self._store = ox.Store(directory) if directory else ox.Store()

    @classmethod
    def open_read_only(cls, directory: str) -> OxigraphStore:
        """Open a store another process wrote and closed; several processes may do so at once."""
        return cls(directory, read_only=True)

    def add_quads(self, quads: Iterable[ox.Quad]) -> None:
        quads = list(quads)
        union = (ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph()) for q in quads)
        self._store.bulk_extend([*quads, *union])

    def clear(self) -> None:
        self._store.clear()

    def close(self) -> None:
        """Write everything to disk and release the directory so that read-only openers may use it."""
        if self.directory:
            self._store.flush()
        del self._store

    def execute(
        self,
        query: str,
        media_types: dict[ResultKind, str],
        *,
        default_graphs: list[str] | None = None,
        named_graphs: list[str] | None = None,
        base_iri: str | None = None,
        max_bytes: int | None = None,
    ) -> Answer:
        options: dict = {"base_iri": base_iri}
        if default_graphs is not None:
            options["default_graph"] = [ox.NamedNode(g) for g in default_graphs]
        if named_graphs is not None:
            options["named_graphs"] = [ox.NamedNode(g) for g in named_graphs]
        try:
            result = self._store.query(query, **options)
        except SyntaxError as error:
            raise QueryError(f"SPARQL syntax error: {error}") from None
        except (OSError, ValueError) as error:
            raise QueryError(f"query failed: {error}") from None
        if isinstance(result, ox.QueryTriples):
            kind, formats = ResultKind.GRAPH, RDF_FORMATS
        elif isinstance(result, ox.QueryBoolean):
            kind, formats = ResultKind.BOOLEAN, RESULTS_FORMATS
        else:
            kind, formats = ResultKind.BINDINGS, RESULTS_FORMATS
        media_type = media_types[kind]
        try:
            if max_bytes is None:
                body = result.serialize(format=formats[media_type])
            else:
                buffer = _CappedBuffer(max_bytes)
                result.serialize(buffer, format=formats[media_type])
                body = buffer.getvalue()
        except _Overflow:
            raise ResultTooLarge(
                f"the answer is larger than the limit of {max_bytes} bytes; narrow the query or add a LIMIT"
            ) from None
        except (OSError, ValueError) as error:  # evaluation is lazy: errors may surface here
            raise QueryError(f"query failed: {error}") from None
        return Answer(kind, media_type, body)

    def named_graphs(self) -> list[str]:
        return sorted(g.value for g in self._store.named_graphs() if isinstance(g, ox.NamedNode))

    def __len__(self) -> int:
        count = self._store.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
        return int(next(iter(count))["n"].value)
