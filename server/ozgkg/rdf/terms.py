"""The one writer of RDF terms as text: N-Triples syntax (valid in Turtle and SPARQL too), escaped by
pyoxigraph, so that every string, language tag and IRI is written by the same rules."""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from ozgkg.rdf.iris import check_iri


def to_rdflib_triple(quad: ox.Quad | ox.Triple) -> tuple[Node, Node, Node]:
    return to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object)


def to_rdflib(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> Node:
    """Convert one pyoxigraph term to its rdflib equal."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        return Literal(term.value, datatype=URIRef(term.datatype.value))
    raise TypeError(f"unsupported RDF term {term!r}")


def to_oxigraph(node: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """The pyoxigraph term equal to an rdflib term; ValueError for an IRI that is none."""
    if isinstance(node, URIRef):
        return ox.NamedNode(str(check_iri(str(node))))
    if isinstance(node, BNode):
        return ox.BlankNode(str(node))
    if isinstance(node, Literal):
        if node.language:
            return ox.Literal(str(node), language=node.language)
        if node.datatype is not None:
            return ox.Literal(str(node), datatype=ox.NamedNode(str(node.datatype)))
        return ox.Literal(str(node))
    raise ValueError(f"not an RDF term: {node!r}")


def term(node: Node) -> str:
    """`<iri>`, `_:b0` or `"text"@de` / `"7"^^<...#integer>` (xsd:string left implicit)."""
    return str(to_oxigraph(node))


def iri_list(nodes: Iterable[Node]) -> str:
    """IRIs for a VALUES clause; ValueError for anything else (only IRIs are written into queries here)."""
    written = []
    for node in nodes:
        if not isinstance(node, URIRef):
            raise ValueError(f"only IRIs are written into queries here, got {node!r}")
        written.append(term(node))
    return " ".join(written)


def string(text: str) -> str:
    """A plain string literal, for SPARQL or Turtle."""
    return str(ox.Literal(text))


def iri(text: str) -> str:
    """`<text>`; ValueError if the text is no absolute IRI."""
    return term(check_iri(text))


def literal(text: str, language: str | None = None, datatype: str | None = None) -> str:
    """A literal from its parts as SPARQL JSON results give them; ValueError for a malformed language
    tag or datatype IRI (pyoxigraph checks the tag as BCP 47 and writes it in lower case)."""
    if language:
        return str(ox.Literal(text, language=language))
    if datatype:
        return str(ox.Literal(text, datatype=ox.NamedNode(str(check_iri(datatype)))))
    return string(text)
