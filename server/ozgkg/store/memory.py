"""rdflib's in-memory Dataset, queried with rdflib's own SPARQL engine and written by its serialisers.

The store for when Oxigraph is not wanted: the engine and serialisers most Python RDF code uses. It
is far slower than Oxigraph on larger data (rdflib's engine was measured 15-130x slower on the
project's queries), so `oxigraph` stays the default.

Semantics follow the Oxigraph store: the default graph is the union of the named graphs; FROM,
FROM NAMED and the protocol's dataset pick among the stored graphs. rdflib would fetch the IRI of a
FROM graph it does not hold (`SPARQL_LOAD_GRAPHS`): that switch is turned off here, and on top of it
the store builds each query's dataset itself, so rdflib never sees a dataset clause.

Query workers run in processes of their own: a store with a directory writes its quads there as an
N-Quads dump, which each worker parses once when it starts.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

import pyoxigraph as ox
import rdflib.plugins.sparql
from pyparsing import ParseException
from rdflib import Dataset, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.plugins.sparql.aggregates import Accumulator
from rdflib.plugins.sparql.algebra import translateQuery, traverse
from rdflib.plugins.sparql.evaluate import evalQuery
from rdflib.plugins.sparql.evalutils import _eval
from rdflib.plugins.sparql.parser import parseQuery
from rdflib.plugins.sparql.sparql import FrozenBindings, NotBoundError
from rdflib.plugins.sparql.sparql import Query as RdflibQuery
from rdflib.query import Result
from rdflib.term import Node

from ozgkg.rdf import terms
from ozgkg.rdf.formats import CSV, RESULTS_BY_MEDIA_TYPE, TSV
from ozgkg.rdf.graphs import serialise_graph
from ozgkg.rdf.terms import to_rdflib

from .base import Answer, CappedBuffer, Marker, Overflow, Query, QueryError, ResultKind, Store, too_large

DUMP = "dataset.nq"
_XSD_STRING = ox.NamedNode(str(XSD.string))


def _tsv_term(node: Node | None) -> str:
    """A term as SPARQL 1.1 TSV writes it: Turtle syntax, with tabs and line breaks escaped."""
    return "" if node is None else terms.term(node)


def _write_table(result: Result, media_type: str, out: IO[bytes]) -> None:
    if result.type == "ASK" and media_type in {CSV, TSV}:
        # No standard writes a boolean in CSV/TSV; Oxigraph writes the bare word, and so does this.
        out.write(b"true" if result.askAnswer else b"false")
    elif media_type == TSV:
        lines = ["\t".join(f"?{v}" for v in result.vars or ())]
        lines += ["\t".join(_tsv_term(row.get(v)) for v in result.vars or ()) for row in result.bindings]
        out.write(("\n".join(lines) + "\n").encode("utf-8"))
    else:
        result.serialize(out, encoding="utf-8", format=RESULTS_BY_MEDIA_TYPE[media_type].rdflib)


def _object(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> Node:
    """A stored object as rdflib matches it against a query's terms.

    A literal of type xsd:string becomes rdflib's plain literal: RDF 1.1 makes them one term, but
    rdflib keeps them apart, and a query's "text" would not match the stored "text"^^xsd:string.
    """
    if isinstance(term, ox.Literal) and term.datatype == _XSD_STRING:
        return Literal(term.value)
    return _canonical(to_rdflib(term))


def _canonical(term: Node) -> Node:
    """An xsd:decimal in its canonical form ("7720000.0" -> "7720000"), in the data and in queries.

    Oxigraph stores numbers by value, so a query's 7720000.0 matches the stored "7720000"^^xsd:decimal
    (competency question 11); rdflib matches terms as written. It writes integers, doubles and
    booleans in one form already, but keeps a decimal's trailing zeros.
    """
    if isinstance(term, Literal) and term.datatype == XSD.decimal:
        try:
            return Literal(format(Decimal(str(term)).normalize(), "f"), datatype=XSD.decimal)
        except ArithmeticError:  # not a valid decimal: left as written
            return term
    return term


def _canonical_literal(node: object) -> Node | None:
    """`traverse` keeps a node for which the visitor returns None."""
    return _canonical(node) if isinstance(node, Literal) else None


def _rows(solutions: Iterable[dict], max_bytes: int | None) -> list[dict]:
    """Evaluate the solutions, stopping once their terms alone are longer than the byte limit.

    rdflib's serialisers build the whole answer in memory; every format writes each bound value at
    least once, so their length is a lower bound that ends a runaway result early.
    """
    rows, size = [], 0
    for row in solutions:
        if max_bytes is not None:
            size += sum(len(term) for term in row.values() if term is not None)
            if size > max_bytes:
                raise too_large(max_bytes)
        rows.append(row)
    return rows


def _parse(query: Query) -> RdflibQuery:
    """The query's algebra, with its decimals in canonical form; QueryError with the parser's place."""
    try:
        parsed = translateQuery(parseQuery(query.text), base=query.base_iri)
    except ParseException as error:
        raise QueryError(f"SPARQL syntax error: error at {error.lineno}:{error.col}: {error.msg}") from None
    except Exception as error:  # rdflib raises plain Exceptions, e.g. for an unknown prefix
        raise QueryError(f"query failed: {error}") from None
    algebra = parsed.algebra = traverse(parsed.algebra, visitPost=_canonical_literal)
    if algebra.name == "ConstructQuery" and not algebra.template:
        # CONSTRUCT WHERE { triples }: rdflib finds the template only when no LIMIT or ORDER BY
        # wraps the pattern (rdflib 7.6); the template is the pattern's triples.
        part = algebra.p
        while part.name != "BGP":
            part = part.p
        algebra["template"] = part.triples
    return parsed


def _use_row(self: Accumulator, row: FrozenBindings) -> bool:
    """Whether a DISTINCT aggregate takes the row: not if its value is unbound (SPARQL 1.1 §18.5.1).

    rdflib 7.6 raises NotBoundError here instead, so that GROUP_CONCAT(DISTINCT ?x) fails as soon as
    an OPTIONAL leaves ?x unbound in a group (competency question 7); its COUNT already does this.
    """
    try:
        return _eval(self.expr, row) not in self.seen
    except NotBoundError:
        return False


def _adjust_rdflib() -> None:
    """The two changes this store makes to rdflib, made when a store is opened (never on import):
    FROM <IRI> must never fetch anything, and DISTINCT aggregates skip unbound values."""
    rdflib.plugins.sparql.SPARQL_LOAD_GRAPHS = False
    Accumulator.use_row = _use_row  # type: ignore[method-assign]


class MemoryStore(Store):
    def __init__(self, directory: str | None = None, *, read_only: bool = False):
        _adjust_rdflib()
        self.directory = directory
        self._dataset = Dataset(default_union=True)
        if not directory:
            return
        self.marker = Marker(directory, "memory")
        if not read_only:
            Path(directory).mkdir(parents=True, exist_ok=True)  # as Oxigraph makes its directory
        if self.version() is not None:
            self._add(ox.parse(path=str(Path(directory) / DUMP), format=ox.RdfFormat.N_QUADS))
        elif read_only:
            raise OSError(f"{directory} holds no complete dataset of the memory store")

    def _add(self, quads: Iterable[ox.Quad]) -> None:
        self._dataset.addN(
            (to_rdflib(q.subject), to_rdflib(q.predicate), _object(q.object), URIRef(q.graph_name.value))
            for q in quads
        )

    def _replace(self, quads: Iterable[ox.Quad]) -> None:
        quads = list(quads)  # twice: into the dataset and into the workers' dump
        self._dataset = Dataset(default_union=True)
        self._add(quads)
        if self.directory:
            dump = Path(self.directory) / DUMP
            ox.serialize(quads, str(dump), ox.RdfFormat.N_QUADS)

    def _dataset_for(self, query: Query, clause: list | None) -> Dataset:
        """The dataset a query runs on: all of it, or the graphs the protocol or FROM / FROM NAMED pick."""
        default_graphs, named_graphs = query.default_graphs, query.named_graphs
        if default_graphs is None and named_graphs is None:
            if not clause:
                return self._dataset
            default_graphs = [str(d.default) for d in clause if d.get("default")]
            named_graphs = [str(d.named) for d in clause if d.get("named")]
        # A dataset without union: its default graph is exactly the merge of the graphs named for it.
        view = Dataset()
        for name in default_graphs or ():
            view.default_graph += self._dataset.get_context(URIRef(name))
        for name in named_graphs or ():
            source = self._dataset.get_context(URIRef(name))
            if len(source):  # a graph the store does not hold stays out, as it is not fetched
                named = view.graph(URIRef(name))
                named += source
        return view

    def evaluate(self, query: Query) -> Answer:
        parsed = _parse(query)
        dataset = self._dataset_for(query, parsed.algebra.get("datasetClause"))
        parsed.algebra["datasetClause"] = None  # the dataset is chosen: rdflib must not pick (or fetch)
        buffer = CappedBuffer(query.max_bytes)
        try:
            evaluated: dict[str, Any] = evalQuery(dataset, parsed)
            kind = {"SELECT": ResultKind.BINDINGS, "ASK": ResultKind.BOOLEAN}.get(
                evaluated["type_"], ResultKind.GRAPH
            )
            media_type = query.media_types[kind]
            if kind is ResultKind.GRAPH:
                serialise_graph(evaluated["graph"], media_type, buffer)
            else:
                result = Result(evaluated["type_"])
                if kind is ResultKind.BOOLEAN:
                    result.askAnswer = evaluated["askAnswer"]
                else:
                    result.vars = evaluated["vars_"]
                    result.bindings = _rows(evaluated["bindings"], query.max_bytes)
                _write_table(result, media_type, buffer)
        except Overflow:
            raise too_large(query.max_bytes) from None
        except QueryError:
            raise
        except Exception as error:  # rdflib's engine raises plain Exceptions for failing queries
            raise QueryError(f"query failed: {error}") from None
        return Answer(kind, media_type, buffer.getvalue())
